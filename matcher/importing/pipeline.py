"""The import pipeline: validate rows, save them in chunked transactions, report each outcome.

Each chunk of rows is saved in one transaction, so a crash leaves whole rows or none; a
rejected row never stops the rows around it.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable
from itertools import islice
from typing import Any

from sqlite_utils import Database

from matcher.importing.formats import NumberedRow
from matcher.importing.kinds import RecordKind
from matcher.importing.report import ImportReport, RejectedRow
from matcher.records.parsing import RowError
from matcher.records.saving import SaveStatus

CHUNK_SIZE = 1000
MAX_TERMS_IN_WARNING = 10


class _ImportState:
    """What the pipeline remembers across chunks."""

    def __init__(self, kind: RecordKind) -> None:
        self.kind = kind
        self.known_columns = frozenset(kind.columns)
        self.report = ImportReport()
        self.first_line_of_key: dict[str, int] = {}
        self.unknown_columns: set[str] = set()
        self.unrecognised_skills: Counter[str] = Counter()

    def reject(self, line: int, error: RowError) -> None:
        self.report.rejected.append(RejectedRow(line, error.field, error.reason))


def run_import(
    db: Database,
    kind: RecordKind,
    numbered_rows: Iterable[NumberedRow],
    *,
    source: str,
    on_chunk: Callable[[int], None] | None = None,
) -> ImportReport:
    """Import `(line, row)` pairs (a row may already be a `RowError`) and report what happened."""
    state = _ImportState(kind)
    rows = iter(numbered_rows)
    while chunk := list(islice(rows, CHUNK_SIZE)):
        _import_chunk(db, state, chunk, source)
        if on_chunk is not None:
            on_chunk(len(chunk))
    state.report.rejected.sort()
    state.report.warnings.extend(_warnings(state))
    return state.report


def _import_chunk(db: Database, state: _ImportState, chunk: list[NumberedRow], source: str) -> None:
    valid = [
        (line, record) for line, row in chunk if (record := _parse(state, line, row)) is not None
    ]
    results = state.kind.save(db, [record for _, record in valid], source)
    for (line, _), result in zip(valid, results, strict=True):
        if isinstance(result, RowError):
            state.reject(line, result)
        elif result is SaveStatus.INSERTED:
            state.report.inserted += 1
        elif result is SaveStatus.UPDATED:
            state.report.updated += 1
        else:
            state.report.unchanged += 1


def _parse(state: _ImportState, line: int, row: dict | RowError) -> Any | None:
    if isinstance(row, RowError):
        state.reject(line, row)
        return None
    state.unknown_columns.update(row.keys() - state.known_columns)
    try:
        record = state.kind.parse(row)
    except RowError as error:
        state.reject(line, error)
        return None
    if not _first_with_its_key(state, line, record):
        return None
    state.unrecognised_skills.update(getattr(record, "unrecognised_skills", ()))
    return record


def _first_with_its_key(state: _ImportState, line: int, record: Any) -> bool:
    """Reject a second row with the same external id: which one was meant is unknowable."""
    key_field = state.kind.key_field
    if key_field is None:
        return True
    key = getattr(record, key_field)
    first_line = state.first_line_of_key.setdefault(key, line)
    if first_line != line:
        state.reject(line, RowError(key_field, f"{key!r} already appears on line {first_line}"))
        return False
    return True


def _warnings(state: _ImportState) -> list[str]:
    warnings = []
    if state.unknown_columns:
        names = ", ".join(sorted(map(str, state.unknown_columns)))
        warnings.append(f"ignored unknown column(s): {names}")
    if state.unrecognised_skills:
        warnings.append(_unrecognised_skills_warning(state.unrecognised_skills))
    return warnings


def _unrecognised_skills_warning(terms: Counter[str]) -> str:
    common = terms.most_common(MAX_TERMS_IN_WARNING)
    listed = ", ".join(f"{term!r} ({count}x)" for term, count in common)
    more = len(terms) - len(common)
    tail = f" and {more} more" if more else ""
    return f"{sum(terms.values())} skill(s) not in the vocabulary were not stored: {listed}{tail}"
