"""The hiring pipeline on a real SQLite file: the state machine, stages, funnel, notes, CSV."""

from __future__ import annotations

import csv
import io
import json

import pytest
from sqlite_utils import Database

from matcher import accounts
from matcher.hiring import decisions, notes
from matcher.hiring.contact_requests import answer_contact_request, contact_requests_of
from matcher.hiring.exports import shortlist_csv, spreadsheet_safe
from matcher.hiring.funnel import employer_funnel_report, funnel_report
from matcher.hiring.stages import (
    TransitionRefused,
    allowed_decisions,
    candidate_stage,
    pipeline_json,
    pipeline_stages,
)
from matcher.importing import import_rows
from matcher.worker_privacy import delete_worker_account, export_worker_data

WORKERS = [
    {"external_id": w, "name": f"Name {w}", "email": f"{w.lower()}@example.org",
     "skills": "python:4;sql", "work_authorization": "open_work_permit"}
    for w in ("W1", "W2", "W3")
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


def _acme(db: Database) -> int:
    return db.execute("SELECT id FROM employers WHERE name = 'Acme'").fetchone()[0]


def _job_id(db: Database) -> int:
    return decisions.owned_job_id(db, _acme(db), "ACME-1")


def _decide(db: Database, worker: str, stage: str) -> dict:
    return decisions.record_decision(db, _acme(db), "ACME-1", worker, stage, actor_user_id=None)


def _accept(db: Database, worker: str) -> None:
    worker_id = decisions.live_worker_id(db, worker)
    [request] = contact_requests_of(db, worker_id, status="pending")
    assert answer_contact_request(db, worker_id, request["id"], "accepted").changed


def _refused(db: Database, worker: str, stage: str) -> TransitionRefused:
    before = db.execute("SELECT count(*) FROM outcomes").fetchone()[0]
    with pytest.raises(TransitionRefused) as error:
        _decide(db, worker, stage)
    assert db.execute("SELECT count(*) FROM outcomes").fetchone()[0] == before
    return error.value


def _stage(db: Database, worker: str) -> str:
    return candidate_stage(db, _job_id(db), decisions.live_worker_id(db, worker)).stage


def test_the_whole_path_to_a_hire(seeded):
    for stage in ("shortlisted", "contacted"):
        _decide(seeded, "W1", stage)
    _accept(seeded, "W1")
    for stage in ("interviewed", "offered", "hired"):
        assert _decide(seeded, "W1", stage)["recorded"]
    assert _stage(seeded, "W1") == "hired"


def test_interview_needs_contact_and_an_accepted_request(seeded):
    assert _refused(seeded, "W1", "interviewed").rule == "interview_after_accepted_contact"
    _decide(seeded, "W1", "contacted")
    refused = _refused(seeded, "W1", "interviewed")
    assert refused.rule == "interview_after_accepted_contact" and "pending" in refused.message
    _accept(seeded, "W1")
    assert _decide(seeded, "W1", "interviewed")["recorded"]


def test_a_declined_contact_request_never_unlocks_the_interview(seeded):
    _decide(seeded, "W1", "contacted")
    worker_id = decisions.live_worker_id(seeded, "W1")
    [request] = contact_requests_of(seeded, worker_id)
    answer_contact_request(seeded, worker_id, request["id"], "declined")
    assert "declined" in _refused(seeded, "W1", "interviewed").message
    assert allowed_decisions("contacted", "declined") == ["rejected", "withdrawn"]


def test_offer_only_after_interview_and_hire_only_after_offer(seeded):
    assert _refused(seeded, "W1", "offered").rule == "offer_after_interview"
    assert _refused(seeded, "W1", "hired").rule == "hire_after_offer"
    _decide(seeded, "W1", "contacted")
    _accept(seeded, "W1")
    _decide(seeded, "W1", "interviewed")
    assert _refused(seeded, "W1", "hired").rule == "hire_after_offer"


def test_nothing_after_a_hire(seeded):
    _decide(seeded, "W1", "contacted")
    _accept(seeded, "W1")
    for stage in ("interviewed", "offered", "hired"):
        _decide(seeded, "W1", stage)
    for stage in ("rejected", "shortlisted", "offered"):
        assert _refused(seeded, "W1", stage).rule == "hired_is_final"
    assert allowed_decisions("hired", "accepted") == []


def test_rejection_from_any_open_stage_and_reconsidering(seeded):
    _decide(seeded, "W1", "contacted")
    _decide(seeded, "W1", "rejected")
    assert _stage(seeded, "W1") == "rejected"
    assert _refused(seeded, "W1", "contacted").rule == "contact_before_interview"
    assert allowed_decisions("rejected", None) == ["shortlisted"]
    _decide(seeded, "W1", "shortlisted")
    assert _stage(seeded, "W1") == "shortlisted"
    assert _decide(seeded, "W2", "rejected")["recorded"]  # straight from new


def test_contact_needs_a_new_or_shortlisted_candidate(seeded):
    _decide(seeded, "W1", "contacted")
    _accept(seeded, "W1")
    _decide(seeded, "W1", "interviewed")
    assert _refused(seeded, "W1", "contacted").rule == "contact_before_interview"
    assert _refused(seeded, "W1", "shortlisted").rule == "shortlist_new_or_reconsidered"


def test_recording_the_current_stage_again_adds_no_event(seeded):
    assert _decide(seeded, "W1", "shortlisted")["recorded"]
    again = _decide(seeded, "W1", "shortlisted")
    assert not again["recorded"]
    assert seeded.execute("SELECT count(*) FROM outcomes").fetchone()[0] == 1


def test_import_takes_history_as_it_happened(seeded):
    rows = [
        {"job_external_id": "ACME-1", "worker_external_id": "W3", "stage": "shown",
         "at": "2026-10-01T09:00:00Z"},
        {"job_external_id": "ACME-1", "worker_external_id": "W3", "stage": "hired",
         "at": "2026-10-11T09:00:00Z"},
        {"job_external_id": "ACME-1", "worker_external_id": "W2", "stage": "viewed",
         "at": "2026-10-02T09:00:00Z"},
    ]  # fmt: skip
    report = import_rows(seeded, "outcomes", rows)
    assert report.inserted == 3 and not report.rejected
    stages = pipeline_stages(seeded, _job_id(seeded))
    assert {w: s.stage for w, s in stages.items()} == {"W3": "hired", "W2": "new"}
    assert stages["W3"].since == "2026-10-11T09:00:00Z"
    payload = pipeline_json("ACME-1", stages)
    assert payload["stages"]["hired"] == 1 and payload["stages"]["new"] == 1
    assert payload["stages"]["offered"] == 0
    assert [c["worker"] for c in payload["candidates"]] == ["W2", "W3"]


def test_the_funnel_counts_reached_stages_conversions_and_days(seeded):
    rows = [
        ("W1", "shown", "2026-10-01T00:00:00Z"), ("W1", "shortlisted", "2026-10-02T00:00:00Z"),
        ("W1", "contacted", "2026-10-04T00:00:00Z"), ("W1", "hired", "2026-10-11T00:00:00Z"),
        ("W2", "shown", "2026-10-01T00:00:00Z"), ("W2", "shortlisted", "2026-10-05T00:00:00Z"),
        ("W2", "rejected", "2026-10-06T00:00:00Z"),
        ("W3", "shown", "2026-10-01T00:00:00Z"),
    ]  # fmt: skip
    import_rows(
        seeded,
        "outcomes",
        [
            {"job_external_id": "ACME-1", "worker_external_id": w, "stage": s, "at": at}
            for w, s, at in rows
        ],
    )
    report = funnel_report(seeded, _job_id(seeded), "ACME-1")
    reached = {s["stage"]: s["reached"] for s in report["stages"]}
    assert reached == {"new": 3, "shortlisted": 2, "contacted": 1, "interviewed": 1,
                       "offered": 1, "hired": 1}  # fmt: skip
    current = {s["stage"]: s["current"] for s in report["stages"]}
    assert current["hired"] == 1 and current["new"] == 1
    assert report["closed"] == {"rejected": 1, "withdrawn": 0}
    steps = {(c["from"], c["to"]): c for c in report["conversions"]}
    assert steps[("new", "shortlisted")]["rate"] == round(2 / 3, 4)
    assert steps[("shortlisted", "contacted")]["rate"] == 0.5
    assert steps[("new", "shortlisted")]["median_days"] == 2.5  # 1 day and 4 days
    assert steps[("shortlisted", "contacted")]["median_days"] == 2.0
    assert steps[("interviewed", "offered")]["median_days"] is None
    assert report["median_days_to_hire"] == 10.0
    assert report["candidates"] == 3


def test_the_employers_funnel_adds_up_its_jobs_and_leaves_out_other_employers(seeded):
    more = [{"external_id": "ACME-2", "employer": "Acme", "title": "SQL analyst",
             "city": "Toronto"}]  # fmt: skip
    assert not import_rows(seeded, "jobs", more).rejected
    rows = [
        ("ACME-1", "W1", "shown", "2026-10-01T00:00:00Z"),
        ("ACME-1", "W1", "hired", "2026-10-11T00:00:00Z"),  # imported: 10 days to hire
        ("ACME-1", "W2", "shown", "2026-10-01T00:00:00Z"),
        ("ACME-2", "W1", "shown", "2026-10-01T00:00:00Z"),  # the same worker, another job
        ("ACME-2", "W1", "shortlisted", "2026-10-03T00:00:00Z"),
        ("ACME-2", "W1", "hired", "2026-10-05T00:00:00Z"),  # 4 days to hire
        ("ACME-2", "W3", "shown", "2026-10-01T00:00:00Z"),
        ("ACME-2", "W3", "rejected", "2026-10-02T00:00:00Z"),
        ("GLOBEX-1", "W2", "shown", "2026-10-01T00:00:00Z"),
        ("GLOBEX-1", "W2", "hired", "2026-10-02T00:00:00Z"),
    ]  # fmt: skip
    outcomes = [
        {"job_external_id": j, "worker_external_id": w, "stage": s, "at": at}
        for j, w, s, at in rows
    ]
    assert not import_rows(seeded, "outcomes", outcomes).rejected
    seeded.execute("UPDATE jobs SET status = 'closed' WHERE external_id = 'ACME-1'")

    report = employer_funnel_report(seeded, _acme(seeded))
    assert (report["employer"], report["jobs"], report["open_jobs"]) == ("Acme", 2, 1)
    assert report["candidates"] == 4, "W1 on two jobs counts twice; Globex's W2 not at all"
    reached = {s["stage"]: s["reached"] for s in report["stages"]}
    assert reached == {"new": 4, "shortlisted": 2, "contacted": 2, "interviewed": 2,
                       "offered": 2, "hired": 2}  # fmt: skip
    current = {s["stage"]: s["current"] for s in report["stages"]}
    assert current["hired"] == 2 and current["new"] == 1
    assert report["closed"] == {"rejected": 1, "withdrawn": 0}
    assert report["median_days_to_hire"] == 7.0  # median of 10 and 4
    steps = {(c["from"], c["to"]): c for c in report["conversions"]}
    assert steps[("new", "shortlisted")]["rate"] == 0.5
    one_job = funnel_report(seeded, _job_id(seeded), "ACME-1")
    assert one_job["candidates"] == 2 and one_job["median_days_to_hire"] == 10.0
    globex = seeded.execute("SELECT id FROM employers WHERE name = 'Globex'").fetchone()[0]
    assert employer_funnel_report(seeded, globex)["candidates"] == 1


def test_spreadsheet_formulas_are_neutralised():
    for dangerous in ("=HYPERLINK(1)", "+1", "-2", "@SUM(A1)", "\tx", "\rx"):
        assert spreadsheet_safe(dangerous) == "'" + dangerous
    for hidden in (" =1+1", "\n=1+1", "\u00a0@SUM(A1)", "  \t-1", "＝1+1", "＋1", "－1", "＠A1"):
        assert spreadsheet_safe(hidden) == "'" + hidden
    assert spreadsheet_safe("C++ (senior)") == "C++ (senior)"
    assert spreadsheet_safe("Python") == "Python"
    assert spreadsheet_safe(None) == ""
    assert spreadsheet_safe(0.5) == "0.5"


def test_the_csv_is_blind_until_contact_is_accepted(seeded):
    seeded.execute("UPDATE workers SET name = '=cmd|calc' WHERE external_id = 'W2'")
    candidates = [
        {"worker": w, "rank": n, "score": 0.5, "explanation": {"matched_skills": ["Python"]}}
        for n, w in enumerate(("W1", "W2"), start=1)
    ]
    _decide(seeded, "W1", "contacted")
    _decide(seeded, "W2", "contacted")
    _accept(seeded, "W2")
    rows = list(csv.DictReader(io.StringIO(shortlist_csv(seeded, _job_id(seeded), candidates))))
    assert (rows[0]["worker"], rows[0]["name"], rows[0]["email"]) == ("W1", "", "")
    assert rows[0]["stage"] == "Contacted"
    assert (rows[1]["name"], rows[1]["email"]) == ("'=cmd|calc", "w2@example.org")


def _employer_user(db: Database, email: str, employer: str) -> int:
    user = accounts.create_user(db, email=email, password="long-enough-pw", employer_name=employer)
    return user.id


def test_notes_and_tags_are_the_jobs_employers_and_reach_the_workers_export(seeded):
    user = _employer_user(seeded, "a@acme.example", "Acme")
    job_id, worker_id = _job_id(seeded), decisions.live_worker_id(seeded, "W1")
    body = "Très bonne entrevue.\nParle français; à rappeler lundi."
    note_id = notes.add_note(seeded, job_id, worker_id, user, body + "\r\n")
    notes.add_tag(seeded, job_id, worker_id, user, "  Senior   Python ")
    notes.add_tag(seeded, job_id, worker_id, user, "senior python")  # same tag
    [stored] = notes.notes_by_worker(seeded, job_id)["W1"]
    assert (stored["body"], stored["author"]) == (body, "a@acme.example")
    assert notes.tags_by_worker(seeded, job_id) == {"W1": ["Senior Python"]}
    globex_job = seeded.execute("SELECT id FROM jobs WHERE external_id = 'GLOBEX-1'").fetchone()[0]
    assert notes.notes_by_worker(seeded, globex_job) == {}
    assert not notes.delete_note(seeded, globex_job, note_id, user)
    with pytest.raises(notes.NoteError):
        notes.add_note(seeded, job_id, worker_id, user, "   ")
    data = export_worker_data(seeded, worker_id)
    assert data["employer_notes"] == [
        {"job": "ACME-1", "employer": "Acme", "body": body, "created_at": stored["created_at"]}
    ]
    assert [t["tag"] for t in data["employer_tags"]] == ["Senior Python"]
    assert "a@acme.example" not in str(data["employer_notes"])


def test_deleting_the_account_removes_the_notes_and_tags_about_them(seeded):
    user = _employer_user(seeded, "a@acme.example", "Acme")
    job_id = _job_id(seeded)
    w1, w2 = (decisions.live_worker_id(seeded, w) for w in ("W1", "W2"))
    for worker_id in (w1, w2):
        notes.add_note(seeded, job_id, worker_id, user, "Good fit")
        notes.add_tag(seeded, job_id, worker_id, user, "call back")
    delete_worker_account(seeded, w1)
    for table in ("candidate_notes", "candidate_tags"):
        left = seeded.execute(f"SELECT worker_id FROM {table}").fetchall()
        assert left == [(w2,)]


def test_the_report_command_prints_the_funnel(seeded, run_cli):
    _decide(seeded, "W1", "shortlisted")
    _decide(seeded, "W2", "shortlisted")
    _decide(seeded, "W2", "contacted")
    result = run_cli("report", "ACME-1", "--json", check=True)
    report = json.loads(result.stdout)
    assert report == funnel_report(seeded, _job_id(seeded), "ACME-1")
    assert {s["stage"]: s["reached"] for s in report["stages"]}["contacted"] == 1
    text = run_cli("report", "ACME-1", check=True).stdout
    assert "ACME-1: 2 candidate(s)" in text and "shortlisted -> contacted: 50%" in text
    missing = run_cli("report", "NOPE")
    assert missing.returncode != 0 and "no job 'NOPE'" in missing.stderr


def test_withdrawn_is_recorded_from_any_open_stage(seeded):
    _decide(seeded, "W1", "contacted")
    assert _decide(seeded, "W1", "withdrawn")["recorded"]
    assert _stage(seeded, "W1") == "withdrawn"
    assert _decide(seeded, "W2", "withdrawn")["recorded"]  # a new candidate who said no
    assert "withdrawn" in allowed_decisions("offered", None)


def test_withdrawn_is_refused_after_a_hire(seeded):
    _decide(seeded, "W1", "contacted")
    _accept(seeded, "W1")
    for stage in ("interviewed", "offered", "hired"):
        _decide(seeded, "W1", stage)
    assert _refused(seeded, "W1", "withdrawn").rule == "hired_is_final"


def test_a_withdrawn_candidate_comes_back_through_the_shortlist(seeded):
    _decide(seeded, "W1", "withdrawn")
    refused = _refused(seeded, "W1", "contacted")
    assert refused.rule == "contact_before_interview" and refused.current == "withdrawn"
    assert _decide(seeded, "W1", "shortlisted")["recorded"]
    assert _stage(seeded, "W1") == "shortlisted"
