"""Point-in-time training rows: profiles as they were when the pair reached its grade."""

from __future__ import annotations

import numpy as np
import pytest
from ranking_rows import add_job, add_outcome, add_worker

from matcher.features import FEATURE_NAMES, load_job, load_worker_table
from matcher.features.pair_features import pair_features
from matcher.ranking.training import load_training_data
from matcher.records.workers import parse_worker, save_worker
from matcher.worker_privacy import delete_worker_account

COVERAGE = FEATURE_NAMES.index("required_coverage")
HIRE_STORY = [
    ("shown", "2026-03-01T09:00:00Z"),
    ("interviewed", "2026-03-05T09:00:00Z"),
    ("hired", "2026-03-10T09:00:00Z"),
]


def write_at(monkeypatch, when: str):
    """Fake the write path's clock (the only thing faked)."""
    monkeypatch.setattr("matcher.records.workers.utc_now", lambda: when)


def edit_skills(db, monkeypatch, when: str, skills: list[str]) -> None:
    """Change the worker's skills through the write path the pages and the API use."""
    write_at(monkeypatch, when)
    record = parse_worker(
        {
            "external_id": "W1",
            "name": "Ada Worker",
            "email": "w1@example.com",
            "skills": ";".join(skills),
            "city_preferences": "Toronto",
            "years_experience": 3,
            "work_authorization": "open_work_permit",
        }
    )
    save_worker(db, record)


@pytest.fixture
def hired(db, monkeypatch) -> tuple[int, int]:
    """W1 (Python) hired for J1 (Python, SQL, Docker) on 2026-03-10."""
    edit_skills(db, monkeypatch, "2026-01-15T00:00:00Z", ["Python"])
    worker = db.execute("SELECT id FROM workers WHERE external_id = 'W1'").fetchone()[0]
    job = add_job(db, "J1", required=["Python", "SQL", "Docker"])
    for stage, at in HIRE_STORY:
        add_outcome(db, job, worker, stage, at)
    db.conn.commit()
    return job, worker


def training_coverage(db) -> float:
    data = load_training_data(db)
    return float(data.features[0, COVERAGE])


def live_coverage(db) -> float:
    table = load_worker_table(db)
    return float(pair_features(load_job(db, "J1"), table, np.array([0]))[0, COVERAGE])


def test_a_skill_added_after_the_hire_does_not_change_the_training_row(db, monkeypatch, hired):
    before = training_coverage(db)
    edit_skills(db, monkeypatch, "2026-04-01T00:00:00Z", ["Python", "SQL", "Docker"])
    assert live_coverage(db) == pytest.approx(1.0)  # serving reads the current profile
    assert training_coverage(db) == pytest.approx(before) == pytest.approx(1 / 3)
    data = load_training_data(db)
    assert data.profiles.from_history == 1 and data.profiles.predating == 0


def test_an_edit_before_the_hire_changes_the_training_row(db, monkeypatch, hired):
    edit_skills(db, monkeypatch, "2026-03-07T00:00:00Z", ["Python", "SQL"])
    assert training_coverage(db) == pytest.approx(2 / 3)
    edit_skills(db, monkeypatch, "2026-03-10T09:00:01Z", ["Python", "SQL", "Docker"])
    assert training_coverage(db) == pytest.approx(2 / 3)  # a second after the hire: not seen


def test_a_job_edited_after_the_hire_keeps_its_old_requirements_in_training(db, hired):
    job, _worker = hired
    db.execute("UPDATE jobs SET updated_at = '2026-05-01T00:00:00Z' WHERE id = ?", [job])
    db.execute("DELETE FROM job_skills WHERE job_id = ? AND skill != 'Python'", [job])
    db.conn.commit()
    assert live_coverage(db) == pytest.approx(1.0)
    assert training_coverage(db) == pytest.approx(1 / 3)


def test_outcomes_older_than_the_history_use_the_earliest_version(db, monkeypatch, hired):
    job, worker = hired
    old_job = add_job(db, "J0", required=["Python", "SQL"])
    add_outcome(db, old_job, worker, "shown", "2025-06-01T00:00:00Z")  # before W1 was written
    db.conn.commit()
    edit_skills(db, monkeypatch, "2026-04-01T00:00:00Z", ["Python", "SQL"])
    data = load_training_data(db)
    row = int(np.flatnonzero(data.labelled.job_ids == old_job)[0])
    assert data.features[row, COVERAGE] == pytest.approx(0.5)  # Python only, as first written
    assert data.profiles.predating >= 1


def test_history_is_written_whatever_writes_and_goes_with_a_deleted_worker(db, hired):
    _job, worker = hired
    add_worker(db, "W2", skills={"Go": 2.0})  # plain SQL, no application code
    db.conn.commit()
    versions = db.execute("SELECT COUNT(*) FROM worker_history").fetchone()[0]
    skills = db.execute("SELECT COUNT(*) FROM worker_skill_history").fetchone()[0]
    assert versions == 2 and skills == 2
    delete_worker_account(db, worker)
    left = db.execute(
        "SELECT COUNT(*) FROM worker_history WHERE worker_id = ? UNION ALL "
        "SELECT COUNT(*) FROM worker_skill_history WHERE worker_id = ?",
        [worker, worker],
    ).fetchall()
    assert [n for (n,) in left] == [0, 0]


def test_the_history_never_keeps_names_emails_or_education(db):
    columns = {row[1] for row in db.execute("PRAGMA table_info(worker_history)")}
    assert "resume_text" in columns and not columns & {"name", "email", "education"}
