"""Ranking quality on the demo data's chronological holdout: model, baselines and ceiling.

Builds the demo data set (`build_demo`) into a temporary database, trains the learned ranker
on the older jobs and scores every scorer on the newest jobs in the same run: the model,
the cold-start scorer, random, skill-overlap Jaccard, TF-IDF cosine, and the ceiling (the
demo generator's true hire probabilities). Targets: the model's NDCG@10 at least 0.95 x the
ceiling's, and above every baseline.

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

from matcher.demo import build_demo
from matcher.ranking.training import PRIMARY_METRIC, train_ranker
from matcher.store import open_database

AS_OF = dt.date(2026, 11, 25)
CEILING_SHARE = 0.95
BASELINES = ("random", "skill_jaccard", "tfidf_cosine", "cold_start")
METRICS = ("ndcg@10", "map@10", "recall@50", "auc")


def evaluate_seed(folder: Path, workers: int, jobs: int, seed: int) -> dict[str, dict]:
    db = open_database(folder / f"demo-{seed}.db")
    try:
        start = time.perf_counter()
        build_demo(db, workers=workers, jobs=jobs, seed=seed, as_of=AS_OF)
        built = time.perf_counter() - start
        start = time.perf_counter()
        run = train_ranker(db)
        trained = time.perf_counter() - start
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
    beaten = [b for b in BASELINES if model > median[b]]
    missed = [b for b in BASELINES if b not in beaten]
    print(f"model above: {', '.join(beaten) or 'none'}; not above: {', '.join(missed) or 'none'}")


if __name__ == "__main__":
    main()
