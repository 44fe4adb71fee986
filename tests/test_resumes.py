"""`parse_resume` on resumes as people write them, and `resume_text_from_file` on real files."""

from __future__ import annotations

import io
import time
import zipfile
from datetime import date

import pytest
from resume_files import (
    DOCX_RESUME_LINES,
    PDF_RESUME_LINES,
    blank_pdf_bytes,
    docx_bytes,
    encrypted_pdf_bytes,
    pdf_bytes,
)

from matcher.importing import export_file, import_file, import_rows
from matcher.records.workers import WorkerSkill, load_worker, parse_worker
from matcher.resumes import ResumeFacts, ResumeSkill, parse_resume
from matcher.resumes.files import MAX_RESUME_BYTES, ResumeFileError, resume_text_from_file
from matcher.store import open_database

AS_OF = date(2026, 12, 1)


def years(text: str, as_of: date = AS_OF) -> dict[str, float | None]:
    return parse_resume(text, as_of=as_of).years_by_skill()


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("5 years of Python", {"Python": 5.0}),
        ("Python (3 yrs)", {"Python": 3.0}),
        ("Python - 4 years", {"Python": 4.0}),
        ("Docker: 2 years", {"Docker": 2.0}),
        ("Five years of Go and Kubernetes, some Terraform.", {"Go": 5.0, "Kubernetes": 5.0}),
        ("Python (6 yrs), SQL (2 yrs)", {"Python": 6.0, "SQL": 2.0}),
        ("3.5 years of experience with Django", {"Django": 3.5}),
        ("4 ans d'expérience en Java", {"Java": 4.0}),
    ],
)
def test_years_stated_next_to_a_skill_are_read(text, expected):
    found = years(text)
    assert {name: found[name] for name in expected} == expected


def test_the_real_datasets_skill_details_lines_give_months_as_years():
    text = (
        "Data Scientist - Ernst & Young LLP\nSkill DetailsJAVASCRIPT- Exprience - 24 months\n"
        "Python- Exprience - 36 months\nMatlab- Exprience - Less than 1 year monthsCompany "
        "Details\ncompany - Ernst & Young LLP"
    )
    assert years(text) == {"Data science": None, "JavaScript": 2.0, "Python": 3.0, "MATLAB": 0.5}


def test_a_skill_without_stated_years_is_unknown_never_zero():
    facts = parse_resume("Skills: Python, Rust, PostgreSQL. 5 years of Kubernetes.", as_of=AS_OF)
    assert facts.years_by_skill() == {
        "Python": None,
        "Rust": None,
        "PostgreSQL": None,
        "Kubernetes": 5.0,
    }
    assert facts.skills[0] == ResumeSkill("Python", None, None)


def test_work_history_ranges_give_years_to_the_skills_used_there():
    text = (
        "Experience\n"
        "Senior Software Engineer, Shopify - Jan 2018 – Present\n"
        "• Built services in Rust and PostgreSQL\n"
        "Developer at Acme (2014-2017)\n"
        "- Java, Spring Boot and PostgreSQL\n"
        "Education\n"
        "B.Sc. Computer Science, McGill University, 2010-2014\n"
    )
    facts = parse_resume(text, as_of=date(2026, 1, 1))
    assert facts.years_by_skill() == {
        "Rust": 8.0,
        "PostgreSQL": 11.0,  # both jobs, 2014-2017 and 2018-now, no overlap
        "Java": 3.0,
        "Spring Boot": 3.0,
        "Shopify": 8.0,
    }
    assert facts.total_years == 11.0  # the 2010-2014 degree is not work
    assert facts.recent_titles == ("Senior Software Engineer", "Developer")
    assert facts.education == "bachelor"


def test_overlapping_jobs_are_counted_once_in_the_total():
    text = "Work experience\nData Analyst, Telus, 2015-2020\nConsultant, Deloitte, 2018-2022\n"
    assert parse_resume(text, as_of=AS_OF).total_years == 7.0


def test_stated_years_win_over_work_history_years():
    text = "Experience\nDeveloper, Acme, 2010 - 2020\nPython (2 yrs), Django\n"
    assert years(text) == {"Python": 2.0, "Django": 10.0}


