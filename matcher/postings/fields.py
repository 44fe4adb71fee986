"""Readers for the job fields a posting states in words: city, remote policy, years, pay, French.

Each reader takes the posting's segments (`sections.split_sections`) and returns the value or
None when the text does not say. Conventions, documented here once:
- Hourly pay is annualised at `HOURS_PER_YEAR` = 2080 (40 hours x 52 weeks).
- Amounts marked as US dollars (`USD`, `US$`) are skipped, not converted: the exchange rate
  moves, and a wrong salary is worse than none.
- "Bilingual", "French required", "français requis" and the like mean `BILINGUAL_NCLC` = 7
  (NCLC 7: the level Canada asks of French-speaking professionals, e.g. for Express Entry
  points); a stated "NCLC 8" is 8; French "an asset" is 0, not required.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from matcher.constants import CITIES
from matcher.postings.sections import SectionKind, Segment

HOURS_PER_YEAR = 2080
BILINGUAL_NCLC = 7
MAX_YEARS = 40
ANNUAL_SALARY_RANGE = (20_000, 1_000_000)
HOURLY_RATE_RANGE = (10, 500)

# French postings name the city as an adjective too ("une entreprise montréalaise").
_CITY_PATTERNS = {
    "Toronto": re.compile(r"\btoronto(?:is|ise)?s?\b|\bgta\b|greater toronto"),
    "Vancouver": re.compile(r"\bvancouver(?:ois|oise)?s?\b"),
    "Montreal": re.compile(r"\bmontreal(?:ais|aise)?s?\b"),
}
assert set(_CITY_PATTERNS) == set(CITIES)
_LOCATION_LINE = re.compile(
    r"^(?:location|lieu|emplacement|based in|office|bureau|where|ville|city|localisation)\b"
)

# --- city -----------------------------------------------------------------------------------


def read_city(segments: list[Segment], title: str | None) -> str | None:
    """The city on a "Location:" line, else in the title, else the first one the text names."""
    located = [s.folded for s in segments if _LOCATION_LINE.match(s.folded)]
    ordered = [s.folded for s in segments if s.kind is not SectionKind.IGNORED]
    for texts in (located, [title.casefold()] if title else [], ordered):
        city = _first_city(texts)
        if city:
            return city
    return None


def _first_city(texts: Iterable[str]) -> str | None:
    for text in texts:
        found = [(m.start(), city) for city, p in _CITY_PATTERNS.items() if (m := p.search(text))]
        if found:
            return min(found)[1]
    return None


# --- remote policy --------------------------------------------------------------------------

_HYBRID = re.compile(
    r"\bhybrid|\bhybride|\d\s*(?:-\s*\d\s*)?days?\s*(?:a|per|each|/)\s*week\s*(?:in|at|from)\s*"
    r"(?:the|our)?\s*office|\d\s*jours?\s*(?:par semaine\s*)?au bureau|teletravail partiel|"
    r"partially remote|partly remote|mix of remote|flexible (?:work|working) (?:model|arrangement)"
)
_REMOTE = re.compile(
    r"fully remote|100\s*% remote|remote[- ]first|remote only|remote[- ]friendly|"
    r"(?:role|position|job|poste|team) is (?:fully )?remote|work (?:from )?anywhere|"
    r"work remotely|remote (?:position|role|job|work|opportunity)|\(remote\)|remote \(canada\)|"
    r"remote (?:in|within|across) canada|en teletravail|teletravail (?:complet|a 100)|"
    r"100\s*% (?:en )?teletravail|entierement a distance|a distance\b"
)
_NOT_REMOTE = re.compile(r"\b(?:not|no|non)[- ](?:a )?remote|not (?:a )?remote")
_ONSITE = re.compile(
    r"\bon[- ]?site\b|\bin[- ]office\b|in the office|in person|\bsur place\b|presentiel|"
    r"5 days (?:a|per) week in"
)
_PERK = re.compile(r"stipend|allowance|budget|allocation|equipment|allocation")
_BARE_REMOTE = re.compile(r"\bremote\b|\bteletravail\b")


def read_remote(segments: list[Segment]) -> str | None:
    """`hybrid`, `remote` or `onsite` when the text says so (hybrid first: it names both)."""
    texts = [s.folded for s in segments if not _PERK.search(s.folded)]
    if any(_HYBRID.search(text) for text in texts):
        return "hybrid"
    if any(_REMOTE.search(t) and not _NOT_REMOTE.search(t) for t in texts) or any(
        _LOCATION_LINE.match(t) and _BARE_REMOTE.search(t) for t in texts
    ):
        return "remote"
    if any(_ONSITE.search(text) or _NOT_REMOTE.search(text) for text in texts):
        return "onsite"
    return None


# --- minimum years --------------------------------------------------------------------------

_NUMBER_WORDS = {
    "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
    "nine": 9, "ten": 10, "un": 1, "deux": 2, "trois": 3, "quatre": 4, "cinq": 5,
    "sept": 7, "huit": 8, "neuf": 9, "dix": 10,
}  # fmt: skip
_NUM = r"(\d{1,2}(?:[.,]5)?|" + "|".join(_NUMBER_WORDS) + r")"
_YEARS = r"(?:years?|yrs?|ans|annees)\b"
_YEAR_RANGE = re.compile(
    r"\b" + _NUM + r"\s*(?:-|\u2013|\u2014|to|a)\s*" + r"\d{1,2}\s*\+?\s*" + _YEARS
)
_YEAR_PATTERNS = (
    re.compile(_NUM + r"\s*\+\s*" + _YEARS),
    re.compile(
        r"(?:at least|minimum(?: of)?|min\.?|a minimum of|au moins|minimum de|no less than)\s+"
        + _NUM
        + r"\s*\+?\s*"
        + _YEARS
    ),
    re.compile(r"\b" + _NUM + r"\s*" + _YEARS + r"\s*(?:or more|and (?:up|above)|et plus|ou plus)"),
    re.compile(
        r"\b" + _NUM + r"\s*" + _YEARS + r"'?\s*(?:of\s+)?(?:[a-z-]+\s+){0,4}?"
        r"(?:experience|d'experience|dexperience|d experience)"
    ),
)


def read_min_years(segments: list[Segment]) -> float | None:
    """The largest minimum the requirements state ("5+ years", "at least 3", "3-5" -> 3)."""
    found = [
        years
        for segment in segments
        if segment.kind in (SectionKind.REQUIRED, SectionKind.INTRO, SectionKind.DUTIES)
        for years in _years_in(segment.folded)
    ]
    return max(found) if found else None


def _years_in(text: str) -> list[float]:
    """Each minimum stated; a range counts by its low end and hides the numbers inside it."""
    ranges = list(_YEAR_RANGE.finditer(text))
    matches = ranges + [
        match
        for pattern in _YEAR_PATTERNS
        for match in pattern.finditer(text)
        if not any(r.start() <= match.start(1) < r.end() for r in ranges)
    ]
    values = []
    for match in matches:
        raw = match.group(1)
        value = _NUMBER_WORDS.get(raw) or float(raw.replace(",", "."))
        if 0 < value <= MAX_YEARS:
            values.append(float(value))
    return values


# --- salary ---------------------------------------------------------------------------------

_AMOUNT = (
    r"(?P<{n}cur>(?:CAD|CA\$|C\$|US\$|USD|\$)\s*)?"
    r"(?P<{n}num>\d{{1,3}}(?:[,\u00a0\u202f ]\d{{3}})+(?:\.\d{{1,2}})?|\d+(?:\.\d+)?)"
    r"(?P<{n}k>\s*[kK]\b)?"
    r"(?P<{n}suf>\s*(?:\$\s*(?:CAD|USD)?|CAD|USD|dollars))?"
)
_RANGE = re.compile(
    _AMOUNT.format(n="a")
    + r"\s*(?:-|\u2013|\u2014|to|\u00e0|and|et)\s*"
    + _AMOUNT.format(n="b")
    + r"(?P<unit>\s*(?:/|per|an|a|par|de l')\s*(?:hour|hr|h|heure)\b|\s*hourly)?",
)
_SINGLE = re.compile(
    _AMOUNT.format(n="a")
    + r"(?P<unit>\s*(?:/|per|an|a|par|de l')\s*(?:hour|hr|h|heure)\b|\s*hourly)?"
)
_SALARY_WORDS = re.compile(
    r"salary|salaire|compensation|remuneration|\bpay\b|base|range|fourchette|per year|annual|"
    r"/year|per hour|/hour|hourly|an hour|/h\b|taux horaire|par annee|par an\b|ote\b"
)
_HOURLY_WORDS = re.compile(r"per hour|/hour|/hr|/h\b|hourly|an hour|de l'heure|/heure|horaire")
_USD = re.compile(r"\bUSD\b|US\$|US dollars|U\.S\. dollars", re.IGNORECASE)
_UP_TO = re.compile(r"(?:up to|jusqu'a|maximum(?: of)?|max\.?)\s*$")
_FROM = re.compile(r"(?:from|starting at|starting from|a partir de|minimum(?: of)?|min\.?)\s*$")


def read_salary(segments: list[Segment]) -> tuple[int | None, int | None]:
    """The yearly CAD range the text states; hourly rates x 2080; USD amounts skipped."""
    for segment in segments:
        found = _range_in(segment.text)
        if found:
            return found
    for segment in segments:
        if _SALARY_WORDS.search(segment.folded) and not _USD.search(segment.text):
            found = _single_in(segment.text)
            if found != (None, None):
                return found
    return None, None


def _range_in(text: str) -> tuple[int, int] | None:
    for match in _RANGE.finditer(text):
        if _is_usd(match, "a") or _is_usd(match, "b"):
            continue
        marked = any(match.group(g) for g in ("acur", "asuf", "bcur", "bsuf"))
        has_k = bool(match.group("ak") or match.group("bk"))
        if not (marked or (has_k and _SALARY_WORDS.search(text.casefold()))):
            continue
        low, high = _number(match, "a"), _number(match, "b")
        if has_k:
            low, high = (v * 1000 if v < 1000 else v for v in (low, high))
        hourly = bool(match.group("unit")) or _HOURLY_WORDS.search(text[match.end() :][:25])
        annual = _annualise(low, hourly), _annualise(high, hourly)
        if None not in annual and annual[0] <= annual[1]:
            return annual  # type: ignore[return-value]
    return None


def _single_in(text: str) -> tuple[int | None, int | None]:
    for match in _SINGLE.finditer(text):
        if _is_usd(match, "a") or not (match.group("acur") or match.group("asuf")):
            continue
        value = _number(match, "a") * (1000 if match.group("ak") else 1)
        hourly = bool(match.group("unit")) or _HOURLY_WORDS.search(text[match.end() :][:25])
        annual = _annualise(value, hourly)
        if annual is None:
            continue
        before = text[: match.start()].casefold()
        if _UP_TO.search(before):
            return None, annual
        if _FROM.search(before):
            return annual, None
        return annual, annual
    return None, None


def _is_usd(match: re.Match[str], side: str) -> bool:
    marks = (match.group(f"{side}cur") or "") + (match.group(f"{side}suf") or "")
    return "US" in marks.upper()


def _number(match: re.Match[str], side: str) -> float:
    raw = re.sub(r"[,\u00a0\u202f ]", "", match.group(f"{side}num"))
    return float(raw)


def _annualise(value: float, hourly: object) -> int | None:
    low, high = HOURLY_RATE_RANGE if hourly else ANNUAL_SALARY_RANGE
    if not low <= value <= high:
        return None
    return round(value * HOURS_PER_YEAR) if hourly else round(value)


# --- French ---------------------------------------------------------------------------------

_FRENCH = re.compile(r"\bfrench\b|\bfrancais\b|\bbilingu|\bfrancophone")
_NCLC = re.compile(r"\bnclc\s*(?:level\s*|niveau\s*|de\s*)?(\d{1,2})\b")
_FRENCH_REQUIRED = re.compile(
    r"requis|required|requirement|must|mandatory|obligatoire|essential|essentiel|fluen|"
    r"proficien|professional|excellent|strong|maitrise|courant|bilingu|written and spoken|"
    r"spoken and written|oral|ecrit|communicate|level|niveau|need|exige"
)


def read_french_level(segments: list[Segment]) -> int | None:
    """NCLC level the posting asks for: stated, 7 for "required"/"bilingual", 0 if an asset."""
    required: list[int] = []
    optional = False
    for segment in segments:
        if segment.kind is SectionKind.IGNORED:
            continue
        text = segment.folded
        stated = [int(m.group(1)) for m in _NCLC.finditer(text) if int(m.group(1)) <= 12]
        if not stated and not _FRENCH.search(text):
            continue
        if segment.kind is SectionKind.NICE:
            optional = True
        elif stated:
            required.append(max(stated))
        elif _FRENCH_REQUIRED.search(text) or segment.kind is SectionKind.REQUIRED:
            required.append(BILINGUAL_NCLC)
    if required:
        return max(required)
    return 0 if optional else None
