"""Contact requests: sent by a "contacted" decision, accepted or declined by the worker.

A request may carry the employer's short message. Sending one queues an email to the worker
and answering one queues an email to the employer user who asked, each in the same
transaction through the outbox (transactional: whatever the worker's match-email consent,
at most once per request and answer).

Accepting reveals the worker's name and email to that job's employer only (the employer's
candidate page reads `contact_request_status`); declining keeps them hidden.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from sqlite_utils import Database

from matcher.errors import NotFound
from matcher.i18n import N_
from matcher.notifications import outbox
from matcher.records.parsing import RowError
from matcher.store import utc_now, write_transaction

ANSWERS: tuple[str, ...] = ("accepted", "declined")
MAX_MESSAGE_CHARS = 1000
# Control characters other than the line break and tab; \u2028/\u2029 read as breaks too.
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f\u2028\u2029]")


class ContactRequestNotFound(NotFound):
    """The request is another worker's, or there is none (the same answer, so ids leak nothing)."""

    def __init__(self, request_id: object) -> None:
        super().__init__("contact request", str(request_id))


@dataclass(frozen=True)
class ContactAnswer:
    """The request as it was before the answer, and whether the answer changed it."""

    request: dict
    changed: bool


def contact_request_status(db: Database, job_id: int, worker_id: int) -> str | None:
    """'pending', 'accepted' or 'declined', or None when no contact request was sent."""
    row = db.execute(
        "SELECT status FROM contact_requests WHERE job_id = ? AND worker_id = ?",
        [job_id, worker_id],
    ).fetchone()
    return row[0] if row else None


def contact_requests_of(db: Database, worker_id: int, *, status: str | None = None) -> list[dict]:
    """The worker's contact requests, newest first, with the job and its employer."""
    condition = "AND c.status = ?" if status else ""
    params = [worker_id, status] if status else [worker_id]
    return list(
        db.query(
            f"""SELECT c.id, c.status, c.created_at, c.decided_at, c.message,
                       j.external_id AS job, j.title, j.city, e.name AS employer
                FROM contact_requests c JOIN jobs j ON j.id = c.job_id
                JOIN employers e ON e.id = j.employer_id
                WHERE c.worker_id = ? {condition}
                ORDER BY c.created_at DESC, c.id DESC""",
            params,
        )
    )


def contact_request_of(db: Database, worker_id: int, request_id: int) -> dict | None:
    """One of the worker's contact requests, or None when it is not theirs."""
    return next((r for r in contact_requests_of(db, worker_id) if r["id"] == request_id), None)


def clean_message(text: str | None) -> str:
    """The employer's message as stored: line breaks kept (as LF), control characters and
    surrounding blank space dropped; RowError naming `message` when it is too long."""
    text = (text or "").replace("\r\n", "\n").replace("\r", "\n")
    text = _CONTROL.sub("", text).strip()
    if len(text) > MAX_MESSAGE_CHARS:
        raise RowError(
            "message",
            N_("at most %(limit)s characters (%(count)s given)"),
            limit=MAX_MESSAGE_CHARS,
            count=len(text),
        )
    return text


def request_contact(
    db: Database, job_id: int, worker_id: int, user_id: int | None, message: str = ""
) -> int | None:
    """Send the job's contact request to the worker, once, and queue its email to them.

    Contacting again changes nothing (the first message stays). Returns the request's id,
    or None when the request already existed.
    """
    message = clean_message(message)
    with write_transaction(db):
        if contact_request_status(db, job_id, worker_id) is not None:
            return None
        request_id = db.execute(
            """INSERT INTO contact_requests
               (job_id, worker_id, requested_by_user_id, message, created_at)
               VALUES (?, ?, ?, ?, ?)""",
            [job_id, worker_id, user_id, message, utc_now()],
        ).lastrowid
        _queue_email_to_worker(db, request_id, worker_id)
    return request_id


def _queue_email_to_worker(db: Database, request_id: int, worker_id: int) -> None:
    row = db.execute(
        "SELECT email FROM workers WHERE id = ? AND deleted_at IS NULL", [worker_id]
    ).fetchone()
    if row and row[0]:
        key = f"{outbox.CONTACT_REQUEST}:{request_id}"
        payload = {"request_id": request_id}
        email = outbox.transactional(
            outbox.CONTACT_REQUEST, key, row[0], payload, worker_id=worker_id
        )
        outbox.enqueue(db, email)


def _queue_email_to_employer(db: Database, request_id: int) -> None:
    row = db.execute(
        """SELECT u.id, u.email FROM contact_requests c
           JOIN users u ON u.id = c.requested_by_user_id AND u.disabled_at IS NULL
           WHERE c.id = ?""",
        [request_id],
    ).fetchone()
    if row:
        key = f"{outbox.CONTACT_ANSWER}:{request_id}"
        payload = {"request_id": request_id}
        email = outbox.transactional(outbox.CONTACT_ANSWER, key, row[1], payload, user_id=row[0])
        outbox.enqueue(db, email)


def contact_request_facts(db: Database, request_id: int) -> dict | None:
    """What the emails about a request say: job, employer, message, answer, and the worker's
    name and email (only the accepted-answer email shows those)."""
    rows = db.query(
        """SELECT c.id, c.status, c.message, c.worker_id, c.requested_by_user_id AS user_id,
                  c.created_at, j.id AS job_id, j.external_id AS job, j.title, j.city,
                  e.name AS employer, w.external_id AS worker, w.name AS worker_name,
                  w.email AS worker_email
           FROM contact_requests c JOIN jobs j ON j.id = c.job_id
           JOIN employers e ON e.id = j.employer_id JOIN workers w ON w.id = c.worker_id
           WHERE c.id = ?""",
        [request_id],
    )
    return next(iter(rows), None)


def answer_contact_request(
    db: Database, worker_id: int, request_id: int, answer: str
) -> ContactAnswer:
    """Accept or decline one of the worker's pending requests; a decided one stays as it is.

    A change queues the email telling the employer user who asked.
    """
    if answer not in ANSWERS:
        raise ValueError(f"not an answer to a contact request: {answer!r}")
    with write_transaction(db):
        before = contact_request_of(db, worker_id, request_id)
        if before is None:
            raise ContactRequestNotFound(request_id)
        changed = db.execute(
            """UPDATE contact_requests SET status = ?, decided_at = ?
               WHERE id = ? AND worker_id = ? AND status = 'pending'""",
            [answer, utc_now(), request_id, worker_id],
        ).rowcount
        if changed:
            _queue_email_to_employer(db, request_id)
    return ContactAnswer(before, changed == 1)
