"""Nightly batch matching on Dask: N workers x M open jobs, 1 vs 2 Dask workers.

Builds (once, cached under var/bench/) a database of demo-generator workers, all opted in,
and open jobs through the import path (bench_digests), then runs `run_batch_match` on a fresh
LocalCluster of 1 and then 2 single-threaded worker processes and prints, for each: wall
time, peak resident memory of each Dask worker, pairs scored per second (every eligible
(job, worker) pair gets a stage-one score; the model re-ranks the pools), the NDCG@10 of
the batch shortlists against exhaustive scoring (the serving model on every eligible
worker) on a sample of jobs, and the projected wall time for 1.2M workers x 100k jobs on
32 Dask workers, with its formula.

    .venv/bin/python benchmarks/bench_batch.py                  # 100,000 x 10,000, cold start
    .venv/bin/python benchmarks/bench_batch.py --small          # 5,000 x 500
    .venv/bin/python benchmarks/bench_batch.py --small --learned  # a champion trained on demo data
    .venv/bin/python benchmarks/bench_batch.py --workers 2000 --jobs 200 --before  # loop vs matrix
    .venv/bin/python benchmarks/bench_batch.py --workers 400000 --jobs 20000 --learned \
        --dask-workers 2 --ndcg-jobs 10                         # the larger size, 2 workers only

Targets (issue 14): 100k x 10k with the learned champion <= 5 minutes on 2 cores; >= 1.7x
throughput from 1 to 2 workers; <= 2 GiB per worker; NDCG@10 >= 0.99; projection <= 2 h.
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).parent))

from bench_digests import build_database  # noqa: E402
from bench_shortlist import install_champion, ndcg_at_10, train_demo_champion  # noqa: E402

from matcher.batch import fresh_batch_shortlist, run_batch_match  # noqa: E402
from matcher.batch.cluster import dask_client  # noqa: E402
from matcher.batch.runs import open_job_ids  # noqa: E402
from matcher.config import Settings  # noqa: E402
from matcher.occupations.stored import refresh_stored_occupations  # noqa: E402
from matcher.ranking.shortlists import shortlist_for_job  # noqa: E402
from matcher.store import open_database  # noqa: E402

NATIONAL_WORKERS, NATIONAL_JOBS, NATIONAL_DASK_WORKERS = 1_200_000, 100_000, 32


def peak_rss_gib() -> float:
    """This process's peak resident memory (run on each Dask worker)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024**2


def measure(
    path: Path, settings: Settings, dask_workers: int, partition_size: int, vectorised: bool
) -> dict:
    """One batch run on a fresh local cluster of `dask_workers` processes."""
    db = open_database(path)
    try:
        with dask_client(None, n_workers=dask_workers) as client:
            summary = run_batch_match(
                db,
                settings,
                client,
                partition_size=partition_size,
                progress=False,
                vectorised=vectorised,
            )
            memory = sorted(client.run(peak_rss_gib).values())
    finally:
        db.close()
    print(
        f"  {'matrix' if vectorised else 'per-worker loop'}, "
        f"{dask_workers} Dask worker(s): {summary.seconds:.1f} s, "
        f"{summary.pairs_scored / summary.seconds:,.0f} pairs/s, peak RSS per worker "
        + ", ".join(f"{gib:.2f}" for gib in memory)
        + f" GiB ({summary.jobs:,} jobs, {summary.workers:,} workers, "
        f"{summary.pairs_scored:,} pairs, model {summary.model_version})"
    )
    return {"seconds": summary.seconds, "pairs": summary.pairs_scored, "workers": summary.workers}


def refresh_cached(path: Path) -> None:
    """Bring the cached database's stored resume occupations up to date, once, so that a
    run measures the nightly batch rather than the first one after an upgrade."""
    db = open_database(path)
    try:
        started = time.perf_counter()
        count = refresh_stored_occupations(db)
        seconds = time.perf_counter() - started
        if count:
            print(f"refreshed {count:,} outdated resume occupations in {seconds:.1f} s")
    finally:
        db.close()


