"""Shortlists (ranked workers for a job) and matches (ranked jobs for a worker), with reasons.

Both run in two stages: retrieval (`matcher.ranking.retrieval`) narrows the population to
a pool of a few thousand candidates with a cheap vectorised score, then the serving scorer
(the registry's champion, or the cold-start scorer) re-ranks that pool. The results carry
their explanation and serialise to PRODUCT.md's JSON shapes with `.to_json()`.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

import numpy as np
from sqlite_utils import Database

from matcher.config import Settings, load_settings
from matcher.features.population import JobProfile, WorkerTable, load_job
from matcher.ranking.explanations import explain
from matcher.ranking.retrieval import (
    JOB_POOL_SIZE,
    RERANK_POOL_SIZE,
    CandidateFilters,
    FilterError,
    eligible_mask,
    open_jobs,
    retrieve_candidates,
    retrieve_jobs,
    worker_index,
)
from matcher.ranking.scorers import Scorer, load_serving_scorer

SCORE_DECIMALS = 4
# Rows scored per scorer call when scoring exhaustively, to bound the feature matrix's memory.
SCORING_CHUNK = 50_000

__all__ = [
    "CandidateFilters",
    "Candidate",
    "FilterError",
    "JobMatch",
    "Matches",
    "NotFound",
    "Shortlist",
    "matches_for_worker",
    "shortlist_for_job",
]


class NotFound(LookupError):
    """No job or worker with this external id (the web layer answers 404)."""

    def __init__(self, kind: str, external_id: str) -> None:
        super().__init__(f"no {kind} with external id {external_id!r}")
        self.kind = kind
        self.external_id = external_id


@dataclass(frozen=True)
class Candidate:
    """One worker on a job's shortlist."""

    worker: str
    rank: int
    score: float
    explanation: dict

    def to_json(self) -> dict:
        return {
            "worker": self.worker,
            "rank": self.rank,
            "score": round(self.score, SCORE_DECIMALS),
            "explanation": self.explanation,
        }


@dataclass(frozen=True)
class Shortlist:
    """A page of a job's ranked candidates; `total` counts every worker passing the filters."""

    job: str
    model_version: str
    candidates: list[Candidate]
    total: int
    job_profile: JobProfile | None = field(default=None, repr=False, compare=False)

    def to_json(self) -> dict:
        return {
            "job": self.job,
            "model_version": self.model_version,
            "candidates": [candidate.to_json() for candidate in self.candidates],
            "total": self.total,
        }


@dataclass(frozen=True)
class JobMatch:
    """One open job matched to a worker."""

    job: str
    rank: int
    score: float
    explanation: dict
    title: str = ""
    employer: str = ""

    def to_json(self) -> dict:
        return {
            "job": self.job,
            "rank": self.rank,
            "score": round(self.score, SCORE_DECIMALS),
            "explanation": self.explanation,
            "title": self.title,
            "employer": self.employer,
        }


@dataclass(frozen=True)
class Matches:
    """A worker's best open jobs."""

    worker: str
    model_version: str
    jobs: list[JobMatch]

    def to_json(self) -> dict:
        return {
            "worker": self.worker,
            "model_version": self.model_version,
            "jobs": [match.to_json() for match in self.jobs],
        }


def score_rows(scorer: Scorer, job: JobProfile, table: WorkerTable, rows: np.ndarray) -> np.ndarray:
    """The scorer's score of each row, in chunks so that big pools stay within memory."""
    if len(rows) == 0:
        return np.zeros(0, dtype=np.float64)
    parts = [
        np.asarray(scorer.score(job, table, rows[start : start + SCORING_CHUNK]), dtype=float)
        for start in range(0, len(rows), SCORING_CHUNK)
    ]
    return np.concatenate(parts)


def _order(rows: np.ndarray, scores: np.ndarray, sort: str, table: WorkerTable) -> np.ndarray:
    """Positions of `rows` in display order: by score, or by a profile field then score."""
    tie_breaks = (rows, -scores)  # lexsort: the last key is the primary one
    if sort == "experience":
        keys = (*tie_breaks, -table.years_experience[rows])
    elif sort == "available_from":
        keys = (*tie_breaks, np.nan_to_num(table.available_from[rows], nan=np.inf))
    elif sort == "salary":
        keys = (*tie_breaks, np.nan_to_num(table.salary_expectation[rows], nan=np.inf))
    else:
        keys = tie_breaks
    return np.lexsort(keys)


