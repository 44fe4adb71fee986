"""Does exposure weighting help the learned ranker on the demo, whose exposure process is known?

Builds the demo (every pool drawn 45 % from the job's role family in its city, 25 % from the
family anywhere, 30 % from everyone: docs/DEMO_DATA.md), then fits the ranker twice on the
same older jobs, unweighted and weighted by inverse estimated exposure
(matcher.ranking.exposure), and scores both on the same chronological holdout: each metric
with its paired-bootstrap 95 % interval of weighted - unweighted (1,000 resamples of held-out
jobs). Both are evaluation fits (no refit), so neither has seen a held-out job.

    .venv/bin/python benchmarks/bench_exposure.py [--workers 2000] [--jobs 150] [--seed 7]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from matcher.constants import COL_ITEM, COL_QUERY, COL_RELEVANCE, COL_SCORE
from matcher.demo import build_demo
from matcher.evaluation.bootstrap import paired_bootstrap
from matcher.features.population import load_jobs_by_id, load_worker_table
from matcher.features.transformers import PairFeatureTransformer, PairSet
from matcher.ranking.training import train_ranker
from matcher.store import open_database

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_ranking_quality import AS_OF, observable_ceiling  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workers", type=int, default=2000)
    parser.add_argument("--jobs", type=int, default=150)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        db = open_database(Path(folder) / "demo.db")
        build_demo(db, workers=args.workers, jobs=args.jobs, seed=args.seed, as_of=AS_OF)
        runs = {}
        for name, exposure in (("unweighted", False), ("weighted", True)):
            start = time.perf_counter()
            runs[name] = train_ranker(db, refit=False, exposure=exposure)
            print(f"{name}: trained in {time.perf_counter() - start:.1f} s")
        print("exposure weights:", runs["weighted"].exposure)
        holdout = runs["unweighted"].holdout
        tables = {}
        for name, run in runs.items():
            scores = run.model.predict(holdout["features"])
            tables[name] = _table_of(holdout, scores)
        tables["ceiling"] = _table_of(holdout, runs["unweighted"].holdout["scores"]["ceiling"])
        report = paired_bootstrap(tables, candidate="weighted")
        print(f"{report.n_jobs} held-out jobs, {report.n_resamples} resamples")
        for metric, difference in report.differences["unweighted"].items():
            mine = report.intervals["weighted"][metric]
            theirs = report.intervals["unweighted"][metric]
            verdict = (
                "better"
                if difference.low > 0
                else "worse"
                if difference.high < 0
                else "no different"
            )
            print(
                f"{metric:<10} weighted {mine.estimate:.4f}  unweighted {theirs.estimate:.4f}  "
                f"diff {difference.estimate:+.4f} [{difference.low:+.4f}, {difference.high:+.4f}]"
                f"  {verdict}"
            )
        print(f"ceiling ndcg@10 {report.intervals['ceiling']['ndcg@10'].estimate:.4f}")
        serving_comparison(db, runs, np.unique(holdout["pairs"][:, 0]))
        db.close()


def serving_comparison(db, runs: dict, job_ids: np.ndarray) -> None:
    """Where exposure weighting should matter: ranking every live worker for the held-out jobs,
    judged against the demo process's noise-free hire probability (the observable ceiling)."""
    workers = load_worker_table(db)
    pairs = np.array([(j, w) for j in job_ids.tolist() for w in workers.worker_ids.tolist()])
    jobs = load_jobs_by_id(db, job_ids.tolist())
    as_of = {j: AS_OF for j in job_ids.tolist()}
    features = PairFeatureTransformer().fit_transform(PairSet(pairs, jobs, workers, as_of))
    # Gains scaled so that the NDCG's 2**relevance - 1 spreads over the probabilities.
    truth = 4.0 * observable_ceiling(db, pairs)
    tables = {
        name: _table_of({"pairs": pairs, "relevance": truth}, run.model.predict(features))
        for name, run in runs.items()
    }
    report = paired_bootstrap(tables, candidate="weighted", scorers=("weighted", "unweighted"))
    d = report.differences["unweighted"]["ndcg@10"]
    mine = report.intervals["weighted"]["ndcg@10"].estimate
    theirs = report.intervals["unweighted"]["ndcg@10"].estimate
    print(
        f"every live worker ({len(workers)}) for each of {len(job_ids)} held-out jobs, against the "
        f"observable ceiling: ndcg@10 weighted {mine:.4f} unweighted {theirs:.4f} "
        f"diff {d.estimate:+.4f} [{d.low:+.4f}, {d.high:+.4f}]"
    )


def _table_of(holdout: dict, scores) -> dict:
    pairs = holdout["pairs"]
    return {
        COL_QUERY: pairs[:, 0],
        COL_ITEM: pairs[:, 1],
        COL_SCORE: scores,
        COL_RELEVANCE: holdout["relevance"],
    }


if __name__ == "__main__":
    main()
