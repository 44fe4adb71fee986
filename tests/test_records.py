"""Records: parsing contract rows, saving them whole, loading them back, the consent ledger."""

from __future__ import annotations

import datetime as dt

import pytest

from matcher.records import RowError, SaveStatus
from matcher.records.jobs import JobRecord, employer_ids, load_job, parse_job, save_job
from matcher.records.outcomes import record_outcome
from matcher.records.workers import (
    CONSENT_WORDING,
    WorkerSkill,
    load_worker,
    parse_worker,
    save_worker,
)
from matcher.store import utc_now

WORKER = {
    "external_id": "W1",
    "name": "Ana Souza",
    "email": "ana@example.com",
    "work_authorization": "open_work_permit",
}
JOB = {
    "external_id": "J1",
    "employer": "Maple Analytics",
    "title": "Data Engineer",
    "city": "Toronto",
}


def rejection(parse, row: dict) -> tuple[str, str]:
    with pytest.raises(RowError) as caught:
        parse(row)
    return caught.value.field, caught.value.reason


def test_parse_worker_reads_csv_strings_into_typed_values():
    record = parse_worker(
        {
            **WORKER,
            "skills": "python:5; sql ;python3",
            "years_experience": "6",
            "education": "Master",
            "city_preferences": "montréal;TORONTO",
            "open_to_remote": "Yes",
            "english_level": "10",
            "salary_expectation_cad": "120000",
            "available_from": "2026-01-05",
            "match_emails": "1",
        }
    )
    assert record.skills == (WorkerSkill("Python", 5.0), WorkerSkill("SQL", None))
    assert record.years_experience == 6.0
    assert record.education == "master"
    assert record.city_preferences == ("Montreal", "Toronto")
    assert (record.open_to_remote, record.match_emails) == (True, True)
    assert (record.english_level, record.french_level) == (10, None)
    assert record.salary_expectation_cad == 120000
    assert record.available_from == "2026-01-05"


def test_parse_worker_reads_json_values_and_skill_objects():
    record = parse_worker(
        {
            **WORKER,
            "skills": [{"name": "java", "years": 2.5}, "SQL"],
            "city_preferences": ["Vancouver"],
            "open_to_remote": False,
            "english_level": 12,
        }
    )
    assert record.skills == (WorkerSkill("Java", 2.5), WorkerSkill("SQL", None))
    assert record.city_preferences == ("Vancouver",)
    assert record.english_level == 12


def test_resume_skills_are_added_with_source_resume_and_listed_ones_win():
    record = parse_worker(
        {**WORKER, "skills": "python:3", "resume_text": "Python and Docker, daily."}
    )
    assert record.skills == (
        WorkerSkill("Docker", None, "resume"),
        WorkerSkill("Python", 3.0, "listed"),
    )


def test_unrecognised_skills_do_not_reject_the_row_and_are_not_kept():
    record = parse_worker({**WORKER, "skills": "python;basketweaving"})
    assert record.skills == (WorkerSkill("Python"),)
    assert record.unrecognised_skills == ("basketweaving",)


@pytest.mark.parametrize(
    ("change", "field", "reason"),
    [
        ({"external_id": " "}, "external_id", "required"),
        ({"name": ""}, "name", "required"),
        ({"email": "bob@"}, "email", "not a valid email address ('bob@')"),
        ({"email": "bob smith@example.com"}, "email", "not a valid email address"),
        ({"years_experience": "-1"}, "years_experience", "must be at least 0"),
        ({"years_experience": "lots"}, "years_experience", "must be a number"),
        ({"english_level": "13"}, "english_level", "must be between 0 and 12 (got 13)"),
        ({"french_level": "-1"}, "french_level", "must be between 0 and 12 (got -1)"),
        ({"french_level": "7.5"}, "french_level", "must be a whole number"),
        ({"education": "college"}, "education", "must be one of none, secondary"),
        ({"city_preferences": "Toronto;toronto"}, "city_preferences", "Toronto is listed more"),
        ({"city_preferences": "Calgary"}, "city_preferences", "'Calgary' is not one of"),
        ({"open_to_remote": "maybe"}, "open_to_remote", "must be true/false, yes/no or 1/0"),
        ({"available_from": "2026-02-30"}, "available_from", "not a real date"),
        ({"available_from": "05/01/2026"}, "available_from", "must be an ISO date"),
        ({"work_authorization": "martian"}, "work_authorization", "must be one of citizen"),
        ({"work_authorization": None}, "work_authorization", "required"),
        ({"skills": "python:-2"}, "skills", "years for 'python' must be 0 or more"),
        ({"salary_expectation_cad": "-5"}, "salary_expectation_cad", "must be between 0"),
    ],
)
def test_parse_worker_rejects_each_broken_field(change, field, reason):
    got_field, got_reason = rejection(parse_worker, {**WORKER, **change})
    assert got_field == field
    assert got_reason.startswith(reason)