def batch_vs_exhaustive(path: Path, settings: Settings, sample: int) -> None:
    """NDCG@10 of the stored batch shortlists against the model scoring every eligible worker."""
    db = open_database(path)
    try:
        jobs = open_job_ids(db)
        chosen = np.random.default_rng(0).choice(
            len(jobs), size=min(sample, len(jobs)), replace=False
        )
        ndcgs = []
        for position in sorted(chosen):
            job = jobs[position][1]
            batch = fresh_batch_shortlist(db, job, limit=10, settings=settings)
            assert batch is not None, f"no fresh batch shortlist for {job}"
            everyone = shortlist_for_job(db, job, limit=10**9, settings=settings, pool_size=None)
            scored = [(c.worker, c.score) for c in everyone.candidates]
            ndcgs.append(ndcg_at_10([c.worker for c in batch.candidates], scored, dict(scored)))
    finally:
        db.close()
    print(
        f"  batch vs exhaustive over {len(ndcgs)} jobs: NDCG@10 mean {np.mean(ndcgs):.4f}, "
        f"min {min(ndcgs):.4f}"
    )


def project(one: dict, two: dict, workers: int, jobs: int) -> None:
    """Projected national wall time from the 1- and 2-worker throughputs."""
    per_worker = one["pairs"] / one["seconds"]
    speedup = (two["pairs"] / two["seconds"]) / per_worker
    efficiency = speedup / 2
    opted_share = one["workers"] / workers
    pairs = NATIONAL_WORKERS * NATIONAL_JOBS * (1 + opted_share)
    seconds = pairs / (per_worker * NATIONAL_DASK_WORKERS * efficiency)
    print(f"  speed-up 1 -> 2 workers: {speedup:.2f}x (efficiency {efficiency:.2f})")
    print(
        "  projection: T = W x J x (1 + opted-in share) / (pairs/s of 1 worker x 32 x efficiency)"
        f" = {NATIONAL_WORKERS:,} x {NATIONAL_JOBS:,} x {1 + opted_share:.2f}"
        f" / ({per_worker:,.0f} x {NATIONAL_DASK_WORKERS} x {efficiency:.2f})"
        f" = {seconds:,.0f} s = {seconds / 3600:.2f} h"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workers", type=int, default=100_000)
    parser.add_argument("--jobs", type=int, default=10_000)
    parser.add_argument("--small", action="store_true", help="5,000 workers x 500 jobs")
    parser.add_argument("--learned", action="store_true", help="serve a demo-trained champion")
    parser.add_argument("--partition-size", type=int, default=250)
    parser.add_argument("--ndcg-jobs", type=int, default=30)
    parser.add_argument(
        "--dask-workers",
        type=int,
        nargs="+",
        default=[1, 2],
        help="cluster sizes to run, in order (the projection needs 1 and 2)",
    )
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument(
        "--before",
        action="store_true",
        help="also time the per-worker matches loop (the ranking before the matrix), first",
    )
    arguments = parser.parse_args()
    workers, jobs = (5_000, 500) if arguments.small else (arguments.workers, arguments.jobs)
    cached = Path("var/bench") / f"batch-{workers}x{jobs}-{arguments.seed}.db"
    if not cached.exists():
        cached.parent.mkdir(parents=True, exist_ok=True)
        print(f"built {cached} in {build_database(cached, workers, jobs, arguments.seed):.1f} s")
    refresh_cached(cached)
    print(f"{workers:,} workers x {jobs:,} open jobs on {os.cpu_count()} cores")
    with tempfile.TemporaryDirectory(prefix="bench_batch_") as folder:
        path = Path(folder) / "batch.db"
        shutil.copy(cached, path)
        settings = Settings(db_path=path, models_dir=Path(folder) / "models")
        if arguments.learned:
            demo_path = train_demo_champion(Path(folder), settings)
            if demo_path is None:
                raise SystemExit("the demo model was not promoted; nothing learned to serve")
            install_champion(demo_path, str(path))
        if arguments.before:
            print("before: workers' matches one worker at a time")
            loop = [measure(path, settings, n, arguments.partition_size, False) for n in (1, 2)]
            project(*loop, workers, jobs)
            print("after: a partition's workers as one matrix")
        runs = {
            n: measure(path, settings, n, arguments.partition_size, True)
            for n in arguments.dask_workers
        }
        batch_vs_exhaustive(path, settings, arguments.ndcg_jobs)
        if 1 in runs and 2 in runs:
            project(runs[1], runs[2], workers, jobs)


if __name__ == "__main__":
    main()
