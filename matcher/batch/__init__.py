"""Nightly batch matching on Dask: every open job's candidates, every opted-in worker's jobs.

`run_batch_match` ranks through the live path's public functions on a Dask cluster and
stores the results with what they were computed from; `fresh_batch_shortlist` and
`fresh_batch_matches` read them back only while they are fresh.
"""

from matcher.batch.results import fresh_batch_matches, fresh_batch_shortlist
from matcher.batch.runs import BatchSummary, run_batch_match
from matcher.batch.tasks import StaleInput

__all__ = [
    "BatchSummary",
    "StaleInput",
    "fresh_batch_matches",
    "fresh_batch_shortlist",
    "run_batch_match",
]
