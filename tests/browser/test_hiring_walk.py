"""A real Chromium walks a hire end to end, on a desktop and on a phone.

New job (nice-to-have box left empty) → shortlist → bulk-shortlist three → filter by stage →
contact one with a message → the worker accepts from the contact request's email (caught by
a real aiosmtpd server; the link opened signed out, as from a phone's mail app) → the
employer's answer email and the candidate page's "Emails" → interviewed → offered → hired →
close the job → the pipeline's funnel shows the hire, and so does the employer's report
across its jobs. Each email is looked at as a phone
shows it; every screenshot lands in `tests/artifacts/`.
"""

from __future__ import annotations

import os
import re
import time
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest
from notification_fixtures import FaultySmtpHandler, start_smtp
from web_support import ACME_EMAIL, PASSWORD, build_site, serving, worker_rows

from matcher.importing import import_rows

pytestmark = pytest.mark.browser

SHOTS = Path(os.environ.get("WALK_SHOTS", Path(__file__).resolve().parents[1] / "artifacts"))
MESSAGE = "Hello,\nyour Python and SQL work fits our payments team.\nCould we talk this week?"


@pytest.fixture
def served(tmp_path) -> Iterator:
    handler = FaultySmtpHandler()
    controller = start_smtp(handler)
    site = build_site(
        tmp_path,
        workers=40,
        settings={"smtp_port": controller.port},
        SHORTLIST_PAGE_SIZE=10,
        EMAIL_DELIVERY="background",
    )
    try:
        with serving(site.app) as url:
            settings = site.app.config["SETTINGS"]
            site.app.config["SETTINGS"] = replace(settings, base_url=url)
            yield url, site, handler
    finally:
        controller.stop()


class Walk:
    """One browser context per person, screenshots numbered in the order taken."""

    def __init__(self, browser, url: str, width: int) -> None:
        self.browser, self.url, self.width = browser, url, width
        self.shots = 0
        self.errors: list[str] = []

    def new_page(self):
        context = self.browser.new_context(viewport={"width": self.width, "height": 900})
        page = context.new_page()
        page.on("console", lambda m: self.errors.append(m.text) if m.type == "error" else None)
        return page

    def sign_in(self, email: str, next_path: str):
        page = self.new_page()
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

    def look_at_email(self, message, name: str) -> None:
        """The email's HTML as a phone's mail app shows it: nothing wider than the screen."""
        page = self.browser.new_context(viewport={"width": 375, "height": 900}).new_page()
        page.set_content(message.get_body(("html",)).get_content())
        assert page.evaluate("document.documentElement.scrollWidth") <= 375, name
        self.shots += 1
        SHOTS.mkdir(parents=True, exist_ok=True)
        path = SHOTS / f"walk_{self.width}_{self.shots:02d}_{name}.png"
        page.screenshot(path=str(path), full_page=True)
        page.context.close()


def _flash(page, text: str) -> str:
    message = page.get_by_role("status").filter(has_text=text)
    message.wait_for()
    return message.inner_text()


def _mail_to(handler, recipient: str, seconds: float = 30.0):
    """The first email the SMTP server caught for `recipient`, waiting for it to arrive."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        for message in handler.received:
            if str(message["To"]) == recipient:
                return message
        time.sleep(0.1)
    raise AssertionError(f"no email to {recipient}; caught: {handler.recipients()}")


def _text(message) -> str:
    return message.get_body(("plain",)).get_content().replace("\r\n", "\n")


def _worker_email(site, worker: str) -> str:
    db = site.db()
    try:
        return db.execute("SELECT email FROM workers WHERE external_id = ?", [worker]).fetchone()[0]
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


def _contact_with_a_message(walk: Walk, page, worker: str) -> None:
    """From the filtered shortlist to the candidate's page, then the contact request."""
    page.get_by_role("link", name=f"Candidate {worker}", exact=True).click()
    page.get_by_role("heading", name=f"Candidate {worker}").wait_for()
    page.get_by_label("Message to the candidate (optional)").fill(MESSAGE)
    walk.shot(page, "candidate_message")
    page.get_by_role("button", name="Contacted: send the contact request").click()
    _flash(page, "A contact request was sent")
    walk.shot(page, "contacted")


