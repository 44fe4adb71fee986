"""Shortlists (ranked workers for a job) and matches (ranked jobs for a worker), with reasons.

Both run in two stages: retrieval (`matcher.ranking.retrieval`) narrows the population to
a pool of a few thousand candidates with a cheap vectorised score, then the serving scorer
(the registry's champion, or the cold-start scorer) re-ranks that pool. The results carry
their explanation and serialise to PRODUCT.md's JSON shapes with `.to_json()`.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from dataclasses import dataclass, field

import numpy as np
from sqlite_utils import Database

from matcher import clock
from matcher.accounts import User
from matcher.config import Settings
from matcher.errors import NotFound
from matcher.features.pair_features import pair_features, pair_features_for_pairs
from matcher.features.population import EPOCH, JobProfile, WorkerTable, load_job
from matcher.fit import BANDS, Fit
from matcher.hiring.interest import INTEREST_ORDER, interest_for_job, not_for_me_jobs
from matcher.hiring.stages import outcomes_version, stages_by_worker_id
from matcher.ranking.caches import BoundedCache, change_version, database_key
from matcher.ranking.explanations import explain, explain_jobs, explain_rows
from matcher.ranking.filters import CandidateFilters, FilterError, eligible_mask
from matcher.ranking.fit_scale import FitScale, fits_for
from matcher.ranking.index import WorkerIndex, open_jobs, worker_index
from matcher.ranking.retrieval import (
    JOB_POOL_SIZE,
    RERANK_POOL_SIZE,
    clear_recent_scores,
    retrieval_scores,
    retrieve_candidates,
    retrieve_jobs,
    term_weights_for,
)
from matcher.ranking.scorers import (
    Scorer,
    load_serving_scorer,
)

SCORE_DECIMALS = 4
# Rows scored per scorer call when scoring exhaustively, to bound the feature matrix's memory.
SCORING_CHUNK = 50_000
# Re-ranked pools kept in memory (one per job, filters and sort viewed; ~40 kB each).
RANKED_POOL_CACHE_SIZE = 256

__all__ = [
    "CandidateFilters",
    "Candidate",
    "FilterError",
    "JobMatch",
    "Matches",
    "NotFound",
    "RankedPool",
    "Shortlist",
    "candidate_fit",
    "candidate_outlook",
    "clear_shortlist_cache",
    "fit_scale",
    "matches_for_worker",
    "owned_job",
    "score_candidate",
    "shortlist_for_job",
]


@dataclass(frozen=True)
class Candidate:
    """One worker on a job's shortlist."""

    worker: str
    rank: int
    score: float
    explanation: dict
    fit: Fit | None = None
    # With a learned model: the calibrated chance of reaching each stage (PRODUCT.md).
    outlook: dict[str, float] | None = None

    def to_json(self) -> dict:
        document = {
            "worker": self.worker,
            "rank": self.rank,
            "score": round(self.score, SCORE_DECIMALS),
            "explanation": self.explanation,
        }
        if self.fit is not None:
            document["fit"] = self.fit.to_json()
        if self.outlook is not None:
            document["outlook"] = self.outlook
        return document


@dataclass(frozen=True)
class Shortlist:
    """A page of a job's ranked candidates; `total` counts every worker passing the filters."""

    job: str
    model_version: str
    candidates: list[Candidate]
    total: int
    job_profile: JobProfile | None = field(default=None, repr=False, compare=False)
    source: str | None = None  # "batch" or "live" when served (matcher.batch.serving)

    def to_json(self) -> dict:
        document = {
            "job": self.job,
            "model_version": self.model_version,
            "candidates": [candidate.to_json() for candidate in self.candidates],
            "total": self.total,
        }
        return _with_source(document, self.source)


@dataclass(frozen=True)
class JobMatch:
    """One open job matched to a worker."""

    job: str
    rank: int
    score: float
    explanation: dict
    title: str = ""
    employer: str = ""
    fit: Fit | None = None
    outlook: dict[str, float] | None = None

    def to_json(self) -> dict:
        document = {
            "job": self.job,
            "rank": self.rank,
            "score": round(self.score, SCORE_DECIMALS),
            "explanation": self.explanation,
            "title": self.title,
            "employer": self.employer,
        }
        if self.fit is not None:
            document["fit"] = self.fit.to_json()
        if self.outlook is not None:
            document["outlook"] = self.outlook
        return document


