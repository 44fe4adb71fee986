"""The worker's job page, "I'm interested" / "Not for me" on it and in emails, and what the
employer sees of it (badge, reciprocal sort, permit timeline, "can start by"), over HTTP."""

from __future__ import annotations

import re

import pytest
from web_support import (
    GLOBEX_EMAIL,
    WORKER_EMAIL,
    build_site,
    csrf_token_from,
    post_form,
    sign_in,
)

from matcher.hiring import interest
from matcher.notifications import links


@pytest.fixture
def site(tmp_path):
    site = build_site(tmp_path)
    db = site.db()
    db.execute(
        "UPDATE jobs SET description = ? WHERE external_id = 'ACME-1'",
        ["Build payment services.\nShip <b>weekly</b>.\n\nRemote Fridays."],
    )
    db.close()
    return site


def _ids(site, worker="W1", job="ACME-1") -> tuple[int, int]:
    db = site.db()
    try:
        worker_id = db.execute("SELECT id FROM workers WHERE external_id = ?", [worker]).fetchone()
        job_id = db.execute("SELECT id FROM jobs WHERE external_id = ?", [job]).fetchone()
        return worker_id[0], job_id[0]
    finally:
        db.close()


def _choices(site) -> list[tuple]:
    db = site.db()
    try:
        return db.execute("SELECT choice, source FROM worker_interest ORDER BY id").fetchall()
    finally:
        db.close()


def test_job_page_shows_the_posting_against_the_profile(site):
    html = site.signed_in(WORKER_EMAIL).get("/me/jobs/ACME-1").get_data(as_text=True)
    assert "Python developer" in html and "Acme" in html
    assert "Toronto · On site" in html and "$90,000–$120,000 a year" in html
    assert "ref. ACME-1" in html  # two same-titled jobs stay apart
    # W1 holds Python and Django without years, and no SQL.
    assert re.search(r"Python</td>\s*<td[^>]*>required</td>\s*<td[^>]*>.*years unknown", html)
    assert re.search(r"SQL</td>\s*<td[^>]*>required</td>\s*<td[^>]*>.*missing", html)
    assert re.search(r"Django</td>\s*<td[^>]*>nice to have", html)
    assert re.search(r'class="fit fit-\w+">\w+ fit · \d+\w\w percentile', html)
    what_if = r"Adding SQL would (move you from \w+ fit to \w+ fit|add \d+ percentile)"
    assert re.search(what_if, html)
    # The description keeps its line breaks (CSS pre-line) and is escaped.
    assert "Ship &lt;b&gt;weekly&lt;/b&gt;.\n\nRemote Fridays." in html
    assert "<b>weekly</b>" not in html
    assert "Earliest start: Feb 1, 2027" in html  # open work permit: the available date


def test_a_worker_needing_a_permit_sees_the_pathway(site):
    db = site.db()
    db.execute("UPDATE workers SET work_authorization = 'needs_permit' WHERE external_id = 'W1'")
    db.close()
    html = site.signed_in(WORKER_EMAIL).get("/me/jobs/ACME-1").get_data(as_text=True)
    assert "Global Talent Stream" in html and "typically 4 weeks" in html
    assert "not legal advice" in html


@pytest.mark.parametrize("job", ["NOPE", "CLOSED-1"])
def test_closed_or_unknown_job_is_404(site, job):
    db = site.db()
    db.execute(
        "UPDATE jobs SET external_id = 'CLOSED-1', status = 'closed' WHERE external_id = 'GLOBEX-1'"
    )
    db.close()
    client = site.signed_in(WORKER_EMAIL)
    assert client.get(f"/me/jobs/{job}").status_code == 404
    token = csrf_token_from(client.get("/me/jobs/ACME-1").get_data(as_text=True))
    response = client.post(
        f"/me/jobs/{job}/interest", data={"choice": "interested", "csrf_token": token}
    )
    assert response.status_code == 404
    assert _choices(site) == []


def test_job_page_needs_a_signed_in_worker_and_sign_in_lands_on_it(site):
    client = site.client()
    response = client.get("/me/jobs/ACME-1")
    assert response.status_code == 302
    assert "/sign-in?next=/me/jobs/ACME-1" in response.headers["Location"]
    landed = sign_in(client, WORKER_EMAIL, "correct-horse-battery", next_path="/me/jobs/ACME-1")
    assert landed.headers["Location"] == "/me/jobs/ACME-1"
    assert site.signed_in().get("/me/jobs/ACME-1").status_code == 403  # an employer


def test_interested_then_not_for_me_from_the_page(site):
    client = site.signed_in(WORKER_EMAIL)
    response = post_form(
        client, "/me/jobs/ACME-1", "/me/jobs/ACME-1/interest", {"choice": "interested"}
    )
    assert response.status_code == 302 and response.headers["Location"] == "/me/jobs/ACME-1"
    page = client.get("/me/jobs/ACME-1").get_data(as_text=True)
    assert "You told Acme you are interested." in page
    assert "/me/jobs/ACME-1" in client.get("/me/matches").get_data(as_text=True)

    response = post_form(
        client, "/me/jobs/ACME-1", "/me/jobs/ACME-1/interest", {"choice": "not_for_me"}
    )
    assert response.headers["Location"] == "/me/matches"
    assert "/me/jobs/ACME-1" not in client.get("/me/matches").get_data(as_text=True)
    assert _choices(site) == [("interested", "page"), ("not_for_me", "page")]


