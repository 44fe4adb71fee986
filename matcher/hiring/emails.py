"""The emails the service sent about one candidate for one job, for the employer's candidate
page: the contact request to the worker and the worker's answer to the employer user who
asked, each read from its outbox row (`contact_request:<id>`, `contact_answer:<id>`).

Only the job's own employer gets rows (another employer's job, or no contact request, reads
as none). The worker's address is never part of a row: before acceptance the profile is
blind, so the contact request reads as sent "to the candidate".
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlite_utils import Database

from matcher.i18n import N_
from matcher.notifications import outbox

# The employer sees three states: the outbox's pending and sending are both "queued".
STATUS_LABELS: dict[str, str] = {
    "pending": N_("queued"),
    "sending": N_("queued"),
    "sent": N_("sent"),
    "failed": N_("failed"),
}
KIND_LABELS: dict[str, str] = {
    outbox.CONTACT_REQUEST: N_("Contact request to the candidate"),
    outbox.CONTACT_ANSWER: N_("The candidate’s answer, to %(recipient)s"),
}


@dataclass(frozen=True)
class CandidateEmail:
    """One email about the candidate: what it was, to whom, when and how it went."""

    kind: str
    recipient: str | None  # an employer user's address; None for the (blind) worker
    status: str  # queued, sent or failed
    at: str  # when it was sent, else when it was queued (ISO 8601 UTC)

    @property
    def label(self) -> str:
        """The untranslated label (`%(recipient)s` filled by the page after translation)."""
        return KIND_LABELS[self.kind]


def candidate_emails(
    db: Database, employer_id: int, job_id: int, worker_id: int
) -> list[CandidateEmail]:
    """The emails about `worker_id` for the employer's job `job_id`, oldest first."""
    rows = db.execute(
        """SELECT o.kind, o.recipient, o.status, o.created_at, o.sent_at
           FROM contact_requests c JOIN jobs j ON j.id = c.job_id
           JOIN email_outbox o ON o.dedupe_key IN
                (? || ':' || c.id, ? || ':' || c.id)
           WHERE c.job_id = ? AND c.worker_id = ? AND j.employer_id = ?
           ORDER BY o.created_at, o.id""",
        [outbox.CONTACT_REQUEST, outbox.CONTACT_ANSWER, job_id, worker_id, employer_id],
    ).fetchall()
    return [
        CandidateEmail(
            kind=kind,
            recipient=recipient if kind == outbox.CONTACT_ANSWER else None,
            status=STATUS_LABELS[status],
            at=sent_at or created_at,
        )
        for kind, recipient, status, created_at, sent_at in rows
    ]
