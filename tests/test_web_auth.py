"""Sign-in, sign-out, sessions, CSRF and security headers, through the Flask test client."""

from __future__ import annotations

import pytest
from web_support import ACME_EMAIL, PASSWORD, build_site, csrf_token_from, post_form, sign_in

from matcher import accounts


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    return build_site(tmp_path_factory.mktemp("auth"), workers=5)


def test_signed_out_visitors_are_sent_to_sign_in(site):
    client = site.client()
    assert client.get("/").headers["Location"].endswith("/sign-in")
    response = client.get("/jobs")
    assert response.status_code == 302
    assert "/sign-in?next=/jobs" in response.headers["Location"]


def test_sign_in_page_has_labelled_fields_and_a_csrf_token(site):
    html = site.client().get("/sign-in").get_data(as_text=True)
    assert '<label for="email">Email</label>' in html
    assert '<label for="password">Password</label>' in html
    assert csrf_token_from(html)


def test_sign_in_sets_a_hardened_session_cookie_and_opens_the_jobs(site):
    client = site.client()
    response = sign_in(client, ACME_EMAIL, PASSWORD)
    assert response.status_code == 302 and response.headers["Location"] == "/jobs"
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert "Your jobs" in client.get("/jobs").get_data(as_text=True)


def test_cookies_are_secure_unless_the_run_is_local_plain_http(tmp_path):
    from matcher.config import Settings
    from web import create_app

    def secure_for(base_url: str) -> bool:
        settings = Settings(db_path=tmp_path / "x.db", base_url=base_url, secret_key="k")
        return create_app(settings=settings).config["SESSION_COOKIE_SECURE"]

    assert secure_for("https://talentmatch.example") is True
    assert secure_for("http://talentmatch.example") is True
    assert secure_for("http://127.0.0.1:8000") is False


def test_debug_is_off_by_default(site):
    assert site.app.debug is False


def test_wrong_password_is_refused_without_saying_which_part_was_wrong(site):
    response = sign_in(site.client(), ACME_EMAIL, "not-the-password")
    assert response.status_code == 401
    assert "do not match an account" in response.get_data(as_text=True)


def test_repeated_failures_throttle_sign_in(tmp_path):
    site = build_site(tmp_path, workers=2)
    client = site.client()
    for _ in range(accounts.MAX_FAILURES_PER_EMAIL):
        assert sign_in(client, ACME_EMAIL, "wrong-password").status_code == 401
    refused = sign_in(site.client(), ACME_EMAIL, PASSWORD)
    assert refused.status_code == 429
    assert "Too many failed sign-ins" in refused.get_data(as_text=True)


def test_sign_in_without_csrf_token_is_refused(site):
    response = site.client().post("/sign-in", data={"email": ACME_EMAIL, "password": PASSWORD})
    assert response.status_code == 400
    assert "session" not in response.headers.get("Set-Cookie", "")


def test_next_only_redirects_within_the_site(site):
    inside = sign_in(site.client(), ACME_EMAIL, PASSWORD, next_path="/jobs/new")
    assert inside.headers["Location"] == "/jobs/new"
    outside = sign_in(site.client(), ACME_EMAIL, PASSWORD, next_path="//evil.example/")
    assert outside.headers["Location"] == "/jobs"


def test_sign_out_ends_the_session_on_the_server(site):
    client = site.signed_in()
    stolen_cookie = client.get_cookie(site.app.config["SESSION_COOKIE_NAME"]).value
    assert post_form(client, "/jobs", "/sign-out", {}).status_code == 302
    replay = site.client()
    replay.set_cookie(site.app.config["SESSION_COOKIE_NAME"], stolen_cookie)
    assert replay.get("/jobs").status_code == 302


def test_sign_out_by_get_changes_nothing(site):
    client = site.signed_in()
    assert client.get("/sign-out").status_code == 405
    assert client.get("/jobs").status_code == 200


def test_idle_sessions_end(site):
    client = site.signed_in()
    db = site.db()
    try:
        # Fake the clock the only way a running server allows: the session's last visit.
        db.execute("UPDATE sessions SET last_seen_at = '2000-01-01T00:00:00Z'")
    finally:
        db.close()
    assert client.get("/jobs").status_code == 302


def test_pages_carry_security_headers(site):
    response = site.client().get("/sign-in")
    csp = response.headers["Content-Security-Policy"]
    assert "default-src 'self'" in csp and "frame-ancestors 'none'" in csp
    assert "unsafe-inline" not in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["Cache-Control"] == "no-store"


def test_stylesheet_is_served_locally(site):
    response = site.client().get("/static/style.css")
    assert response.status_code == 200 and b"--accent" in response.data
    response.close()


def test_non_employers_cannot_use_employer_pages(site):
    client = site.signed_in("ops@talentmatch.example")
    assert client.get("/jobs").status_code == 403
