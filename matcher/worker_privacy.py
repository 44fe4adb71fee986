"""A worker's privacy rights: a copy of everything stored about them, and account deletion.

Deletion anonymises rather than removes the `workers` row: outcome events are the labels the
model learns from and are append-only, so they stay, pointing at a row with no personal data
left (no name, email, resume, skills, preferences or account). The row keeps its external id,
so a deleted worker cannot be imported again (see `matcher.records.workers`).
"""

from __future__ import annotations

from typing import Any

from sqlite_utils import Database

from matcher.errors import NotFound
from matcher.notifications.consent import ConsentEntry, append_consents
from matcher.store import utc_now, write_transaction

EXPORT_FORMAT_VERSION = 1
DELETION_CONSENT_METHOD = "account_deleted"
DELETION_CONSENT_WORDING = "Consent to match emails ended when the account was deleted."

_PROFILE_COLUMNS = (
    "external_id",
    "name",
    "email",
    "resume_text",
    "years_experience",
    "education",
    "city_preferences",
    "open_to_remote",
    "english_level",
    "french_level",
    "salary_expectation_cad",
    "work_authorization",
    "available_from",
    "match_emails",
    "digest_frequency",
    "preferred_language",
    "created_at",
    "updated_at",
)

# Personal fields blanked on deletion; NOT NULL columns get an empty or neutral value.
_ANONYMOUS_VALUES: dict[str, Any] = {
    "name": None,
    "email": None,
    "resume_text": "",
    "resume_occupations": None,  # read from the resume (m023), so it goes with it
    "years_experience": 0,
    "education": None,
    "city_preferences": "",
    "open_to_remote": 0,
    "english_level": None,
    "french_level": None,
    "salary_expectation_cad": None,
    "work_authorization": "",
    "available_from": None,
    "match_emails": 0,
    "digest_frequency": "off",
}


class WorkerNotFound(NotFound):
    """No live worker with this internal id (never existed, or already deleted)."""

    def __init__(self, worker_id: object) -> None:
        super().__init__("worker", str(worker_id))


def _rows(db: Database, sql: str, params: list) -> list[dict]:
    return list(db.query(sql, params))


def _live_profile(db: Database, worker_id: int) -> dict:
    columns = ", ".join(_PROFILE_COLUMNS)
    rows = _rows(
        db, f"SELECT {columns} FROM workers WHERE id = ? AND deleted_at IS NULL", [worker_id]
    )
    if not rows:
        raise WorkerNotFound(worker_id)
    profile = rows[0]
    profile["city_preferences"] = [c for c in profile["city_preferences"].split(";") if c]
    profile["open_to_remote"] = bool(profile["open_to_remote"])
    profile["match_emails"] = bool(profile["match_emails"])
    return profile


def export_worker_data(db: Database, worker_id: int) -> dict:
    """Everything stored about one worker, as JSON-ready data, and nothing about anyone else."""
    profile = _live_profile(db, worker_id)
    return {
        "format_version": EXPORT_FORMAT_VERSION,
        "exported_at": utc_now(),
        "profile": profile,
        "skills": _rows(
            db,
            "SELECT skill, years, source FROM worker_skills WHERE worker_id = ? ORDER BY skill",
            [worker_id],
        ),
        "account": _account(db, worker_id),
        "consents": _rows(
            db,
            "SELECT purpose, granted, method, wording, at FROM consents"
            " WHERE worker_id = ? ORDER BY at, id",
            [worker_id],
        ),
        "contact_requests": _contact_requests(db, worker_id),
        "outcomes": _outcomes(db, worker_id),
        "emails": _emails(db, worker_id),
        "match_feedback": _rows(
            db,
            "SELECT j.external_id AS job, f.kind, f.at FROM match_feedback f"
            " JOIN jobs j ON j.id = f.job_id WHERE f.worker_id = ? ORDER BY f.at, f.id",
            [worker_id],
        ),
        "job_interest": _rows(
            db,
            "SELECT j.external_id AS job, i.choice, i.source, i.created_at FROM worker_interest i"
            " JOIN jobs j ON j.id = i.job_id WHERE i.worker_id = ? ORDER BY i.id",
            [worker_id],
        ),
        "audit_attributes": _rows(
            db,
            "SELECT attribute, value FROM audit_attributes WHERE worker_id = ? ORDER BY attribute",
            [worker_id],
        ),
        **_employer_notes(db, worker_id),
    }


