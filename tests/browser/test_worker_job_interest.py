"""A real Chromium: a worker signs in → my matches → a job's page → "I'm interested"; the
employer then signs in and sees the "Interested" badge on that job's shortlist. Screenshots
at 1280 and 375 px wide land in tests/artifacts/."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from test_employer_flow import ARTIFACTS
from web_support import ACME_EMAIL, PASSWORD, WORKER_EMAIL, build_site, serving

pytestmark = pytest.mark.browser

DESCRIPTION = (
    "We build the payments platform behind 2,000 Canadian merchants.\n\n"
    "You will:\n- design Python services on PostgreSQL\n- own SQL migrations\n\n"
    "Hybrid: two days a week at our King Street office."
)
WIDTHS = (1280, 375)


@pytest.fixture
def served(tmp_path) -> Iterator[tuple]:
    site = build_site(tmp_path, workers=12)
    db = site.db()
    db.execute(
        "UPDATE jobs SET description = ?, posted_at = '2026-11-20' WHERE external_id = 'ACME-1'",
        [DESCRIPTION],
    )
    db.close()
    with serving(site.app) as url:
        yield url, site


def _shoot(page, name: str) -> None:
    """The page at each width, full length."""
    ARTIFACTS.mkdir(exist_ok=True)
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})
        page.screenshot(path=str(ARTIFACTS / f"jobpage-{name}-{width}.png"), full_page=True)
    page.set_viewport_size({"width": WIDTHS[0], "height": 900})


def _sign_in(page, url: str, email: str) -> None:
    page.goto(url + "/sign-in")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()


def test_worker_says_interested_and_employer_sees_the_badge(browser, served):
    url, _ = served
    worker = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
    errors: list[str] = []
    worker.on("pageerror", lambda error: errors.append(str(error)))
    _sign_in(worker, url, WORKER_EMAIL)
    worker.get_by_role("heading", name="My matches").wait_for()
    _shoot(worker, "0-matches")
    worker.get_by_role("link", name="Python developer").click()
    worker.get_by_role("heading", name="Your fit").wait_for()
    assert worker.url.endswith("/me/jobs/ACME-1")
    assert "$90,000–$120,000 a year" in worker.locator(".job-facts").inner_text()
    assert "Adding SQL would" in worker.locator(".what-ifs").inner_text()
    assert "- own SQL migrations" in worker.locator(".description").inner_text()
    _shoot(worker, "1-worker")

    worker.get_by_role("button", name="I'm interested").click()
    worker.get_by_text("You told Acme you are interested.").wait_for()
    assert worker.get_by_role("button", name="I'm interested").count() == 0
    _shoot(worker, "2-interested")

    employer = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
    _sign_in(employer, url, ACME_EMAIL)
    employer.goto(url + "/jobs/ACME-1/shortlist")
    row = employer.locator("tr", has=employer.get_by_role("link", name="Candidate W1"))
    assert row.locator(".badge-interested").inner_text() == "Interested"
    assert employer.locator(".badge-interested").count() == 1
    _shoot(employer, "3-employer-badge")
    employer.get_by_label("Sort by").select_option("reciprocal")
    employer.get_by_role("button", name="Apply").click()
    employer.wait_for_url("**sort=reciprocal**")
    assert employer.locator(".badge-interested").count() == 1
    assert errors == []
