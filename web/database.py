"""The database handle of a request: each server thread keeps one connection across requests.

Opening a connection costs more than most requests' queries (SQLite parses the schema again,
about 1.2 ms, and starts with an empty page cache), so a thread's connection is kept for its
next request. Each request ends it clean: an open transaction is rolled back. A connection is
never used in another thread or in a forked child process.
"""

from __future__ import annotations

import os
import threading

from flask import Flask, current_app, g
from sqlite_utils import Database

from matcher.store import open_database

_EXTENSION = "talentmatch_connections"


def get_db() -> Database:
    """This request's database connection: the thread's kept one, opened on first use."""
    if "db" not in g:
        g.db = _thread_connection()
    return g.db


def _thread_connection() -> Database:
    kept = current_app.extensions[_EXTENSION]
    db = getattr(kept, "db", None)
    if db is None or kept.pid != os.getpid():
        db = open_database(current_app.config["DATABASE"], migrate=False)
        kept.db, kept.pid = db, os.getpid()
    return db


def end_request_db(_error: BaseException | None = None) -> None:
    """Leave the request's connection as a fresh one: nothing half-done carries over."""
    db = g.pop("db", None)
    if db is not None and db.conn.in_transaction:
        db.conn.rollback()


def init_app(app: Flask) -> None:
    """Migrate the schema once at start-up; keep one connection per thread from then on."""
    open_database(app.config["DATABASE"]).close()
    app.extensions[_EXTENSION] = threading.local()
    app.teardown_appcontext(end_request_db)
