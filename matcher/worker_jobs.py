"""One open job as a worker sees it: the posting, its requirements against their profile,
their fit, what would raise it, their earliest feasible start and their answer so far.

The worker's job page is a thin shell around `worker_job_view`; everything it shows is
computed here, with the scorer and fit scale the matches page uses.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Literal

from sqlite_utils import Database

from matcher.config import Settings
from matcher.errors import NotFound
from matcher.features.population import UNKNOWN_YEARS_VALUE, JobProfile, load_job
from matcher.fit import Fit
from matcher.hiring.interest import current_interest
from matcher.permits import StartEstimate, earliest_start
from matcher.ranking.index import worker_index
from matcher.ranking.shortlists import candidate_fit, score_candidate
from matcher.ranking.what_if import SkillWhatIf, what_if_skills

SkillStatus = Literal["met", "missing", "years_unknown"]


@dataclass(frozen=True)
class SkillCheck:
    """One of the job's skills against the worker's profile."""

    skill: str
    required: bool
    status: SkillStatus
    years: float | None  # the worker's stated years, when met with years


@dataclass(frozen=True)
class WorkerJobView:
    job: JobProfile
    explanation: dict
    fit: Fit
    skills: list[SkillCheck]
    what_ifs: list[SkillWhatIf]
    start: StartEstimate | None
    interest: str | None


def open_job(db: Database, external_id: str) -> JobProfile:
    """The open job with this external id; NotFound for an unknown or closed one."""
    job = load_job(db, external_id)
    if job is None or job.status != "open":
        raise NotFound("job", external_id)
    return job


def skill_checks(job: JobProfile, held: dict[str, float]) -> list[SkillCheck]:
    """Each required, then nice-to-have, skill as met (with years), years unknown or missing."""
    checks = []
    for required, skills in ((True, job.required_skills), (False, job.nice_to_have_skills)):
        for skill in skills:
            value = held.get(skill)
            if value is None:
                checks.append(SkillCheck(skill, required, "missing", None))
            elif value == UNKNOWN_YEARS_VALUE:
                checks.append(SkillCheck(skill, required, "years_unknown", None))
            else:
                checks.append(SkillCheck(skill, required, "met", value - 1.0))
    return checks


def worker_job_view(
    db: Database, external_id: str, worker_id: int, *, settings: Settings, today: dt.date
) -> WorkerJobView:
    """Everything the worker's page of an open job shows; NotFound for a closed or unknown
    job, or a worker not in the active worker table."""
    job = open_job(db, external_id)
    _, explanation, _ = score_candidate(db, job, worker_id, settings=settings)
    index = worker_index(db)
    row = index.row_of(worker_id)
    available = explanation["available_from"]
    return WorkerJobView(
        job=job,
        explanation=explanation,
        fit=candidate_fit(db, job, worker_id, settings=settings),
        skills=skill_checks(job, index.skills_of(row)),
        what_ifs=what_if_skills(db, job, worker_id, settings=settings),
        start=earliest_start(
            explanation["work_authorization"],
            dt.date.fromisoformat(available) if available else None,
            job.occupation,
            today=today,
        ),
        interest=current_interest(db, worker_id, job.id),
    )
