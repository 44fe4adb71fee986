"""Pair features as a scikit-learn transformer, for training and evaluation pipelines.

Its input is a `PairSet`: internal (job id, worker id) pairs together with the job profiles,
the worker table and the availability dates they are read from. The data travels with X,
as scikit-learn's estimator contract asks (`__init__` stores parameters only, so `clone()`
never copies a worker table); the transformer itself learns nothing.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.utils.validation import check_is_fitted

from matcher import clock
from matcher.features.pair_features import FEATURE_NAMES, pair_features_for_pairs
from matcher.features.population import EPOCH, JobProfile, WorkerTable


@dataclass(frozen=True)
class PairSet:
    """(job id, worker id) pairs and what their features are read from."""

    pairs: np.ndarray  # (n, 2) internal job and worker ids
    jobs: Mapping[int, JobProfile]
    workers: WorkerTable
    as_of: Mapping[int, dt.date] = field(default_factory=dict)  # per job; default today

    def __len__(self) -> int:
        return len(self.pairs)


class PairFeatureTransformer(TransformerMixin, BaseEstimator):
    """A `PairSet` -> its pair-feature matrix, one row per pair in input order."""

    def fit(self, X: PairSet, y=None) -> PairFeatureTransformer:
        """Nothing to learn; records the output feature names."""
        self.feature_names_out_ = np.array(FEATURE_NAMES, dtype=object)
        return self

    def get_feature_names_out(self, input_features=None) -> np.ndarray:
        check_is_fitted(self)
        return self.feature_names_out_

    def transform(self, X: PairSet) -> np.ndarray:
        """One feature row per pair, in the order of X (pairs of unknown workers get nan)."""
        check_is_fitted(self)
        pairs = np.asarray(X.pairs, dtype=np.int64).reshape(-1, 2)
        out = np.full((len(pairs), len(FEATURE_NAMES)), np.nan, dtype=np.float32)
        found = (X.workers.row_of(w) for w in pairs[:, 1])
        worker_rows = np.array([-1 if row is None else row for row in found], dtype=np.int64)
        job_ids = sorted({int(j) for j in pairs[:, 0]} & set(X.jobs))
        position = {job_id: i for i, job_id in enumerate(job_ids)}
        job_index = np.array([position.get(int(j), -1) for j in pairs[:, 0]], dtype=np.int64)
        known = (worker_rows >= 0) & (job_index >= 0)
        today = clock.today()
        day_of_job = np.array(
            [float((X.as_of.get(j, today) - EPOCH).days) for j in job_ids], dtype=np.float32
        )
        if known.any():
            out[known] = pair_features_for_pairs(
                [X.jobs[j] for j in job_ids],
                job_index[known],
                X.workers,
                worker_rows[known],
                day_of_job[job_index[known]],
            )
        return out
