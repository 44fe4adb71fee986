"""How long `talentmatch demo` takes, split into generating the rows and writing them.

Prints, for each run and as medians: generating the data set in memory (`generate_demo`, the
baseline: no database) and the full `build_demo` into a fresh database (generation, the real
import path for workers, jobs and outcomes, then truth and audit rows). The difference is the
cost of writing. Targets: the default size in a few seconds (so `make run` stays under a
minute), 100,000 workers and 10,000 jobs in reasonable time.

    .venv/bin/python benchmarks/bench_demo.py [--workers 2000] [--jobs 150] [--runs 3]
    .venv/bin/python benchmarks/bench_demo.py --workers 100000 --jobs 10000 --runs 1
"""

from __future__ import annotations

import argparse
import datetime as dt
import statistics
import tempfile
import time
from pathlib import Path

from matcher.demo import build_demo, generate_demo
from matcher.store import open_database

AS_OF = dt.date(2026, 11, 25)


def time_generation(workers: int, jobs: int, seed: int) -> tuple[float, int]:
    start = time.perf_counter()
    dataset = generate_demo(workers=workers, jobs=jobs, seed=seed, as_of=AS_OF)
    return time.perf_counter() - start, len(dataset.outcomes)


def time_build(workers: int, jobs: int, seed: int, folder: Path) -> float:
    db = open_database(folder / f"demo-{seed}.db")
    try:
        start = time.perf_counter()
        build_demo(db, workers=workers, jobs=jobs, seed=seed, as_of=AS_OF)
        return time.perf_counter() - start
    finally:
        db.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workers", type=int, default=2000)
    parser.add_argument("--jobs", type=int, default=150)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    generation, build = [], []
    with tempfile.TemporaryDirectory() as folder:
        for run in range(args.runs):
            seconds, events = time_generation(args.workers, args.jobs, seed=run)
            generation.append(seconds)
            build.append(time_build(args.workers, args.jobs, seed=run, folder=Path(folder)))
            print(
                f"run {run + 1}: generate {generation[-1]:.2f} s, build {build[-1]:.2f} s"
                f" ({args.workers} workers, {args.jobs} jobs, {events} outcome events)"
            )
    print(f"median generate_demo (baseline, no database): {statistics.median(generation):.2f} s")
    print(f"median build_demo (generate + import + truth): {statistics.median(build):.2f} s")


if __name__ == "__main__":
    main()
