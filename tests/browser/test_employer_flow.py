"""A real Chromium drives the employer's path: sign in → job → shortlist → filter → decision."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from web_support import ACME_EMAIL, PASSWORD, build_site, serving

pytestmark = pytest.mark.browser

ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts"


@pytest.fixture
def base_url(tmp_path) -> Iterator[str]:
    site = build_site(tmp_path, workers=30, SHORTLIST_PAGE_SIZE=10)
    with serving(site.app) as url:
        yield url, site


def _shot(page, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"employer-{name}.png"), full_page=True)


def test_employer_records_a_decision_from_the_shortlist(browser, base_url):
    url, site = base_url
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    errors: list[str] = []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)

    page.goto(url + "/jobs")
    page.get_by_label("Email").fill(ACME_EMAIL)
    page.get_by_label("Password").fill(PASSWORD)
    _shot(page, "1-sign-in")
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("heading", name="Your jobs").wait_for()
    _shot(page, "2-jobs")

    page.get_by_role("link", name="Python developer").click()
    page.get_by_role("heading", name="Python developer").wait_for()
    assert page.locator("tbody tr").count() == 10
    assert "✓ Python" in page.content()
    _shot(page, "3-shortlist")

    page.get_by_label("Minimum French (NCLC)").fill("6")
    page.get_by_label("Citizen").check()
    page.get_by_role("button", name="Apply").click()
    page.wait_for_url("**min_french=6**")
    rows = page.locator("tbody tr")
    assert rows.count() >= 1
    _shot(page, "4-filtered")

    first = rows.first
    worker = first.get_by_role("link").first.inner_text().removeprefix("Candidate ")
    first.get_by_role("combobox").select_option("shortlisted")
    first.get_by_role("button", name="Record").click()
    page.get_by_role("status").filter(has_text="Recorded").wait_for()
    assert "min_french=6" in page.url  # back on the same filtered list
    assert page.locator("tr.decided").filter(has_text=worker).count() == 1
    _shot(page, "5-decided")

    db = site.db()
    try:
        stage = db.execute(
            "SELECT o.stage FROM outcomes o JOIN workers w ON w.id = o.worker_id"
            " WHERE w.external_id = ?",
            [worker],
        ).fetchone()
    finally:
        db.close()
    assert stage == ("shortlisted",)
    assert errors == []


def test_pages_fit_a_phone_screen_and_work_with_the_keyboard(browser, base_url):
    url, _site = base_url
    page = browser.new_page(viewport={"width": 375, "height": 740})
    page.goto(url + "/sign-in")
    for _ in range(5):  # the skip link and the logo come first
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.id") == "email":
            break
    assert page.evaluate("document.activeElement.id") == "email"
    page.keyboard.type(ACME_EMAIL)
    page.keyboard.press("Tab")
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")
    page.get_by_role("heading", name="Your jobs").wait_for()
    page.goto(url + "/jobs/ACME-1/shortlist")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 375
    _shot(page, "6-phone-shortlist")
