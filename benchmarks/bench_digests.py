"""Digest run speed: choosing and rendering every due worker's match email (dry run, no SMTP).

Builds (once, cached under var/bench/) a database of demo-generator workers who all opted
in and open jobs, then times `queue_digests(..., dry_run=True)` from cold caches, as the
scheduler's daily run meets them: selection (retrieval pools, serving-scorer re-rank,
explanations) and rendering (text + HTML with signed links). The baseline in the same run
is the per-worker path, `matches_for_worker` once per worker, timed on a sample and
extrapolated to the whole population.

    .venv/bin/python benchmarks/bench_digests.py                          # 100,000 x 10,000
    .venv/bin/python benchmarks/bench_digests.py --workers 10000 --jobs 1000 --repeats 1

Target (issue 5): 100,000 workers against 10,000 open jobs in at most 120 s.
"""

from __future__ import annotations

import argparse
import datetime as dt
import resource
import statistics
import time
from pathlib import Path

import numpy as np

from matcher.config import Settings
from matcher.demo.generator import (
    employer_names,
    generate_jobs,
    generate_workers,
    job_rows,
    worker_rows,
)
from matcher.importing import import_rows
from matcher.notifications import selection
from matcher.notifications.digests import outbox_message
from matcher.ranking.caches import clear_caches
from matcher.ranking.shortlists import matches_for_worker
from matcher.store import open_database

AS_OF = dt.date(2026, 11, 25)
NOW = dt.datetime(2026, 11, 25, 13, 0, tzinfo=dt.UTC)
SECRET_KEY = "benchmark-secret-key"


def build_database(path: Path, workers: int, jobs: int, seed: int) -> float:
    """Fill `path` with opted-in workers and open jobs through the import path; seconds taken."""
    started = time.perf_counter()
    streams = np.random.SeedSequence(seed).spawn(3)
    worker_rng, job_rng, text_rng = (np.random.default_rng(s) for s in streams)
    people = worker_rows(generate_workers(worker_rng, workers), AS_OF, text_rng)
    for row in people:
        row["match_emails"] = True
    openings = job_rows(
        generate_jobs(job_rng, jobs, employer_names(job_rng, jobs)), AS_OF, text_rng
    )
    for row in openings:
        row["status"] = "open"
    db = open_database(path)
    try:
        for kind, rows in (("workers", people), ("jobs", openings)):
            report = import_rows(db, kind, rows, source="benchmark")
            if report.rejected:
                raise SystemExit(f"{kind}: {len(report.rejected)} rows rejected")
    finally:
        db.close()
    return time.perf_counter() - started


def timed_digest_run(db, settings: Settings) -> dict[str, float]:
    """One dry run from cold caches: seconds for selection, rendering, total; and counts."""
    clear_caches()
    cpu_started = time.process_time()
    started = time.perf_counter()
    digests = selection.choose_digests(db, settings, NOW)
    chosen = time.perf_counter()
    messages = [outbox_message(digest, settings, SECRET_KEY) for digest in digests]
    finished = time.perf_counter()
    return {
        "selection_s": chosen - started,
        "rendering_s": finished - chosen,
        "total_s": finished - started,
        "cpu_s": time.process_time() - cpu_started,
        "digests": len(messages),
        "jobs_listed": sum(len(m.job_ids) for m in messages),
    }


def per_worker_baseline(db, settings: Settings, sample: int, population: int) -> float:
    """Seconds `matches_for_worker` would take for the whole population, from a sample."""
    ids = [row[0] for row in db.execute("SELECT external_id FROM workers LIMIT ?", [sample])]
    matches_for_worker(db, ids[0], limit=5, settings=settings)  # warm the caches
    started = time.perf_counter()
    for external_id in ids:
        matches_for_worker(db, external_id, limit=5, settings=settings)
    return (time.perf_counter() - started) / len(ids) * population


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workers", type=int, default=100_000)
    parser.add_argument("--jobs", type=int, default=10_000)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--baseline-sample", type=int, default=200)
    parser.add_argument("--seed", type=int, default=11)
    arguments = parser.parse_args()

    path = Path("var/bench") / f"digests-{arguments.workers}x{arguments.jobs}-{arguments.seed}.db"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        seconds = build_database(path, arguments.workers, arguments.jobs, arguments.seed)
        print(f"built {path} in {seconds:.1f} s")
    settings = Settings(db_path=path, models_dir=path.parent / "models", secret_key=SECRET_KEY)
    db = open_database(path)
    print(f"digest dry run: {arguments.workers:,} opted-in workers x {arguments.jobs:,} open jobs")
    runs = []
    for repeat in range(1, arguments.repeats + 1):
        run = timed_digest_run(db, settings)
        runs.append(run)
        print(
            f"  run {repeat}: total {run['total_s']:.1f} s wall, {run['cpu_s']:.1f} s CPU"
            f" (selection {run['selection_s']:.1f} s,"
            f" rendering {run['rendering_s']:.1f} s), {run['digests']:,} digests,"
            f" {run['jobs_listed']:,} jobs listed",
            flush=True,
        )
    median = statistics.median(run["total_s"] for run in runs)
    cpu = statistics.median(run["cpu_s"] for run in runs)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        f"median total {median:.1f} s wall (target <= 120 s), {cpu:.1f} s CPU"
        f" (wall well above CPU means other processes shared the cores);"
        f" peak resident {peak:.0f} MiB"
    )
    baseline = per_worker_baseline(db, settings, arguments.baseline_sample, arguments.workers)
    print(
        f"baseline, matches_for_worker per worker: {baseline:.0f} s extrapolated from"
        f" {arguments.baseline_sample} workers ({baseline / median:.1f}x the batched run)"
    )
    db.close()


if __name__ == "__main__":
    main()
