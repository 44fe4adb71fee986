"""Choosing each due worker's digest: their best open jobs of at least the configured fit
band (`Settings.digest_min_band`) that no earlier digest announced and that they did not
mark as not relevant or "Not for me".

The same two stages as a worker's matches page (`matcher.ranking.matches_for_worker`), done
for every due worker at once: the cheap retrieval score, computed for blocks of workers
against every open job, keeps a pool of candidate jobs per worker (top-k in numpy); then
the serving scorer re-scores the pools, one job at a time against the workers whose pool
holds it. A run costs one vectorised pass over the open jobs, not one ranking query per worker.
Each pair's fit is read from its job's fit scale, as the job's employer sees it; a job whose
pooled pairs cannot reach the band whatever their percentile needs no scale.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
from sqlite_utils import Database

from matcher.config import Settings
from matcher.features.pair_features import EXPERIENCE_SHORTFALL_FOR_ZERO
from matcher.features.population import JobProfile
from matcher.fit import BANDS, Fit, FitBand, band_named
from matcher.hiring.interest import not_for_me_pairs
from matcher.notifications import outbox
from matcher.notifications.consent import CONSENTING_WORKERS_SQL
from matcher.notifications.digest import DEFAULT_JOBS_PER_DIGEST, Digest, DigestJob
from matcher.ranking.explanations import explain
from matcher.ranking.fit_scale import band_indexes, required_shares, workable
from matcher.ranking.index import OpenJobs, WorkerIndex, open_jobs, worker_index
from matcher.ranking.retrieval import RETRIEVAL_WEIGHTS
from matcher.ranking.scorers import load_serving_scorer
from matcher.ranking.shortlists import fit_scale

# Candidate jobs per worker that the serving scorer re-ranks (the matches page uses more,
# for one worker; a digest lists only a handful).
DIGEST_POOL_SIZE = 20
# Stage one scores a block of workers against every open job at once; a block's (workers,
# jobs) float32 arrays are kept near this size so that they stay in the CPU's L2 cache:
# measured at 100k x 10k, 1.3 MB blocks ran 4x faster than 40 MB ones.
BLOCK_BYTES = 1_300_000


def workers_per_block(job_count: int) -> int:
    """How many workers stage one scores at once against `job_count` jobs."""
    return max(8, BLOCK_BYTES // (4 * max(job_count, 1)))


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
    """Job ids per worker that must not appear again: already announced, not relevant, or
    currently "Not for me"."""
    excluded: dict[int, set[int]] = defaultdict(set)
    for worker_id, job_id in db.execute(
        "SELECT worker_id, job_id FROM digest_sent_jobs"
        " UNION SELECT worker_id, job_id FROM match_feedback"
    ):
        excluded[worker_id].add(job_id)
    for worker_id, job_id in not_for_me_pairs(db):
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

    def set_block(self, start: int, scores: np.ndarray) -> None:
        """The k best of a (rows, all jobs) score block, for the rows from `start` on."""
        keep = np.argpartition(-scores, self.k - 1, axis=1)[:, : self.k]
        end = start + len(scores)
        self.scores[start:end] = np.take_along_axis(scores, keep, axis=1)
        self.jobs[start:end] = keep

    def best(self, row: int) -> list[tuple[int, float]]:
        """(job index, score) of row `row`, best first, without empty slots."""
        order = np.argsort(-self.scores[row], kind="stable")
        return [
            (int(self.jobs[row, i]), float(self.scores[row, i]))
            for i in order
            if np.isfinite(self.scores[row, i])
        ]


@dataclass(frozen=True)
class _JobColumns:
    """The open jobs' side of the retrieval score, laid out for (workers, jobs) blocks."""

    skill_weights: np.ndarray  # (skills, jobs): required and nice-to-have weights combined
    constant: np.ndarray  # (jobs,): the full required weight of jobs that require no skill
    city_column: np.ndarray
    remote_weight: np.ndarray
    min_years: np.ndarray
    salary_max: np.ndarray
    french_columns: np.ndarray  # jobs with a French requirement
    french_required: np.ndarray  # their requirement

    @classmethod
    def of(cls, openings: OpenJobs) -> _JobColumns:
        weights, terms = RETRIEVAL_WEIGHTS, openings.terms
        has_required = openings.required_total > 0
        total = np.where(has_required, openings.required_total, 1.0)
        required = openings.required.T.toarray() / total
        nice = openings.nice_to_have.T.toarray()
        french = np.flatnonzero(terms["french_required"] > 0)
        return cls(
            skill_weights=np.ascontiguousarray(
                weights["required"] * required + weights["nice_to_have"] * nice, dtype=np.float32
            ),
            constant=np.where(has_required, 0.0, weights["required"]).astype(np.float32),
            city_column=openings.city_column,
            remote_weight=terms["remote_weight"].astype(np.float32),
            min_years=terms["min_years"].astype(np.float32),
            salary_max=terms["salary_max"].astype(np.float32),
            french_columns=french,
            french_required=terms["french_required"][french].astype(np.float32),
        )


