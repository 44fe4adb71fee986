"""The consent ledger for match emails (Canada's anti-spam law, CASL).

Every grant and withdrawal is a row in `consents` (when, how, with which wording); this module
is the only writer of that table (imports, the web app and account deletion call it). Whether
a worker may be emailed is decided by the latest row, not by `workers.match_emails` alone, and
an address that bounced permanently is never mailed again (`email_suppressions`).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from sqlite_utils import Database

from matcher.store import utc_now, write_transaction

PURPOSE = "match_emails"
UNSUBSCRIBE_WORDING = "Unsubscribed from match emails with the link in a match email."

# A worker may be emailed when the newest consent row grants it, the profile still opts in,
# the account is not deleted, and the address has not bounced permanently.
CONSENTING_WORKERS_SQL = """
    SELECT w.id, w.external_id, w.name, w.email, w.digest_frequency
    FROM workers AS w
    JOIN consents AS c ON c.id = (
        SELECT id FROM consents
        WHERE worker_id = w.id AND purpose = 'match_emails'
        ORDER BY at DESC, id DESC LIMIT 1
    )
    WHERE c.granted = 1
      AND w.match_emails = 1
      AND w.deleted_at IS NULL
      AND w.email IS NOT NULL AND w.email != ''
      AND NOT EXISTS (SELECT 1 FROM email_suppressions AS s WHERE s.email = w.email)
"""


@dataclass(frozen=True)
class ConsentEntry:
    """One row of the ledger: a grant or withdrawal of match emails, how and with what words."""

    worker_id: int
    granted: bool
    method: str
    wording: str
    at: str


def append_consents(db: Database, entries: Iterable[ConsentEntry]) -> None:
    """Append entries to the ledger only; the caller keeps `workers.match_emails` in step."""
    db.conn.executemany(
        "INSERT INTO consents (worker_id, purpose, granted, method, wording, at)"
        " VALUES (?, ?, ?, ?, ?, ?)",
        [(e.worker_id, PURPOSE, int(e.granted), e.method, e.wording, e.at) for e in entries],
    )


def record_consent(
    db: Database,
    worker_id: int,
    *,
    granted: bool,
    method: str,
    wording: str,
    at: str | None = None,
) -> None:
    """Append a grant or withdrawal to the ledger and mirror it on the worker's profile."""
    with write_transaction(db):
        append_consents(db, [ConsentEntry(worker_id, granted, method, wording, at or utc_now())])
        db.execute(
            "UPDATE workers SET match_emails = ?, updated_at = ? WHERE id = ?",
            [int(granted), utc_now(), worker_id],
        )


def latest_consent(db: Database, worker_id: int) -> bool | None:
    """The newest ledger entry for match emails: granted, withdrawn, or None if there is none."""
    row = db.execute(
        "SELECT granted FROM consents WHERE worker_id = ? AND purpose = ?"
        " ORDER BY at DESC, id DESC LIMIT 1",
        [worker_id, PURPOSE],
    ).fetchone()
    return None if row is None else bool(row[0])


def withdraw_consent(db: Database, worker_id: int, *, method: str) -> None:
    """Unsubscribe: record the withdrawal (once) and cancel any digest not yet sent."""
    with write_transaction(db):
        if latest_consent(db, worker_id) is not False:
            record_consent(db, worker_id, granted=False, method=method, wording=UNSUBSCRIBE_WORDING)
        db.execute(
            "UPDATE email_outbox SET status = 'failed', last_error = 'unsubscribed'"
            " WHERE worker_id = ? AND kind = 'digest' AND status IN ('pending', 'sending')",
            [worker_id],
        )


def may_email(db: Database, worker_id: int) -> bool:
    """Whether the worker may receive a match email right now."""
    sql = f"SELECT 1 FROM ({CONSENTING_WORKERS_SQL}) WHERE id = ?"
    return db.execute(sql, [worker_id]).fetchone() is not None


def may_send_transactional(db: Database, worker_id: int | None, user_id: int | None) -> bool:
    """Whether a transactional email (no consent needed) may go to this worker or account.

    Never to a deleted worker or a disabled account, nor to an address that bounced for good.
    """
    if worker_id is not None:
        sql = "SELECT email FROM workers WHERE id = ? AND deleted_at IS NULL"
        row = db.execute(sql, [worker_id]).fetchone()
    else:
        sql = "SELECT email FROM users WHERE id = ? AND disabled_at IS NULL"
        row = db.execute(sql, [user_id]).fetchone()
    if row is None or not row[0]:
        return False
    suppressed = "SELECT 1 FROM email_suppressions WHERE email = ?"
    return db.execute(suppressed, [row[0]]).fetchone() is None


def suppress_address(db: Database, email: str, reason: str) -> None:
    """Never mail `email` again (a permanent delivery failure)."""
    db.execute(
        "INSERT INTO email_suppressions (email, reason, at) VALUES (?, ?, ?)"
        " ON CONFLICT (email) DO UPDATE SET reason = excluded.reason, at = excluded.at",
        [email, reason[:500], utc_now()],
    )


def record_not_relevant(db: Database, worker_id: int, job_id: int) -> None:
    """The worker marked a job in a digest as not relevant: never suggest it to them again."""
    db.execute(
        "INSERT INTO match_feedback (worker_id, job_id, kind, at) VALUES (?, ?, 'not_relevant', ?)"
        " ON CONFLICT (worker_id, job_id, kind) DO NOTHING",
        [worker_id, job_id, utc_now()],
    )


def email_preferences(db: Database, worker_id: int) -> dict:
    """The worker's choice of match emails and how often they come (`digest_frequency`)."""
    sql = "SELECT match_emails, digest_frequency FROM workers WHERE id = ?"
    match_emails, frequency = db.execute(sql, [worker_id]).fetchone()
    return {"match_emails": bool(match_emails), "digest_frequency": frequency}


def save_email_preferences(
    db: Database, worker_id: int, *, match_emails: bool, frequency: str, wording: str
) -> None:
    """Save the frequency; a change of consent goes to the ledger with the wording shown."""
    with write_transaction(db):
        if match_emails != email_preferences(db, worker_id)["match_emails"]:
            record_consent(db, worker_id, granted=match_emails, method="web", wording=wording)
        db.execute("UPDATE workers SET digest_frequency = ? WHERE id = ?", [frequency, worker_id])
