"""Date ranges as resumes write them ("Jan 2018 - Present", "2016-2019", "since 2019",
"depuis mars 2020", "06/2015 to 08/2017"), and the years a set of ranges covers without overlap.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from matcher.resumes.sections import fold

_MONTHS = {
    **dict.fromkeys(["jan", "january", "janv", "janvier"], 1),
    **dict.fromkeys(["feb", "february", "fev", "fevr", "fevrier"], 2),
    **dict.fromkeys(["mar", "march", "mars"], 3),
    **dict.fromkeys(["apr", "april", "avr", "avril"], 4),
    **dict.fromkeys(["may", "mai"], 5),
    **dict.fromkeys(["jun", "june", "juin"], 6),
    **dict.fromkeys(["jul", "july", "juil", "juillet"], 7),
    **dict.fromkeys(["aug", "august", "aout"], 8),
    **dict.fromkeys(["sep", "sept", "september", "septembre"], 9),
    **dict.fromkeys(["oct", "october", "octobre"], 10),
    **dict.fromkeys(["nov", "november", "novembre"], 11),
    **dict.fromkeys(["dec", "december", "decembre"], 12),
}
_MONTH = "|".join(sorted(_MONTHS, key=len, reverse=True))
_ONE_DATE = (
    rf"(?:(?:{_MONTH})\.?,?\s+(?:19|20)\d\d|(?:0?[1-9]|1[0-2])[/.](?:19|20)\d\d|(?:19|20)\d\d)"
)
_NOW = (
    r"(?:present|current|currently|now|today|till\s+date|to\s+date|ongoing|date"
    r"|aujourd'hui|actuel|maintenant|en\s+cours)"
)
_RANGE = re.compile(
    rf"(?<![\w/.])(?P<start>{_ONE_DATE})\s*(?:-|to|until|till|through|au|a|jusqu'a|–)\s*"
    rf"(?P<end>{_ONE_DATE}|{_NOW})(?![\w/])"
)
_SINCE = re.compile(
    rf"\b(?:since|depuis|from)\s+(?P<start>{_ONE_DATE})(?![\w/])(?!\s*(?:-|to)\s*\w)"
)
_PARTS = re.compile(rf"(?P<month>{_MONTH})|(?P<number>\d+)[/.](?P<year>\d{{4}})|(?P<alone>\d{{4}})")
_ANY_YEAR = re.compile(r"(?:19|20)\d\d")
EARLIEST_YEAR = 1960


@dataclass(frozen=True)
class DateRange:
    """A span of time a resume states; `end` is exclusive (the month after the last)."""

    start: date
    end: date
    position: int  # where in the folded line the range was written

    @property
    def years(self) -> float:
        return max((self.end - self.start).days, 0) / 365.25


def date_ranges(line: str, as_of: date) -> list[DateRange]:
    """Every plausible range written in `line`, ongoing ones ending at `as_of`."""
    if not _ANY_YEAR.search(line):
        return []  # most lines: no year, so no range (and no need to fold them)
    folded = fold(line)
    found: list[DateRange] = []
    for match in _RANGE.finditer(folded):
        start = _parse_date(match["start"], as_of, end=False)
        end = _parse_date(match["end"], as_of, end=True)
        if start and end and start <= end <= _next_month(as_of):
            found.append(DateRange(start, min(end, as_of), match.start()))
    for match in _SINCE.finditer(folded):
        start = _parse_date(match["start"], as_of, end=False)
        if start and start <= as_of:
            found.append(DateRange(start, as_of, match.start()))
    return sorted(found, key=lambda r: r.position)


def _parse_date(text: str, as_of: date, *, end: bool) -> date | None:
    """The first day of the month written (or of the month after, for an end), or None."""
    if re.fullmatch(_NOW, text):
        return as_of
    month, year = 1, None
    for part in _PARTS.finditer(text):
        if part["month"]:
            month = _MONTHS[part["month"]]
        elif part["number"]:
            month, year = int(part["number"]), int(part["year"])
        else:
            year = int(part["alone"])
    if year is None or not EARLIEST_YEAR <= year <= as_of.year + 1:
        return None
    written = date(year, month, 1)
    # A year alone ends where it starts ("2016-2019" is three years); a month is inclusive.
    return _next_month(written) if end and re.search(r"\D", text.strip()) else written


def _next_month(day: date) -> date:
    return date(day.year + (day.month == 12), day.month % 12 + 1, 1)


def covered_years(ranges: list[DateRange]) -> float:
    """Years covered by the ranges together, overlaps counted once."""
    total_days = 0
    current_start: date | None = None
    current_end: date | None = None
    for item in sorted(ranges, key=lambda r: r.start):
        if current_end is None or item.start > current_end:
            if current_end is not None:
                total_days += (current_end - current_start).days
            current_start, current_end = item.start, item.end
        else:
            current_end = max(current_end, item.end)
    if current_end is not None:
        total_days += (current_end - current_start).days
    return total_days / 365.25