def block_scores(index: WorkerIndex, block: np.ndarray, jobs: _JobColumns) -> np.ndarray:
    """(block, jobs) retrieval scores of `retrieve_jobs`, less a constant per worker.

    Terms that do not depend on the job (availability, and the constant parts of the
    experience and French terms) are left out: they cannot change which jobs a worker's
    pool holds. Each term is computed in place on one scratch array, for speed.
    """
    weights, worker = RETRIEVAL_WEIGHTS, index.profile
    held = (index.table.skills[block] > 0).toarray().astype(np.float32)
    scores = np.ascontiguousarray(held @ jobs.skill_weights)
    scores += jobs.constant
    scratch = worker.city_preference[block][:, jobs.city_column]
    remote = worker.open_to_remote[block][:, None] * jobs.remote_weight
    np.maximum(scratch, remote, out=scratch)
    scores += weights["place"] * scratch
    np.subtract(jobs.min_years, worker.years[block][:, None], out=scratch)
    np.clip(scratch, 0.0, EXPERIENCE_SHORTFALL_FOR_ZERO, out=scratch)
    scores -= (weights["experience"] / EXPERIENCE_SHORTFALL_FOR_ZERO) * scratch
    np.divide(jobs.salary_max, worker.salary_expectation[block][:, None], out=scratch)
    np.minimum(scratch, 1.0, out=scratch)
    scores += weights["salary"] * scratch
    if len(jobs.french_columns):
        level = worker.french_level[block][:, None]
        met = np.minimum(level, jobs.french_required) / np.maximum(jobs.french_required, 1.0)
        scores[:, jobs.french_columns] += weights["french"] * (met - 1.0)
    return scores


def candidate_pools(
    index: WorkerIndex,
    openings: OpenJobs,
    rows: np.ndarray,
    excluded: dict[int, set[int]],
    pool_size: int,
) -> TopJobs:
    """Stage one: each row's `pool_size` best jobs by retrieval score, exclusions left out.

    The ranking of `retrieve_jobs`, for a block of workers against every open job at once.
    """
    jobs = _JobColumns.of(openings)
    job_position = {job.id: position for position, job in enumerate(openings.jobs)}
    pools = TopJobs(len(rows), min(pool_size, len(openings.jobs)))
    step = workers_per_block(len(openings.jobs))
    for start in range(0, len(rows), step):
        block = rows[start : start + step]
        scores = block_scores(index, block, jobs)
        _exclude(scores, index.table.worker_ids[block], excluded, job_position)
        pools.set_block(start, scores)
    return pools


def _exclude(
    scores: np.ndarray,
    worker_ids: np.ndarray,
    excluded: dict[int, set[int]],
    job_position: dict[int, int],
) -> None:
    for offset, worker_id in enumerate(worker_ids.tolist()):
        for job_id in excluded.get(worker_id, ()):
            position = job_position.get(job_id)
            if position is not None:
                scores[offset, position] = -np.inf


def rescore_pools(
    scorer, index: WorkerIndex, jobs: tuple[JobProfile, ...], rows: np.ndarray, pools: TopJobs
) -> np.ndarray:
    """Stage two: the serving scorer's score of every pooled (row, job), -inf in empty slots."""
    model_scores = np.full(pools.jobs.shape, -np.inf, dtype=np.float32)
    for job_position, (positions, slots) in _pairs_by_job(pools):
        job = jobs[job_position]
        model_scores[positions, slots] = scorer.score(job, index.table, rows[positions])
    return model_scores