def test_parse_job_extracts_required_skills_from_the_description_when_none_are_listed():
    record = parse_job({**JOB, "description": "Java services on Kubernetes."})
    assert record.required_skills == ("Java", "Kubernetes")
    assert record.nice_to_have_skills == ()


def test_parse_job_keeps_listed_skills_and_a_skill_in_both_lists_is_required():
    record = parse_job(
        {
            **JOB,
            "description": "Java services on Kubernetes.",
            "required_skills": "python",
            "nice_to_have_skills": "python;docker",
        }
    )
    assert record.required_skills == ("Python",)
    assert record.nice_to_have_skills == ("Docker",)


def test_parse_job_defaults_and_datetime_posted_at_becomes_its_utc_date():
    record = parse_job({**JOB, "posted_at": "2026-03-02T22:30:00-05:00"})
    assert (record.remote, record.status, record.french_level_required) == ("onsite", "open", 0)
    assert record.posted_at == "2026-03-03"


@pytest.mark.parametrize(
    ("change", "field", "reason"),
    [
        ({"employer": ""}, "employer", "required"),
        ({"title": None}, "title", "required"),
        ({"city": ""}, "city", "required"),
        ({"city": "Ottawa"}, "city", "'Ottawa' is not one of"),
        ({"remote": "sometimes"}, "remote", "must be one of onsite, hybrid, remote"),
        ({"status": "paused"}, "status", "must be one of open, closed"),
        ({"french_level_required": "13"}, "french_level_required", "must be between 0 and 12"),
        ({"salary_min_cad": "9", "salary_max_cad": "8"}, "salary_max_cad", "is less than"),
        ({"posted_at": "soon"}, "posted_at", "must be an ISO date"),
        ({"min_years_experience": "-1"}, "min_years_experience", "must be at least 0"),
    ],
)
def test_parse_job_rejects_each_broken_field(change, field, reason):
    got_field, got_reason = rejection(parse_job, {**JOB, **change})
    assert got_field == field
    assert got_reason.startswith(reason)


def test_save_worker_inserts_updates_and_leaves_equal_records_alone(db):
    record = parse_worker({**WORKER, "skills": "python:5", "resume_text": "Docker"})
    assert save_worker(db, record) is SaveStatus.INSERTED
    assert save_worker(db, record) is SaveStatus.UNCHANGED
    assert load_worker(db, "W1") == record
    changed = parse_worker({**WORKER, "skills": "java"})
    assert save_worker(db, changed) is SaveStatus.UPDATED
    assert load_worker(db, "W1") == changed
    assert db.execute("SELECT skill, source FROM worker_skills").fetchall() == [("Java", "listed")]


def test_match_emails_changes_are_written_to_the_consent_ledger(db):
    save_worker(db, parse_worker({**WORKER, "match_emails": "false"}), source="import")
    save_worker(db, parse_worker({**WORKER, "match_emails": "true"}), source="import")
    save_worker(db, parse_worker({**WORKER, "match_emails": "true", "name": "Ana S."}))
    save_worker(db, parse_worker({**WORKER, "match_emails": "no"}), source="web")
    ledger = db.execute("SELECT granted, method, wording, purpose FROM consents ORDER BY id")
    assert ledger.fetchall() == [
        (1, "import", CONSENT_WORDING, "match_emails"),
        (0, "web", CONSENT_WORDING, "match_emails"),
    ]