@pytest.mark.parametrize("choice", ["", "maybe", "interested'--"])
def test_empty_or_bad_choice_is_a_clear_400(site, choice):
    client = site.signed_in(WORKER_EMAIL)
    response = post_form(client, "/me/jobs/ACME-1", "/me/jobs/ACME-1/interest", {"choice": choice})
    assert response.status_code == 400
    assert "choice: must be one of interested, not_for_me" in response.get_data(as_text=True)
    assert _choices(site) == []


def test_interest_needs_a_csrf_token(site):
    client = site.signed_in(WORKER_EMAIL)
    response = client.post("/me/jobs/ACME-1/interest", data={"choice": "interested"})
    assert response.status_code == 400
    assert _choices(site) == []


def test_email_interest_links_confirm_on_get_and_record_on_post(site):
    worker, job = _ids(site)
    secret = site.app.config["SETTINGS"].secret_key
    url = links.interest_url("", secret, worker, job, links.INTERESTED)
    client = site.client()  # no session: the signed link is the authority
    page = client.get(url)
    assert page.status_code == 200 and "Tell the employer you are interested" in page.get_data(
        as_text=True
    )
    assert _choices(site) == [], "a GET changes nothing"
    token = csrf_token_from(page.get_data(as_text=True))
    done = client.post(url, data={"csrf_token": token})
    assert done.status_code == 200 and "will see that you are interested" in done.get_data(
        as_text=True
    )
    assert _choices(site) == [("interested", "email")]
    assert client.post(url, data={}).status_code == 400  # CSRF applies


def test_tampered_or_mismatched_interest_links_are_404(site):
    worker, job = _ids(site)
    secret = site.app.config["SETTINGS"].secret_key
    good = links.interest_url("", secret, worker, job, links.NOT_FOR_ME)
    token = good.rsplit("/", 1)[1]
    client = site.client()
    assert client.get(good).status_code == 200
    assert client.get(f"/email/interested/{token}").status_code == 404  # not its action
    assert client.get(good[:-3] + "abc").status_code == 404
    other = links.interest_url("", "another key", worker, job, links.NOT_FOR_ME)
    assert client.get(other).status_code == 404


def test_employer_sees_the_badge_on_their_own_shortlist_only(site):
    worker, job = _ids(site)
    db = site.db()
    interest.record_interest(db, worker, job, "interested", source="page")
    db.close()
    html = site.signed_in().get("/jobs/ACME-1/shortlist").get_data(as_text=True)
    assert re.search(
        r'Candidate W1</a> <span class="badge-interested"[^>]*>Interested</span>', html
    )
    assert html.count('class="badge-interested"') == 1
    assert site.signed_in(GLOBEX_EMAIL).get("/jobs/ACME-1/shortlist").status_code == 404
    reciprocal = site.signed_in().get("/jobs/ACME-1/shortlist?sort=reciprocal")
    assert reciprocal.status_code == 200 and "Fit and their interest" in reciprocal.get_data(
        as_text=True
    )


def test_can_start_by_filter_and_its_errors(site):
    client = site.signed_in()
    # W3 needs a permit (GTS for a Python developer: about four weeks from today) and is
    # free on 2027-04-01; W1 has an open work permit and is free on 2027-02-01.
    html = client.get("/jobs/ACME-1/shortlist?can_start_by=2027-03-01").get_data(as_text=True)
    shown = set(re.findall(r"Candidate (W\d+)</a>", html))
    assert "W1" in shown and "W3" not in shown
    everyone = client.get("/jobs/ACME-1/shortlist?can_start_by=2030-01-01").get_data(as_text=True)
    assert "W3" in set(re.findall(r"Candidate (W\d+)</a>", everyone))
    for bad in ("2027-02-30", "next week", "01/03/2027"):
        response = client.get(f"/jobs/ACME-1/shortlist?can_start_by={bad}")
        assert response.status_code == 400
        assert "is not a date (YYYY-MM-DD)" in response.get_data(as_text=True)


def test_candidate_page_shows_the_permit_timeline(site):
    client = site.signed_in()
    html = client.get("/jobs/ACME-1/candidates/W3").get_data(as_text=True)
    assert re.search(r"earliest start Apr 1, 2027 · Global Talent Stream", html)
    html = client.get("/jobs/ACME-1/candidates/W1").get_data(as_text=True)
    assert "can start Feb 1, 2027" in html


def test_contact_requests_link_to_the_job_page(site):
    employer = site.signed_in()
    post_form(
        employer,
        "/jobs/ACME-1/candidates/W1",
        "/jobs/ACME-1/candidates/W1/decisions",
        {"stage": "contacted"},
    )
    html = site.signed_in(WORKER_EMAIL).get("/me/contact-requests").get_data(as_text=True)
    assert 'href="/me/jobs/ACME-1"' in html


def test_interest_is_in_the_workers_export_and_goes_with_their_account(site):
    from matcher.worker_privacy import delete_worker_account, export_worker_data

    worker, job = _ids(site)
    db = site.db()
    try:
        interest.record_interest(db, worker, job, "interested", source="page")
        exported = export_worker_data(db, worker)["job_interest"]
        assert [(r["job"], r["choice"], r["source"]) for r in exported] == [
            ("ACME-1", "interested", "page")
        ]
        delete_worker_account(db, worker)
        assert db.execute("SELECT count(*) FROM worker_interest").fetchone() == (0,)
    finally:
        db.close()