def _pairs_by_job(pools: TopJobs) -> Iterable[tuple[int, tuple[np.ndarray, np.ndarray]]]:
    """(job index, (row positions, slots)) of the filled pool slots, one job at a time."""
    positions, slots = np.nonzero(np.isfinite(pools.scores))
    job_of_pair = pools.jobs[positions, slots]
    order = np.argsort(job_of_pair, kind="stable")
    boundaries = np.flatnonzero(np.diff(job_of_pair[order])) + 1
    for group in np.split(order, boundaries):
        if len(group):
            yield int(job_of_pair[group[0]]), (positions[group], slots[group])


@dataclass(frozen=True)
class PooledFits:
    """Each pooled pair's fit percentile and band position in BANDS (-1: no scale needed)."""

    percentiles: np.ndarray
    bands: np.ndarray

    def fit(self, position: int, slot: int) -> Fit:
        return Fit(BANDS[int(self.bands[position, slot])], int(self.percentiles[position, slot]))


def pooled_fits(
    db: Database,
    settings: Settings,
    index: WorkerIndex,
    jobs: tuple[JobProfile, ...],
    rows: np.ndarray,
    pools: TopJobs,
    min_band: FitBand,
) -> PooledFits:
    """The fit of every pooled pair that could reach `min_band`, on its job's fit scale."""
    percentiles = np.zeros(pools.jobs.shape, dtype=np.int16)
    bands = np.full(pools.jobs.shape, len(BANDS) - 1, dtype=np.int8)
    for job_position, (positions, slots) in _pairs_by_job(pools):
        job, pair_rows = jobs[job_position], rows[positions]
        shares, able = required_shares(job, index, pair_rows), workable(job, index, pair_rows)
        best_possible = band_indexes(np.full(len(pair_rows), 100), shares, able)
        if (best_possible > BANDS.index(min_band)).all():
            continue  # no percentile could lift these pairs to the band: skip the job's scale
        scale = fit_scale(db, job, settings)
        pair_percentiles = scale.percentiles(pair_rows)
        percentiles[positions, slots] = pair_percentiles
        bands[positions, slots] = band_indexes(pair_percentiles, shares, able)
    return PooledFits(percentiles, bands)


def choose_digests(
    db: Database,
    settings: Settings,
    now: dt.datetime,
    *,
    jobs_per_digest: int = DEFAULT_JOBS_PER_DIGEST,
    min_band: str | None = None,
    pool_size: int = DIGEST_POOL_SIZE,
) -> list[Digest]:
    """The digest of every due worker with at least one new job of `min_band` or better.

    `min_band` defaults to `settings.digest_min_band`.
    """
    band = band_named(min_band or settings.digest_min_band)
    recipients = due_recipients(db, now)
    if not recipients:
        return []
    index = worker_index(db)
    placed = [(r, index.row_of(r.worker_id)) for r in recipients]
    placed = [(r, row) for r, row in placed if row is not None]
    rows = np.array([row for _, row in placed], dtype=np.int64)
    openings = open_jobs(db, index)
    jobs = openings.jobs
    if not jobs or not len(rows):
        return []
    pool_size = max(pool_size, jobs_per_digest)
    pools = candidate_pools(index, openings, rows, excluded_pairs(db), pool_size)
    scorer = load_serving_scorer(db, settings)
    model_scores = rescore_pools(scorer, index, jobs, rows, pools)
    fits = pooled_fits(db, settings, index, jobs, rows, pools, band)
    model_scores[fits.bands > BANDS.index(band)] = -np.inf
    slots = np.broadcast_to(np.arange(pools.jobs.shape[1]), pools.jobs.shape)
    chosen = TopJobs(len(rows), min(jobs_per_digest, pools.jobs.shape[1]))
    chosen.merge(model_scores, slots)
    return list(_digests(placed, chosen, pools, fits, jobs, index))


def _digests(
    placed: list[tuple[Recipient, int]],
    chosen: TopJobs,
    pools: TopJobs,
    fits: PooledFits,
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
            tuple(
                _digest_job(
                    jobs[int(pools.jobs[position, slot])],
                    score,
                    index,
                    row,
                    fits.fit(position, slot),
                )
                for slot, score in best
            ),
        )


def _digest_job(job: JobProfile, score: float, index: WorkerIndex, row: int, fit: Fit) -> DigestJob:
    return DigestJob(
        job_id=job.id,
        external_id=job.external_id,
        title=job.title,
        employer=job.employer,
        city=job.city,
        remote=job.remote,
        score=score,
        explanation=explain(job, index, row),
        fit=fit,
        salary_min_cad=job.salary_min_cad,
        salary_max_cad=job.salary_max_cad,
    )
