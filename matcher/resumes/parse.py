"""`parse_resume`: the facts a resume states, read from its plain text.

Years are only ever what the text says: stated per skill ("5 years of Python"), or the
date ranges of the work-history entries that mention the skill. A skill the text gives no
years for keeps `years=None` (unknown), never 0, so ranking can tell "not stated" from "none".
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from matcher.resumes.dates import DateRange, covered_years, date_ranges
from matcher.resumes.education import education_level, is_education_line
from matcher.resumes.facts import YEARS_FROM_WORK_HISTORY, YEARS_STATED, ResumeFacts, ResumeSkill
from matcher.resumes.sections import EXPERIENCE, SKILLS, Line, clean_text, split_lines
from matcher.resumes.statements import stated_skill_years, stated_total_years
from matcher.resumes.titles import distinct_titles, title_in_line
from matcher.skills import extract_skills

MAX_ENTRY_LINES = 40
MAX_ENTRIES = 60
MAX_TITLE_LINE = 100


@dataclass(frozen=True)
class WorkEntry:
    """One dated work-history entry: its range, title if any, and the text describing it."""

    period: DateRange
    title: str | None
    text: str


def parse_resume(text: str, *, as_of: dt.date | None = None) -> ResumeFacts:
    """Skills with stated years, total years, recent titles and education found in `text`.

    `as_of` is the day ongoing ranges ("2019 - Present", "since 2019") run to; today by default.
    """
    today = as_of or dt.datetime.now(dt.UTC).date()
    cleaned = clean_text(text or "")
    if not cleaned.strip():
        return ResumeFacts()
    lines = split_lines(cleaned)
    entries = work_entries(lines, today)
    return ResumeFacts(
        skills=_skills(cleaned, entries),
        total_years=_total_years(cleaned, entries),
        recent_titles=_recent_titles(lines, entries),
        education=education_level(lines),
    )


def work_entries(lines: list[Line], as_of: dt.date) -> list[WorkEntry]:
    """Dated work-history entries: a line with a date range and the lines that follow it."""
    dated = [
        (line, ranges)
        for line in lines
        if line.section in (EXPERIENCE, None)
        for ranges in [date_ranges(line.text, as_of)]
        if ranges and not is_education_line(line)
    ][:MAX_ENTRIES]
    entries: list[WorkEntry] = []
    for number, (line, ranges) in enumerate(dated):
        following = dated[number + 1][0].index if number + 1 < len(dated) else len(lines)
        stop = min(following, line.index + MAX_ENTRY_LINES)
        body = [other.text for other in lines[line.index : stop] if other.section == line.section]
        title = _entry_title(lines, line)
        text = "\n".join(([title] if title else []) + body)
        entries.extend(WorkEntry(period, title, text) for period in ranges[:1])
    return entries


def _entry_title(lines: list[Line], line: Line) -> str | None:
    """The title on the dated line, or on the line just before or after it."""
    neighbours = (
        [line] + lines[max(line.index - 1, 0) : line.index] + lines[line.index + 1 : line.index + 2]
    )
    for candidate in neighbours:
        title = title_in_line(candidate.text)
        if title:
            return title
    return None


def _skills(text: str, entries: list[WorkEntry]) -> tuple[ResumeSkill, ...]:
    """Every skill named, each with stated years, else work-history years, else None."""
    stated: dict[str, float] = {}
    for item in stated_skill_years(text):
        stated[item.skill] = max(item.years, stated.get(item.skill, 0.0))
    periods: dict[str, list[DateRange]] = {}
    for entry in entries:
        for name in extract_skills(entry.text):
            periods.setdefault(name, []).append(entry.period)
    names = dict.fromkeys([*extract_skills(text), *stated, *periods])
    return tuple(_skill(name, stated, periods) for name in names)


def _skill(name: str, stated: dict[str, float], periods: dict[str, list[DateRange]]) -> ResumeSkill:
    if name in stated:
        return ResumeSkill(name, stated[name], YEARS_STATED)
    years = round(covered_years(periods[name]), 1) if name in periods else 0.0
    return ResumeSkill(name, years, YEARS_FROM_WORK_HISTORY) if years > 0 else ResumeSkill(name)


def _total_years(text: str, entries: list[WorkEntry]) -> float | None:
    """The larger of the stated total and the years the work history covers, or None."""
    history = covered_years([entry.period for entry in entries])
    total = max(stated_total_years(text) or 0.0, history)
    return round(total, 1) if total > 0 else None


def _recent_titles(lines: list[Line], entries: list[WorkEntry]) -> tuple[str, ...]:
    """Titles of dated entries, most recent first, then undated title lines in text order."""
    by_recency = sorted(entries, key=lambda e: (e.period.end, e.period.start), reverse=True)
    dated = [entry.title for entry in by_recency if entry.title]
    undated = [
        title
        for line in lines
        if line.section != SKILLS and len(line.text) <= MAX_TITLE_LINE
        for title in [title_in_line(line.text)]
        if title
    ]
    return distinct_titles(dated + undated)
