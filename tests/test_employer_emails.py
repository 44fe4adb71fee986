"""Employers' daily "N new strong matches" email: opt-in on the jobs page, only new strong
matches counted, through the outbox to a real SMTP server (aiosmtpd on loopback)."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from notification_fixtures import FaultySmtpHandler, start_smtp
from web_support import ACME_EMAIL, JOB_ROWS, build_site, post_form, worker_rows

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


def big_site(tmp_path, smtp):
    """Acme with eight open jobs of six strong matches each (48 new strong matches)."""
    settings = {"smtp_port": smtp[1], "base_url": BASE_URL}
    site = build_site(tmp_path, workers=60, settings=settings)
    more = [
        {**JOB_ROWS[0], "external_id": f"ACME-{n}", "title": f"Python developer {n}"}
        for n in range(2, 9)
    ]
    db = site.db()
    assert not import_rows(db, "jobs", more).rejected
    db.close()
    return site


def strong_of(site, job: str) -> list[dict]:
    headers = {"Authorization": f"Bearer {site.token(ACME_EMAIL)}"}
    url = f"/api/v1/jobs/{job}/shortlist?limit=100"
    body = site.client().get(url, headers=headers).get_json()
    return [c for c in body["candidates"] if c["fit"]["band"] == "strong"]


def job_sections(text: str) -> list[str]:
    return re.findall(r"^- (\d+ new strong match(?:es)? for .+) \(Toronto\)$", text, re.M)


def test_a_big_first_email_names_the_best_few_and_counts_the_rest(tmp_path, smtp):
    handler, _ = smtp
    site = big_site(tmp_path, smtp)
    client = site.signed_in()
    opt_in(client)
    strong = {job: strong_of(site, job) for job in [f"ACME-{n}" for n in range(1, 9)]}
    assert {len(c) for c in strong.values()} == {6}, "each job has six strong matches"
    for decided in strong["ACME-3"][:2]:  # two decided: four new for ACME-3
        page = f"/jobs/ACME-3/candidates/{decided['worker']}"
        post_form(client, page, f"{page}/decisions", {"stage": "shortlisted"})

    report = run(site, DAY)
    assert report.new_matches == 46 and report.counts()["sent"] == 1
    [email] = handler.received
    assert email["Subject"] == "46 new strong matches across 8 jobs"
    text = email.get_body(("plain",)).get_content().replace("\r\n", "\n")
    html = email.get_body(("html",)).get_content()
    assert text.startswith("46 new strong matches across 8 jobs\n")

    # The five jobs with the most new matches (ties by age), each with its best five.
    listed = ["1", "2", "4", "5", "6"]
    assert job_sections(text) == [
        f"6 new strong matches for Python developer{'' if n == '1' else ' ' + n}" for n in listed
    ]
    for n in listed:
        job = f"ACME-{n}"
        for candidate in strong[job][:5]:
            worker, percentile = candidate["worker"], candidate["fit"]["percentile"]
            line = f"  * Candidate {worker} · Strong fit · {percentile}"
            assert line in text, line
            url = f"{BASE_URL}/jobs/{job}/candidates/{worker}"
            assert f"{url}\n" in text and f'href="{url}"' in html
        unnamed = strong[job][5]["worker"]
        assert f"/jobs/{job}/candidates/{unnamed}\n" not in text
        assert f"and 1 more new strong match: {BASE_URL}/jobs/{job}/shortlist\n" in text
    assert "2 of 2 required: ✓ Python ✓ SQL" in text
    assert "/jobs/ACME-7/" not in text + html and "/jobs/ACME-3/" not in text + html
    assert f"3 more jobs with new strong matches (16 in all): {BASE_URL}/jobs\n" in text
    assert html.count("/candidates/") == 25 and f'href="{BASE_URL}/jobs"' in html
    assert "3 more jobs with new strong matches (16 in all)" in html
    assert "Secret Name" not in text + html and "private.example" not in text + html

    # Every counted match was announced, named or not: the next day has nothing new.
    db = site.db()
    assert db.execute("SELECT COUNT(*) FROM employer_notified_candidates").fetchone()[0] == 46
    [payload] = [row[0] for row in db.execute("SELECT payload FROM email_outbox")]
    for kept_out in ("salary", "work_authorization", "available_from", "french_level", "city"):
        assert kept_out not in payload, "the row keeps only what the email shows"
    db.close()
    assert run(site, DAY + dt.timedelta(days=1)).queued == 0


def test_the_short_email_in_french(tmp_path, smtp):
    handler, _ = smtp
    site = big_site(tmp_path, smtp)
    client = site.signed_in()
    opt_in(client)
    post_form(client, "/jobs", "/language", {"language": "fr", "next": "/jobs"})
    best = strong_of(site, "ACME-1")[0]

    run(site, DAY)
    [email] = handler.received
    assert email["Subject"] == ("48 nouvelles candidatures de forte adéquation pour 8 emplois")
    text = email.get_body(("plain",)).get_content().replace("\r\n", "\n")
    html = email.get_body(("html",)).get_content()
    for body in (text, html):
        assert f"Candidature {best['worker']}" in body
        assert f"Forte adéquation · {best['fit']['percentile']}e centile" in body
        assert "et 1 autre nouvelle candidature de forte adéquation" in body
        assert "3 autres emplois ont de nouvelles candidatures de forte adéquation" in body
        assert "2 sur 2 exigées: ✓ Python ✓ SQL" in body
    assert "(18 en tout)" in text and "Ouvrir vos emplois" in html
