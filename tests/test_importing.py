"""Importing and exporting the public formats, through the API and the CLI as a user runs it."""

from __future__ import annotations

import json
import shutil

import pytest

from matcher.importing import ImportFileError, RejectedRow, export_file, import_file, import_rows
from matcher.records.jobs import load_job
from matcher.records.workers import WorkerSkill, load_worker
from matcher.store import open_database
from tests.conftest import FIXTURES


def rejected_lines(report) -> list[tuple[int, str]]:
    return [(row.line, row.field) for row in report.rejected]


def worker_ids(db) -> list[str]:
    return [row[0] for row in db.execute("SELECT external_id FROM workers ORDER BY id")]


def test_good_workers_land_whole_and_reimport_changes_nothing(db):
    report = import_file(db, "workers", FIXTURES / "workers_good.csv")
    assert (report.inserted, report.updated, report.unchanged, report.rejected) == (3, 0, 0, [])
    ana = load_worker(db, "W1")
    assert ana.skills == (
        WorkerSkill("Docker", None, "resume"),
        WorkerSkill("Kubernetes", None, "resume"),
        WorkerSkill("Python", 5.0, "listed"),
        WorkerSkill("SQL", None, "listed"),
    )
    assert ana.city_preferences == ("Montreal", "Toronto")
    assert (
        db.execute("SELECT city_preferences FROM workers WHERE external_id = 'W1'").fetchone()[0]
        == "Montreal;Toronto"
    )
    assert load_worker(db, "W2").years_experience == 3.5
    assert load_worker(db, "W3").open_to_remote is True
    consents = db.execute("SELECT worker_id, granted, method FROM consents").fetchall()
    assert consents == [(1, 1, "import")]

    again = import_file(db, "workers", FIXTURES / "workers_good.csv")
    assert (again.inserted, again.updated, again.unchanged, again.rejected) == (0, 0, 3, [])
    assert db.execute("SELECT count(*) FROM consents").fetchone()[0] == 1


def test_bad_worker_rows_are_rejected_by_line_and_field_while_good_rows_land(db):
    report = import_file(db, "workers", FIXTURES / "workers_bad.csv")
    assert rejected_lines(report) == [
        (3, "name"),
        (4, "email"),
        (5, "years_experience"),
        (6, "english_level"),
        (7, "education"),
        (8, "city_preferences"),
        (9, "available_from"),
        (10, "open_to_remote"),
        (11, "external_id"),
        (12, "city_preferences"),
        (13, "work_authorization"),
    ]
    assert str(report.rejected[1]) == "line 4: email: not a valid email address ('bob@')"
    assert report.rejected[8].reason == "'W1' already appears on line 2"
    assert (report.inserted, report.updated, report.unchanged) == (2, 0, 0)
    assert worker_ids(db) == ["W1", "W12"]
    assert load_worker(db, "W1").name == "Ana Souza"
    assert load_worker(db, "W12").skills == (WorkerSkill("Python"),)
    assert report.warnings == [
        "ignored unknown column(s): favourite_colour",
        "1 skill(s) not in the vocabulary were not stored: 'Basketweaving' (1x)",
    ]


def test_bad_jsonl_rows_are_rejected_by_line_including_unreadable_lines(db):
    report = import_file(db, "workers", FIXTURES / "workers_bad.jsonl")
    assert rejected_lines(report) == [
        (3, "skills"),
        (4, "english_level"),
        (5, "row"),
        (6, "row"),
        (7, "city_preferences"),
        (9, "email"),
    ]
    assert worker_ids(db) == ["W1", "W6"]
    assert load_worker(db, "W1").skills == (WorkerSkill("Python", 5.0), WorkerSkill("SQL"))
    assert load_worker(db, "W6").skills == (WorkerSkill("Java"), WorkerSkill("Python", 2.0))
    assert report.warnings == ["ignored unknown column(s): nickname"]


def test_bom_and_windows_line_endings_are_read_like_any_csv(db):
    report = import_file(db, "workers", FIXTURES / "workers_bom_crlf.csv")
    assert (report.inserted, report.rejected, report.warnings) == (2, [], [])
    zoe = load_worker(db, "W1")
    assert (zoe.external_id, zoe.name, zoe.match_emails) == ("W1", "Zoë Tremblay", True)
    assert load_worker(db, "W2").city_preferences == ("Montreal", "Toronto")


def test_a_missing_required_column_refuses_the_file_before_writing(db):
    with pytest.raises(ImportFileError, match="missing required column"):
        import_file(db, "workers", FIXTURES / "workers_missing_column.csv")
    assert worker_ids(db) == []


def test_a_file_that_is_not_utf8_is_refused(db, tmp_path):
    path = tmp_path / "workers.csv"
    path.write_bytes(
        b"external_id,name,email,work_authorization\nW1,Zo\xeb,z@example.com,citizen\n"
    )
    with pytest.raises(ImportFileError, match="not UTF-8"):
        import_file(db, "workers", path)
    assert worker_ids(db) == []


