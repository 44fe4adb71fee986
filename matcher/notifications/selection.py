"""Choosing each due worker's digest: their best open jobs above a score threshold that no
earlier digest announced and that they did not mark as not relevant.

The same two stages as a worker's matches page (`matcher.ranking.matches_for_worker`), done
for every due worker at once: the cheap retrieval score of each open job against all
workers keeps a pool of candidate jobs per worker (a running top-k in numpy), then the
serving scorer re-scores each pool, one job at a time against the workers whose pool holds
it. A run costs one vectorised pass over the open jobs, not one ranking query per worker.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
from sqlite_utils import Database

from matcher.config import Settings
from matcher.features.population import JobProfile
from matcher.notifications import outbox
from matcher.notifications.consent import CONSENTING_WORKERS_SQL
from matcher.notifications.digest import (
    DEFAULT_JOBS_PER_DIGEST,
    DEFAULT_SCORE_THRESHOLD,
    Digest,
    DigestJob,
)
from matcher.ranking.explanations import explain
from matcher.ranking.retrieval import WorkerIndex, open_jobs, retrieval_scores, worker_index
from matcher.ranking.scorers import load_serving_scorer

# Candidate jobs per worker that the serving scorer re-ranks (the matches page uses more,
# for one worker; a digest lists only a handful).
DIGEST_POOL_SIZE = 20
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


def candidate_pools(
    index: WorkerIndex,
    jobs: tuple[JobProfile, ...],
    rows: np.ndarray,
    excluded: dict[int, set[int]],
    pool_size: int,
) -> TopJobs:
    """Stage one: each row's `pool_size` best jobs by retrieval score, exclusions left out."""
    pools = TopJobs(len(rows), pool_size)
    exclusions = _exclusions_by_job(index, rows, excluded)
    for start in range(0, len(jobs), JOB_BLOCK):
        block = jobs[start : start + JOB_BLOCK]
        scores = np.empty((len(rows), len(block)), dtype=np.float32)
        for column, job in enumerate(block):
            scores[:, column] = retrieval_scores(index, job)[rows]
            scores[exclusions.get(job.id, []), column] = -np.inf
        pools.merge(scores, np.arange(start, start + len(block)))
    return pools


def rescore_pools(
    scorer, index: WorkerIndex, jobs: tuple[JobProfile, ...], rows: np.ndarray, pools: TopJobs
) -> np.ndarray:
    """Stage two: the serving scorer's score of every pooled (row, job), -inf in empty slots."""
    model_scores = np.full(pools.jobs.shape, -np.inf, dtype=np.float32)
    filled = np.isfinite(pools.scores)
    positions, slots = np.nonzero(filled)
    job_of_pair = pools.jobs[positions, slots]
    order = np.argsort(job_of_pair, kind="stable")
    boundaries = np.flatnonzero(np.diff(job_of_pair[order])) + 1
    for group in np.split(order, boundaries):
        if len(group) == 0:
            continue
        job = jobs[int(job_of_pair[group[0]])]
        scores = scorer.score(job, index.table, rows[positions[group]])
        model_scores[positions[group], slots[group]] = scores
    return model_scores


def _exclusions_by_job(
    index: WorkerIndex, rows: np.ndarray, excluded: dict[int, set[int]]
) -> dict[int, list[int]]:
    position_of_worker = {int(index.table.worker_ids[row]): i for i, row in enumerate(rows)}
    by_job: dict[int, list[int]] = defaultdict(list)
    for worker_id, job_ids in excluded.items():
        position = position_of_worker.get(worker_id)
        if position is not None:
            for job_id in job_ids:
                by_job[job_id].append(position)
    return by_job


def choose_digests(
    db: Database,
    settings: Settings,
    now: dt.datetime,
    *,
    jobs_per_digest: int = DEFAULT_JOBS_PER_DIGEST,
    threshold: float = DEFAULT_SCORE_THRESHOLD,
    pool_size: int = DIGEST_POOL_SIZE,
) -> list[Digest]:
    """The digest of every due worker who has at least one new job above the threshold."""
    recipients = due_recipients(db, now)
    if not recipients:
        return []
    index = worker_index(db)
    placed = [(r, index.row_of(r.worker_id)) for r in recipients]
    placed = [(r, row) for r, row in placed if row is not None]
    rows = np.array([row for _, row in placed], dtype=np.int64)
    jobs = open_jobs(db, index).jobs
    if not jobs or not len(rows):
        return []
    pools = candidate_pools(index, jobs, rows, excluded_pairs(db), max(pool_size, jobs_per_digest))
    scorer = load_serving_scorer(db, settings)
    model_scores = rescore_pools(scorer, index, jobs, rows, pools)
    model_scores[model_scores < threshold] = -np.inf
    chosen = TopJobs(len(rows), jobs_per_digest)
    chosen.merge(model_scores, pools.jobs)
    return list(_digests(placed, chosen, jobs, index))


def _digests(
    placed: list[tuple[Recipient, int]],
    chosen: TopJobs,
    jobs: tuple[JobProfile, ...],
    index: WorkerIndex,
) -> Iterable[Digest]:
    for position, (recipient, row) in enumerate(placed):
        best = chosen.best(position)
        if not best:
            continue
        yield Digest(
            recipient.worker_id,
            recipient.external_id,
            recipient.name,
            recipient.email,
            recipient.period,
            tuple(_digest_job(jobs[j], score, index, row) for j, score in best),
        )


def _digest_job(job: JobProfile, score: float, index: WorkerIndex, row: int) -> DigestJob:
    return DigestJob(
        job_id=job.id,
        external_id=job.external_id,
        title=job.title,
        employer=job.employer,
        city=job.city,
        remote=job.remote,
        score=score,
        explanation=explain(job, index, row),
    )
