"""Employer decisions on candidates: outcome events, and the contact request "contacted" sends."""

from __future__ import annotations

from sqlite_utils import Database

from matcher.constants import DECISION_STAGES
from matcher.errors import NotFound
from matcher.hiring.contact_requests import clean_message, request_contact
from matcher.hiring.stages import TransitionRefused as TransitionRefused  # re-exported
from matcher.hiring.stages import candidate_stage, refusal
from matcher.records import workers
from matcher.records.outcomes import record_outcome
from matcher.store import write_transaction


class NotADecisionStage(ValueError):
    """The stage is not one an employer records (see `DECISION_STAGES`)."""


def owned_job_id(db: Database, employer_id: int, job_external_id: str) -> int:
    """The internal id of the employer's job; NotFound for anyone else's or none."""
    row = db.execute(
        "SELECT id FROM jobs WHERE external_id = ? AND employer_id = ?",
        [job_external_id, employer_id],
    ).fetchone()
    if row is None:
        raise NotFound("job", job_external_id)
    return row[0]


def live_worker_id(db: Database, worker_external_id: str) -> int:
    """The internal id of a worker who has not been deleted; NotFound otherwise."""
    worker_id = workers.live_worker_id(db, worker_external_id)
    if worker_id is None:
        raise NotFound("worker", worker_external_id)
    return worker_id


def record_decision(
    db: Database,
    employer_id: int,
    job_external_id: str,
    worker_external_id: str,
    stage: str,
    *,
    actor_user_id: int | None,
    source: str = "web",
    message: str = "",
) -> dict:
    """Append the decision as an outcome event if the state machine allows it (see `stages`).

    Raises `TransitionRefused` (nothing written) when it does not; recording the candidate's
    current stage again adds no event. "contacted" also sends a contact request, once, with
    the employer's `message` (RowError naming `message` when it is too long).
    """
    if stage not in DECISION_STAGES:
        raise NotADecisionStage(f"not a decision stage: {stage!r}")
    job_id = owned_job_id(db, employer_id, job_external_id)
    message = clean_message(message)
    worker_id = live_worker_id(db, worker_external_id)
    with write_transaction(db):
        current = candidate_stage(db, job_id, worker_id)
        at, inserted = current.since, False
        if current.stage != stage:
            refused = refusal(current.stage, stage, current.contact_status)
            if refused is not None:
                raise refused
            recorded = record_outcome(
                db,
                job_external_id,
                worker_external_id,
                stage,
                source=source,
                actor_user_id=actor_user_id,
            )
            at, inserted = recorded.record.at, recorded.inserted
        if stage == "contacted":
            request_contact(db, job_id, worker_id, actor_user_id, message)
    return {
        "job": job_external_id,
        "worker": worker_external_id,
        "stage": stage,
        "at": at,
        "recorded": inserted,
    }


def latest_decisions(db: Database, job_id: int) -> dict[str, str]:
    """The latest decision stage recorded for each worker on the job, by worker external id.

    `stages.pipeline_stages` is the current stage including withdrawals and new candidates.
    """
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
