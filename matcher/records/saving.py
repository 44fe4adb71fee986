"""What saving a record did, and the small SQL helpers every record kind shares."""

from __future__ import annotations

import enum
from collections.abc import Iterator, Sequence
from typing import TypeVar

from sqlite_utils import Database

# Well under SQLite's limit on bound parameters per statement.
MAX_PARAMETERS = 500

T = TypeVar("T")


class SaveStatus(enum.Enum):
    """How a saved record compares to what was stored before."""

    INSERTED = "inserted"
    UPDATED = "updated"
    UNCHANGED = "unchanged"


def slices(items: Sequence[T], size: int = MAX_PARAMETERS) -> Iterator[Sequence[T]]:
    """`items` in consecutive slices of at most `size`."""
    for start in range(0, len(items), size):
        yield items[start : start + size]


def select_in(db: Database, sql: str, values: Sequence[object]) -> list[tuple]:
    """Rows of `sql`, whose `{placeholders}` is expanded to a placeholder list, for every value."""
    rows: list[tuple] = []
    for part in slices(list(values)):
        placeholders = ", ".join("?" for _ in part)
        rows.extend(db.execute(sql.format(placeholders=placeholders), list(part)).fetchall())
    return rows
