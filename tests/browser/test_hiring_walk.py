"""A real Chromium walks a hire end to end, on a desktop and on a phone.

New job (nice-to-have box left empty) → shortlist → bulk-shortlist three → filter by stage →
contact one → the worker accepts on their contact requests page → interviewed → offered →
hired → close the job → the pipeline's funnel shows the hire.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from web_support import ACME_EMAIL, PASSWORD, build_site, serving

from matcher import accounts
from matcher.hiring import decisions

pytestmark = pytest.mark.browser

SHOTS = Path(os.environ.get("WALK_SHOTS", Path(__file__).resolve().parents[1] / "artifacts"))
WALKER_EMAIL = "candidate@walk.example"


@pytest.fixture
def served(tmp_path) -> Iterator:
    site = build_site(tmp_path, workers=40, SHORTLIST_PAGE_SIZE=10)
    with serving(site.app) as url:
        yield url, site


class Walk:
    """One browser context per person, screenshots numbered in the order taken."""

    def __init__(self, browser, url: str, width: int) -> None:
        self.browser, self.url, self.width = browser, url, width
        self.shots = 0
        self.errors: list[str] = []

    def sign_in(self, email: str, next_path: str):
        context = self.browser.new_context(viewport={"width": self.width, "height": 900})
        page = context.new_page()
        page.on("console", lambda m: self.errors.append(m.text) if m.type == "error" else None)
        page.goto(f"{self.url}/sign-in?next={next_path}")
        page.get_by_label("Email", exact=True).fill(email)
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Sign in").click()
        return page

    def shot(self, page, name: str) -> None:
        SHOTS.mkdir(parents=True, exist_ok=True)
        self.shots += 1
        path = SHOTS / f"walk_{self.width}_{self.shots:02d}_{name}.png"
        # Scrolled to the end, the sticky bulk bar rests where it belongs in a full-page shot.
        page.evaluate("window.scrollTo(0, document.body.scrollHeight)")
        page.screenshot(path=str(path), full_page=True)
        if self.width <= 400:  # nothing may need sideways scrolling on a phone
            assert page.evaluate("document.documentElement.scrollWidth") <= self.width, name


def _flash(page, text: str) -> str:
    message = page.get_by_role("status").filter(has_text=text)
    message.wait_for()
    return message.inner_text()


def _give_account(site, worker: str) -> None:
    """The contacted candidate's own sign-in, as if they had signed up."""
    db = site.db()
    try:
        worker_id = decisions.live_worker_id(db, worker)
        db.execute("DELETE FROM users WHERE worker_id = ?", [worker_id])
        accounts.create_user(
            db, email=WALKER_EMAIL, password=PASSWORD, role="worker", worker_id=worker_id
        )
    finally:
        db.close()


def _stages(site, worker: str) -> list[str]:
    db = site.db()
    try:
        rows = db.execute(
            """SELECT o.stage FROM outcomes o JOIN workers w ON w.id = o.worker_id
               WHERE w.external_id = ? ORDER BY o.at, o.id""",
            [worker],
        ).fetchall()
    finally:
        db.close()
    return [row[0] for row in rows]


def _post_job(walk: Walk, page) -> str:
    page.get_by_role("heading", name="Post a job").wait_for()
    page.get_by_label("Title", exact=True).fill("Backend developer (Python)")
    page.get_by_label("Description", exact=True).fill(
        "Montréal fintech team. You will build Django services on PostgreSQL."
    )
    page.get_by_label("Required skills").fill("Python\nSQL")
    page.get_by_label("City").select_option("Toronto")
    assert page.get_by_label("Nice-to-have skills").input_value() == ""  # left empty
    walk.shot(page, "new_job")
    page.get_by_role("button", name="Save job", exact=True).last.click()
    page.wait_for_url("**/shortlist**")
    _flash(page, "Job saved")
    return page.url.split("/jobs/")[1].split("/")[0]


def _bulk_shortlist_three(walk: Walk, page) -> list[str]:
    rows = page.locator("table.shortlist-table tbody tr")
    chosen = []
    for index in range(3):
        box = rows.nth(index).locator('input[name="worker"]')
        box.check()
        chosen.append(box.get_attribute("value"))
    walk.shot(page, "shortlist_selected")
    page.locator("#bulk-form").get_by_role("button", name="Shortlist", exact=True).click()
    assert _flash(page, "shortlisted") == "3 shortlisted."
    return chosen


