"""Match emails survive hostile text and crashes: no batch stops, no row is sent twice."""

from __future__ import annotations

import asyncio
import datetime as dt
import email
import os
import signal
import subprocess
import sys
import threading
from email.policy import default as default_policy

import pytest
from notification_fixtures import (
    PYTHONISTA,
    FaultySmtpHandler,
    add_subscriber,
    python_jobs,
    start_smtp,
)
from ranking_rows import add_job

from matcher.config import Settings
from matcher.notifications.delivery import SendLockBusy, deliver_due, send_lock
from matcher.notifications.digests import queue_digests, send_digests

NOW = dt.datetime(2026, 11, 25, 9, 0, tzinfo=dt.UTC)
KEY = "test-secret-key"


class SlowToConfirmHandler(FaultySmtpHandler):
    """Also: "accept-then-stall" keeps a message (it was delivered) but delays the 250 reply,
    and "stall-rcpt" stalls before the envelope is accepted (nothing delivered)."""

    def __init__(self) -> None:
        super().__init__()
        self.stalled = threading.Event()

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if self.faults.get(address) == "stall-rcpt":
            self.stalled.set()
            await asyncio.sleep(60)
        if self.faults.get(address) in ("stall-rcpt", "accept-then-stall"):
            envelope.rcpt_tos.append(address)
            return "250 OK"
        return await super().handle_RCPT(server, session, envelope, address, rcpt_options)

    async def handle_DATA(self, server, session, envelope):
        if any(self.faults.get(a) == "accept-then-stall" for a in envelope.rcpt_tos):
            self.received.append(email.message_from_bytes(envelope.content, policy=default_policy))
            self.stalled.set()
            await asyncio.sleep(60)
            return "250 accepted late"
        return await super().handle_DATA(server, session, envelope)


@pytest.fixture
def smtp():
    handler = SlowToConfirmHandler()
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


def statuses(db) -> dict[str, str]:
    rows = db.execute(
        "SELECT w.external_id, o.status FROM email_outbox o JOIN workers w ON w.id = o.worker_id"
    )
    return dict(rows.fetchall())


def test_job_title_with_crlf_is_sent_on_one_header_line(db, settings, smtp):
    handler, _ = smtp
    add_subscriber(db, "W1", email="ana@example.com", **PYTHONISTA)
    add_subscriber(db, "W2", email="bo@example.com", **PYTHONISTA)
    # Stored before imports refused such titles (or by a path that forgot to check).
    add_job(db, "X", required=["Python", "SQL"], title="Dev\r\nBcc: a@b.example", employer="E")

    report = send_digests(db, settings, clock=lambda: NOW)

    assert report.delivery.sent == 2 and report.delivery.failed == 0
    assert sorted(handler.recipients()) == ["ana@example.com", "bo@example.com"]
    for message in handler.received:
        assert "\n" not in message["Subject"] and message["Bcc"] is None
        assert "Dev Bcc: a@b.example" in message["Subject"]


def test_message_that_cannot_be_built_fails_alone_and_the_batch_goes_on(db, settings, smtp):
    handler, _ = smtp
    add_subscriber(db, "W1", email="first@example.com", **PYTHONISTA)
    add_subscriber(db, "W2", email="second@example.com", **PYTHONISTA)
    add_subscriber(db, "W3", email="third@example.com", **PYTHONISTA)
    python_jobs(db)
    assert queue_digests(db, settings, NOW).queued == 3
    db.execute("UPDATE email_outbox SET recipient = 'a@[300.1' WHERE recipient LIKE 'second%'")

    report = deliver_due(db, settings, KEY, clock=lambda: NOW)

    assert (report.sent, report.failed) == (2, 1)
    assert statuses(db) == {"W1": "sent", "W2": "failed", "W3": "sent"}
    error = db.execute("SELECT last_error FROM email_outbox WHERE status = 'failed'").fetchone()
    assert error[0].startswith("cannot build the message")
    again = deliver_due(db, settings, KEY, clock=lambda: NOW + dt.timedelta(hours=1))
    assert again.sent == 0 and len(handler.received) == 2


