"""Internationalised email domains: one canonical form (punycode domain) on every path."""

from __future__ import annotations

import pytest
from web_support import PASSWORD, build_site, post_form, sign_in

from matcher import accounts
from matcher.email_addresses import InvalidEmail, canonical_email, display_email
from matcher.importing import import_rows
from matcher.store.migrations import m017_canonical_email_domains

UNICODE = "hiring@gaspé-analytics.example"
PUNYCODE = "hiring@xn--gasp-analytics-ekb.example"


def test_both_spellings_have_one_canonical_form():
    assert canonical_email(UNICODE) == PUNYCODE
    assert canonical_email(PUNYCODE) == PUNYCODE
    assert canonical_email("  hiring@GASPÉ-Analytics.Example ") == PUNYCODE
    assert canonical_email("Zoë.Tremblay@Example.ORG") == "Zoë.Tremblay@example.org"
    assert display_email(PUNYCODE) == UNICODE


@pytest.mark.parametrize("address", ["hiring@", "@gaspé.example", "no-at-sign", "a@-bad-.ca"])
def test_not_an_address_is_refused(address):
    with pytest.raises(InvalidEmail):
        canonical_email(address)


@pytest.fixture
def site(tmp_path):
    return build_site(tmp_path, workers=3)


def _user_emails(site) -> list[str]:
    db = site.db()
    try:
        return [row[0] for row in db.execute("SELECT email FROM users ORDER BY id")]
    finally:
        db.close()


@pytest.mark.parametrize(
    ("created_as", "typed"),
    [(UNICODE, PUNYCODE), (PUNYCODE, UNICODE), (UNICODE, UNICODE), (PUNYCODE, PUNYCODE)],
)
def test_an_account_created_with_either_spelling_signs_in_with_either(site, created_as, typed):
    db = site.db()
    try:
        accounts.create_user(db, email=created_as, password=PASSWORD, employer_name="Gaspé")
    finally:
        db.close()
    assert PUNYCODE in _user_emails(site) and UNICODE not in _user_emails(site)
    response = sign_in(site.client(), typed, PASSWORD)
    assert response.status_code == 302 and response.headers["Location"] == "/jobs"


def test_the_other_spelling_is_the_same_account_at_sign_up(site):
    db = site.db()
    try:
        accounts.create_user(db, email=PUNYCODE, password=PASSWORD, employer_name="Gaspé")
        with pytest.raises(accounts.AccountError, match="already exists"):
            accounts.create_user(db, email=UNICODE, password=PASSWORD, employer_name="Gaspé")
        assert accounts.find_user_by_email(db, UNICODE).email == PUNYCODE
    finally:
        db.close()


def test_worker_sign_up_stores_the_canonical_form(site):
    client = site.client()
    data = {
        "name": "Zoë Gagnon",
        "email": "zoe@québec-talent.example",
        "password": PASSWORD,
        "confirm": PASSWORD,
        "work_authorization": "open_work_permit",
    }
    assert post_form(client, "/sign-up", "/sign-up", data).status_code == 302
    canonical = canonical_email("zoe@québec-talent.example")
    db = site.db()
    try:
        row = db.execute(
            "SELECT u.email, w.email FROM users u JOIN workers w ON w.id = u.worker_id"
            " WHERE u.email = ?",
            [canonical],
        ).fetchone()
    finally:
        db.close()
    assert row == (canonical, canonical) and canonical.startswith("zoe@xn--")
    assert sign_in(site.client(), "zoe@québec-talent.example", PASSWORD).status_code == 302


def test_import_accepts_an_internationalised_domain_and_stores_punycode(db):
    row = {"external_id": "W-IDN", "name": "Élodie", "email": "elodie@montréal-dev.example",
           "work_authorization": "citizen"}  # fmt: skip
    report = import_rows(db, "workers", [row])
    assert not report.rejected
    stored = db.execute("SELECT email FROM workers WHERE external_id = 'W-IDN'").fetchone()[0]
    assert stored == canonical_email("elodie@montréal-dev.example") and stored.isascii()


def test_the_api_token_command_finds_the_account_by_either_spelling(db):
    user = accounts.create_user(db, email=UNICODE, password=PASSWORD, employer_name="Gaspé")
    assert accounts.find_user_by_email(db, PUNYCODE).id == user.id
    assert accounts.find_user_by_email(db, UNICODE.upper()).id == user.id


def test_the_email_change_stores_the_canonical_form(db):
    user = accounts.create_user(db, email="old@example.org", password=PASSWORD, role="operator")
    moved = accounts.change_email(db, user.id, "old@example.org", UNICODE)
    assert moved.email == PUNYCODE


def test_migration_m017_rewrites_addresses_stored_before(db):
    db.execute(
        "INSERT INTO users (email, password_hash, role, created_at)"
        " VALUES (?, 'x', 'operator', '')",
        ["ops@Gaspé-Analytics.example"],
    )
    m017_canonical_email_domains(db)
    assert (
        db.execute("SELECT email FROM users").fetchone()[0] == "ops@xn--gasp-analytics-ekb.example"
    )
