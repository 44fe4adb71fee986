"""Skill lists in contract rows: `python:5;SQL` or `["python", {"name": "sql", "years": 2}]`.

Terms are normalised with `matcher.skills.normalize_skill`; a term the vocabulary does not
know does not reject the row: it is left out and reported back, so the caller can warn.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

from matcher.i18n import N_
from matcher.records.parsing import (
    RowError,
    checked_text,
    format_number,
    is_missing,
    text_list,
)

YEARS_SEPARATOR = ":"
NOT_A_NUMBER = N_("years for %(skill)s must be a number (got %(value)s)")


@dataclass(frozen=True)
class SkillItem:
    """One skill as written in a row: the raw term and the optional years of use."""

    term: str
    years: float | None = None


def skill_items(row: dict, field: str) -> list[SkillItem]:
    """The raw items of a skill list field, with years split off (`python:5`)."""
    return [_skill_item(field, item) for item in text_list(row, field)]


def _skill_item(field: str, item: object) -> SkillItem:
    if isinstance(item, dict):
        name, years = item.get("name"), item.get("years")
        if is_missing(name) or not isinstance(name, str):
            raise RowError(field, f"a skill needs a name ({item!r})")
        return SkillItem(checked_text(field, name).strip(), _years(field, name, years))
    if not isinstance(item, str):
        raise RowError(field, f"a skill must be text or {{name, years}} (got {item!r})")
    # One skill is one line of text: the single-line fields' cap and characters.
    item = checked_text(field, item)
    term, separator, tail = item.rpartition(YEARS_SEPARATOR)
    if separator and term.strip() and _looks_numeric(tail):
        return SkillItem(term.strip(), _years(field, term, tail))
    return SkillItem(item.strip())


def _looks_numeric(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def _years(field: str, name: str, years: object) -> float | None:
    if is_missing(years):
        return None
    facts = {"skill": repr(name.strip()), "value": repr(years)}
    if isinstance(years, bool):
        raise RowError(field, NOT_A_NUMBER, **facts)
    try:
        parsed = float(years)
    except (TypeError, ValueError):
        raise RowError(field, NOT_A_NUMBER, **facts) from None
    if not parsed >= 0 or parsed == float("inf"):
        raise RowError(field, N_("years for %(skill)s must be 0 or more (got %(value)s)"), **facts)
    return parsed


@functools.lru_cache(maxsize=20_000)
def canonical_skill(term: str) -> str | None:
    """The vocabulary's display name for `term`, or None when it is not a known skill.

    Cached because an import repeats the same few hundred terms across many rows, and the
    vocabulary itself is loaded once per process.
    """
    # Imported on use: loading the vocabulary is only worth it when skills are parsed.
    from matcher.skills import normalize_skill

    return normalize_skill(term)


def format_skill_item(name: str, years: float | None) -> str:
    """The CSV spelling of one skill: `Python` or `Python:5`."""
    if years is None:
        return name
    return f"{name}{YEARS_SEPARATOR}{format_number(years)}"
