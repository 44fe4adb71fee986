"""Worker interest as a learned-ranking feature: holdout quality and outlook calibration.

Per seed it builds the demo (`build_demo`, whose shown workers answer "I'm interested" / "Not
for me" from their own preferences, docs/DEMO_DATA.md), trains on the older jobs and scores
the newest (`train_ranker`), then trains again on a copy whose `worker_interest` table is
emptied: the model without interest, which must score as before the feature existed. It
prints NDCG@10, MAP@10 and AUC of the model and the cold-start scorer, and the outlook's ECE
per stage (`matcher.evaluation.calibration`). Run it from another tree (e.g. main) to compare:
there the demo has no interest table rows and the "without" run equals the first.

    .venv/bin/python benchmarks/bench_interest.py [--workers 2000] [--jobs 150] [--seeds 7 8 9]
"""

from __future__ import annotations

import argparse
import datetime as dt
import shutil
import statistics
import tempfile
import time
from pathlib import Path

from matcher.demo import build_demo
from matcher.ranking.training import train_ranker
from matcher.store import open_database

AS_OF = dt.date(2026, 11, 25)
METRICS = ("ndcg@10", "map@10", "auc")
STAGES = ("interviewed", "hired")


def figures(path: Path) -> dict[str, float]:
    db = open_database(path)
    try:
        answers = db.execute("SELECT count(*) FROM worker_interest").fetchone()[0]
        start = time.perf_counter()
        run = train_ranker(db)
        seconds = time.perf_counter() - start
    finally:
        db.close()
    out = {f"model {m}": run.metrics["model"][m] for m in METRICS}
    out["cold_start ndcg@10"] = run.metrics["cold_start"]["ndcg@10"]
    for stage in STAGES:
        out[f"ece {stage}"] = run.calibration[stage]["scorers"]["model"]["ece"].estimate
    out["answers"], out["seconds"] = answers, seconds
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workers", type=int, default=2000)
    parser.add_argument("--jobs", type=int, default=150)
    parser.add_argument("--seeds", type=int, nargs="+", default=[7, 8, 9])
    args = parser.parse_args()
    runs: dict[str, list[dict[str, float]]] = {"with interest": [], "without interest": []}
    with tempfile.TemporaryDirectory() as folder:
        for seed in args.seeds:
            path, bare = Path(folder) / f"demo-{seed}.db", Path(folder) / f"bare-{seed}.db"
            db = open_database(path)
            build_demo(db, workers=args.workers, jobs=args.jobs, seed=seed, as_of=AS_OF)
            db.close()
            shutil.copy(path, bare)
            db = open_database(bare)
            db.execute("DELETE FROM worker_interest")
            db.conn.commit()
            db.close()
            for name, source in (("with interest", path), ("without interest", bare)):
                found = figures(source)
                runs[name].append(found)
                print(f"seed {seed} {name}: " + ", ".join(f"{k} {v:.4f}" for k, v in found.items()))
    for name, found in runs.items():
        medians = {key: statistics.median(run[key] for run in found) for key in found[0]}
        print(f"median {name} over {len(found)} seeds: ")
        print("  " + ", ".join(f"{key} {value:.4f}" for key, value in medians.items()))


if __name__ == "__main__":
    main()
