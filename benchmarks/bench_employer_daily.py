"""How big is an employer's first daily "new strong matches" email?

Copies a database (the demo that `make demo` builds, by default `var/talentmatch.db`), turns
the email on for every employer user of the copy, queues today's emails and renders each as
it would leave (nothing is sent). Prints, per email, the new strong matches it counts, the
jobs and candidates it names and the size of its text and HTML parts, then the medians and
the largest. Run it at two commits on the same file to compare.

    PYTHONPATH=$PWD .venv/bin/python benchmarks/bench_employer_daily.py [--db var/talentmatch.db]
"""

from __future__ import annotations

import argparse
import datetime as dt
import re
import statistics
import tempfile
import time
from dataclasses import replace
from pathlib import Path

from matcher.config import load_settings
from matcher.notifications import outbox, transactional
from matcher.notifications.employer_daily import queue_employer_emails
from matcher.store import open_database

NOW = dt.datetime(2026, 12, 2, 13, 0, tzinfo=dt.UTC)
BASE_URL = "https://tm.example"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", type=Path, default=Path("var/talentmatch.db"))
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        copy = Path(folder) / "copy.db"
        source = open_database(args.db)
        source.conn.execute("VACUUM INTO ?", [str(copy)])  # a consistent copy, WAL included
        source.close()
        db = open_database(copy)
        settings = replace(load_settings(), db_path=copy)
        db.execute("UPDATE users SET strong_match_emails = 1 WHERE role = 'employer'")
        started = time.perf_counter()
        report = queue_employer_emails(db, settings, NOW)
        queued_s = time.perf_counter() - started
        rows = db.execute(
            "SELECT id FROM email_outbox WHERE kind = ? ORDER BY id", [outbox.EMPLOYER_DAILY]
        ).fetchall()
        figures = []
        for (outbox_id,) in rows:
            message = _message(db, outbox_id)
            rendered = transactional.render(db, message, BASE_URL, "bench-secret")
            counted = sum(len(job["worker_ids"]) for job in message.payload["jobs"])
            figures.append(
                {
                    "counted": counted,
                    "jobs": len(message.payload["jobs"]),
                    "jobs_named": rendered.text.count("/shortlist\n"),
                    "candidates_named": len(re.findall(r"/candidates/", rendered.html)),
                    "text_lines": rendered.text.count("\n"),
                    "html_kb": len(rendered.html.encode()) / 1000,
                    "subject": rendered.subject,
                }
            )
        db.close()
    print(f"users={report.users} emails={report.queued} new_matches={report.new_matches}")
    print(f"queued in {queued_s:.1f} s")
    for f in sorted(figures, key=lambda f: -f["counted"])[:5]:
        print(
            f"  counted={f['counted']} jobs={f['jobs']} jobs_named={f['jobs_named']}"
            f" candidates_named={f['candidates_named']} text_lines={f['text_lines']}"
            f" html_kb={f['html_kb']:.1f}  subject: {f['subject']}"
        )
    for name in ("counted", "jobs", "jobs_named", "candidates_named", "text_lines", "html_kb"):
        values = [f[name] for f in figures]
        print(f"{name}: median {statistics.median(values):g}, max {max(values):g}")


def _message(db, outbox_id: int) -> outbox.OutboxMessage:
    import json

    row = db.execute(
        "SELECT recipient, user_id, payload, dedupe_key FROM email_outbox WHERE id = ?",
        [outbox_id],
    ).fetchone()
    return outbox.OutboxMessage(
        worker_id=None,
        period=None,
        recipient=row[0],
        subject="",
        body_text="",
        body_html="",
        job_ids=(),
        id=outbox_id,
        kind=outbox.EMPLOYER_DAILY,
        dedupe_key=row[3],
        user_id=row[1],
        payload=json.loads(row[2]),
    )


if __name__ == "__main__":
    main()
