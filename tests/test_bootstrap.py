"""Paired bootstrap: intervals with known answers, paired differences, seeded resamples."""

from __future__ import annotations

import numpy as np
import pytest

from matcher.constants import COL_ITEM, COL_QUERY, COL_RELEVANCE, COL_SCORE
from matcher.evaluation.bootstrap import paired_bootstrap, resample_weights
from matcher.evaluation.metrics import ranking_metrics


def jobs_table(relevant_on_top: np.ndarray, per_job: int = 20) -> dict[str, np.ndarray]:
    """One relevant pair per job, ranked first where `relevant_on_top`, else last."""
    n_jobs = len(relevant_on_top)
    query = np.repeat(np.arange(n_jobs), per_job)
    item = np.tile(np.arange(per_job), n_jobs)
    relevance = (item == 0).astype(int) * 3
    top = np.repeat(relevant_on_top, per_job)
    score = np.where(item == 0, np.where(top, 2.0, -1.0), np.linspace(0, 1, len(item)))
    return {COL_QUERY: query, COL_ITEM: item, COL_SCORE: score, COL_RELEVANCE: relevance}


def test_estimates_are_the_plain_metrics_and_a_constant_metric_has_no_spread():
    rng = np.random.default_rng(1)
    table = jobs_table(rng.random(50) < 0.6)
    table[COL_SCORE] = table[COL_SCORE] + rng.random(len(table[COL_SCORE]))  # ties and mixes
    report = paired_bootstrap({"model": table}, n_resamples=200)
    for metric, value in ranking_metrics(table).items():
        assert report.intervals["model"][metric].estimate == pytest.approx(value), metric
    perfect = paired_bootstrap({"model": jobs_table(np.ones(30, bool))}, n_resamples=200)
    ndcg = perfect.intervals["model"]["ndcg@10"]
    assert (ndcg.estimate, ndcg.low, ndcg.high) == (1.0, 1.0, 1.0)


def test_half_the_jobs_perfect_gives_the_binomial_interval():
    # NDCG@10 is 1 on half of 400 jobs and 0 on the rest: 0.5 +- 1.96 * sqrt(0.25 / 400).
    table = jobs_table(np.arange(400) % 2 == 0)
    ndcg = paired_bootstrap({"model": table}, n_resamples=2000).intervals["model"]["ndcg@10"]
    assert ndcg.estimate == pytest.approx(0.5)
    assert ndcg.low == pytest.approx(0.5 - 0.049, abs=0.008)
    assert ndcg.high == pytest.approx(0.5 + 0.049, abs=0.008)


def test_a_scorer_equal_to_its_rival_differs_by_exactly_zero():
    table = jobs_table(np.arange(60) % 3 == 0)
    gain = paired_bootstrap({"model": table, "champion": dict(table)}).differences["champion"]
    for interval in gain.values():
        assert (interval.estimate, interval.low, interval.high) == (0.0, 0.0, 0.0)


def test_a_clearly_better_scorer_has_a_gain_whose_interval_excludes_zero():
    better = jobs_table(np.arange(80) % 4 != 0)  # relevant on top for 3 jobs in 4
    worse = jobs_table(np.arange(80) % 4 == 0)  # for 1 in 4
    gain = paired_bootstrap({"model": better, "cold_start": worse}).differences["cold_start"]
    assert gain["ndcg@10"].estimate == pytest.approx(
        ranking_metrics(better)["ndcg@10"] - ranking_metrics(worse)["ndcg@10"]
    )
    assert gain["ndcg@10"].low > 0 and gain["auc"].low > 0


def test_resamples_are_seeded_and_draw_every_job_count_once_per_job():
    first, again = resample_weights(30, 1000, seed=4), resample_weights(30, 1000, seed=4)
    np.testing.assert_array_equal(first, again)
    assert first.shape == (1000, 30) and (first.sum(axis=1) == 30).all()
    assert not np.array_equal(first, resample_weights(30, 1000, seed=5))
