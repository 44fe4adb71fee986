"""Opening the SQLite database with the pragmas every connection needs."""

from __future__ import annotations

import contextlib
import datetime as dt
import fcntl
from collections.abc import Iterator
from pathlib import Path

from sqlite_utils import Database

BUSY_TIMEOUT_MS = 10_000


class StoreError(Exception):
    """The store could not do what was asked."""


def utc_now() -> str:
    """The current time as an ISO 8601 UTC string, the format every timestamp column uses."""
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def open_database(path: str | Path, *, migrate: bool = True) -> Database:
    """Open (creating if needed) the database at `path`, with WAL, foreign keys and a busy timeout.

    With `migrate`, any pending schema migrations are applied first.
    """
    path = Path(path)
    in_memory = str(path) == ":memory:"
    if not in_memory:
        path.parent.mkdir(parents=True, exist_ok=True)
    db = Database(path)
    db.conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    db.conn.execute("PRAGMA foreign_keys = ON")
    db.conn.execute("PRAGMA synchronous = NORMAL")
    if not in_memory:
        db.enable_wal()
    if migrate:
        from matcher.store.migrations import apply_migrations

        apply_migrations(db, None if in_memory else path.with_name(f"{path.name}.migrations.lock"))
    return db


@contextlib.contextmanager
def write_transaction(db: Database) -> Iterator[Database]:
    """A transaction that takes the write lock at once (BEGIN IMMEDIATE).

    A deferred transaction that reads first and writes later can fail with SQLITE_BUSY
    when another writer got there in between; taking the lock up front waits instead.
    Nested calls become savepoints of the outer transaction.
    """
    if db.conn.in_transaction:
        with db.atomic():
            yield db
        return
    db.conn.execute("BEGIN IMMEDIATE")
    try:
        yield db
    except BaseException:
        db.rollback()
        raise
    else:
        try:
            db.conn.execute("COMMIT")
        except BaseException:
            db.rollback()
            raise


@contextlib.contextmanager
def file_lock(path: Path) -> Iterator[None]:
    """An exclusive advisory lock on the file at `path` (created if needed), for processes
    that must take turns: registry writes, schema migrations."""
    with open(path, "a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)