def test_the_format_comes_from_the_extension_or_is_given(db, tmp_path):
    path = tmp_path / "workers.txt"
    shutil.copy(FIXTURES / "workers_good.csv", path)
    with pytest.raises(ImportFileError, match="cannot tell the format"):
        import_file(db, "workers", path)
    assert import_file(db, "workers", path, "csv").inserted == 3
    ndjson = tmp_path / "workers.ndjson"
    shutil.copy(FIXTURES / "workers_bad.jsonl", ndjson)
    assert import_file(db, "workers", ndjson).unchanged == 0


def test_bad_job_rows_are_rejected_and_description_skills_become_required(db):
    report = import_file(db, "jobs", FIXTURES / "jobs_bad.csv")
    assert rejected_lines(report) == [
        (4, "employer"),
        (5, "salary_max_cad"),
        (6, "remote"),
        (7, "french_level_required"),
        (8, "posted_at"),
        (9, "city"),
        (11, "external_id"),
    ]
    assert report.inserted == 3
    j2 = load_job(db, "J2")
    assert j2.required_skills == ("Java", "Kubernetes", "PostgreSQL")
    assert (j2.city, j2.posted_at, j2.french_level_required) == ("Montreal", "2026-03-02", 5)
    j9 = load_job(db, "J9")
    assert (j9.required_skills, j9.nice_to_have_skills) == (("Python",), ("Java",))
    assert (j9.status, j9.remote, j9.min_years_experience) == ("closed", "remote", 2.5)
    employers = db.execute("SELECT name FROM employers ORDER BY name").fetchall()
    assert employers == [("Maple Analytics",), ("Northern Bank",)]
    assert import_file(db, "jobs", FIXTURES / "jobs_bad.csv").unchanged == 3


def test_a_changed_job_is_updated(db, tmp_path):
    import_file(db, "jobs", FIXTURES / "jobs_good.jsonl")
    changed = (FIXTURES / "jobs_good.jsonl").read_text().replace('"open"', '"closed"')
    path = tmp_path / "jobs.jsonl"
    path.write_text(changed)
    report = import_file(db, "jobs", path)
    assert (report.inserted, report.updated, report.unchanged) == (0, 1, 1)
    assert load_job(db, "J1").status == "closed"


def _import_people_and_jobs(db):
    import_file(db, "workers", FIXTURES / "workers_good.csv")
    import_file(db, "jobs", FIXTURES / "jobs_good.jsonl")


def test_outcomes_need_known_jobs_and_workers_and_are_appended_once(db):
    _import_people_and_jobs(db)
    report = import_file(db, "outcomes", FIXTURES / "outcomes_bad.csv")
    assert rejected_lines(report) == [
        (6, "job_external_id"),
        (7, "worker_external_id"),
        (8, "stage"),
        (9, "at"),
        (10, "at"),
    ]
    assert (report.inserted, report.unchanged) == (3, 1)
    rows = db.execute("SELECT stage, at FROM outcomes ORDER BY id").fetchall()
    assert rows == [
        ("shown", "2026-03-05T10:00:00Z"),
        ("shortlisted", "2026-03-06T14:30:00Z"),
        ("viewed", "2026-03-06T08:00:00Z"),
    ]
    again = import_file(db, "outcomes", FIXTURES / "outcomes_bad.csv")
    assert (again.inserted, again.unchanged) == (0, 4)


def test_import_rows_takes_dicts_and_reports_positions(db):
    report = import_rows(
        db,
        "workers",
        [
            {
                "external_id": "D1",
                "name": "Demo",
                "email": "d1@example.com",
                "work_authorization": "citizen",
                "skills": ["python"],
                "match_emails": True,
            },
            {"external_id": "D2", "name": "Demo", "email": "nope", "work_authorization": "citizen"},
        ],
        source="demo",
    )
    assert report.inserted == 1
    assert report.rejected == [RejectedRow(2, "email", "not a valid email address ('nope')")]
    assert db.execute("SELECT method FROM consents").fetchall() == [("demo",)]


def test_a_crash_mid_import_leaves_whole_chunks_and_every_worker_with_its_skills(db):
    def rows_then_crash():
        for index in range(1500):
            yield {
                "external_id": f"W{index}",
                "name": "N",
                "email": f"w{index}@example.com",
                "skills": "python;sql",
                "work_authorization": "citizen",
            }
        raise RuntimeError("the machine fell over")

    with pytest.raises(RuntimeError):
        import_rows(db, "workers", rows_then_crash())
    assert db.execute("SELECT count(*) FROM workers").fetchone()[0] == 1000
    skill_counts = db.execute(
        "SELECT count(*) FROM workers LEFT JOIN worker_skills ON worker_id = id"
        " GROUP BY id HAVING count(skill) != 2"
    ).fetchall()
    assert skill_counts == []


