"""The shortlist page, filters, pagination, the blind candidate page and decisions."""

from __future__ import annotations

import re

import pytest
from web_support import ACME_EMAIL, JOB_ROWS, build_site, post_form, worker_rows

from matcher.importing import import_rows
from tests.test_shortlists import promote_small_model

SHORTLIST = "/jobs/ACME-1/shortlist"


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    return build_site(tmp_path_factory.mktemp("shortlists"), workers=30, SHORTLIST_PAGE_SIZE=5)


@pytest.fixture(scope="module")
def client(site):
    return site.signed_in()


def _workers_on(html: str) -> list[str]:
    return re.findall(r">Candidate (W\d+)</a>", html)


def test_shortlist_shows_ranked_candidates_with_their_reasons(client):
    html = client.get(SHORTLIST).get_data(as_text=True)
    assert "Python developer" in html
    assert len(_workers_on(html)) == 5
    assert "✓ Python" in html  # matched skills
    assert "choice #" in html  # city preference rank
    assert "range)" in html  # salary fit
    assert "Secret Name" not in html and "private.example" not in html


def test_filters_narrow_the_list(client, site):
    everyone = client.get(SHORTLIST + "?page=1").get_data(as_text=True)
    total = int(re.search(r"([\d,]+) candidates?\b", everyone).group(1))
    filtered = client.get(SHORTLIST + "?min_french=10&work_authorization=citizen")
    html = filtered.get_data(as_text=True)
    narrowed = int(re.search(r"([\d,]+) candidates?\b", html).group(1))
    assert filtered.status_code == 200 and 0 < narrowed < total
    db = site.db()
    try:
        for worker in _workers_on(html):
            row = db.execute(
                "SELECT french_level, work_authorization FROM workers WHERE external_id = ?",
                [worker],
            ).fetchone()
            assert row[0] >= 10 and row[1] == "citizen"
    finally:
        db.close()


def test_bad_filter_values_are_explained_next_to_the_field(client):
    response = client.get(SHORTLIST + "?min_french=40")
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert 'id="min_french-error"' in html


def test_sorting_by_experience(client, site):
    html = client.get(SHORTLIST + "?sort=experience").get_data(as_text=True)
    years = [float(y) for y in re.findall(r'data-label="Experience">([\d.]+) yrs?', html)]
    assert years == sorted(years, reverse=True)


def test_pages_do_not_overlap(client):
    first = _workers_on(client.get(SHORTLIST + "?page=1").get_data(as_text=True))
    second_page = client.get(SHORTLIST + "?page=2").get_data(as_text=True)
    second = _workers_on(second_page)
    assert second and not set(first) & set(second)
    assert "Page 2 of" in second_page and 'rel="prev"' in second_page


def test_candidate_page_is_blind_until_contact_is_accepted(client, site):
    page = "/jobs/ACME-1/candidates/W2"
    html = client.get(page).get_data(as_text=True)
    assert "Candidate W2" in html and "Why this fit" in html
    assert "Secret Name 2" not in html and "w2@private.example" not in html
    response = post_form(client, page, page + "/decisions", {"stage": "contacted", "back": page})
    assert response.status_code == 302 and response.headers["Location"] == page
    assert "Contact request <strong>pending</strong>" in client.get(page).get_data(as_text=True)
    db = site.db()
    try:
        db.execute("UPDATE contact_requests SET status = 'accepted'")
    finally:
        db.close()
    html = client.get(page).get_data(as_text=True)
    assert "Secret Name 2" in html and "w2@private.example" in html


def test_a_decision_writes_an_outcome_event_and_marks_the_candidate(client, site):
    html = client.get(SHORTLIST).get_data(as_text=True)
    worker = _workers_on(html)[0]
    action = f"/jobs/ACME-1/candidates/{worker}/decisions"
    response = post_form(client, SHORTLIST, action, {"stage": "shortlisted", "back": SHORTLIST})
    assert response.status_code == 302 and response.headers["Location"] == SHORTLIST
    db = site.db()
    try:
        row = db.execute(
            """SELECT o.stage, o.source, u.email FROM outcomes o
               JOIN workers w ON w.id = o.worker_id JOIN users u ON u.id = o.actor_user_id
               WHERE w.external_id = ?""",
            [worker],
        ).fetchone()
    finally:
        db.close()
    assert row == ("shortlisted", "web", "recruiter@acme.example")
    html = client.get(SHORTLIST).get_data(as_text=True)
    assert '<p class="status">Shortlisted</p>' in html


