"""The JSON API: Bearer tokens, shapes from PRODUCT.md, 400s naming the field, CSRF for cookies."""

from __future__ import annotations

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
    assert set(document["paths"]) == {
        "/jobs/{external_id}/shortlist",
        "/workers/{external_id}/matches",
        "/outcomes",
        "/jobs/{external_id}/pipeline",
        "/jobs/{external_id}/report",
        "/jobs/{external_id}/shortlist.csv",
    }
    assert document["components"]["securitySchemes"]["bearerToken"]["scheme"] == "bearer"


def test_unauthenticated_posts_are_401_not_a_csrf_error(site):
    body = {"job": "ACME-1", "worker": "W1", "stage": "hired"}
    response = site.client().post("/api/v1/outcomes", json=body)
    assert response.status_code == 401


def test_wrong_methods_are_405_with_allow(site, acme):
    response = site.client().delete("/api/v1/outcomes", headers=acme)
    assert response.status_code == 405 and "POST" in response.headers["Allow"]
