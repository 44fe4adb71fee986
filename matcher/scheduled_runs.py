"""The scheduled jobs' run records and the retention of rows nobody needs any more.

Every run of a scheduled job is a row in `scheduled_job_runs` (start, end, status, error,
counts), written by the job itself (`recorded_run`) so that the record survives whatever
the scheduler does; `clear_expired_rows` is the housekeeping job's deletions.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import logging
import traceback
from collections.abc import Iterator

from sqlite_utils import Database

from matcher.accounts import SIGN_UP_LINK_AGE
from matcher.store import utc_now

log = logging.getLogger(__name__)

SESSIONS_KEPT_AFTER_END = dt.timedelta(days=30)
SIGN_IN_FAILURES_KEPT = dt.timedelta(days=7)
JOB_RUNS_KEPT = dt.timedelta(days=180)
OUTBOX_KEPT = dt.timedelta(days=400)
# A run still marked running after this long belongs to a scheduler that died.
RUN_ABANDONED_AFTER = dt.timedelta(hours=12)


@contextlib.contextmanager
def recorded_run(db: Database, job_name: str) -> Iterator[dict]:
    """Record a run of `job_name`; the caller fills the yielded dict with its counts."""
    run_id = db.execute(
        "INSERT INTO scheduled_job_runs (job_name, started_at, status) VALUES (?, ?, 'running')",
        [job_name, utc_now()],
    ).lastrowid
    counts: dict = {}
    try:
        yield counts
    except BaseException as error:
        db.execute(
            "UPDATE scheduled_job_runs SET finished_at = ?, status = 'failed', error = ?,"
            " counts = ? WHERE id = ?",
            [utc_now(), _describe(error), json.dumps(counts), run_id],
        )
        log.exception("scheduled job %s failed", job_name)
        raise
    db.execute(
        "UPDATE scheduled_job_runs SET finished_at = ?, status = 'succeeded', counts = ?"
        " WHERE id = ?",
        [utc_now(), json.dumps(counts, default=str), run_id],
    )
    log.info("scheduled job %s succeeded: %s", job_name, counts)


def _describe(error: BaseException) -> str:
    lines = traceback.format_exception_only(type(error), error)
    return "".join(lines).strip()[:2000]


def _iso(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def clear_expired_rows(db: Database, now: dt.datetime) -> dict[str, int]:
    """Delete expired rows; the count per kind."""
    statements = {
        "sessions": (
            "DELETE FROM sessions WHERE ended_at IS NOT NULL AND ended_at < ?",
            now - SESSIONS_KEPT_AFTER_END,
        ),
        "sign_in_failures": (
            "DELETE FROM sign_in_failures WHERE at < ?",
            now - SIGN_IN_FAILURES_KEPT,
        ),
        "job_runs": (
            "DELETE FROM scheduled_job_runs WHERE status != 'running' AND started_at < ?",
            now - JOB_RUNS_KEPT,
        ),
        "emails": (
            "DELETE FROM email_outbox WHERE status IN ('sent', 'failed') AND created_at < ?",
            now - OUTBOX_KEPT,
        ),
        "pending_sign_ups": (
            "DELETE FROM pending_sign_ups WHERE created_at < ?",
            now - SIGN_UP_LINK_AGE,
        ),
        "abandoned_runs": (
            "UPDATE scheduled_job_runs SET status = 'failed', finished_at = started_at,"
            " error = 'interrupted: the scheduler stopped during the run'"
            " WHERE status = 'running' AND started_at < ?",
            now - RUN_ABANDONED_AFTER,
        ),
    }
    return {
        kind: db.execute(sql, [_iso(cutoff)]).rowcount for kind, (sql, cutoff) in statements.items()
    }
