"""A real SMTP server (aiosmtpd) on loopback with injectable faults, and digest test rows."""

from __future__ import annotations

import asyncio
import email
import socket
import threading
from email.message import EmailMessage
from email.policy import default as default_policy

from aiosmtpd.controller import Controller
from ranking_rows import add_job, add_worker
from sqlite_utils import Database

from matcher.notifications.consent import record_consent

CONSENT_WORDING = "Send me match emails."


class FaultySmtpHandler:
    """Accepts mail like a real server, except where a fault is injected for an address.

    A fault is an SMTP reply (e.g. "451 4.7.1 try later") given at RCPT, or "drop" to close
    the connection during DATA, or "hang" to stall DATA until the client goes away.
    """

    def __init__(self) -> None:
        self.faults: dict[str, str] = {}
        self.received: list[EmailMessage] = []
        self.raw: list[str] = []
        self.hanging = threading.Event()

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        fault = self.faults.get(address)
        if fault and fault not in ("drop", "hang"):
            return fault
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        fault = next((self.faults.get(a) for a in envelope.rcpt_tos if a in self.faults), None)
        if fault == "drop":
            server.transport.abort()
            return "421 dropped"
        if fault == "hang":
            self.hanging.set()
            await asyncio.sleep(60)
            return "451 gave up waiting"
        self.received.append(email.message_from_bytes(envelope.content, policy=default_policy))
        self.raw.append(envelope.content.decode("ascii"))
        return "250 Message accepted"

    def recipients(self) -> list[str]:
        return [str(message["To"]) for message in self.received]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start_smtp(handler) -> Controller:
    controller = Controller(handler, hostname="127.0.0.1", port=free_port())
    controller.start()
    return controller


def add_subscriber(db: Database, external_id: str, *, frequency: str = "daily", **worker) -> int:
    """A worker who opted in to match emails, with the consent row the law requires."""
    worker_id = add_worker(db, external_id, **worker)
    db.execute("UPDATE workers SET digest_frequency = ? WHERE id = ?", [frequency, worker_id])
    granted_at = "2026-01-01T00:00:00Z"
    record_consent(
        db, worker_id, granted=True, method="test", wording=CONSENT_WORDING, at=granted_at
    )
    return worker_id


def python_jobs(db: Database, count: int = 2) -> list[int]:
    """Open Toronto jobs a Python developer fits well."""
    return [
        add_job(
            db,
            f"J{i}",
            required=["Python", "SQL"],
            title=f"Python developer {i}",
            employer=f"Employer {i}",
        )
        for i in range(1, count + 1)
    ]


PYTHONISTA = {"skills": {"Python": 5, "SQL": 4}, "cities": "Toronto", "years": 5.0}
