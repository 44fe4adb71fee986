"""A job's hiring funnel from its outcome events: reached per stage, conversions, days between.

A candidate "reached" a funnel stage when an event puts them there or further along
(an imported hire with no recorded interview still counts as having passed it).
Days between two consecutive stages are measured on the candidates with an event at both.
"""

from __future__ import annotations

import datetime as dt
from statistics import median

from sqlite_utils import Database

from matcher.errors import NotFound
from matcher.hiring.stages import (
    NEW_EVENT_STAGES,
    pipeline_stages,
    stage_counts,
    stage_label,
)

# The funnel's steps, in order; rejected and withdrawn close it at any step.
FUNNEL_STAGES: tuple[str, ...] = (
    "new",
    "shortlisted",
    "contacted",
    "interviewed",
    "offered",
    "hired",
)


def _funnel_step(stage: str) -> int | None:
    key = "new" if stage in NEW_EVENT_STAGES else stage
    return FUNNEL_STAGES.index(key) if key in FUNNEL_STAGES else None


def _days(start: str, end: str) -> float:
    parse = dt.datetime.fromisoformat
    seconds = (
        parse(end.replace("Z", "+00:00")) - parse(start.replace("Z", "+00:00"))
    ).total_seconds()
    return round(seconds / 86400, 2)


def _first_times(db: Database, job_id: int) -> dict[int, dict[str, str]]:
    """For each worker, the first time of each funnel step they have an event for."""
    rows = db.execute(
        "SELECT worker_id, stage, at FROM outcomes WHERE job_id = ? ORDER BY at, id", [job_id]
    ).fetchall()
    firsts: dict[int, dict[str, str]] = {}
    for worker_id, stage, at in rows:
        step = _funnel_step(stage)
        times = firsts.setdefault(worker_id, {})
        if step is not None:
            times.setdefault(FUNNEL_STAGES[step], at)
        times.setdefault("first", at)
    return firsts


def funnel_report(db: Database, job_id: int, job_external_id: str) -> dict:
    """The job's funnel as `talentmatch report --json` prints it (and the API answers)."""
    firsts = _first_times(db, job_id)
    reached = dict.fromkeys(FUNNEL_STAGES, 0)
    for times in firsts.values():
        furthest = max((FUNNEL_STAGES.index(s) for s in times if s in FUNNEL_STAGES), default=0)
        for step in FUNNEL_STAGES[: furthest + 1]:
            reached[step] += 1
    current = stage_counts(pipeline_stages(db, job_id))
    return {
        "job": job_external_id,
        "candidates": len(firsts),
        "stages": [
            {"stage": s, "label": stage_label(s), "reached": reached[s], "current": current[s]}
            for s in FUNNEL_STAGES
        ],
        "closed": {"rejected": current["rejected"], "withdrawn": current["withdrawn"]},
        "conversions": [_conversion(a, b, reached, firsts) for a, b in _steps()],
        "median_days_to_hire": _median_days(firsts, "first", "hired"),
    }


def _steps() -> list[tuple[str, str]]:
    return list(zip(FUNNEL_STAGES, FUNNEL_STAGES[1:], strict=False))


def _conversion(start: str, end: str, reached: dict[str, int], firsts: dict) -> dict:
    rate = round(reached[end] / reached[start], 4) if reached[start] else None
    return {
        "from": start,
        "to": end,
        "rate": rate,
        "median_days": _median_days(firsts, start, end),
    }


def _median_days(firsts: dict[int, dict[str, str]], start: str, end: str) -> float | None:
    spans = [_days(t[start], t[end]) for t in firsts.values() if start in t and end in t]
    return round(median(spans), 2) if spans else None


def funnel_for_job(db: Database, job_external_id: str) -> dict:
    """The funnel of any job by external id (the operator's command line); NotFound if none."""
    row = db.execute("SELECT id FROM jobs WHERE external_id = ?", [job_external_id]).fetchone()
    if row is None:
        raise NotFound("job", job_external_id)
    return funnel_report(db, row[0], job_external_id)
