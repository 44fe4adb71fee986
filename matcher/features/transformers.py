"""Pair features as a scikit-learn transformer, for training and evaluation pipelines.

Its input is a two-column array of internal (job id, worker id) pairs; the job profiles
and the worker table it reads are parameters, so the transformer itself learns nothing.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.utils.validation import check_is_fitted

from matcher.features.pair_features import FEATURE_NAMES, pair_features_for_pairs
from matcher.features.population import EPOCH, JobProfile, WorkerTable


class PairFeatureTransformer(TransformerMixin, BaseEstimator):
    """(job id, worker id) pairs -> pair-feature matrix; `as_of` dates availability per job."""

    def __init__(
        self,
        jobs: dict[int, JobProfile] | None = None,
        workers: WorkerTable | None = None,
        as_of: dict[int, dt.date] | None = None,
    ) -> None:
        self.jobs = jobs
        self.workers = workers
        self.as_of = as_of

    def fit(self, X, y=None) -> PairFeatureTransformer:
        """Nothing to learn; records the output feature names."""
        self.feature_names_out_ = np.array(FEATURE_NAMES, dtype=object)
        return self

    def get_feature_names_out(self, input_features=None) -> np.ndarray:
        check_is_fitted(self)
        return self.feature_names_out_

    def transform(self, X) -> np.ndarray:
        """One feature row per pair, in the order of X (pairs of unknown workers get nan)."""
        check_is_fitted(self)
        pairs = np.asarray(X, dtype=np.int64).reshape(-1, 2)
        out = np.full((len(pairs), len(FEATURE_NAMES)), np.nan, dtype=np.float32)
        found = (self.workers.row_of(w) for w in pairs[:, 1])
        worker_rows = np.array([-1 if row is None else row for row in found], dtype=np.int64)
        job_ids = sorted({int(j) for j in pairs[:, 0]} & set(self.jobs))
        position = {job_id: i for i, job_id in enumerate(job_ids)}
        job_index = np.array([position.get(int(j), -1) for j in pairs[:, 0]], dtype=np.int64)
        known = (worker_rows >= 0) & (job_index >= 0)
        today = dt.datetime.now(dt.UTC).date()
        as_of = self.as_of or {}
        day_of_job = np.array(
            [float((as_of.get(j, today) - EPOCH).days) for j in job_ids], dtype=np.float32
        )
        if known.any():
            out[known] = pair_features_for_pairs(
                [self.jobs[j] for j in job_ids],
                job_index[known],
                self.workers,
                worker_rows[known],
                day_of_job[job_index[known]],
            )
        return out
