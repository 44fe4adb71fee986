"""A real Chromium in French, as a Montreal worker and employer use the site: every main page
at 1280 and 375 px wide, with no English interface word left and nothing wider than the
screen. Screenshots land in tests/artifacts/french-<who>-<page>-<width>.png."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from test_employer_flow import ARTIFACTS
from web_support import ACME_EMAIL, PASSWORD, WORKER_EMAIL, build_site, serving

pytestmark = pytest.mark.browser

WIDTHS = (1280, 375)
# Interface words that must not show on a French page (whole words, case as written). The
# fixture's own data (the job "Python developer", skill names, cities) is not interface.
ENGLISH_WORDS = (
    "Match",
    "Matches",
    "Strong",
    "Good fit",
    "Fair fit",
    "Weak fit",
    "Required",
    "required",
    "years",
    "Save",
    "Sign out",
    "Shortlist",
    "Candidate",
    "Interested",
    "Not for me",
    "everyone else",
    "top",
    "Skills",
    "Salary",
    "Profile",
    "Settings",
    "percentile",
    "Contacted",
    "Rejected",
    "Cancel",
    "Apply",
    "Experience",
    "Remote",
    "remote",
    "hybrid",
    "on site",
    "the",
    "and",
    "with",
    "your",
    "You",
    "Your",
    "Montreal",  # a city's English spelling: French pages write "Montréal"
    "cold-start",
    "YYYY-MM-DD",
)
FIXTURE_DATA = ("Python developer", "Go engineer")
TEXT_OF_PAGE = """() => {
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  const parts = [];
  while (walker.nextNode()) {
    const parent = walker.currentNode.parentElement;
    if (!parent.closest("script, style")) parts.push(walker.currentNode.textContent);
  }
  document.querySelectorAll("[title], [placeholder], [aria-label], input[type=submit]")
    .forEach((el) => parts.push(el.title, el.placeholder, el.getAttribute("aria-label") || "",
                                el.type === "submit" ? el.value : ""));
  return parts.join(" | ");
}"""


@pytest.fixture
def served(tmp_path) -> Iterator[str]:
    site = build_site(tmp_path, workers=12)
    db = site.db()
    db.execute("UPDATE jobs SET title_fr = 'Développeuse Python' WHERE external_id = 'ACME-1'")
    db.close()
    with serving(site.app) as url:
        yield url


def _english_left(text: str) -> list[str]:
    for data in FIXTURE_DATA:
        text = text.replace(data, "")
    return [
        word for word in ENGLISH_WORDS if re.search(rf"(?<![\w-]){re.escape(word)}(?![\w-])", text)
    ]


def _check(page, who: str, name: str) -> dict[str, list[str]]:
    """Shoot the page at each width; what is wrong with it (English words, overflow)."""
    ARTIFACTS.mkdir(exist_ok=True)
    problems: dict[str, list[str]] = {}
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})
        page.screenshot(path=str(ARTIFACTS / f"french-{who}-{name}-{width}.png"), full_page=True)
        overflow = page.evaluate("document.documentElement.scrollWidth") - width
        if overflow > 1:
            problems.setdefault(name, []).append(f"{overflow}px wider than {width}")
    assert page.evaluate("document.documentElement.lang") == "fr", name
    # Every text node, shown or not: a closed legend and a select's options count too.
    english = _english_left(page.evaluate(TEXT_OF_PAGE))
    if english:
        problems.setdefault(name, []).extend(english)
    page.set_viewport_size({"width": WIDTHS[0], "height": 900})
    return problems


def _sign_in(page, url: str, email: str) -> None:
    page.goto(url + "/sign-in")
    page.get_by_label("Courriel").fill(email)
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Se connecter").click()


def test_french_pages_for_an_employer_and_a_worker_have_no_english_left(browser, served):
    url = served
    errors: list[str] = []
    problems: dict[str, list[str]] = {}

    employer = browser.new_context(locale="fr-CA").new_page()
    employer.on("pageerror", lambda error: errors.append(str(error)))
    _sign_in(employer, url, ACME_EMAIL)
    employer.get_by_role("heading", name="Emplois").first.wait_for()
    problems |= _check(employer, "employer", "jobs")
    employer.goto(url + "/jobs/new")
    employer.get_by_role("button", name="Enregistrer l’emploi").click()
    employer.get_by_text("Veuillez corriger les champs indiqués ci-dessous.").wait_for()
    problems |= _check(employer, "employer", "job-form-errors")
    employer.goto(url + "/jobs/ACME-1/shortlist")
    problems |= _check(employer, "employer", "shortlist")
    employer.goto(url + "/jobs/ACME-1/candidates/W1")
    employer.get_by_role("button", name="Contactée : envoyer la demande de contact").click()
    employer.get_by_role("status").first.wait_for()
    problems |= _check(employer, "employer", "candidate")
    employer.goto(url + "/jobs/ACME-1/pipeline")
    problems |= _check(employer, "employer", "pipeline")

    worker = browser.new_context(locale="fr-CA").new_page()
    worker.on("pageerror", lambda error: errors.append(str(error)))
    _sign_in(worker, url, WORKER_EMAIL)
    worker.get_by_role("heading", name="Mes emplois suggérés").wait_for()
    problems |= _check(worker, "worker", "matches")
    worker.get_by_role("link", name="Développeuse Python").first.click()
    worker.wait_for_url("**/me/jobs/ACME-1")
    problems |= _check(worker, "worker", "job")
    worker.goto(url + "/me/contact-requests")
    assert "Acme" in worker.locator("main").inner_text()
    problems |= _check(worker, "worker", "contact-requests")
    worker.goto(url + "/me/profile")
    problems |= _check(worker, "worker", "profile")

    assert problems == {}
    assert errors == []
