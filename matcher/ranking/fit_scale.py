"""A job's fit scale: where each worker ranks among the job's eligible candidates.

Built from the job's ranked pool (the default filters, the serving scorer): a pooled worker's
rank is its place in the pool; a worker outside the pool ranks below every pooled one, in
the order of the retrieval score that chose the pool. The employer's shortlist, the
candidate page, the worker's matches and the digest all read one scale per job, so a pair
shows the same percentile and band everywhere (`matcher.fit` holds the band rule).
"""

from __future__ import annotations

import threading
from collections.abc import Callable

import numpy as np

from matcher.constants import CITIES
from matcher.features.population import JobProfile, csr_rows
from matcher.fit import BANDS, Fit, FitBand, percentile_of
from matcher.ranking.index import WorkerIndex


class FitScale:
    """Percentiles of a job's workers: exact in the pool, by retrieval score below it."""

    def __init__(
        self,
        eligible: int,
        pool_rows: np.ndarray,
        pool_scores: np.ndarray,
        outside_scores: Callable[[], np.ndarray],
    ) -> None:
        """The pool's rows and scores, best first; `outside_scores()`: retrieval scores.

        Equal scores share a rank (one plus the number of better ones), so two identical
        candidates read the same percentile.
        """
        self.eligible = eligible
        descending = -np.asarray(pool_scores, dtype=np.float64)
        ranks = 1 + np.searchsorted(np.sort(descending), descending, side="left")
        order = np.argsort(pool_rows, kind="stable")
        self._pool_rows = pool_rows[order]
        self._pool_ranks = ranks[order].astype(np.int64)
        self._outside_scores = outside_scores
        self._outside: tuple[np.ndarray, np.ndarray] | None = None
        self._lock = threading.Lock()

    def rank_in_pool(self, row: int) -> int | None:
        """The row's rank among the eligible when it is pooled, else None."""
        position = int(np.searchsorted(self._pool_rows, row))
        if position < len(self._pool_rows) and self._pool_rows[position] == row:
            return int(self._pool_ranks[position])
        return None

    def percentile(self, row: int) -> int:
        """The worker's percentile among the job's eligible candidates."""
        return int(self.percentiles(np.array([row], dtype=np.int64))[0])

    def percentiles(self, rows: np.ndarray) -> np.ndarray:
        """`percentile` of each of `rows`, as an int array."""
        positions = np.searchsorted(self._pool_rows, rows)
        pooled = positions < len(self._pool_rows)
        pooled[pooled] = self._pool_rows[positions[pooled]] == rows[pooled]
        result = np.zeros(len(rows), dtype=np.int64)
        if pooled.any():
            ranks = self._pool_ranks[positions[pooled]]
            result[pooled] = [percentile_of(int(rank), self.eligible) for rank in ranks]
        if not pooled.all():
            scores, cuts = self._outside_cuts()
            result[~pooled] = np.searchsorted(cuts, scores[rows[~pooled]], side="right")
        return result

    def _outside_cuts(self) -> tuple[np.ndarray, np.ndarray]:
        """The retrieval scores and their percentile cuts below the pool; on first need."""
        with self._lock:
            if self._outside is None:
                scores = self._outside_scores()
                self._outside = (scores, self._cuts_below_pool(scores))
            return self._outside

    def _cuts_below_pool(self, scores: np.ndarray) -> np.ndarray:
        """The 100 cuts: an outside row's percentile is the number of cuts its score reaches.

        Its percentile is `percentile_of(pool size + 1 + outside rows scoring higher,
        eligible)`, which is at least p exactly when its score reaches one order statistic
        of the outside scores, so 100 cuts replace a search among every score.
        """
        n, pooled = self.eligible, len(self._pool_rows)
        if n <= 1:
            return np.full(100, -np.inf)  # a lone candidate is the best: 100
        outside = np.ones(len(scores), dtype=bool)
        outside[self._pool_rows] = False
        others = np.sort(scores[outside])
        if len(others) == 0:
            return np.full(100, np.inf)
        p = np.arange(1, 101)
        highest_rank = (100 * n - p * (n - 1)) // 100  # rank <= this: percentile >= p
        needed = len(others) - (highest_rank - pooled - 1)  # outside rows at or below it
        return np.where(
            needed <= 0,
            -np.inf,
            np.where(needed > len(others), np.inf, others[np.clip(needed - 1, 0, len(others) - 1)]),
        )


def required_shares(job: JobProfile, index: WorkerIndex, rows: np.ndarray) -> np.ndarray:
    """`matcher.fit.required_share` of each of `rows` for `job`, vectorised."""
    if not job.required_skills:
        return np.ones(len(rows))
    columns = [index.table.skill_index.get(skill) for skill in job.required_skills]
    known = [column for column in columns if column is not None]
    if not known:
        return np.zeros(len(rows))
    held = csr_rows(index.table.skills, rows)  # stored entries are held skills, never 0
    pair_of_entry = np.repeat(np.arange(len(rows)), np.diff(held.indptr))
    known_held = np.isin(held.indices, known)
    counts = np.bincount(pair_of_entry, weights=known_held, minlength=len(rows))
    return counts / len(job.required_skills)


def workable(job: JobProfile, index: WorkerIndex, rows: np.ndarray) -> np.ndarray:
    """Whether each of `rows` can work `job` as offered (`explanations.remote_compatible`)."""
    in_city = index.table.city_rank[rows, CITIES.index(job.city)] > 0
    if job.remote == "remote":
        return in_city | index.table.open_to_remote[rows].astype(bool)
    return in_city


def band_indexes(percentiles: np.ndarray, shares: np.ndarray, able: np.ndarray) -> np.ndarray:
    """The position in `matcher.fit.BANDS` of `band_for` for many pairs at once."""
    conditions = [
        (percentiles >= band.min_percentile)
        & (shares >= band.min_required_share)
        & (able | (not band.needs_workable))
        for band in BANDS
    ]
    return np.select(conditions, np.arange(len(BANDS)), default=len(BANDS) - 1)


def bands_for(percentiles: np.ndarray, shares: np.ndarray, able: np.ndarray) -> list[FitBand]:
    """`matcher.fit.band_for` of many pairs at once."""
    return [BANDS[int(i)] for i in band_indexes(percentiles, shares, able)]


def fits_for(job: JobProfile, index: WorkerIndex, scale: FitScale, rows: np.ndarray) -> list[Fit]:
    """The fit of each of `rows` for `job`, as `Fit.of` gives it from their explanations."""
    percentiles = scale.percentiles(rows)
    bands = bands_for(percentiles, required_shares(job, index, rows), workable(job, index, rows))
    return [Fit(band, int(p)) for band, p in zip(bands, percentiles.tolist(), strict=True)]