def test_since_a_year_runs_to_the_day_passed_in():
    assert years("Python developer since 2019", date(2026, 7, 1)) == {"Python": 7.5}
    assert years("Python developer since 2019", date(2024, 1, 1)) == {"Python": 5.0}


def test_stated_total_experience_is_read_and_a_longer_history_wins():
    assert parse_resume("10+ years of experience in IT.", as_of=AS_OF).total_years == 10.0
    text = "Over 3 years of experience.\nExperience\nAnalyst, RBC, 2010-2020"
    assert parse_resume(text, as_of=AS_OF).total_years == 10.0


def test_a_french_resume_is_read_where_simple():
    text = (
        "Développeuse Python depuis 2019. 12 ans d'expérience.\n"
        "4 ans d'expérience en Java.\n"
        "Formation\nMaîtrise en informatique, Université de Montréal\n"
    )
    facts = parse_resume(text, as_of=date(2026, 1, 1))
    assert facts.years_by_skill() == {"Python": 7.0, "Java": 4.0}
    assert facts.total_years == 12.0
    assert facts.education == "master"
    assert facts.recent_titles == ("Développeuse Python",)


@pytest.mark.parametrize(
    ("text", "level"),
    [
        ("Education\nPh.D. in Physics, UBC", "phd"),
        ("Education\nMBA, HEC Montréal\nB.Com, Concordia", "master"),
        ("Education Details\nJanuary 2016 B.Tech Computer Science", "bachelor"),
        ("Education\nDiploma in Computer Programming, Seneca", "diploma"),
        ("Education\nHSC Maharashtra Board\nSSC", "secondary"),
        ("Skills: MS Office, Python", None),
    ],
)
def test_the_highest_education_level_is_read_and_unknown_stays_none(text, level):
    assert parse_resume(text, as_of=AS_OF).education == level


def test_the_real_datasets_title_line_is_a_recent_title():
    text = (
        "Education Details\nMay 2013 to May 2017 B.E  UIT-RGPV\n"
        "Data Scientist \n\nData Scientist - Matelabs\nSkill Details \nPython- Exprience - "
        "Less than 1 year months"
    )
    facts = parse_resume(text, as_of=AS_OF)
    assert facts.recent_titles == ("Data Scientist",)
    assert facts.total_years is None  # the 2013-2017 range is the degree


def test_empty_and_whitespace_text_give_empty_facts():
    assert parse_resume("", as_of=AS_OF) == ResumeFacts()
    assert parse_resume(" \n\t ", as_of=AS_OF) == ResumeFacts()


def test_very_long_text_is_parsed_in_bounded_time():
    text = "Python (3 yrs), Docker. 2016-2019 Developer at Acme.\n" * 20_000  # 1 MB
    started = time.perf_counter()
    facts = parse_resume(text, as_of=AS_OF)
    assert time.perf_counter() - started < 20  # generous: a limit, not a benchmark
    assert facts.years_by_skill()["Python"] == 3.0


def test_a_pdf_resume_with_a_text_layer_is_read():
    text = resume_text_from_file(pdf_bytes(PDF_RESUME_LINES), "Resume.PDF")
    assert "Senior Data Engineer, Shopify" in text
    facts = parse_resume(text, as_of=date(2026, 1, 1))
    assert facts.years_by_skill()["Python"] == 6.0
    assert facts.years_by_skill()["Apache Airflow"] == 6.0
    assert facts.education == "master"


def test_a_docx_resume_is_read_with_accents():
    text = resume_text_from_file(docx_bytes(DOCX_RESUME_LINES), "cv.docx")
    assert "Baccalauréat en génie logiciel, Université Laval" in text
    facts = parse_resume(text, as_of=date(2026, 1, 1))
    assert facts.years_by_skill() == {
        "Java": 3.0,
        "Kubernetes": 3.0,
        "Go": 5.0,
        "Microservices": 5.0,
        "Terraform": 5.0,
    }
    assert facts.total_years == 8.0
    assert facts.recent_titles == ("Software Engineer", "Backend Developer")
    assert facts.education == "bachelor"


