"""Employers' daily email: "N new strong matches for job X", for the users who opted in.

A match is strong when its fit band is `strong` (`matcher.fit`). It is new for a user and
job when no earlier email announced it to that user for that job (so never the previous
one) and nobody decided on the candidate yet (their pipeline stage is still `new`). One
email per user and day (`employer_daily:<user_id>:<date>`), none when nothing is new, and
none while the user's previous one is still waiting to leave.

The email stays short however much is new (an employer's first one may count hundreds):
its count line gives the true total, then it names the `transactional.MAX_JOBS_LISTED` jobs
with the most new strong matches, each with its best `MAX_CANDIDATES_LISTED` (blind: id,
fit, required skills) and "and N more" with the shortlist's link, then "M more jobs" with
the jobs list's. Every counted candidate is recorded as announced, named or not, so the
next day's count stays "new since the last email".
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field

from sqlite_utils import Database

from matcher.config import Settings, resolve_secret_key
from matcher.fit import STRONG
from matcher.hiring.stages import pipeline_stages
from matcher.notifications import delivery, outbox
from matcher.ranking.shortlists import Candidate, shortlist_for_job
from matcher.store import write_transaction

PAGE = 100  # candidates read at a time while strong ones keep coming
MAX_CANDIDATES_LISTED = 5  # candidates named per job; the rest are counted, with its shortlist
SKILL_KEYS = ("matched_skills", "missing_skills", "matched_nice_to_have_skills")


@dataclass(frozen=True)
class NewMatches:
    """A job's new strong matches, best first; `top` are the ones the email names."""

    job_id: int
    job: str
    title: str
    worker_ids: tuple[int, ...]
    top: tuple[Candidate, ...] = ()

    def payload(self) -> dict:
        """What the outbox row keeps: only what the email shows of the named candidates (their
        blind id, percentile and skill lists), none of the rest of their explanation."""
        top = [
            {
                "worker": c.worker,
                "percentile": c.fit.percentile,
                **{key: list(c.explanation.get(key) or ()) for key in SKILL_KEYS},
            }
            for c in self.top
            if c.fit is not None
        ]
        return {"job_id": self.job_id, "worker_ids": list(self.worker_ids), "top": top}


@dataclass
class EmployerEmailsReport:
    users: int = 0
    queued: int = 0
    new_matches: int = 0
    delivery: delivery.DeliveryReport | None = None
    previews: list[tuple[str, list[NewMatches]]] = field(default_factory=list, repr=False)

    def counts(self) -> dict[str, int]:
        counts = {"users": self.users, "queued": self.queued, "new_matches": self.new_matches}
        if self.delivery is not None:
            counts |= {"sent": self.delivery.sent, "failed": self.delivery.failed}
        return counts


def strong_match_emails_on(db: Database, user_id: int) -> bool:
    row = db.execute("SELECT strong_match_emails FROM users WHERE id = ?", [user_id]).fetchone()
    return bool(row and row[0])


def set_strong_match_emails(db: Database, user_id: int, on: bool) -> None:
    """Turn an employer user's daily email on or off."""
    db.execute("UPDATE users SET strong_match_emails = ? WHERE id = ?", [int(on), user_id])


def strong_candidates(db: Database, settings: Settings, job_external_id: str) -> list[Candidate]:
    """The job's candidates whose fit is strong, best first."""
    found, offset = [], 0
    while True:
        page = shortlist_for_job(
            db, job_external_id, limit=PAGE, offset=offset, settings=settings
        ).candidates
        strong = [c for c in page if c.fit is not None and c.fit.band == STRONG]
        found += strong
        if len(page) < PAGE or not strong:
            return found
        offset += PAGE


