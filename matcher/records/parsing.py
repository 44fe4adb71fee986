"""Field parsers shared by the record kinds: each turns a contract value into a typed one.

Values arrive either as strings (from CSV) or as JSON values (from JSON Lines); every
parser accepts both, treats an empty string or None as missing, and raises `RowError`
naming the field and the reason when the value breaks the contract.
"""

from __future__ import annotations

import datetime as dt
import math
import re
import unicodedata
from collections.abc import Iterable
from functools import lru_cache
from typing import Any

from matcher.constants import CITIES
from matcher.email_addresses import InvalidEmail, canonical_email
from matcher.i18n import N_

TRUE_WORDS = frozenset({"true", "yes", "1"})
FALSE_WORDS = frozenset({"false", "no", "0"})
LIST_SEPARATOR = ";"
# Deliberately simple: one @, no spaces, a dotted domain of letters, digits and hyphens.
EMAIL_PATTERN = re.compile(r"^[^@\s]+@(?:[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?\.)+[A-Za-z]{2,}$")
DATE_PATTERN = re.compile(r"^\d{4}-\d{2}-\d{2}$")

# One cap per text field, the same for imports, forms and the API (docs/SECURITY.md): the
# forms' limits. Any other text field is a single line of at most SINGLE_LINE_MAX_LENGTH.
SINGLE_LINE_MAX_LENGTH = 200
TEXT_MAX_LENGTHS = {
    "email": 254,
    "description": 20_000,
    "description_fr": 20_000,
    "resume_text": 50_000,
}
MULTILINE_FIELDS = frozenset({"description", "description_fr", "resume_text"})
# Control characters (CR/LF would let a title add email headers), line and paragraph
# separators, and lone surrogates (not Unicode text: SQLite and UTF-8 refuse them).
_SINGLE_LINE_FORBIDDEN = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\ud800-\udfff]")
_MULTILINE_FORBIDDEN = re.compile("[\x00\ud800-\udfff]")


class RowError(ValueError):
    """A row breaks the data contract: `field` says where and `reason` says why."""

    def __init__(self, field: str, reason: str, **values: object) -> None:
        text = reason % values if values else reason
        super().__init__(f"{field}: {text}")
        self.field = field
        self.reason = text  # English: imports' reports and the API
        self.msgid = reason  # pages show `matcher.i18n.localized(error)`, the reader's words
        self.values = values


def is_missing(value: Any) -> bool:
    """True for None and blank strings, the two ways a row leaves a field out."""
    return value is None or (isinstance(value, str) and not value.strip())


def required_text(row: dict, field: str) -> str:
    """The field's text, stripped; missing is an error."""
    value = row.get(field)
    if is_missing(value):
        raise RowError(field, N_("required"))
    return _as_text(field, value)


def optional_text(row: dict, field: str, default: str | None = None) -> str | None:
    """The field's text, stripped, or `default` when missing."""
    value = row.get(field)
    if is_missing(value):
        return default
    return _as_text(field, value)


def _as_text(field: str, value: Any) -> str:
    if type(value) is str:  # the usual case, checked first: this runs for most fields
        return checked_text(field, value.strip())
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise RowError(field, f"must be text, not {type(value).__name__}")
    return checked_text(field, str(value).strip())


def checked_text(field: str, text: str) -> str:
    """`text` if it fits the field's cap and characters, else RowError naming the field."""
    limit = TEXT_MAX_LENGTHS.get(field, SINGLE_LINE_MAX_LENGTH)
    if len(text) > limit:
        raise RowError(
            field,
            N_("at most %(limit)s characters (got %(count)s)"),
            limit=f"{limit:,}",
            count=f"{len(text):,}",
        )
    if field in MULTILINE_FIELDS:
        forbidden = _MULTILINE_FORBIDDEN
    else:
        # Real postings carry tabs in titles (copied from tables): a tab is only spacing.
        text, forbidden = text.replace("\t", " "), _SINGLE_LINE_FORBIDDEN
    found = forbidden.search(text)
    if found:
        raise RowError(field, f"contains a forbidden character {_describe(found.group())}")
    return text


def _describe(character: str) -> str:
    if "\ud800" <= character <= "\udfff":
        return f"(a lone surrogate U+{ord(character):04X}, not valid Unicode text)"
    names = {"\x00": "NUL", "\r": "carriage return", "\n": "line break", "\t": "tab"}
    return f"({names.get(character, 'control character')} U+{ord(character):04X})"


def email_address(row: dict, field: str) -> str:
    """A required, plausibly valid email address, in its canonical form (`email_addresses`)."""
    value = required_text(row, field)
    try:
        canonical = canonical_email(value)
    except InvalidEmail:
        canonical = value
    if not EMAIL_PATTERN.match(canonical):
        raise RowError(field, N_("not a valid email address (%(value)s)"), value=repr(value))
    return canonical


def boolean(row: dict, field: str, default: bool) -> bool:
    """`true/false`, `yes/no` or `1/0` (any case), or a JSON boolean."""
    value = row.get(field)
    if is_missing(value):
        return default
    if isinstance(value, bool):
        return value
    word = str(value).strip().lower()
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    raise RowError(
        field, N_("must be true/false, yes/no or 1/0 (got %(value)s)"), value=repr(value)
    )


