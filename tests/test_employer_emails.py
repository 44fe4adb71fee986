"""Employers' daily "N new strong matches" email: opt-in on the jobs page, only new strong
matches counted, through the outbox to a real SMTP server (aiosmtpd on loopback)."""

from __future__ import annotations

import datetime as dt

import pytest
from notification_fixtures import FaultySmtpHandler, start_smtp
from web_support import ACME_EMAIL, build_site, post_form, worker_rows

from matcher.importing import import_rows
from matcher.notifications.employer_daily import send_employer_emails

DAY = dt.datetime(2026, 12, 2, 13, 0, tzinfo=dt.UTC)
BASE_URL = "https://tm.example"


@pytest.fixture
def smtp():
    handler = FaultySmtpHandler()
    controller = start_smtp(handler)
    yield handler, controller.port
    controller.stop()


@pytest.fixture
def site(tmp_path, smtp):
    return build_site(tmp_path, workers=30, settings={"smtp_port": smtp[1], "base_url": BASE_URL})


def strong_on_the_shortlist(site) -> list[str]:
    """The strong candidates of ACME-1 as the API shows them."""
    headers = {"Authorization": f"Bearer {site.token(ACME_EMAIL)}"}
    body = site.client().get("/api/v1/jobs/ACME-1/shortlist?limit=100", headers=headers).get_json()
    return [c["worker"] for c in body["candidates"] if c["fit"]["band"] == "strong"]


def opt_in(client, on: bool = True):
    data = {"strong_match_emails": "y"} if on else {}
    return post_form(client, "/jobs", "/jobs/strong-match-emails", data)


def run(site, moment: dt.datetime):
    db = site.db()
    try:
        return send_employer_emails(db, site.app.config["SETTINGS"], clock=lambda: moment)
    finally:
        db.close()


def test_off_by_default_and_the_checkbox_turns_it_on_and_off(site, smtp):
    handler, _ = smtp
    assert strong_on_the_shortlist(site), "the seed data has strong matches"
    client = site.signed_in()
    page = client.get("/jobs").get_data(as_text=True)
    assert 'name="strong_match_emails"' in page and "checked" not in page
    assert run(site, DAY).queued == 0 and handler.received == []

    assert opt_in(client).status_code == 302
    assert "checked" in client.get("/jobs").get_data(as_text=True)
    assert run(site, DAY).counts()["sent"] == 1

    opt_in(client, on=False)
    assert run(site, DAY + dt.timedelta(days=1)).queued == 0
    assert len(handler.received) == 1


def test_the_setting_needs_the_csrf_token(site):
    client = site.signed_in()
    client.get("/jobs")
    response = client.post("/jobs/strong-match-emails", data={"strong_match_emails": "y"})
    assert response.status_code == 400
    assert "checked" not in client.get("/jobs").get_data(as_text=True)


def test_counts_only_strong_matches_never_announced_nor_decided(site, smtp):
    handler, _ = smtp
    client = site.signed_in()
    opt_in(client)
    strong = strong_on_the_shortlist(site)
    decided = strong[0]
    page = f"/jobs/ACME-1/candidates/{decided}"
    post_form(client, page, f"{page}/decisions", {"stage": "shortlisted"})

    run(site, DAY)
    [first] = handler.received
    expected = len(strong) - 1
    noun = "match" if expected == 1 else "matches"
    assert first["To"] == ACME_EMAIL and first["List-Unsubscribe"] is None
    assert first["Subject"] == f"{expected} new strong {noun} for Python developer"
    text = first.get_body(("plain",)).get_content()
    assert f"{BASE_URL}/jobs/ACME-1/shortlist" in text

    assert run(site, DAY).queued == 0, "one email a day"
    assert run(site, DAY + dt.timedelta(days=1)).queued == 0, "nothing new: no email"

    newcomer = {**worker_rows(1)[0], "external_id": "STAR", "email": "star@private.example"}
    newcomer |= {"skills": "python:9;sql:9;django:6", "years_experience": 9}
    newcomer |= {"city_preferences": "Toronto"}
    db = site.db()
    assert not import_rows(db, "workers", [newcomer]).rejected
    db.close()
    assert "STAR" in strong_on_the_shortlist(site)
    run(site, DAY + dt.timedelta(days=2))
    assert handler.received[1]["Subject"] == "1 new strong match for Python developer"