def new_strong_matches(
    db: Database, settings: Settings, user_id: int, employer_id: int
) -> list[NewMatches]:
    """Per open job of the employer: the strong matches this user was never told about and
    nobody decided on yet."""
    jobs = db.execute(
        "SELECT id, external_id, title FROM jobs WHERE employer_id = ? AND status = 'open'"
        " ORDER BY id",
        [employer_id],
    ).fetchall()
    result = []
    for job_id, external_id, title in jobs:
        decided = {w for w, stage in pipeline_stages(db, job_id).items() if stage.stage != "new"}
        candidates = [
            c for c in strong_candidates(db, settings, external_id) if c.worker not in decided
        ]
        ids = _internal_ids(db, [c.worker for c in candidates])
        notified = _notified(db, user_id, job_id)
        new = [(c, ids[c.worker]) for c in candidates if c.worker in ids]
        new = [(c, worker_id) for c, worker_id in new if worker_id not in notified]
        if new:
            worker_ids = tuple(worker_id for _, worker_id in new)
            top = tuple(c for c, _ in new[:MAX_CANDIDATES_LISTED])
            result.append(NewMatches(job_id, external_id, title, worker_ids, top))
    # Most new first, so the jobs the email names are those with the most to look at.
    return sorted(result, key=lambda m: (-len(m.worker_ids), m.job_id))


def _internal_ids(db: Database, external_ids: list[str]) -> dict[str, int]:
    """Internal ids of the live workers among `external_ids`, by external id."""
    if not external_ids:
        return {}
    marks = ",".join("?" for _ in external_ids)
    sql = (
        f"SELECT external_id, id FROM workers WHERE deleted_at IS NULL AND external_id IN ({marks})"
    )
    return dict(db.execute(sql, external_ids).fetchall())


def _notified(db: Database, user_id: int, job_id: int) -> set[int]:
    sql = "SELECT worker_id FROM employer_notified_candidates WHERE user_id = ? AND job_id = ?"
    return {row[0] for row in db.execute(sql, [user_id, job_id])}


def _opted_in_users(db: Database) -> list[tuple[int, str, int]]:
    """(user id, email, employer id) of employer users who want the email, none waiting."""
    return db.execute(
        """SELECT u.id, u.email, u.employer_id FROM users u
           WHERE u.role = 'employer' AND u.strong_match_emails = 1 AND u.disabled_at IS NULL
             AND u.employer_id IS NOT NULL
             AND NOT EXISTS (SELECT 1 FROM email_outbox o WHERE o.user_id = u.id
                             AND o.kind = 'employer_daily' AND o.status IN ('pending', 'sending'))
           ORDER BY u.id"""
    ).fetchall()


def queue_employer_emails(
    db: Database, settings: Settings, now: dt.datetime, *, dry_run: bool = False
) -> EmployerEmailsReport:
    """Queue today's email for every opted-in employer user with new strong matches."""
    report = EmployerEmailsReport()
    day = now.astimezone(dt.UTC).date().isoformat()
    for user_id, email, employer_id in _opted_in_users(db):
        report.users += 1
        matches = new_strong_matches(db, settings, user_id, employer_id)
        if not matches:
            continue
        report.new_matches += sum(len(m.worker_ids) for m in matches)
        if dry_run:
            report.previews.append((email, matches))
            continue
        payload = {"date": day, "jobs": [m.payload() for m in matches]}
        key = f"{outbox.EMPLOYER_DAILY}:{user_id}:{day}"
        message = outbox.transactional(outbox.EMPLOYER_DAILY, key, email, payload, user_id=user_id)
        with write_transaction(db):
            report.queued += outbox.enqueue(db, message)
    return report


def send_employer_emails(
    db: Database,
    settings: Settings,
    *,
    dry_run: bool = False,
    clock: Callable[[], dt.datetime] = lambda: dt.datetime.now(dt.UTC),
) -> EmployerEmailsReport:
    """Queue today's employer emails, then deliver everything due (nothing on a dry run)."""
    report = queue_employer_emails(db, settings, clock(), dry_run=dry_run)
    if not dry_run:
        report.delivery = delivery.deliver_due(
            db, settings, resolve_secret_key(settings), clock=clock
        )
    return report
