"""Occupations: titles and resumes to O*NET-SOC codes, closeness, the committed file, and
what they change on a shortlist."""

from __future__ import annotations

import datetime as dt
import json

import numpy as np
import pytest

from matcher.batch.tasks import open_read_only
from matcher.config import Settings
from matcher.features.pair_features import pair_features
from matcher.features.population import JobProfile, load_worker_table
from matcher.importing import import_rows
from matcher.occupations import (
    code_positions,
    occupation_of_title,
    occupation_similarity,
    occupations_in_text,
    similarity_to_codes,
)
from matcher.occupations.build_occupations import (
    DEFAULT_DATA_DIR,
    OUTPUT_PATH,
    SEED_PATH,
    build_occupations,
)
from matcher.occupations.stored import read_resume_occupations, refresh_stored_occupations
from matcher.ranking.shortlists import shortlist_for_job


@pytest.mark.parametrize(
    ("title", "code"),
    [
        ("Senior Data Scientist II", "15-2051.00"),
        ("Data Scientist, Marketing Analytics", "15-2051.00"),
        ("Principal Software Engineer", "15-1252.00"),
        ("Sr. Business Intelligence Analyst", "15-2051.01"),
        ("QA Engineer", "15-1253.00"),
        ("HR Executive", "13-1071.00"),
        ("Chef", "35-1011.00"),
    ],
)
def test_a_job_title_names_its_occupation(title, code):
    assert occupation_of_title(title).code == code


@pytest.mark.parametrize(
    ("title", "code"),
    [
        ("Senior Programm Manager", "13-1082.00"),
        ("Data Scienist", "15-2051.00"),
        ("Sofware Engineer", "15-1252.00"),
    ],
)
def test_a_misspelt_job_title_names_the_occupation_it_misspells(title, code):
    assert occupation_of_title(title).code == code


def test_a_short_unknown_title_is_not_guessed():
    assert occupation_of_title("Dveloper") is None


def test_a_title_of_no_occupation_is_none_and_a_generic_word_is_no_title():
    assert occupation_of_title("Scientist, Immuno-Oncology") is None
    assert occupation_of_title("Engineer") is None


def test_noc_2021_where_a_simple_mapping_exists():
    assert occupation_of_title("Data Scientist").noc == "21211"
    assert occupation_of_title("Software Developer").noc == "21232"
    assert occupation_of_title("Chef").noc is None


def test_a_resume_reads_as_the_occupation_its_titles_name_most():
    resume = (
        "Data Scientist\nSkills: Python, SQL Server, Excel, model building\n"
        "Company Details company - Acme description - Data Scientist building churn models; "
        "earlier a Java Developer."
    )
    found = occupations_in_text(resume)
    assert found[0][0] == "15-2051.00"
    assert found[0][1] > 0.5
    assert abs(sum(share for _, share in found) - 1.0) < 1e-9
    # 'server' (waiters) and 'model' (models) are O*NET titles, but not in running text.
    assert not {code for code, _ in found} & {"35-3031.00", "41-9012.00"}


def test_titles_in_the_plural_name_colleagues_not_the_writer():
    skills = "Skills: Selenium, UFT, Jira, SQL. " * 20  # the titles come after the head words
    resume = (
        skills
        + "QA Automation Engineer. Interact with Business Analysts and Software Developers for "
        "bug review. Worked with a business analyst on test plans."
    )
    found = dict(occupations_in_text(resume))
    assert "15-1252.00" not in found  # "software developers": the people worked with
    assert set(found) == {"15-1253.00", "13-1111.00"}  # the singular one counts
    assert found["15-1253.00"] == found["13-1111.00"] == 0.5


def test_a_resume_with_no_title_has_no_occupation():
    assert occupations_in_text("Python, SQL and Excel; worked on dashboards.") == []


def test_similarity_follows_the_soc_hierarchy():
    assert occupation_similarity("15-2051.00", "15-2051.00") == 1.0
    assert occupation_similarity("15-2051.00", "15-2051.01") == 0.9
    related = occupation_similarity("15-2051.00", "15-1252.00")
    assert 0.0 < related < occupation_similarity("15-1251.00", "15-1252.00") < 0.9
    assert occupation_similarity("15-2051.00", "13-1071.00") == 0.0
    assert occupation_similarity("15-2051.00", "35-1011.00") == 0.0
    assert occupation_similarity("15-1299.09", "13-1082.00") == 0.75  # curated: across groups
    assert occupation_similarity(None, "15-2051.00") == occupation_similarity("15-2051.00", None)


@pytest.mark.skipif(not DEFAULT_DATA_DIR.is_dir(), reason="O*NET data not beside the project")
def test_committed_occupations_file_is_what_the_build_script_makes():
    document = build_occupations(DEFAULT_DATA_DIR, SEED_PATH.read_text(encoding="utf-8"))
    assert json.loads(OUTPUT_PATH.read_text(encoding="utf-8")) == document
    assert any("O*NET 29.0" in line and "CC BY 4.0" in line for line in document["attribution"])


RESUMES = {
    "data": "Data Scientist. Built machine learning models in Python and SQL; reports in Excel.",
    "software": "Software Developer. Java and Python services, SQL databases, Excel for plans.",
    "hr": "HR Executive. Recruitment, payroll and onboarding; MS Excel and MS Word.",
    "sales": "Sales Executive. Met quarterly targets; client lists kept in Excel.",
    "arts": "Graphic Designer and fine arts painter; exhibition budgets in Excel.",
    "lawyer": "Advocate at the district court; case files tracked in Excel.",
}


