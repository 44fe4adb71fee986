"""Sign-in throttling without lockout, and password checks that share it (issue 13)."""

from __future__ import annotations

import datetime as dt

import pytest
from web_support import ACME_EMAIL, PASSWORD, WORKER_EMAIL, build_site, post_form, sign_in

from matcher import accounts

T0 = dt.datetime(2026, 11, 25, 12, 0, tzinfo=dt.UTC)
OWNER = "owner@acme.example"
OWNER_PASSWORD = "owner-password-123"


@pytest.fixture
def owner(db):
    return accounts.create_user(db, email=OWNER, password=OWNER_PASSWORD, employer_name="Acme")


def fail(db, email: str, *, addr: str, at: dt.datetime, device: str | None = None) -> None:
    user = accounts.authenticate(db, email, "wrong", remote_addr=addr, device=device, now=at)
    assert user is None


def test_an_attackers_failures_never_refuse_the_owner_on_a_known_device(db, owner):
    for n in range(200):
        addr = f"203.0.113.{n % 50}"  # many clients, each up to its own delay
        try:
            fail(db, OWNER, addr=addr, at=T0 + dt.timedelta(seconds=n))
        except accounts.SignInThrottled:
            pass

    user = accounts.authenticate(
        db, OWNER, OWNER_PASSWORD, remote_addr="198.51.100.7", device="dev-1", now=T0
    )

    assert user == owner


def test_the_owner_from_another_address_is_not_refused_for_one_clients_failures(db, owner):
    for _ in range(accounts.PAIR_FREE_FAILURES):
        fail(db, OWNER, addr="203.0.113.9", at=T0)
    with pytest.raises(accounts.SignInThrottled):
        accounts.authenticate(db, OWNER, OWNER_PASSWORD, remote_addr="203.0.113.9", now=T0)

    user = accounts.authenticate(db, OWNER, OWNER_PASSWORD, remote_addr="198.51.100.7", now=T0)

    assert user == owner


def test_delays_grow_per_failure_and_are_never_a_hard_lock(db, owner):
    moment = T0
    for _ in range(accounts.PAIR_FREE_FAILURES):
        fail(db, OWNER, addr="203.0.113.9", at=moment)
    waits = []
    for _ in range(4):
        with pytest.raises(accounts.SignInThrottled) as throttled:
            fail(db, OWNER, addr="203.0.113.9", at=moment)
        waits.append(throttled.value.retry_after_seconds)
        moment += dt.timedelta(seconds=waits[-1])
        fail(db, OWNER, addr="203.0.113.9", at=moment)

    assert waits == [31, 61, 121, 241]
    later = moment + dt.timedelta(seconds=481)
    assert accounts.authenticate(db, OWNER, OWNER_PASSWORD, remote_addr="203.0.113.9", now=later)


def test_many_made_up_addresses_from_one_client_do_not_refuse_others_behind_it(db, owner):
    for n in range(accounts.CLIENT_FREE_FAILURES + 10):
        try:
            fail(db, f"nobody{n}@example.org", addr="192.0.2.1", at=T0)
        except accounts.SignInThrottled:
            pass
    with pytest.raises(accounts.SignInThrottled):
        fail(db, "someone-new@example.org", addr="192.0.2.1", at=T0)

    # The owner behind the same address, on the browser they signed in from before.
    user = accounts.authenticate(
        db, OWNER, OWNER_PASSWORD, remote_addr="192.0.2.1", device="dev-1", now=T0
    )

    assert user == owner


def test_account_wide_failures_slow_unknown_clients_only(db, owner):
    for n in range(accounts.ACCOUNT_FREE_FAILURES):
        fail(db, OWNER, addr=f"203.0.113.{n}", at=T0)

    with pytest.raises(accounts.SignInThrottled):
        accounts.authenticate(db, OWNER, OWNER_PASSWORD, remote_addr="198.51.100.7", now=T0)
    assert accounts.authenticate(
        db, OWNER, OWNER_PASSWORD, remote_addr="198.51.100.7", device="dev-1", now=T0
    )


def test_sign_in_sets_a_device_cookie_that_exempts_the_owner_from_others_failures(tmp_path):
    site = build_site(tmp_path, workers=2)
    owner_browser = site.client()
    assert sign_in(owner_browser, ACME_EMAIL, PASSWORD).status_code == 302
    assert owner_browser.get_cookie("talentmatch_device") is not None
    owner_browser.post("/sign-out", data={})

    attacker = site.client()
    for _ in range(accounts.PAIR_FREE_FAILURES):
        assert sign_in(attacker, ACME_EMAIL, "wrong-password").status_code == 401
    assert sign_in(attacker, ACME_EMAIL, PASSWORD).status_code == 429, "same address, no cookie"

    assert sign_in(owner_browser, ACME_EMAIL, PASSWORD).status_code == 302


def test_forged_device_cookie_counts_for_nothing(tmp_path):
    site = build_site(tmp_path, workers=2)
    attacker = site.client()
    attacker.set_cookie("talentmatch_device", "eyJpZCI6IngiLCJhY2NvdW50cyI6W119.forged")
    for _ in range(accounts.PAIR_FREE_FAILURES):
        assert sign_in(attacker, ACME_EMAIL, "wrong-password").status_code == 401

    response = sign_in(attacker, ACME_EMAIL, PASSWORD)

    assert response.status_code == 429 and int(response.headers["Retry-After"]) > 0


def test_delete_password_check_is_throttled_like_sign_in(tmp_path):
    site = build_site(tmp_path, workers=2)
    client = site.signed_in(WORKER_EMAIL)
    codes = [
        post_form(client, "/me/delete", "/me/delete", {"password": f"guess-{n}"}).status_code
        for n in range(accounts.PAIR_FREE_FAILURES + 3)
    ]

    assert codes[: accounts.PAIR_FREE_FAILURES] == [400] * accounts.PAIR_FREE_FAILURES
    assert set(codes[accounts.PAIR_FREE_FAILURES :]) == {429}
    refused = post_form(client, "/me/delete", "/me/delete", {"password": PASSWORD})
    assert refused.status_code == 429, "no guessing around the delay"
    deleted = site.db().execute("SELECT count(*) FROM workers WHERE deleted_at IS NOT NULL")
    assert deleted.fetchone() == (0,)
