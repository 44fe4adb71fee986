"""Choosing each due worker's digest: their best open jobs above a score threshold that no
earlier digest announced and that they did not mark as not relevant.

Scores come from the serving scorer (`matcher.ranking`), one open job at a time against
every due worker at once; a running top-k per worker is kept in numpy, so a run costs
one vectorised pass over the open jobs instead of one ranking query per worker.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
from sqlite_utils import Database

from matcher.config import Settings
from matcher.constants import CITIES
from matcher.features.population import JobProfile, WorkerTable, load_jobs, load_worker_table
from matcher.notifications import outbox
from matcher.notifications.consent import CONSENTING_WORKERS_SQL
from matcher.notifications.digest import (
    DEFAULT_JOBS_PER_DIGEST,
    DEFAULT_SCORE_THRESHOLD,
    Digest,
    DigestJob,
)
from matcher.ranking.scorers import load_serving_scorer

# Jobs scored between two top-k merges: bigger blocks merge less often but use more memory.
JOB_BLOCK = 64


@dataclass(frozen=True)
class Recipient:
    worker_id: int
    external_id: str
    name: str
    email: str
    period: str


def due_recipients(db: Database, now: dt.datetime) -> list[Recipient]:
    """Consenting workers with no digest yet for their current period and none in flight."""
    rows = db.execute(
        f"SELECT * FROM ({CONSENTING_WORKERS_SQL}) WHERE digest_frequency != 'off' ORDER BY id"
    ).fetchall()
    candidates = [
        Recipient(row[0], row[1], row[2] or "", row[3], outbox.period_for(row[4], now))
        for row in rows
    ]
    done = outbox.workers_with_digest_for(db, {r.period for r in candidates})
    done |= outbox.workers_with_digest_in_flight(db)
    return [r for r in candidates if r.worker_id not in done]


def excluded_pairs(db: Database) -> dict[int, set[int]]:
    """Job ids per worker that must not appear again: already announced, or not relevant."""
    excluded: dict[int, set[int]] = defaultdict(set)
    for worker_id, job_id in db.execute(
        "SELECT worker_id, job_id FROM digest_sent_jobs"
        " UNION SELECT worker_id, job_id FROM match_feedback"
    ):
        excluded[worker_id].add(job_id)
    return excluded


class TopJobs:
    """The k best (score, job index) per worker row, merged a block of jobs at a time."""

    def __init__(self, n_rows: int, k: int) -> None:
        self.scores = np.full((n_rows, k), -np.inf, dtype=np.float32)
        self.jobs = np.full((n_rows, k), -1, dtype=np.int64)
        self.k = k

    def merge(self, block_scores: np.ndarray, block_jobs: np.ndarray) -> None:
        """Fold in a (n_rows, b) block of scores for the job indexes `block_jobs`."""
        scores = np.concatenate([self.scores, block_scores], axis=1)
        jobs = np.concatenate([self.jobs, np.broadcast_to(block_jobs, block_scores.shape)], axis=1)
        keep = np.argpartition(-scores, self.k - 1, axis=1)[:, : self.k]
        self.scores = np.take_along_axis(scores, keep, axis=1)
        self.jobs = np.take_along_axis(jobs, keep, axis=1)

    def best(self, row: int) -> list[tuple[int, float]]:
        """(job index, score) of row `row`, best first, without empty slots."""
        order = np.argsort(-self.scores[row], kind="stable")
        return [
            (int(self.jobs[row, i]), float(self.scores[row, i]))
            for i in order
            if np.isfinite(self.scores[row, i])
        ]


def score_top_jobs(
    scorer,
    jobs: list[JobProfile],
    workers: WorkerTable,
    rows: np.ndarray,
    excluded: dict[int, set[int]],
    *,
    k: int,
    threshold: float,
) -> TopJobs:
    """Every job scored against every row; each row keeps its k best above `threshold`."""
    top = TopJobs(len(rows), k)
    exclusions = _exclusions_by_job(workers, rows, excluded)
    for start in range(0, len(jobs), JOB_BLOCK):
        block = jobs[start : start + JOB_BLOCK]
        scores = np.empty((len(rows), len(block)), dtype=np.float32)
        for column, job in enumerate(block):
            scores[:, column] = scorer.score(job, workers, rows)
            scores[exclusions.get(job.id, []), column] = -np.inf
        scores[scores < threshold] = -np.inf
        top.merge(scores, np.arange(start, start + len(block)))
    return top


def _exclusions_by_job(
    workers: WorkerTable, rows: np.ndarray, excluded: dict[int, set[int]]
) -> dict[int, list[int]]:
    position_of_worker = {int(workers.worker_ids[row]): i for i, row in enumerate(rows)}
    by_job: dict[int, list[int]] = defaultdict(list)
    for worker_id, job_ids in excluded.items():
        position = position_of_worker.get(worker_id)
        if position is not None:
            for job_id in job_ids:
                by_job[job_id].append(position)
    return by_job


def explain_pair(job: JobProfile, workers: WorkerTable, row: int) -> dict:
    """The explanation fields of PRODUCT.md for one (worker, job) pair."""
    held = _skills_of_row(workers, row)
    rank = int(workers.city_rank[row, CITIES.index(job.city)])
    return {
        "matched_skills": [s for s in job.required_skills if s in held],
        "missing_skills": [s for s in job.required_skills if s not in held],
        "matched_nice_to_have": [s for s in job.nice_to_have_skills if s in held],
        "city_preference_rank": rank or None,
        "years_experience": float(workers.years_experience[row]),
        "min_years_experience": job.min_years_experience,
        "french_level_required": job.french_level_required,
    }


def _skills_of_row(workers: WorkerTable, row: int) -> set[str]:
    names = getattr(workers, "_skill_names", None)
    if names is None:
        names = np.empty(len(workers.skill_index), dtype=object)
        for name, column in workers.skill_index.items():
            names[column] = name
        workers._skill_names = names
    return set(names[workers.skills[row].indices])


def choose_digests(
    db: Database,
    settings: Settings,
    now: dt.datetime,
    *,
    jobs_per_digest: int = DEFAULT_JOBS_PER_DIGEST,
    threshold: float = DEFAULT_SCORE_THRESHOLD,
) -> list[Digest]:
    """The digest of every due worker who has at least one new job above the threshold."""
    recipients = due_recipients(db, now)
    if not recipients:
        return []
    workers = load_worker_table(db)
    placed = [(r, workers.row_of(r.worker_id)) for r in recipients]
    placed = [(r, row) for r, row in placed if row is not None]
    rows = np.array([row for _, row in placed], dtype=np.int64)
    jobs = load_jobs(db)
    scorer = load_serving_scorer(db, settings)
    top = score_top_jobs(
        scorer, jobs, workers, rows, excluded_pairs(db), k=jobs_per_digest, threshold=threshold
    )
    return list(_digests(placed, top, jobs, workers))


def _digests(
    placed: list[tuple[Recipient, int]], top: TopJobs, jobs: list[JobProfile], workers
) -> Iterable[Digest]:
    for position, (recipient, row) in enumerate(placed):
        best = top.best(position)
        if not best:
            continue
        chosen = tuple(_digest_job(jobs[j], score, workers, row) for j, score in best)
        yield Digest(
            recipient.worker_id,
            recipient.external_id,
            recipient.name,
            recipient.email,
            recipient.period,
            chosen,
        )


def _digest_job(job: JobProfile, score: float, workers: WorkerTable, row: int) -> DigestJob:
    return DigestJob(
        job_id=job.id,
        external_id=job.external_id,
        title=job.title,
        employer=job.employer,
        city=job.city,
        remote=job.remote,
        score=score,
        explanation=explain_pair(job, workers, row),
    )
