"""The learned ranker: gradient-boosted trees on pair features, graded relevance as target.

It regresses the normalised gain (2**relevance - 1) / (2**max_relevance - 1), the quantity
NDCG rewards, so sorting by its prediction sorts by expected gain. Monotonic constraints keep
more required-skill coverage or a more preferred city from ever lowering a score.
"""

from __future__ import annotations

import numpy as np
from sklearn.base import BaseEstimator, RegressorMixin
from sklearn.ensemble import HistGradientBoostingRegressor
from sklearn.utils.validation import check_is_fitted, validate_data
from threadpoolctl import threadpool_limits

from matcher.features.pair_features import (
    DECREASING_FEATURES,
    FEATURE_NAMES,
    INCREASING_FEATURES,
)

MAX_RELEVANCE = 4
# Below this many rows, OpenMP threads cost more than they save (and on a busy machine
# their spin-waiting makes small fits hundreds of times slower), so use one thread.
SINGLE_THREAD_BELOW_ROWS = 50_000


def _threads_for(n_rows: int):
    return threadpool_limits(
        limits=1 if n_rows < SINGLE_THREAD_BELOW_ROWS else None, user_api="openmp"
    )


def default_monotonic_cst(feature_names: list[str] = FEATURE_NAMES) -> list[int]:
    """+1 for each feature that may only raise a score, -1 for those that may only lower it."""
    return [
        1 if name in INCREASING_FEATURES else -1 if name in DECREASING_FEATURES else 0
        for name in feature_names
    ]


def relevance_to_gain(relevance: np.ndarray, max_relevance: int = MAX_RELEVANCE) -> np.ndarray:
    """Graded relevance to normalised NDCG gain in [0, 1]."""
    relevance = np.clip(np.asarray(relevance, dtype=np.float64), 0.0, max_relevance)
    return (np.exp2(relevance) - 1.0) / (2.0**max_relevance - 1.0)


class LearnedRanker(RegressorMixin, BaseEstimator):
    """Scores pairs in [0, 1] from their features, trained on graded relevance (0..4)."""

    def __init__(
        self,
        *,
        max_relevance: int = MAX_RELEVANCE,
        learning_rate: float = 0.05,
        max_iter: int = 150,
        max_leaf_nodes: int = 15,
        min_samples_leaf: int = 100,
        l2_regularization: float = 5.0,
        monotonic_cst: list[int] | None = None,
        random_state: int | None = 0,
    ) -> None:
        self.max_relevance = max_relevance
        self.learning_rate = learning_rate
        self.max_iter = max_iter
        self.max_leaf_nodes = max_leaf_nodes
        self.min_samples_leaf = min_samples_leaf
        self.l2_regularization = l2_regularization
        self.monotonic_cst = monotonic_cst
        self.random_state = random_state

    def fit(self, X, y, sample_weight=None) -> LearnedRanker:
        """Fit the trees to the normalised gain of each pair's relevance grade."""
        X, y = validate_data(self, X, y, y_numeric=True)
        self.model_ = HistGradientBoostingRegressor(
            learning_rate=self.learning_rate,
            max_iter=self.max_iter,
            max_leaf_nodes=self.max_leaf_nodes,
            min_samples_leaf=self.min_samples_leaf,
            l2_regularization=self.l2_regularization,
            monotonic_cst=self.monotonic_cst,
            early_stopping=False,
            random_state=self.random_state,
        )
        with _threads_for(len(X)):
            self.model_.fit(X, relevance_to_gain(y, self.max_relevance), sample_weight)
        self.n_iter_ = self.model_.n_iter_
        return self

    def predict(self, X) -> np.ndarray:
        """Scores in [0, 1]: the expected normalised gain of each pair."""
        check_is_fitted(self)
        X = validate_data(self, X, reset=False)
        with _threads_for(len(X)):
            return np.clip(self.model_.predict(X), 0.0, 1.0)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        # Targets are clipped to the relevance scale, so R^2 on arbitrary targets is poor.
        tags.regressor_tags.poor_score = True
        return tags
