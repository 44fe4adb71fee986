"""Ranking quality on the demo data's chronological holdout: model, baselines and ceiling.

Builds the demo data set (`build_demo`) into a temporary database, trains the learned ranker
on the older jobs and scores every scorer on the newest jobs in the same run: the model,
the cold-start scorer, random, skill-overlap Jaccard, TF-IDF cosine, and the ceiling (the
demo generator's true hire probabilities). Targets: the model's NDCG@10 at least 0.95 x the
ceiling's, and above every baseline.

It also prints the observable ceiling: the hiring process's hire probability computed from
the stored profiles with the hidden per-pair terms set to 0 (docs/DEMO_DATA.md). The gap
between the ceiling and the observable ceiling is the hidden noise, which no model can
reach; the gap between the observable ceiling and the model is model error.

    .venv/bin/python benchmarks/bench_ranking_quality.py [--workers 20000] [--jobs 1500]
        [--seeds 7 8 9]
"""

from __future__ import annotations

import argparse
import datetime as dt
import statistics
import tempfile
import time
from pathlib import Path

import numpy as np
from sqlite_utils import Database

from matcher.constants import CITIES, COL_ITEM, COL_QUERY, COL_RELEVANCE, COL_SCORE
from matcher.demo import build_demo, hiring_process
from matcher.evaluation.metrics import ranking_metrics
from matcher.features.population import date_to_days, load_jobs, load_worker_table
from matcher.ranking.training import PRIMARY_METRIC, train_ranker
from matcher.store import open_database

AS_OF = dt.date(2026, 11, 25)
CEILING_SHARE = 0.95
BASELINES = ("random", "skill_jaccard", "tfidf_cosine", "cold_start")
METRICS = ("ndcg@10", "map@10", "recall@50", "auc")


def observable_fit(db: Database, pairs: np.ndarray) -> hiring_process.PairFit:
    """The hiring process's fit inputs of each (job id, worker id) pair, from stored rows."""
    workers = load_worker_table(db)
    jobs = {job.id: job for job in load_jobs(db, status=None)}
    rows = np.array([workers.row_of(int(w)) for w in pairs[:, 1]], dtype=np.int64)
    pair_jobs = [jobs[int(j)] for j in pairs[:, 0]]
    held = (workers.skills[rows] > 0).toarray()

    def coverage(kind: str) -> np.ndarray:
        wanted = np.zeros_like(held)
        for i, job in enumerate(pair_jobs):
            names = getattr(job, kind)
            wanted[i, [workers.skill_index[s] for s in names if s in workers.skill_index]] = True
        counts = np.array([len(getattr(job, kind)) for job in pair_jobs])
        return (held & wanted).sum(axis=1) / np.maximum(counts, 1)

    def job_column(read) -> np.ndarray:
        return np.array([read(job) for job in pair_jobs], dtype=np.float64)

    salary_max = job_column(lambda job: job.salary_max_cad)
    city = np.array([CITIES.index(job.city) for job in pair_jobs])
    return hiring_process.PairFit(
        required_coverage=coverage("required_skills"),
        nice_coverage=coverage("nice_to_have_skills"),
        city_rank=workers.city_rank[rows, city].astype(np.int64),
        remote_ok=(np.array([job.remote == "remote" for job in pair_jobs]))
        & workers.open_to_remote[rows],
        experience_gap=job_column(lambda job: job.min_years_experience or 0.0)
        - np.nan_to_num(workers.years_experience[rows], nan=0.0),  # not stated: as before m024
        french_shortfall=np.maximum(
            job_column(lambda job: job.french_level_required)
            - np.nan_to_num(workers.french_level[rows]),
            0,
        ),
        salary_over=np.maximum(workers.salary_expectation[rows] - salary_max, 0) / salary_max,
        start_delay_days=np.maximum(
            workers.available_from[rows] - job_column(lambda job: date_to_days(job.posted_at)), 0
        ),
    )


def observable_ceiling(db: Database, pairs: np.ndarray) -> np.ndarray:
    """Hire probability of each pair with the hidden terms at 0: the best any model can see."""
    fit = observable_fit(db, pairs)
    zero = np.zeros(len(pairs))
    return hiring_process.hire_probability(hiring_process.step_probabilities(fit, zero, zero))


def evaluate_seed(folder: Path, workers: int, jobs: int, seed: int) -> dict[str, dict]:
    db = open_database(folder / f"demo-{seed}.db")
    try:
        start = time.perf_counter()
        build_demo(db, workers=workers, jobs=jobs, seed=seed, as_of=AS_OF)
        built = time.perf_counter() - start
        start = time.perf_counter()
        run = train_ranker(db)
        trained = time.perf_counter() - start
        pairs = run.holdout["pairs"]
        run.metrics["observable"] = ranking_metrics(
            {
                COL_QUERY: pairs[:, 0],
                COL_ITEM: pairs[:, 1],
                COL_SCORE: observable_ceiling(db, pairs),
                COL_RELEVANCE: run.holdout["relevance"],
            }
        )
    finally:
        db.close()
    counts = run.row_counts
    print(
        f"seed {seed}: demo built in {built:.1f} s, trained and evaluated in {trained:.1f} s; "
        f"{counts['train_pairs']:,} train pairs, {counts['holdout_pairs']:,} holdout pairs "
        f"of {counts['holdout_jobs']} jobs"
    )
    print(f"  {'scorer':<14}" + "".join(f"{name:>11}" for name in METRICS))
    for scorer, figures in run.metrics.items():
        print(f"  {scorer:<14}" + "".join(f"{figures[name]:>11.4f}" for name in METRICS))
    return run.metrics


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workers", type=int, default=20_000)
    parser.add_argument("--jobs", type=int, default=1_500)
    parser.add_argument("--seeds", type=int, nargs="+", default=[7, 8, 9])
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        runs = [evaluate_seed(Path(folder), args.workers, args.jobs, s) for s in args.seeds]
    median = {
        scorer: statistics.median(run[scorer][PRIMARY_METRIC] for run in runs) for scorer in runs[0]
    }
    model = median["model"]
    print(f"median {PRIMARY_METRIC} over {len(runs)} seeds:")
    for scorer, value in median.items():
        print(f"  {scorer:<14}{value:.4f}")
    if "ceiling" in median:
        share = model / median["ceiling"]
        verdict = "meets" if share >= CEILING_SHARE else "MISSES"
        print(f"model / ceiling = {share:.3f} ({verdict} the {CEILING_SHARE} target)")
        ratios = [run["model"][PRIMARY_METRIC] / run["ceiling"][PRIMARY_METRIC] for run in runs]
        print(f"median of per-seed model / ceiling = {statistics.median(ratios):.3f}")
        observable = median["observable"] / median["ceiling"]
        print(
            f"observable ceiling (hidden terms at 0) / ceiling = {observable:.3f}; "
            f"model / observable ceiling = {model / median['observable']:.3f}"
        )
    beaten = [b for b in BASELINES if model > median[b]]
    missed = [b for b in BASELINES if b not in beaten]
    print(f"model above: {', '.join(beaten) or 'none'}; not above: {', '.join(missed) or 'none'}")


if __name__ == "__main__":
    main()