def test_a_deleted_worker_is_not_loaded_and_cannot_be_saved_again(db):
    save_worker(db, parse_worker(WORKER))
    db.execute("UPDATE workers SET name = NULL, email = NULL, deleted_at = ?", [utc_now()])
    assert load_worker(db, "W1") is None
    with pytest.raises(RowError) as caught:
        save_worker(db, parse_worker(WORKER))
    assert caught.value.field == "external_id"


def test_save_job_creates_the_employer_and_guards_another_employers_job(db):
    record = parse_job({**JOB, "required_skills": "python"})
    assert save_job(db, record) is SaveStatus.INSERTED
    assert load_job(db, "J1") == record
    other = employer_ids(db, ["Northern Bank"])["Northern Bank"]
    with pytest.raises(RowError) as caught:
        save_job(db, record, employer_id=other)
    assert caught.value.field == "external_id"
    own = employer_ids(db, ["Maple Analytics"])["Maple Analytics"]
    closed = JobRecord(**{**record.__dict__, "status": "closed"})
    assert save_job(db, closed, employer_id=own) is SaveStatus.UPDATED
    assert load_job(db, "J1").status == "closed"


def test_record_outcome_appends_once_and_normalises_the_time_to_utc(db):
    save_worker(db, parse_worker(WORKER))
    save_job(db, parse_job(JOB))
    at = dt.datetime(2026, 3, 6, 9, 30, tzinfo=dt.timezone(dt.timedelta(hours=-5)))
    first = record_outcome(db, "J1", "W1", "shortlisted", at=at)
    again = record_outcome(db, "J1", "W1", "shortlisted", at="2026-03-06T14:30:00Z")
    assert (first.inserted, again.inserted) == (True, False)
    assert first.record.at == "2026-03-06T14:30:00Z"
    rows = db.execute("SELECT stage, at, source FROM outcomes").fetchall()
    assert rows == [("shortlisted", "2026-03-06T14:30:00Z", "web")]


def test_record_outcome_names_the_unknown_or_bad_field(db):
    save_worker(db, parse_worker(WORKER))
    save_job(db, parse_job(JOB))
    for args, field in [
        (("J9", "W1", "hired"), "job_external_id"),
        (("J1", "W9", "hired"), "worker_external_id"),
        (("J1", "W1", "ghosted"), "stage"),
    ]:
        with pytest.raises(RowError) as caught:
            record_outcome(db, *args)
        assert caught.value.field == field
    assert db.execute("SELECT count(*) FROM outcomes").fetchone()[0] == 0


POSTING = """Senior Data Engineer
Location: Vancouver (hybrid)
Requirements
- 5+ years of experience with Python and SQL
- French required
Nice to have
- Apache Airflow
Salary: $130,000 - $150,000
"""


def test_parse_job_reads_empty_optional_fields_from_the_description():
    row = {**JOB, "description": POSTING}
    for name in ("city", "remote", "min_years_experience", "salary_min_cad", "salary_max_cad"):
        row.pop(name, None)
    record = parse_job({**row, "city": ""})
    assert (record.city, record.remote, record.min_years_experience) == ("Vancouver", "hybrid", 5)
    assert (record.salary_min_cad, record.salary_max_cad) == (130_000, 150_000)
    assert record.french_level_required == 7
    assert (record.required_skills, record.nice_to_have_skills) == (
        ("Python", "SQL"),
        ("Apache Airflow",),
    )


def test_fields_given_explicitly_win_over_the_description():
    given = {
        **JOB,
        "description": POSTING,
        "city": "Toronto",
        "remote": "onsite",
        "min_years_experience": 2,
        "salary_min_cad": 90_000,
        "french_level_required": 0,
        "required_skills": "java",
    }
    record = parse_job(given)
    assert (record.city, record.remote, record.min_years_experience) == ("Toronto", "onsite", 2)
    # One end of the range given: the other is not read, so min <= max stays the employer's.
    assert (record.salary_min_cad, record.salary_max_cad) == (90_000, None)
    assert record.french_level_required == 0
    assert (record.required_skills, record.nice_to_have_skills) == (("Java",), ())


def test_a_job_without_city_in_row_or_description_is_still_rejected():
    got_field, got_reason = rejection(parse_job, {**JOB, "city": "", "description": "Python."})
    assert (got_field, got_reason.startswith("required")) == ("city", True)
