"""The email outbox: one row per worker and digest period, so a crash or a re-run never
sends the same digest twice.

A row moves pending -> sending -> sent, or back to pending with a later `next_attempt_at`
after a temporary failure, or to failed (permanent failure, too many attempts, consent
withdrawn). Only the holder of the send lock (`delivery.send_lock`) moves rows to sending,
so a row found in sending when the lock is taken belongs to a sender that died. Just before
SMTP DATA the sender sets `smtp_data_at`: such a row may have been delivered, so recovery
marks it failed rather than sending it again (at most once per row).
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass

from sqlite_utils import Database

from matcher.store import utc_now, write_transaction

MAX_ATTEMPTS = 6
FIRST_RETRY_DELAY = dt.timedelta(minutes=5)
MAX_RETRY_DELAY = dt.timedelta(hours=6)


@dataclass(frozen=True)
class OutboxMessage:
    """A digest waiting in (or read from) the outbox."""

    worker_id: int
    period: str
    recipient: str
    subject: str
    body_text: str
    body_html: str
    job_ids: tuple[int, ...]
    id: int | None = None
    attempts: int = 0


def iso(moment: dt.datetime) -> str:
    """`moment` in the store's timestamp format (UTC, ending in Z)."""
    utc = moment.astimezone(dt.UTC).replace(microsecond=0)
    return utc.isoformat().replace("+00:00", "Z")


def period_for(frequency: str, moment: dt.datetime) -> str:
    """The digest period `moment` falls in: one digest per worker per period."""
    day = moment.astimezone(dt.UTC).date()
    if frequency == "daily":
        return f"daily:{day.isoformat()}"
    if frequency == "weekly":
        year, week, _ = day.isocalendar()
        return f"weekly:{year}-W{week:02d}"
    raise ValueError(f"no digest period for frequency {frequency!r}")


def retry_delay(attempts: int) -> dt.timedelta:
    """Exponential back-off after the `attempts`-th failed attempt, capped."""
    return min(FIRST_RETRY_DELAY * 2 ** max(attempts - 1, 0), MAX_RETRY_DELAY)


def enqueue(db: Database, message: OutboxMessage) -> bool:
    """Queue `message` unless this worker already has a digest for the period; True if queued."""
    cursor = db.execute(
        """INSERT INTO email_outbox (worker_id, period, recipient, subject, body_text,
               body_html, job_ids, status, created_at)
           VALUES (?, ?, ?, ?, ?, ?, ?, 'pending', ?)
           ON CONFLICT (worker_id, period) DO NOTHING""",
        [
            message.worker_id,
            message.period,
            message.recipient,
            message.subject,
            message.body_text,
            message.body_html,
            json.dumps(list(message.job_ids)),
            utc_now(),
        ],
    )
    return cursor.rowcount == 1


def workers_with_digest_in_flight(db: Database) -> set[int]:
    """Workers whose previous digest is still waiting: they get no new one until it leaves."""
    rows = db.execute(
        "SELECT DISTINCT worker_id FROM email_outbox WHERE status IN ('pending', 'sending')"
    )
    return {worker_id for (worker_id,) in rows}


def workers_with_digest_for(db: Database, periods: set[str]) -> set[int]:
    """Workers who already have a digest (in any state) for one of `periods`."""
    if not periods:
        return set()
    marks = ",".join("?" for _ in periods)
    rows = db.execute(
        f"SELECT worker_id FROM email_outbox WHERE period IN ({marks})", sorted(periods)
    )
    return {worker_id for (worker_id,) in rows}


INTERRUPTED_ERROR = (
    "sender stopped during SMTP DATA: delivery unknown, not resent so it cannot arrive twice"
)


