"""The learned ranker's compiled-tree prediction gives scikit-learn's scores exactly."""

from __future__ import annotations

import numpy as np
import pytest
import skops.io

from matcher.features.pair_features import FEATURE_NAMES
from matcher.ranking.forest import (
    CHUNK_ROWS,
    agrees_with_sklearn,
    compile_forest,
    sklearn_is_tested,
)
from matcher.ranking.model_files import TRUSTED_TYPES
from matcher.ranking.models import (
    LearnedRanker,
    _step_probability,
    default_monotonic_cst,
    relevance_to_gain,
)
from matcher.ranking.scorers import ColdStartScorer, LearnedScorer, cold_start_score


@pytest.fixture(scope="module")
def pairs() -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(7)
    features = rng.random((3000, len(FEATURE_NAMES))).astype(np.float32)
    features[:, 3] = np.round(features[:, 3], 1)  # ties on split thresholds
    signal = 3 * features[:, 0] + 2 * features[:, 5] - 2.5 + rng.normal(0, 1, len(features))
    return features, np.clip(np.floor(signal + 1.5), 0, 4)


@pytest.fixture(scope="module")
def ranker(pairs) -> LearnedRanker:
    features, grades = pairs
    return LearnedRanker(
        max_iter=40, min_samples_leaf=20, monotonic_cst=default_monotonic_cst()
    ).fit(features, grades)


def sklearn_scores(ranker: LearnedRanker, features: np.ndarray) -> np.ndarray:
    """The ranker's score computed the original way, with each classifier's predict_proba."""
    steps = np.column_stack(
        [
            np.full(len(features), m) if isinstance(m, float) else m.predict_proba(features)[:, 1]
            for m in ranker.step_models_
        ]
    )
    gain_steps = np.diff(relevance_to_gain(np.arange(ranker.max_relevance + 1)))
    return np.clip(np.cumprod(steps, axis=1) @ gain_steps, 0.0, 1.0)


def test_compiled_trees_give_the_same_raw_predictions(ranker, pairs):
    features, _ = pairs
    for model in ranker.step_models_:
        forest = compile_forest(model)
        assert forest is not None
        assert np.array_equal(forest.raw_predict(features), model._raw_predict(features)[:, 0])


def test_compiled_trees_agree_across_passes(ranker):
    """Rows beyond one pass of CHUNK_ROWS (and a partial last pass) give the same sums."""
    rows = np.random.default_rng(3).random((2 * CHUNK_ROWS + 17, len(FEATURE_NAMES)))
    for model in ranker.step_models_:
        forest = compile_forest(model)
        assert np.array_equal(forest.raw_predict(rows), model._raw_predict(rows)[:, 0])
        assert forest.raw_predict(rows[:0]).shape == (0,)


def test_predict_equals_sklearn_scores_bit_for_bit(ranker, pairs):
    features, _ = pairs
    fresh = np.random.default_rng(1).random((500, len(FEATURE_NAMES))).astype(np.float32)
    for rows in (features, fresh, features[:1]):
        assert np.array_equal(ranker.predict(rows), sklearn_scores(ranker, rows))


def test_saved_and_loaded_ranker_predicts_the_same(ranker, pairs):
    features, _ = pairs
    loaded = skops.io.loads(skops.io.dumps(ranker), trusted=TRUSTED_TYPES)
    assert np.array_equal(loaded.predict(features), ranker.predict(features))


def test_refit_replaces_the_compiled_trees(pairs):
    features, grades = pairs
    ranker = LearnedRanker(max_iter=10, min_samples_leaf=20).fit(features, grades)
    first = ranker.predict(features)
    ranker.fit(features, 4 - grades)
    assert not np.array_equal(ranker.predict(features), first)
    assert np.array_equal(ranker.predict(features), sklearn_scores(ranker, features))


def test_too_many_leaves_falls_back_to_sklearn(pairs):
    features, grades = pairs
    ranker = LearnedRanker(max_iter=5, max_leaf_nodes=15, min_samples_leaf=5).fit(features, grades)
    assert all(compile_forest(m) is None for m in ranker.step_models_ if not isinstance(m, float))
    assert np.array_equal(ranker.predict(features), sklearn_scores(ranker, features))


def test_score_features_matches_each_scorer(ranker, pairs):
    features, _ = pairs
    assert np.array_equal(ColdStartScorer().score_features(features), cold_start_score(features))
    learned = LearnedScorer("v1", ranker)
    assert np.array_equal(learned.score_features(features), sklearn_scores(ranker, features))
    assert learned.score_features(features[:0]).shape == (0,)


def step_classifiers(ranker: LearnedRanker) -> list:
    return [m for m in ranker.step_models_ if not isinstance(m, float)]


@pytest.mark.parametrize("version", ["1.8.2", "1.10.0", "2.0.0", "not-a-version"])
def test_an_untested_scikit_learn_is_not_compiled(ranker, version):
    assert not sklearn_is_tested(version)
    assert all(compile_forest(m, sklearn_version=version) is None for m in step_classifiers(ranker))


def test_the_installed_scikit_learn_is_the_tested_one(ranker):
    assert sklearn_is_tested(), "requirements.lock pins a scikit-learn in TESTED_SKLEARN"
    assert all(compile_forest(m) is not None for m in step_classifiers(ranker))


def test_the_fallback_gives_the_same_scores_as_the_compiled_trees(ranker, pairs):
    features, _ = pairs
    for model in step_classifiers(ranker):
        fast = _step_probability(model, compile_forest(model), features)
        fallback = _step_probability(
            model, compile_forest(model, sklearn_version="1.8.0"), features
        )
        assert np.array_equal(fast, fallback)
        assert np.array_equal(fallback, model.predict_proba(features)[:, 1])


def test_compiled_trees_that_disagree_with_the_model_are_refused(ranker, pairs):
    features, grades = pairs
    other = LearnedRanker(max_iter=40, min_samples_leaf=20).fit(features, 4 - grades)
    for mine, theirs in zip(step_classifiers(ranker), step_classifiers(other), strict=False):
        assert agrees_with_sklearn(compile_forest(mine), mine)
        assert not agrees_with_sklearn(compile_forest(theirs), mine)
