"""The three record kinds an import or export handles, each described once."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from sqlite_utils import Database

from matcher.records import jobs, outcomes, workers
from matcher.records.parsing import RowError
from matcher.records.saving import SaveStatus

SaveBatch = Callable[[Database, Sequence[Any], str], list[SaveStatus | RowError]]


@dataclass(frozen=True)
class RecordKind:
    """How to parse, save, identify and export one kind of record."""

    name: str
    columns: tuple[str, ...]
    required_columns: tuple[str, ...]
    parse: Callable[[dict], Any]
    save: SaveBatch
    # The field that must be unique within a file, or None when a repeat is harmless.
    key_field: str | None
    to_row: Callable[[Any], dict]
    iter_records: Callable[[Database], Iterator[Any]]


KINDS: dict[str, RecordKind] = {
    "workers": RecordKind(
        name="workers",
        columns=workers.COLUMNS,
        required_columns=workers.REQUIRED_COLUMNS,
        parse=workers.parse_worker,
        save=lambda db, records, source: workers.save_workers(db, records, source=source),
        key_field="external_id",
        to_row=workers.worker_to_row,
        iter_records=workers.iter_workers,
    ),
    "jobs": RecordKind(
        name="jobs",
        columns=jobs.COLUMNS,
        required_columns=jobs.REQUIRED_COLUMNS,
        parse=jobs.parse_job,
        save=lambda db, records, source: jobs.save_jobs(db, records),
        key_field="external_id",
        to_row=jobs.job_to_row,
        iter_records=jobs.iter_jobs,
    ),
    "outcomes": RecordKind(
        name="outcomes",
        columns=outcomes.COLUMNS,
        required_columns=outcomes.REQUIRED_COLUMNS,
        parse=outcomes.parse_outcome,
        save=lambda db, records, source: outcomes.save_outcomes(db, records, source=source),
        key_field=None,
        to_row=outcomes.outcome_to_row,
        iter_records=outcomes.iter_outcomes,
    ),
}


def record_kind(name: str) -> RecordKind:
    """The kind called `name` (workers, jobs or outcomes)."""
    try:
        return KINDS[name]
    except KeyError:
        raise ValueError(f"unknown kind {name!r}: expected one of {', '.join(KINDS)}") from None
