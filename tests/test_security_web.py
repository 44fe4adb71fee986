"""Web findings of issue 13: redirects, cookies, CSRF with Bearer headers, sessions, links."""

from __future__ import annotations

import json

import pytest
from web_support import (
    ACME_EMAIL,
    GLOBEX_EMAIL,
    PASSWORD,
    build_site,
    sign_in,
)

from matcher.config import Settings
from matcher.records.jobs import load_job
from web import create_app


@pytest.fixture
def site(tmp_path):
    return build_site(tmp_path, workers=5)


@pytest.mark.parametrize(
    "next_path",
    [
        "/%09/evil.example",
        "/%0a/evil.example",
        "/%0d%0a/x",
        "/%20/evil.example",
        "/\\evil.example",
        "//evil.example",
        "/%5Cevil.example",
        "https://evil.example",
    ],
)
def test_sign_in_never_redirects_off_site_or_fails(site, next_path):
    response = sign_in(site.client(), ACME_EMAIL, PASSWORD, next_path=next_path)

    assert response.status_code == 302
    assert response.headers["Location"] == "/jobs"


def test_sign_in_still_follows_a_local_next(site):
    response = sign_in(site.client(), ACME_EMAIL, PASSWORD, next_path="/jobs/ACME-1/edit?x=1")

    assert response.headers["Location"] == "/jobs/ACME-1/edit?x=1"


@pytest.mark.parametrize(
    ("base_url", "secure"),
    [
        ("http://localhost.evil.example", True),
        ("http://127.0.0.1.evil.example", True),
        ("http://localhost@evil.example", True),
        ("https://localhost", True),
        ("http://localhost:8000", False),
        ("http://127.0.0.1:8000/talentmatch", False),
        ("http://[::1]:8000", False),
    ],
)
def test_secure_cookie_is_decided_by_the_parsed_host(tmp_path, base_url, secure):
    settings = Settings(db_path=tmp_path / "x.db", base_url=base_url, secret_key="k")

    assert create_app(settings=settings).config["SESSION_COOKIE_SECURE"] is secure


def test_junk_bearer_header_does_not_skip_csrf_for_a_cookie_session(site):
    client = site.signed_in(ACME_EMAIL)

    response = client.post("/jobs/ACME-1/close", headers={"Authorization": "Bearer junk"})

    assert response.status_code in (400, 302)
    assert load_job(site.db(), "ACME-1").status == "open"


def test_valid_bearer_token_authenticates_alone_never_with_the_cookie(site):
    client = site.signed_in(ACME_EMAIL)
    globex_token = site.token(GLOBEX_EMAIL)

    response = client.post(
        "/jobs/ACME-1/close", headers={"Authorization": f"Bearer {globex_token}"}
    )

    assert response.status_code == 404, "the token's user (Globex) does not own ACME-1"
    assert load_job(site.db(), "ACME-1").status == "open"
    acme_token = site.token(ACME_EMAIL)
    closed = site.client().post(
        "/jobs/ACME-1/close", headers={"Authorization": f"Bearer {acme_token}"}
    )
    assert closed.status_code == 302 and load_job(site.db(), "ACME-1").status == "closed"


def test_junk_bearer_on_the_api_with_a_cookie_is_401_not_the_cookie_user(site):
    client = site.signed_in(ACME_EMAIL)

    response = client.get("/api/v1/jobs/ACME-1/shortlist", headers={"Authorization": "Bearer junk"})

    assert response.status_code == 401


def test_signing_in_as_someone_else_ends_the_first_session_on_the_server(site):
    client = site.signed_in(ACME_EMAIL)
    db = site.db()
    live = "SELECT u.email FROM sessions s JOIN users u ON u.id = s.user_id WHERE ended_at IS NULL"
    assert [row[0] for row in db.execute(live)] == [ACME_EMAIL]

    assert sign_in(client, GLOBEX_EMAIL, PASSWORD).status_code == 302

    assert [row[0] for row in db.execute(live)] == [GLOBEX_EMAIL]


@pytest.mark.parametrize(
    "token", ["dW5zdWJzY3JpYmU6MTo.é", "dW5zdWJzY3JpYmU6MTo.\u00ff\u00ff", "x.y", "é"]
)
def test_email_links_with_non_ascii_or_odd_tokens_answer_404(site, token):
    for path in ("/email/unsubscribe/", "/email/not-relevant/"):
        assert site.client().get(path + token).status_code == 404


def test_json_nested_too_deeply_answers_400(site):
    token = site.token(ACME_EMAIL)
    body = "[" * 100_000 + "]" * 100_000

    response = site.client().post(
        "/api/v1/outcomes",
        data=body,
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
    )

    assert response.status_code == 400
    assert json.loads(response.get_data(as_text=True))["error"]
