"""Email change needs the password and a link sent to the new address; no enumeration."""

from __future__ import annotations

import re

import pytest
from notification_fixtures import FaultySmtpHandler, start_smtp
from web_support import ACME_EMAIL, PASSWORD, WORKER_EMAIL, build_site, post_form, sign_in

NEW = "moved@example.org"


@pytest.fixture
def mail():
    handler = FaultySmtpHandler()
    controller = start_smtp(handler)
    yield handler, controller.port
    controller.stop()


@pytest.fixture
def site(tmp_path, mail):
    site = build_site(tmp_path, workers=3)
    settings = site.app.config["SETTINGS"]
    site.app.config["SETTINGS"] = settings.with_overrides(
        smtp_port=mail[1], base_url="http://tm.test"
    )
    return site


def emails(site) -> list[tuple]:
    sql = "SELECT u.email, w.email FROM users u JOIN workers w ON w.id = u.worker_id"
    return site.db().execute(sql).fetchall()


def request_change(client, new_email: str, password: str = PASSWORD):
    return post_form(
        client, "/me/email", "/me/email", {"new_email": new_email, "password": password}
    )


def test_wrong_password_changes_nothing_and_sends_nothing(site, mail):
    client = site.signed_in(WORKER_EMAIL)

    response = request_change(client, NEW, password="not-my-password")

    assert response.status_code == 400 and "not your password" in response.get_data(True)
    assert mail[0].received == [] and emails(site) == [(WORKER_EMAIL, "w1@private.example")]


def test_change_takes_effect_only_through_the_link_sent_to_the_new_address(site, mail):
    handler, _ = mail
    client = site.signed_in(WORKER_EMAIL)

    response = request_change(client, NEW)

    assert (
        response.status_code == 200
        and f"sent a confirmation link to {NEW}" in response.get_data(True)
    )
    assert emails(site) == [(WORKER_EMAIL, "w1@private.example")], "nothing moves yet"
    [message] = handler.received
    assert message["To"] == NEW
    link = re.search(r"http://tm\.test(/me/email/confirm/\S+)", message.get_content()).group(1)
    assert client.get(link).status_code == 200 and emails(site)[0][0] == WORKER_EMAIL
    assert post_form(client, link, link, {}).status_code == 302

    assert emails(site) == [(NEW, NEW)]
    assert sign_in(site.client(), NEW, PASSWORD).status_code == 302
    assert sign_in(site.client(), WORKER_EMAIL, PASSWORD).status_code == 401
    assert post_form(client, link, link, {}).status_code == 302
    assert emails(site) == [(NEW, NEW)], "an old link cannot move it again"


def test_a_taken_address_gets_the_same_answer_and_its_owner_an_email(site, mail):
    handler, _ = mail
    client = site.signed_in(WORKER_EMAIL)

    taken = request_change(client, ACME_EMAIL)
    free = request_change(client, NEW)

    page = taken.get_data(True).replace(ACME_EMAIL, NEW)
    assert taken.status_code == free.status_code == 200
    assert "already" not in taken.get_data(True) and page.count(NEW) == free.get_data(True).count(
        NEW
    )
    assert [m["To"] for m in handler.received] == [ACME_EMAIL, NEW]
    assert "/me/email/confirm/" not in handler.received[0].get_content()


def test_forged_or_altered_confirmation_links_are_404(site):
    assert site.client().get("/me/email/confirm/eyJ1c2VyIjoxfQ.forged.sig").status_code == 404


def test_email_change_requests_are_rate_limited(site, mail):
    client = site.signed_in(WORKER_EMAIL)
    codes = [request_change(client, f"n{n}@example.org").status_code for n in range(7)]

    assert codes[:5] == [200] * 5 and codes[5:] == [429, 429]


def test_sign_up_is_rate_limited_per_client(site):
    codes = []
    for n in range(7):
        client = site.client()
        data = {
            "name": f"New {n}",
            "email": f"new{n}@example.org",
            "password": PASSWORD,
            "confirm": PASSWORD,
            "work_authorization": "citizen",
        }
        codes.append(post_form(client, "/sign-up", "/sign-up", data).status_code)

    assert codes[:5] == [200] * 5 and codes[5:] == [429, 429]


def test_the_profile_page_links_to_the_email_change(site):
    page = site.signed_in(WORKER_EMAIL).get("/me/profile").get_data(True)
    assert 'href="/me/email"' in page