@dataclass(frozen=True)
class Matches:
    """A worker's best open jobs."""

    worker: str
    model_version: str
    jobs: list[JobMatch]
    source: str | None = None  # "batch" or "live" when served (matcher.batch.serving)

    def to_json(self) -> dict:
        document = {
            "worker": self.worker,
            "model_version": self.model_version,
            "jobs": [match.to_json() for match in self.jobs],
        }
        return _with_source(document, self.source)


def _with_source(document: dict, source: str | None) -> dict:
    """The document with PRODUCT.md's optional "source" field, when it is known."""
    return document if source is None else {**document, "source": source}


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
        # Most years first; years not stated come after every stated number.
        keys = (*tie_breaks, np.nan_to_num(-table.years_experience[rows], nan=np.inf))
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


@dataclass(frozen=True)
class RankedPool:
    """A job's re-ranked candidate pool in display order; every page of a shortlist slices it.

    Built once per (job, filters, data versions, model version) and then shared between
    threads and requests, so it is never mutated except to remember explanations, fits
    and, for the default filters' pool, the job's fit scale.
    """

    job: JobProfile
    index: WorkerIndex
    rows: np.ndarray  # worker table rows, best first in the filters' sort order
    scores: np.ndarray  # the serving scorer's score of each of `rows`
    total: int  # workers passing the filters, pooled or not
    model_version: str
    weights: np.ndarray | None = field(default=None, repr=False, compare=False)
    scorer: Scorer | None = field(default=None, repr=False, compare=False)
    # The outlook of each of `rows`, when scored with them (None: the scorer has none).
    outlooks: list[dict[str, float]] | None = field(default=None, repr=False, compare=False)
    outlooks_scored: bool = field(default=False, repr=False, compare=False)
    _explanations: dict[int, dict] = field(default_factory=dict, repr=False, compare=False)
    _scale: list[FitScale] = field(default_factory=list, repr=False, compare=False)
    _fits: dict[int, Fit] = field(default_factory=dict, repr=False, compare=False)

    def candidates(self, offset: int, limit: int, scale: FitScale | None = None) -> list[Candidate]:
        """Candidates `offset..offset+limit` with their ranks, explanations and fits."""
        rows = self.rows[offset : offset + limit].tolist()
        self._explain(rows)
        fits = self._fits_of(rows, scale) if scale else {}
        outlooks = self._outlooks_of(rows, offset)
        return [
            Candidate(
                worker=str(self.index.table.external_ids[row]),
                rank=position + 1,
                score=float(self.scores[position]),
                explanation=self.explanation(row),
                fit=fits.get(row),
                outlook=outlooks[i] if outlooks else None,
            )
            for i, (position, row) in enumerate(enumerate(rows, offset))
        ]

    def _outlooks_of(self, rows: list[int], offset: int) -> list[dict[str, float]] | None:
        """The serving model's outlook of `rows`, the pool's from `offset` on (None: the
        scorer has none)."""
        if self.outlooks_scored:
            return None if self.outlooks is None else self.outlooks[offset : offset + len(rows)]
        if self.scorer is None or not rows:
            return None
        features = pair_features(self.job, self.index.table, np.array(rows, dtype=np.int64))
        return self.scorer.outlook(features)

    def _fits_of(self, rows: list[int], scale: FitScale) -> dict[int, Fit]:
        """The fit of each of `rows`, remembered: the scale has this pool's data versions."""
        missing = [row for row in rows if row not in self._fits]
        if missing:
            percentiles = scale.percentiles(np.array(missing, dtype=np.int64)).tolist()
            for row, percentile in zip(missing, percentiles, strict=True):
                self._fits[row] = Fit.of(percentile, self.explanation(row))
        return {row: self._fits[row] for row in rows}

    def _explain(self, rows: list[int]) -> None:
        """Build the explanations of those of `rows` not built yet, all at once."""
        missing = [row for row in rows if row not in self._explanations]
        if missing:
            weighs = getattr(self.scorer, "weighs_interest", False)
            found = explain_rows(self.job, self.index, missing, interest=weighs)
            self._explanations.update(zip(missing, found, strict=True))

    def explanation(self, row: int) -> dict:
        """The explanation of the worker at `row`, remembered once built."""
        self._explain([row])
        return self._explanations[row]

    def fit_scale(self) -> FitScale:
        """The job's fit scale, when this is its pool by score under the default filters."""
        if not self._scale:
            index, job, weights = self.index, self.job, self.weights
            self._scale.append(
                FitScale(
                    self.total,
                    self.rows,
                    self.scores,
                    lambda: retrieval_scores(index, job, weights),
                )
            )
        return self._scale[0]


