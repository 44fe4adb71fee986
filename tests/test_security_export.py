"""CSV formula injection: `export --spreadsheet-safe`, and byte-identical exports without it."""

from __future__ import annotations

import csv

from matcher.importing import import_file, import_rows

HOSTILE = [
    {
        "external_id": "-W1",
        "name": '=HYPERLINK("https://evil.example","click")',
        "email": "w1@example.org",
        "work_authorization": "citizen",
        "skills": "python",
    },
    {
        "external_id": "@W2",
        "name": "+cmd|' /C calc'!A0",
        "email": "w2@example.org",
        "work_authorization": "citizen",
    },
    {
        "external_id": "W3",
        "name": "Plain Name",
        "email": "w3@example.org",
        "work_authorization": "citizen",
    },
]
JOB = {
    "external_id": "=J1",
    "employer": "@SUM(A1)",
    "title": "-2+3",
    "required_skills": "python",
    "city": "Toronto",
}


def cells(path) -> list[list[str]]:
    with path.open(newline="", encoding="utf-8") as handle:
        return list(csv.reader(handle))


def test_spreadsheet_safe_export_writes_formula_cells_as_text(db, tmp_path, run_cli):
    assert not import_rows(db, "workers", HOSTILE).rejected
    assert not import_rows(db, "jobs", [JOB]).rejected
    workers, jobs = tmp_path / "workers.csv", tmp_path / "jobs.csv"

    run_cli("export", "workers", str(workers), "--spreadsheet-safe", check=True)
    run_cli("export", "jobs", str(jobs), "--spreadsheet-safe", check=True)

    rows = cells(workers)[1:]
    assert [row[:2] for row in rows] == [
        ["'-W1", """'=HYPERLINK("https://evil.example","click")"""],
        ["'@W2", "'+cmd|' /C calc'!A0"],
        ["W3", "Plain Name"],
    ]
    every_cell = [cell for row in rows + cells(jobs)[1:] for cell in row]
    assert not any(cell.startswith(("=", "+", "-", "@")) for cell in every_cell)
    assert cells(jobs)[1][:3] == ["'=J1", "'@SUM(A1)", "'-2+3"]


def test_export_without_the_flag_is_byte_identical_and_reimports_unchanged(db, tmp_path, run_cli):
    assert not import_rows(db, "workers", HOSTILE).rejected
    first, second = tmp_path / "first.csv", tmp_path / "second.csv"

    run_cli("export", "workers", str(first), check=True)
    assert cells(first)[1][1] == '=HYPERLINK("https://evil.example","click")'
    report = import_file(db, "workers", first)
    run_cli("export", "workers", str(second), check=True)

    assert (report.unchanged, report.rejected) == (3, [])
    assert first.read_bytes() == second.read_bytes()


def test_spreadsheet_safe_is_refused_for_json_lines(tmp_path, run_cli):
    result = run_cli("export", "workers", str(tmp_path / "w.jsonl"), "--spreadsheet-safe")

    assert result.returncode != 0 and "CSV only" in result.stderr
