"""Hiring funnels from outcome events: reached per stage, conversions, days between; per job
(`funnel_report`) and across all of an employer's jobs (`employer_funnel_report`, where a
candidate is one worker on one job, so a worker on two jobs counts twice).

A candidate "reached" a funnel stage when an event puts them there or further along
(an imported hire with no recorded interview still counts as having passed it).
Days between two consecutive stages are measured on the candidates with an event at both.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
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


def _first_times(db: Database, job_ids: list[int]) -> dict[tuple[int, int], dict[str, str]]:
    """For each (job, worker), the first time of each funnel step they have an event for."""
    if not job_ids:
        return {}
    marks = ",".join("?" for _ in job_ids)
    rows = db.execute(
        f"SELECT job_id, worker_id, stage, at FROM outcomes WHERE job_id IN ({marks})"
        " ORDER BY at, id",
        job_ids,
    ).fetchall()
    firsts: dict[tuple[int, int], dict[str, str]] = {}
    for job_id, worker_id, stage, at in rows:
        step = _funnel_step(stage)
        times = firsts.setdefault((job_id, worker_id), {})
        if step is not None:
            times.setdefault(FUNNEL_STAGES[step], at)
        times.setdefault("first", at)
    return firsts


def funnel_report(db: Database, job_id: int, job_external_id: str) -> dict:
    """The job's funnel as `talentmatch report --json` prints it (and the API answers)."""
    return {"job": job_external_id, **_funnel(db, [job_id])}


def employer_funnel_report(db: Database, employer_id: int) -> dict:
    """The funnel across every job of the employer (open and closed), in the job funnel's
    shape with `employer`, `jobs` and `open_jobs` in place of `job`."""
    rows = db.execute(
        "SELECT id, status FROM jobs WHERE employer_id = ? ORDER BY id", [employer_id]
    ).fetchall()
    name = db.execute("SELECT name FROM employers WHERE id = ?", [employer_id]).fetchone()
    return {
        "employer": name[0] if name else "",
        "jobs": len(rows),
        "open_jobs": sum(1 for _, status in rows if status == "open"),
        **_funnel(db, [job_id for job_id, _ in rows]),
    }


def funnel_by_job(db: Database, employer_id: int) -> list[dict]:
    """A line per job of the employer (open first, newest first): its title and status,
    candidates with activity, hires and median days to hire, for the employer's report."""
    rows = db.execute(
        "SELECT id, external_id, title, status FROM jobs WHERE employer_id = ?"
        " ORDER BY status = 'closed', id DESC",
        [employer_id],
    ).fetchall()
    lines = []
    for job_id, external_id, title, status in rows:
        report = funnel_report(db, job_id, external_id)
        hired = next(s["reached"] for s in report["stages"] if s["stage"] == "hired")
        lines.append(
            {
                "job": external_id,
                "title": title,
                "status": status,
                "candidates": report["candidates"],
                "hired": hired,
                "median_days_to_hire": report["median_days_to_hire"],
            }
        )
    return lines


def _funnel(db: Database, job_ids: list[int]) -> dict:
    firsts = _first_times(db, job_ids)
    reached = dict.fromkeys(FUNNEL_STAGES, 0)
    for times in firsts.values():
        furthest = max((FUNNEL_STAGES.index(s) for s in times if s in FUNNEL_STAGES), default=0)
        for step in FUNNEL_STAGES[: furthest + 1]:
            reached[step] += 1
    current = Counter()
    for job_id in job_ids:
        current.update(stage_counts(pipeline_stages(db, job_id)))
    return {
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


def _median_days(firsts: dict, start: str, end: str) -> float | None:
    spans = [_days(t[start], t[end]) for t in firsts.values() if start in t and end in t]
    return round(median(spans), 2) if spans else None


def funnel_for_job(db: Database, job_external_id: str) -> dict:
    """The funnel of any job by external id (the operator's command line); NotFound if none."""
    row = db.execute("SELECT id FROM jobs WHERE external_id = ?", [job_external_id]).fetchone()
    if row is None:
        raise NotFound("job", job_external_id)
    return funnel_report(db, row[0], job_external_id)
