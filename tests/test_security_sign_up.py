"""Sign-up answers the same whether or not the address has an account (its owner is mailed
instead), creates the account only through the link mailed to the address, and is throttled."""

from __future__ import annotations

import datetime as dt

import pytest
from web_support import (
    ACME_EMAIL,
    PASSWORD,
    build_site,
    catching_mail,
    post_form,
    sign_in,
    sign_up_link,
)

from matcher import accounts

FREE = "nia@example.org"


@pytest.fixture
def site(tmp_path):
    site = build_site(tmp_path, workers=3)
    with catching_mail(site) as handler:
        site.mail = handler
        yield site


def sign_up(client, email: str, name: str = "Nia Park"):
    data = {
        "name": name,
        "email": email,
        "password": PASSWORD,
        "confirm": PASSWORD,
        "work_authorization": "citizen",
    }
    return post_form(client, "/sign-up", "/sign-up", data)


def users(site) -> list[str]:
    return [row[0] for row in site.db().execute("SELECT email FROM users ORDER BY id")]


def test_a_taken_address_gets_the_same_answer_and_its_owner_an_email(site):
    taken = sign_up(site.client(), ACME_EMAIL)
    free = sign_up(site.client(), FREE)

    assert taken.status_code == free.status_code == 200
    taken_page = taken.get_data(as_text=True).replace(ACME_EMAIL, FREE)
    assert _without_csrf(taken_page) == _without_csrf(free.get_data(as_text=True))
    assert [m["To"] for m in site.mail.received] == [ACME_EMAIL, FREE]
    owner_mail = site.mail.received[0].get_content()
    assert "/sign-up/confirm/" not in owner_mail and "already has one" in owner_mail
    assert FREE not in users(site), "nothing is created before the link is used"


def _without_csrf(page: str) -> str:
    return "\n".join(line for line in page.splitlines() if "csrf_token" not in line)


def test_the_account_is_created_by_the_mailed_link_which_works_once(site):
    client = site.client()
    sign_up(client, FREE)
    link = sign_up_link(site.mail, FREE)

    assert client.get(link).status_code == 200 and FREE not in users(site), "a GET only asks"
    finished = post_form(client, link, link, {})

    assert finished.status_code == 302 and finished.location.endswith("/me/profile")
    assert client.get("/me/profile").status_code == 200, "signed in"
    assert users(site).count(FREE) == 1
    assert sign_in(site.client(), FREE, PASSWORD).status_code == 302
    assert site.client().get(link).status_code == 404, "used links stop working"


def test_forged_and_expired_links_are_404(site):
    assert site.client().get("/sign-up/confirm/not-a-token").status_code == 404
    sign_up(site.client(), FREE)
    token = sign_up_link(site.mail, FREE).rsplit("/", 1)[1]
    db = site.db()
    later = dt.datetime.now(dt.UTC) + accounts.SIGN_UP_LINK_AGE + dt.timedelta(minutes=1)
    assert accounts.pending_sign_up_email(db, token) == FREE
    assert accounts.pending_sign_up_email(db, token, now=later) is None
    with pytest.raises(accounts.AccountError):
        accounts.finish_sign_up(db, token, "W-LATE", now=later)


def test_an_address_taken_after_the_link_was_sent_is_not_taken_over(site):
    sign_up(site.client(), FREE, name="First")
    sign_up(site.client(), FREE, name="Second")
    first, second = (
        path for message in site.mail.received for path in [_link_in(message.get_content())] if path
    )
    assert post_form(site.client(), second, second, {}).status_code == 302
    assert site.client().get(first).status_code == 404
    assert users(site).count(FREE) == 1


def _link_in(text: str) -> str | None:
    start = text.find("/sign-up/confirm/")
    return text[start:].split()[0] if start >= 0 else None


def test_sign_ups_for_one_address_are_limited_whatever_the_client(site):
    codes = [
        sign_up(site.client(), ACME_EMAIL).status_code
        for _ in range(accounts.RATE_LIMITS["sign_up_address"][0] + 1)
    ]
    assert codes[-1] == 429 and set(codes[:-1]) == {200}
    assert len(site.mail.received) == len(codes) - 1, "the owner's inbox is not flooded"


def test_a_weak_password_is_refused_the_same_for_both_addresses(site):
    for email in (ACME_EMAIL, FREE):
        data = {"name": "N", "email": email, "password": "short", "confirm": "short"}
        answer = post_form(site.client(), "/sign-up", "/sign-up", data)
        assert answer.status_code == 400 and "already" not in answer.get_data(as_text=True)
    assert site.mail.received == []
