"""A real Chromium: an employer contacts a candidate with a message, the worker accepts from
the email's link (real aiosmtpd), the employer's email shows the contact; each email is
looked at at 375 px wide; the strong-match email opt-in on the jobs page."""

from __future__ import annotations

import datetime as dt
import re
import time
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest
from notification_fixtures import FaultySmtpHandler, start_smtp
from web_support import ACME_EMAIL, PASSWORD, WORKER_EMAIL, build_site, serving

from matcher.notifications.employer_daily import send_employer_emails

pytestmark = pytest.mark.browser

SHOTS = Path("/tmp")
MESSAGE = "Bonjour Zoë,\nvotre profil Python nous plaît beaucoup.\n\nÀ bientôt ?"


@pytest.fixture
def served(tmp_path) -> Iterator:
    handler = FaultySmtpHandler()
    controller = start_smtp(handler)
    site = build_site(
        tmp_path, workers=30, settings={"smtp_port": controller.port}, EMAIL_DELIVERY="background"
    )
    try:
        with serving(site.app) as url:
            settings = site.app.config["SETTINGS"]
            site.app.config["SETTINGS"] = replace(settings, base_url=url)
            yield url, site, handler
    finally:
        controller.stop()


def _shot(page, name: str) -> None:
    page.screenshot(path=str(SHOTS / f"contact_{name}.png"), full_page=True)


def _page(browser, width: int):
    return browser.new_context(viewport={"width": width, "height": 900}).new_page()


def _sign_in(browser, url: str, email: str, next_path: str, width: int = 1280):
    page = _page(browser, width)
    page.goto(f"{url}/sign-in?next={next_path}")
    page.get_by_label("Email", exact=True).fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    return page


def _mail(handler, count: int):
    deadline = time.monotonic() + 30
    while len(handler.received) < count and time.monotonic() < deadline:
        time.sleep(0.1)
    assert len(handler.received) >= count
    return handler.received[count - 1]


def _look_at_email(browser, message, name: str) -> None:
    """The email's HTML as a phone shows it: nothing wider than the screen."""
    page = _page(browser, 375)
    page.set_content(message.get_body(("html",)).get_content())
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    _shot(page, name)
    page.context.close()


def test_contact_with_a_message_then_accept_from_the_email(browser, served):
    url, site, handler = served
    employer = _sign_in(browser, url, ACME_EMAIL, "/jobs/ACME-1/candidates/W2")
    employer.get_by_label("Message to the candidate (optional)").fill(MESSAGE)
    _shot(employer, "1_candidate_with_message")
    employer.get_by_role("button", name="Contacted").click()
    employer.get_by_role("status").filter(has_text="contact request was sent").wait_for()

    to_worker = _mail(handler, 1)
    _look_at_email(browser, to_worker, "2_email_to_worker_375")
    text = to_worker.get_body(("plain",)).get_content().replace("\r\n", "\n")
    assert MESSAGE in text
    accept = re.search(r"(http://\S+/accept)", text).group(1)

    worker = _page(browser, 375)  # from the phone's mail app: not signed in
    worker.goto(accept)
    assert "votre profil Python nous plaît beaucoup." in worker.locator("blockquote").inner_text()
    _shot(worker, "3_confirm_375")
    worker.get_by_role("button", name="Accept: share my name and email").click()
    worker.get_by_role("status").filter(has_text="can now see your name").wait_for()
    assert worker.evaluate("document.documentElement.scrollWidth") <= 375
    _shot(worker, "4_accepted_375")

    to_employer = _mail(handler, 2)
    _look_at_email(browser, to_employer, "5_email_to_employer_375")
    assert "Secret Name 2" in to_employer.get_body(("html",)).get_content()
    employer.reload()
    assert "Secret Name 2" in employer.locator("#contact-title + dl").inner_text()


def test_strong_match_emails_opt_in_and_the_email(browser, served):
    url, site, handler = served
    for width in (1280, 375):
        page = _sign_in(browser, url, ACME_EMAIL, "/jobs", width=width)
        page.get_by_role("heading", name="Email notifications").wait_for()
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        _shot(page, f"6_jobs_settings_{width}")
    page.get_by_label("Email me each morning").check()
    page.get_by_role("button", name="Save").click()
    page.get_by_role("status").filter(has_text="emails are on").wait_for()
    assert page.get_by_label("Email me each morning").is_checked()

    db = site.db()
    moment = dt.datetime(2026, 12, 2, 13, 0, tzinfo=dt.UTC)
    send_employer_emails(db, site.app.config["SETTINGS"], clock=lambda: moment)
    db.close()
    _look_at_email(browser, _mail(handler, 1), "7_employer_daily_375")


def test_the_worker_sees_the_message_on_their_contact_requests_page(browser, served):
    url, site, handler = served
    employer = _sign_in(browser, url, ACME_EMAIL, "/jobs/ACME-1/candidates/W1")
    employer.get_by_label("Message to the candidate (optional)").fill(MESSAGE)
    employer.get_by_role("button", name="Contacted").click()
    employer.get_by_role("status").filter(has_text="contact request was sent").wait_for()
    for width in (1280, 375):
        worker = _sign_in(browser, url, WORKER_EMAIL, "/me/contact-requests", width=width)
        quote = worker.locator("blockquote.contact-message")
        assert "nous plaît beaucoup" in quote.inner_text()
        assert worker.evaluate("document.documentElement.scrollWidth") <= width
        _shot(worker, f"8_worker_requests_{width}")
    worker.get_by_role("button", name="Accept Acme: Python developer").click()
    assert "Secret Name 1" in _mail(handler, 2).get_body(("plain",)).get_content()