def recover_interrupted(db: Database) -> tuple[int, int]:
    """Rows a dead sender left in `sending`: (requeued, given up as possibly delivered).

    A row whose DATA never started was not handed to the server and is queued again; one
    whose DATA started may have arrived, and resending it could deliver it twice.
    """
    with write_transaction(db):
        requeued = db.execute(
            "UPDATE email_outbox SET status = 'pending'"
            " WHERE status = 'sending' AND smtp_data_at IS NULL"
        ).rowcount
        given_up = db.execute(
            "UPDATE email_outbox SET status = 'failed', attempts = attempts + 1,"
            " last_error = ? || ' (Message-ID ' || coalesce(message_id, '?') || ')'"
            " WHERE status = 'sending'",
            [INTERRUPTED_ERROR],
        ).rowcount
    return requeued, given_up


def mark_handing_over(db: Database, message: OutboxMessage, now: dt.datetime) -> None:
    """Record, committed, that DATA is about to start: from here a resend could duplicate."""
    with write_transaction(db):
        db.execute("UPDATE email_outbox SET smtp_data_at = ? WHERE id = ?", [iso(now), message.id])


def due_message_ids(db: Database, now: dt.datetime) -> list[int]:
    """Ids of pending messages whose next attempt time has come, oldest first."""
    rows = db.execute(
        """SELECT id FROM email_outbox
           WHERE status = 'pending' AND (next_attempt_at IS NULL OR next_attempt_at <= ?)
           ORDER BY id""",
        [iso(now)],
    )
    return [row_id for (row_id,) in rows]


def claim(db: Database, outbox_id: int, message_id: str) -> OutboxMessage | None:
    """Move one pending message to sending and return it (None if someone else changed it)."""
    with write_transaction(db):
        claimed = db.execute(
            "UPDATE email_outbox SET status = 'sending', message_id = ?, smtp_data_at = NULL"
            " WHERE id = ? AND status = 'pending'",
            [message_id, outbox_id],
        ).rowcount
        if not claimed:
            return None
        row = db.execute(
            """SELECT id, worker_id, period, recipient, subject, body_text, body_html, job_ids,
                      attempts
               FROM email_outbox WHERE id = ?""",
            [outbox_id],
        ).fetchone()
    return OutboxMessage(
        id=row[0],
        worker_id=row[1],
        period=row[2],
        recipient=row[3],
        subject=row[4],
        body_text=row[5],
        body_html=row[6],
        job_ids=tuple(json.loads(row[7])),
        attempts=row[8],
    )


def mark_sent(db: Database, message: OutboxMessage, now: dt.datetime) -> None:
    """Record delivery, and the jobs it announced so no later digest repeats them."""
    sent_at = iso(now)
    with write_transaction(db):
        db.execute(
            "UPDATE email_outbox SET status = 'sent', sent_at = ?, attempts = attempts + 1,"
            " last_error = NULL WHERE id = ?",
            [sent_at, message.id],
        )
        db.conn.executemany(
            "INSERT OR IGNORE INTO digest_sent_jobs (worker_id, job_id, outbox_id, sent_at)"
            " VALUES (?, ?, ?, ?)",
            [(message.worker_id, job_id, message.id, sent_at) for job_id in message.job_ids],
        )


def mark_temporary_failure(
    db: Database, message: OutboxMessage, error: str, now: dt.datetime
) -> str:
    """Schedule a retry with back-off, or give up after MAX_ATTEMPTS; returns the new status."""
    attempts = message.attempts + 1
    status = "failed" if attempts >= MAX_ATTEMPTS else "pending"
    db.execute(
        "UPDATE email_outbox SET status = ?, attempts = ?, next_attempt_at = ?, last_error = ?"
        " WHERE id = ?",
        [status, attempts, iso(now + retry_delay(attempts)), error[:1000], message.id],
    )
    return status


def mark_failed(db: Database, message: OutboxMessage, error: str, *, count_attempt: bool) -> None:
    """Give up on `message` for good (permanent failure, or no consent any more)."""
    db.execute(
        "UPDATE email_outbox SET status = 'failed', last_error = ?,"
        " attempts = attempts + ? WHERE id = ?",
        [error[:1000], int(count_attempt), message.id],
    )
