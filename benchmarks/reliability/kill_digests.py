"""(c) kill -9 `talentmatch send-digests` at random moments against a real SMTP server
(aiosmtpd on loopback): duplicates at most the kills that landed in the SMTP window, 0 lost.

Imports WORKERS demo workers who opted in to match emails and open jobs, then starts
`send-digests` again and again, each time sending SIGKILL at a random moment of its sending
(uniform over MAX_WAIT seconds after its first message reached the server), KILLS times,
and finally lets one run finish. The server takes DELAY seconds to answer DATA, as a real
one over a network does. A kill "landed in the SMTP window" when the server was inside a
mail transaction (MAIL FROM accepted, DATA not yet answered) at that moment. Figures:
digests queued, messages the server accepted, duplicates (a digest accepted twice), lost (a
digest the server never accepted), digests marked failed as "delivery unknown".

    PYTHONPATH=$PWD .venv/bin/python benchmarks/reliability/kill_digests.py          # 50 kills
    PYTHONPATH=$PWD .venv/bin/python benchmarks/reliability/kill_digests.py --kills 10 --workers 400
"""

from __future__ import annotations

import argparse
import asyncio
import email
import signal
import time
from collections import Counter
from email.policy import default as default_policy

import numpy as np
from aiosmtpd.controller import Controller
from common import demo_rows, free_port, print_command, print_figure, workspace

from matcher.importing import import_rows
from matcher.store import open_database


class RecordingServer:
    """Accepts every message after `delay` seconds; tracks whether a transaction is open."""

    def __init__(self, delay: float) -> None:
        self.delay = delay
        self.message_ids: list[str] = []
        self.open_transactions = 0

    async def handle_MAIL(self, server, session, envelope, address, mail_options):
        self.open_transactions += 1
        envelope.mail_from = address
        return "250 OK"

    async def handle_RSET(self, server, session, envelope):
        self.open_transactions = max(self.open_transactions - 1, 0)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        await asyncio.sleep(self.delay)
        message = email.message_from_bytes(envelope.content, policy=default_policy)
        self.message_ids.append(message["Message-ID"])
        self.open_transactions = max(self.open_transactions - 1, 0)
        return "250 accepted"


def wait_until_sending(server: RecordingServer, sender) -> None:
    """Return once this run's first message reached the server (or the run ended)."""
    before = len(server.message_ids)
    while len(server.message_ids) == before and sender.poll() is None:
        time.sleep(0.01)


def fill(space, workers: int, jobs: int) -> None:
    db = open_database(space.db_path)
    try:
        for kind, count in (("workers", workers), ("jobs", jobs)):
            report = import_rows(db, kind, demo_rows(kind, count), source="benchmark")
            if report.rejected:
                raise SystemExit(f"{kind}: {len(report.rejected)} rows rejected")
    finally:
        db.close()


def outbox(space) -> dict[str, Counter]:
    db = open_database(space.db_path)
    try:
        rows = db.execute("SELECT status, message_id, last_error FROM email_outbox").fetchall()
    finally:
        db.close()
    return {
        "status": Counter(status for status, _, _ in rows),
        "ids": Counter(message_id for _, message_id, _ in rows if message_id),
        "unknown": Counter(
            message_id for status, message_id, error in rows if error and "unknown" in error
        ),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--kills", type=int, default=50)
    parser.add_argument("--workers", type=int, default=3000)
    parser.add_argument("--jobs", type=int, default=300)
    parser.add_argument("--delay", type=float, default=0.02, help="seconds to answer DATA")
    parser.add_argument(
        "--max-wait", type=float, default=1.0, help="latest kill after the run's first message"
    )
    parser.add_argument("--seed", type=int, default=0)
    options = parser.parse_args()
    rng = np.random.default_rng(options.seed)
    server = RecordingServer(options.delay)
    controller = Controller(server, hostname="127.0.0.1", port=free_port())
    controller.start()
    env = {"TALENTMATCH_SMTP_PORT": str(controller.port)}
    try:
        with workspace() as space:
            fill(space, options.workers, options.jobs)
            kills = in_window = 0
            for _ in range(options.kills):
                sender = space.start("send-digests", **env)
                wait_until_sending(server, sender)
                time.sleep(rng.uniform(0, options.max_wait))
                if sender.poll() is not None:
                    break  # everything was sent before this kill
                in_window += server.open_transactions > 0
                sender.send_signal(signal.SIGKILL)
                sender.wait(30)
                kills += 1
                server.open_transactions = 0  # the killed client's transaction is over
            space.run("send-digests", **env)
            box = outbox(space)
    finally:
        controller.stop()
    accepted = Counter(server.message_ids)
    queued = sum(box["status"].values())
    print_figure("digests queued", queued)
    print_figure("kills / in the SMTP window", f"{kills} / {in_window}")
    print_figure("messages the server accepted", len(server.message_ids))
    print_figure("duplicates (a digest accepted twice)", sum(n - 1 for n in accepted.values()))
    print_figure("lost (a digest never accepted)", sum(1 for i in box["ids"] if i not in accepted))
    print_figure("marked failed: delivery unknown", sum(box["unknown"].values()))
    print_figure("of those, the server had it", sum(1 for i in box["unknown"] if i in accepted))
    print_figure("outbox by status", dict(box["status"]))
    print_command()


if __name__ == "__main__":
    main()
