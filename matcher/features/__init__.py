"""Pair features for (worker, job) pairs: population arrays, feature matrix, transformers."""

from matcher.features.pair_features import FEATURE_NAMES, INCREASING_FEATURES, pair_features
from matcher.features.population import (
    JobProfile,
    WorkerTable,
    load_job,
    load_jobs,
    load_worker_table,
)

__all__ = [
    "FEATURE_NAMES",
    "INCREASING_FEATURES",
    "JobProfile",
    "WorkerTable",
    "load_job",
    "load_jobs",
    "load_worker_table",
    "pair_features",
]