def _start_sender(db_path, port) -> subprocess.Popen:
    env = {**os.environ, "TALENTMATCH_DB": str(db_path), "TALENTMATCH_SMTP_PORT": str(port)}
    return subprocess.Popen(
        [sys.executable, "-m", "matcher", "send-digests"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def _kill_when(event: threading.Event, sender: subprocess.Popen) -> None:
    try:
        assert event.wait(60), "the sender never reached the stalled message"
        sender.send_signal(signal.SIGKILL)
    finally:
        sender.wait(30)


def test_kill_after_the_server_took_the_message_resends_it_once_under_its_message_id(
    db, db_path, smtp, run_cli
):
    handler, port = smtp
    addresses = [f"w{i}@example.com" for i in range(1, 6)]
    for i, address in enumerate(addresses, start=1):
        add_subscriber(db, f"W{i}", email=address, **PYTHONISTA)
    python_jobs(db)
    handler.faults["w3@example.com"] = "accept-then-stall"

    _kill_when(handler.stalled, _start_sender(db_path, port))
    assert handler.recipients() == addresses[:3], "w3's digest reached the server"
    del handler.faults["w3@example.com"]
    rerun = run_cli("send-digests", env={"TALENTMATCH_SMTP_PORT": str(port)}, check=True)

    assert "sent=3" in rerun.stdout
    recipients = handler.recipients()
    assert sorted(set(recipients)) == addresses, "none lost"
    assert recipients.count("w3@example.com") == 2, "only the interrupted one twice"
    assert len(recipients) == len(addresses) + 1
    assert set(statuses(db).values()) == {"sent"}
    copies = [m["Message-ID"] for m in handler.received if m["To"] == "w3@example.com"]
    (stored,) = db.execute(
        "SELECT message_id FROM email_outbox WHERE recipient = 'w3@example.com'"
    ).fetchone()
    assert copies == [stored, stored], "the copy keeps the first Message-ID"


def test_kill_before_the_envelope_was_accepted_resends_that_message(db, db_path, smtp, run_cli):
    handler, port = smtp
    addresses = [f"w{i}@example.com" for i in range(1, 4)]
    for i, address in enumerate(addresses, start=1):
        add_subscriber(db, f"W{i}", email=address, **PYTHONISTA)
    python_jobs(db)
    handler.faults["w2@example.com"] = "stall-rcpt"

    _kill_when(handler.stalled, _start_sender(db_path, port))
    assert handler.recipients() == addresses[:1]
    del handler.faults["w2@example.com"]
    rerun = run_cli("send-digests", env={"TALENTMATCH_SMTP_PORT": str(port)}, check=True)

    assert "sent=2" in rerun.stdout
    assert sorted(handler.recipients()) == addresses, "none lost, none twice"
    assert set(statuses(db).values()) == {"sent"}


# The send lock follows the database file's identity, not the path string.
HOLD_THE_SEND_LOCK = """
import sys, time
from pathlib import Path
from matcher.notifications.delivery import send_lock
with send_lock(Path(sys.argv[1])):
    print("held", flush=True)
    time.sleep(60)
"""


def _other_paths_to(db_path) -> dict[str, os.PathLike]:
    elsewhere = db_path.parent / "elsewhere"
    elsewhere.mkdir()
    symlink, hard_link = elsewhere / "symlink.db", elsewhere / "hard-link.db"
    symlink.symlink_to(db_path)
    os.link(db_path, hard_link)
    detour = db_path.parent / "." / "elsewhere" / ".." / db_path.name
    return {"symlink": symlink, "hard link": hard_link, "detour": detour}


@pytest.fixture
def lock_holder():
    """Start another process holding the send lock through a path; stopped afterwards."""
    holders: list[subprocess.Popen] = []

    def hold(path) -> subprocess.Popen:
        holder = subprocess.Popen(
            [sys.executable, "-c", HOLD_THE_SEND_LOCK, str(path)],
            stdout=subprocess.PIPE,
            text=True,
            env={**os.environ, "PYTHONPATH": os.getcwd()},
        )
        holders.append(holder)
        assert holder.stdout.readline().strip() == "held"
        return holder

    yield hold
    for holder in holders:
        holder.kill()
        holder.wait(30)
        holder.stdout.close()


@pytest.mark.parametrize("way", ["symlink", "hard link", "detour"])
def test_send_lock_held_through_another_path_refuses_a_second_sender(db, db_path, lock_holder, way):
    path = _other_paths_to(db_path)[way]
    holder = lock_holder(path)
    with pytest.raises(SendLockBusy, match="another sender holds"):
        with send_lock(db_path):
            pass
    holder.kill()
    holder.wait(30)
    with send_lock(db_path):  # the kernel dropped the dead holder's lock
        pass


def test_send_lock_through_a_symlink_in_one_process(db, db_path):
    symlink = _other_paths_to(db_path)["symlink"]
    with send_lock(symlink):
        with pytest.raises(SendLockBusy):
            with send_lock(db_path):
                pass
    with send_lock(db_path):
        pass


def test_send_digests_through_a_symlink_waits_for_the_sender_on_the_real_path(
    db, db_path, lock_holder, run_cli
):
    symlink = _other_paths_to(db_path)["symlink"]
    lock_holder(db_path)
    result = run_cli("send-digests", env={"TALENTMATCH_DB": str(symlink)})
    assert result.returncode != 0
    assert "another sender holds" in result.stderr


def test_send_lock_and_scheduler_lock_coexist_and_leave_the_database_usable(db, db_path):
    from jobs.scheduler import single_instance

    with single_instance(db_path), send_lock(db_path):
        db.execute("CREATE TABLE IF NOT EXISTS lock_probe (n INTEGER)")
        db.execute("INSERT INTO lock_probe VALUES (1)")
    with send_lock(db_path):
        pass
    assert db.execute("SELECT count(*) FROM lock_probe").fetchone() == (1,)