def number(row: dict, field: str, *, minimum: float | None = None) -> float | None:
    """A finite number, or None when missing."""
    value = row.get(field)
    if is_missing(value):
        return None
    if isinstance(value, bool):
        raise RowError(field, N_("must be a number (got %(value)s)"), value=repr(value))
    try:
        parsed = float(value)
    except (TypeError, ValueError):
        raise RowError(field, N_("must be a number (got %(value)s)"), value=repr(value)) from None
    if not math.isfinite(parsed):
        raise RowError(field, N_("must be a finite number (got %(value)s)"), value=repr(value))
    if minimum is not None and parsed < minimum:
        raise RowError(
            field,
            N_("must be at least %(minimum)s (got %(value)s)"),
            minimum=format_number(minimum),
            value=repr(value),
        )
    return parsed


def integer(
    row: dict, field: str, *, minimum: int | None = None, maximum: int | None = None
) -> int | None:
    """A whole number within [minimum, maximum], or None when missing."""
    parsed = number(row, field)
    if parsed is None:
        return None
    if not parsed.is_integer():
        raise RowError(
            field, N_("must be a whole number (got %(value)s)"), value=repr(row.get(field))
        )
    whole = int(parsed)
    if (minimum is not None and whole < minimum) or (maximum is not None and whole > maximum):
        raise RowError(
            field,
            N_("must be between %(minimum)s and %(maximum)s (got %(value)s)"),
            minimum=minimum,
            maximum=maximum,
            value=whole,
        )
    return whole


def enum(row: dict, field: str, allowed: Iterable[str], default: str | None = None) -> str | None:
    """One of `allowed` (matched ignoring case), or `default` when missing."""
    value = optional_text(row, field)
    if value is None:
        return default
    allowed = tuple(allowed)
    if value.lower() in allowed:
        return value.lower()
    raise RowError(
        field,
        N_("must be one of %(allowed)s (got %(value)s)"),
        allowed=", ".join(allowed),
        value=repr(value),
    )


def fold(text: str) -> str:
    """Text without accents and case, so `Montréal` and `montreal` compare equal."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold().strip()


_CITY_BY_FOLDED = {fold(city): city for city in CITIES}


def city_name(field: str, value: str) -> str:
    """The canonical city for `value`, ignoring case and accents."""
    city = _city_for(value)
    if city is None:
        raise RowError(
            field,
            N_("%(value)s is not one of %(cities)s"),
            value=repr(value.strip()),
            cities=", ".join(CITIES),
        )
    return city


@lru_cache(maxsize=1024)
def _city_for(value: str) -> str | None:
    """Memoised: imports spell the same few cities on every row."""
    return _CITY_BY_FOLDED.get(fold(value))


def text_list(row: dict, field: str) -> list[str]:
    """A list: a JSON array, or a `;`-separated string; blank items are dropped."""
    value = row.get(field)
    if is_missing(value):
        return []
    if isinstance(value, str):
        return [item for item in map(str.strip, value.split(LIST_SEPARATOR)) if item]
    if not isinstance(value, list):
        raise RowError(field, f"must be a list or a ';'-separated string, not {value!r}")
    return [
        item.strip() if isinstance(item, str) else item for item in value if not is_missing(item)
    ]


def city_list(row: dict, field: str) -> tuple[str, ...]:
    """Ordered, distinct canonical cities."""
    cities: list[str] = []
    for item in text_list(row, field):
        city = city_name(field, _as_text(field, item))
        if city in cities:
            raise RowError(field, N_("%(city)s is listed more than once"), city=city)
        cities.append(city)
    return tuple(cities)


def iso_date(row: dict, field: str) -> str | None:
    """An ISO `YYYY-MM-DD` date, or None when missing."""
    value = optional_text(row, field)
    if value is None:
        return None
    if not DATE_PATTERN.match(value):
        raise RowError(
            field, N_("must be an ISO date YYYY-MM-DD (got %(value)s)"), value=repr(value)
        )
    try:
        return dt.date.fromisoformat(value).isoformat()
    except ValueError:
        raise RowError(field, N_("not a real date (%(value)s)"), value=repr(value)) from None


def utc_timestamp(row: dict, field: str) -> str | None:
    """An ISO date-time as UTC text ending in `Z`; a time without offset is taken as UTC."""
    value = optional_text(row, field)
    if value is None:
        return None
    try:
        moment = dt.datetime.fromisoformat(value)
    except ValueError:
        raise RowError(field, f"must be an ISO date-time (got {value!r})") from None
    return format_timestamp(moment)


def format_timestamp(moment: dt.datetime) -> str:
    """`moment` in UTC as `YYYY-MM-DDTHH:MM:SS[.ffffff]Z` (naive means UTC)."""
    if moment.tzinfo is not None:
        moment = moment.astimezone(dt.UTC).replace(tzinfo=None)
    return moment.isoformat() + "Z"


def format_number(value: float) -> int | float:
    """Whole numbers as int (`5`, not `5.0`), so exported files read the way people write."""
    return int(value) if float(value).is_integer() else value
