"""matcher.accounts and the users/tokens commands, on a real SQLite file."""

from __future__ import annotations

import datetime as dt

import pytest

from matcher import accounts
from matcher.store import open_database

EMAIL = "hr@acme.example"
PASSWORD = "a-long-password"
T0 = dt.datetime(2026, 3, 1, 9, 0, tzinfo=dt.UTC)


@pytest.fixture
def user(db):
    return accounts.create_user(db, email=EMAIL, password=PASSWORD, employer_name="Acme")


def test_password_hash_is_salted_and_verifies():
    first, second = accounts.hash_password("s3cret-pass"), accounts.hash_password("s3cret-pass")
    assert first != second
    assert first.startswith("scrypt$")
    assert accounts.verify_password("s3cret-pass", first)
    assert not accounts.verify_password("s3cret-pasS", first)
    assert not accounts.verify_password("s3cret-pass", "garbage")


def test_create_user_stores_only_a_hash_and_creates_the_employer(db, user):
    row = db.execute("SELECT password_hash, role FROM users WHERE id = ?", [user.id]).fetchone()
    assert PASSWORD not in row[0] and row[1] == "employer"
    assert user.employer_name == "Acme"
    second = accounts.create_user(
        db, email="boss@acme.example", password=PASSWORD, employer_name="Acme"
    )
    assert second.employer_id == user.employer_id


@pytest.mark.parametrize(
    ("email", "password", "message"),
    [
        (EMAIL.upper(), PASSWORD, "already exists"),
        ("not-an-address", PASSWORD, "valid email"),
        ("new@acme.example", "short", "at least"),
    ],
)
def test_create_user_refuses_bad_input(db, user, email, password, message):
    with pytest.raises(accounts.AccountError, match=message):
        accounts.create_user(db, email=email, password=password, employer_name="Acme")


def test_authenticate_accepts_the_right_password_only(db, user):
    assert accounts.authenticate(db, " HR@acme.example ", PASSWORD) == user
    assert accounts.authenticate(db, EMAIL, "wrong-password") is None
    assert accounts.authenticate(db, "nobody@acme.example", PASSWORD) is None


def test_throttling_holds_across_connections_and_lifts_after_the_delay(db_path, user):
    first, second = open_database(db_path), open_database(db_path)
    try:
        for _ in range(accounts.PAIR_FREE_FAILURES):
            assert accounts.authenticate(first, EMAIL, "wrong-password", now=T0) is None
        # Another process (connection) sees the failures: even the right password waits.
        with pytest.raises(accounts.SignInThrottled):
            accounts.authenticate(second, EMAIL, PASSWORD, now=T0 + dt.timedelta(seconds=10))
        later = T0 + accounts.BASE_DELAY + dt.timedelta(seconds=1)
        assert accounts.authenticate(second, EMAIL, PASSWORD, now=later) is not None
    finally:
        first.close()
        second.close()


def test_session_lives_until_idle_timeout_or_sign_out(db, user):
    token = accounts.create_session(db, user.id, now=T0)
    assert accounts.user_for_session(db, token, now=T0 + dt.timedelta(minutes=20)) == user
    # The visit at 20 minutes refreshed the idle clock.
    assert accounts.user_for_session(db, token, now=T0 + dt.timedelta(minutes=45)) == user
    assert accounts.user_for_session(db, token, now=T0 + dt.timedelta(minutes=80)) is None
    fresh = accounts.create_session(db, user.id, now=T0)
    accounts.end_session(db, fresh, now=T0)
    assert accounts.user_for_session(db, fresh, now=T0) is None
    assert accounts.user_for_session(db, "forged-token", now=T0) is None


def test_sessions_expire_after_their_maximum_age_even_when_active(db, user):
    token = accounts.create_session(db, user.id, now=T0)
    moment = T0
    while moment - T0 < accounts.SESSION_MAX_AGE:
        assert accounts.user_for_session(db, token, now=moment) == user
        moment += dt.timedelta(minutes=25)
    assert accounts.user_for_session(db, token, now=moment) is None


def test_session_tokens_are_stored_hashed(db, user):
    token = accounts.create_session(db, user.id)
    stored = [row[0] for row in db.execute("SELECT token_hash FROM sessions")]
    assert token not in stored and len(stored) == 1


def test_api_tokens_authenticate_until_revoked(db, user):
    token = accounts.create_api_token(db, user.id)
    assert token.startswith(accounts.API_TOKEN_PREFIX)
    assert accounts.user_for_api_token(db, token) == user
    assert (
        db.execute("SELECT count(*) FROM api_tokens WHERE token_hash = ?", [token]).fetchone()[0]
        == 0
    )
    accounts.revoke_api_token(db, token)
    assert accounts.user_for_api_token(db, token) is None


def test_disabled_users_cannot_sign_in_or_use_sessions(db, user):
    token = accounts.create_session(db, user.id)
    db.execute("UPDATE users SET disabled_at = '2026-01-01T00:00:00Z' WHERE id = ?", [user.id])
    assert accounts.authenticate(db, EMAIL, PASSWORD) is None
    assert accounts.user_for_session(db, token) is None


def test_demo_users_are_created_once_per_employer(db):
    accounts.ensure_employer(db, "Maple Leaf Software")
    accounts.ensure_employer(db, "Globex")
    first = accounts.ensure_demo_users(db)
    assert first == [
        ("Globex", "hiring@globex.example"),
        ("Maple Leaf Software", "hiring@maple-leaf-software.example"),
    ]
    assert accounts.ensure_demo_users(db) == first
    assert db.execute("SELECT count(*) FROM users").fetchone()[0] == 2
    assert accounts.authenticate(db, "hiring@globex.example", accounts.DEMO_PASSWORD)


def test_cli_creates_users_from_stdin_and_prints_tokens(run_cli, db_path):
    created = run_cli(
        "users", "create", "--employer", "Acme", "--email", EMAIL, input=PASSWORD + "\n"
    )
    assert created.returncode == 0, created.stderr
    again = run_cli("users", "create", "--employer", "Acme", "--email", EMAIL, input=PASSWORD)
    assert again.returncode != 0 and "already exists" in again.stderr
    token = run_cli("tokens", "create", "--email", EMAIL, check=True).stdout.strip()
    db = open_database(db_path)
    try:
        assert accounts.authenticate(db, EMAIL, PASSWORD).employer_name == "Acme"
        assert accounts.user_for_api_token(db, token).email == EMAIL
    finally:
        db.close()


def test_cli_create_demo_prints_accounts_and_is_idempotent(run_cli, db_path):
    db = open_database(db_path)
    accounts.ensure_employer(db, "Acme")
    db.close()
    first = run_cli("users", "create-demo", check=True).stdout
    second = run_cli("users", "create-demo", check=True).stdout
    assert "hiring@acme.example" in first and accounts.DEMO_PASSWORD in first
    assert first == second
