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
import datetime as dt
import tempfile
import time
from pathlib import Path

from matcher.constants import COL_ITEM, COL_QUERY, COL_RELEVANCE, COL_SCORE
from matcher.demo import build_demo
from matcher.evaluation.bootstrap import paired_bootstrap
from matcher.ranking.training import train_ranker
from matcher.store import open_database


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workers", type=int, default=2000)
    parser.add_argument("--jobs", type=int, default=150)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        db = open_database(Path(folder) / "demo.db")
        build_demo(
            db, workers=args.workers, jobs=args.jobs, seed=args.seed, as_of=dt.date(2026, 11, 25)
        )
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
        db.close()


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