def test_a_data_science_shortlist_holds_data_and_software_people_not_excel_users(
    db, db_path, models_dir
):
    workers = [
        {
            "external_id": name,
            "name": name.title(),
            "email": f"{name}@example.org",
            "resume_text": text,
            "city_preferences": "Toronto",
            "work_authorization": "open_work_permit",
        }
        for name, text in RESUMES.items()
    ]
    assert not import_rows(db, "workers", workers).rejected
    job = {
        "external_id": "DS1",
        "employer": "Acme",
        "title": "Senior Data Scientist",
        "description": "Build models and dashboards; Excel required.",
        "required_skills": "Excel",
        "city": "Toronto",
    }
    assert not import_rows(db, "jobs", [job]).rejected
    settings = Settings(db_path=db_path, models_dir=models_dir)
    ranked = [c.worker for c in shortlist_for_job(db, "DS1", settings=settings).candidates]
    assert ranked[:2] == ["data", "software"]


def _import_resume_workers(db) -> None:
    workers = [
        {
            "external_id": name,
            "name": name.title(),
            "email": f"{name}@example.org",
            "resume_text": text,
            "skills": "Excel;Python",
            "city_preferences": "Toronto",
            "work_authorization": "open_work_permit",
        }
        for name, text in {**RESUMES, "blank": ""}.items()
    ]
    assert not import_rows(db, "workers", workers).rejected


def _occupations_by_worker(table) -> dict[str, list[tuple[int, float]]]:
    """Each worker's (code position, share) slots, independent of profile numbering."""
    return {
        str(external_id): [
            (int(code), float(weight))
            for code, weight in zip(
                table.occupation_codes[profile], table.occupation_weights[profile], strict=True
            )
        ]
        for external_id, profile in zip(table.external_ids, table.occupation_profile, strict=True)
    }


def test_occupations_stored_with_the_resume_load_as_computing_them_would(db):
    _import_resume_workers(db)
    stored = dict(db.execute("SELECT external_id, resume_occupations FROM workers"))
    assert all(read_resume_occupations(value) is not None for value in stored.values())
    assert read_resume_occupations(stored["data"])[0][0] == "15-2051.00"
    from_column = load_worker_table(db)
    db.execute("UPDATE workers SET resume_occupations = NULL")
    computed = load_worker_table(db)
    assert _occupations_by_worker(from_column) == _occupations_by_worker(computed)
    job = JobProfile(
        *(1, "DS1", 1, "Acme", "Senior Data Scientist", "Models; Excel.", "Toronto", "onsite"),
        *(None, None, None, 0, "open", None, ["Excel"], [], "15-2051.00"),
    )
    rows = np.arange(len(computed))
    today = dt.date(2026, 11, 25)
    np.testing.assert_array_equal(
        pair_features(job, from_column, rows, today=today),
        pair_features(job, computed, rows, today=today),
    )


def test_a_stored_value_of_another_occupations_version_is_recomputed_and_written_back(db, db_path):
    _import_resume_workers(db)
    current = _occupations_by_worker(load_worker_table(db))
    written = dict(db.execute("SELECT id, resume_occupations FROM workers"))
    old = "an-old-version|35-1011.00=1.0"
    assert read_resume_occupations(old) is None
    db.execute("UPDATE workers SET resume_occupations = ?", [old])
    read_only = open_read_only(db_path)
    try:  # a batch worker's read-only database: recomputed, and left as it is
        assert _occupations_by_worker(load_worker_table(read_only)) == current
    finally:
        read_only.close()
    assert {value for (value,) in db.execute("SELECT resume_occupations FROM workers")} == {old}
    assert _occupations_by_worker(load_worker_table(db)) == current
    assert dict(db.execute("SELECT id, resume_occupations FROM workers")) == written


def test_the_batch_refreshes_outdated_stored_occupations_before_its_workers_read_them(db):
    _import_resume_workers(db)
    written = dict(db.execute("SELECT id, resume_occupations FROM workers"))
    assert refresh_stored_occupations(db) == 0
    first, last = db.execute("SELECT MIN(id), MAX(id) FROM workers").fetchone()
    db.execute("UPDATE workers SET resume_occupations = NULL WHERE id = ?", [first])
    db.execute("UPDATE workers SET resume_occupations = 'an-old-version|' WHERE id = ?", [last])
    assert refresh_stored_occupations(db) == 2
    assert dict(db.execute("SELECT id, resume_occupations FROM workers")) == written


def test_codes_of_one_noc_unit_group_are_close_in_bulk_and_one_by_one():
    # A management analyst (13-1111) and a project management specialist (13-1082) are one
    # NOC 2021 unit group (11201); an HR specialist (13-1071, NOC 11200) only shares 13-1.
    analyst, projects, hr = "13-1111.00", "13-1082.00", "13-1071.00"
    assert occupation_similarity(analyst, projects) == 0.7
    assert occupation_similarity(hr, projects) == 0.5
    row = similarity_to_codes(projects)
    positions = code_positions()
    for code in (analyst, projects, hr, "15-1252.00", "35-1011.00"):
        assert row[positions[code]] == pytest.approx(occupation_similarity(projects, code))
