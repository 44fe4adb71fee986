"""Ranking metrics: a perfect ranking, no hits, hand-computed values; baselines on real rows."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from ranking_rows import add_job, add_worker

from matcher.constants import COL_ITEM, COL_QUERY, COL_RELEVANCE, COL_SCORE
from matcher.evaluation import auc, map_at_k, ndcg_at_k, ranking_metrics, recall_at_k
from matcher.evaluation.baselines import jaccard_scores, tfidf_scores, true_probability_scores
from matcher.features import load_jobs, load_worker_table


def table(queries, items, scores, relevance) -> pd.DataFrame:
    return pd.DataFrame(
        {COL_QUERY: queries, COL_ITEM: items, COL_SCORE: scores, COL_RELEVANCE: relevance}
    )


PERFECT = table([1, 1, 1, 2, 2], [1, 2, 3, 4, 5], [0.9, 0.5, 0.1, 0.8, 0.2], [3, 1, 0, 2, 0])
NO_HITS = table([1, 1, 1, 1], [1, 2, 3, 4], [0.9, 0.8, 0.7, 0.6], [0, 0, 0, 1])


@pytest.mark.parametrize("metric", [ndcg_at_k, map_at_k, recall_at_k, auc])
def test_a_perfect_ranking_scores_one(metric):
    assert metric(PERFECT) == pytest.approx(1.0)


def test_no_hit_in_the_top_k_scores_zero():
    assert ndcg_at_k(NO_HITS, 3) == 0.0
    assert map_at_k(NO_HITS, 3) == 0.0
    assert recall_at_k(NO_HITS, 3) == 0.0
    assert auc(NO_HITS) == 0.0


def test_values_computed_by_hand():
    # Query 1 ranks grades (2, 0, 1); query 2 ranks (1, 0).
    hand = table([1, 1, 1, 2, 2], [1, 2, 3, 1, 2], [0.9, 0.5, 0.1, 0.8, 0.2], [2, 0, 1, 1, 0])
    dcg = 3 + 1 / math.log2(4)
    ideal = 3 + 1 / math.log2(3)
    assert ndcg_at_k(hand, 10) == pytest.approx((dcg / ideal + 1.0) / 2)
    # Query 1: hits at ranks 1 and 3, precisions 1 and 2/3 over 2 relevant.
    assert map_at_k(hand, 10) == pytest.approx(((1 + 2 / 3) / 2 + 1.0) / 2)
    assert recall_at_k(hand, 2) == pytest.approx((1 / 2 + 1) / 2)
    # Relevant scores .9, .1, .8 against others .5, .2: 4 of 6 pairs ordered right.
    assert auc(hand) == pytest.approx(4 / 6)


def test_ties_are_broken_by_item_so_row_order_does_not_matter():
    tied = table([1, 1, 1], [3, 1, 2], [0.5, 0.5, 0.5], [0, 1, 0])
    shuffled = tied.iloc[[2, 0, 1]]
    assert ndcg_at_k(tied) == ndcg_at_k(shuffled) == pytest.approx(1.0)


def test_queries_without_relevant_items_are_left_out():
    mixed = pd.concat([PERFECT, table([9, 9], [1, 2], [0.1, 0.9], [0, 0])])
    assert ndcg_at_k(mixed) == pytest.approx(1.0)


def test_ranking_metrics_accepts_a_plain_dict_of_arrays():
    figures = ranking_metrics({column: PERFECT[column].to_numpy() for column in PERFECT})
    assert figures == {"ndcg@10": 1.0, "map@10": 1.0, "recall@50": 1.0, "auc": 1.0}


def test_baselines_score_the_obvious_candidate_first(db):
    job_id = add_job(db, "J1", required=["Python", "SQL"], description="python sql backend")
    good = add_worker(db, "W1", skills={"Python": 3, "SQL": 2}, resume="python sql backend")
    bad = add_worker(db, "W2", skills={"Java": 3}, resume="java android")
    db.conn.commit()
    pairs = np.array([[job_id, good], [job_id, bad]])
    jobs = {job.id: job for job in load_jobs(db)}
    assert jaccard_scores(pairs, jobs, load_worker_table(db)).tolist() == [1.0, 0.0]
    tfidf = tfidf_scores(db, pairs, jobs)
    assert tfidf[0] > 0.5 and tfidf[1] == 0.0
    assert true_probability_scores(db, pairs) is None
    db.execute("INSERT INTO demo_true_probabilities VALUES (?, ?, ?)", [job_id, good, 0.7])
    assert true_probability_scores(db, pairs).tolist() == [0.7, 0.0]
