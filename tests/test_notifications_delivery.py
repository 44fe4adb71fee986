"""Delivering digests to a real SMTP server (aiosmtpd on loopback) with injected faults."""

from __future__ import annotations

import datetime as dt
import os
import signal
import subprocess
import sys
import time

import pytest
from notification_fixtures import (
    PYTHONISTA,
    FaultySmtpHandler,
    add_subscriber,
    python_jobs,
    start_smtp,
)

from matcher.config import Settings
from matcher.notifications import consent, links, outbox
from matcher.notifications.delivery import SendLockBusy, deliver_due, send_lock
from matcher.notifications.digests import queue_digests, send_digests

NOW = dt.datetime(2026, 11, 25, 9, 0, tzinfo=dt.UTC)
KEY = "test-secret-key"


@pytest.fixture
def smtp():
    handler = FaultySmtpHandler()
    controller = start_smtp(handler)
    yield handler, controller.port
    controller.stop()


@pytest.fixture
def settings(db_path, models_dir, smtp) -> Settings:
    return Settings(
        db_path=db_path,
        models_dir=models_dir,
        secret_key=KEY,
        smtp_port=smtp[1],
        base_url="https://tm.example",
    )


def at(moment: dt.datetime):
    return lambda: moment


def statuses(db) -> dict[str, str]:
    rows = db.execute(
        "SELECT w.external_id, o.status FROM email_outbox o JOIN workers w ON w.id = o.worker_id"
    )
    return dict(rows.fetchall())


def test_digest_arrives_as_multipart_with_one_click_unsubscribe(db, settings, smtp):
    handler, _ = smtp
    worker = add_subscriber(db, "W1", email="ana@example.com", name="Ana", **PYTHONISTA)
    python_jobs(db)

    report = send_digests(db, settings, clock=at(NOW))

    assert report.counts()["sent"] == 1
    [message] = handler.received
    assert message["To"] == "ana@example.com"
    one_click = links.one_click_unsubscribe_url(settings.base_url, KEY, worker)
    assert message["List-Unsubscribe"] == f"<{one_click}>"
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert f"\nList-Unsubscribe: <{one_click}>\r\n" in handler.raw[0], "no encoded words"
    assert message.get_content_type() == "multipart/alternative"
    text = message.get_body(("plain",)).get_content()
    html = message.get_body(("html",)).get_content()
    for body in (text, html):
        assert "Python developer 1" in body and "Python developer 2" in body
        assert "✓ Python" in body and "✓ SQL" in body and "th percentile" in body
        assert links.unsubscribe_url(settings.base_url, KEY, worker) in body
    sent_jobs = db.execute("SELECT count(*) FROM digest_sent_jobs WHERE worker_id = ?", [worker])
    assert sent_jobs.fetchone() == (2,)

    again = send_digests(db, settings, clock=at(NOW + dt.timedelta(hours=1)))
    assert again.counts()["sent"] == 0 and len(handler.received) == 1
    next_day = send_digests(db, settings, clock=at(NOW + dt.timedelta(days=1)))
    assert next_day.digests == 0, "the same jobs are never announced twice"


def test_temporary_failure_is_retried_with_back_off(db, settings, smtp):
    handler, _ = smtp
    add_subscriber(db, "W1", email="busy@example.com", **PYTHONISTA)
    add_subscriber(db, "W2", email="fine@example.com", **PYTHONISTA)
    python_jobs(db)
    handler.faults["busy@example.com"] = "451 4.7.1 greylisted, try later"

    first = send_digests(db, settings, clock=at(NOW))
    assert (first.delivery.sent, first.delivery.retrying) == (1, 1)
    assert statuses(db) == {"W1": "pending", "W2": "sent"}
    row = db.execute(
        "SELECT attempts, next_attempt_at, last_error FROM email_outbox WHERE status = 'pending'"
    )
    assert row.fetchone() == (1, "2026-11-25T09:05:00Z", "451 4.7.1 greylisted, try later")

    too_soon = deliver_due(db, settings, KEY, clock=at(NOW + dt.timedelta(minutes=4)))
    assert too_soon.sent == too_soon.retrying == 0

    del handler.faults["busy@example.com"]
    later = deliver_due(db, settings, KEY, clock=at(NOW + dt.timedelta(minutes=5)))
    assert later.sent == 1
    assert sorted(handler.recipients()) == ["busy@example.com", "fine@example.com"]


def test_temporary_failures_give_up_after_max_attempts(db, settings, smtp):
    handler, _ = smtp
    add_subscriber(db, "W1", email="busy@example.com", **PYTHONISTA)
    python_jobs(db)
    handler.faults["busy@example.com"] = "452 4.2.2 mailbox full"
    send_digests(db, settings, clock=at(NOW))
    moment = NOW
    for _ in range(outbox.MAX_ATTEMPTS):
        moment += outbox.MAX_RETRY_DELAY
        deliver_due(db, settings, KEY, clock=at(moment))
    assert statuses(db) == {"W1": "failed"}
    assert db.execute("SELECT attempts FROM email_outbox").fetchone() == (outbox.MAX_ATTEMPTS,)
    assert db.execute("SELECT count(*) FROM email_suppressions").fetchone() == (0,)


