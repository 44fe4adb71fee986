"""`train --search`: time-ordered, job-grouped folds and the search recorded on the card."""

from __future__ import annotations

import numpy as np
from ranking_rows import add_history

from matcher.ranking import search
from matcher.ranking.training import train_ranker


def test_folds_learn_only_from_older_jobs_and_never_split_a_job():
    job_ids = np.repeat(np.arange(8), 5)
    starts = {j: f"2026-01-{10 - j:02d}" for j in range(8)}  # job 7 is the oldest
    folds = search.time_ordered_job_folds(job_ids, starts, n_splits=3)
    assert len(folds) == 3
    for train, test in folds:
        train_jobs, test_jobs = set(job_ids[train]), set(job_ids[test])
        assert not train_jobs & test_jobs
        assert max(starts[j] for j in train_jobs) < min(starts[j] for j in test_jobs)
    assert set(job_ids[folds[0][0]]) == {7, 6} and set(job_ids[folds[-1][1]]) == {1, 0}


def test_a_search_run_uses_the_chosen_parameters_and_records_its_table(db, monkeypatch):
    monkeypatch.setattr(search, "N_CANDIDATES", 4)
    monkeypatch.setattr(search, "MIN_ITER", 20)
    monkeypatch.setattr(search, "MAX_ITER", 40)
    add_history(db)
    run = train_ranker(db, search=True, exposure=False)
    chosen = run.search["chosen"]
    assert chosen["max_iter"] == 40 and set(chosen) >= {"learning_rate", "max_leaf_nodes"}
    assert {k: run.hyper_parameters[k] for k in chosen} == chosen
    assert len(run.search["table"]) == 4 + 2  # 4 candidates at 20 iterations, the best 2 at 40
    assert run.search["table"][0]["n_resources"] == 40
    assert 0 < run.search["best_score"] <= 1
