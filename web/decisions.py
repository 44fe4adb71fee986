"""Employer decisions on candidates: outcome events (the labels retraining learns from)."""

from __future__ import annotations

from sqlite_utils import Database

from matcher.constants import DECISION_STAGES
from matcher.records.outcomes import record_outcome
from matcher.store import utc_now, write_transaction


class NotFoundError(LookupError):
    """The job is not the employer's, or the worker does not exist."""


def owned_job_id(db: Database, employer_id: int, job_external_id: str) -> int:
    """The internal id of the employer's job; NotFoundError for anyone else's or none."""
    row = db.execute(
        "SELECT id FROM jobs WHERE external_id = ? AND employer_id = ?",
        [job_external_id, employer_id],
    ).fetchone()
    if row is None:
        raise NotFoundError(job_external_id)
    return row[0]


def live_worker_id(db: Database, worker_external_id: str) -> int:
    """The internal id of a worker who has not been deleted; NotFoundError otherwise."""
    row = db.execute(
        "SELECT id FROM workers WHERE external_id = ? AND deleted_at IS NULL",
        [worker_external_id],
    ).fetchone()
    if row is None:
        raise NotFoundError(worker_external_id)
    return row[0]


def record_decision(
    db: Database,
    employer_id: int,
    job_external_id: str,
    worker_external_id: str,
    stage: str,
    *,
    actor_user_id: int | None,
    source: str = "web",
) -> dict:
    """Append the decision as an outcome event; "contacted" also sends a contact request."""
    if stage not in DECISION_STAGES:
        raise ValueError(f"not a decision stage: {stage!r}")
    job_id = owned_job_id(db, employer_id, job_external_id)
    worker_id = live_worker_id(db, worker_external_id)
    with write_transaction(db):
        recorded = record_outcome(
            db,
            job_external_id,
            worker_external_id,
            stage,
            source=source,
            actor_user_id=actor_user_id,
        )
        if stage == "contacted":
            db.execute(
                """INSERT OR IGNORE INTO contact_requests
                   (job_id, worker_id, requested_by_user_id, created_at) VALUES (?, ?, ?, ?)""",
                [job_id, worker_id, actor_user_id, utc_now()],
            )
    return {
        "job": job_external_id,
        "worker": worker_external_id,
        "stage": stage,
        "at": recorded.record.at,
        "recorded": recorded.inserted,
    }


def latest_decisions(db: Database, job_id: int) -> dict[str, str]:
    """The latest decision stage recorded for each worker on the job, by worker external id."""
    marks = ", ".join("?" for _ in DECISION_STAGES)
    rows = db.execute(
        f"""SELECT workers.external_id, outcomes.stage FROM outcomes
            JOIN workers ON workers.id = outcomes.worker_id
            WHERE outcomes.job_id = ? AND outcomes.stage IN ({marks})
            ORDER BY outcomes.at, outcomes.id""",
        [job_id, *DECISION_STAGES],
    )
    return dict(rows.fetchall())


def decision_history(db: Database, job_id: int, worker_id: int) -> list[dict]:
    """Every decision event between the job and the worker, oldest first."""
    marks = ", ".join("?" for _ in DECISION_STAGES)
    return list(
        db.query(
            f"""SELECT stage, at, source FROM outcomes
                WHERE job_id = ? AND worker_id = ? AND stage IN ({marks})
                ORDER BY at, id""",
            [job_id, worker_id, *DECISION_STAGES],
        )
    )


def contact_request_status(db: Database, job_id: int, worker_id: int) -> str | None:
    """'pending', 'accepted' or 'declined', or None when no contact request was sent."""
    row = db.execute(
        "SELECT status FROM contact_requests WHERE job_id = ? AND worker_id = ?",
        [job_id, worker_id],
    ).fetchone()
    return row[0] if row else None
