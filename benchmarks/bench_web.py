"""The shortlist page and the shortlist API over 100,000 workers, under 16 connections.

Builds a synthetic population (the one of bench_shortlist.py), starts the real app behind
waitress (`talentmatch serve --processes N`), signs in, and drives it with wrk: first a
static file and the sign-in page (the baseline: the server and framework alone), then the
shortlist page and the shortlist API, each three ways, since a re-ranked pool is cached:
- cold: every request a job (page: a job and filters) not asked for before, so each one
  retrieves and re-ranks a pool; the page also cold with no filters (a new job each), the
  view that batch results hold;
- warm: one URL again and again, served from the cached pool;
- mixed: random jobs, pages and sorts (page) or jobs and limits (API) among a few hundred
  combinations, the first visits cold and the later ones warm.
Prints median and p99 latency, requests per second, errors, and the server's CPU time per
request for each (on a shared machine the latencies depend on the load; the CPU does not).

    .venv/bin/python benchmarks/bench_web.py                  # 100,000 workers
    .venv/bin/python benchmarks/bench_web.py --workers 20000 --duration 5
    .venv/bin/python benchmarks/bench_web.py --learned        # a learned champion serving
    .venv/bin/python benchmarks/bench_web.py --learned --batch  # ... and batch results first

With --batch, `talentmatch batch-match` runs (a local Dask cluster) before the server starts,
so the shortlists of default filters are read from its fresh results (issue 14).

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

from bench_shortlist import install_champion, synthesize, train_demo_champion

from matcher import accounts
from matcher.config import Settings
from matcher.store import open_database

EMAIL = "bench@maple.example"
PASSWORD = "benchmark-password"
EMPLOYER = "Maple Systems"  # the employer of every synthetic job
TARGET_MEDIAN_MS = 150.0
SERVER_ENVIRONMENT = {**os.environ, "TALENTMATCH_SECRET_KEY": "benchmark-secret"}


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


def start_server(
    db_path: Path, models: Path, port: int, threads: int, processes: int
) -> subprocess.Popen:
    command = [sys.executable, "-m", "matcher", "--db", str(db_path), "--models", str(models)]
    command += ["serve", "--host", "127.0.0.1", "--port", str(port), "--threads", str(threads)]
    command += ["--processes", str(processes)]
    # Its log (waitress warns of every queued request under load) goes to a file beside the db.
    log = (db_path.parent / "server.log").open("w")
    server = subprocess.Popen(command, env=SERVER_ENVIRONMENT, stdout=log, stderr=log)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/sign-in", timeout=2).close()
            return server
        except OSError:
            time.sleep(0.3)
    server.kill()
    raise SystemExit("the server did not start:\n" + (db_path.parent / "server.log").read_text())


def session_cookie(base: str) -> str:
    """Sign in through the real form and return the Cookie header value."""
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    page = opener.open(base + "/sign-in").read().decode()
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
    form = urllib.parse.urlencode({"email": EMAIL, "password": PASSWORD, "csrf_token": token})
    opener.open(base + "/sign-in", data=form.encode()).close()
    return "; ".join(f"{cookie.name}={cookie.value}" for cookie in jar)


WRK_THREADS = 4
# wrk request scripts, in LuaJIT (Lua 5.1: no // operator). `id` is each wrk thread's number
# (set in `setup`), so that threads walk disjoint sequences of URLs; PATHS is filled in by
# `url_script`.
URL_SCRIPT = """
local threads = {}
function setup(thread)
  thread:set("id", #threads)
  table.insert(threads, thread)
end
bad = 0
function response(status, headers, body)
  if status ~= 200 then bad = bad + 1 end
end
function done(summary, latency, requests)
  local total = 0
  for _, thread in ipairs(threads) do total = total + thread:get("bad") end
  print("Not-200 responses: " .. total)
end
local count = 0
%(PATHS)s
request = function()
  local n = id + count * %(THREADS)d
  count = count + 1
  return wrk.format("GET", path(n))
end
"""
# Never the default filters, which the API and the mixed runs use.
COLD_PAGE_PATHS = """
local sorts = {"experience", "available_from", "salary"}
function path(n)
  local job = n %% %(JOBS)d + 1
  local rest = math.floor(n / %(JOBS)d)
  return string.format("/jobs/J%%d/shortlist?sort=%%s&city_rank=%%d", job,
    sorts[rest %% 3 + 1], math.floor(rest / 3) %% 3 + 1)
end
"""
# The default view of jobs above those of the mixed runs, last job first (the API's cold
# run starts from the other end).
COLD_DEFAULT_PAGE_PATHS = """
function path(n)
  return string.format("/jobs/J%%d/shortlist", %(JOBS)d - n %% (%(JOBS)d - %(MIXED)d))
end
"""
# Jobs above those of the mixed runs, so that none was cached by them.
COLD_API_PATHS = """
function path(n)
  local job = n %% (%(JOBS)d - %(MIXED)d) + %(MIXED)d + 1
  return string.format("/api/v1/jobs/J%%d/shortlist?limit=20", job)
end
"""
MIXED_PAGE_PATHS = """
math.randomseed(7)
function path(n)
  local sort = ({"score", "experience"})[math.random(2)]
  return string.format("/jobs/J%%d/shortlist?sort=%%s&page=%%d", math.random(%(JOBS)d),
    sort, math.random(3))
end
"""
MIXED_API_PATHS = """
math.randomseed(7)
function path(n)
  return string.format("/api/v1/jobs/J%%d/shortlist?limit=%%d", math.random(%(JOBS)d),
    ({10, 20, 50})[math.random(3)])
end
"""
MIXED_JOBS = 100


def url_script(folder: Path, name: str, paths: str, jobs: int) -> Path:
    """A wrk script requesting the URLs that `paths` (Lua defining path(n)) names."""
    script = folder / f"{name}.lua"
    body = paths % {"JOBS": jobs, "MIXED": MIXED_JOBS}
    script.write_text(URL_SCRIPT % {"PATHS": body, "THREADS": WRK_THREADS})
    return script


def wrk(
    url: str, header: str | None, duration: int, connections: int, script: Path | None = None
) -> dict:
    command = ["wrk", "-t", str(WRK_THREADS), "-c", str(connections), "-d", f"{duration}s"]
    command += ["--latency", "--timeout", "10s"]
    if header:
        command += ["-H", header]
    if script:
        command += ["-s", str(script)]
    finished = subprocess.run(command + [url], capture_output=True, text=True, check=True)
    if finished.stderr.strip():  # wrk reports a broken script here and carries on without it
        raise SystemExit(f"wrk failed: {finished.stderr.strip()}")
    output = finished.stdout
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
    """Failed requests: non-200 answers of scripted runs (a redirect to sign-in is a
    failure too), non-2xx/3xx of plain ones, and socket errors."""
    not_200 = re.search(r"Not-200 responses: (\d+)", output)
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    answers = not_200 or non_2xx
    socket_errors = re.search(
        r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output
    )
    total = int(answers.group(1)) if answers else 0
    return total + (sum(int(n) for n in socket_errors.groups()) if socket_errors else 0)


def server_cpu_seconds(pid: int) -> float:
    """CPU time (user + system) used so far by the server process and its children."""
    children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    ticks = 0
    for process in [pid, *map(int, children)]:
        fields = Path(f"/proc/{process}/stat").read_text().rsplit(")", 1)[1].split()
        ticks += int(fields[11]) + int(fields[12])  # utime, stime
    return ticks / os.sysconf("SC_CLK_TCK")


def report(name: str, result: dict, target: bool) -> bool:
    ok = result["errors"] == 0 and result["requests"] > 0
    ok &= not target or result["median_ms"] <= TARGET_MEDIAN_MS
    verdict = ("PASS" if ok else "FAIL") if target else "baseline"
    cpu_ms = 1000 * result["server_cpu_s"] / max(result["requests"], 1)
    print(
        f"{name:<44} median {result['median_ms']:7.1f} ms  p99 {result['p99_ms']:7.1f} ms  "
        f"{result['rps']:7.1f} req/s  {result['requests']:6d} requests  "
        f"server CPU {cpu_ms:5.1f} ms/request  {result['errors']} errors  {verdict}",
        flush=True,
    )
    return ok


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workers", type=int, default=100_000)
    parser.add_argument("--jobs", type=int, default=4000)
    parser.add_argument("--duration", type=int, default=15, help="seconds per wrk run")
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--processes", type=int, default=2, help="waitress processes")
    parser.add_argument("--threads", type=int, default=8, help="waitress threads per process")
    parser.add_argument(
        "--learned",
        action="store_true",
        help="serve a learned champion trained on the demo data (else the cold-start scorer)",
    )
    parser.add_argument(
        "--batch",
        action="store_true",
        help="run batch-match before serving, so shortlists are read from its results",
    )
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is missing: apt-get install -y wrk")
    folder = Path(tempfile.mkdtemp(prefix="bench-web-"))
    db_path, models = folder / "talentmatch.db", folder / "models"
    models.mkdir()
    started = time.perf_counter()
    token = prepare(db_path, args.workers, args.jobs)
    args.scorer = "cold-start scorer"
    if args.learned:
        settings = Settings(db_path=folder / "demo-settings.db", models_dir=models)
        demo_path = train_demo_champion(folder, settings)
        if demo_path is None:
            raise SystemExit("the demo training promoted no model")
        install_champion(demo_path, str(db_path))
        args.scorer = "learned champion"
    if args.batch:
        run_batch(db_path, models)
        args.scorer += ", batch results"
    print(
        f"{args.workers:,} workers, {args.jobs} jobs built in {time.perf_counter() - started:.1f} s"
    )
    port = free_port()
    started = time.perf_counter()
    server = start_server(db_path, models, port, args.threads, args.processes)
    args.server_pid = server.pid
    print(f"server up in {time.perf_counter() - started:.1f} s (loads the worker table first)")
    base = f"http://127.0.0.1:{port}"
    try:
        ok = run_scenarios(base, token, folder, args)
    finally:
        server.terminate()
        server.wait(timeout=30)
        shutil.rmtree(folder, ignore_errors=True)
    print("targets met" if ok else "targets NOT met")


def run_batch(db_path: Path, models: Path) -> None:
    """`talentmatch batch-match` on the benchmark's database, as the nightly job runs it."""
    command = [sys.executable, "-m", "matcher", "--db", str(db_path), "--models", str(models)]
    command.append("batch-match")
    started = time.perf_counter()
    done = subprocess.run(command, env=SERVER_ENVIRONMENT, capture_output=True, text=True)
    if done.returncode:
        raise SystemExit(f"batch-match failed:\n{done.stderr}")
    print(f"{done.stdout.strip()} ({time.perf_counter() - started:.0f} s with start-up)")


def run_scenarios(base: str, token: str, folder: Path, args) -> bool:
    """Baselines, then the page and the API cold, warm and mixed; True when all pass."""
    cookie = "Cookie: " + session_cookie(base)
    bearer = f"Authorization: Bearer {token}"
    page, api = f"{base}/jobs/J1/shortlist", f"{base}/api/v1/jobs/J1/shortlist?limit=20"
    # Filtered pages are ranked live even with batch results: a few of them load each
    # server process's worker table and fitted retrieval weights before anything is timed.
    live = [(f"{base}/jobs/J{job}/shortlist?sort=experience", cookie) for job in range(2, 8)]
    started = time.perf_counter()
    for url, header in ((page, cookie), (api, bearer), *live):
        request = urllib.request.Request(url, headers=dict([header.split(": ", 1)]))
        urllib.request.urlopen(request, timeout=120).close()
    print(f"first page, API request (J1), 6 filtered pages: {time.perf_counter() - started:.1f} s")
    print(
        f"wrk: {args.connections} connections, {args.duration} s each; waitress"
        f" {args.processes} processes x {args.threads} threads; {args.scorer}"
    )

    def run(url: str, header: str | None, script: Path | None = None) -> dict:
        cpu_before = server_cpu_seconds(args.server_pid)
        result = wrk(url, header, args.duration, args.connections, script)
        return {**result, "server_cpu_s": server_cpu_seconds(args.server_pid) - cpu_before}

    def script(name: str, paths: str, jobs: int) -> Path:
        return url_script(folder, name, paths, jobs)

    report("static stylesheet", run(f"{base}/static/style.css", None), target=False)
    report("sign-in page", run(f"{base}/sign-in", None), target=False)
    jobs = min(MIXED_JOBS, args.jobs)
    cold_page = script("cold_page", COLD_PAGE_PATHS, args.jobs)
    ok = report("page, cold cache (new job/filters each)", run(base, cookie, cold_page), True)
    cold_default = script("cold_default_page", COLD_DEFAULT_PAGE_PATHS, args.jobs)
    label = "page, cold cache (new job each, no filters)"
    ok &= report(label, run(base, cookie, cold_default), target=True)
    ok &= report("page, warm cache (J1 again)", run(page, cookie), target=True)
    mixed_page = script("mixed_page", MIXED_PAGE_PATHS, jobs)
    label = f"page, mixed ({jobs} jobs x 3 pages x 2 sorts)"
    ok &= report(label, run(base, cookie, mixed_page), target=True)
    cold_api = script("cold_api", COLD_API_PATHS, args.jobs)
    result = run(base, bearer, cold_api)
    new_jobs = args.jobs - MIXED_JOBS
    suffix = "" if result["requests"] <= new_jobs else f" ({new_jobs} new, then warm)"
    ok &= report("API, cold cache (new job each)" + suffix, result, target=True)
    ok &= report("API, warm cache (J1 again)", run(api, bearer), target=True)
    mixed_api = script("mixed_api", MIXED_API_PATHS, jobs)
    ok &= report(f"API, mixed ({jobs} jobs x 3 limits)", run(base, bearer, mixed_api), target=True)
    return ok


if __name__ == "__main__":
    main()