def test_unknown_stages_and_offsite_redirects_are_refused(client):
    action = "/jobs/ACME-1/candidates/W3/decisions"
    assert post_form(client, SHORTLIST, action, {"stage": "shown"}).status_code == 400
    response = post_form(
        client, SHORTLIST, action, {"stage": "rejected", "back": "https://evil.example/"}
    )
    assert response.headers["Location"] == SHORTLIST


def test_decisions_need_csrf(client, site):
    response = client.post("/jobs/ACME-1/candidates/W4/decisions", data={"stage": "hired"})
    assert response.status_code == 400
    db = site.db()
    try:
        assert db.execute("SELECT count(*) FROM outcomes WHERE stage = 'hired'").fetchone()[0] == 0
    finally:
        db.close()


def test_unknown_job_or_worker_is_404(client):
    assert client.get("/jobs/NOPE/shortlist").status_code == 404
    assert client.get("/jobs/ACME-1/candidates/NOPE").status_code == 404


@pytest.fixture
def fresh_site(tmp_path):
    """A site of its own, for tests that change data under a cached shortlist."""
    return build_site(tmp_path, workers=30, SHORTLIST_PAGE_SIZE=5)


def _first_row(html: str) -> str:
    return html.split("<tbody>", 1)[1].split("</tr>", 1)[0]


def test_an_outcome_recorded_through_the_api_marks_the_candidate_at_once(fresh_site):
    client = fresh_site.signed_in()
    worker = _workers_on(client.get(SHORTLIST).get_data(as_text=True))[0]
    response = fresh_site.client().post(
        "/api/v1/outcomes",
        json={"job": "ACME-1", "worker": worker, "stage": "shortlisted"},
        headers={"Authorization": f"Bearer {fresh_site.token(ACME_EMAIL)}"},
    )
    assert response.status_code == 201
    assert '<p class="status">Shortlisted</p>' in _first_row(
        client.get(SHORTLIST).get_data(as_text=True)
    )


def test_worker_and_job_edits_show_on_the_page_at_once(fresh_site):
    client = fresh_site.signed_in()
    html = client.get(SHORTLIST).get_data(as_text=True)
    worker = _workers_on(html)[0]
    assert "needs 3" in html
    edited = next(row for row in worker_rows(30) if row["external_id"] == worker)
    job = {**JOB_ROWS[0], "min_years_experience": 11}
    db = fresh_site.db()
    try:
        assert import_rows(db, "workers", [{**edited, "french_level": 12}]).updated == 1
        assert import_rows(db, "jobs", [job]).updated == 1
    finally:
        db.close()
    html = client.get(SHORTLIST).get_data(as_text=True)
    assert "needs 11" in html and "needs 3" not in html
    cell = re.search(rf">Candidate {worker}</a>.*?data-label=\"French\">([^<]*)<", html, re.S)
    assert cell and cell.group(1).startswith("NCLC 12")


def test_a_promoted_model_ranks_the_next_request(fresh_site):
    client = fresh_site.signed_in()
    bearer = {"Authorization": f"Bearer {fresh_site.token(ACME_EMAIL)}"}
    api = "/api/v1/jobs/ACME-1/shortlist?limit=5"
    assert fresh_site.client().get(api, headers=bearer).get_json()["model_version"] == "cold-start"
    assert "model cold-start" in client.get(SHORTLIST).get_data(as_text=True)
    settings = fresh_site.app.config["SETTINGS"]
    db = fresh_site.db()
    try:
        version = promote_small_model(db, settings)
    finally:
        db.close()
    assert fresh_site.client().get(api, headers=bearer).get_json()["model_version"] == version
    assert f"model {version}" in client.get(SHORTLIST).get_data(as_text=True)
