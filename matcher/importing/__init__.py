"""Importing and exporting workers, jobs and outcomes in the public CSV / JSON Lines formats."""

from __future__ import annotations

import sys
from collections.abc import Iterable
from pathlib import Path

from sqlite_utils import Database
from tqdm import tqdm

from matcher.importing import formats
from matcher.importing.formats import ImportFileError
from matcher.importing.kinds import KINDS, record_kind
from matcher.importing.pipeline import run_import
from matcher.importing.report import ImportReport, RejectedRow

__all__ = [
    "KINDS",
    "ImportFileError",
    "ImportReport",
    "RejectedRow",
    "export_file",
    "import_file",
    "import_rows",
]


def import_rows(
    db: Database, kind: str, rows: Iterable[dict], *, source: str = "import"
) -> ImportReport:
    """Import contract rows (JSONL shape, values may be strings), as the demo generator does.

    A rejected row's `line` is its 1-based position in `rows`. `source` is stored with
    outcomes and is the consent ledger's method for workers.
    """
    return run_import(db, record_kind(kind), enumerate(rows, start=1), source=source)


def import_file(
    db: Database, kind: str, path: str | Path, fmt: str | None = None, *, progress: bool = False
) -> ImportReport:
    """Import a CSV or JSON Lines file (format from `fmt` or the extension).

    Raises `ImportFileError`, before writing anything, for a file that is not UTF-8, has an
    unknown format or lacks a required column. With `progress`, a bar is drawn on stderr.
    """
    record = record_kind(kind)
    path = Path(path)
    fmt = formats.file_format(path, fmt)
    lines = formats.count_lines_checking_utf8(path)
    with (
        path.open(encoding="utf-8-sig", newline="" if fmt == "csv" else None) as handle,
        tqdm(
            total=max(lines - (fmt == "csv"), 0),
            desc=f"importing {kind}",
            unit="rows",
            file=sys.stderr,
            disable=not progress,
        ) as bar,
    ):
        if fmt == "csv":
            lines = formats.LineCounter(handle)
            reader, header = formats.csv_header(lines)
            formats.check_columns(header, record.required_columns)
            rows = formats.csv_rows(reader, lines)
        else:
            rows = formats.jsonl_rows(handle)
        return run_import(db, record, rows, source="import", on_chunk=bar.update)


def export_file(
    db: Database,
    kind: str,
    path: str | Path,
    fmt: str | None = None,
    *,
    spreadsheet_safe: bool = False,
) -> int:
    """Write every record of `kind` to `path` in the import format; returns how many.

    `spreadsheet_safe` (CSV only) writes formula-like cells as text for spreadsheets; without
    it the file is exactly what import reads back.
    """
    record = record_kind(kind)
    path = Path(path)
    fmt = formats.file_format(path, fmt)
    if spreadsheet_safe and fmt != "csv":
        raise ImportFileError("--spreadsheet-safe applies to CSV only")
    rows = (record.to_row(item) for item in record.iter_records(db))
    with path.open("w", encoding="utf-8", newline="") as handle:
        if fmt == "csv":
            return formats.write_csv(
                handle, record.columns, rows, spreadsheet_safe=spreadsheet_safe
            )
        return formats.write_jsonl(handle, record.columns, rows)
