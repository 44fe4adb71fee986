"""The email outbox: every email the service sends, each row under a dedupe key, so a crash
or a re-run never sends the same message twice.

Kinds: `digest` (one per worker and period, rendered when queued) and the transactional
`contact_request`, `contact_answer` and `employer_daily` (keys `contact_request:<id>`,
`contact_answer:<id>`, `employer_daily:<user_id>:<date>`), which carry their facts in
`payload` and are rendered just before they leave (`transactional.render`), in the
recipient's language of the moment. A recipient is a worker (`worker_id`) or an account
(`user_id`, an employer's user).

A row moves pending -> sending -> sent, or back to pending with a later `next_attempt_at`
after a temporary failure, or to failed (permanent failure, too many attempts, consent
withdrawn). Only the holder of the send lock (`delivery.send_lock`) moves rows to sending,
so a row found in sending when the lock is taken belongs to a sender that died. Just before
SMTP DATA the sender sets `smtp_data_at`: such a row may have been delivered, and recovery
sends it again under the same Message-ID (none lost, at most one repeat per crash).
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from dataclasses import dataclass, field, replace

from sqlite_utils import Database

from matcher.store import utc_now, write_transaction

MAX_ATTEMPTS = 6
FIRST_RETRY_DELAY = dt.timedelta(minutes=5)
MAX_RETRY_DELAY = dt.timedelta(hours=6)


DIGEST = "digest"
CONTACT_REQUEST = "contact_request"
CONTACT_ANSWER = "contact_answer"
EMPLOYER_DAILY = "employer_daily"
TRANSACTIONAL_KINDS = (CONTACT_REQUEST, CONTACT_ANSWER, EMPLOYER_DAILY)


@dataclass(frozen=True)
class OutboxMessage:
    """An email waiting in (or read from) the outbox: a digest unless `kind` says otherwise."""

    worker_id: int | None
    period: str | None
    recipient: str
    subject: str
    body_text: str
    body_html: str
    job_ids: tuple[int, ...]
    id: int | None = None
    attempts: int = 0
    kind: str = DIGEST
    dedupe_key: str | None = None
    user_id: int | None = None
    payload: dict = field(default_factory=dict)

    @property
    def key(self) -> str:
        """The dedupe key: at most one row ever holds it."""
        return self.dedupe_key or f"{DIGEST}:{self.worker_id}:{self.period}"


def transactional(
    kind: str, key: str, recipient: str, payload: dict, *, worker_id=None, user_id=None
) -> OutboxMessage:
    """A transactional email to queue; its subject and bodies are rendered when it is sent."""
    if kind not in TRANSACTIONAL_KINDS:
        raise ValueError(f"not a transactional email kind: {kind!r}")
    return OutboxMessage(
        worker_id=worker_id,
        period=None,
        recipient=recipient,
        subject="",
        body_text="",
        body_html="",
        job_ids=(),
        kind=kind,
        dedupe_key=key,
        user_id=user_id,
        payload=payload,
    )


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
    """Queue `message` unless a row already holds its dedupe key; True if queued."""
    cursor = db.execute(
        """INSERT INTO email_outbox (kind, dedupe_key, worker_id, user_id, period, recipient,
               subject, body_text, body_html, job_ids, payload, status, created_at)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'pending', ?)
           ON CONFLICT DO NOTHING""",
        [
            message.kind,
            message.key,
            message.worker_id,
            message.user_id,
            message.period,
            message.recipient,
            message.subject,
            message.body_text,
            message.body_html,
            json.dumps(list(message.job_ids)),
            json.dumps(message.payload),
            utc_now(),
        ],
    )
    return cursor.rowcount == 1


def workers_with_digest_in_flight(db: Database) -> set[int]:
    """Workers whose previous digest is still waiting: they get no new one until it leaves."""
    rows = db.execute(
        "SELECT DISTINCT worker_id FROM email_outbox"
        " WHERE kind = 'digest' AND status IN ('pending', 'sending')"
    )
    return {worker_id for (worker_id,) in rows}


def workers_with_digest_for(db: Database, periods: set[str]) -> set[int]:
    """Workers who already have a digest (in any state) for one of `periods`."""
    if not periods:
        return set()
    marks = ",".join("?" for _ in periods)
    rows = db.execute(
        f"SELECT worker_id FROM email_outbox WHERE kind = 'digest' AND period IN ({marks})",
        sorted(periods),
    )
    return {worker_id for (worker_id,) in rows}


def recover_interrupted(db: Database) -> tuple[int, int]:
    """Queue again the rows a dead sender left in `sending`: (requeued, of them possibly
    delivered already).

    A row whose DATA never started was not handed to the server. One whose DATA started may
    have arrived: it is sent again under the same Message-ID, so a kill costs at most that
    one duplicate, which a receiver can recognise, and never a lost email.
    """
    with write_transaction(db):
        possibly_delivered = db.execute(
            "SELECT count(*) FROM email_outbox"
            " WHERE status = 'sending' AND smtp_data_at IS NOT NULL"
        ).fetchone()[0]
        requeued = db.execute(
            "UPDATE email_outbox SET status = 'pending' WHERE status = 'sending'"
        ).rowcount
    return requeued, possibly_delivered


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


def claim(
    db: Database, outbox_id: int, message_id_for: Callable[[str], str]
) -> OutboxMessage | None:
    """Move one pending message to sending and return it (None if someone else changed it).

    `message_id_for(kind)` is the Message-ID recorded with the first claim; a message sent
    again keeps its first one.
    """
    with write_transaction(db):
        row = db.execute("SELECT kind FROM email_outbox WHERE id = ?", [outbox_id]).fetchone()
        if row is None:
            return None
        claimed = db.execute(
            "UPDATE email_outbox SET status = 'sending',"
            " message_id = coalesce(message_id, ?), smtp_data_at = NULL"
            " WHERE id = ? AND status = 'pending'",
            [message_id_for(row[0]), outbox_id],
        ).rowcount
        if not claimed:
            return None
        row = db.execute(
            """SELECT id, worker_id, period, recipient, subject, body_text, body_html, job_ids,
                      attempts, kind, dedupe_key, user_id, payload
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
        kind=row[9],
        dedupe_key=row[10],
        user_id=row[11],
        payload=json.loads(row[12]),
    )


