"""Worker interest: a worker's "I'm interested" or "Not for me" on a job.

Append-only (migration m016): every answer is a new timestamped row and the latest row per
(worker, job) is the current choice, so the history stays readable as of any date. The job
page and the match emails' signed links record answers; the employer's shortlist shows
"Interested" and sorts reciprocally; "Not for me" takes the job out of the worker's matches
and digests. Work authorization has nothing to do with any of it.
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlite_utils import Database

from matcher.store import utc_now, write_transaction

INTERESTED = "interested"
NOT_FOR_ME = "not_for_me"
CHOICES: tuple[str, ...] = (INTERESTED, NOT_FOR_ME)
SOURCES: tuple[str, ...] = ("page", "email")
# Ordering of the reciprocal sort within a fit band: interested, no answer, not for me.
INTEREST_ORDER: dict[str | None, int] = {INTERESTED: 0, None: 1, NOT_FOR_ME: 2}

# The latest row of each (worker, job) pair.
LATEST_INTEREST_SQL = """
    SELECT i.worker_id, i.job_id, i.choice, i.source, i.created_at FROM worker_interest i
    WHERE i.id = (SELECT MAX(id) FROM worker_interest
                  WHERE worker_id = i.worker_id AND job_id = i.job_id)
"""


class InterestError(ValueError):
    """A choice or source that does not exist; `field` names which."""

    def __init__(self, field_name: str, reason: str) -> None:
        super().__init__(f"{field_name}: {reason}")
        self.field = field_name
        self.reason = reason


def record_interest(
    db: Database, worker_id: int, job_id: int, choice: str, *, source: str, at: str | None = None
) -> bool:
    """Append the worker's `choice` for the job; False (nothing written) when it is already so."""
    if choice not in CHOICES:
        raise InterestError("choice", f"must be one of {', '.join(CHOICES)}")
    if source not in SOURCES:
        raise InterestError("source", f"must be one of {', '.join(SOURCES)}")
    with write_transaction(db):
        if current_interest(db, worker_id, job_id) == choice:
            return False
        db.execute(
            "INSERT INTO worker_interest (worker_id, job_id, choice, source, created_at)"
            " VALUES (?, ?, ?, ?, ?)",
            [worker_id, job_id, choice, source, at or utc_now()],
        )
    return True


def current_interest(db: Database, worker_id: int, job_id: int) -> str | None:
    """The worker's latest choice for the job, or None when they never answered."""
    row = db.execute(
        "SELECT choice FROM worker_interest WHERE worker_id = ? AND job_id = ?"
        " ORDER BY id DESC LIMIT 1",
        [worker_id, job_id],
    ).fetchone()
    return row[0] if row else None


def interest_for_job(db: Database, job_id: int) -> dict[int, str]:
    """Each answering worker's current choice for the job, by worker id."""
    rows = db.execute(
        f"SELECT worker_id, choice FROM ({LATEST_INTEREST_SQL}) WHERE job_id = ?", [job_id]
    )
    return {worker_id: choice for worker_id, choice in rows}


def not_for_me_jobs(db: Database, worker_id: int) -> set[int]:
    """Jobs the worker currently marks "Not for me" (left out of their matches and digests)."""
    rows = db.execute(
        f"SELECT job_id FROM ({LATEST_INTEREST_SQL}) WHERE worker_id = ? AND choice = ?",
        [worker_id, NOT_FOR_ME],
    )
    return {row[0] for row in rows}


def not_for_me_pairs(db: Database) -> Iterable[tuple[int, int]]:
    """(worker id, job id) of every pair whose current choice is "Not for me"."""
    return db.execute(
        f"SELECT worker_id, job_id FROM ({LATEST_INTEREST_SQL}) WHERE choice = ?", [NOT_FOR_ME]
    ).fetchall()


def interested_workers(db: Database, job_id: int) -> set[str]:
    """External ids of the live workers whose current choice for the job is "I'm interested"."""
    rows = db.execute(
        f"SELECT w.external_id FROM ({LATEST_INTEREST_SQL}) i JOIN workers w ON w.id = i.worker_id"
        " WHERE i.job_id = ? AND i.choice = ? AND w.deleted_at IS NULL",
        [job_id, INTERESTED],
    )
    return {row[0] for row in rows}
