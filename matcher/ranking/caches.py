"""The ranking's in-process caches: one object per database, rebuilt when its version moves.

Every cache is keyed by `database_key(db)` (the database file, or the in-memory connection)
and a version (the change counters of migration m007, a model version, ...), so a long-running
web app serves fresh data without reloading on every request (`VersionedCache`);
`BoundedCache` keeps the most recently used few of many keyed values (ranked pools, rendered
filter fields). Cached objects are never mutated after they are built, so several threads
may share them.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
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

    def peek(self, key: str, version: object) -> object | None:
        """The object built for `key` at `version`, or None (nothing is built)."""
        with self._lock:
            entry = self._entries.get(key)
        return entry[1] if entry is not None and entry[0] == version else None

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()


class BoundedCache:
    """A small bounded cache of built values; concurrent requests for one key build it once."""

    def __init__(self, capacity: int) -> None:
        self.capacity = capacity
        self._lock = threading.Lock()
        self._entries: OrderedDict[Hashable, object] = OrderedDict()
        self._building: dict[Hashable, threading.Lock] = {}

    def get(self, key: Hashable, build: Callable[[], _T]) -> _T:
        with self._lock:
            if key in self._entries:
                self._entries.move_to_end(key)
                return self._entries[key]  # type: ignore[return-value]
            build_lock = self._building.setdefault(key, threading.Lock())
        with build_lock:
            with self._lock:
                if key in self._entries:
                    return self._entries[key]  # type: ignore[return-value]
            try:
                value = build()
            finally:
                with self._lock:
                    self._building.pop(key, None)
            with self._lock:
                self._entries[key] = value
                while len(self._entries) > self.capacity:
                    self._entries.popitem(last=False)
            return value

    def discard(self, stale: Callable[[Hashable], bool]) -> None:
        """Drop the entries whose key is `stale`."""
        with self._lock:
            for key in [key for key in self._entries if stale(key)]:
                del self._entries[key]

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
