"""Outcome records: what happened between a job and a worker, appended and never changed.

The same (job, worker, stage, at) recorded twice is one event: the second time is
`UNCHANGED`, so re-importing a file or pressing a button twice adds nothing.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from sqlite_utils import Database

from matcher.constants import STAGES
from matcher.records import parsing
from matcher.records.parsing import RowError
from matcher.records.saving import SaveStatus, select_in
from matcher.store import utc_now, write_transaction

COLUMNS: tuple[str, ...] = ("job_external_id", "worker_external_id", "stage", "at")
REQUIRED_COLUMNS: tuple[str, ...] = COLUMNS


@dataclass(frozen=True)
class OutcomeRecord:
    """One funnel event; `at` is UTC text ending in `Z`."""

    job_external_id: str
    worker_external_id: str
    stage: str
    at: str


@dataclass(frozen=True)
class RecordedOutcome:
    """The outcome as stored, and whether this call added it (False: it was already there)."""

    record: OutcomeRecord
    inserted: bool


def parse_outcome(row: dict) -> OutcomeRecord:
    """Validate a contract row into an `OutcomeRecord` (a time without offset is UTC)."""
    job = parsing.required_text(row, "job_external_id")
    worker = parsing.required_text(row, "worker_external_id")
    stage = parsing.enum(row, "stage", STAGES)
    if stage is None:
        raise RowError("stage", f"required: one of {', '.join(STAGES)}")
    at = parsing.utc_timestamp(row, "at")
    if at is None:
        raise RowError("at", "required")
    return OutcomeRecord(job, worker, stage, at)


def outcome_to_row(record: OutcomeRecord) -> dict:
    """The contract row for `record`."""
    return {
        "job_external_id": record.job_external_id,
        "worker_external_id": record.worker_external_id,
        "stage": record.stage,
        "at": record.at,
    }


def record_outcome(
    db: Database,
    job_external_id: str,
    worker_external_id: str,
    stage: str,
    at: str | dt.datetime | None = None,
    source: str = "web",
    actor_user_id: int | None = None,
) -> RecordedOutcome:
    """Append one outcome (at now by default); raises `RowError` naming a bad or unknown field."""
    if isinstance(at, dt.datetime):
        at = parsing.format_timestamp(at)
    row = {
        "job_external_id": job_external_id,
        "worker_external_id": worker_external_id,
        "stage": stage,
        "at": at or utc_now(),
    }
    record = parse_outcome(row)
    result = save_outcomes(db, [record], source=source, actor_user_id=actor_user_id)[0]
    if isinstance(result, RowError):
        raise result
    return RecordedOutcome(record, result is SaveStatus.INSERTED)


def save_outcomes(
    db: Database,
    records: Sequence[OutcomeRecord],
    *,
    source: str = "import",
    actor_user_id: int | None = None,
) -> list[SaveStatus | RowError]:
    """Append the outcomes whose job and worker exist, in one transaction; repeats are unchanged."""
    with write_transaction(db):
        jobs = _ids(db, "jobs", [record.job_external_id for record in records])
        workers = _ids(db, "workers", [record.worker_external_id for record in records])
        now = utc_now()
        return [
            _append(db, record, jobs, workers, source, actor_user_id, now) for record in records
        ]


def _ids(db: Database, table: str, external_ids: list[str]) -> dict[str, int]:
    sql = f"SELECT external_id, id FROM {table} WHERE external_id IN ({{placeholders}})"
    return dict(select_in(db, sql, list(set(external_ids))))


def _append(
    db: Database,
    record: OutcomeRecord,
    jobs: dict[str, int],
    workers: dict[str, int],
    source: str,
    actor_user_id: int | None,
    now: str,
) -> SaveStatus | RowError:
    if record.job_external_id not in jobs:
        return RowError("job_external_id", f"no job with external id {record.job_external_id!r}")
    if record.worker_external_id not in workers:
        return RowError(
            "worker_external_id", f"no worker with external id {record.worker_external_id!r}"
        )
    cursor = db.conn.execute(
        "INSERT OR IGNORE INTO outcomes (job_id, worker_id, stage, at, source, actor_user_id,"
        " recorded_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
        (
            jobs[record.job_external_id],
            workers[record.worker_external_id],
            record.stage,
            record.at,
            source,
            actor_user_id,
            now,
        ),
    )
    return SaveStatus.INSERTED if cursor.rowcount == 1 else SaveStatus.UNCHANGED


def iter_outcomes(db: Database, *, batch_size: int = 1000) -> Iterator[OutcomeRecord]:
    """Every outcome, in the order it was recorded."""
    cursor = db.execute(
        "SELECT jobs.external_id, workers.external_id, outcomes.stage, outcomes.at"
        " FROM outcomes JOIN jobs ON jobs.id = outcomes.job_id"
        " JOIN workers ON workers.id = outcomes.worker_id ORDER BY outcomes.id"
    )
    while batch := cursor.fetchmany(batch_size):
        for row in batch:
            yield OutcomeRecord(*row)
