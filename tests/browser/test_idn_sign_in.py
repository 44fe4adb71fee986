"""Chromium signs in with an internationalised email domain, however the account was made."""

from __future__ import annotations

from collections.abc import Iterator
from urllib.parse import parse_qs

import pytest
from web_support import PASSWORD, build_site, serving

from matcher import accounts

pytestmark = pytest.mark.browser

TYPED = "hiring@gaspé-analytics.example"
PUNYCODE = "hiring@xn--gasp-analytics-ekb.example"


@pytest.fixture
def served(tmp_path) -> Iterator:
    site = build_site(tmp_path, workers=5)
    with serving(site.app) as url:
        yield url, site


@pytest.mark.parametrize("created_as", [TYPED, PUNYCODE])
def test_typing_the_unicode_domain_signs_in(browser, served, created_as):
    url, site = served
    db = site.db()
    try:
        accounts.create_user(db, email=created_as, password=PASSWORD, employer_name="Gaspé")
    finally:
        db.close()
    page = browser.new_page(viewport={"width": 1280, "height": 800})
    sent: list[str] = []
    page.on(
        "request",
        lambda r: (
            sent.extend(parse_qs(r.post_data or "").get("email", []))
            if r.method == "POST"
            else None
        ),
    )
    page.goto(url + "/sign-in")
    page.get_by_label("Email", exact=True).press_sequentially(TYPED)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("heading", name="Your jobs").wait_for()
    assert f"{TYPED} · Gaspé" in page.locator("header").inner_text()  # read as typed
    assert sent and sent[0] in (TYPED, PUNYCODE)  # whichever form Chromium chose to send
