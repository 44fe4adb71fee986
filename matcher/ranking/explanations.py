"""Why a worker fits a job (or does not): the facts an employer and a worker see beside a score.

Every field is a plain fact about the pair read from the job and the worker table, never a
model internal, so the same explanation serves every scorer version.
"""

from __future__ import annotations

import datetime as dt
import math

from matcher.constants import CITIES
from matcher.features.population import EPOCH, JobProfile
from matcher.ranking.index import WorkerIndex


def _int_or_none(value: float) -> int | None:
    return None if math.isnan(value) else int(value)


def _float_or_none(value: float) -> float | None:
    return None if math.isnan(value) else value


def _iso_date(days: float) -> str | None:
    return None if math.isnan(days) else (EPOCH + dt.timedelta(days=int(days))).isoformat()


def salary_fit(expectation: float | None, low: int | None, high: int | None) -> str:
    """'within', 'below' or 'above' the job's range, or 'unknown' when either side is missing."""
    if expectation is None or (low is None and high is None):
        return "unknown"
    if low is not None and expectation < low:
        return "below"
    if high is not None and expectation > high:
        return "above"
    return "within"


def remote_compatible(remote: str, open_to_remote: bool, city_rank: int | None) -> bool:
    """Whether the worker can do the job as it is offered: remotely, or in its city."""
    if remote == "remote":
        return open_to_remote or city_rank is not None
    return city_rank is not None


def french_meets_requirement(level: int | None, required: int) -> bool | None:
    """True or False against the job's NCLC requirement; None when required but unknown."""
    if required <= 0:
        return True
    return None if level is None else level >= required


def explain(job: JobProfile, index: WorkerIndex, row: int, *, interest: bool = False) -> dict:
    """The explanation of one (job, worker) pair, as in PRODUCT.md's `explanation` object.

    `interest`: add the worker's answer (`worker_interest`) when there is one, for an employer
    served by a scorer that weighs it (a learned model; `Scorer.weighs_interest`)."""
    return explain_rows(job, index, [row], interest=interest)[0]


def explain_rows(
    job: JobProfile, index: WorkerIndex, rows: list[int], *, interest: bool = False
) -> list[dict]:
    """`explain` of each of `rows`, reading each worker column once for all of them (a batch
    shortlist explains 200 candidates)."""
    table = index.table
    city_ranks = table.city_rank[rows, CITIES.index(job.city)].tolist()
    columns = zip(rows, city_ranks, *_worker_columns(table, rows), strict=True)
    return [
        {
            **_facts(job, index.skill_names_of(row), *values),
            **(_interest_fact(job, table, row) if interest else {}),
        }
        for row, *values in columns
    ]


def explain_jobs(jobs: list[JobProfile], index: WorkerIndex, row: int) -> list[dict]:
    """`explain` of the worker at `row` for each of `jobs`, reading the worker's columns once
    (a worker's matches explain 20 jobs; a batch partition's, 250 workers' worth)."""
    table = index.table
    city_ranks = table.city_rank[row].tolist()
    values = [column[0] for column in _worker_columns(table, [row])]
    held = index.skill_names_of(row)
    return [_facts(job, held, city_ranks[CITIES.index(job.city)], *values) for job in jobs]


def _worker_columns(table, rows: list[int]) -> list[list]:
    """The worker values `_facts` reads after the city rank, one list per column, for `rows`."""
    return [
        table.years_experience[rows].tolist(),
        table.french_level[rows].tolist(),
        table.salary_expectation[rows].tolist(),
        table.open_to_remote[rows].tolist(),
        table.work_authorization[rows].tolist(),
        table.available_from[rows].tolist(),
    ]


def _facts(
    job: JobProfile,
    held: set[str],
    rank: int,
    stated_years: float,
    stated_french: float,
    stated_expectation: float,
    open_to_remote: bool,
    work_authorization: str,
    available_from: float,
) -> dict:
    """The explanation's fields from one worker's table values (NaN: not stated)."""
    city_rank = int(rank) if rank > 0 else None
    years = _float_or_none(float(stated_years))  # None: not stated
    french = _int_or_none(float(stated_french))
    expectation = _int_or_none(float(stated_expectation))
    open_to_remote = bool(open_to_remote)
    return {
        "matched_skills": [s for s in job.required_skills if s in held],
        "missing_skills": [s for s in job.required_skills if s not in held],
        "matched_nice_to_have_skills": [s for s in job.nice_to_have_skills if s in held],
        "city": job.city,
        "city_preference_rank": city_rank,
        "remote": job.remote,
        "open_to_remote": open_to_remote,
        "remote_compatible": remote_compatible(job.remote, open_to_remote, city_rank),
        "years_experience": years,
        "min_years_experience": job.min_years_experience,
        "meets_min_experience": (
            None
            if job.min_years_experience is None or years is None
            else years >= job.min_years_experience
        ),
        "french_level": french,
        "french_level_required": job.french_level_required,
        "meets_french_requirement": french_meets_requirement(french, job.french_level_required),
        "salary_expectation_cad": expectation,
        "salary_min_cad": job.salary_min_cad,
        "salary_max_cad": job.salary_max_cad,
        "salary_fit": salary_fit(expectation, job.salary_min_cad, job.salary_max_cad),
        "work_authorization": str(work_authorization),
        "available_from": _iso_date(float(available_from)),
    }


def _interest_fact(job: JobProfile, table, row: int) -> dict:
    """`worker_interest` ("interested" or "not_for_me") when the worker answered, else nothing:
    the answer the learned model reads as its `worker_interest` feature (optional field)."""
    choice = table.interest.choice(job.id, int(table.worker_ids[row]))
    return {} if choice is None else {"worker_interest": choice}
