"""The scheduled jobs: importable module-level functions, each recording its runs.

Every run is a row in `scheduled_job_runs` (start, end, status, error, counts), written
by the job itself so that the record survives whatever the scheduler does.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import logging
import traceback
from collections.abc import Iterator
from pathlib import Path

from sqlite_utils import Database

from matcher.config import Settings, load_settings
from matcher.store import open_database, utc_now, write_transaction

log = logging.getLogger(__name__)

SESSIONS_KEPT_AFTER_END = dt.timedelta(days=30)
SIGN_IN_FAILURES_KEPT = dt.timedelta(days=7)
JOB_RUNS_KEPT = dt.timedelta(days=180)
OUTBOX_KEPT = dt.timedelta(days=400)
# A run still marked running after this long belongs to a scheduler that died.
RUN_ABANDONED_AFTER = dt.timedelta(hours=12)


def _settings(db_path: str | None, models_dir: str | None) -> Settings:
    return load_settings().with_overrides(
        db_path=Path(db_path) if db_path else None,
        models_dir=Path(models_dir) if models_dir else None,
    )


def _iso(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


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


@contextlib.contextmanager
def _job(job_name: str, db_path: str | None, models_dir: str | None):
    settings = _settings(db_path, models_dir)
    db = open_database(settings.db_path)
    try:
        with recorded_run(db, job_name) as counts:
            yield db, settings, counts
    finally:
        db.close()


def send_match_digests(db_path: str | None = None, models_dir: str | None = None) -> dict:
    """Queue and deliver this period's match digests."""
    from matcher.notifications.digests import send_digests

    with _job("match_digests", db_path, models_dir) as (db, settings, counts):
        counts.update(send_digests(db, settings).counts())
    return counts


def send_employer_emails(db_path: str | None = None, models_dir: str | None = None) -> dict:
    """Queue and deliver the employers' daily "new strong matches" emails."""
    from matcher.notifications.employer_daily import send_employer_emails as send

    with _job("employer_emails", db_path, models_dir) as (db, settings, counts):
        counts.update(send(db, settings).counts())
    return counts


def deliver_outbox(db_path: str | None = None, models_dir: str | None = None) -> dict:
    """Deliver what is due in the outbox: contact emails the web app could not send, retries.

    Not recorded in `scheduled_job_runs` (it runs every minute); another sender holding the
    lock just means this run has nothing to do.
    """
    from matcher.config import resolve_secret_key
    from matcher.notifications.delivery import SendLockBusy, deliver_due

    settings = _settings(db_path, models_dir)
    db = open_database(settings.db_path)
    try:
        report = deliver_due(db, settings, resolve_secret_key(settings))
    except SendLockBusy:
        return {"busy": 1}
    finally:
        db.close()
    if report.sent or report.failed or report.retrying:
        log.info(
            "outbox: sent %d, failed %d, retrying %d", report.sent, report.failed, report.retrying
        )
    return {"sent": report.sent, "failed": report.failed, "retrying": report.retrying}


def retrain_models(db_path: str | None = None, models_dir: str | None = None) -> dict:
    """Train on the outcome events and promote only through the champion/challenger gate.

    Promotion is the registry's single switch of the champion pointer, so a crash before it
    leaves the champion serving; the web app picks up a new champion on its next request.
    Too few outcomes to learn from is a skipped run, not a failure.
    """
    from matcher.ranking.training import NotEnoughOutcomes, train_and_register

    with _job("retrain", db_path, models_dir) as (db, settings, counts):
        try:
            outcome = train_and_register(db, settings)
        except NotEnoughOutcomes as reason:
            counts.update({"trained": 0, "skipped": str(reason)})
        else:
            counts.update(
                {
                    "trained": 1,
                    "version": outcome.version,
                    "promoted": outcome.promoted,
                    "reason": outcome.reason,
                    "removed_versions": len(outcome.removed_versions),
                }
            )
    return counts


def housekeeping(
    db_path: str | None = None, models_dir: str | None = None, now: dt.datetime | None = None
) -> dict:
    """Delete rows nobody needs any more and close runs a dead scheduler left open."""
    now = now or dt.datetime.now(dt.UTC)
    with _job("housekeeping", db_path, models_dir) as (db, _settings_, counts):
        with write_transaction(db):
            counts.update(clear_expired_rows(db, now))
    return counts


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
