"""The JSON API: Bearer tokens, shapes from PRODUCT.md, 400s naming the field, CSRF for cookies."""

from __future__ import annotations

import re

import pytest
from web_support import (
    ACME_EMAIL,
    GLOBEX_EMAIL,
    OPERATOR_EMAIL,
    WORKER_EMAIL,
    build_site,
    csrf_token_from,
)


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    return build_site(tmp_path_factory.mktemp("api"), workers=20)


@pytest.fixture(scope="module")
def acme(site):
    return {"Authorization": f"Bearer {site.token(ACME_EMAIL)}"}


def test_requests_without_a_valid_token_are_401(site):
    client = site.client()
    for headers in ({}, {"Authorization": "Bearer tm_forged"}, {"Authorization": "Basic x"}):
        response = client.get("/api/v1/jobs/ACME-1/shortlist", headers=headers)
        assert response.status_code == 401
        assert response.headers["WWW-Authenticate"].startswith("Bearer")
        assert response.json["error"] == "unauthorized"


def test_shortlist_has_the_cli_shape(site, acme):
    body = site.client().get("/api/v1/jobs/ACME-1/shortlist?limit=3", headers=acme).json
    assert body["job"] == "ACME-1" and body["model_version"]
    assert [c["rank"] for c in body["candidates"]] == [1, 2, 3]
    first = body["candidates"][0]
    assert set(first) >= {"worker", "rank", "score", "explanation"}
    assert {"matched_skills", "missing_skills", "city_preference_rank"} <= set(first["explanation"])


@pytest.mark.parametrize("limit", ["0", "abc", "501", "-2"])
def test_bad_limit_is_400_naming_the_field(site, acme, limit):
    response = site.client().get(f"/api/v1/jobs/ACME-1/shortlist?limit={limit}", headers=acme)
    assert response.status_code == 400 and response.json["field"] == "limit"


def test_recording_an_outcome(site, acme):
    client = site.client()
    body = {"job": "ACME-1", "worker": "W5", "stage": "shortlisted"}
    assert client.post("/api/v1/outcomes", json=body, headers=acme).status_code == 201
    body = {"job": "ACME-1", "worker": "W5", "stage": "contacted"}
    assert client.post("/api/v1/outcomes", json=body, headers=acme).status_code == 201
    db = site.db()
    try:
        db.execute("UPDATE contact_requests SET status = 'accepted'")
    finally:
        db.close()
    for stage in ("interviewed", "offered"):
        body = {"job": "ACME-1", "worker": "W5", "stage": stage}
        response = client.post("/api/v1/outcomes", json=body, headers=acme)
        assert response.status_code == 201
    assert response.json["stage"] == "offered" and response.json["at"].endswith("Z")
    db = site.db()
    try:
        row = db.execute(
            "SELECT o.source FROM outcomes o JOIN workers w ON w.id = o.worker_id"
            " WHERE w.external_id = 'W5' AND o.stage = 'offered'"
        ).fetchone()
    finally:
        db.close()
    assert row == ("api",)


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"worker": "W1", "stage": "hired"}, "job"),
        ({"job": "ACME-1", "worker": 7, "stage": "hired"}, "worker"),
        ({"job": "ACME-1", "worker": "W1", "stage": "shown"}, "stage"),
        (["not", "an", "object"], "body"),
    ],
)
def test_bad_outcome_bodies_are_400_naming_the_field(site, acme, body, field):
    response = site.client().post("/api/v1/outcomes", json=body, headers=acme)
    assert response.status_code == 400 and response.json["field"] == field


def test_another_employers_job_is_404(site):
    globex = {"Authorization": f"Bearer {site.token(GLOBEX_EMAIL)}"}
    client = site.client()
    assert client.get("/api/v1/jobs/ACME-1/shortlist", headers=globex).status_code == 404
    body = {"job": "ACME-1", "worker": "W1", "stage": "hired"}
    assert client.post("/api/v1/outcomes", json=body, headers=globex).status_code == 404
    assert client.get("/api/v1/jobs/GLOBEX-1/shortlist", headers=globex).status_code == 200


