"""The demo's sign-in accounts: one per employer, and the few worth trying first.

`make run` prints only the suggestions (an employer whose open job has the busiest pipeline,
a worker with matches, an operator); `talentmatch users list` lists every account.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlite_utils import Database

from matcher import accounts
from matcher.constants import DECISION_STAGES
from matcher.email_addresses import display_email

OPERATOR_EMAIL = "ops@talentmatch.example"


@dataclass(frozen=True)
class SuggestedAccount:
    """A demo account to try, and what it shows."""

    role: str
    email: str
    shows: str


def suggested_demo_accounts(db: Database) -> list[SuggestedAccount]:
    """An employer, a worker and an operator account (created if missing, all with
    `accounts.DEMO_PASSWORD`); an empty list before the demo data exists."""
    accounts.ensure_demo_users(db)
    suggestions = [_busiest_employer(db), _worker_with_matches(db), _operator(db)]
    return [suggestion for suggestion in suggestions if suggestion is not None]


def _busiest_employer(db: Database) -> SuggestedAccount | None:
    marks = ", ".join("?" for _ in DECISION_STAGES)
    row = db.execute(
        f"""SELECT e.name, j.title, count(DISTINCT o.worker_id) AS decided
            FROM employers e LEFT JOIN jobs j ON j.employer_id = e.id AND j.status = 'open'
            LEFT JOIN outcomes o ON o.job_id = j.id AND o.stage IN ({marks})
            GROUP BY e.id, j.id ORDER BY decided DESC, j.id IS NULL, e.name, j.id LIMIT 1""",
        list(DECISION_STAGES),
    ).fetchone()
    if row is None:
        return None
    name, title, decided = row
    if title is None:
        shows = f"{name}: post a job, then see its shortlist"
    else:
        shows = f"{name}: shortlist and pipeline of “{title}” ({decided} candidates decided)"
    return SuggestedAccount("employer", accounts.demo_email_for(name), shows)


def _worker_with_matches(db: Database) -> SuggestedAccount | None:
    """The live worker shortlisted or further for the most open jobs: their matches are good."""
    marks = ", ".join("?" for _ in DECISION_STAGES)
    row = db.execute(
        f"""SELECT w.id, w.external_id, w.email FROM workers w
            JOIN outcomes o ON o.worker_id = w.id AND o.stage IN ({marks})
            JOIN jobs j ON j.id = o.job_id AND j.status = 'open'
            WHERE w.deleted_at IS NULL AND w.email IS NOT NULL
            GROUP BY w.id ORDER BY count(DISTINCT j.id) DESC, w.id LIMIT 1""",
        list(DECISION_STAGES),
    ).fetchone()
    if row is None:
        return None
    worker_id, external_id, email = row
    user = db.execute("SELECT email FROM users WHERE worker_id = ?", [worker_id]).fetchone()
    if user is None:
        if accounts.find_user_by_email(db, email) is not None:
            return None  # the address is another account's: no demo login for this worker
        user = [
            accounts.create_user(
                db, email=email, password=accounts.DEMO_PASSWORD, role="worker", worker_id=worker_id
            ).email
        ]
    shows = f"worker {external_id}: their matches and contact requests"
    return SuggestedAccount("worker", display_email(user[0]), shows)


def _operator(db: Database) -> SuggestedAccount:
    if accounts.find_user_by_email(db, OPERATOR_EMAIL) is None:
        accounts.create_user(
            db, email=OPERATOR_EMAIL, password=accounts.DEMO_PASSWORD, role="operator"
        )
    shows = "the API for any worker's matches (`talentmatch tokens create --email` this address)"
    return SuggestedAccount("operator", OPERATOR_EMAIL, shows)


def list_users(db: Database) -> list[dict]:
    """Every account by role and address (as people read it): email, role, employer."""
    rows = db.query(
        """SELECT u.email, u.role, e.name AS employer, u.disabled_at FROM users u
           LEFT JOIN employers e ON e.id = u.employer_id"""
    )
    users = [{**row, "email": display_email(row["email"])} for row in rows]
    return sorted(users, key=lambda user: (user["role"], user["email"].casefold()))
