"""The client side of `batch-match`: plan partitions, run them on Dask, store each one atomically.

A run is keyed by what its results depend on (model version, change counters, the UTC day
it ranks for, K, N and the partition size). Rerunning after a crash finds the unfinished
run with the same key and skips the partitions whose done marker was written with their rows.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import sys
import time
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np
from sqlite_utils import Database

from matcher import clock
from matcher.batch.tasks import (
    JOBS,
    WORKERS,
    ModelBundle,
    Partition,
    PartitionResult,
    RunInputs,
    rank_partition,
)
from matcher.config import Settings
from matcher.occupations.stored import refresh_stored_occupations
from matcher.store import utc_now, write_transaction

DEFAULT_TOP_K = 200
DEFAULT_TOP_N = 20
DEFAULT_PARTITION_SIZE = 250
PAIR_BYTES = 3 * 8  # a stored matched pair: (worker id, rank, job id) as int64


@dataclass(frozen=True)
class BatchSummary:
    """What a run did: the summary line of `batch-match`."""

    run_id: int
    model_version: str
    jobs: int
    workers: int
    pairs_scored: int
    partitions: int
    partitions_skipped: int
    seconds: float

    def line(self) -> str:
        return (
            f"batch-match run {self.run_id}: {self.jobs} jobs, {self.workers} workers, "
            f"{self.pairs_scored} pairs scored in {self.seconds:.1f} s "
            f"(model {self.model_version}; {self.partitions_skipped} of {self.partitions} "
            "partitions already done)"
        )

    def to_json(self) -> dict:
        return asdict(self)


def current_inputs(db: Database, settings: Settings) -> RunInputs:
    """The serving model's version and the data change counters, as results record them."""
    from matcher.ranking.caches import change_version
    from matcher.ranking.scorers import serving_version

    return RunInputs(
        serving_version(db, settings),
        change_version(db, "workers"),
        change_version(db, "jobs"),
    )


def model_bundle(db: Database, settings: Settings, version: str) -> ModelBundle:
    """The registry's file and card of `version` (nothing to ship for the cold-start scorer)."""
    from matcher.ranking.scorers import COLD_START_VERSION

    if version == COLD_START_VERSION:
        return ModelBundle(version)
    (file_name,) = db.execute(
        "SELECT file_name FROM model_versions WHERE version = ?", [version]
    ).fetchone()
    folder = Path(settings.models_dir)
    card = folder / f"{version.replace(':', '-')}.card.json"
    return ModelBundle(version, file_name, (folder / file_name).read_bytes(), card.read_bytes())


def open_job_ids(db: Database) -> list[tuple[int, str]]:
    """(id, external id) of every open job, by id."""
    rows = db.execute("SELECT id, external_id FROM jobs WHERE status = 'open' ORDER BY id")
    return [(int(i), str(e)) for i, e in rows]


def opted_in_worker_ids(db: Database) -> list[tuple[int, str]]:
    """(id, external id) of every worker who may be sent match emails, by id."""
    from matcher.notifications.consent import CONSENTING_WORKERS_SQL

    rows = db.execute(f"SELECT id, external_id FROM ({CONSENTING_WORKERS_SQL}) ORDER BY id")
    return [(int(i), str(e)) for i, e in rows]


def plan_partitions(
    jobs: list[tuple[int, str]], workers: list[tuple[int, str]], size: int
) -> list[Partition]:
    """Workers, then jobs, in id order, cut into partitions of `size` (same plan every rerun).

    Workers come first: the job partitions read the fits of the workers' matches.
    """
    return [
        Partition(kind, number, tuple(items[start : start + size]))
        for kind, items in ((WORKERS, workers), (JOBS, jobs))
        for number, start in enumerate(range(0, len(items), size))
    ]


