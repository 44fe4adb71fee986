"""The learned ranker's estimator contract and monotonicity, and the cold-start scorer."""

from __future__ import annotations

import numpy as np
import pytest
from ranking_rows import add_job, add_worker
from sklearn.utils.estimator_checks import parametrize_with_checks

from matcher.config import Settings
from matcher.features import FEATURE_NAMES, load_job, load_worker_table
from matcher.ranking.models import LearnedRanker, default_monotonic_cst, relevance_to_gain
from matcher.ranking.scorers import COLD_START_WEIGHTS, ColdStartScorer, load_serving_scorer


@parametrize_with_checks([LearnedRanker(max_iter=10, min_samples_leaf=2)])
def test_learned_ranker_follows_the_estimator_contract(estimator, check):
    check(estimator)


def random_training_set(seed: int = 0, n: int = 3000) -> tuple[np.ndarray, np.ndarray]:
    """Features in [0, 1] with a relevance that rises with coverage and city preference."""
    rng = np.random.default_rng(seed)
    X = rng.random((n, len(FEATURE_NAMES)))
    coverage = X[:, FEATURE_NAMES.index("required_coverage")]
    city = X[:, FEATURE_NAMES.index("city_preference")]
    latent = 3 * coverage + 1.5 * city + rng.normal(0, 1.0, n)
    return X, np.clip(np.round(latent - 1), 0, 4)


@pytest.mark.parametrize(
    "feature", ["required_coverage", "required_coverage_weighted", "city_preference"]
)
def test_more_coverage_or_a_more_preferred_city_never_lowers_a_score(feature):
    X, y = random_training_set()
    model = LearnedRanker(monotonic_cst=default_monotonic_cst(), max_iter=60).fit(X, y)
    column = FEATURE_NAMES.index(feature)
    base = np.random.default_rng(1).random((200, len(FEATURE_NAMES)))
    previous = None
    for value in np.linspace(0, 1, 11):
        probe = base.copy()
        probe[:, column] = value
        scores = model.predict(probe)
        assert ((scores >= 0) & (scores <= 1)).all()
        if previous is not None:
            assert (scores >= previous - 1e-12).all()
        previous = scores


def test_without_constraints_noise_can_lower_a_score():
    """The monotonicity test above could fail: unconstrained trees do dip on this data."""
    X, y = random_training_set()
    column = FEATURE_NAMES.index("city_preference")
    y = y.copy()
    y[(X[:, column] > 0.5) & (X[:, column] < 0.6)] = 0  # a dip a free model will learn
    free = LearnedRanker(max_iter=60).fit(X, y)
    tied = LearnedRanker(monotonic_cst=default_monotonic_cst(), max_iter=60).fit(X, y)
    probe = np.full((2, len(FEATURE_NAMES)), 0.5)
    probe[:, column] = [0.45, 0.55]
    assert free.predict(probe)[1] < free.predict(probe)[0]
    assert tied.predict(probe)[1] >= tied.predict(probe)[0]


def test_gain_targets_rise_with_relevance_and_stay_in_unit_range():
    gains = relevance_to_gain(np.array([0, 1, 2, 3, 4, 7]))
    assert gains[0] == 0.0 and gains[4] == gains[5] == 1.0
    assert (np.diff(gains[:5]) > 0).all()


def test_the_score_is_the_expected_gain_of_the_funnel_steps():
    """Everyone reached an interview and nobody an offer: the score is exactly that gain."""
    X = np.random.default_rng(0).random((400, len(FEATURE_NAMES)))
    model = LearnedRanker(max_iter=20).fit(X, np.full(400, 2))
    assert model.predict(X[:5]) == pytest.approx(relevance_to_gain(np.full(5, 2)))


def test_each_funnel_step_learns_from_the_pairs_that_reached_the_step_before():
    """Coverage decides the shortlist, the city decides the hire among the shortlisted."""
    rng = np.random.default_rng(2)
    X = rng.random((6000, len(FEATURE_NAMES)))
    coverage = X[:, FEATURE_NAMES.index("required_coverage")]
    city = X[:, FEATURE_NAMES.index("city_preference")]
    y = np.where(coverage > 0.5, np.where(city > 0.5, 4, 1), 0)
    model = LearnedRanker(monotonic_cst=default_monotonic_cst()).fit(X, y)
    probe = np.full((3, len(FEATURE_NAMES)), 0.5)
    probe[:, FEATURE_NAMES.index("required_coverage")] = [0.1, 0.9, 0.9]
    probe[:, FEATURE_NAMES.index("city_preference")] = [0.9, 0.1, 0.9]
    scores = model.predict(probe)
    assert scores[0] < 0.05 and scores[1] == pytest.approx(1 / 15, abs=0.03)
    assert scores[2] > 0.9


def test_cold_start_weights_sum_to_one():
    assert sum(COLD_START_WEIGHTS.values()) == pytest.approx(1.0)


def test_cold_start_ranks_the_fitting_worker_first_with_scores_in_unit_range(db):
    add_job(db, "J1", required=["Python", "SQL"], city="Vancouver", min_years=3)
    add_worker(db, "W-none", skills={"Java": 5}, cities="Toronto", years=1)
    add_worker(db, "W-half", skills={"Python": 2}, cities="Toronto;Vancouver", years=3)
    add_worker(db, "W-full", skills={"Python": 4, "SQL": 4}, cities="Vancouver", years=5)
    db.conn.commit()
    workers = load_worker_table(db)
    scores = ColdStartScorer().score(load_job(db, "J1"), workers, np.arange(len(workers)))
    assert ((scores >= 0) & (scores <= 1)).all()
    assert workers.external_ids[np.argsort(-scores)].tolist() == ["W-full", "W-half", "W-none"]


def test_a_fresh_install_serves_the_cold_start_scorer(db, tmp_path):
    scorer = load_serving_scorer(db, Settings(db_path=tmp_path / "x.db", models_dir=tmp_path))
    assert scorer.version == "cold-start"
    assert load_serving_scorer(db, Settings(models_dir=tmp_path)) is scorer