def _worker_accepts_from_the_email(walk: Walk, handler, address: str, title: str) -> None:
    """The worker opens the email's accept link signed out, as from a phone's mail app."""
    email = _mail_to(handler, address)
    assert email["Subject"] == f"Acme would like to contact you about {title}"
    text = _text(email)
    assert MESSAGE in text
    walk.look_at_email(email, "email_to_worker")
    accept = re.search(r"(http://\S+/accept)\b", text).group(1)
    assert accept.startswith(walk.url), "links follow the address the service runs on"

    worker = walk.new_page()
    worker.goto(accept)
    assert "your Python and SQL work" in worker.locator("blockquote").inner_text()
    walk.shot(worker, "worker_confirms_from_email")
    worker.get_by_role("button", name="Accept: share my name and email").click()
    _flash(worker, "can now see your name")
    walk.shot(worker, "worker_accepted")
    worker.context.close()


def _emails_section(page, want: int) -> str:
    """The candidate page's "Emails" once `want` of them read sent (delivery is background)."""
    deadline = time.monotonic() + 30
    while True:
        section = page.locator("ul.email-history")
        if section.count() and section.inner_text().count("· sent") >= want:
            return section.inner_text()
        assert time.monotonic() < deadline, page.content()
        time.sleep(0.3)
        page.reload()


def _move(page, stage: str) -> None:
    page.get_by_role("button", name=stage, exact=True).click()
    _flash(page, "Recorded")


@pytest.mark.parametrize("width", [1280, 375])
def test_a_hire_from_a_new_job_to_the_report(browser, served, width):
    url, site, handler = served
    walk = Walk(browser, url, width)
    page = walk.sign_in(ACME_EMAIL, "/jobs/new")
    job = _post_job(walk, page)
    walk.shot(page, "shortlist")
    chosen = _bulk_shortlist_three(walk, page)
    walk.shot(page, "bulk_shortlisted")
    _filter_shortlisted(walk, page, chosen)

    contacted = chosen[0]
    title = "Backend developer (Python)"
    _contact_with_a_message(walk, page, contacted)
    _worker_accepts_from_the_email(walk, handler, _worker_email(site, contacted), title)

    answer = _mail_to(handler, ACME_EMAIL)
    assert f"{contacted} accepted your contact request for {title}" in answer["Subject"]
    assert f"Secret Name {contacted[1:]}" in _text(answer)
    walk.look_at_email(answer, "email_to_employer")

    page.goto(f"{url}/jobs/{job}/candidates/{contacted}")
    emails = _emails_section(page, want=2)
    assert "Contact request to the candidate" in emails
    assert f"The candidate’s answer, to {ACME_EMAIL}" in emails
    assert f"Secret Name {contacted[1:]}" in page.locator("#contact-title + dl").inner_text()
    walk.shot(page, "candidate_accepted_emails")
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

    page.goto(f"{url}/jobs")
    page.get_by_role("link", name="Hiring report").click()
    page.get_by_role("heading", name="Hiring report · Acme").wait_for()
    row = page.locator("table.report-jobs tbody tr").filter(has_text=title)
    assert row.locator("td").nth(3).inner_text() == "1", "the hire, on its job's line"
    walk.shot(page, "employer_report")
    assert walk.errors == []


def test_select_all_ticks_the_page_and_one_untick_leaves_the_rest(browser, served):
    url, site, _ = served
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


def test_the_candidate_page_fits_a_phone_with_long_skill_names(browser, served):
    """A demo worker's "Amazon Web Services · 3.5 yrs" tag once widened the page past 375 px."""
    url, site, _ = served
    db = site.db()
    try:
        row = {**worker_rows(2)[1], "skills": "python:5;sql:3;amazon web services:3.5"}
        row |= {"english_level": 9, "french_level": 0}
        assert not import_rows(db, "workers", [row]).rejected
    finally:
        db.close()
    walk = Walk(browser, url, 375)
    page = walk.sign_in(ACME_EMAIL, "/jobs/ACME-1/candidates/W2")
    page.get_by_role("heading", name="Candidate W2").wait_for()
    assert "Amazon Web Services" in page.locator("#profile-title + dl").inner_text()
    walk.shot(page, "candidate_long_skills")
    assert walk.errors == []
