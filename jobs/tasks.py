"""The scheduled jobs: importable module-level functions, each recording its runs.

Every run is a row in `scheduled_job_runs`, written by the job itself through
`matcher.scheduled_runs.recorded_run`; each job opens the database, calls the domain and
closes it.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
from pathlib import Path

from matcher.config import Settings, load_settings
from matcher.scheduled_runs import clear_expired_rows, recorded_run
from matcher.store import open_database, write_transaction

log = logging.getLogger(__name__)


def _settings(db_path: str | None, models_dir: str | None) -> Settings:
    return load_settings().with_overrides(
        db_path=Path(db_path) if db_path else None,
        models_dir=Path(models_dir) if models_dir else None,
    )


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


def batch_match(db_path: str | None = None, models_dir: str | None = None) -> dict:
    """`talentmatch batch-match`: results the digests, the pages and the API read today."""
    from matcher.batch import run_batch_match
    from matcher.batch.cluster import dask_client

    with _job("batch_match", db_path, models_dir) as (db, settings, counts):
        with dask_client(settings.dask_scheduler) as client:
            summary = run_batch_match(db, settings, client, progress=False)
        counts.update(summary.to_json())
    return counts


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
    """Delete rows nobody needs any more, close runs a dead scheduler left open, and remove
    model files no registry row needs (left by a killed `train`)."""
    now = now or dt.datetime.now(dt.UTC)
    from matcher import registry

    with _job("housekeeping", db_path, models_dir) as (db, settings, counts):
        with write_transaction(db):
            counts.update(clear_expired_rows(db, now))
        counts["orphan_model_files"] = len(registry.remove_orphan_files(db, settings))
    return counts