@pytest.mark.parametrize(
    ("data", "filename", "reason"),
    [
        (b"Python developer", "resume.txt", "upload a PDF or DOCX file"),
        (b"%PDF-1.4 not really", "resume.pdf", "the PDF could not be read"),
        (b"PK\x03\x04 broken", "resume.docx", "the DOCX file could not be read"),
        (b"", "resume.pdf", "the file is empty"),
        (b"0" * (MAX_RESUME_BYTES + 1), "resume.pdf", "the file is larger than 5 MB"),
    ],
)
def test_unreadable_files_raise_a_named_error_with_the_reason(data, filename, reason):
    with pytest.raises(ResumeFileError, match=reason):
        resume_text_from_file(data, filename)


def test_an_encrypted_pdf_is_refused():
    with pytest.raises(ResumeFileError, match="password-protected"):
        resume_text_from_file(encrypted_pdf_bytes(PDF_RESUME_LINES), "resume.pdf")


def test_a_pdf_without_a_text_layer_is_refused():
    with pytest.raises(ResumeFileError, match="no text could be read"):
        resume_text_from_file(blank_pdf_bytes(), "scan.pdf")


# ---- import: resume-derived years on workers ------------------------------------------------

WORKER_ROW = {
    "external_id": "W1",
    "name": "Ana Silva",
    "email": "ana@example.org",
    "work_authorization": "open_work_permit",
}
RESUME = (
    "Experience\nSenior Developer, Shopify, 2016 - 2024\nRust and PostgreSQL services.\n"
    "Skills\nPython (3 yrs), Docker, SQL - 7 years"
)


def test_imported_resume_skills_carry_the_years_the_resume_states():
    record = parse_worker({**WORKER_ROW, "skills": "python:5;docker", "resume_text": RESUME})
    assert record.skills == (
        WorkerSkill("Docker", None, "listed"),  # neither the row nor the resume says
        WorkerSkill("PostgreSQL", 8.0, "resume"),  # work history 2016-2024
        WorkerSkill("Python", 5.0, "listed"),  # listed years win over the resume's 3
        WorkerSkill("Rust", 8.0, "resume"),
        WorkerSkill("SQL", 7.0, "resume"),
        WorkerSkill("Shopify", 8.0, "resume"),
    )


def test_a_listed_skill_without_years_takes_the_years_its_resume_states():
    record = parse_worker({**WORKER_ROW, "skills": "sql", "resume_text": RESUME})
    assert WorkerSkill("SQL", 7.0, "listed") in record.skills


def test_empty_years_experience_takes_the_resume_total_and_a_given_value_wins():
    assert parse_worker({**WORKER_ROW, "resume_text": RESUME}).years_experience == 8.0
    given = {**WORKER_ROW, "resume_text": RESUME, "years_experience": "0"}
    assert parse_worker(given).years_experience == 0.0
    no_total = {**WORKER_ROW, "resume_text": "Python and Docker", "years_experience": ""}
    assert parse_worker(no_total).years_experience is None  # not stated: unknown, never 0


@pytest.mark.parametrize("extension", ["csv", "jsonl"])
def test_export_of_resume_workers_reimports_to_a_byte_identical_export(db, tmp_path, extension):
    rows = [
        {**WORKER_ROW, "skills": "sql", "resume_text": RESUME},
        {
            **WORKER_ROW,
            "external_id": "W2",
            "email": "luc@example.org",
            "resume_text": "Développeur Java depuis 2019.\n4 ans d'expérience en Kubernetes.",
        },
    ]
    assert not import_rows(db, "workers", rows).rejected
    first, second = tmp_path / f"first.{extension}", tmp_path / f"second.{extension}"
    export_file(db, "workers", first)
    other = open_database(tmp_path / "other.db")
    try:
        report = import_file(other, "workers", first)
        assert (report.inserted, report.rejected) == (2, [])
        export_file(other, "workers", second)
        assert import_file(other, "workers", first).unchanged == 2
        assert load_worker(other, "W2") == load_worker(db, "W2")
    finally:
        other.close()
    assert second.read_bytes() == first.read_bytes()


def test_a_zip_that_is_no_docx_and_a_docx_named_pdf_are_refused():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("notes.txt", "Python")
    with pytest.raises(ResumeFileError, match="the DOCX file could not be read"):
        resume_text_from_file(buffer.getvalue(), "resume.docx")
    with pytest.raises(ResumeFileError, match="the PDF could not be read"):
        resume_text_from_file(docx_bytes(DOCX_RESUME_LINES), "resume.pdf")