def matched_pairs(db: Database, run_id: int) -> np.ndarray:
    """Every (worker id, rank, job id) the run's worker partitions matched, sorted by job."""
    stored = db.execute("SELECT pairs FROM batch_match_pairs WHERE run_id = ?", [run_id])
    blocks = [np.frombuffer(blob, dtype=np.int64).reshape(-1, 3) for (blob,) in stored]
    pairs = np.concatenate(blocks) if blocks else np.zeros((0, 3), dtype=np.int64)
    return pairs[np.lexsort((pairs[:, 1], pairs[:, 0], pairs[:, 2]))]


def with_matches(partition: Partition, pairs: np.ndarray) -> Partition:
    """The job partition with the `matched_pairs` of its jobs (a run of consecutive ids)."""
    first, last = partition.items[0][0], partition.items[-1][0]
    start, end = np.searchsorted(pairs[:, 2], [first, last + 1])
    return dataclasses.replace(partition, matched=pairs[start:end])


def unread_fits(db: Database, run_id: int) -> int:
    """How many of the run's matched pairs have no fit stored yet."""
    ((stored_bytes,),) = db.execute(
        "SELECT COALESCE(SUM(length(pairs)), 0) FROM batch_match_pairs WHERE run_id = ?", [run_id]
    )
    ((read,),) = db.execute("SELECT COUNT(*) FROM batch_match_fits WHERE run_id = ?", [run_id])
    return int(stored_bytes) // PAIR_BYTES - int(read)


def start_or_resume_run(
    db: Database, inputs: RunInputs, day: dt.date, top_k: int, top_n: int, partition_size: int
) -> int:
    """The id of the unfinished run for `day` with these inputs, or of a new one."""
    key = [
        inputs.model_version,
        inputs.workers_version,
        inputs.jobs_version,
        day.isoformat(),
        top_k,
        top_n,
        partition_size,
    ]
    with write_transaction(db):
        found = db.execute(
            "SELECT id FROM batch_runs WHERE model_version = ? AND workers_version = ? "
            "AND jobs_version = ? AND computed_on = ? AND top_k = ? AND top_n = ? "
            "AND partition_size = ? AND finished_at IS NULL ORDER BY id DESC LIMIT 1",
            key,
        ).fetchone()
        if found:
            return int(found[0])
        cursor = db.execute(
            "INSERT INTO batch_runs (model_version, workers_version, jobs_version, computed_on, "
            "top_k, top_n, partition_size, started_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            [*key, utc_now()],
        )
        return int(cursor.lastrowid)


def done_partitions(db: Database, run_id: int) -> set[tuple[str, int]]:
    """(kind, number) of the run's partitions already stored."""
    rows = db.execute("SELECT kind, number FROM batch_partitions WHERE run_id = ?", [run_id])
    return {(kind, int(number)) for kind, number in rows}


def store_partition(db: Database, run_id: int, result: PartitionResult) -> None:
    """A partition's rows, its match fits and its done marker, in one transaction."""
    with write_transaction(db):
        if result.kind == JOBS:
            db.conn.executemany(
                "INSERT OR REPLACE INTO batch_shortlists (job_id, run_id, total, candidates) "
                "VALUES (?, ?, ?, ?)",
                [(i, run_id, total, entries) for i, total, entries in result.rows],
            )
            db.conn.executemany(
                "INSERT INTO batch_match_fits (run_id, job_id, worker_id, rank, percentile) "
                "VALUES (?, ?, ?, ?, ?)",
                # already in key order: each job's matches come sorted by worker
                [(run_id, job, w, rank, p) for w, rank, job, p in result.fits],
            )
        else:
            db.conn.executemany(
                "INSERT OR REPLACE INTO batch_matches (worker_id, run_id, jobs) VALUES (?, ?, ?)",
                [(i, run_id, entries) for i, _, entries in result.rows],
            )
            pairs = np.array([fit[:3] for fit in result.fits], dtype=np.int64).reshape(-1, 3)
            db.execute(
                "INSERT INTO batch_match_pairs (run_id, number, pairs) VALUES (?, ?, ?)",
                [run_id, result.number, pairs.tobytes()],
            )
        db.execute(
            "INSERT INTO batch_partitions (run_id, kind, number, items, pairs_scored, done_at) "
            "VALUES (?, ?, ?, ?, ?, ?)",
            [run_id, result.kind, result.number, len(result.rows), result.pairs_scored, utc_now()],
        )


