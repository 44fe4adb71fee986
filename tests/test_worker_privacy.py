"""Export-all-my-data and anonymising deletion, on a real SQLite file."""

from __future__ import annotations

import json

import pytest
from sqlite_utils import Database

from matcher import accounts
from matcher.config import Settings
from matcher.importing import import_rows
from matcher.notifications.consent import CONSENTING_WORKERS_SQL
from matcher.ranking.shortlists import NotFound, matches_for_worker, shortlist_for_job
from matcher.worker_privacy import WorkerNotFound, delete_worker_account, export_worker_data

WORKERS = [
    {
        "external_id": external_id,
        "name": name,
        "email": email,
        "skills": "python:5;sql",
        "resume_text": "Built Django services on PostgreSQL.",
        "years_experience": 6,
        "city_preferences": "Toronto;Montreal",
        "open_to_remote": "yes",
        "english_level": 10,
        "french_level": 7,
        "salary_expectation_cad": 110000,
        "work_authorization": "open_work_permit",
        "available_from": "2027-03-01",
        "match_emails": "true",
    }
    for external_id, name, email in [
        ("W-ANA", "Ana Private", "ana@private.example"),
        ("W-BOB", "Bob Private", "bob@private.example"),
    ]
]
JOBS = [
    {
        "external_id": "J1",
        "employer": "Acme",
        "title": "Python developer",
        "required_skills": "python;sql",
        "city": "Toronto",
    }
]


@pytest.fixture
def seeded(db: Database) -> Database:
    assert not import_rows(db, "workers", WORKERS).rejected
    assert not import_rows(db, "jobs", JOBS).rejected
    outcomes = [
        {"job_external_id": "J1", "worker_external_id": w, "stage": "shortlisted", "at": at}
        for w, at in [("W-ANA", "2026-10-01T10:00:00Z"), ("W-BOB", "2026-10-02T10:00:00Z")]
    ]
    assert not import_rows(db, "outcomes", outcomes).rejected
    ana, bob = _id(db, "W-ANA"), _id(db, "W-BOB")
    job = db.execute("SELECT id FROM jobs WHERE external_id = 'J1'").fetchone()[0]
    for worker in (ana, bob):
        db.execute(
            "INSERT INTO contact_requests (job_id, worker_id, created_at) VALUES (?, ?, ?)",
            [job, worker, "2026-10-03T09:00:00Z"],
        )
        db.execute(
            """INSERT INTO email_outbox (worker_id, period, recipient, subject, body_text,
                   body_html, status, created_at) VALUES (?, '2026-W40', ?, 'Your matches',
                   'Hello', '<p>Hello</p>', 'sent', '2026-10-04T08:00:00Z')""",
            [worker, f"{worker}@mail.example"],
        )
    user = accounts.create_user(
        db, email="ana@private.example", password="a-long-password", role="worker", worker_id=ana
    )
    accounts.create_session(db, user.id)
    return db


def _id(db: Database, external_id: str) -> int:
    return db.execute("SELECT id FROM workers WHERE external_id = ?", [external_id]).fetchone()[0]


def test_export_holds_the_workers_own_data_and_nothing_about_others(seeded: Database):
    data = export_worker_data(seeded, _id(seeded, "W-ANA"))
    text = json.dumps(data)
    assert data["profile"]["name"] == "Ana Private"
    assert data["profile"]["city_preferences"] == ["Toronto", "Montreal"]
    assert {s["skill"]: s["source"] for s in data["skills"]} == {
        "Django": "resume",
        "PostgreSQL": "resume",
        "Python": "listed",
        "SQL": "listed",
    }
    assert [(c["granted"], c["method"]) for c in data["consents"]] == [(1, "import")]
    assert data["account"]["email"] == "ana@private.example"
    assert len(data["account"]["sessions"]) == 1
    assert "password_hash" not in text and "token_hash" not in text
    assert data["outcomes"] == [
        {
            "job": "J1",
            "title": "Python developer",
            "employer": "Acme",
            "stage": "shortlisted",
            "at": "2026-10-01T10:00:00Z",
        }
    ]
    assert [(r["job"], r["status"]) for r in data["contact_requests"]] == [("J1", "pending")]
    assert [e["subject"] for e in data["emails"]] == ["Your matches"]
    assert "Bob" not in text and "W-BOB" not in text and "2026-10-02" not in text


def test_deletion_removes_personal_data_and_keeps_anonymous_outcomes(seeded: Database):
    ana = _id(seeded, "W-ANA")
    delete_worker_account(seeded, ana)

    row = next(iter(seeded.query("SELECT * FROM workers WHERE id = ?", [ana])))
    assert row["deleted_at"] is not None
    assert (row["name"], row["email"], row["resume_text"], row["city_preferences"]) == (
        None,
        None,
        "",
        "",
    )
    assert row["salary_expectation_cad"] is None and row["match_emails"] == 0
    assert row["resume_occupations"] is None  # derived from the resume, so removed with it
    for table in ("worker_skills", "contact_requests", "email_outbox", "users"):
        count = seeded.execute(f"SELECT count(*) FROM {table} WHERE worker_id = ?", [ana])
        assert count.fetchone()[0] == 0, table
    assert seeded.execute("SELECT count(*) FROM sessions").fetchone()[0] == 0
    outcomes = seeded.execute("SELECT stage FROM outcomes WHERE worker_id = ?", [ana]).fetchall()
    assert outcomes == [("shortlisted",)]
    last_consent = seeded.execute(
        "SELECT granted, method FROM consents WHERE worker_id = ? ORDER BY id DESC LIMIT 1", [ana]
    ).fetchone()
    assert last_consent == (0, "account_deleted")
    tables = seeded.table_names()
    everything = json.dumps([list(seeded.query(f"SELECT * FROM {t}")) for t in tables])
    assert "Ana Private" not in everything and "ana@private.example" not in everything


def test_deleted_worker_leaves_shortlists_digests_and_matches(
    seeded: Database, db_path, models_dir
):
    settings = Settings(db_path=db_path, models_dir=models_dir, secret_key="test")
    before = shortlist_for_job(seeded, "J1", settings=settings)
    assert {c.worker for c in before.candidates} == {"W-ANA", "W-BOB"}

    delete_worker_account(seeded, _id(seeded, "W-ANA"))

    after = shortlist_for_job(seeded, "J1", settings=settings)
    assert [c.worker for c in after.candidates] == ["W-BOB"]
    emailable = [row[1] for row in seeded.execute(CONSENTING_WORKERS_SQL).fetchall()]
    assert emailable == ["W-BOB"]
    with pytest.raises(NotFound):
        matches_for_worker(seeded, "W-ANA", settings=settings)


def test_deleted_worker_can_be_neither_exported_nor_deleted_again(seeded: Database):
    ana = _id(seeded, "W-ANA")
    delete_worker_account(seeded, ana)
    with pytest.raises(WorkerNotFound):
        export_worker_data(seeded, ana)
    with pytest.raises(WorkerNotFound):
        delete_worker_account(seeded, ana)
    assert import_rows(seeded, "workers", WORKERS[:1]).rejected[0].field == "external_id"