@pytest.mark.parametrize("fmt", ["csv", "jsonl"])
def test_export_then_import_into_a_fresh_database_then_export_gives_identical_files(
    db, tmp_path, fmt
):
    _import_people_and_jobs(db)
    import_file(db, "jobs", FIXTURES / "jobs_bad.csv")
    import_file(db, "outcomes", FIXTURES / "outcomes_bad.csv")
    fresh = open_database(tmp_path / "fresh.db")
    for kind in ("workers", "jobs", "outcomes"):
        first, second = tmp_path / f"first_{kind}.{fmt}", tmp_path / f"second_{kind}.{fmt}"
        export_file(db, kind, first)
        report = import_file(fresh, kind, first)
        assert (report.rejected, report.updated, report.unchanged) == ([], 0, 0)
        export_file(fresh, kind, second)
        assert first.read_bytes() == second.read_bytes()
        assert report.inserted == len(first.read_text().splitlines()) - (fmt == "csv")
    fresh.close()


def test_exported_csv_reads_the_way_people_write_it(db, tmp_path):
    import_file(db, "workers", FIXTURES / "workers_good.csv")
    path = tmp_path / "workers.csv"
    assert export_file(db, "workers", path) == 3
    lines = path.read_text(encoding="utf-8").splitlines()
    assert lines[1] == (
        "W1,Ana Souza,ana@example.com,Python:5;SQL,Built services with Docker and Kubernetes.,"
        "6,master,Montreal;Toronto,true,10,7,120000,open_work_permit,2026-01-05,true,"
    )


def test_cli_import_prints_counts_and_rejected_rows_and_exits_1(run_cli):
    result = run_cli("import", "workers", str(FIXTURES / "workers_bad.csv"))
    assert result.returncode == 1
    lines = result.stdout.splitlines()
    assert lines[0] == "workers: 2 inserted, 0 updated, 0 unchanged, 11 rejected"
    assert lines[2] == "line 4: email: not a valid email address ('bob@')"
    assert len(lines) == 12
    assert "warning: ignored unknown column(s): favourite_colour" in result.stderr


def test_cli_import_of_a_clean_file_exits_0_and_reimport_is_unchanged(run_cli):
    first = run_cli("import", "workers", str(FIXTURES / "workers_good.csv"))
    assert (first.returncode, first.stdout) == (
        0,
        "workers: 3 inserted, 0 updated, 0 unchanged, 0 rejected\n",
    )
    again = run_cli("import", "workers", str(FIXTURES / "workers_good.csv"))
    assert again.stdout == "workers: 0 inserted, 0 updated, 3 unchanged, 0 rejected\n"


def test_cli_refuses_a_file_missing_a_required_column(run_cli, db_path):
    result = run_cli("import", "workers", str(FIXTURES / "workers_missing_column.csv"))
    assert result.returncode != 0
    assert "missing required column(s): email" in result.stderr
    assert "nothing was imported" in result.stderr


def test_cli_export_with_format_option(run_cli, tmp_path):
    run_cli("import", "jobs", str(FIXTURES / "jobs_good.jsonl"), check=True)
    out = tmp_path / "jobs.out"
    result = run_cli("export", "jobs", str(out), "--format", "csv", check=True)
    assert result.stdout == f"exported 2 jobs to {out}\n"
    assert out.read_text().splitlines()[0].startswith("external_id,employer,title,")


def test_line_numbers_count_quoted_newlines_blank_lines_and_extra_values(db, tmp_path):
    path = tmp_path / "jobs.csv"
    path.write_text(
        "external_id,employer,title,description,city\n"
        'J1,Maple,Dev,"Line one\nline two\nline three",Toronto\n'
        ",,,,\n"
        "\n"
        "J2,Maple,Dev,,Ottawa\n"
        "J3,Maple,Dev,,Toronto,surplus\n",
        encoding="utf-8",
    )
    report = import_file(db, "jobs", path)
    assert [str(row) for row in report.rejected] == [
        "line 7: city: 'Ottawa' is not one of Toronto, Vancouver, Montreal",
        "line 8: row: 6 values but the header has 5 columns",
    ]
    assert load_job(db, "J1").description == "Line one\nline two\nline three"


def test_progress_bar_is_drawn_on_stderr_when_asked(db, capsys):
    import_file(db, "workers", FIXTURES / "workers_good.csv", progress=True)
    assert "importing workers" in capsys.readouterr().err


def test_importing_a_job_with_only_a_description_reads_its_fields(db, tmp_path):
    posting = (FIXTURES / "postings" / "northwind_backend.txt").read_text(encoding="utf-8")
    row = {"external_id": "NW-1", "employer": "Northwind", "title": "Backend", "city": ""}
    path = tmp_path / "jobs.jsonl"
    path.write_text(json.dumps({**row, "description": posting}) + "\n", encoding="utf-8")
    assert import_file(db, "jobs", path).inserted == 1
    job = load_job(db, "NW-1")
    assert (job.city, job.remote, job.min_years_experience) == ("Toronto", "hybrid", 6)
    assert (job.salary_min_cad, job.salary_max_cad, job.french_level_required) == (
        145_000,
        175_000,
        7,
    )
    assert "Python" in job.required_skills and "RabbitMQ" in job.nice_to_have_skills
    assert import_file(db, "jobs", path).unchanged == 1
