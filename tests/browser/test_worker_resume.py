"""A real Chromium uploads resumes as a new worker would: PDF and DOCX → check → saved with years.

Screenshots go to /tmp/resumes_*.png (and tests/artifacts), for a person to look at.
"""

from __future__ import annotations

import datetime as dt
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from resume_files import DOCX_RESUME_LINES, PDF_RESUME_LINES, docx_bytes, pdf_bytes
from test_employer_flow import ARTIFACTS
from web_support import PASSWORD, build_site, catching_mail, serving, sign_up_link

pytestmark = pytest.mark.browser

EMAIL = "amara.okafor@example.org"


@pytest.fixture
def served(tmp_path) -> Iterator[tuple]:
    site = build_site(tmp_path, workers=6)
    with catching_mail(site) as handler, serving(site.app) as url:
        site.mail = handler
        yield url, site


def _shot(page, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"resumes_{name}.png"
    page.screenshot(path=str(path), full_page=True)
    shutil.copy(path, f"/tmp/resumes_{name}.png")


def _sign_up(page, url: str, site) -> None:
    page.goto(url + "/sign-up")
    page.get_by_label("Full name").fill("Amara Okafor")
    page.get_by_label("Email", exact=True).fill(EMAIL)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_label("Repeat the password").fill(PASSWORD)
    page.get_by_label("Work authorization in Canada").select_option("open_work_permit")
    page.get_by_role("button", name="Create my profile").click()
    page.get_by_text(f"We sent an email to {EMAIL}").wait_for()
    page.goto(url + sign_up_link(site.mail, EMAIL))
    page.get_by_role("button", name="Finish creating my profile").click()
    page.get_by_role("heading", name="Your profile").wait_for()


def _upload(page, path: Path) -> None:
    page.get_by_role("link", name="Add a resume (PDF or DOCX) and check what we read").click()
    page.get_by_label("Resume file (PDF or DOCX)").set_input_files(str(path))
    page.get_by_role("button", name="Read my resume").click()
    page.get_by_role("heading", name="Check what we read in your resume").wait_for()


def _years_since(start: str) -> str:
    """The years from `start` to today as the confirm page shows them (one decimal, no .0)."""
    days = (dt.datetime.now(dt.UTC).date() - dt.date.fromisoformat(start)).days
    return f"{round(days / 365.25, 1):g}"


def _saved_skills(site) -> dict[str, tuple]:
    db = site.db()
    try:
        rows = db.execute(
            "SELECT s.skill, s.years, s.source FROM worker_skills s JOIN workers w"
            " ON w.id = s.worker_id WHERE w.email = ?",
            [EMAIL],
        ).fetchall()
    finally:
        db.close()
    return {skill: (years, source) for skill, years, source in rows}


def test_worker_uploads_pdf_and_docx_resumes_confirms_and_skills_keep_their_years(
    browser,  # noqa: F811
    served,
    tmp_path,
):
    url, site = served
    page = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
    errors: list[str] = []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    page.on("pageerror", lambda error: errors.append(str(error)))
    _sign_up(page, url, site)

    bad = tmp_path / "notes.txt"
    bad.write_text("Python")
    page.get_by_role("link", name="Add a resume (PDF or DOCX) and check what we read").click()
    page.get_by_label("Resume file (PDF or DOCX)").set_input_files(str(bad))
    page.get_by_role("button", name="Read my resume").click()
    page.locator("#resume_file-error").filter(has_text="Upload a PDF or DOCX file").wait_for()
    _shot(page, "1-bad-file")
    errors.clear()  # the bad file's page is a 400 on purpose; the console reports that status
    page.get_by_role("link", name="Back to my profile").click()

    pdf = tmp_path / "amara-okafor.pdf"
    pdf.write_bytes(pdf_bytes(PDF_RESUME_LINES))
    _upload(page, pdf)
    assert page.get_by_label("Years of Python").input_value() == "6"
    assert page.get_by_label("Years of Docker").input_value() == ""
    assert "years not stated" in page.locator("tr", has_text="Docker").inner_text()
    assert page.get_by_label("Highest education").input_value() == "master"
    assert "Senior Data Engineer" in page.locator("#recent-titles").inner_text()
    assert page.get_by_label("Years of PostgreSQL").input_value() == _years_since("2020-01-01")
    assert _saved_skills(site) == {}  # nothing saved before the worker confirms
    page.get_by_label("Years of SQL").fill("5")
    page.get_by_label("Keep Docker").uncheck()
    _shot(page, "2-pdf-confirm")
    page.get_by_role("button", name="Save to my profile").click()
    page.get_by_text("Resume saved").wait_for()
    saved = _saved_skills(site)
    assert saved["Python"] == (6.0, "listed") and saved["SQL"] == (5.0, "listed")
    assert "Python:6" in page.get_by_label("Skills", exact=True).input_value()
    _shot(page, "3-profile-after-pdf")

    docx = tmp_path / "work-history.docx"
    docx.write_bytes(docx_bytes(DOCX_RESUME_LINES))
    _upload(page, docx)
    java = page.locator("tr", has_text="Java")
    assert page.get_by_label("Years of Java").input_value() == "3"
    assert "from the dates of your work history" in java.inner_text()
    _shot(page, "4-docx-confirm")
    page.get_by_role("button", name="Save to my profile").click()
    page.get_by_text("Resume saved").wait_for()
    saved = _saved_skills(site)
    assert saved["Java"] == (3.0, "listed") and saved["Terraform"][0] > 0
    assert saved["Python"] == (6.0, "listed")  # the first resume's confirmed skills stay
    _shot(page, "5-profile-after-docx")
    assert errors == []
