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


def test_extract_fills_the_skills_without_saving(site):
    client = site.signed_in()
    data = {**VALID_JOB, "required_skills": "", "nice_to_have_skills": "", "action": "extract"}
    response = post_form(client, "/jobs/new", "/jobs/new", data)
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Python" in html and "PostgreSQL" in html and "Docker" in html
    assert "Filled from the description" in html and " skills" in html
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


POSTING = """Senior Data Engineer
Location: Montréal (hybrid, 2 days a week in the office)
Requirements
- 6+ years of experience with Python and SQL
- NCLC 7
Nice to have
- Apache Airflow
- dbt
What we offer
- CAD 145–175k
"""


def _extract(site, data: dict) -> str:
    client = site.signed_in()
    response = post_form(client, "/jobs/new", "/jobs/new", {**data, "action": "extract"})
    assert response.status_code == 200
    return response.get_data(as_text=True)


def _field_value(html: str, field_id: str) -> str:
    import re

    tag = re.search(rf'<(?:input|select|textarea)[^>]*id="{field_id}"[^>]*>', html).group()
    if tag.startswith("<input"):
        return re.search(r'value="([^"]*)"', tag).group(1)
    rest = html[html.index(tag) + len(tag) :]
    if tag.startswith("<textarea"):
        return rest[: rest.index("</textarea>")].strip()
    return re.search(r'<option selected value="([^"]*)"', rest[: rest.index("</select>")]).group(1)


def test_extract_fills_every_field_the_description_states(site):
    html = _extract(site, {"title": "", "description": POSTING, "city": "", "remote": "onsite"})
    assert _field_value(html, "title") == "Senior Data Engineer"
    assert _field_value(html, "city") == "Montreal"
    assert _field_value(html, "remote") == "hybrid"
    assert _field_value(html, "min_years_experience") == "6"
    assert _field_value(html, "salary_min_cad") == "145000"
    assert _field_value(html, "salary_max_cad") == "175000"
    assert _field_value(html, "french_level_required") == "7"
    assert _field_value(html, "required_skills").split() == ["Python", "SQL"]
    assert _field_value(html, "nice_to_have_skills").split("\n") == ["Apache Airflow", "dbt"]


def test_extract_keeps_everything_the_employer_typed(site):
    typed = {
        "title": "Data engineer II",
        "description": POSTING,
        "city": "Toronto",
        "remote": "remote",
        "min_years_experience": "4",
        "salary_min_cad": "120000",
        "salary_max_cad": "",
        "french_level_required": "5",
        "required_skills": "Scala",
        "nice_to_have_skills": "dbt",
    }
    html = _extract(site, typed)
    assert _field_value(html, "title") == "Data engineer II"
    assert (_field_value(html, "city"), _field_value(html, "remote")) == ("Toronto", "remote")
    assert _field_value(html, "min_years_experience") == "4"
    assert _field_value(html, "salary_min_cad") == "120000"
    assert _field_value(html, "salary_max_cad") == "175000"  # was empty
    assert _field_value(html, "french_level_required") == "5"
    assert _field_value(html, "required_skills").split() == ["Scala", "Python", "SQL"]
    assert _field_value(html, "nice_to_have_skills").split("\n") == ["dbt", "Apache Airflow"]


def test_a_new_job_needs_a_city_chosen(site):
    client = site.signed_in()
    response = post_form(client, "/jobs/new", "/jobs/new", {**VALID_JOB, "city": ""})
    html = response.get_data(as_text=True)
    assert response.status_code == 400 and "Choose the job&#39;s city." in html
