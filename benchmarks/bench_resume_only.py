"""Where resume-only workers land: do workers who typed nothing rank as their skills deserve?

Builds the demo (where about 40% of workers enter only a resume, with no skill years) into a
temporary database and, for each open job, finds the workers who hold every required skill.
It prints the median rank percentile (100 = top) and the share in the top 10%, for
resume-only workers next to workers who typed their skills and years, with the serving
scorer (cold start unless `--train`). Target (issue 9): a resume-only worker with every
required skill ranks in the top 10% of a demo shortlist.

    .venv/bin/python benchmarks/bench_resume_only.py [--workers 2000] [--jobs 150] [--train]
"""

from __future__ import annotations

import argparse
import datetime as dt
import statistics
import tempfile
from pathlib import Path

from matcher.config import load_settings
from matcher.demo import build_demo
from matcher.ranking.shortlists import shortlist_for_job
from matcher.store import open_database

AS_OF = dt.date(2026, 11, 25)


def typed_workers(db) -> set[str]:
    rows = db.execute(
        "SELECT DISTINCT w.external_id FROM workers w JOIN worker_skills s"
        " ON s.worker_id = w.id WHERE s.source = 'listed'"
    )
    return {row[0] for row in rows}


def percentiles_of_full_matches(db, settings, typed: set[str]) -> dict[str, list[float]]:
    """Per group, the rank percentile of every worker holding all of a job's required skills."""
    found: dict[str, list[float]] = {"resume only": [], "typed": []}
    jobs = [row[0] for row in db.execute("SELECT external_id FROM jobs WHERE status = 'open'")]
    for job in jobs:
        shortlist = shortlist_for_job(db, job, limit=500, settings=settings, pool_size=None)
        total = max(shortlist.total, 1)
        for candidate in shortlist.candidates:
            if candidate.explanation["missing_skills"]:
                continue
            group = "typed" if candidate.worker in typed else "resume only"
            found[group].append(100.0 * (1 - (candidate.rank - 1) / total))
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workers", type=int, default=2000)
    parser.add_argument("--jobs", type=int, default=150)
    parser.add_argument("--train", action="store_true", help="serve a trained model")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        settings = load_settings().with_overrides(
            db_path=Path(tmp) / "demo.db", models_dir=Path(tmp) / "models"
        )
        db = open_database(settings.db_path)
        build_demo(db, workers=args.workers, jobs=args.jobs, as_of=AS_OF)
        if args.train:
            from matcher.ranking.training import train_and_register

            train_and_register(db, settings, force=True)
        found = percentiles_of_full_matches(db, settings, typed_workers(db))
    scorer = "trained" if args.train else "cold start"
    print(f"{args.workers} workers x {args.jobs} jobs, scorer: {scorer}")
    for group, values in found.items():
        if not values:
            print(f"  {group:12s} none hold every required skill of a top-500 shortlist")
            continue
        top = sum(v >= 90 for v in values) / len(values)
        print(
            f"  {group:12s} n={len(values):5d}  median percentile {statistics.median(values):5.1f}"
            f"  in top 10%: {top:.0%}"
        )


if __name__ == "__main__":
    main()