def finish_run(db: Database, run_id: int) -> None:
    """Mark the run finished and drop every other run and its rows."""
    with write_transaction(db):
        if unread := unread_fits(db, run_id):
            raise RuntimeError(f"batch run {run_id} has {unread} matches whose fit was not read")
        db.execute("UPDATE batch_runs SET finished_at = ? WHERE id = ?", [utc_now(), run_id])
        db.execute("DELETE FROM batch_shortlists WHERE run_id != ?", [run_id])
        db.execute("DELETE FROM batch_matches WHERE run_id != ?", [run_id])
        db.execute("DELETE FROM batch_match_fits WHERE run_id != ?", [run_id])
        db.execute("DELETE FROM batch_match_pairs")  # only a resumed run reads them
        # Every other run goes, unfinished ones too: their rows were just deleted, so one
        # resumed later (a rollback to its model on its day) would skip partitions it lacks.
        db.execute("DELETE FROM batch_runs WHERE id != ?", [run_id])


def _completed(client, futures: list) -> Iterator[PartitionResult]:
    from distributed import as_completed

    for future in as_completed(futures):
        yield future.result()
        future.release()


def run_batch_match(
    db: Database,
    settings: Settings,
    client,
    *,
    top_k: int = DEFAULT_TOP_K,
    top_n: int = DEFAULT_TOP_N,
    partition_size: int = DEFAULT_PARTITION_SIZE,
    progress: bool = True,
    vectorised: bool = True,
) -> BatchSummary:
    """Rank every open job and opted-in worker on the Dask `client`'s cluster and store them.

    `vectorised=False` ranks workers one at a time (the reference the benchmark compares).
    """
    from tqdm import tqdm

    started = time.perf_counter()
    refresh_stored_occupations(db)  # else each read-only worker recomputes outdated ones
    day = clock.today()  # every partition is ranked for the day the run started on
    inputs = current_inputs(db, settings)
    run_id = start_or_resume_run(db, inputs, day, top_k, top_n, partition_size)
    jobs, workers = open_job_ids(db), opted_in_worker_ids(db)
    plan = plan_partitions(jobs, workers, partition_size)
    done = done_partitions(db, run_id)
    skipped = sum((p.kind, p.number) in done for p in plan)
    # A fresh key per run (hash=False): scattering bytes equal to a previous run's, just as
    # that run's future is released, can hang the scatter (seen twice in one client).
    bundle = model_bundle(db, settings, inputs.model_version)
    model = client.scatter(bundle, broadcast=True, hash=False)
    db_path = str(Path(settings.db_path).resolve())

    def submit(partitions: list[Partition]) -> list:
        return [
            client.submit(
                rank_partition,
                db_path,
                partition,
                model,
                inputs,
                day,
                top_k if partition.kind == JOBS else top_n,
                vectorised,
                key=f"talentmatch-batch-{run_id}-{partition.kind}-{partition.number}",
                retries=1,
            )
            for partition in partitions
        ]

    bar = tqdm(
        total=len(plan), initial=skipped, file=sys.stderr, unit="partition", disable=not progress
    )
    with bar:
        # The workers first: the job partitions read the fits of the matches they stored.
        for kind in (WORKERS, JOBS):
            left = [p for p in plan if p.kind == kind and (p.kind, p.number) not in done]
            if kind == JOBS:
                pairs = matched_pairs(db, run_id)
                left = [with_matches(p, pairs) for p in left]
            for result in _completed(client, submit(left)):
                store_partition(db, run_id, result)
                bar.update(1)
    finish_run(db, run_id)
    (pairs,) = db.execute(
        "SELECT COALESCE(SUM(pairs_scored), 0) FROM batch_partitions WHERE run_id = ?", [run_id]
    ).fetchone()
    return BatchSummary(
        run_id,
        inputs.model_version,
        len(jobs),
        len(workers),
        int(pairs),
        len(plan),
        skipped,
        round(time.perf_counter() - started, 2),
    )
