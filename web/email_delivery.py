"""Sending what a request queued in the outbox right away, without making the request wait.

A page or API call that queues an email (a contact request, its answer) starts one
background thread that delivers everything due; the scheduler's outbox job (every minute)
sends whatever this misses (another sender held the lock, the SMTP server was down, the
process stopped). `EMAIL_DELIVERY = "off"` in the app config leaves it all to the scheduler.
"""

from __future__ import annotations

import logging
import threading

from flask import current_app

from matcher.config import Settings, resolve_secret_key
from matcher.notifications.delivery import SendLockBusy, deliver_due
from matcher.store import open_database

log = logging.getLogger(__name__)


def deliver_in_background() -> threading.Thread | None:
    """Deliver the outbox's due emails in a daemon thread; the thread, or None when off."""
    if current_app.config.get("EMAIL_DELIVERY", "background") == "off":
        return None
    thread = threading.Thread(
        target=deliver_now, args=(current_app.config["SETTINGS"],), daemon=True
    )
    thread.start()
    return thread


def deliver_now(settings: Settings) -> None:
    """Deliver every due email; a busy lock or a failure is left to the next run."""
    try:
        db = open_database(settings.db_path, migrate=False)
        try:
            deliver_due(db, settings, resolve_secret_key(settings))
        finally:
            db.close()
    except SendLockBusy:
        pass  # another sender is at it and takes what is due
    except Exception:
        log.exception("sending queued emails failed; the scheduler's outbox job retries")