def test_matches_for_the_worker_or_an_operator_only(site, acme):
    client = site.client()
    worker = {"Authorization": f"Bearer {site.token(WORKER_EMAIL)}"}
    operator = {"Authorization": f"Bearer {site.token(OPERATOR_EMAIL)}"}
    own = client.get("/api/v1/workers/W1/matches?limit=2", headers=worker)
    assert own.status_code == 200 and own.json["worker"] == "W1"
    assert all({"job", "rank", "score", "explanation"} <= set(j) for j in own.json["jobs"])
    assert client.get("/api/v1/workers/W2/matches", headers=worker).status_code == 404
    assert client.get("/api/v1/workers/W2/matches", headers=operator).status_code == 200
    assert client.get("/api/v1/workers/W2/matches", headers=acme).status_code == 404


def test_cookie_sessions_cannot_change_state_without_csrf(site):
    client = site.signed_in()
    body = {"job": "ACME-1", "worker": "W6", "stage": "rejected"}
    refused = client.post("/api/v1/outcomes", json=body)
    assert refused.status_code == 400 and refused.json["error"] == "csrf_failed"
    token = csrf_token_from(client.get("/jobs").get_data(as_text=True))
    accepted = client.post("/api/v1/outcomes", json=body, headers={"X-CSRFToken": token})
    assert accepted.status_code == 201


def test_openapi_document_describes_the_operations(site):
    document = site.client().get("/api/v1/openapi.json").json
    assert document["openapi"].startswith("3.")
    assert set(document["paths"]) >= {
        "/jobs/{external_id}/shortlist",
        "/workers/{external_id}/matches",
        "/outcomes",
        "/jobs",
        "/jobs/extract",
        "/jobs/{external_id}/pipeline",
        "/jobs/{external_id}/report",
        "/jobs/{external_id}/shortlist.csv",
    }
    assert document["components"]["securitySchemes"]["bearerToken"]["scheme"] == "bearer"


