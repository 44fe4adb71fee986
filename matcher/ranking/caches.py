"""The ranking's in-process caches: one object per database, rebuilt when its version moves.

Every cache is keyed by `database_key(db)` (the database file, or the in-memory connection)
and a version (the change counters of migration m007, a model version, ...), so a long-running
web app serves fresh data without reloading on every request. Cached objects are never mutated
after they are built, so several threads may share them.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from functools import lru_cache
from pathlib import Path
from typing import TypeVar

from sqlite_utils import Database

_T = TypeVar("_T")
_ALL_CACHES: list[VersionedCache] = []


class VersionedCache:
    """One object per database, rebuilt when its version changes; safe across threads."""

    def __init__(self) -> None:
        _ALL_CACHES.append(self)
        self._lock = threading.Lock()
        self._build_locks: dict[str, threading.Lock] = {}
        self._entries: dict[str, tuple[object, object]] = {}

    def get(self, key: str, version: object, build: Callable[[], _T]) -> _T:
        """The object of `version`, building it here unless another thread is building.

        While one thread rebuilds a database's object, the others serve the previous one
        rather than wait: under a stream of writes (a bulk import bumps the version every
        chunk) each request would otherwise wait for a rebuild of the whole population, and
        requests that read a newer version while waiting would rebuild again, one after the
        other (issue 13: a 60 s shortlist during a 100,000-worker import). So an answer may
        lag by the one rebuild in progress; a request with no rebuild in progress gets the
        version it asked for.
        """
        with self._lock:
            entry = self._entries.get(key)
            if entry is not None and entry[0] == version:
                return entry[1]  # type: ignore[return-value]
            build_lock = self._build_locks.setdefault(key, threading.Lock())
        if entry is not None and not build_lock.acquire(blocking=False):
            return entry[1]  # type: ignore[return-value]
        if entry is None:
            build_lock.acquire()  # nothing to serve yet: wait for the first build
        try:
            with self._lock:
                current = self._entries.get(key)
            if current is not None and (current[0] == version or current is not entry):
                return current[1]  # built while this thread waited: no second rebuild
            value = build()
            with self._lock:
                self._entries[key] = (version, value)
            return value
        finally:
            build_lock.release()

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()


def clear_caches() -> None:
    """Forget every cached object of every database (tests, benchmarks, memory pressure)."""
    for cache in _ALL_CACHES:
        cache.clear()


def database_key(db: Database) -> str:
    """A key naming the database file (or the in-memory connection) for the caches."""
    for _, name, file in db.execute("PRAGMA database_list").fetchall():
        if name == "main":
            return _resolved(file) if file else f"memory:{id(db.conn)}"
    return f"memory:{id(db.conn)}"


@lru_cache(maxsize=64)
def _resolved(file: str) -> str:
    """The file's resolved path, once per path: a request asks for it several times, and
    resolving walks the file system."""
    return str(Path(file).resolve())


def change_version(db: Database, name: str) -> int:
    """The change counter `name` ('workers' or 'jobs'), bumped by triggers on every write."""
    row = db.execute("SELECT version FROM change_counters WHERE name = ?", [name]).fetchone()
    return int(row[0]) if row else 0
