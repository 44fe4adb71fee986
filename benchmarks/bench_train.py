"""How long `talentmatch train` takes on 1,000,000 outcome events, database to registered model.

Synthesises workers, jobs and outcome events straight into a temporary database with
`executemany` (bypassing the importer, which is not what is measured), then times
`train_and_register` end to end: reading the outcomes, features, fitting, evaluating the
model, the cold-start scorer and the baselines on the chronological holdout, writing the
skops file and card, promoting. Baseline in the same run: the bare SQL scan that turns the
events into labelled pairs (the floor no training can go below). Target: at most 60 s.
Each figure is wall-clock time and this process's CPU time (all its threads): on a shared
machine the wall clock moves with the load, the CPU time much less.

`--compare-threads` alternates, run by run on the same database, the previous threading
(`training.TRAINING_THREADS = None`: LearnedRanker's own rule, every OpenMP thread from
500,000 rows) with the current one (one thread), and checks both give the same metrics.

    .venv/bin/python benchmarks/bench_train.py [--events 1000000] [--runs 1]
        [--exposure-weighting] [--compare-threads]
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import statistics
import tempfile
import time
from pathlib import Path

import numpy as np

from matcher.config import Settings
from matcher.constants import CITIES
from matcher.ranking import training
from matcher.ranking.training import load_labelled_pairs, train_and_register
from matcher.store import open_database

SKILLS = [f"Skill{i}" for i in range(120)]
FUNNEL = ["shown", "viewed", "shortlisted", "contacted", "interviewed", "offered", "hired"]
NOW = "2026-11-25T00:00:00Z"
SHOWN_PER_JOB = 50
TARGET_SECONDS = 60.0


def synthesise(db, events: int, seed: int = 0) -> int:
    """Workers, jobs and about `events` outcome events whose progress follows skill fit."""
    rng = np.random.default_rng(seed)
    pairs_needed = int(events / 1.3)  # about 1.4 events per shown pair
    n_jobs = max(pairs_needed // SHOWN_PER_JOB, 10)
    n_workers = max(n_jobs * 5, 1000)
    worker_skills = [
        rng.choice(len(SKILLS), size=rng.integers(3, 9), replace=False) for _ in range(n_workers)
    ]
    job_skills = [rng.choice(len(SKILLS), size=4, replace=False) for _ in range(n_jobs)]
    worker_city = rng.integers(0, 3, n_workers)
    job_city = rng.integers(0, 3, n_jobs)
    conn = db.conn
    conn.execute("INSERT INTO employers (id, name, created_at) VALUES (1, 'Bench', ?)", [NOW])
    conn.executemany(
        "INSERT INTO workers (id, external_id, name, email, resume_text, years_experience, "
        "city_preferences, open_to_remote, work_authorization, created_at, updated_at) "
        "VALUES (?, ?, 'W', ?, ?, ?, ?, 0, 'open_work_permit', ?, ?)",
        (
            (
                w + 1,
                f"W{w}",
                f"w{w}@example.com",
                " ".join(SKILLS[s] for s in worker_skills[w]),
                float(rng.integers(0, 15)),
                CITIES[worker_city[w]],
                NOW,
                NOW,
            )
            for w in range(n_workers)
        ),
    )
    conn.executemany(
        "INSERT INTO worker_skills (worker_id, skill, years) VALUES (?, ?, ?)",
        ((w + 1, SKILLS[s], 2.0) for w in range(n_workers) for s in worker_skills[w]),
    )
    conn.executemany(
        "INSERT INTO jobs (id, external_id, employer_id, title, description, city, "
        "min_years_experience, status, created_at, updated_at) "
        "VALUES (?, ?, 1, 'Developer', ?, ?, 3, 'closed', ?, ?)",
        (
            (
                j + 1,
                f"J{j}",
                " ".join(SKILLS[s] for s in job_skills[j]),
                CITIES[job_city[j]],
                NOW,
                NOW,
            )
            for j in range(n_jobs)
        ),
    )
    conn.executemany(
        "INSERT INTO job_skills (job_id, skill, kind) VALUES (?, ?, 'required')",
        ((j + 1, SKILLS[s]) for j in range(n_jobs) for s in job_skills[j]),
    )
    written = conn.executemany(
        "INSERT INTO outcomes (job_id, worker_id, stage, at, recorded_at) VALUES (?, ?, ?, ?, ?)",
        _outcome_rows(rng, job_skills, worker_skills, job_city, worker_city, events),
    ).rowcount
    conn.commit()
    return written


def _outcome_rows(rng, job_skills, worker_skills, job_city, worker_city, events: int):
    start = dt.datetime(2025, 1, 1, tzinfo=dt.UTC)
    n_workers, emitted = len(worker_skills), 0
    for j, required in enumerate(job_skills):
        shown = rng.choice(n_workers, size=SHOWN_PER_JOB, replace=False)
        day = start + dt.timedelta(minutes=10 * j)
        for w in shown.tolist():
            coverage = len(set(required) & set(worker_skills[w])) / len(required)
            same_city = worker_city[w] == job_city[j]
            latent = 5 * coverage + 1.5 * same_city + rng.normal(0, 1) - 1
            reached = int(np.clip(round(latent), 0, len(FUNNEL) - 1))
            for step in range(reached + 1):
                at = (day + dt.timedelta(hours=step)).strftime("%Y-%m-%dT%H:%M:%SZ")
                yield (j + 1, w + 1, FUNNEL[step], at, NOW)
                emitted += 1
                if emitted >= events:
                    return


def time_pair_scan(db) -> float:
    start = time.perf_counter()
    load_labelled_pairs(db)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=1)
    parser.add_argument(
        "--exposure-weighting", action="store_true", help="Train with exposure weights."
    )
    parser.add_argument(
        "--no-exposure-weighting", action="store_true", help="The default (kept for old notes)."
    )
    parser.add_argument("--compare-threads", action="store_true")
    args = parser.parse_args()
    current_threads = training.TRAINING_THREADS
    with tempfile.TemporaryDirectory() as folder:
        db_path = Path(folder) / "bench.db"
        db = open_database(db_path)
        start = time.perf_counter()
        written = synthesise(db, args.events)
        print(f"synthesised {written:,} outcome events in {time.perf_counter() - start:.1f} s")
        scans, figures, results = [], {}, {}
        for run in range(args.runs):
            label = "current"
            if args.compare_threads:
                label = "all threads (before)" if run % 2 == 0 else "one thread (after)"
                training.TRAINING_THREADS = None if run % 2 == 0 else current_threads
            settings = Settings(db_path=db_path, models_dir=Path(folder) / f"models-{run}")
            scans.append(time_pair_scan(db))
            start, cpu = time.perf_counter(), time.process_time()
            outcome = train_and_register(db, settings, exposure=args.exposure_weighting)
            wall, cpu = time.perf_counter() - start, time.process_time() - cpu
            figures.setdefault(label, []).append((wall, cpu))
            counts = outcome.run.row_counts
            results.setdefault(label, set()).add(
                (json.dumps(outcome.run.metrics, sort_keys=True), outcome.promoted)
            )
            print(
                f"run {run + 1} [{label}]: train {wall:.1f} s wall, {cpu:.1f} s CPU "
                f"(pairs scan {scans[-1]:.1f} s); "
                f"{counts['train_pairs']:,} train / {counts['holdout_pairs']:,} holdout pairs; "
                f"model ndcg@10 {outcome.run.primary('model'):.4f}, "
                f"cold start {outcome.run.primary('cold_start'):.4f}; "
                f"{'promoted' if outcome.promoted else 'not promoted'}",
                flush=True,
            )
        for label, rows in figures.items():
            wall = statistics.median(w for w, _ in rows)
            cpu = statistics.median(c for _, c in rows)
            verdict = "meets" if wall <= TARGET_SECONDS else "MISSES"
            print(
                f"median [{label}] of {len(rows)}: train {wall:.1f} s wall, {cpu:.1f} s CPU vs "
                f"baseline SQL pairs scan {statistics.median(scans):.1f} s; {verdict} the "
                f"{TARGET_SECONDS:.0f} s target"
            )
        distinct = set().union(*results.values())
        print(f"metrics and decision identical across runs: {len(distinct) == 1}")
        db.close()


if __name__ == "__main__":
    main()