def _filter_shortlisted(walk: Walk, page, chosen: list[str]) -> None:
    page.get_by_label("Stage", exact=True).select_option("shortlisted")
    page.get_by_role("button", name="Apply").click()
    page.wait_for_url("**stage=shortlisted**")
    shown = page.locator('table.shortlist-table input[name="worker"]')
    assert sorted(shown.evaluate_all("boxes => boxes.map(b => b.value)")) == sorted(chosen)
    walk.shot(page, "filtered_shortlisted")


def _contact(walk: Walk, page, worker: str) -> None:
    row = page.locator("table.shortlist-table tbody tr").filter(
        has=page.locator(f'input[name="worker"][value="{worker}"]')
    )
    row.get_by_role("combobox").select_option("contacted")
    row.get_by_role("button", name="Record").click()
    _flash(page, "A contact request was sent")
    walk.shot(page, "contacted")


def _worker_accepts(walk: Walk, title: str) -> None:
    worker = walk.sign_in(WALKER_EMAIL, "/me/contact-requests")
    worker.get_by_role("button", name=f"Accept Acme: {title}").click()
    worker.get_by_text("Accepted").first.wait_for()
    walk.shot(worker, "worker_accepted")
    worker.context.close()


def _move(page, stage: str) -> None:
    page.get_by_role("button", name=stage, exact=True).click()
    _flash(page, "Recorded")


@pytest.mark.parametrize("width", [1280, 375])
def test_a_hire_from_a_new_job_to_the_report(browser, served, width):
    url, site = served
    walk = Walk(browser, url, width)
    page = walk.sign_in(ACME_EMAIL, "/jobs/new")
    job = _post_job(walk, page)
    walk.shot(page, "shortlist")
    chosen = _bulk_shortlist_three(walk, page)
    walk.shot(page, "bulk_shortlisted")
    _filter_shortlisted(walk, page, chosen)

    contacted = chosen[0]
    _contact(walk, page, contacted)
    _give_account(site, contacted)
    _worker_accepts(walk, "Backend developer (Python)")

    page.goto(f"{url}/jobs/{job}/candidates/{contacted}")
    page.get_by_text("Current stage:").wait_for()
    assert "Contacted" in page.locator(".status").first.inner_text()
    _move(page, "Interviewed")
    _move(page, "Offered")
    walk.shot(page, "offered")
    page.get_by_role("button", name="Hired", exact=True).click()
    page.wait_for_url(f"**/jobs/{job}/pipeline")
    _flash(page, "Recorded")
    walk.shot(page, "hired_offer_to_close")
    page.get_by_role("button", name="Close the job").click()
    _flash(page, "Job closed")
    walk.shot(page, "jobs_closed")

    assert _stages(site, contacted) == [
        "shortlisted",
        "contacted",
        "interviewed",
        "offered",
        "hired",
    ]
    page.goto(f"{url}/jobs/{job}/pipeline")
    funnel = page.locator("section[aria-labelledby='funnel-title']")
    assert "median" in funnel.inner_text() and "days to hire" in funnel.inner_text()
    hired = page.locator("#stage-hired")
    assert f"Candidate {contacted}" in hired.inner_text()
    assert page.locator("#stage-shortlisted .candidate-card").count() == 2
    assert "closed" in page.locator("p.muted").first.inner_text()
    walk.shot(page, "report")
    assert walk.errors == []


def test_select_all_ticks_the_page_and_one_untick_leaves_the_rest(browser, served):
    url, site = served
    walk = Walk(browser, url, 1280)
    page = walk.sign_in(ACME_EMAIL, "/jobs/ACME-1/shortlist")
    page.get_by_label("Select all on this page").check()
    boxes = page.locator('table.shortlist-table input[name="worker"]')
    assert boxes.count() == 10
    assert boxes.evaluate_all("bs => bs.every(b => b.checked)")  # the script ticked them
    boxes.first.uncheck()
    assert not page.get_by_label("Select all on this page").is_checked()
    page.locator("#bulk-form").get_by_role("button", name="Reject", exact=True).click()
    assert _flash(page, "rejected") == "9 rejected."
    assert walk.errors == []