def _employer_notes(db: Database, worker_id: int) -> dict[str, list[dict]]:
    # What employers wrote about the worker; like outcomes, without which employee wrote it.
    return {
        "employer_notes": _rows(
            db,
            """SELECT j.external_id AS job, e.name AS employer, n.body, n.created_at
               FROM candidate_notes n JOIN jobs j ON j.id = n.job_id
               JOIN employers e ON e.id = j.employer_id
               WHERE n.worker_id = ? ORDER BY n.created_at, n.id""",
            [worker_id],
        ),
        "employer_tags": _rows(
            db,
            """SELECT j.external_id AS job, e.name AS employer, t.tag, t.created_at
               FROM candidate_tags t JOIN jobs j ON j.id = t.job_id
               JOIN employers e ON e.id = j.employer_id
               WHERE t.worker_id = ? ORDER BY t.created_at, t.tag""",
            [worker_id],
        ),
    }


def _account(db: Database, worker_id: int) -> dict | None:
    rows = _rows(
        db,
        "SELECT id, email, role, created_at FROM users WHERE worker_id = ? ORDER BY id",
        [worker_id],
    )
    if not rows:
        return None
    account = rows[0]
    account["sessions"] = _rows(
        db,
        "SELECT created_at, last_seen_at, ended_at FROM sessions WHERE user_id = ?"
        " ORDER BY created_at",
        [account.pop("id")],
    )
    return account


def _contact_requests(db: Database, worker_id: int) -> list[dict]:
    return _rows(
        db,
        """SELECT j.external_id AS job, j.title, e.name AS employer, c.status,
                  c.message, c.created_at, c.decided_at
           FROM contact_requests c JOIN jobs j ON j.id = c.job_id
           JOIN employers e ON e.id = j.employer_id
           WHERE c.worker_id = ? ORDER BY c.created_at, c.id""",
        [worker_id],
    )


def _outcomes(db: Database, worker_id: int) -> list[dict]:
    # Only the job and the event: who recorded it is the employer's data, not the worker's.
    return _rows(
        db,
        """SELECT j.external_id AS job, j.title, e.name AS employer, o.stage, o.at
           FROM outcomes o JOIN jobs j ON j.id = o.job_id
           JOIN employers e ON e.id = j.employer_id
           WHERE o.worker_id = ? ORDER BY o.at, o.id""",
        [worker_id],
    )


def _emails(db: Database, worker_id: int) -> list[dict]:
    return _rows(
        db,
        """SELECT kind, period, recipient, subject, body_text, status, created_at, sent_at
           FROM email_outbox WHERE worker_id = ? ORDER BY created_at, id""",
        [worker_id],
    )


def delete_worker_account(db: Database, worker_id: int) -> None:
    """Remove the worker's personal data in one transaction, keeping anonymous outcome events.

    The sign-in account and its sessions, skills, contact requests, emails (to them, and the
    employer's copy of their answer to a contact request), feedback, audit
    attributes and employers' notes and tags about them go; the consent ledger gets a closing
    withdrawal and keeps no address.
    """
    with write_transaction(db):
        profile = _live_profile(db, worker_id)
        now = utc_now()
        user_ids = [row[0] for row in db.execute(_USERS_OF_WORKER, [worker_id]).fetchall()]
        _delete_account_rows(db, worker_id, user_ids, profile["email"])
        if profile["match_emails"]:
            closing = ConsentEntry(
                worker_id, False, DELETION_CONSENT_METHOD, DELETION_CONSENT_WORDING, now
            )
            append_consents(db, [closing])
        assignments = ", ".join(f"{column} = ?" for column in _ANONYMOUS_VALUES)
        db.execute(
            f"UPDATE workers SET {assignments}, updated_at = ?, deleted_at = ? WHERE id = ?",
            [*_ANONYMOUS_VALUES.values(), now, now, worker_id],
        )


_USERS_OF_WORKER = "SELECT id FROM users WHERE worker_id = ?"

_WORKER_TABLES = (
    "worker_skills",
    "contact_requests",
    "digest_sent_jobs",
    "email_outbox",
    "match_feedback",
    "worker_interest",
    "audit_attributes",
    "candidate_notes",
    "candidate_tags",
)


def _delete_account_rows(db: Database, worker_id: int, user_ids: list[int], email: str) -> None:
    # The employer's copy of an accepted answer names the worker and their address.
    db.execute(
        """DELETE FROM email_outbox WHERE kind = 'contact_answer' AND dedupe_key IN
           (SELECT 'contact_answer:' || id FROM contact_requests WHERE worker_id = ?)""",
        [worker_id],
    )
    for table in _WORKER_TABLES:
        db.execute(f"DELETE FROM {table} WHERE worker_id = ?", [worker_id])
    for user_id in user_ids:
        db.execute("DELETE FROM sessions WHERE user_id = ?", [user_id])
        db.execute("DELETE FROM api_tokens WHERE user_id = ?", [user_id])
        db.execute("DELETE FROM users WHERE id = ?", [user_id])
    if email:
        db.execute("DELETE FROM sign_in_failures WHERE email = ?", [email])
        db.execute("DELETE FROM email_suppressions WHERE email = ?", [email])
