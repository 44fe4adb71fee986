"""Ranking: scorers (cold start and learned), training, retrieval and shortlists."""

from matcher.ranking.scorers import (
    COLD_START_VERSION,
    ColdStartScorer,
    LearnedScorer,
    Scorer,
    load_serving_scorer,
)
from matcher.ranking.shortlists import (
    Candidate,
    CandidateFilters,
    FilterError,
    JobMatch,
    Matches,
    NotFound,
    Shortlist,
    matches_for_worker,
    shortlist_for_job,
)

__all__ = [
    "COLD_START_VERSION",
    "ColdStartScorer",
    "LearnedScorer",
    "Scorer",
    "load_serving_scorer",
    "Candidate",
    "CandidateFilters",
    "FilterError",
    "JobMatch",
    "Matches",
    "NotFound",
    "Shortlist",
    "matches_for_worker",
    "shortlist_for_job",
]
