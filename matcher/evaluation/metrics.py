"""Ranking metrics as pure functions over (query, item, score, relevance) tables.

A table is anything indexable by column name (a pandas DataFrame, or a dict of arrays)
with the columns `COL_QUERY`, `COL_ITEM`, `COL_SCORE`, `COL_RELEVANCE` of
`matcher.constants`. Within a query, items are ranked by score, ties broken by item id
so that results never depend on row order. Queries without any relevant item are left
out of the averages (they cannot be ranked well or badly).
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
from sklearn.metrics import roc_auc_score

from matcher.constants import COL_ITEM, COL_QUERY, COL_RELEVANCE, COL_SCORE

# A pair counts as relevant (for MAP, recall, AUC) from this grade: shortlisted or better.
RELEVANT_FROM = 1


class _Ranked:
    """The table sorted by query, then score descending, with each row's rank in its query."""

    def __init__(self, table: Mapping) -> None:
        query = np.asarray(table[COL_QUERY])
        item = np.asarray(table[COL_ITEM])
        score = np.asarray(table[COL_SCORE], dtype=np.float64)
        relevance = np.asarray(table[COL_RELEVANCE], dtype=np.float64)
        order = np.lexsort((item, -score, query))
        self.query = query[order]
        self.score = score[order]
        self.relevance = relevance[order]
        starts = np.r_[0, np.flatnonzero(self.query[1:] != self.query[:-1]) + 1]
        self.starts = starts
        self.group = np.repeat(np.arange(len(starts)), np.diff(np.r_[starts, len(self.query)]))
        self.rank = np.arange(len(self.query)) - starts[self.group]
        self.n_queries = len(starts) if len(self.query) else 0

    def per_query_sum(self, values: np.ndarray) -> np.ndarray:
        return np.bincount(self.group, weights=values, minlength=self.n_queries)


def _dcg_per_query(ranked: _Ranked, relevance: np.ndarray, k: int) -> np.ndarray:
    gain = np.exp2(relevance) - 1.0
    discount = np.where(ranked.rank < k, 1.0 / np.log2(ranked.rank + 2.0), 0.0)
    return ranked.per_query_sum(gain * discount)


def _ideal_relevance(ranked: _Ranked) -> np.ndarray:
    order = np.lexsort((-ranked.relevance, ranked.group))
    return ranked.relevance[order]


def ndcg_at_k(table: Mapping, k: int = 10) -> float:
    """Mean NDCG@k over queries with a relevant item (gain 2**relevance - 1)."""
    ranked = _Ranked(table)
    if ranked.n_queries == 0:
        return float("nan")
    dcg = _dcg_per_query(ranked, ranked.relevance, k)
    ideal = _dcg_per_query(ranked, _ideal_relevance(ranked), k)
    useful = ideal > 0
    return float(np.mean(dcg[useful] / ideal[useful])) if useful.any() else float("nan")


def map_at_k(table: Mapping, k: int = 10, relevant_from: int = RELEVANT_FROM) -> float:
    """Mean average precision at k; an item is relevant from grade `relevant_from`."""
    ranked = _Ranked(table)
    hit = (ranked.relevance >= relevant_from).astype(np.float64)
    n_relevant = ranked.per_query_sum(hit)
    in_top = (ranked.rank < k).astype(np.float64)
    hits_so_far = _cumulative_per_query(ranked, hit)
    precision_at_hit = hit * in_top * hits_so_far / (ranked.rank + 1.0)
    useful = n_relevant > 0
    if not useful.any():
        return float("nan")
    average = ranked.per_query_sum(precision_at_hit)[useful] / np.minimum(n_relevant[useful], k)
    return float(np.mean(average))


def recall_at_k(table: Mapping, k: int = 50, relevant_from: int = RELEVANT_FROM) -> float:
    """Mean share of each query's relevant items found in its top k."""
    ranked = _Ranked(table)
    hit = (ranked.relevance >= relevant_from).astype(np.float64)
    n_relevant = ranked.per_query_sum(hit)
    found = ranked.per_query_sum(hit * (ranked.rank < k))
    useful = n_relevant > 0
    return float(np.mean(found[useful] / n_relevant[useful])) if useful.any() else float("nan")


def auc(table: Mapping, relevant_from: int = RELEVANT_FROM) -> float:
    """Area under the ROC curve of relevant against other pairs, over the whole table."""
    relevant = np.asarray(table[COL_RELEVANCE], dtype=np.float64) >= relevant_from
    if relevant.all() or not relevant.any():
        return float("nan")
    return float(roc_auc_score(relevant, np.asarray(table[COL_SCORE], dtype=np.float64)))


def _cumulative_per_query(ranked: _Ranked, values: np.ndarray) -> np.ndarray:
    total = np.cumsum(values)
    before_group = np.r_[0.0, total][ranked.starts][ranked.group]
    return total - before_group


def ranking_metrics(table: Mapping) -> dict[str, float]:
    """The four figures reported for every scorer: NDCG@10, MAP@10, recall@50, AUC."""
    return {
        "ndcg@10": ndcg_at_k(table, 10),
        "map@10": map_at_k(table, 10),
        "recall@50": recall_at_k(table, 50),
        "auc": auc(table),
    }
