"""The learned ranker: gradient-boosted trees on pair features, graded relevance as target.

Hiring is a funnel, so the ranker learns it step by step: for each grade g (shortlisted,
interviewed, offered, hired) a classifier estimates the chance that a pair which reached
grade g - 1 goes on to reach g. Their running product is the chance of reaching each grade,
and the score is the expected normalised gain (2**relevance - 1) / (2**max_relevance - 1),
the quantity NDCG rewards, so sorting by it sorts by expected gain. Every step learns from
all the pairs that reached the step before it; regressing the gain directly leans on the
few hires and is noisier. Monotonic constraints on every step (a product of non-negative
non-decreasing terms is non-decreasing) keep more required-skill coverage or a more
preferred city from ever lowering a score.
"""

from __future__ import annotations

import weakref

import numpy as np
from sklearn.base import BaseEstimator, RegressorMixin
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.utils.validation import _check_sample_weight, check_is_fitted, validate_data
from threadpoolctl import threadpool_limits

from matcher.constants import STAGE_RELEVANCE
from matcher.features.pair_features import (
    DECREASING_FEATURES,
    FEATURE_NAMES,
    INCREASING_FEATURES,
)
from matcher.ranking.forest import PROBE_ROWS, CompiledForest, compile_forest

MAX_RELEVANCE = 4
# Below this many rows, OpenMP threads cost more than they save (and on a busy machine
# their spin-waiting makes small fits hundreds of times slower), so use one thread. Measured
# on 2 shared cores: the four step classifiers on 59,000 rows took 1.5 s on one thread
# and 13 s on all threads.
SINGLE_THREAD_BELOW_ROWS = 500_000


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
        max_leaf_nodes: int = 7,
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
        """Fit one classifier per grade: reaching it, among pairs that reached the grade below."""
        X, y = validate_data(self, X, y, y_numeric=True)
        grades = np.clip(np.asarray(y, dtype=np.float64), 0.0, self.max_relevance)
        weights = None if sample_weight is None else _check_sample_weight(sample_weight, X)
        with _threads_for(len(X)):
            self.step_models_ = [
                self._fit_step(X, grades, weights, grade)
                for grade in range(1, self.max_relevance + 1)
            ]
        self.n_iter_ = max(
            (m.n_iter_ for m in self.step_models_ if not isinstance(m, float)), default=0
        )
        return self

    def _fit_step(self, X, grades, weights, grade: int):
        """The classifier of one funnel step, or its constant rate when one outcome is absent."""
        reached = grades >= grade - 1
        passed = grades[reached] >= grade
        step_weights = None if weights is None else weights[reached]
        if passed.size == 0 or passed.all() or not passed.any():
            return float(passed.mean()) if passed.size else 0.0
        model = HistGradientBoostingClassifier(
            learning_rate=self.learning_rate,
            max_iter=self.max_iter,
            max_leaf_nodes=self.max_leaf_nodes,
            min_samples_leaf=self.min_samples_leaf,
            l2_regularization=self.l2_regularization,
            monotonic_cst=self.monotonic_cst,
            early_stopping=False,
            random_state=self.random_state,
        )
        return model.fit(X[reached], passed.astype(np.int64), step_weights)

    def predict(self, X) -> np.ndarray:
        """Scores in [0, 1]: the expected normalised gain of each pair."""
        return self._scores_from(self.reach_probabilities(X))

    def predict_and_outlook(self, X) -> tuple[np.ndarray, dict[str, np.ndarray] | None]:
        """`predict(X)` and `outlook(X)` from one pass over the trees."""
        reach = self.reach_probabilities(X)
        return self._scores_from(reach), self._outlook_from(reach)

    def _scores_from(self, reach: np.ndarray) -> np.ndarray:
        grades = np.arange(self.max_relevance + 1)
        gain_steps = np.diff(relevance_to_gain(grades, self.max_relevance))
        return np.clip(reach @ gain_steps, 0.0, 1.0)

    def reach_probabilities(self, X) -> np.ndarray:
        """(n, max_relevance): column g - 1 is the model's chance of reaching grade g or more."""
        check_is_fitted(self)
        X = validate_data(self, X, reset=False)
        forests = _compiled_steps(self)
        steps = np.column_stack(
            [_step_probability(m, f, X) for m, f in zip(self.step_models_, forests, strict=True)]
        )
        return np.cumprod(steps, axis=1)

    def outlook(self, X) -> dict[str, np.ndarray] | None:
        """Calibrated chance of reaching each outlook stage or later; None when uncalibrated.

        `outlook_calibration_` (set by training, matcher.evaluation.calibration) holds per
        stage a (2, k) isotonic curve from the raw chance of reaching the stage's grade to
        the rate observed on held-out jobs.
        """
        if not getattr(self, "outlook_calibration_", None):
            return None
        return self._outlook_from(self.reach_probabilities(X))

    def _outlook_from(self, reach: np.ndarray) -> dict[str, np.ndarray] | None:
        calibration = getattr(self, "outlook_calibration_", None)
        if not calibration:
            return None
        return {
            stage: np.interp(reach[:, STAGE_RELEVANCE[stage] - 1], curve[0], curve[1])
            for stage, curve in calibration.items()
        }

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        # Targets are clipped to the relevance scale, so R^2 on arbitrary targets is poor.
        tags.regressor_tags.poor_score = True
        return tags


# Compiled trees of each fitted ranker, kept beside it (not in its attributes, which skops
# saves) and rebuilt when a new fit replaces its step models.
_compiled: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def _compiled_steps(ranker: LearnedRanker) -> list[CompiledForest | None]:
    """Each step model compiled for fast prediction (None: a constant or unsupported step)."""
    cached = _compiled.get(ranker)
    if cached is None or cached[0] is not ranker.step_models_:
        # The load-time agreement check predicts a few probe rows per tree: on one thread, as
        # for any small input (OpenMP's threads spin per tree; under load that took seconds).
        with _threads_for(PROBE_ROWS):
            forests = [
                None if isinstance(model, float) else compile_forest(model)
                for model in ranker.step_models_
            ]
        cached = (ranker.step_models_, forests)
        _compiled[ranker] = cached
    return cached[1]


def _step_probability(model, forest: CompiledForest | None, X: np.ndarray) -> np.ndarray:
    """The chance of passing one funnel step: from compiled trees when possible (same values)."""
    if isinstance(model, float):
        return np.full(len(X), model)
    if forest is not None:
        return forest.positive_probability(X)
    with _threads_for(len(X)):
        return model.predict_proba(X)[:, 1]