def _check_page(limit: int, offset: int) -> None:
    if limit < 0:
        raise FilterError("limit", "must be 0 or more")
    if offset < 0:
        raise FilterError("offset", "must be 0 or more")


def shortlist_for_job(
    db: Database,
    job_external_id: str,
    *,
    limit: int = 50,
    offset: int = 0,
    filters: CandidateFilters | None = None,
    settings: Settings | None = None,
    pool_size: int | None = RERANK_POOL_SIZE,
) -> Shortlist:
    """The ranked candidates `offset..offset+limit` for a job, each with its explanation.

    Retrieval keeps the best `pool_size` eligible workers (at least `offset + limit`) for the
    model to re-rank; `pool_size=None` scores every eligible worker (the exhaustive baseline).
    With a `sort` other than "score", that re-ranked pool is shown in the sort's order:
    most experience first, earliest start first, or lowest salary expectation first.
    Raises NotFound for an unknown job and FilterError for a bad limit, offset or filter.
    """
    _check_page(limit, offset)
    filters = filters or CandidateFilters()
    job = load_job(db, job_external_id)
    if job is None:
        raise NotFound("job", job_external_id)
    scorer = load_serving_scorer(db, settings or load_settings())
    index = worker_index(db)
    mask = eligible_mask(index, job, filters)
    if pool_size is None:
        pool = np.flatnonzero(mask)
    else:
        pool = retrieve_candidates(index, job, mask, max(pool_size, offset + limit))
    scores = score_rows(scorer, job, index.table, pool)
    page = _order(pool, scores, filters.sort, index.table)[offset : offset + limit]
    candidates = [
        Candidate(
            worker=str(index.table.external_ids[pool[position]]),
            rank=offset + number,
            score=float(scores[position]),
            explanation=explain(job, index, int(pool[position])),
        )
        for number, position in enumerate(page, start=1)
    ]
    return Shortlist(job.external_id, scorer.version, candidates, int(mask.sum()), job)


def _excluded_ids(db: Database, exclude_job_ids: Iterable[int | str]) -> frozenset[int]:
    """Internal ids of the jobs to leave out, given internal (int) or external (str) ids."""
    internal = {int(job_id) for job_id in exclude_job_ids if not isinstance(job_id, str)}
    external = [job_id for job_id in exclude_job_ids if isinstance(job_id, str)]
    for start in range(0, len(external), 500):
        chunk = external[start : start + 500]
        marks = ",".join("?" * len(chunk))
        found = db.execute(f"SELECT id FROM jobs WHERE external_id IN ({marks})", chunk)
        internal.update(row[0] for row in found)
    return frozenset(internal)


def matches_for_worker(
    db: Database,
    worker_external_id: str,
    *,
    limit: int = 10,
    settings: Settings | None = None,
    exclude_job_ids: Iterable[int | str] = (),
    pool_size: int = JOB_POOL_SIZE,
) -> Matches:
    """The worker's best `limit` open jobs with explanations, leaving out `exclude_job_ids`.

    `exclude_job_ids` takes internal job ids (int) or external ids (str), for instance the
    jobs a digest already sent. Raises NotFound for an unknown or deleted worker.
    """
    _check_page(limit, 0)
    found = db.execute(
        "SELECT id FROM workers WHERE external_id = ? AND deleted_at IS NULL",
        [worker_external_id],
    ).fetchone()
    scorer = load_serving_scorer(db, settings or load_settings())
    index = worker_index(db)
    row = None if found is None else index.row_of(found[0])
    if row is None:
        raise NotFound("worker", worker_external_id)
    jobs = open_jobs(db, index)
    exclude = _excluded_ids(db, list(exclude_job_ids))
    pool = retrieve_jobs(jobs, index, row, pool_size=max(pool_size, limit), exclude=exclude)
    rows = np.array([row], dtype=np.int64)
    scores = [float(scorer.score(job, index.table, rows)[0]) for job in pool]
    order = sorted(range(len(pool)), key=lambda i: (-scores[i], pool[i].id))[:limit]
    return Matches(
        worker=worker_external_id,
        model_version=scorer.version,
        jobs=[
            JobMatch(
                job=pool[i].external_id,
                rank=number,
                score=scores[i],
                explanation=explain(pool[i], index, row),
                title=pool[i].title,
                employer=pool[i].employer,
            )
            for number, i in enumerate(order, start=1)
        ],
    )
