"""Worker accounts and email preferences in the domain, on a real SQLite file; one ledger writer."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlite_utils import Database

from matcher import accounts
from matcher.notifications.consent import email_preferences, save_email_preferences
from matcher.records.workers import (
    CONSENT_WORDING,
    live_external_id,
    live_worker_id,
    parse_worker,
)
from matcher.worker_privacy import delete_worker_account

PASSWORD = "a long enough password"
WITHDRAWAL = "Turned match emails off."


def _record(external_id: str, email: str, *, consent: bool = False):
    return parse_worker(
        {
            "external_id": external_id,
            "name": "Nia Park",
            "email": email,
            "work_authorization": "open_work_permit",
            "match_emails": consent,
        }
    )


def _ledger(db: Database) -> list[tuple]:
    return db.execute(
        "SELECT worker_id, granted, method, wording FROM consents ORDER BY id"
    ).fetchall()


def test_a_worker_account_is_created_with_its_worker_and_consent(db):
    user = accounts.create_worker_account(
        db, _record("W-NIA", "nia@example.org", consent=True), PASSWORD
    )
    worker_id = live_worker_id(db, "W-NIA")
    assert (user.role, user.worker_id, user.email) == ("worker", worker_id, "nia@example.org")
    assert live_external_id(db, worker_id) == "W-NIA"
    assert _ledger(db) == [(worker_id, 1, "web", CONSENT_WORDING)]


def test_a_taken_address_creates_neither_worker_nor_account(db):
    accounts.create_worker_account(db, _record("W-NIA", "nia@example.org"), PASSWORD)
    with pytest.raises(accounts.AccountError):
        accounts.create_worker_account(db, _record("W-TWO", "nia@example.org"), PASSWORD)
    assert live_worker_id(db, "W-TWO") is None
    assert db.execute("SELECT count(*) FROM users").fetchone()[0] == 1


def test_a_sign_in_address_changes_unless_another_account_has_it(db):
    first = accounts.create_worker_account(db, _record("W-1", "one@example.org"), PASSWORD)
    accounts.create_worker_account(db, _record("W-2", "two@example.org"), PASSWORD)
    with pytest.raises(accounts.AccountError):
        accounts.change_email(db, first.id, "one@example.org", "two@example.org")
    accounts.change_email(db, first.id, "one@example.org", "uno@example.org")
    assert accounts.get_user(db, first.id).email == "uno@example.org"


def test_email_preferences_write_the_ledger_only_when_consent_changes(db):
    user = accounts.create_worker_account(db, _record("W-NIA", "nia@example.org"), PASSWORD)
    worker = user.worker_id
    assert email_preferences(db, worker)["match_emails"] is False
    save_email_preferences(
        db, worker, match_emails=True, frequency="weekly", wording=CONSENT_WORDING
    )
    save_email_preferences(
        db, worker, match_emails=True, frequency="daily", wording=CONSENT_WORDING
    )
    assert email_preferences(db, worker) == {"match_emails": True, "digest_frequency": "daily"}
    save_email_preferences(db, worker, match_emails=False, frequency="daily", wording=WITHDRAWAL)
    assert _ledger(db) == [(worker, 1, "web", CONSENT_WORDING), (worker, 0, "web", WITHDRAWAL)]


def test_deleting_an_account_closes_its_consent_in_the_ledger(db):
    user = accounts.create_worker_account(
        db, _record("W-NIA", "nia@example.org", consent=True), PASSWORD
    )
    delete_worker_account(db, user.worker_id)
    assert [row[1:3] for row in _ledger(db)] == [(1, "web"), (0, "account_deleted")]
    assert live_external_id(db, user.worker_id) is None


def test_only_the_consent_module_writes_the_ledger():
    root = Path(__file__).parents[1]
    writers = [
        str(path.relative_to(root))
        for folder in ("matcher", "web", "jobs")
        for path in sorted((root / folder).rglob("*.py"))
        if "INTO consents" in path.read_text()
    ]
    assert writers == ["matcher/notifications/consent.py"]
