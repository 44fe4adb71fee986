"""Reading and writing contract rows as CSV (header row) or JSON Lines, UTF-8."""

from __future__ import annotations

import codecs
import csv
import json
import re
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import IO, Any

from matcher.records.parsing import RowError, format_number
from matcher.records.skill_lists import format_skill_item

FORMATS_BY_SUFFIX = {".csv": "csv", ".jsonl": "jsonl", ".ndjson": "jsonl"}
FORMATS = ("csv", "jsonl")
NumberedRow = tuple[int, dict | RowError]


class ImportFileError(Exception):
    """The file as a whole cannot be imported; nothing was written."""


def file_format(path: Path, fmt: str | None) -> str:
    """`fmt` if given, else the format its extension names."""
    if fmt is not None:
        if fmt not in FORMATS:
            raise ImportFileError(f"unknown format {fmt!r}: expected csv or jsonl")
        return fmt
    try:
        return FORMATS_BY_SUFFIX[path.suffix.lower()]
    except KeyError:
        raise ImportFileError(
            f"cannot tell the format of {path.name}: name it .csv, .jsonl or .ndjson,"
            " or pass --format csv|jsonl"
        ) from None


def count_lines_checking_utf8(path: Path) -> int:
    """The number of lines in `path`; refuses a file that is not UTF-8 before anything is read."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    lines = 0
    try:
        with path.open("rb") as handle:
            while block := handle.read(1 << 20):
                decoder.decode(block)
                lines += block.count(b"\n")
            decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        raise ImportFileError(f"{path.name} is not UTF-8 (near line {lines + 1})") from None
    except OSError as error:
        raise ImportFileError(f"cannot read {path}: {error.strerror}") from None
    return lines


def csv_header(handle: IO[str]) -> tuple[csv.DictReader, list[str]]:
    """A reader over `handle` and its header's column names (stripped)."""
    reader = csv.DictReader(handle)
    if reader.fieldnames is None:
        raise ImportFileError("the file is empty: a CSV needs a header row")
    reader.fieldnames = [name.strip() for name in reader.fieldnames]
    return reader, reader.fieldnames


def check_columns(columns: Iterable[str], required: Iterable[str]) -> None:
    """Refuse a header that lacks a required column."""
    missing = [column for column in required if column not in set(columns)]
    if missing:
        raise ImportFileError(f"missing required column(s): {', '.join(missing)}")


def csv_rows(reader: csv.DictReader, lines: LineCounter | None = None) -> Iterator[NumberedRow]:
    """Each record with the line it starts on; a row with too many values is an error.

    `lines` (the counter the reader reads through) gives the line of a record the CSV
    module cannot read, whose own `line_num` is stale at that point.
    """
    width = len(reader.fieldnames or [])
    while True:
        lines_before = lines.count if lines is not None else reader.line_num
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as error:
            yield lines_before + 1, RowError("row", f"unreadable CSV ({error})")
            continue
        # Spreadsheets often save empty rows as a line of commas: they are not rows.
        if any(value not in (None, "") for value in row.values()):
            yield _first_line(reader.line_num, row), _checked_width(row, width)


class LineCounter:
    """Iterates over a text handle's lines, counting them (the CSV module's view of lines)."""

    def __init__(self, handle: IO[str]) -> None:
        self.handle = handle
        self.count = 0

    def __iter__(self) -> Iterator[str]:
        return self

    def __next__(self) -> str:
        line = next(self.handle)
        self.count += 1
        return line


_LINE_BREAK = re.compile(r"\r\n|\r|\n")


def _first_line(last_line: int, row: dict) -> int:
    """The line a record starts on: quoted values may span lines, blank lines are skipped."""
    values = [*row.values(), *row.get(None, [])]
    breaks = sum(len(_LINE_BREAK.findall(value)) for value in values if isinstance(value, str))
    return last_line - breaks


def _checked_width(row: dict, width: int) -> dict | RowError:
    if None in row:
        values = width + len(row[None])
        return RowError("row", f"{values} values but the header has {width} columns")
    return row


def jsonl_rows(handle: IO[str]) -> Iterator[NumberedRow]:
    """Each non-blank line as a JSON object, with its line number."""
    for line, text in enumerate(handle, start=1):
        if not text.strip():
            continue
        try:
            row = json.loads(text)
        except json.JSONDecodeError as error:
            yield line, RowError("row", f"not valid JSON ({error.msg})")
            continue
        except RecursionError:
            yield line, RowError("row", "JSON nested too deeply")
            continue
        if not isinstance(row, dict):
            yield line, RowError("row", "not a JSON object")
        elif _MAY_HOLD_SURROGATE.search(text) and (field := _field_not_unicode(row)):
            yield line, RowError(field, "contains a lone surrogate, not valid Unicode text")
        else:
            yield line, row


# A JSON escape of a UTF-16 surrogate; only lines with one can hold a lone surrogate.
_MAY_HOLD_SURROGATE = re.compile(r"\\u[dD][89a-fA-F]")


def _field_not_unicode(row: dict) -> str | None:
    """The first key whose name or value holds a lone surrogate, or None."""
    for key, value in row.items():
        try:
            json.dumps([key, value], ensure_ascii=False).encode("utf-8")
        except UnicodeEncodeError:
            return key.encode("utf-8", "backslashreplace").decode("ascii", "replace")
    return None


def write_csv(
    handle: IO[str],
    columns: tuple[str, ...],
    rows: Iterable[dict],
    *,
    spreadsheet_safe: bool = False,
) -> int:
    """Write a header and `rows` as CSV; lists are `;`-joined, skills with years `Name:5`.

    With `spreadsheet_safe`, a cell a spreadsheet would run as a formula is written as text
    (OWASP's CSV injection advice); such a file is for reading, not for re-import.
    """
    writer = csv.writer(handle, lineterminator="\n")
    writer.writerow(columns)
    cell = spreadsheet_text if spreadsheet_safe else str
    count = 0
    for row in rows:
        writer.writerow([cell(_csv_value(row[column])) for column in columns])
        count += 1
    return count


# A cell starting with one of these is a formula (or DDE) to Excel, LibreOffice or Sheets.
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r", "\n", "\uff1d", "\uff0b", "\uff0d", "\uff20")


def spreadsheet_text(value: str) -> str:
    """`value` as a spreadsheet shows it as text: a leading `'` before a formula trigger."""
    return f"'{value}" if value.startswith(FORMULA_TRIGGERS) else value


def _csv_value(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return str(format_number(value))
    if isinstance(value, list):
        return ";".join(_csv_list_item(item) for item in value)
    return str(value)


def _csv_list_item(item: Any) -> str:
    if isinstance(item, dict):
        return format_skill_item(item["name"], item.get("years"))
    return str(item)


def write_jsonl(handle: IO[str], columns: tuple[str, ...], rows: Iterable[dict]) -> int:
    """Write `rows` as JSON Lines, keys in contract order, whole numbers without `.0`."""
    count = 0
    for row in rows:
        ordered = {column: _json_value(row[column]) for column in columns}
        handle.write(json.dumps(ordered, ensure_ascii=False) + "\n")
        count += 1
    return count


def _json_value(value: Any) -> Any:
    if isinstance(value, float):
        return format_number(value)
    if isinstance(value, list):
        return [_json_value(item) for item in value]
    if isinstance(value, dict):
        return {key: _json_value(item) for key, item in value.items()}
    return value
