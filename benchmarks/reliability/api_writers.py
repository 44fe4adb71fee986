"""(a) Many concurrent API writers: every acknowledged write is stored once, none answers 5xx.

Serves the app with `talentmatch serve` (waitress, two processes) on a scratch database,
then WRITERS threads each POST new jobs to `/api/v1/jobs` with a Bearer token, as fast as
the server answers, for SECONDS. Afterwards it counts the jobs in the database against the
201s: acknowledged = stored, lost (acknowledged, not stored), duplicated (one id stored
twice), 5xx, and other failures (a timeout or a dropped connection: not acknowledged).

    PYTHONPATH=$PWD .venv/bin/python benchmarks/reliability/api_writers.py            # 50 x 60 s
    PYTHONPATH=$PWD .venv/bin/python benchmarks/reliability/api_writers.py --seconds 20
"""

from __future__ import annotations

import argparse
import http.client
import json
import threading
import time
from collections import Counter
from urllib.parse import urlsplit

from common import print_command, print_figure, served, workspace

from matcher import accounts
from matcher.store import open_database

EMPLOYER = "Writers Inc"


def api_token(space) -> str:
    db = open_database(space.db_path)
    try:
        user = accounts.create_user(
            db, email="writer@example.com", password="a-long-password-1", employer_name=EMPLOYER
        )
        return accounts.create_api_token(db, user.id)
    finally:
        db.close()


def writer(url: str, token: str, number: int, until: float, results: list) -> None:
    """POST jobs until `until`; append (external_id, status or error name) per request."""
    parts = urlsplit(url)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    sent = 0
    while time.monotonic() < until:
        external_id = f"WR-{number}-{sent}"
        sent += 1
        body = {
            "external_id": external_id,
            "title": f"Backend developer {sent}",
            "required_skills": ["Python", "SQL"],
            "city": "Toronto",
        }
        try:
            connection.request("POST", "/api/v1/jobs", json.dumps(body), headers)
            response = connection.getresponse()
            response.read()
            results.append((external_id, response.status))
        except (OSError, http.client.HTTPException) as error:
            results.append((external_id, type(error).__name__))
            connection.close()
            connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
    connection.close()


def stored_ids(space) -> Counter:
    db = open_database(space.db_path)
    try:
        rows = db.execute("SELECT external_id FROM jobs WHERE external_id LIKE 'WR-%'")
        return Counter(external_id for (external_id,) in rows)
    finally:
        db.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--writers", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=60.0)
    options = parser.parse_args()
    with workspace() as space:
        token = api_token(space)
        with served(space) as url:
            results: list = []
            until = time.monotonic() + options.seconds
            threads = [
                threading.Thread(target=writer, args=(url, token, n, until, results))
                for n in range(options.writers)
            ]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
        stored = stored_ids(space)
    acknowledged = {external_id for external_id, status in results if status == 201}
    statuses = Counter(status for _, status in results)
    print_figure("writers x seconds", f"{options.writers} x {options.seconds:g}")
    print_figure("requests", len(results))
    print_figure("acknowledged (201)", len(acknowledged))
    print_figure("stored", sum(stored.values()))
    print_figure("lost (acknowledged, not stored)", len(acknowledged - set(stored)))
    print_figure("duplicated (one id stored twice)", sum(1 for n in stored.values() if n > 1))
    print_figure("stored without a 201 (the client gave up)", len(set(stored) - acknowledged))
    print_figure("5xx", sum(n for s, n in statuses.items() if isinstance(s, int) and s >= 500))
    print_figure("answers by status", dict(statuses))
    print_command()


if __name__ == "__main__":
    main()
