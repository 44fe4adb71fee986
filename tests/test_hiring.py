"""Hiring rules on a real SQLite file: decisions, contact requests and who may see what."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from sqlite_utils import Database

from matcher.hiring import decisions
from matcher.hiring.contact_requests import (
    ContactRequestNotFound,
    answer_contact_request,
    contact_request_status,
    contact_requests_of,
)
from matcher.importing import import_rows
from matcher.records.workers import blind_profile

WORKERS = [
    {"external_id": w, "name": f"Name {w}", "email": f"{w.lower()}@example.org",
     "skills": "python:4;sql", "work_authorization": "open_work_permit"}
    for w in ("W1", "W2")
]  # fmt: skip
JOBS = [
    {"external_id": "ACME-1", "employer": "Acme", "title": "Python developer", "city": "Toronto"},
    {"external_id": "GLOBEX-1", "employer": "Globex", "title": "Data engineer", "city": "Montreal"},
]


@pytest.fixture
def seeded(db: Database) -> Database:
    assert not import_rows(db, "workers", WORKERS).rejected
    assert not import_rows(db, "jobs", JOBS).rejected
    return db


def _employer_id(db: Database, name: str) -> int:
    return db.execute("SELECT id FROM employers WHERE name = ?", [name]).fetchone()[0]


def _ids(db: Database) -> tuple[int, int, int]:
    acme = _employer_id(db, "Acme")
    job_id = decisions.owned_job_id(db, acme, "ACME-1")
    return acme, job_id, decisions.live_worker_id(db, "W1")


def test_a_decision_is_an_outcome_and_contacted_sends_one_request(seeded):
    acme, job_id, worker_id = _ids(seeded)
    first = decisions.record_decision(seeded, acme, "ACME-1", "W1", "contacted", actor_user_id=None)
    assert (first["job"], first["worker"], first["stage"], first["recorded"]) == (
        "ACME-1",
        "W1",
        "contacted",
        True,
    )
    decisions.record_decision(seeded, acme, "ACME-1", "W1", "contacted", actor_user_id=None)
    assert seeded.execute("SELECT count(*) FROM contact_requests").fetchone()[0] == 1
    assert contact_request_status(seeded, job_id, worker_id) == "pending"
    assert decisions.latest_decisions(seeded, job_id) == {"W1": "contacted"}
    history = decisions.decision_history(seeded, job_id, worker_id)
    assert [(h["stage"], h["source"]) for h in history] == [("contacted", "web")]


def test_the_latest_decision_wins_and_other_jobs_are_not_found(seeded):
    acme, job_id, _ = _ids(seeded)
    for stage in ("shortlisted", "rejected"):
        decisions.record_decision(seeded, acme, "ACME-1", "W2", stage, actor_user_id=None)
    assert decisions.latest_decisions(seeded, job_id) == {"W2": "rejected"}
    with pytest.raises(decisions.NotFound) as error:
        decisions.record_decision(seeded, acme, "GLOBEX-1", "W2", "hired", actor_user_id=None)
    assert (error.value.kind, error.value.external_id) == ("job", "GLOBEX-1")
    with pytest.raises(decisions.NotFound):
        decisions.record_decision(seeded, acme, "ACME-1", "W-NONE", "hired", actor_user_id=None)
    with pytest.raises(decisions.NotADecisionStage):
        decisions.record_decision(seeded, acme, "ACME-1", "W2", "shown", actor_user_id=None)
    assert decisions.latest_decisions(seeded, job_id) == {"W2": "rejected"}


def test_a_worker_answers_their_own_request_once(seeded):
    acme, job_id, worker_id = _ids(seeded)
    decisions.record_decision(seeded, acme, "ACME-1", "W1", "contacted", actor_user_id=None)
    [request] = contact_requests_of(seeded, worker_id, status="pending")
    assert (request["job"], request["employer"], request["status"]) == ("ACME-1", "Acme", "pending")
    other_worker = decisions.live_worker_id(seeded, "W2")
    with pytest.raises(ContactRequestNotFound):
        answer_contact_request(seeded, other_worker, request["id"], "accepted")
    answer = answer_contact_request(seeded, worker_id, request["id"], "accepted")
    assert answer.changed and answer.request["status"] == "pending"
    again = answer_contact_request(seeded, worker_id, request["id"], "declined")
    assert not again.changed and again.request["status"] == "accepted"
    assert contact_request_status(seeded, job_id, worker_id) == "accepted"
    assert contact_requests_of(seeded, worker_id, status="pending") == []


def test_the_blind_profile_carries_the_profile_and_skills(seeded):
    profile = blind_profile(seeded, decisions.live_worker_id(seeded, "W1"))
    assert (profile["external_id"], profile["email"]) == ("W1", "w1@example.org")
    assert [(s["skill"], s["years"], s["source"]) for s in profile["skills"]] == [
        ("Python", 4.0, "listed"),
        ("SQL", None, "listed"),
    ]


def test_a_decision_is_recorded_without_loading_the_web_app(seeded, db_path: Path):
    acme = _employer_id(seeded, "Acme")
    code = (
        "import json, sys\n"
        "from matcher.hiring.decisions import record_decision\n"
        "from matcher.store import open_database\n"
        f"db = open_database({str(db_path)!r})\n"
        f"record_decision(db, {acme}, 'ACME-1', 'W2', 'shortlisted',"
        " actor_user_id=None, source='cli')\n"
        "print(json.dumps(sorted(m for m in ('web', 'flask') if m in sys.modules)))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=120
    )
    assert json.loads(result.stdout) == []
    stage, source = seeded.execute("SELECT stage, source FROM outcomes").fetchone()
    assert (stage, source) == ("shortlisted", "cli")
