"""A partition of workers' matches at once: `matches_for_worker`'s ranking, as matrices.

`matches_for_worker` ranks one worker against every open job: a retrieval pass over the
jobs, a scorer call on the pool, then one fit scale per matched job. For a partition, the
retrieval scores are one (workers, jobs) matrix built with the same float operations in
the same order (so each worker's row is the vector the live path computes and `top_rows`
picks the same pool) and every pooled pair is scored in one scorer call. The fits are not
read here: a job's fit scale costs a job's whole shortlist, so the job partitions, which
build it anyway, read the percentiles of the workers who matched their jobs. The batch
tests hold the result equal to the live path.
"""

from __future__ import annotations

import numpy as np
from sqlite_utils import Database

from matcher import clock
from matcher.config import Settings
from matcher.features.pair_features import JobSide, job_side, pair_features_for_pairs
from matcher.features.population import EPOCH, JobProfile, WorkerTable
from matcher.ranking.caches import BoundedCache
from matcher.ranking.explanations import explain_jobs
from matcher.ranking.index import OpenJobs, WorkerIndex, open_jobs, worker_index

# retrieve_jobs' profile score, reused so that the batch computes it exactly as live does.
from matcher.ranking.retrieval import JOB_POOL_SIZE, RETRIEVAL_WEIGHTS, _profile_score, top_rows
from matcher.ranking.scorers import load_serving_scorer, outlooks_at
from matcher.ranking.shortlists import JobMatch

RETRIEVAL_CHUNK = 32  # workers per retrieval matrix: 32 x 10,000 jobs is 2.5 MB of float64


def retrieval_matrix(openings: OpenJobs, index: WorkerIndex, rows: np.ndarray) -> np.ndarray:
    """(workers, jobs) retrieval scores of `retrieve_jobs` for the workers at `rows`."""
    held = (index.table.skills[rows] > 0).astype(np.float32).T.toarray()  # (skills, workers)
    has_required = (openings.required_total > 0)[:, None]
    total = np.where(has_required, openings.required_total[:, None], 1)
    required = np.where(has_required, (openings.required @ held) / total, 1).T
    nice = np.asarray(openings.nice_to_have @ held).T
    terms, worker = openings.terms, index.profile
    profile = _profile_score(
        worker.city_preference[rows][:, openings.city_column],
        terms["remote_weight"],
        worker.open_to_remote[rows][:, None],
        terms["min_years"],
        worker.years[rows][:, None],
        terms["salary_max"],
        worker.salary_expectation[rows][:, None],
        terms["french_required"],
        worker.french_level[rows][:, None],
        worker.available_from[rows][:, None],
    )
    weights = RETRIEVAL_WEIGHTS
    return np.ascontiguousarray(
        weights["required"] * required + weights["nice_to_have"] * nice + profile
    )


_open_jobs_sides = BoundedCache(1)


def open_jobs_side(openings: OpenJobs, table: WorkerTable) -> JobSide:
    """The open jobs' `JobSide`, built once per open jobs and worker table, not once per
    partition (a quarter of a second for 10,000 jobs). The entry holds both, so their ids
    cannot be reused while it is kept."""
    key = (id(openings), id(table))
    kept = _open_jobs_sides.get(
        key, lambda: (openings, table, job_side(list(openings.jobs), table))
    )
    return kept[2]


def matches_for_workers(
    db: Database, worker_ids: list[int], settings: Settings, limit: int
) -> list[list[tuple[JobMatch, int]]]:
    """Each worker's best `limit` open jobs, as `matches_for_worker` ranks them, with each
    job's id; the fits are left to the job partitions, which build each job's scale anyway."""
    scorer = load_serving_scorer(db, settings)
    index = worker_index(db)
    openings = open_jobs(db, index)
    jobs = openings.jobs
    rows = np.array([index.row_of(worker_id) for worker_id in worker_ids], dtype=np.int64)
    if not jobs or not len(rows):
        return [[] for _ in worker_ids]
    everyone, pool_size = np.ones(len(jobs), dtype=bool), max(JOB_POOL_SIZE, limit)
    pools = []
    for start in range(0, len(rows), RETRIEVAL_CHUNK):  # a few MB at a time: stays in cache
        scores = retrieval_matrix(openings, index, rows[start : start + RETRIEVAL_CHUNK])
        pools += [top_rows(worker_scores, everyone, pool_size) for worker_scores in scores]
    pair_jobs = np.concatenate(pools)
    pair_rows = np.repeat(rows, [len(pool) for pool in pools])
    today = float((clock.today() - EPOCH).days)
    features = pair_features_for_pairs(
        list(jobs),
        pair_jobs,
        index.table,
        pair_rows,
        np.full(len(pair_rows), today, np.float32),
        side=open_jobs_side(openings, index.table),
    )
    scores, outlook_arrays = scorer.score_and_outlook_arrays(features)
    model_scores = np.asarray(scores, dtype=np.float64).tolist()
    chosen, picked, start = [], [], 0
    for pool in pools:
        pooled = range(start, start + len(pool))
        start += len(pool)
        best = sorted(pooled, key=lambda p: (-model_scores[p], jobs[pair_jobs[p]].id))[:limit]
        chosen.append([(int(pair_jobs[p]), model_scores[p]) for p in best])
        picked.extend(best)
    outlooks = outlooks_at(outlook_arrays, picked) if picked else None
    return _as_matches(index, jobs, rows, chosen, outlooks)


def _as_matches(
    index: WorkerIndex,
    jobs: tuple[JobProfile, ...],
    rows: np.ndarray,
    chosen: list[list[tuple[int, float]]],
    outlooks: list[dict[str, float]] | None,
) -> list[list[tuple[JobMatch, int]]]:
    """The chosen (job position, score) pairs as (JobMatch, job id), without their fits;
    `outlooks` (the serving model's, if it has one) in the same order as the chosen pairs."""
    starts = np.cumsum([0] + [len(picks) for picks in chosen]).tolist()
    return [
        _worker_matches(
            index, jobs, int(row), picks, outlooks[starts[i] : starts[i + 1]] if outlooks else None
        )
        for i, (row, picks) in enumerate(zip(rows, chosen, strict=True))
    ]


def _worker_matches(
    index: WorkerIndex,
    jobs: tuple[JobProfile, ...],
    row: int,
    picks: list[tuple[int, float]],
    outlooks: list[dict[str, float]] | None,
) -> list[tuple[JobMatch, int]]:
    """One worker's (JobMatch, job id) pairs, with `outlooks` (one per pick, if any)."""
    explanations = explain_jobs([jobs[job] for job, _ in picks], index, row)
    return [
        (
            JobMatch(
                job=jobs[job].external_id,
                rank=slot + 1,
                score=score,
                explanation=explanation,
                title=jobs[job].title,
                employer=jobs[job].employer,
                outlook=outlooks[slot] if outlooks else None,
            ),
            jobs[job].id,
        )
        for slot, ((job, score), explanation) in enumerate(zip(picks, explanations, strict=True))
    ]