_ranked_pools = BoundedCache(RANKED_POOL_CACHE_SIZE)


def clear_shortlist_cache() -> None:
    """Forget every cached ranked pool (benchmarks measuring cold requests, tests)."""
    _ranked_pools.clear()
    clear_recent_scores()


def shortlist_for_job(
    db: Database,
    job_external_id: str,
    *,
    limit: int = 50,
    offset: int = 0,
    filters: CandidateFilters | None = None,
    settings: Settings,
    pool_size: int | None = RERANK_POOL_SIZE,
    job: JobProfile | None = None,
) -> Shortlist:
    """The ranked candidates `offset..offset+limit` for a job, each with its explanation and fit.

    Retrieval keeps the best `pool_size` eligible workers (at least `offset + limit`) for the
    model to re-rank; `pool_size=None` scores every eligible worker (the exhaustive baseline).
    With a `sort` other than "score", that re-ranked pool is shown in the sort's order:
    most experience first, earliest start first, or lowest salary expectation first.
    The re-ranked pool is cached, keyed by everything it depends on (the workers' and jobs'
    change counters, the serving model's version, the day), so paging and repeated views
    slice it and any change shows at the next request. Each candidate's fit is read from
    the job's fit scale (its pool under the default filters), whatever the filters.
    `job`, when the caller already loaded it, saves loading it again.
    Raises NotFound for an unknown job and FilterError for a bad limit, offset or filter.
    """
    _check_page(limit, offset)
    filters = filters or CandidateFilters()
    size = None if pool_size is None else max(pool_size, offset + limit)
    ranked = ranked_pool(db, job_external_id, filters, settings, size, job=job)
    scale = fit_scale(db, ranked.job, settings, ranked if _is_scale_pool(filters, size) else None)
    if filters.sort == "reciprocal":
        ranked = reciprocal_order(db, ranked, scale)
    return Shortlist(
        ranked.job.external_id,
        ranked.model_version,
        ranked.candidates(offset, limit, scale),
        ranked.total,
        ranked.job,
    )


def reciprocal_order(db: Database, pool: RankedPool, scale: FitScale) -> RankedPool:
    """The pool in reciprocal order: employer fit x worker interest.

    Fit bands keep their order (strong before good); within a band, workers who said
    "I'm interested" come first, then those who did not answer, then "Not for me"; then by
    score. Interest is read fresh (it is not part of the cached pool's key).
    """
    if len(pool.rows) == 0:
        return pool
    fits = fits_for(pool.job, pool.index, scale, pool.rows)
    bands = np.array([BANDS.index(fit.band) for fit in fits])
    choices = interest_for_job(db, pool.job.id)
    worker_ids = pool.index.table.worker_ids[pool.rows].tolist()
    interest = np.array([INTEREST_ORDER[choices.get(worker_id)] for worker_id in worker_ids])
    order = np.lexsort((pool.rows, -pool.scores, interest, bands))
    outlooks = None if pool.outlooks is None else [pool.outlooks[i] for i in order.tolist()]
    return dataclasses.replace(
        pool,
        rows=pool.rows[order],
        scores=pool.scores[order],
        outlooks=outlooks,
        _scale=[],
        _fits={},
    )


def _is_scale_pool(filters: CandidateFilters, pool_size: int | None) -> bool:
    return filters == CandidateFilters() and pool_size == RERANK_POOL_SIZE


def fit_scale(
    db: Database, job: JobProfile, settings: Settings, pool: RankedPool | None = None
) -> FitScale:
    """The job's fit scale, from its cached pool under the default filters.

    `pool`, when it is that pool already, is used as it is.
    """
    if pool is None:
        pool = ranked_pool(
            db, job.external_id, CandidateFilters(), settings, RERANK_POOL_SIZE, job=job
        )
    return pool.fit_scale()


def owned_job(db: Database, employer_id: int, job_external_id: str) -> JobProfile:
    """The employer's job, loaded once; NotFound for anyone else's (404, not 403) or none."""
    job = load_job(db, job_external_id)
    if job is None or job.employer_id != employer_id:
        raise NotFound("job", job_external_id)
    return job


