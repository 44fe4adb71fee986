"""My matches and contact requests: explanations, accept/decline, and who sees what."""

from __future__ import annotations

import pytest
from web_support import ACME_EMAIL, GLOBEX_EMAIL, PASSWORD, WORKER_EMAIL, build_site, post_form

from matcher import accounts

OTHER_WORKER_EMAIL = "other.worker@example.org"
CANDIDATE_PAGE = "/jobs/ACME-1/candidates/W1"


@pytest.fixture
def site(tmp_path):
    site = build_site(tmp_path, workers=6)
    db = site.db()
    try:
        worker_id = db.execute("SELECT id FROM workers WHERE external_id = 'W2'").fetchone()[0]
        accounts.create_user(
            db, email=OTHER_WORKER_EMAIL, password=PASSWORD, role="worker", worker_id=worker_id
        )
    finally:
        db.close()
    return site


def _contact(site, worker: str = "W1", employer_email: str = ACME_EMAIL, job: str = "ACME-1"):
    """The employer presses "Contacted" on the candidate page, which sends a contact request."""
    employer = site.signed_in(employer_email)
    page = f"/jobs/{job}/candidates/{worker}"
    response = post_form(employer, page, page + "/decisions", {"stage": "contacted"})
    assert response.status_code == 302, response.get_data(as_text=True)
    return employer


def _request_id(site, worker: str = "W1") -> int:
    db = site.db()
    try:
        return db.execute(
            "SELECT c.id FROM contact_requests c JOIN workers w ON w.id = c.worker_id"
            " WHERE w.external_id = ?",
            [worker],
        ).fetchone()[0]
    finally:
        db.close()


def _status(site, request_id: int) -> str:
    db = site.db()
    try:
        sql = "SELECT status FROM contact_requests WHERE id = ?"
        return db.execute(sql, [request_id]).fetchone()[0]
    finally:
        db.close()


def test_my_matches_show_jobs_with_their_reasons(site):
    page = site.signed_in(WORKER_EMAIL).get("/me/matches")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "Python developer" in html and "Acme" in html
    # W1 lists Python, Django and PostgreSQL and prefers Montreal, then Toronto.
    assert "✓ Python" in html and "✗ SQL" in html and "+ Django" in html
    assert "Toronto is your choice #2" in html
    assert html.index("Python developer") < html.index("Go engineer")


def test_accepting_reveals_name_and_email_to_that_employer_only(site):
    employer = _contact(site)
    assert "Secret Name 1" not in employer.get(CANDIDATE_PAGE).get_data(as_text=True)

    worker = site.signed_in(WORKER_EMAIL)
    listing = worker.get("/me/contact-requests").get_data(as_text=True)
    assert "Python developer" in listing and "Acme" in listing
    assert "1 employer would like to contact you" in worker.get("/me/matches").get_data(True)
    request_id = _request_id(site)
    response = post_form(
        worker, "/me/contact-requests", f"/me/contact-requests/{request_id}/accept", {}
    )
    assert response.status_code == 302
    assert _status(site, request_id) == "accepted"

    revealed = employer.get(CANDIDATE_PAGE).get_data(as_text=True)
    assert "Secret Name 1" in revealed and "w1@private.example" in revealed
    globex = site.signed_in(GLOBEX_EMAIL)
    assert globex.get(CANDIDATE_PAGE).status_code == 404
    other_job = globex.get("/jobs/GLOBEX-1/candidates/W1").get_data(as_text=True)
    assert "Secret Name 1" not in other_job


def test_declining_keeps_the_worker_hidden_and_cannot_be_redone(site):
    employer = _contact(site)
    worker = site.signed_in(WORKER_EMAIL)
    request_id = _request_id(site)
    decline = f"/me/contact-requests/{request_id}/decline"
    post_form(worker, "/me/contact-requests", decline, {})
    assert _status(site, request_id) == "declined"
    accept = f"/me/contact-requests/{request_id}/accept"
    again = post_form(worker, "/me/contact-requests", accept, {})
    assert again.status_code == 302 and _status(site, request_id) == "declined"
    assert "Secret Name 1" not in employer.get(CANDIDATE_PAGE).get_data(as_text=True)


def test_a_worker_cannot_see_or_decide_another_workers_request(site):
    _contact(site, worker="W1")
    request_id = _request_id(site, "W1")
    other = site.signed_in(OTHER_WORKER_EMAIL)
    assert "Python developer" not in other.get("/me/contact-requests").get_data(as_text=True)
    response = post_form(
        other, "/me/contact-requests", f"/me/contact-requests/{request_id}/accept", {}
    )
    assert response.status_code == 404
    assert _status(site, request_id) == "pending"
    missing = post_form(other, "/me/contact-requests", "/me/contact-requests/9999/accept", {})
    assert missing.status_code == 404


def test_deciding_needs_post_with_a_csrf_token(site):
    _contact(site)
    request_id = _request_id(site)
    worker = site.signed_in(WORKER_EMAIL)
    assert worker.get(f"/me/contact-requests/{request_id}/accept").status_code == 405
    assert worker.post(f"/me/contact-requests/{request_id}/accept").status_code == 400
    assert _status(site, request_id) == "pending"
