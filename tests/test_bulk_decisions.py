"""Bulk decisions on a real SQLite file: each candidate through the one state machine."""

from __future__ import annotations

import pytest
from sqlite_utils import Database

from matcher.errors import NotFound
from matcher.hiring import decisions
from matcher.hiring.bulk import BulkError, record_bulk_decision
from matcher.importing import import_rows
from tests.test_pipeline import JOBS, WORKERS


@pytest.fixture
def seeded(db: Database) -> Database:
    assert not import_rows(db, "workers", WORKERS).rejected
    assert not import_rows(db, "jobs", JOBS).rejected
    return db


def _employer(db: Database, name: str = "Acme") -> int:
    return db.execute("SELECT id FROM employers WHERE name = ?", [name]).fetchone()[0]


def _bulk(db: Database, workers: list[str], stage: str, job: str = "ACME-1", employer="Acme"):
    return record_bulk_decision(
        db, _employer(db, employer), job, workers, stage, actor_user_id=None
    )


def _events(db: Database) -> list[tuple[str, str]]:
    return db.execute(
        """SELECT w.external_id, o.stage FROM outcomes o JOIN workers w ON w.id = o.worker_id
           ORDER BY o.id"""
    ).fetchall()


def test_each_candidate_gets_its_own_result(seeded):
    decisions.record_decision(seeded, _employer(seeded), "ACME-1", "W2", "shortlisted",
                              actor_user_id=None)  # fmt: skip
    decisions.record_decision(seeded, _employer(seeded), "ACME-1", "W3", "contacted",
                              actor_user_id=None)  # fmt: skip
    outcome = _bulk(seeded, ["W1", "W2", "W3", "W1"], "shortlisted")
    assert [(i.worker, i.result) for i in outcome.items] == [
        ("W1", "recorded"),
        ("W2", "unchanged"),
        ("W3", "refused"),
    ]
    refused = outcome.items[2]
    assert refused.rule == "shortlist_new_or_reconsidered" and refused.stage == "contacted"
    assert _events(seeded) == [("W2", "shortlisted"), ("W3", "contacted"), ("W1", "shortlisted")]
    assert outcome.to_json()["recorded"] == 1


def test_bulk_contact_sends_one_request_each(seeded):
    outcome = _bulk(seeded, ["W1", "W2"], "contacted")
    assert len(outcome.of("recorded")) == 2
    assert seeded.execute("SELECT count(*) FROM contact_requests").fetchone()[0] == 2
    again = _bulk(seeded, ["W1"], "contacted")
    assert again.items[0].result == "unchanged"
    assert seeded.execute("SELECT count(*) FROM contact_requests").fetchone()[0] == 2


def test_another_employers_job_or_an_unknown_worker_records_nothing(seeded):
    with pytest.raises(NotFound):
        _bulk(seeded, ["W1"], "shortlisted", job="GLOBEX-1")
    with pytest.raises(NotFound):
        _bulk(seeded, ["W1", "W-unknown"], "shortlisted")
    assert _events(seeded) == []


@pytest.mark.parametrize(
    ("workers", "stage", "field"),
    [([], "shortlisted", "workers"), (["", " "], "rejected", "workers"),
     (["W1"], "hired", "stage"), (["W1"], "", "stage"),
     ([f"X{n}" for n in range(501)], "rejected", "workers")],
)  # fmt: skip
def test_an_empty_selection_or_a_stage_bulk_cannot_record_is_refused(seeded, workers, stage, field):
    with pytest.raises(BulkError) as error:
        _bulk(seeded, workers, stage)
    assert error.value.field == field
    assert _events(seeded) == []