def store_rendering(
    db: Database, message: OutboxMessage, subject: str, text: str, html: str
) -> OutboxMessage:
    """Keep what a transactional email said (rendered as it leaves) on its row."""
    db.execute(
        "UPDATE email_outbox SET subject = ?, body_text = ?, body_html = ? WHERE id = ?",
        [subject, text, html, message.id],
    )
    return replace(message, subject=subject, body_text=text, body_html=html)


def mark_sent(db: Database, message: OutboxMessage, now: dt.datetime) -> None:
    """Record delivery, and what it announced so no later email repeats it."""
    sent_at = iso(now)
    with write_transaction(db):
        db.execute(
            "UPDATE email_outbox SET status = 'sent', sent_at = ?, attempts = attempts + 1,"
            " last_error = NULL WHERE id = ?",
            [sent_at, message.id],
        )
        if message.kind == DIGEST:
            _record_digest_jobs(db, message, sent_at)
        elif message.kind == EMPLOYER_DAILY:
            _record_notified_candidates(db, message, sent_at)


def _record_digest_jobs(db: Database, message: OutboxMessage, sent_at: str) -> None:
    db.conn.executemany(
        "INSERT OR IGNORE INTO digest_sent_jobs (worker_id, job_id, outbox_id, sent_at)"
        " VALUES (?, ?, ?, ?)",
        [(message.worker_id, job_id, message.id, sent_at) for job_id in message.job_ids],
    )


def _record_notified_candidates(db: Database, message: OutboxMessage, sent_at: str) -> None:
    db.conn.executemany(
        "INSERT OR IGNORE INTO employer_notified_candidates"
        " (user_id, job_id, worker_id, outbox_id, notified_at) VALUES (?, ?, ?, ?, ?)",
        [
            (message.user_id, job["job_id"], worker_id, message.id, sent_at)
            for job in message.payload.get("jobs", ())
            for worker_id in job["worker_ids"]
        ],
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
