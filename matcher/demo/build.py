"""Writing the demo data set into a database through the real import path."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass

from sqlite_utils import Database

from matcher.demo.generator import DemoDataset, generate_demo
from matcher.store import write_transaction

DEFAULT_WORKERS = 2000
DEFAULT_JOBS = 150
DEFAULT_SEED = 7
DEMO_SOURCE = "demo"


class DemoError(Exception):
    """The demo could not be built (a non-empty database, or rows the importer refused)."""


@dataclass(frozen=True)
class DemoSummary:
    """What `build_demo` wrote: the hook for whatever builds on the demo (e.g. demo accounts)."""

    seed: int
    as_of: dt.date
    workers: int
    jobs: int
    employers: tuple[str, ...]
    shown_pairs: int
    outcome_events: int
    hires: int
    audit_attributes: int
    interest_answers: int = 0

    def lines(self) -> list[str]:
        """Human-readable lines, as the `demo` command prints them."""
        return [
            f"demo data set (seed {self.seed}, as of {self.as_of.isoformat()}):",
            f"  {self.workers} workers, {self.jobs} jobs from {len(self.employers)} employers",
            f"  {self.shown_pairs} shown pairs, {self.outcome_events} outcome events,"
            f" {self.hires} hires",
            f"  {self.shown_pairs} true hire probabilities in demo_true_probabilities",
            f"  {self.audit_attributes} self-identified audit attributes in audit_attributes",
            f"  {self.interest_answers} interest answers of shown workers in worker_interest",
            f"  employers: {', '.join(self.employers)}",
        ]


def build_demo(
    db: Database,
    *,
    workers: int = DEFAULT_WORKERS,
    jobs: int = DEFAULT_JOBS,
    seed: int = DEFAULT_SEED,
    as_of: dt.date | None = None,
) -> DemoSummary:
    """Fill an empty database with the demo: rows through `import_rows`, then truth and audit.

    Everything is dated relative to `as_of` (default: today, UTC); the same seed and `as_of`
    give the same content. One transaction, so a failure leaves the database as it was.
    """
    as_of = as_of or dt.datetime.now(dt.UTC).date()
    dataset = generate_demo(workers=workers, jobs=jobs, seed=seed, as_of=as_of)
    with write_transaction(db):
        _refuse_existing_data(db)
        for kind in ("workers", "jobs", "outcomes"):
            _import(db, kind, getattr(dataset, kind))
        write_truth_and_audit(db, dataset)
    return _summary(dataset)


def tables_with_data(db: Database) -> list[str]:
    """Which of workers, jobs and outcomes already hold rows."""
    return [
        table
        for table in ("workers", "jobs", "outcomes")
        if db.execute(f"SELECT EXISTS (SELECT 1 FROM {table})").fetchone()[0]
    ]


def _refuse_existing_data(db: Database) -> None:
    """Demo rows mixed into real (or another seed's) data would make the truth table a lie."""
    for table in tables_with_data(db)[:1]:
        raise DemoError(f"the database already has {table}; build the demo in an empty one")


def _import(db: Database, kind: str, rows: list[dict]) -> None:
    from matcher.importing import import_rows

    report = import_rows(db, kind, rows, source=DEMO_SOURCE)
    if report.rejected:
        first = "; ".join(str(row) for row in report.rejected[:3])
        raise DemoError(f"the importer rejected {len(report.rejected)} demo {kind}: {first}")
    if report.warnings:
        raise DemoError(f"the importer warned about demo {kind}: {'; '.join(report.warnings)}")


def write_truth_and_audit(db: Database, dataset: DemoDataset) -> None:
    """Store true hire probabilities, audit attributes and interest under the internal ids."""
    job_ids = dict(db.execute("SELECT external_id, id FROM jobs").fetchall())
    worker_ids = dict(db.execute("SELECT external_id, id FROM workers").fetchall())
    with write_transaction(db):
        db.conn.executemany(
            "INSERT INTO demo_true_probabilities (job_id, worker_id, probability) VALUES (?, ?, ?)",
            [(job_ids[j], worker_ids[w], p) for j, w, p in dataset.true_probabilities],
        )
        db.conn.executemany(
            "INSERT INTO audit_attributes (worker_id, attribute, value) VALUES (?, ?, ?)",
            [(worker_ids[w], attribute, value) for w, attribute, value in dataset.audit_attributes],
        )
        # The workers' own interest answers, as the job page would record them.
        db.conn.executemany(
            "INSERT INTO worker_interest (worker_id, job_id, choice, source, created_at)"
            " VALUES (?, ?, ?, 'page', ?)",
            [(worker_ids[w], job_ids[j], choice, at) for j, w, choice, at in dataset.interest],
        )


def _summary(dataset: DemoDataset) -> DemoSummary:
    stages = Counter(row["stage"] for row in dataset.outcomes)
    return DemoSummary(
        seed=dataset.seed,
        as_of=dataset.as_of,
        workers=len(dataset.workers),
        jobs=len(dataset.jobs),
        employers=tuple(dataset.employers),
        shown_pairs=len(dataset.true_probabilities),
        outcome_events=len(dataset.outcomes),
        hires=stages["hired"],
        audit_attributes=len(dataset.audit_attributes),
        interest_answers=len(dataset.interest),
    )
