"""A real Chromium walks the hiring pipeline: shortlist → contact → accepted → interview → note."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from web_support import ACME_EMAIL, PASSWORD, WORKER_EMAIL, build_site, serving

pytestmark = pytest.mark.browser

SHOTS = Path("/tmp")
NOTE = "Entrevue très réussie avec Zoë.\nÀ rappeler lundi : préfère Montréal."


@pytest.fixture
def served(tmp_path) -> Iterator:
    site = build_site(tmp_path, workers=30, SHORTLIST_PAGE_SIZE=10)
    with serving(site.app) as url:
        yield url, site


def _shot(page, name: str) -> None:
    page.screenshot(path=str(SHOTS / f"pipeline_{name}.png"), full_page=True)


def _sign_in(browser, url: str, email: str, next_path: str, width: int = 1280):
    page = browser.new_context(viewport={"width": width, "height": 900}).new_page()
    page.goto(f"{url}/sign-in?next={next_path}")
    page.get_by_label("Email", exact=True).fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    return page


def _record(page, stage: str, expect: str) -> None:
    page.get_by_role("button", name=stage, exact=True).click()
    page.get_by_role("status").filter(has_text=expect).wait_for()


def _stages_of_w1(site) -> list[str]:
    db = site.db()
    try:
        rows = db.execute(
            "SELECT o.stage FROM outcomes o JOIN workers w ON w.id = o.worker_id"
            " WHERE w.external_id = 'W1' ORDER BY o.at, o.id"
        ).fetchall()
    finally:
        db.close()
    return [row[0] for row in rows]


def test_employer_moves_a_candidate_through_the_pipeline(browser, served):
    url, site = served
    page = _sign_in(browser, url, ACME_EMAIL, "/jobs")
    errors: list[str] = []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    page.get_by_role("heading", name="Your jobs").wait_for()
    _shot(page, "1_jobs")
    page.get_by_role("link", name="Python developer").click()
    page.get_by_role("link", name="Pipeline").first.wait_for()
    _shot(page, "2_shortlist")

    page.goto(url + "/jobs/ACME-1/candidates/W1")
    _record(page, "Shortlisted", "Recorded")
    _record(page, "Contacted: send the contact request", "contact request was sent")
    assert page.get_by_role("button", name="Interviewed").count() == 0
    _shot(page, "3_contacted")

    worker = _sign_in(browser, url, WORKER_EMAIL, "/me/contact-requests")
    worker.get_by_role("button", name="Accept Acme: Python developer").click()
    worker.get_by_text("Accepted").first.wait_for()
    _shot(worker, "4_worker_accepted")

    page.reload()
    _record(page, "Interviewed", "Recorded")
    # The menu offers only the stages allowed next.
    assert page.get_by_role("button", name="Hired").count() == 0
    # A stale or forged form still posts "hired": the server refuses it with a message.
    page.evaluate(
        """() => { const b = document.createElement('button'); b.type = 'submit';
           b.name = 'stage'; b.value = 'hired'; b.textContent = 'Hired';
           document.querySelector('form[action$="/decisions"]').appendChild(b); }"""
    )
    page.get_by_role("button", name="Hired", exact=True).click()
    refused = page.locator(".flash-error")
    refused.wait_for()
    assert "Hired: only after offered" in refused.inner_text()
    _shot(page, "5_refused_hire")
    assert _stages_of_w1(site) == ["shortlisted", "contacted", "interviewed"]

    page.get_by_role("link", name="Notes and pipeline").click()
    page.get_by_role("heading", name="Pipeline · Python developer").wait_for()
    card = page.locator("#candidate-W1")
    assert "Secret Name 1" in card.inner_text()  # accepted: the name shows
    _shot(page, "6_pipeline")
    card.get_by_text("Notes (0) and tags").click()  # a <details>: no JavaScript needed
    card.get_by_label("Add a note").fill(NOTE)
    card.get_by_role("button", name="Add note").click()
    page.get_by_role("status").filter(has_text="Note added").wait_for()
    note = page.locator("#candidate-W1 .note-body")
    assert note.inner_text() == NOTE  # accents and the line break kept
    _shot(page, "7_note")
    assert errors == []


def test_the_pipeline_fits_a_phone(browser, served):
    url, _site = served
    page = _sign_in(browser, url, ACME_EMAIL, "/jobs", width=375)
    page.get_by_role("heading", name="Your jobs").wait_for()
    page.goto(url + "/jobs/ACME-1/pipeline")
    page.get_by_role("heading", name="Funnel").wait_for()
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    _shot(page, "8_phone")
