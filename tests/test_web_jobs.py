"""Employer jobs pages: create with extracted skills, validation next to fields, edit, close."""

from __future__ import annotations

import pytest
from web_support import build_site, post_form

from matcher.records.jobs import load_job

VALID_JOB = {
    "title": "Backend developer",
    "description": "We build APIs in Python with PostgreSQL and Docker.",
    "required_skills": "Python\nPostgreSQL",
    "nice_to_have_skills": "Docker",
    "city": "Vancouver",
    "remote": "hybrid",
    "french_level_required": "0",
    "min_years_experience": "2",
    "salary_min_cad": "90000",
    "salary_max_cad": "110000",
    "action": "save",
}


@pytest.fixture
def site(tmp_path):
    return build_site(tmp_path, workers=8)


def _stored(site, external_id):
    db = site.db()
    try:
        return load_job(db, external_id)
    finally:
        db.close()


def test_jobs_page_lists_only_the_employers_own_jobs(site):
    html = site.signed_in().get("/jobs").get_data(as_text=True)
    assert "Python developer" in html and "ACME-1" in html
    assert "GLOBEX-1" not in html and "Go engineer" not in html


def test_creating_a_job_saves_it_and_opens_its_shortlist(site):
    client = site.signed_in()
    response = post_form(client, "/jobs/new", "/jobs/new", VALID_JOB)
    assert response.status_code == 302
    external_id = response.headers["Location"].split("/")[2]
    job = _stored(site, external_id)
    assert job.employer == "Acme" and job.city == "Vancouver" and job.remote == "hybrid"
    assert job.required_skills == ("PostgreSQL", "Python")
    assert job.nice_to_have_skills == ("Docker",)
    assert (job.salary_min_cad, job.salary_max_cad, job.min_years_experience) == (
        90000,
        110000,
        2.0,
    )


def test_extract_fills_the_required_skills_without_saving(site):
    client = site.signed_in()
    data = {**VALID_JOB, "required_skills": "", "nice_to_have_skills": "", "action": "extract"}
    response = post_form(client, "/jobs/new", "/jobs/new", data)
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Python" in html and "PostgreSQL" in html and "Docker" in html
    assert "new skill(s) in the description" in html
    db = site.db()
    assert db.execute("SELECT count(*) FROM jobs").fetchone()[0] == 2
    db.close()


@pytest.mark.parametrize(
    ("changes", "field_id", "message"),
    [
        ({"title": ""}, "title", "This field is required."),
        ({"salary_max_cad": "50000"}, "salary_max_cad", "must not be below"),
        ({"french_level_required": "13"}, "french_level_required", "between 0 and 12"),
        ({"required_skills": "Python\nBasket weaving"}, "required_skills", "Basket weaving"),
        ({"city": "Paris"}, "city", "Not a valid choice"),
    ],
)
def test_validation_errors_are_shown_next_to_the_field(site, changes, field_id, message):
    client = site.signed_in()
    response = post_form(client, "/jobs/new", "/jobs/new", {**VALID_JOB, **changes})
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    error_start = html.index(f'id="{field_id}-error"')
    assert message in html[error_start : error_start + 300]
    assert f'aria-describedby="{field_id}-hint {field_id}-error"' in html or (
        f'aria-describedby="{field_id}-error"' in html
    )


def test_editing_a_job_prefills_and_updates_it(site):
    client = site.signed_in()
    form = client.get("/jobs/ACME-1/edit").get_data(as_text=True)
    assert 'value="Python developer"' in form and "Django" in form
    data = {**VALID_JOB, "title": "Senior Python developer", "city": "Toronto"}
    assert post_form(client, "/jobs/ACME-1/edit", "/jobs/ACME-1/edit", data).status_code == 302
    job = _stored(site, "ACME-1")
    assert job.title == "Senior Python developer"
    assert job.required_skills == ("PostgreSQL", "Python")


def test_closing_and_reopening_a_job(site):
    client = site.signed_in()
    assert post_form(client, "/jobs", "/jobs/ACME-1/close", {}).status_code == 302
    assert _stored(site, "ACME-1").status == "closed"
    assert post_form(client, "/jobs", "/jobs/ACME-1/reopen", {}).status_code == 302
    assert _stored(site, "ACME-1").status == "open"


def test_state_changes_need_post_and_a_csrf_token(site):
    client = site.signed_in()
    assert client.get("/jobs/ACME-1/close").status_code == 405
    assert client.post("/jobs/ACME-1/close").status_code == 400
    assert _stored(site, "ACME-1").status == "open"


def test_user_text_is_escaped(site):
    client = site.signed_in()
    data = {**VALID_JOB, "title": "<script>alert(1)</script>"}
    post_form(client, "/jobs/new", "/jobs/new", data)
    html = client.get("/jobs").get_data(as_text=True)
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


@pytest.mark.parametrize("empty_box", ["required_skills", "nice_to_have_skills"])
def test_saving_with_an_empty_skills_box_saves_instead_of_failing(site, empty_box):
    client = site.signed_in()
    data = {**VALID_JOB, empty_box: ""}
    response = post_form(client, "/jobs/new", "/jobs/new", data)
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    job = _stored(site, response.headers["Location"].split("/")[2])
    assert getattr(job, empty_box) == ()
    assert job.title == "Backend developer"
