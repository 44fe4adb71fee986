"""Ten retrains on the demo, each after 20 random extra outcome rows: what does promotion do?

Builds the demo (`build_demo`, default 2,000 workers / 150 jobs), trains once
(`train_and_register`, what `talentmatch train` runs: the evaluation fit, refit, paired
bootstrap and the promotion rule), then for each round writes `--rows` random plausible
outcome rows to a CSV file, imports it through the real import path (`import_file`, what
`talentmatch import outcomes FILE` runs) and trains again. A plausible row either moves an
existing pair one step on from its latest stage (the next funnel stage, or `rejected`), an
or shows an open job to a worker it was never shown to (the demo's fresh jobs are shown to
nobody yet). The demo is dated `--rounds + 1` days ago and round r's rows fall on its r-th day
after, so every row is newer than the data of the models before it, as real decisions are.

Prints per round: promoted or not, the rule that decided, the rival, the NDCG@10 gain with its
95% interval, the guardrails' gains (MAP@10, AUC) and the held-out jobs the champion never
learned from. A promotion on a gain whose interval includes 0 is flagged as a BUG.

    .venv/bin/python benchmarks/bench_retrains.py [--workers 2000] [--jobs 150] [--seed 7]
        [--rounds 10] [--rows 20] [--rows-seed 0] [--force-initial] [--reasons]

`--force-initial` promotes the first model whatever the rule says (as `train --force` does),
so that the rounds are judged against a learned champion rather than the cold-start scorer.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import tempfile
import time
from pathlib import Path

import numpy as np

from matcher import clock
from matcher.config import Settings
from matcher.demo import build_demo
from matcher.importing import import_file
from matcher.ranking.training import (
    GUARDRAIL_METRICS,
    PRIMARY_METRIC,
    TrainingOutcome,
    train_and_register,
)
from matcher.store import open_database

FUNNEL = ("shown", "viewed", "shortlisted", "contacted", "interviewed", "offered", "hired")
CLOSED = {"hired", "rejected", "withdrawn"}
NEW_SHOWN_SHARE = 0.3  # of the extra rows: a job shown to a new worker; the rest move a pair on
STAMP = "%Y-%m-%dT%H:%M:%SZ"


def _latest_stages(db) -> dict[tuple[str, str], tuple[str, str]]:
    """(job external id, worker external id) -> (latest stage, its time)."""
    latest: dict[tuple[str, str], tuple[str, str]] = {}
    for job, worker, stage, at in db.execute(
        "SELECT j.external_id, w.external_id, o.stage, o.at FROM outcomes o "
        "JOIN jobs j ON j.id = o.job_id JOIN workers w ON w.id = o.worker_id "
        "WHERE w.deleted_at IS NULL ORDER BY o.at, o.id"
    ):
        latest[(job, worker)] = (stage, at)
    return latest


def extra_rows(
    db, rng: np.random.Generator, count: int, start: dt.datetime, end: dt.datetime
) -> list[dict]:
    """`count` random plausible outcome rows (contract shape), dated in [start, end)."""
    latest = _latest_stages(db)
    movable = sorted(pair for pair, (stage, _) in latest.items() if stage not in CLOSED)
    open_jobs = [
        row[0]
        for row in db.execute("SELECT external_id FROM jobs WHERE status = 'open' ORDER BY id")
    ]
    workers = [row[0] for row in db.execute("SELECT external_id FROM workers ORDER BY id")]
    rows: list[dict] = []
    while len(rows) < count:
        if open_jobs and rng.random() < NEW_SHOWN_SHARE:
            job = open_jobs[rng.integers(len(open_jobs))]
            worker = workers[rng.integers(len(workers))]
            if (job, worker) in latest:
                continue
            stage = "shown"
        else:
            job, worker = movable[rng.integers(len(movable))]
            stage = latest[(job, worker)][0]
            step = FUNNEL.index(stage) + 1 if stage in FUNNEL else 1
            stage = "rejected" if rng.random() < 0.4 else FUNNEL[min(step, len(FUNNEL) - 1)]
        # After the pair's own last event when it already moved in this round.
        last = latest.get((job, worker), ("", ""))[1]
        at = _between(
            rng, max(start, _parse(last) if last >= start.strftime(STAMP) else start), end
        )
        latest[(job, worker)] = (stage, at)
        if stage in CLOSED and (job, worker) in movable:
            movable.remove((job, worker))
        elif stage not in CLOSED and (job, worker) not in movable:
            movable.append((job, worker))
        rows.append(
            {"job_external_id": job, "worker_external_id": worker, "stage": stage, "at": at}
        )
    return sorted(rows, key=lambda row: row["at"])


def _parse(at: str) -> dt.datetime:
    return dt.datetime.strptime(at, STAMP).replace(tzinfo=dt.UTC)


def _between(rng: np.random.Generator, start: dt.datetime, end: dt.datetime) -> str:
    span = max((end - start).total_seconds(), 0.0)
    return (start + dt.timedelta(seconds=float(rng.uniform(0, span)))).strftime(STAMP)


def write_csv(path: Path, rows: list[dict]) -> None:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)


def rule_of(reason: str) -> str:
    """The rule named by a promotion reason (training.promotion_decision's wording)."""
    if reason.startswith("forced"):
        return "forced"
    for rule in ("champion rule", "significance rule", "guardrail rule", "fairness rule"):
        if rule in reason.split(";")[0] or reason.startswith(rule):
            return rule
    if "significance and guardrail rules passed" in reason:
        return "all rules passed"
    return reason.split(":")[0]


def report_line(label: str, outcome: TrainingOutcome, seconds: float) -> tuple[str, bool]:
    """One table row, and whether it is a promotion on an interval that includes 0."""
    run = outcome.run
    rival = "cold_start" if run.champion_jobs is None else "champion"
    gain = None
    if run.bootstrap is not None:
        gain = run.bootstrap.differences.get(rival, {}).get(PRIMARY_METRIC)
    if gain is None:
        gain_text, guard_text = "n/a (no held-out job the champion did not learn from)", ""
    else:
        gain_text = f"{gain.estimate:+.4f} [{gain.low:+.4f}, {gain.high:+.4f}]"
        differences = run.bootstrap.differences[rival]
        guard_text = "  ".join(
            f"{m} {differences[m].estimate:+.4f} [{differences[m].low:+.4f}, "
            f"{differences[m].high:+.4f}]"
            for m in GUARDRAIL_METRICS
        )
    bug = (
        outcome.promoted and not outcome.reason.startswith("forced") and not (gain and gain.low > 0)
    )
    jobs = "-" if run.champion_jobs is None else str(run.champion_jobs)
    verdict = "PROMOTED" if outcome.promoted else "kept"
    line = (
        f"{label:<8} {verdict:<9} {rule_of(outcome.reason):<18} {rival:<10} {jobs:>5}  "
        f"{PRIMARY_METRIC} {gain_text}  {guard_text}  ({seconds:.1f} s)"
    )
    return line + ("  BUG: promoted on an interval including 0" if bug else ""), bug


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workers", type=int, default=2000)
    parser.add_argument("--jobs", type=int, default=150)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--rounds", type=int, default=10)
    parser.add_argument("--rows", type=int, default=20)
    parser.add_argument("--rows-seed", type=int, default=0)
    parser.add_argument("--reasons", action="store_true", help="Print each decision's reason.")
    parser.add_argument(
        "--force-initial",
        action="store_true",
        help="Promote the first model with --force, so the rounds face a learned champion.",
    )
    args = parser.parse_args()
    rng = np.random.default_rng(args.rows_seed)
    with tempfile.TemporaryDirectory() as folder:
        db_path = Path(folder) / "retrains.db"
        settings = Settings(db_path=db_path, models_dir=Path(folder) / "models")
        db = open_database(db_path)
        start = time.perf_counter()
        as_of = clock.today() - dt.timedelta(days=args.rounds + 1)
        build_demo(db, workers=args.workers, jobs=args.jobs, seed=args.seed, as_of=as_of)
        print(
            f"demo {args.workers} workers / {args.jobs} jobs (seed {args.seed}) built in "
            f"{time.perf_counter() - start:.1f} s; {args.rounds} rounds of {args.rows} rows "
            f"(rows seed {args.rows_seed})"
        )
        print(f"{'round':<8} {'decision':<9} {'rule':<18} {'rival':<10} {'jobs':>5}  gain")
        start = time.perf_counter()
        outcome = train_and_register(db, settings, force=args.force_initial)
        line, bug = report_line("initial", outcome, time.perf_counter() - start)
        print(line)
        if args.reasons:
            print(f"         {outcome.reason}")
        promoted, bugs = [], int(bug)
        for round_number in range(1, args.rounds + 1):
            day = dt.datetime.combine(as_of, dt.time(), tzinfo=dt.UTC) + dt.timedelta(
                days=round_number - 1
            )
            rows = extra_rows(db, rng, args.rows, day, day + dt.timedelta(days=1))
            path = Path(folder) / f"extra-{round_number}.csv"
            write_csv(path, rows)
            report = import_file(db, "outcomes", path)
            if report.rejected:
                raise SystemExit(f"round {round_number}: rows rejected: {report.rejected}")
            start = time.perf_counter()
            outcome = train_and_register(db, settings)
            line, bug = report_line(f"round {round_number}", outcome, time.perf_counter() - start)
            print(line)
            if args.reasons:
                print(f"         {outcome.reason}")
            bugs += bug
            if outcome.promoted:
                promoted.append(round_number)
        print(
            f"promoted in {len(promoted)} of {args.rounds} rounds {promoted or ''}; "
            f"promotions on an interval including 0: {bugs}"
        )
        db.close()


if __name__ == "__main__":
    main()
