"""Each server thread keeps its database connection across requests, and each request ends
it clean (`web.database`)."""

from __future__ import annotations

import threading

from matcher.store import open_database
from web import create_app
from web.database import get_db


def _app_with_probe(db_path):
    """The real app plus two routes: one names the request's connection, one writes a row and
    leaves its transaction open, as a view failing half-way would."""
    app = create_app({"DATABASE": str(db_path), "SECRET_KEY": "test", "TESTING": True})
    db = open_database(db_path)
    db.execute("CREATE TABLE probe (value TEXT)")
    db.conn.commit()
    db.close()

    @app.get("/probe/connection")
    def connection():
        return str(id(get_db().conn))

    @app.get("/probe/half-write")
    def half_write():
        get_db().conn.execute("BEGIN IMMEDIATE")  # holds the write lock until it ends
        get_db().conn.execute("INSERT INTO probe VALUES ('half-done')")
        return "written, not committed"

    @app.get("/probe/count")
    def count():
        return str(get_db().execute("SELECT count(*) FROM probe").fetchone()[0])

    return app


def test_a_thread_reuses_its_connection_and_another_thread_gets_its_own(db_path):
    client = _app_with_probe(db_path).test_client()
    first, second = (client.get("/probe/connection").get_data(as_text=True) for _ in range(2))
    assert first == second
    other: list[str] = []
    thread = threading.Thread(
        target=lambda: other.append(client.get("/probe/connection").get_data(as_text=True))
    )
    thread.start()
    thread.join()
    assert other and other[0] != first


def test_a_request_left_mid_transaction_is_rolled_back_and_locks_nothing(db_path):
    client = _app_with_probe(db_path).test_client()
    assert client.get("/probe/half-write").status_code == 200
    assert client.get("/probe/count").get_data(as_text=True) == "0"
    outside = open_database(db_path, migrate=False)
    outside.conn.execute("PRAGMA busy_timeout = 100")  # a kept lock fails fast
    outside.execute("INSERT INTO probe VALUES ('from another process')")  # not locked out
    outside.conn.commit()
    outside.close()
    assert client.get("/probe/count").get_data(as_text=True) == "1"
