"""The store: pragmas, migrations, write transactions and the schema's constraints."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
import threading
import time

import pytest

from matcher.store import open_database, utc_now, write_transaction
from matcher.store.migrations import migrations


def test_open_database_sets_wal_foreign_keys_and_busy_timeout(db):
    assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert db.execute("PRAGMA foreign_keys").fetchone()[0] == 1
    assert db.execute("PRAGMA busy_timeout").fetchone()[0] >= 5000


def test_migrations_apply_once_and_reopen_is_a_no_op(db_path):
    first = open_database(db_path)
    applied = [m.name for m in migrations.applied(first)]
    assert applied == [m.name for m in migrations._migrations]
    first.close()
    second = open_database(db_path)
    assert [m.name for m in migrations.applied(second)] == applied
    assert migrations.pending(second) == []


OPEN_AT = """
import sys, time
from matcher.store import open_database
time.sleep(max(0.0, float(sys.argv[2]) - time.time()))
open_database(sys.argv[1]).close()
"""


def test_processes_opening_a_new_database_at_once_apply_each_migration_once(db_path):
    start = f"{time.time() + 2.0}"  # after every interpreter has started
    processes = [
        subprocess.Popen(
            [sys.executable, "-c", OPEN_AT, str(db_path), start], stderr=subprocess.PIPE
        )
        for _ in range(4)
    ]
    errors = [process.communicate(timeout=120)[1].decode() for process in processes]
    assert [process.returncode for process in processes] == [0] * 4, errors
    db = open_database(db_path)
    assert [m.name for m in migrations.applied(db)] == [m.name for m in migrations._migrations]


def test_foreign_keys_are_enforced(db):
    with pytest.raises(sqlite3.IntegrityError):
        db.execute(
            "INSERT INTO jobs (external_id, employer_id, title, city, created_at, updated_at)"
            " VALUES ('J1', 999, 'Dev', 'Toronto', ?, ?)",
            [utc_now(), utc_now()],
        )


def _add_job_and_worker(db):
    now = utc_now()
    db["employers"].insert({"name": "Acme", "created_at": now})
    db.execute(
        "INSERT INTO jobs (external_id, employer_id, title, city, created_at, updated_at)"
        " VALUES ('J1', 1, 'Dev', 'Toronto', ?, ?)",
        [now, now],
    )
    db.execute(
        "INSERT INTO workers (external_id, name, email, work_authorization, created_at,"
        " updated_at) VALUES ('W1', 'Ana', 'ana@example.com', 'open_work_permit', ?, ?)",
        [now, now],
    )


def test_outcomes_are_append_only(db):
    _add_job_and_worker(db)
    db.execute(
        "INSERT INTO outcomes (job_id, worker_id, stage, at, recorded_at)"
        " VALUES (1, 1, 'shown', '2026-01-01T00:00:00Z', ?)",
        [utc_now()],
    )
    with pytest.raises(sqlite3.IntegrityError, match="append-only"):
        db.execute("UPDATE outcomes SET stage = 'hired'")
    assert db.execute("SELECT stage FROM outcomes").fetchall() == [("shown",)]


def test_salary_range_must_be_ordered(db):
    _add_job_and_worker(db)
    with pytest.raises(sqlite3.IntegrityError):
        db.execute("UPDATE jobs SET salary_min_cad = 200000, salary_max_cad = 100000")


def test_write_transaction_rolls_back_everything_on_error(db):
    with pytest.raises(RuntimeError):
        with write_transaction(db):
            db["employers"].insert({"name": "Acme", "created_at": utc_now()})
            raise RuntimeError("crash in the middle")
    assert db["employers"].count == 0


def test_write_transaction_nests_as_savepoint(db):
    with write_transaction(db):
        db["employers"].insert({"name": "Outer", "created_at": utc_now()})
        with pytest.raises(RuntimeError):
            with write_transaction(db):
                db["employers"].insert({"name": "Inner", "created_at": utc_now()})
                raise RuntimeError
    assert [r["name"] for r in db["employers"].rows] == ["Outer"]


def test_concurrent_writers_wait_instead_of_failing(db_path):
    open_database(db_path).close()
    errors: list[BaseException] = []

    def writer(name: str) -> None:
        connection = open_database(db_path)
        try:
            for i in range(20):
                with write_transaction(connection):
                    count = connection.execute("SELECT count(*) FROM employers").fetchone()[0]
                    connection["employers"].insert(
                        {"name": f"{name}-{i}-{count}", "created_at": utc_now()}
                    )
        except BaseException as error:  # noqa: BLE001 - collected for the assertion
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=writer, args=(f"t{n}",)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert open_database(db_path)["employers"].count == 80


def test_every_worker_column_but_the_derived_occupations_bumps_the_counter(db):
    columns = {row[1] for row in db.execute("PRAGMA table_info(workers)")}
    trigger = db.execute(
        "SELECT sql FROM sqlite_master WHERE name = 'workers_update_bumps_workers'"
    ).fetchone()[0]
    listed = trigger.split(" OF ", 1)[1].split(" ON ", 1)[0]
    assert {column.strip() for column in listed.split(",")} == columns - {"resume_occupations"}
    db.execute(
        "INSERT INTO workers (external_id, name, email, city_preferences, work_authorization, "
        "created_at, updated_at) VALUES ('W1', 'A', 'a@example.org', 'Toronto', "
        "'citizen', ?, ?)",
        [utc_now(), utc_now()],
    )

    def version() -> int:
        return db.execute("SELECT version FROM change_counters WHERE name = 'workers'").fetchone()[
            0
        ]

    before = version()
    db.execute("UPDATE workers SET resume_occupations = 'v|15-2051.00=1.0'")
    assert version() == before
    db.execute("UPDATE workers SET match_emails = 1, resume_occupations = NULL")
    assert version() == before + 1