def test_every_api_route_is_in_the_openapi_document(site):
    """So schemathesis, which reads the document, exercises every operation there is."""
    document = site.client().get("/api/v1/openapi.json").json
    documented = {
        (method.upper(), path) for path, item in document["paths"].items() for method in item
    }
    served = {
        (method, re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", rule.rule.removeprefix("/api/v1")))
        for rule in site.app.url_map.iter_rules()
        if rule.endpoint.startswith("api.")
        for method in rule.methods - {"HEAD", "OPTIONS"}
    }
    assert served and served == documented


def test_unauthenticated_posts_are_401_not_a_csrf_error(site):
    body = {"job": "ACME-1", "worker": "W1", "stage": "hired"}
    response = site.client().post("/api/v1/outcomes", json=body)
    assert response.status_code == 401


def test_wrong_methods_are_405_with_allow(site, acme):
    response = site.client().delete("/api/v1/outcomes", headers=acme)
    assert response.status_code == 405 and "POST" in response.headers["Allow"]


# --- jobs: extract and create ---------------------------------------------------------------

POSTING = """Senior Infrastructure Developer
Location: Montréal (hybrid)
Requirements
- 6+ years of experience with Kubernetes and Terraform
- NCLC 7
Nice to have
- Go
Salary: CAD 145–175k
"""


def test_extract_answers_the_fields_jobs_extract_prints(site, acme):
    from matcher.postings import extract_job_fields

    response = site.client().post(
        "/api/v1/jobs/extract", json={"description": POSTING}, headers=acme
    )
    assert response.status_code == 200
    assert response.json == extract_job_fields(POSTING)
    assert response.json["city"] == "Montreal" and response.json["french_level_required"] == 7
    assert response.json["nice_to_have_skills"] == ["Go"]


@pytest.mark.parametrize(
    "body", [{}, {"description": ""}, {"description": 5}, ["x"], {"description": "x" * 100_001}]
)
def test_extract_with_a_bad_body_is_400_naming_the_field(site, acme, body):
    response = site.client().post("/api/v1/jobs/extract", json=body, headers=acme)
    assert response.status_code == 400
    assert response.json["field"] == ("body" if isinstance(body, list) else "description")


def test_extract_and_create_are_for_employers_only(site):
    worker = {"Authorization": f"Bearer {site.token(WORKER_EMAIL)}"}
    client = site.client()
    assert client.post("/api/v1/jobs/extract", json={"description": POSTING}).status_code == 401
    body = {"description": POSTING}
    assert client.post("/api/v1/jobs/extract", json=body, headers=worker).status_code == 404
    job = {"external_id": "W-JOB", "title": "Dev", "city": "Toronto"}
    assert client.post("/api/v1/jobs", json=job, headers=worker).status_code == 404


def _stored_job(site, external_id):
    from matcher.records.jobs import load_job

    db = site.db()
    try:
        return load_job(db, external_id)
    finally:
        db.close()


def test_create_job_fills_empty_fields_from_the_description(site, acme):
    body = {"external_id": "ACME-API-1", "title": "Platform engineer", "description": POSTING}
    response = site.client().post("/api/v1/jobs", json=body, headers=acme)
    assert response.status_code == 201 and response.json == {"job": "ACME-API-1"}
    job = _stored_job(site, "ACME-API-1")
    assert (job.employer, job.city, job.remote, job.min_years_experience) == (
        "Acme",
        "Montreal",
        "hybrid",
        6,
    )
    assert (job.salary_min_cad, job.salary_max_cad, job.french_level_required) == (
        145_000,
        175_000,
        7,
    )
    assert job.required_skills == ("Kubernetes", "Terraform")
    assert job.nice_to_have_skills == ("Go",)


def test_create_job_keeps_given_fields_and_updates_the_employers_own_job(site, acme):
    client = site.client()
    body = {
        "external_id": "ACME-API-2",
        "title": "Data engineer",
        "city": "Toronto",
        "description": POSTING,
        "required_skills": ["python", {"name": "sql", "years": 2}, "basket weaving"],
        "french_level_required": 0,
    }
    created = client.post("/api/v1/jobs", json=body, headers=acme)
    assert created.status_code == 201
    assert created.json["unrecognised_skills"] == ["basket weaving"]
    job = _stored_job(site, "ACME-API-2")
    assert (job.city, job.french_level_required, job.required_skills) == (
        "Toronto",
        0,
        ("Python", "SQL"),
    )
    updated = client.post("/api/v1/jobs", json={**body, "title": "Lead"}, headers=acme)
    assert updated.status_code == 200 and _stored_job(site, "ACME-API-2").title == "Lead"


def test_another_employers_external_id_is_409_and_not_overwritten(site, acme):
    body = {"external_id": "GLOBEX-1", "title": "Hijacked", "city": "Toronto"}
    response = site.client().post("/api/v1/jobs", json=body, headers=acme)
    assert response.status_code == 409
    assert (
        response.json["field"] == "external_id" and "another employer" in response.json["message"]
    )
    job = _stored_job(site, "GLOBEX-1")
    assert (job.employer, job.title) == ("Globex", "Go engineer")


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"title": ""}, "title"),
        ({"external_id": None}, "external_id"),
        ({"city": "Calgary"}, "city"),
        ({"city": None}, "city"),
        ({"remote": "sometimes"}, "remote"),
        ({"salary_min_cad": 150_000, "salary_max_cad": 90_000}, "salary_max_cad"),
        ({"salary_min_cad": 10**30}, "salary_min_cad"),
        ({"salary_min_cad": "90000"}, "salary_min_cad"),
        ({"french_level_required": 13}, "french_level_required"),
        ({"min_years_experience": True}, "min_years_experience"),
        ({"required_skills": "python;sql"}, "required_skills"),
        ({"required_skills": [None]}, "required_skills"),
        ({"posted_at": "March 3rd"}, "posted_at"),
        ({"employer": "Globex"}, "employer"),
        ({"colour": "blue"}, "colour"),
    ],
)
def test_bad_job_bodies_are_400_naming_the_field(site, acme, change, field):
    body = {"external_id": "ACME-API-BAD", "title": "Dev", "city": "Toronto", **change}
    response = site.client().post("/api/v1/jobs", json=body, headers=acme)
    assert response.status_code == 400, response.json
    assert response.json["field"] == field and response.json["message"]
    assert _stored_job(site, "ACME-API-BAD") is None
