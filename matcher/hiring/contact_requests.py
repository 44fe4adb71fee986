"""Contact requests: sent by a "contacted" decision, accepted or declined by the worker.

Accepting reveals the worker's name and email to that job's employer only (the employer's
candidate page reads `contact_request_status`); declining keeps them hidden.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlite_utils import Database

from matcher.store import utc_now, write_transaction

ANSWERS: tuple[str, ...] = ("accepted", "declined")


class ContactRequestNotFound(LookupError):
    """The request is another worker's, or there is none (the same answer, so ids leak nothing)."""


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
            f"""SELECT c.id, c.status, c.created_at, c.decided_at, j.external_id AS job,
                       j.title, j.city, e.name AS employer
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


def answer_contact_request(
    db: Database, worker_id: int, request_id: int, answer: str
) -> ContactAnswer:
    """Accept or decline one of the worker's pending requests; a decided one stays as it is."""
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
    return ContactAnswer(before, changed == 1)