def test_permanent_failure_suppresses_the_address(db, settings, smtp):
    handler, _ = smtp
    gone = add_subscriber(db, "W1", email="gone@example.com", **PYTHONISTA)
    python_jobs(db)
    handler.faults["gone@example.com"] = "550 5.1.1 no such user"

    report = send_digests(db, settings, clock=at(NOW))

    assert (report.delivery.failed, report.delivery.suppressed) == (1, 1)
    assert statuses(db) == {"W1": "failed"}
    assert db.execute("SELECT email, reason FROM email_suppressions").fetchall() == [
        ("gone@example.com", "550 5.1.1 no such user")
    ]
    assert not consent.may_email(db, gone)
    del handler.faults["gone@example.com"]
    assert send_digests(db, settings, clock=at(NOW + dt.timedelta(days=1))).digests == 0
    assert handler.received == []


def test_dropped_connection_is_temporary_and_the_batch_goes_on(db, settings, smtp):
    handler, _ = smtp
    add_subscriber(db, "W1", email="first@example.com", **PYTHONISTA)
    add_subscriber(db, "W2", email="dropped@example.com", **PYTHONISTA)
    add_subscriber(db, "W3", email="third@example.com", **PYTHONISTA)
    python_jobs(db)
    handler.faults["dropped@example.com"] = "drop"

    report = send_digests(db, settings, clock=at(NOW))

    assert (report.delivery.sent, report.delivery.retrying) == (2, 1)
    assert statuses(db) == {"W1": "sent", "W2": "pending", "W3": "sent"}
    assert sorted(handler.recipients()) == ["first@example.com", "third@example.com"]


def test_consent_withdrawn_after_queueing_stops_the_send(db, settings, smtp):
    handler, _ = smtp
    worker = add_subscriber(db, "W1", **PYTHONISTA)
    python_jobs(db)
    assert queue_digests(db, settings, NOW).queued == 1
    # Withdrawn by some path that does not touch the outbox: the send path must still notice.
    consent.record_consent(db, worker, granted=False, method="profile", wording="no more")

    report = deliver_due(db, settings, KEY, clock=at(NOW))

    assert report.skipped_no_consent == 1 and report.sent == 0
    assert handler.received == []
    assert statuses(db) == {"W1": "failed"}


def test_only_one_sender_at_a_time(settings):
    with send_lock(settings.db_path):
        with pytest.raises(SendLockBusy):
            with send_lock(settings.db_path):
                pass
    with send_lock(settings.db_path):
        pass


def test_sender_killed_mid_batch_then_rerun_loses_nothing_and_repeats_nothing_else(
    db, db_path, smtp, run_cli
):
    handler, port = smtp
    addresses = [f"w{i}@example.com" for i in range(1, 6)]
    for i, address in enumerate(addresses, start=1):
        add_subscriber(db, f"W{i}", email=address, **PYTHONISTA)
    python_jobs(db)
    handler.faults["w3@example.com"] = "hang"
    env = {**os.environ, "TALENTMATCH_DB": str(db_path), "TALENTMATCH_SMTP_PORT": str(port)}

    sender = subprocess.Popen(
        [sys.executable, "-m", "matcher", "send-digests"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        assert handler.hanging.wait(60), "the sender never reached the third message"
        sender.send_signal(signal.SIGKILL)
    finally:
        sender.wait(30)
    assert statuses(db)["W3"] == "sending"
    assert handler.recipients() == addresses[:2]

    del handler.faults["w3@example.com"]
    time.sleep(0.1)
    rerun = run_cli("send-digests", env={"TALENTMATCH_SMTP_PORT": str(port)}, check=True)

    # W3's DATA had started but the server never took it: sent again, so nothing is lost.
    assert "digests=0" in rerun.stdout and "sent=3" in rerun.stdout
    assert sorted(handler.recipients()) == addresses, "none lost, nobody got two"
    assert set(statuses(db).values()) == {"sent"}


def test_send_digests_command_on_demo_data(db, db_path, smtp, run_cli):
    """The issue's 'done when': real emails with reasons, a working unsubscribe, no repeat."""
    handler, port = smtp
    run_cli("demo", "--workers", "150", "--jobs", "30", check=True)
    env = {"TALENTMATCH_SMTP_PORT": str(port), "TALENTMATCH_BASE_URL": "https://tm.example"}

    first = run_cli("send-digests", env=env, check=True)

    consenting = {
        email
        for (email,) in db.execute(
            "SELECT w.email FROM workers w WHERE w.match_emails = 1 AND (SELECT granted FROM"
            " consents c WHERE c.worker_id = w.id ORDER BY at DESC, id DESC LIMIT 1) = 1"
        )
    }
    received = handler.recipients()
    assert received and len(received) == len(set(received))
    assert set(received) <= consenting
    assert f"sent={len(received)}" in first.stdout
    text = handler.received[0].get_body(("plain",)).get_content()
    assert " fit · " in text and "https://tm.example/email/unsubscribe/" in text
    assert "   Skills: " in text and " · City: " in text  # one line of reasons per job
    assert "https://tm.example/me/jobs/" in text and "https://tm.example/email/interested/" in text

    again = run_cli("send-digests", env=env, check=True)
    assert "digests=0" in again.stdout and "sent=0" in again.stdout
    assert len(handler.received) == len(received)
