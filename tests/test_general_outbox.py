"""The general outbox: migration m018 keeps the digests, transactional emails ignore the
match-email consent, and the scheduler's outbox job sends what the web app queued."""

from __future__ import annotations

from notification_fixtures import FaultySmtpHandler, add_subscriber, start_smtp
from ranking_rows import add_job, add_worker
from sqlite_utils import Database

from jobs import tasks
from matcher.hiring.contact_requests import request_contact
from matcher.notifications import consent
from matcher.store import open_database
from matcher.store.migrations import apply_migrations, migrations


def test_m018_keeps_existing_digests_and_what_they_announced(tmp_path):
    db = Database(tmp_path / "old.db")
    db.conn.execute("PRAGMA foreign_keys = ON")
    migrations.apply(db, stop_before="m018_general_outbox")
    worker = add_worker(db, "W1", skills={"Python": 3})
    job = add_job(db, "J1", required=["Python"])
    outbox_id = db.execute(
        """INSERT INTO email_outbox (worker_id, period, recipient, subject, body_text,
               body_html, job_ids, status, created_at, sent_at)
           VALUES (?, 'daily:2026-11-30', 'a@example.com', 'S', 'T', 'H', ?, 'sent', 'x', 'y')""",
        [worker, f"[{job}]"],
    ).lastrowid
    db.execute(
        "INSERT INTO digest_sent_jobs (worker_id, job_id, outbox_id, sent_at)"
        " VALUES (?, ?, ?, 'y')",
        [worker, job, outbox_id],
    )
    db.conn.commit()

    apply_migrations(db)

    row = db.execute("SELECT id, kind, dedupe_key, status FROM email_outbox").fetchone()
    assert row == (outbox_id, "digest", f"digest:{worker}:daily:2026-11-30", "sent")
    assert db.execute("SELECT outbox_id FROM digest_sent_jobs").fetchone() == (outbox_id,)
    assert db.execute("PRAGMA foreign_keys").fetchone() == (1,)
    assert db.execute("PRAGMA foreign_key_check").fetchall() == []
    db.execute("DELETE FROM email_outbox")  # the foreign key still points at the new table
    assert db.execute("SELECT outbox_id FROM digest_sent_jobs").fetchone() == (None,)


def test_unsubscribing_cancels_digests_but_not_a_contact_request_email(db_path, monkeypatch):
    handler = FaultySmtpHandler()
    controller = start_smtp(handler)
    monkeypatch.setenv("TALENTMATCH_SMTP_PORT", str(controller.port))
    monkeypatch.setenv("TALENTMATCH_SECRET_KEY", "test-secret")
    db = open_database(db_path)
    try:
        worker = add_subscriber(db, "W1", email="ana@example.com", skills={"Python": 3})
        job = add_job(db, "J1", required=["Python"], title="Data engineer")
        request_contact(db, job, worker, None, "Hi Ana")
        consent.withdraw_consent(db, worker, method="test")

        counts = tasks.deliver_outbox(db_path=str(db_path))
    finally:
        controller.stop()
    assert counts["sent"] == 1
    assert handler.recipients() == ["ana@example.com"]
    assert "Data engineer" in handler.received[0]["Subject"]
    db.close()
