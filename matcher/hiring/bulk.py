"""Bulk decisions: one stage for several candidates of a job, each checked like one decision.

Authorization comes first and covers the whole selection: another employer's job, or a
worker id that is unknown or deleted, raises `NotFound` before anything is recorded. Each
candidate then goes through `decisions.record_decision`, the same state machine as a single
decision, and gets its own result: recorded, unchanged (already at that stage) or refused
(with the rule that refuses it).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

from sqlite_utils import Database

from matcher.hiring.decisions import (
    TransitionRefused,
    live_worker_id,
    owned_job_id,
    record_decision,
)
from matcher.hiring.stages import stage_label
from matcher.store import write_transaction

BULK_STAGES: tuple[str, ...] = ("shortlisted", "contacted", "rejected")
MAX_BULK_CANDIDATES = 500
Result = Literal["recorded", "unchanged", "refused"]


class BulkError(ValueError):
    """The bulk request itself cannot be used; `field` names the culprit and `reason` says
    why in one word (`empty`, `too_many`, `stage`) for pages to word it."""

    def __init__(self, field_name: str, reason: str, message: str) -> None:
        super().__init__(message)
        self.field = field_name
        self.reason = reason
        self.message = message


@dataclass(frozen=True)
class BulkItem:
    """What happened to one selected candidate."""

    worker: str
    result: Result
    stage: str  # the candidate's stage afterwards
    rule: str | None = None
    message: str | None = None

    def to_json(self) -> dict:
        return {
            "worker": self.worker,
            "result": self.result,
            "stage": self.stage,
            "rule": self.rule,
            "message": self.message,
        }


@dataclass(frozen=True)
class BulkOutcome:
    """Every selected candidate's result, in the order they were selected."""

    job: str
    stage: str
    items: tuple[BulkItem, ...]

    def of(self, result: Result) -> list[BulkItem]:
        return [item for item in self.items if item.result == result]

    def to_json(self) -> dict:
        return {
            "job": self.job,
            "stage": self.stage,
            "recorded": len(self.of("recorded")),
            "results": [item.to_json() for item in self.items],
        }


def selected_workers(worker_external_ids: Iterable[str]) -> list[str]:
    """The selection without blanks or repeats, in order; BulkError when empty or too big."""
    selection = list(dict.fromkeys(w.strip() for w in worker_external_ids if w and w.strip()))
    if not selection:
        raise BulkError("workers", "empty", "Select at least one candidate.")
    if len(selection) > MAX_BULK_CANDIDATES:
        message = f"Select at most {MAX_BULK_CANDIDATES} candidates at once."
        raise BulkError("workers", "too_many", message)
    return selection


def check_bulk_stage(stage: str) -> str:
    """The stage if bulk actions may record it; BulkError naming `stage` otherwise."""
    if stage not in BULK_STAGES:
        raise BulkError("stage", "stage", f"stage must be one of {', '.join(BULK_STAGES)}")
    return stage


def record_bulk_decision(
    db: Database,
    employer_id: int,
    job_external_id: str,
    worker_external_ids: Iterable[str],
    stage: str,
    *,
    actor_user_id: int | None,
    source: str = "web",
) -> BulkOutcome:
    """Record `stage` for each selected candidate that the state machine allows.

    Raises BulkError for a bad stage or selection and NotFound (nothing recorded) for
    another employer's job or an unknown worker.
    """
    check_bulk_stage(stage)
    selection = selected_workers(worker_external_ids)
    with write_transaction(db):
        owned_job_id(db, employer_id, job_external_id)
        for worker in selection:
            live_worker_id(db, worker)
        items = tuple(
            _decide_one(db, employer_id, job_external_id, worker, stage, actor_user_id, source)
            for worker in selection
        )
    return BulkOutcome(job_external_id, stage, items)


def _decide_one(
    db: Database,
    employer_id: int,
    job_external_id: str,
    worker: str,
    stage: str,
    actor_user_id: int | None,
    source: str,
) -> BulkItem:
    try:
        event = record_decision(
            db,
            employer_id,
            job_external_id,
            worker,
            stage,
            actor_user_id=actor_user_id,
            source=source,
        )
    except TransitionRefused as refused:
        return BulkItem(worker, "refused", refused.current, refused.rule, refused.message)
    if event["recorded"]:
        return BulkItem(worker, "recorded", stage)
    message = f"Already {stage_label(stage).lower()}."
    return BulkItem(worker, "unchanged", stage, None, message)
