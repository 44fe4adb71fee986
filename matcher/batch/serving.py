"""Shortlists and matches as the web, the API, the CLI and the digests serve them.

From the nightly batch when its results are fresh and hold the request, else ranked live.
The batch stores each job's first K candidates under the default filters and each
worker's first N jobs, so a request with filters, a page beyond K or more than N jobs is
ranked live; what is served says which with `source` ("batch" or "live").
"""

from __future__ import annotations

import dataclasses

from sqlite_utils import Database

from matcher.accounts import User
from matcher.batch.results import fresh_batch_matches, fresh_batch_shortlist
from matcher.config import Settings
from matcher.features.population import JobProfile
from matcher.hiring.interest import not_for_me_jobs
from matcher.ranking.shortlists import (
    CandidateFilters,
    Matches,
    Shortlist,
    check_may_view_matches,
    matches_for_worker,
    shortlist_for_job,
)


def served_shortlist(
    db: Database,
    job_external_id: str,
    *,
    limit: int = 50,
    offset: int = 0,
    filters: CandidateFilters | None = None,
    settings: Settings,
    job: JobProfile | None = None,
) -> Shortlist:
    """`shortlist_for_job`'s page, read from fresh batch results when they hold it.

    Raises what `shortlist_for_job` raises (NotFound, FilterError) either way.
    """
    if (filters is None or filters == CandidateFilters()) and limit >= 0 and offset >= 0:
        batch = fresh_batch_shortlist(
            db, job_external_id, limit=limit, offset=offset, settings=settings, job=job
        )
        if batch is not None:
            return batch
    live = shortlist_for_job(
        db,
        job_external_id,
        limit=limit,
        offset=offset,
        filters=filters,
        settings=settings,
        job=job,
    )
    return dataclasses.replace(live, source="live")


def served_matches(
    db: Database, worker_external_id: str, *, limit: int = 10, settings: Settings
) -> Matches:
    """`matches_for_worker`'s best `limit` jobs, read from fresh batch results when they hold
    them. Raises NotFound for an unknown or deleted worker.
    """
    # The batch ranked before the worker's latest "Not for me" answers: those are live.
    if limit >= 0 and not _said_not_for_me(db, worker_external_id):
        batch = fresh_batch_matches(db, worker_external_id, limit=limit, settings=settings)
        if batch is not None:
            return batch
    live = matches_for_worker(db, worker_external_id, limit=limit, settings=settings)
    return dataclasses.replace(live, source="live")


def _said_not_for_me(db: Database, worker_external_id: str) -> bool:
    query = "SELECT id FROM workers WHERE external_id = ?"
    row = db.execute(query, [worker_external_id]).fetchone()
    return row is not None and bool(not_for_me_jobs(db, row[0]))


def served_matches_for_viewer(
    db: Database,
    worker_external_id: str,
    viewer: User,
    *,
    limit: int = 10,
    settings: Settings,
) -> Matches:
    """The worker's served matches, for that worker or an operator; NotFound for anyone else."""
    check_may_view_matches(db, worker_external_id, viewer)
    return served_matches(db, worker_external_id, limit=limit, settings=settings)