def score_candidate(
    db: Database, job: JobProfile | str, worker_id: int, *, settings: Settings
) -> tuple[float, dict, str]:
    """One worker's score and explanation for a job, and the serving model's version.

    For a candidate's own page, which may show a worker outside any cached pool; `job` is
    the loaded job or its external id. Raises NotFound for an unknown job or a worker not
    in the (active) worker table.
    """
    job, index, row = _job_and_row(db, job, worker_id)
    scorer = load_serving_scorer(db, settings)
    score = float(score_rows(scorer, job, index.table, np.array([row], dtype=np.int64))[0])
    explanation = explain(job, index, row, interest=getattr(scorer, "weighs_interest", False))
    return score, explanation, scorer.version


def candidate_fit(
    db: Database, job: JobProfile | str, worker_id: int, *, settings: Settings
) -> Fit:
    """One worker's fit for a job, as the shortlist and the worker's matches show it."""
    job, index, row = _job_and_row(db, job, worker_id)
    scale = fit_scale(db, job, settings)
    return fits_for(job, index, scale, np.array([row], dtype=np.int64))[0]


def candidate_outlook(
    db: Database, job: JobProfile | str, worker_id: int, *, settings: Settings
) -> dict[str, float] | None:
    """One worker's outlook for a job from the serving model (None: it has no outlook)."""
    job, index, row = _job_and_row(db, job, worker_id)
    scorer = load_serving_scorer(db, settings)
    found = scorer.outlook(pair_features(job, index.table, np.array([row], dtype=np.int64)))
    return found[0] if found else None


def _job_and_row(
    db: Database, job: JobProfile | str, worker_id: int
) -> tuple[JobProfile, WorkerIndex, int]:
    if isinstance(job, str):
        external_id, job = job, load_job(db, job)
        if job is None:
            raise NotFound("job", external_id)
    index = worker_index(db)
    row = index.row_of(worker_id)
    if row is None:
        raise NotFound("worker", str(worker_id))
    return job, index, row


def ranked_pool(
    db: Database,
    job_external_id: str,
    filters: CandidateFilters,
    settings: Settings,
    pool_size: int | None,
    *,
    job: JobProfile | None = None,
) -> RankedPool:
    """The job's re-ranked pool, from the cache when nothing it depends on has changed."""
    scorer = load_serving_scorer(db, settings)
    index = worker_index(db)
    database = database_key(db)
    if pool_size is None or database.startswith("memory:"):
        # Exhaustive baselines are too big to keep; in-memory databases' ids get reused.
        return build_ranked_pool(db, job_external_id, filters, scorer, index, pool_size, job)
    versions = (
        index.version,
        index.table.interest.version,  # the learned scorer reads workers' interest answers
        change_version(db, "jobs"),
        scorer.version,
        clock.today(),  # availability counts days from today
    )
    stage_version = _stage_version(db, job_external_id, filters, job)

    def build() -> RankedPool:
        # Pools of other versions are most likely never asked for again, and each holds on
        # to the worker table it was built from, so they go when a current one is built.
        _ranked_pools.discard(lambda key: key[0] == database and key[-len(versions) :] != versions)
        return build_ranked_pool(db, job_external_id, filters, scorer, index, pool_size, job)

    key = (database, job_external_id, filters, pool_size, stage_version, *versions)
    return _ranked_pools.get(key, build)


def _stage_version(
    db: Database, job_external_id: str, filters: CandidateFilters, job: JobProfile | None
) -> tuple[int, int] | None:
    """The job's outcome events' version when the filters read stages (a new decision moves
    a candidate in or out), else None."""
    if not filters.reads_stages:
        return None
    job = job or load_job(db, job_external_id)
    return None if job is None else outcomes_version(db, job.id)


