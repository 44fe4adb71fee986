"""A real Chromium: a new employer pastes a long posting, extracts its fields, checks, saves."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from web_support import ACME_EMAIL, PASSWORD, build_site, serving

from matcher.records.jobs import load_job

pytestmark = pytest.mark.browser

# Screenshots go to tests/artifacts/ unless POSTINGS_SHOTS names another folder.
SHOTS = Path(os.environ.get("POSTINGS_SHOTS", Path(__file__).resolve().parents[1] / "artifacts"))

POSTING = """Senior Backend Engineer (Python) – Montréal

Location: Montréal, QC — hybrid, 2 days a week at our Mile End office

À propos de Lumière Data
Lumière Data builds payroll analytics for 3,000 Québec employers. We use Slack, Notion and Excel.

The role
You will design and run the REST APIs behind our analytics platform, mostly Python and
Django on PostgreSQL, deployed with Docker on Kubernetes in AWS, and mentor two developers.

Requirements
• 6+ years of professional software development, 3+ with Python
• Django or FastAPI, PostgreSQL and SQL performance tuning
• Docker and Kubernetes in production
• Français : NCLC 7 (our clients work in French)

Nice to have
• Apache Kafka
• Terraform
• Go or Rust
• dbt, Snowflake

What we offer
• CAD 145–175k base salary, RRSP matching, a $1,500 learning budget
• 5 weeks of vacation

Lumière Data is an equal opportunity employer and provides accommodations on request.
"""


@pytest.fixture
def served(tmp_path) -> Iterator:
    site = build_site(tmp_path, workers=30)
    with serving(site.app) as url:
        yield url, site


def _shot(page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"postings_{name}.png"), full_page=True)


def test_employer_pastes_a_posting_extracts_every_field_and_saves(browser, served):
    url, site = served
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    errors: list[str] = []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    page.goto(url + "/jobs/new")
    page.get_by_label("Email").fill(ACME_EMAIL)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("heading", name="Post a job").wait_for()

    page.get_by_label("Description", exact=True).fill(POSTING)
    page.get_by_label("Nice-to-have skills").fill("GraphQL")  # typed first: must survive
    _shot(page, "1_pasted")
    page.get_by_role("button", name="Extract from description").click()
    page.get_by_role("status").filter(has_text="Filled from the description").wait_for()
    _shot(page, "2_extracted")

    assert page.get_by_label("Title", exact=True).input_value() == (
        "Senior Backend Engineer (Python) – Montréal"
    )
    assert page.get_by_label("City").input_value() == "Montreal"
    assert page.get_by_label("Remote policy").input_value() == "hybrid"
    assert page.get_by_label("Minimum years of experience").input_value() == "6"
    assert page.get_by_label("Salary from (CAD per year)").input_value() == "145000"
    assert page.get_by_label("Salary up to (CAD per year)").input_value() == "175000"
    assert page.get_by_label("French level required (NCLC 0–12)").input_value() == "7"
    required = page.get_by_label("Required skills").input_value().splitlines()
    nice = page.get_by_label("Nice-to-have skills").input_value().splitlines()
    assert required[:3] == ["Python", "Django", "PostgreSQL"]
    assert {"Docker", "Kubernetes"} <= set(required) and len(required) <= 8
    assert nice[0] == "GraphQL"
    assert {"Apache Kafka", "Terraform", "Go", "Rust", "dbt", "Snowflake"} <= set(nice)
    assert not {"Slack", "Notion", "Excel"} & set(required + nice)

    page.get_by_role("button", name="Save job", exact=True).last.click()
    page.wait_for_url("**/shortlist**")
    page.get_by_role("status").filter(has_text="Job saved").wait_for()
    _shot(page, "3_saved_shortlist")
    external_id = page.url.split("/jobs/")[1].split("/")[0]
    db = site.db()
    try:
        job = load_job(db, external_id)
    finally:
        db.close()
    assert (job.city, job.remote, job.min_years_experience) == ("Montreal", "hybrid", 6)
    assert (job.salary_min_cad, job.salary_max_cad, job.french_level_required) == (
        145_000,
        175_000,
        7,
    )
    assert "Python" in job.required_skills and "GraphQL" in job.nice_to_have_skills
    assert errors == []


def test_the_job_form_fits_a_phone(browser, served):
    url, _site = served
    page = browser.new_page(viewport={"width": 375, "height": 740})
    page.goto(url + "/sign-in?next=/jobs/new")
    page.get_by_label("Email").fill(ACME_EMAIL)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("heading", name="Post a job").wait_for()
    page.get_by_label("Description", exact=True).fill(POSTING)
    page.get_by_role("button", name="Extract from description").click()
    page.get_by_role("status").filter(has_text="Filled from the description").wait_for()
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    _shot(page, "4_phone")
