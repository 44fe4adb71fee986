"""Evaluation: ranking metrics over (query, item, score, relevance) tables, and baselines."""

from matcher.evaluation.metrics import auc, map_at_k, ndcg_at_k, ranking_metrics, recall_at_k

__all__ = ["auc", "map_at_k", "ndcg_at_k", "ranking_metrics", "recall_at_k"]
