"""(e) A large worker import while the web app serves shortlists: 0 errors on either side.

Builds a small demo (`talentmatch demo`: jobs, employers, workers), serves it with
`talentmatch serve` (two processes), and while READERS threads fetch the demo employer's
shortlists through `/api/v1/jobs/<id>/shortlist` with a Bearer token, runs
`talentmatch import workers` on a JSON Lines file of WORKERS new demo-generator workers.
Figures: import time and its counts, shortlist requests during the import, their errors
(anything but 200), and the median and worst latency, next to the same readers' figures
for BASELINE seconds before the import started (the baseline in the same run).

    PYTHONPATH=$PWD .venv/bin/python benchmarks/reliability/import_while_serving.py  # 100,000
    PYTHONPATH=$PWD .venv/bin/python benchmarks/reliability/import_while_serving.py --workers 20000
"""

from __future__ import annotations

import argparse
import http.client
import json
import statistics
import subprocess
import threading
import time
from collections import Counter
from urllib.parse import urlsplit

from common import demo_rows, print_command, print_figure, served, workspace

from matcher import accounts
from matcher.store import open_database


def employer_token_and_jobs(space) -> tuple[str, list[str]]:
    """An API token of the employer with the most open jobs, and those jobs' ids."""
    db = open_database(space.db_path)
    try:
        employer_id, employer_name = db.execute(
            "SELECT e.id, e.name FROM employers e JOIN jobs j ON j.employer_id = e.id"
            " GROUP BY e.id ORDER BY count(*) DESC LIMIT 1"
        ).fetchone()
        jobs = [
            row[0]
            for row in db.execute(
                "SELECT external_id FROM jobs WHERE employer_id = ?", [employer_id]
            )
        ]
        user = accounts.create_user(
            db,
            email="reader@example.com",
            password="a-long-password-1",
            employer_name=employer_name,
        )
        return accounts.create_api_token(db, user.id), jobs
    finally:
        db.close()


def reader(url: str, token: str, jobs: list[str], stop: threading.Event, log: list) -> None:
    """Fetch shortlists round the jobs until `stop`; log (started_at, status, seconds)."""
    parts = urlsplit(url)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=60)
    headers = {"Authorization": f"Bearer {token}"}
    number = 0
    while not stop.is_set():
        job = jobs[number % len(jobs)]
        number += 1
        started = time.monotonic()
        try:
            connection.request("GET", f"/api/v1/jobs/{job}/shortlist?limit=20", headers=headers)
            response = connection.getresponse()
            response.read()
            status: object = response.status
        except (OSError, http.client.HTTPException) as error:
            status = type(error).__name__
            connection.close()
            connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=60)
        log.append(
            (
                started,
                status,
                time.monotonic() - started,
                time.time() - (time.monotonic() - started),
            )
        )
    connection.close()


def summary(entries: list) -> str:
    if not entries:
        return "no requests"
    seconds = sorted(entry[2] for entry in entries)
    errors = sum(1 for entry in entries if entry[1] != 200)
    p99 = seconds[min(len(seconds) - 1, int(0.99 * len(seconds)))]
    return (
        f"{len(entries)} requests, {errors} errors, median {statistics.median(seconds) * 1000:.0f}"
        f" ms, p99 {p99 * 1000:.0f} ms, worst {seconds[-1] * 1000:.0f} ms"
    )


def slowest(entries: list, since: float, count: int = 5) -> str:
    """The slowest requests: seconds after the import started, and how long each took."""
    worst = sorted(entries, key=lambda entry: entry[2], reverse=True)[:count]
    return ", ".join(f"at +{e[0] - since:.0f} s: {e[2]:.1f} s" for e in worst) or "none"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workers", type=int, default=100_000)
    parser.add_argument("--readers", type=int, default=4)
    parser.add_argument("--baseline", type=float, default=10.0, help="seconds before importing")
    parser.add_argument(
        "--timeline", help="write every request (wall-clock start, status, seconds) here"
    )
    options = parser.parse_args()
    with workspace() as space:
        space.run("demo", "--workers", "500", "--jobs", "60")
        token, jobs = employer_token_and_jobs(space)
        import_file = space.folder / "workers.jsonl"
        with open(import_file, "w") as handle:
            for row in demo_rows("workers", options.workers, seed=99):
                row["external_id"] = f"IMP-{row['external_id']}"
                handle.write(json.dumps(row) + "\n")
        with served(space) as url:
            stop, log = threading.Event(), []
            threads = [
                threading.Thread(target=reader, args=(url, token, jobs, stop, log))
                for _ in range(options.readers)
            ]
            for thread in threads:
                thread.start()
            time.sleep(options.baseline)
            import_started = time.monotonic()
            imported = subprocess.run(
                space.command("import", "workers", str(import_file)),
                env=space.environment(),
                capture_output=True,
                text=True,
            )
            import_seconds = time.monotonic() - import_started
            stop.set()
            for thread in threads:
                thread.join()
    before = [entry for entry in log if entry[0] < import_started]
    during = [entry for entry in log if entry[0] >= import_started]
    print_figure("workers imported from JSON Lines", options.workers)
    print_figure("import exit code / seconds", f"{imported.returncode} / {import_seconds:.1f}")
    print_figure("import says", imported.stdout.strip().splitlines()[-1:] or imported.stderr[-300:])
    print_figure("shortlists before the import (baseline)", summary(before))
    print_figure("shortlists during the import", summary(during))
    print_figure("slowest during the import", slowest(during, import_started))
    print_figure("answers by status", dict(Counter(entry[1] for entry in log)))
    if options.timeline:
        with open(options.timeline, "w") as handle:
            for _, status, seconds, wall in log:
                handle.write(json.dumps([round(wall, 3), status, round(seconds, 4)]) + "\n")
    print_command()


if __name__ == "__main__":
    main()
