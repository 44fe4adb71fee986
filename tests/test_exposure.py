"""Exposure weighting: pairs an earlier search rarely showed weigh more."""

from __future__ import annotations

import numpy as np
import pytest
from ranking_rows import add_job, add_outcome, add_worker

from matcher.ranking.training import load_training_data, train_ranker, training_weights


def biased_history(db) -> tuple[set[int], set[int]]:
    """Toronto Python jobs that showed 20 of 100 Toronto Python people and 2 of 100 others."""
    rng = np.random.default_rng(0)
    locals_ = [
        add_worker(db, f"T{i}", skills={"Python": 3.0}, cities="Toronto", resume="Python")
        for i in range(100)
    ]
    others = [
        add_worker(db, f"V{i}", skills={"Go": 3.0}, cities="Vancouver", resume="Go")
        for i in range(100)
    ]
    for j in range(30):
        job = add_job(db, f"J{j}", required=["Python"], description="Python")
        shown = list(rng.choice(locals_, 20, replace=False)) + list(rng.choice(others, 2))
        for k, worker in enumerate(shown):
            day = f"2025-02-{j % 28 + 1:02d}T{k % 24:02d}:00:00Z"
            add_outcome(db, job, int(worker), "shown", day)
            if worker in locals_ and k % 3 == 0:
                add_outcome(db, job, int(worker), "interviewed", day.replace("2025-02", "2025-03"))
    db.conn.commit()
    return set(locals_), set(others)


def test_rarely_shown_pairs_get_larger_weights_clipped_with_mean_one(db):
    _locals, others = biased_history(db)
    data = load_training_data(db)
    weighting = training_weights(db, data, exposure=True)
    weights = weighting.weights
    rare = np.isin(data.labelled.worker_ids, list(others))
    assert weights.mean() == pytest.approx(1.0)
    assert np.median(weights[rare]) > 2 * np.median(weights[~rare])
    assert weights.max() <= 10 * np.median(weights) + 1e-9  # clipped at 10 x the median
    assert training_weights(db, data, exposure=False) is None


def test_a_weighted_run_says_so_on_its_card(db):
    biased_history(db)
    run = train_ranker(db, min_labelled_jobs=5, exposure=True)
    assert run.exposure["used"] is True and "inverse retrieval propensity" in run.exposure["method"]
    assert train_ranker(db, min_labelled_jobs=5, exposure=False).exposure == {"used": False}
