"""Object-level authorization: every route that takes an id, asked by another employer, is 404."""

from __future__ import annotations

import pytest
from web_support import ACME_EMAIL, GLOBEX_EMAIL, WORKER_EMAIL, build_site, csrf_token_from

from matcher import accounts
from matcher.hiring import notes

# (method, url, body) for every id-taking route of the employer pages and the API, each aimed
# at Acme's job ACME-1 (or, for matches, at a worker who is not the caller).
PAGE_ROUTES = [
    ("GET", "/jobs/ACME-1/edit", None),
    ("POST", "/jobs/ACME-1/edit", {"title": "Taken over", "city": "Toronto", "action": "save"}),
    ("POST", "/jobs/ACME-1/close", {}),
    ("POST", "/jobs/ACME-1/reopen", {}),
    ("GET", "/jobs/ACME-1/shortlist", None),
    ("GET", "/jobs/ACME-1/candidates/W1", None),
    ("POST", "/jobs/ACME-1/candidates/W1/decisions", {"stage": "hired"}),
    ("POST", "/jobs/ACME-1/shortlist/decisions", {"stage": "contacted", "worker": ["W1", "W2"]}),
    ("GET", "/jobs/ACME-1/pipeline", None),
    ("GET", "/jobs/ACME-1/shortlist.csv", None),
    ("POST", "/jobs/ACME-1/pipeline/W1/notes", {"body": "Taken over"}),
    ("POST", "/jobs/ACME-1/pipeline/W1/notes/1/delete", {}),
    ("POST", "/jobs/ACME-1/pipeline/W1/tags", {"tag": "taken"}),
    ("POST", "/jobs/ACME-1/pipeline/W1/tags/remove", {"tag": "kept"}),
]
API_ROUTES = [
    ("GET", "/api/v1/jobs/ACME-1/shortlist", None),
    ("POST", "/api/v1/outcomes", {"job": "ACME-1", "worker": "W1", "stage": "hired"}),
    ("POST", "/api/v1/jobs/ACME-1/decisions/bulk", {"stage": "rejected", "workers": ["W1"]}),
    ("GET", "/api/v1/workers/W1/matches", None),
    ("GET", "/api/v1/jobs/ACME-1/pipeline", None),
    ("GET", "/api/v1/jobs/ACME-1/report", None),
    ("GET", "/api/v1/jobs/ACME-1/shortlist.csv", None),
]
# The endpoints above, so a new id-taking route without a row here fails the coverage test.
COVERED_ENDPOINTS = {
    "employer_jobs.edit_job",
    "employer_jobs.close_job",
    "employer_jobs.reopen_job",
    "shortlists.shortlist",
    "shortlists.candidate",
    "shortlists.record_decision",
    "shortlists.record_bulk_decision_view",
    "api.create_bulk_decisions",
    "api.job_shortlist",
    "api.worker_matches",
    "pipeline.pipeline",
    "pipeline.shortlist_export",
    "pipeline.add_note",
    "pipeline.delete_note",
    "pipeline.add_tag",
    "pipeline.remove_tag",
    "api.job_pipeline",
    "api.job_report",
    "api.job_shortlist_csv",
}
OWN_BLUEPRINTS = ("employer_jobs.", "shortlists.", "api.", "pipeline.")


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    site = build_site(tmp_path_factory.mktemp("authz"), workers=5)
    db = site.db()
    try:  # Acme's note 1 and tag "kept" on W1, which Globex must not delete
        acme_user = accounts.find_user_by_email(db, ACME_EMAIL).id
        job_id = db.execute("SELECT id FROM jobs WHERE external_id = 'ACME-1'").fetchone()[0]
        worker_id = db.execute("SELECT id FROM workers WHERE external_id = 'W1'").fetchone()[0]
        assert notes.add_note(db, job_id, worker_id, acme_user, "Strong SQL") == 1
        notes.add_tag(db, job_id, worker_id, acme_user, "kept")
    finally:
        db.close()
    return site


@pytest.fixture(scope="module")
def globex_browser(site):
    return site.signed_in(GLOBEX_EMAIL)


def _snapshot(site) -> tuple:
    db = site.db()
    try:
        return (
            db.execute(
                "SELECT title, status, updated_at FROM jobs WHERE external_id = 'ACME-1'"
            ).fetchone(),
            db.execute("SELECT count(*) FROM outcomes").fetchone()[0],
            db.execute("SELECT count(*) FROM contact_requests").fetchone()[0],
            db.execute("SELECT count(*) FROM candidate_notes").fetchone()[0],
            db.execute("SELECT group_concat(tag) FROM candidate_tags").fetchone()[0],
        )
    finally:
        db.close()


@pytest.mark.parametrize(("method", "url", "body"), PAGE_ROUTES)
def test_pages_answer_404_for_another_employers_ids(site, globex_browser, method, url, body):
    before = _snapshot(site)
    if method == "GET":
        response = globex_browser.get(url)
    else:
        token = csrf_token_from(globex_browser.get("/jobs").get_data(as_text=True))
        response = globex_browser.post(url, data={**body, "csrf_token": token})
    assert response.status_code == 404
    assert _snapshot(site) == before


@pytest.mark.parametrize(("method", "url", "body"), API_ROUTES)
def test_api_answers_404_for_another_employers_ids(site, method, url, body):
    headers = {"Authorization": f"Bearer {site.token(GLOBEX_EMAIL)}"}
    before = _snapshot(site)
    response = site.client().open(url, method=method, json=body, headers=headers)
    assert response.status_code == 404 and response.json["error"] == "not_found"
    assert _snapshot(site) == before


def test_the_matrix_covers_every_id_taking_route(site):
    id_taking = {
        rule.endpoint
        for rule in site.app.url_map.iter_rules()
        if rule.arguments and rule.endpoint.startswith(OWN_BLUEPRINTS)
    }
    assert id_taking == COVERED_ENDPOINTS


def test_the_owner_gets_200_on_the_same_pages(site):
    owner = site.signed_in()
    for method, url, _body in PAGE_ROUTES:
        if method == "GET":
            assert owner.get(url).status_code == 200, url


@pytest.fixture(scope="module")
def worker_browser(site):
    return site.signed_in(WORKER_EMAIL)


@pytest.mark.parametrize(("method", "url", "body"), PAGE_ROUTES)
def test_pages_refuse_a_worker(site, worker_browser, method, url, body):
    before = _snapshot(site)
    if method == "GET":
        response = worker_browser.get(url)
    else:
        token = csrf_token_from(worker_browser.get("/me/profile").get_data(as_text=True))
        response = worker_browser.post(url, data={**body, "csrf_token": token})
    assert response.status_code in (403, 404), (url, response.status_code)
    assert _snapshot(site) == before


@pytest.mark.parametrize(("method", "url", "body"), API_ROUTES)
def test_api_refuses_a_worker(site, method, url, body):
    url = url.replace("/workers/W1/", "/workers/W2/")  # W1 is the worker's own: allowed
    headers = {"Authorization": f"Bearer {site.token(WORKER_EMAIL)}"}
    before = _snapshot(site)
    response = site.client().open(url, method=method, json=body, headers=headers)
    assert response.status_code in (403, 404), (url, response.status_code)
    assert "error" in response.json
    assert _snapshot(site) == before
