"""`extract_job_fields`: job fields read from postings as people write them."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from matcher.postings import MAX_REQUIRED_SKILLS, extract_job_fields
from matcher.postings.fields import BILINGUAL_NCLC, HOURS_PER_YEAR

POSTINGS = Path(__file__).parent / "fixtures" / "postings"


def _read(name: str) -> str:
    return (POSTINGS / name).read_text(encoding="utf-8")


def test_a_long_sectioned_posting_fills_every_field():
    fields = extract_job_fields(_read("northwind_backend.txt"))
    assert fields["title"] == "Senior Backend Engineer (Python) – Toronto"
    assert (fields["city"], fields["remote"], fields["min_years_experience"]) == (
        "Toronto",
        "hybrid",
        6,
    )
    assert (fields["salary_min_cad"], fields["salary_max_cad"]) == (145_000, 175_000)
    assert fields["french_level_required"] == 7
    required, nice = fields["required_skills"], fields["nice_to_have_skills"]
    assert required[:3] == ["Python", "Django", "PostgreSQL"]
    assert {"Kubernetes", "Amazon Web Services"} <= set(required)
    assert len(required) <= MAX_REQUIRED_SKILLS
    assert {"RabbitMQ", "Go", "Rust", "dbt", "React"} <= set(nice)
    assert not set(required) & set(nice)


def test_about_us_benefits_and_eeo_text_gives_no_skills():
    fields = extract_job_fields(_read("northwind_backend.txt"))
    skills = set(fields["required_skills"]) | set(fields["nice_to_have_skills"])
    assert not {"Slack", "Notion", "Excel"} & skills  # named only in "About Northwind"


def test_a_french_posting():
    fields = extract_job_fields(_read("lumiere_fr.txt"))
    assert fields["title"] == "Développeuse ou développeur Java principal(e)"
    assert (fields["city"], fields["remote"], fields["min_years_experience"]) == (
        "Montreal",
        "hybrid",
        5,
    )
    assert (fields["salary_min_cad"], fields["salary_max_cad"]) == (95_000, 115_000)
    assert fields["french_level_required"] == BILINGUAL_NCLC
    assert fields["required_skills"][0] == "Java"
    assert {"Spring Boot", "SQL", "Git"} <= set(fields["required_skills"])
    assert {"Kotlin", "Angular"} <= set(fields["nice_to_have_skills"])
    assert "Jira" not in fields["required_skills"] + fields["nice_to_have_skills"]


@pytest.mark.parametrize(
    ("text", "low", "high"),
    [
        ("Salary: $120,000–$150,000 per year", 120_000, 150_000),
        ("Compensation: 120k-150k", 120_000, 150_000),
        ("CAD 145–175k plus bonus", 145_000, 175_000),
        ("Salaire : 95 000 $ à 115 000 $ par année", 95_000, 115_000),
        ("Contract at $60/hour", 60 * HOURS_PER_YEAR, 60 * HOURS_PER_YEAR),
        ("Rate: $60 - $75 per hour", 60 * HOURS_PER_YEAR, 75 * HOURS_PER_YEAR),
        ("Salary up to $140,000", None, 140_000),
        ("Salary from $100,000", 100_000, None),
        ("Salary $120,000 - $150,000 USD", None, None),  # USD is skipped, not converted
        ("A $1,500 learning budget and 10,000 users", None, None),
        ("We offer a 401k and 3 weeks off", None, None),
    ],
)
def test_salary(text, low, high):
    fields = extract_job_fields(text)
    assert (fields["salary_min_cad"], fields["salary_max_cad"]) == (low, high)


@pytest.mark.parametrize(
    ("text", "years"),
    [
        ("5+ years of experience building APIs", 5),
        ("At least 3 years of Python", 3),
        ("3-5 years of experience", 3),
        ("3 to 5 years of relevant experience", 3),
        ("Au moins 4 ans d'expérience", 4),
        ("3 à 5 ans d'expérience", 3),
        ("Minimum five years experience", 5),
        ("6+ years of software development, including 2+ years with Go", 6),
        ("Founded 20 years ago, we serve 300 clients.", None),
        ("Requirements:\n- Python\nNice to have:\n- 2+ years with Rust", None),
    ],
)
def test_minimum_years(text, years):
    assert extract_job_fields(text)["min_years_experience"] == years


@pytest.mark.parametrize(
    ("text", "level"),
    [
        ("Bilingual (English/French) is required.", BILINGUAL_NCLC),
        ("Français requis", BILINGUAL_NCLC),
        ("French required", BILINGUAL_NCLC),
        ("French at NCLC 8 or above", 8),
        ("NCLC 7", 7),
        ("French is an asset.", 0),
        ("Le français est un atout.", 0),
        ("Requirements:\n- Python\nNice to have:\n- French", 0),
        ("We build payroll software in Python.", None),
    ],
)
def test_french_level(text, level):
    assert extract_job_fields(text)["french_level_required"] == level


@pytest.mark.parametrize(
    ("text", "remote"),
    [
        ("Location: Toronto (Hybrid)", "hybrid"),
        ("3 days a week in the office, the rest from home", "hybrid"),
        ("Fully remote in Canada", "remote"),
        ("Location: Remote", "remote"),
        ("This is an on-site role in Vancouver", "onsite"),
        ("Hybride, 2 jours au bureau", "hybrid"),
        ("Perks: remote work stipend", None),
        ("We build payroll software.", None),
    ],
)
def test_remote_policy(text, remote):
    assert extract_job_fields(text)["remote"] == remote


@pytest.mark.parametrize(
    ("text", "city"),
    [
        ("Location: Montréal, QC", "Montreal"),
        ("Developer - Vancouver\nWe are growing.", "Vancouver"),
        ("About us\nOffices in Toronto and Vancouver.\nLocation: Montreal", "Montreal"),
        ("Join our team in the GTA", "Toronto"),
        ("Calgary office", None),
        ("Gaspé Analytique est une entreprise montréalaise.", "Montreal"),
        ("Une jeune pousse vancouvéroise en croissance", "Vancouver"),
    ],
)
def test_city(text, city):
    assert extract_job_fields(text)["city"] == city


@pytest.mark.parametrize(
    ("heading", "kind"),
    [
        ("Requirements", "required"),
        ("Must have:", "required"),
        ("Qualifications", "required"),
        ("What you bring", "required"),
        ("Exigences", "required"),
        ("Qualifications requises", "required"),
        ("Nice to have", "nice"),
        ("Assets", "nice"),
        ("Bonus points", "nice"),
        ("Preferred qualifications", "nice"),
        ("Atouts", "nice"),
        ("Un atout", "nice"),
        ("**Bonus**", "nice"),
        ("## Who we are", "ignored"),
        ("Benefits & perks", "ignored"),
    ],
)
def test_section_headings_split_required_from_nice_to_have(heading, kind):
    text = f"Intro.\n{heading}\n• Kubernetes\n• Terraform"
    fields = extract_job_fields(text)
    expected = {
        "required": (["Kubernetes", "Terraform"], []),
        "nice": ([], ["Kubernetes", "Terraform"]),
        "ignored": ([], []),
    }[kind]
    assert (fields["required_skills"], fields["nice_to_have_skills"]) == expected


def test_a_sentence_saying_it_is_optional_is_nice_to_have_even_in_the_requirements():
    text = "Requirements\n- Python and Django\n- Experience with Kafka is a plus"
    fields = extract_job_fields(text)
    assert fields["required_skills"] == ["Python", "Django"]
    assert fields["nice_to_have_skills"] == ["Apache Kafka"]


def test_bare_list_items_in_a_skills_section_are_skills():
    text = "Must have\n- Python\n- Go\nBonus\n* Rust"
    fields = extract_job_fields(text)
    assert (fields["required_skills"], fields["nice_to_have_skills"]) == (
        ["Python", "Go"],
        ["Rust"],
    )


def test_many_required_skills_keep_the_most_emphasised_and_move_the_rest():
    listed = "Python, Java, Go, Rust, Kotlin, Scala, Ruby, PHP, Elixir, Haskell, C#, Swift"
    text = f"Senior Python Engineer\nRequirements\n- {listed}\n- More Python and Java"
    fields = extract_job_fields(text)
    assert len(fields["required_skills"]) == MAX_REQUIRED_SKILLS
    assert fields["required_skills"][:2] == ["Python", "Java"]
    assert set(fields["required_skills"]) | set(fields["nice_to_have_skills"]) >= {"Swift", "C#"}


def test_a_posting_without_sections_takes_its_skills_as_required():
    fields = extract_job_fields("We build Java services on Kubernetes.")
    assert (fields["required_skills"], fields["nice_to_have_skills"]) == (
        ["Java", "Kubernetes"],
        [],
    )


def test_title_only_when_the_first_line_reads_as_one():
    assert extract_job_fields("Data Engineer\nWe are hiring.")["title"] == "Data Engineer"
    assert extract_job_fields("Job title: QA Analyst\n...")["title"] == "QA Analyst"
    assert extract_job_fields("We are a fintech in Toronto.\nMore")["title"] is None
    assert extract_job_fields("Requirements\n- Python")["title"] is None


def test_empty_crlf_and_very_long_text_are_handled():
    assert extract_job_fields("") == extract_job_fields("   \n\n")
    crlf = _read("northwind_backend.txt").replace("\n", "\r\n")
    assert extract_job_fields(crlf) == extract_job_fields(_read("northwind_backend.txt"))
    huge = ("Python and SQL on AWS. " * 20 + "\n") * 5_000 + "Salary: $1 - $2"
    fields = extract_job_fields(huge)  # cut at MAX_TEXT_CHARS, finishes quickly
    assert fields["required_skills"][:2] == ["Python", "SQL"]
    one_line = "a" * 500_000
    assert extract_job_fields(one_line)["required_skills"] == []


def test_cli_jobs_extract_prints_one_json_object_from_a_file_or_standard_input(run_cli):
    path = POSTINGS / "northwind_backend.txt"
    from_file = run_cli("jobs", "extract", str(path), check=True)
    from_stdin = run_cli("jobs", "extract", "-", input=_read("northwind_backend.txt"), check=True)
    fields = json.loads(from_file.stdout)
    assert fields == json.loads(from_stdin.stdout) == extract_job_fields(_read(path.name))
    assert set(fields) >= {"city", "remote", "required_skills", "nice_to_have_skills"}


def test_cli_jobs_extract_of_a_missing_file_is_a_clear_error(run_cli, tmp_path):
    result = run_cli("jobs", "extract", str(tmp_path / "nope.txt"))
    assert result.returncode == 2 and "nope.txt" in result.stderr


def test_a_skill_offered_as_an_alternative_is_nice_to_have():
    fields = extract_job_fields("Requirements\n- Django or FastAPI\n- PostgreSQL and Python")
    assert fields["required_skills"] == ["Django", "PostgreSQL", "Python"]
    assert fields["nice_to_have_skills"] == ["FastAPI"]
