"""A real Chromium drives the worker's path: sign up → profile → matches → accept a contact request.

An employer, in a second browser context, sends the request and then sees the worker's
name and email appear on the candidate page.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from test_employer_flow import ARTIFACTS
from web_support import ACME_EMAIL, PASSWORD, build_site, catching_mail, serving, sign_up_link

pytestmark = pytest.mark.browser

WORKER_NAME = "Nia Park"
WORKER_EMAIL = "nia.park@example.org"


@pytest.fixture
def served(tmp_path) -> Iterator[tuple]:
    site = build_site(tmp_path, workers=12)
    with catching_mail(site) as handler, serving(site.app) as url:
        site.mail = handler
        yield url, site


def _shot(page, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"worker-{name}.png"), full_page=True)


def _watch_console(page) -> list[str]:
    errors: list[str] = []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    page.on("pageerror", lambda error: errors.append(str(error)))
    return errors


def _sign_up(page, url: str, site) -> None:
    page.goto(url + "/sign-in")
    page.get_by_role("link", name="Create a worker profile").click()
    page.get_by_label("Full name").fill(WORKER_NAME)
    page.get_by_label("Email", exact=True).fill(WORKER_EMAIL)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_label("Repeat the password").fill(PASSWORD)
    page.get_by_label("Work authorization in Canada").select_option("open_work_permit")
    assert not page.get_by_role("checkbox").is_checked()  # no email consent unless ticked
    _shot(page, "1-sign-up")
    page.get_by_role("button", name="Create my profile").click()
    page.get_by_text(f"We sent an email to {WORKER_EMAIL}").wait_for()
    width = page.viewport_size["width"]
    _shot(page, f"1b-check-your-email-{width}")
    page.goto(url + sign_up_link(site.mail, WORKER_EMAIL))
    _shot(page, f"1c-finish-sign-up-{width}")
    page.get_by_role("button", name="Finish creating my profile").click()
    page.get_by_role("heading", name="Your profile").wait_for()


def _fill_profile(page) -> None:
    skills = page.get_by_label("Skills", exact=True)
    skills.fill("")
    skills.press_sequentially("pyto")
    page.locator("#skill-typeahead").get_by_role("button", name="Python", exact=True).click()
    skills.press("End")
    skills.press_sequentially("SQL")
    assert page.get_by_label("Skills", exact=True).input_value() == "Python\nSQL"
    page.get_by_label("Resume").fill("Four years building Django services on PostgreSQL.")
    page.get_by_role("button", name="Find skills in my resume").click()
    confirm = page.locator("#resume-skills")
    confirm.wait_for()
    assert confirm.get_by_label("Django", exact=True).is_checked()
    confirm.get_by_label("PostgreSQL", exact=True).uncheck()
    page.get_by_label("Toronto").select_option("1")
    page.get_by_label("Montreal").select_option("2")
    page.get_by_label("Years of professional experience").fill("5")
    page.get_by_label("English level (CLB)").select_option("10")
    page.get_by_label("Salary expectation (CAD per year)").fill("100000")
    page.get_by_label("Earliest start date").fill("2027-01-15")
    _shot(page, "2-profile")
    page.get_by_role("button", name="Save profile").click()


def _contact_as_employer(browser, url: str, worker: str):  # noqa: F811
    employer = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
    employer.goto(url + f"/sign-in?next=/jobs/ACME-1/candidates/{worker}")
    employer.get_by_label("Email").fill(ACME_EMAIL)
    employer.get_by_label("Password").fill(PASSWORD)
    employer.get_by_role("button", name="Sign in").click()
    employer.get_by_role("button", name="Contacted").click()
    employer.get_by_role("status").filter(has_text="contact request was sent").wait_for()
    assert WORKER_NAME not in employer.content()
    return employer


def _stored_worker(site) -> tuple:
    db = site.db()
    try:
        return db.execute(
            "SELECT id, external_id, city_preferences FROM workers WHERE email = ?",
            [WORKER_EMAIL],
        ).fetchone()
    finally:
        db.close()


def test_worker_signs_up_fills_profile_sees_matches_and_accepts_contact(browser, served):  # noqa: F811
    url, site = served
    page = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
    errors = _watch_console(page)

    _sign_up(page, url, site)
    _fill_profile(page)
    page.get_by_role("heading", name="My matches").wait_for()
    first = page.locator("ol.matches > li").first
    assert "Python developer" in first.inner_text()
    assert "✓ Python" in first.inner_text() and "✓ SQL" in first.inner_text()
    assert "Toronto is your choice #1" in first.inner_text()
    _shot(page, "3-matches")

    worker_id, external_id, cities = _stored_worker(site)
    assert cities == "Toronto;Montreal"
    db = site.db()
    try:
        skills = db.execute(
            "SELECT skill, source FROM worker_skills WHERE worker_id = ? ORDER BY skill",
            [worker_id],
        ).fetchall()
    finally:
        db.close()
    assert ("Django", "listed") in skills and ("Python", "listed") in skills

    employer = _contact_as_employer(browser, url, external_id)
    page.reload()
    page.get_by_role("link", name="1 employer would like to contact you").click()
    page.get_by_role("heading", name="Contact requests").wait_for()
    _shot(page, "4-contact-request")
    page.get_by_role("button", name="Accept Acme: Python developer").click()
    page.get_by_role("status").filter(has_text="Acme can now see your name").wait_for()
    assert page.locator("td", has_text="Accepted").count() == 1
    _shot(page, "5-accepted")

    employer.reload()
    contact = employer.get_by_role("region", name="Contact")
    assert WORKER_NAME in contact.inner_text() and WORKER_EMAIL in contact.inner_text()
    employer.screenshot(path=str(ARTIFACTS / "worker-6-employer-sees-contact.png"))
    assert errors == []


def test_profile_works_at_phone_width_without_javascript(browser, served):  # noqa: F811
    url, site = served
    context = browser.new_context(viewport={"width": 375, "height": 740}, java_script_enabled=False)
    page = context.new_page()
    _sign_up(page, url, site)
    page.get_by_label("Skills", exact=True).fill("pyton")
    page.get_by_role("button", name="Save profile").click()
    page.get_by_text("Not a skill we know: pyton.").wait_for()
    assert "Python" in page.locator("#did-you-mean").inner_text()
    _shot(page, "7-phone-did-you-mean")
    context.close()