def build_ranked_pool(
    db: Database,
    job_external_id: str,
    filters: CandidateFilters,
    scorer: Scorer,
    index: WorkerIndex,
    pool_size: int | None,
    job: JobProfile | None = None,
) -> RankedPool:
    """Retrieve the job's pool, score it with `scorer` and put it in the filters' order."""
    job = job or load_job(db, job_external_id)
    if job is None:
        raise NotFound("job", job_external_id)
    stages = stages_by_worker_id(db, job.id) if filters.reads_stages else None
    mask = eligible_mask(index, job, filters, stages)
    if pool_size is None:  # exhaustive: every eligible worker, scored in chunks
        pool = np.flatnonzero(mask)
        scores = score_rows(scorer, job, index.table, pool)
        order = _order(pool, scores, filters.sort, index.table)
        return RankedPool(
            job, index, pool[order], scores[order], int(mask.sum()), scorer.version, None, scorer
        )
    weights = term_weights_for(db, index, scorer)
    pool = retrieve_candidates(index, job, mask, pool_size, weights)
    # The outlooks come from the same pass over the model as the scores.
    scores, outlooks = scorer.score_and_outlook(pair_features(job, index.table, pool))
    order = _order(pool, scores, filters.sort, index.table)
    return RankedPool(
        job,
        index,
        pool[order],
        scores[order],
        int(mask.sum()),
        scorer.version,
        weights,
        scorer,
        outlooks=None if outlooks is None else [outlooks[i] for i in order.tolist()],
        outlooks_scored=True,
    )


def score_jobs_for_worker(
    scorer: Scorer, jobs: list[JobProfile], table: WorkerTable, row: int
) -> np.ndarray:
    """The scorer's score of the worker at `row` for each job, in one batched call.

    The scorers' `score` takes one job against many workers; for one worker against many
    jobs, the pairs' features are built at once and given to the scorer's `score_features`.
    """
    if not jobs:
        return np.zeros(0, dtype=np.float64)
    return np.asarray(scorer.score_features(_worker_features(jobs, table, row)), dtype=np.float64)


def _worker_features(jobs: list[JobProfile], table: WorkerTable, row: int) -> np.ndarray:
    """Pair features of the worker at `row` with each of `jobs`, as of today."""
    today = float((clock.today() - EPOCH).days)
    return pair_features_for_pairs(
        jobs,
        np.arange(len(jobs)),
        table,
        np.full(len(jobs), row, dtype=np.int64),
        np.full(len(jobs), today, dtype=np.float32),
    )


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
    settings: Settings,
    exclude_job_ids: Iterable[int | str] = (),
    pool_size: int = JOB_POOL_SIZE,
) -> Matches:
    """The worker's best `limit` open jobs with explanations, leaving out `exclude_job_ids`.

    `exclude_job_ids` takes internal job ids (int) or external ids (str), for instance the
    jobs a digest already sent; jobs the worker marked "Not for me" are always left out.
    Raises NotFound for an unknown or deleted worker.
    """
    _check_page(limit, 0)
    found = db.execute(
        "SELECT id FROM workers WHERE external_id = ? AND deleted_at IS NULL",
        [worker_external_id],
    ).fetchone()
    scorer = load_serving_scorer(db, settings)
    index = worker_index(db)
    row = None if found is None else index.row_of(found[0])
    if row is None:
        raise NotFound("worker", worker_external_id)
    jobs = open_jobs(db, index)
    # Jobs the worker said are "Not for me" never come back in their matches.
    exclude = _excluded_ids(db, list(exclude_job_ids)) | not_for_me_jobs(db, found[0])
    pool = retrieve_jobs(jobs, index, row, pool_size=max(pool_size, limit), exclude=exclude)
    scores = score_jobs_for_worker(scorer, pool, index.table, row).tolist()
    order = sorted(range(len(pool)), key=lambda i: (-scores[i], pool[i].id))[:limit]
    chosen = [pool[i] for i in order]
    explanations = dict(zip(order, explain_jobs(chosen, index, row), strict=True))
    outlooks = scorer.outlook(_worker_features(chosen, index.table, row)) if chosen else None
    return Matches(
        worker=worker_external_id,
        model_version=scorer.version,
        jobs=[
            JobMatch(
                job=pool[i].external_id,
                rank=number,
                score=scores[i],
                explanation=explanations[i],
                title=pool[i].title,
                employer=pool[i].employer,
                fit=Fit.of(fit_scale(db, pool[i], settings).percentile(row), explanations[i]),
                outlook=outlooks[number - 1] if outlooks else None,
            )
            for number, i in enumerate(order, start=1)
        ],
    )


def check_may_view_matches(db: Database, worker_external_id: str, viewer: User) -> None:
    """Raise NotFound unless `viewer` is that worker or an operator."""
    if viewer.role != "operator":
        found = db.execute(
            "SELECT id FROM workers WHERE external_id = ? AND deleted_at IS NULL",
            [worker_external_id],
        ).fetchone()
        if viewer.role != "worker" or found is None or found[0] != viewer.worker_id:
            raise NotFound("worker", worker_external_id)
