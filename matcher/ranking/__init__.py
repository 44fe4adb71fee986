"""Ranking: scorers (cold start and learned), training, retrieval and shortlists."""

from matcher.ranking.scorers import (
    COLD_START_VERSION,
    ColdStartScorer,
    LearnedScorer,
    Scorer,
    load_serving_scorer,
)

__all__ = [
    "COLD_START_VERSION",
    "ColdStartScorer",
    "LearnedScorer",
    "Scorer",
    "load_serving_scorer",
]
