"""The database handle of a request: opened lazily on `g`, closed when the app context ends."""

from __future__ import annotations

from flask import Flask, current_app, g
from sqlite_utils import Database

from matcher.store import open_database


def get_db() -> Database:
    """This request's database connection, opened on first use."""
    if "db" not in g:
        g.db = open_database(current_app.config["DATABASE"], migrate=False)
    return g.db


def close_db(_error: BaseException | None = None) -> None:
    """Close the request's connection, if one was opened."""
    db = g.pop("db", None)
    if db is not None:
        db.close()


def init_app(app: Flask) -> None:
    """Migrate the schema once at start-up and close each request's connection after it."""
    open_database(app.config["DATABASE"]).close()
    app.teardown_appcontext(close_db)
