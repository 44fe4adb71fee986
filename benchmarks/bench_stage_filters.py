"""What the shortlist's stage filters cost, on a copy of a demo database.

For each of the busiest open jobs (most outcome events), times `shortlist_for_job` with the
default filters, `stages={"shortlisted"}` and `hide_decided=True`: cold (the re-ranked pool
cache emptied before each request) and warm (the same request again), median over jobs.
The default filters are the baseline measured in the same run.

    .venv/bin/python benchmarks/bench_stage_filters.py --db var/talentmatch.db --jobs 20
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import tempfile
import time
from pathlib import Path

from matcher.config import Settings
from matcher.ranking.filters import CandidateFilters
from matcher.ranking.shortlists import clear_shortlist_cache, shortlist_for_job
from matcher.store import open_database

VARIANTS = {
    "default": CandidateFilters(),
    "stage=shortlisted": CandidateFilters(stages=frozenset({"shortlisted"})),
    "hide_decided": CandidateFilters(hide_decided=True),
}


def _busiest_jobs(db, count: int) -> list[str]:
    rows = db.execute(
        """SELECT j.external_id FROM jobs j JOIN outcomes o ON o.job_id = j.id
           WHERE j.status = 'open' GROUP BY j.id ORDER BY count(*) DESC, j.id LIMIT ?""",
        [count],
    )
    return [row[0] for row in rows]


def _ms(call) -> float:
    start = time.perf_counter()
    call()
    return (time.perf_counter() - start) * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", type=Path, default=Path("var/talentmatch.db"))
    parser.add_argument("--models", type=Path, default=Path("models"))
    parser.add_argument("--jobs", type=int, default=20)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        copy = Path(folder) / "bench.db"
        shutil.copy(args.db, copy)
        db = open_database(copy)
        settings = Settings(db_path=copy, models_dir=args.models)
        jobs = _busiest_jobs(db, args.jobs)
        shortlist_for_job(db, jobs[0], settings=settings)  # load the worker index once
        print(f"{len(jobs)} jobs; median ms per shortlist request (page of 25)")
        for name, filters in VARIANTS.items():
            cold, warm, totals = [], [], []
            for job in jobs:

                def request(job=job, filters=filters):
                    return shortlist_for_job(db, job, limit=25, filters=filters, settings=settings)

                clear_shortlist_cache()
                cold.append(_ms(request))
                warm.append(_ms(request))
                totals.append(request().total)
            cold_ms, warm_ms = statistics.median(cold), statistics.median(warm)
            candidates = statistics.median(totals)
            print(
                f"  {name:<18} cold {cold_ms:7.1f} warm {warm_ms:6.1f} candidates {candidates:.0f}"
            )
        db.close()


if __name__ == "__main__":
    main()
