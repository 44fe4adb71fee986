"""The shortlist page and the shortlist API over 100,000 workers, under 16 connections.

Builds a synthetic population (the one of bench_shortlist.py), starts the real app behind
waitress in its own process (`talentmatch serve`), signs in, and drives it with wrk:
first a static file and the sign-in page (the baseline: the server and framework alone),
then the shortlist page and the shortlist API. Prints median and p99 latency, requests per
second and errors for each.

    .venv/bin/python benchmarks/bench_web.py                  # 100,000 workers
    .venv/bin/python benchmarks/bench_web.py --workers 20000 --duration 5

Target (issue 4): median <= 150 ms and zero errors for both shortlist URLs.
"""

from __future__ import annotations

import argparse
import http.cookiejar
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from pathlib import Path

from bench_shortlist import synthesize

from matcher import accounts
from matcher.store import open_database

EMAIL = "bench@maple.example"
PASSWORD = "benchmark-password"
EMPLOYER = "Maple Systems"  # the employer of every synthetic job
TARGET_MEDIAN_MS = 150.0


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def prepare(db_path: Path, workers: int, jobs: int) -> str:
    """Population, an employer user and an API token; returns the token."""
    synthesize(str(db_path), workers, jobs, seed=11)
    db = open_database(db_path)
    try:
        user = accounts.create_user(db, email=EMAIL, password=PASSWORD, employer_name=EMPLOYER)
        return accounts.create_api_token(db, user.id)
    finally:
        db.close()


def start_server(db_path: Path, models: Path, port: int, threads: int) -> subprocess.Popen:
    env = {**os.environ, "TALENTMATCH_SECRET_KEY": "benchmark-secret"}
    command = [sys.executable, "-m", "matcher", "--db", str(db_path), "--models", str(models)]
    command += ["serve", "--host", "127.0.0.1", "--port", str(port), "--threads", str(threads)]
    server = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/sign-in", timeout=2).close()
            return server
        except OSError:
            time.sleep(0.3)
    server.kill()
    raise SystemExit("the server did not start")


def session_cookie(base: str) -> str:
    """Sign in through the real form and return the Cookie header value."""
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    page = opener.open(base + "/sign-in").read().decode()
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
    form = urllib.parse.urlencode({"email": EMAIL, "password": PASSWORD, "csrf_token": token})
    opener.open(base + "/sign-in", data=form.encode()).close()
    return "; ".join(f"{cookie.name}={cookie.value}" for cookie in jar)


def wrk(url: str, header: str | None, duration: int, connections: int) -> dict:
    command = ["wrk", "-t", "4", "-c", str(connections), "-d", f"{duration}s", "--latency"]
    if header:
        command += ["-H", header]
    output = subprocess.run(command + [url], capture_output=True, text=True, check=True).stdout
    return {
        "median_ms": _latency(output, "50%"),
        "p99_ms": _latency(output, "99%"),
        "rps": float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1)),
        "requests": int(re.search(r"(\d+) requests in", output).group(1)),
        "errors": _errors(output),
    }


def _latency(output: str, label: str) -> float:
    value, unit = re.search(rf"{label}\s+([\d.]+)(us|ms|s)", output).groups()
    return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]


def _errors(output: str) -> int:
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    socket_errors = re.search(
        r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output
    )
    total = int(non_2xx.group(1)) if non_2xx else 0
    return total + (sum(int(n) for n in socket_errors.groups()) if socket_errors else 0)


def report(name: str, result: dict, target: bool) -> bool:
    ok = result["errors"] == 0 and (not target or result["median_ms"] <= TARGET_MEDIAN_MS)
    verdict = ("PASS" if ok else "FAIL") if target else "baseline"
    print(
        f"{name:<28} median {result['median_ms']:8.1f} ms   p99 {result['p99_ms']:8.1f} ms   "
        f"{result['rps']:8.1f} req/s   {result['requests']:6d} requests   "
        f"{result['errors']} errors   {verdict}",
        flush=True,
    )
    return ok


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workers", type=int, default=100_000)
    parser.add_argument("--jobs", type=int, default=200)
    parser.add_argument("--duration", type=int, default=15, help="seconds per wrk run")
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--threads", type=int, default=16, help="waitress threads")
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is missing: apt-get install -y wrk")
    folder = Path(tempfile.mkdtemp(prefix="bench-web-"))
    db_path, models = folder / "talentmatch.db", folder / "models"
    models.mkdir()
    started = time.perf_counter()
    token = prepare(db_path, args.workers, args.jobs)
    print(
        f"{args.workers:,} workers, {args.jobs} jobs built in {time.perf_counter() - started:.1f} s"
    )
    port = free_port()
    server = start_server(db_path, models, port, args.threads)
    base = f"http://127.0.0.1:{port}"
    try:
        cookie = "Cookie: " + session_cookie(base)
        bearer = f"Authorization: Bearer {token}"
        page, api = f"{base}/jobs/J1/shortlist", f"{base}/api/v1/jobs/J1/shortlist?limit=20"
        started = time.perf_counter()
        for url, header in ((page, cookie), (api, bearer)):
            request = urllib.request.Request(url, headers=dict([header.split(": ", 1)]))
            urllib.request.urlopen(request, timeout=120).close()
        elapsed = time.perf_counter() - started
        print(f"warm-up (first shortlists, load the worker table): {elapsed:.1f} s")
        print(f"wrk: {args.connections} connections, {args.duration} s each", end=", ")
        print(f"waitress {args.threads} threads")
        run = lambda url, header: wrk(url, header, args.duration, args.connections)  # noqa: E731
        report("static stylesheet", run(f"{base}/static/style.css", None), target=False)
        report("sign-in page", run(f"{base}/sign-in", None), target=False)
        ok = report("shortlist page (20/page)", run(page, cookie), target=True)
        ok &= report("shortlist API (limit=20)", run(api, bearer), target=True)
    finally:
        server.terminate()
        server.wait(timeout=30)
        shutil.rmtree(folder, ignore_errors=True)
    print("targets met" if ok else "targets NOT met")


if __name__ == "__main__":
    main()
