"""Notes and tags an employer's users keep on a candidate for one of its jobs.

Only the job's employer reads or writes them (callers pass the job id from
`decisions.owned_job_id`); they are personal information about the worker, so
`matcher.worker_privacy` exports them to the worker and removes them on deletion.
"""

from __future__ import annotations

from sqlite_utils import Database

from matcher.i18n import N_
from matcher.store import utc_now, write_transaction

MAX_NOTE_LENGTH = 5000
MAX_TAG_LENGTH = 40


class NoteError(ValueError):
    """A note or tag the rules refuse; `field` names the input at fault."""

    def __init__(self, field: str, message: str, **values: object) -> None:
        super().__init__(message % values if values else message)
        self.field = field
        self.message = str(self)
        self.msgid = message  # pages show `matcher.i18n.localized(error)`
        self.values = values


def add_note(db: Database, job_id: int, worker_id: int, author_user_id: int, body: str) -> int:
    """Store a note (line breaks and accents kept as typed, ends trimmed); returns its id."""
    text = (body or "").replace("\r\n", "\n").strip()
    if not text:
        raise NoteError("body", N_("Write something in the note."))
    if len(text) > MAX_NOTE_LENGTH:
        raise NoteError(
            "body", N_("A note holds at most %(count)d characters."), count=MAX_NOTE_LENGTH
        )
    with write_transaction(db):
        cursor = db.execute(
            """INSERT INTO candidate_notes (job_id, worker_id, author_user_id, body, created_at)
               VALUES (?, ?, ?, ?, ?)""",
            [job_id, worker_id, author_user_id, text, utc_now()],
        )
    return cursor.lastrowid


def delete_note(db: Database, job_id: int, note_id: int, user_id: int) -> bool:
    """Delete a note of this job written by this user; False when there is no such note."""
    with write_transaction(db):
        deleted = db.execute(
            "DELETE FROM candidate_notes WHERE id = ? AND job_id = ? AND author_user_id = ?",
            [note_id, job_id, user_id],
        ).rowcount
    return deleted == 1


def normalize_tag(tag: str) -> str:
    """A tag as stored: single spaces, trimmed; NoteError when empty or too long."""
    text = " ".join((tag or "").split())
    if not text:
        raise NoteError("tag", N_("Type a tag."))
    if len(text) > MAX_TAG_LENGTH:
        raise NoteError(
            "tag", N_("A tag holds at most %(count)d characters."), count=MAX_TAG_LENGTH
        )
    return text


def add_tag(db: Database, job_id: int, worker_id: int, author_user_id: int, tag: str) -> str:
    """Tag the candidate (a tag already there, in any case, stays as it was)."""
    text = normalize_tag(tag)
    with write_transaction(db):
        db.execute(
            """INSERT OR IGNORE INTO candidate_tags
               (job_id, worker_id, tag, author_user_id, created_at) VALUES (?, ?, ?, ?, ?)""",
            [job_id, worker_id, text, author_user_id, utc_now()],
        )
    return text


def remove_tag(db: Database, job_id: int, worker_id: int, tag: str) -> bool:
    """Remove a tag from the candidate; False when it was not there."""
    with write_transaction(db):
        removed = db.execute(
            "DELETE FROM candidate_tags WHERE job_id = ? AND worker_id = ? AND tag = ?",
            [job_id, worker_id, " ".join((tag or "").split())],
        ).rowcount
    return removed == 1


def notes_by_worker(db: Database, job_id: int) -> dict[str, list[dict]]:
    """The job's notes, oldest first, with the author's email, by worker external id."""
    rows = db.query(
        """SELECT w.external_id AS worker, n.id, n.body, n.created_at, n.author_user_id,
                  u.email AS author
           FROM candidate_notes n JOIN workers w ON w.id = n.worker_id
           LEFT JOIN users u ON u.id = n.author_user_id
           WHERE n.job_id = ? ORDER BY n.created_at, n.id""",
        [job_id],
    )
    grouped: dict[str, list[dict]] = {}
    for row in rows:
        grouped.setdefault(row.pop("worker"), []).append(row)
    return grouped


def tags_by_worker(db: Database, job_id: int) -> dict[str, list[str]]:
    """The job's tags, alphabetical, by worker external id."""
    rows = db.execute(
        """SELECT w.external_id, t.tag FROM candidate_tags t JOIN workers w ON w.id = t.worker_id
           WHERE t.job_id = ? ORDER BY t.tag COLLATE NOCASE""",
        [job_id],
    ).fetchall()
    grouped: dict[str, list[str]] = {}
    for worker, tag in rows:
        grouped.setdefault(worker, []).append(tag)
    return grouped
