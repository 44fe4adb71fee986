"""What a Dask task runs on a worker: one partition of jobs or workers, ranked by the live path.

A task receives only its partition's ids, the database file's path and the serving model
(its skops bytes and card, shipped once per worker). It opens the database read-only, puts
the model in a registry folder of its own so that the registry's checks (SHA-256, library
versions, features) run on the worker, then calls `shortlist_for_job` / `matches_for_worker`:
the batch ranks exactly as the web, the API and the CLI do.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import gc
import sqlite3
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from sqlite_utils import Database

from matcher import clock
from matcher.batch.entries import encode_entries
from matcher.config import Settings

JOBS = "jobs"
WORKERS = "workers"


class StaleInput(RuntimeError):
    """The data or the champion changed since the run started; its results would be stale."""


@dataclass(frozen=True)
class ModelBundle:
    """The serving model as the registry stores it: None data means the cold-start scorer."""

    version: str
    file_name: str | None = None
    data: bytes | None = None
    card: bytes | None = None


@dataclass(frozen=True)
class RunInputs:
    """What every result of a run is computed from."""

    model_version: str
    workers_version: int
    jobs_version: int


@dataclass(frozen=True)
class Partition:
    """One task's share: (internal id, external id) of its jobs or workers.

    A job partition also carries the workers' matches with its jobs, whose fit percentile
    it reads from each job's fit scale: (worker id, rank, job id) rows sorted by job.
    """

    kind: str
    number: int
    items: tuple[tuple[int, str], ...]
    matched: np.ndarray = dataclasses.field(
        default_factory=lambda: np.zeros((0, 3), dtype=np.int64), compare=False
    )


# A worker's match: (worker id, rank, job id, fit percentile, None until a job partition reads it).
MatchFit = tuple[int, int, int, int | None]


@dataclass(frozen=True)
class PartitionResult:
    """A partition's rows, (id, total eligible, stored entries) per job and (id, 0, stored
    entries) per worker (`matcher.batch.entries`), and its match fits: the pairs a worker
    partition matched, the percentiles a job partition read."""

    kind: str
    number: int
    rows: list[tuple[int, int, bytes]]
    pairs_scored: int
    fits: list[MatchFit] = dataclasses.field(default_factory=list)


def open_read_only(path: str | Path) -> Database:
    """The database file opened read-only, so a task can never write to it."""
    uri = f"{Path(path).resolve().as_uri()}?mode=ro"
    return Database(sqlite3.connect(uri, uri=True))


_models_dirs: dict[str, Path] = {}
_loaded_models: set[str] = set()  # versions that loaded in this worker process


def worker_settings(db_path: str, model: ModelBundle) -> Settings:
    """Settings whose registry folder holds `model`, written once per worker process."""
    if model.data is None:
        return Settings(db_path=Path(db_path))
    folder = _models_dirs.get(model.version)
    if folder is None:
        folder = Path(tempfile.mkdtemp(prefix="talentmatch-batch-models-"))
        (folder / str(model.file_name)).write_bytes(model.data)
        (folder / f"{model.version.replace(':', '-')}.card.json").write_bytes(model.card or b"")
        _models_dirs[model.version] = folder
    return Settings(db_path=Path(db_path), models_dir=folder)


def check_inputs(db: Database, settings: Settings, expected: RunInputs) -> None:
    """Raise StaleInput unless the data and champion are those the run started from.

    A model that cannot load here (say other library versions on this worker) raises the
    registry's error instead of silently ranking with the cold-start scorer; a version that
    loaded once in this process is not loaded again.
    """
    from matcher.ranking.caches import change_version
    from matcher.ranking.model_files import load_ranker
    from matcher.ranking.scorers import COLD_START_VERSION
    from matcher.registry import champion_version

    found = RunInputs(
        champion_version(db) or COLD_START_VERSION,
        change_version(db, "workers"),
        change_version(db, "jobs"),
    )
    if found != expected:
        raise StaleInput(f"the run started from {expected}, the database now holds {found}")
    version = expected.model_version
    if version != COLD_START_VERSION and version not in _loaded_models:
        load_ranker(db, settings, version)  # about a second: once per worker process
        _loaded_models.add(version)


def rank_partition(
    db_path: str,
    partition: Partition,
    model: ModelBundle,
    expected: RunInputs,
    day: dt.date,
    limit: int,
    vectorised: bool = True,
) -> PartitionResult:
    """Rank each job (best `limit` workers) or worker (best `limit` jobs) of a partition.

    Ranked for the run's `day`, whatever the worker's clock says, so that a run crossing
    midnight stores one day's results. Workers are ranked as one matrix unless not
    `vectorised` (one `matches_for_worker` call each, the reference the benchmark compares).
    """
    db = open_read_only(db_path)
    try:
        with clock.on_day(day):
            settings = worker_settings(db_path, model)
            check_inputs(db, settings, expected)
            with long_lived_data_frozen(db, settings):
                result = _rank(db, partition, settings, limit, vectorised)
            check_inputs(db, settings, expected)  # nothing changed while ranking
    finally:
        db.close()
    return result


def _rank(
    db: Database, partition: Partition, settings: Settings, limit: int, vectorised: bool
) -> PartitionResult:
    if partition.kind == JOBS:
        return _rank_jobs(db, partition, settings, limit)
    if vectorised:
        return _rank_workers_at_once(db, partition, settings, limit)
    return _rank_workers(db, partition, settings, limit)


@contextmanager
def long_lived_data_frozen(db: Database, settings: Settings) -> Iterator[None]:
    """Build the worker index, the open jobs and the scorer, then keep the garbage collector
    off them while the partition ranks (`gc.freeze`).

    Ranking allocates many short-lived objects (explanations, entries), and each collection
    they trigger otherwise walks the indexes too (measured: a tenth of a jobs partition's
    time, a sixth of a workers partition's). Unfrozen after, so that whatever became garbage
    meanwhile is collected later as usual; on a worker running partitions in threads, the
    first to finish unfreezes for all, which costs only speed.
    """
    from matcher.ranking.index import open_jobs, worker_index
    from matcher.ranking.scorers import load_serving_scorer

    open_jobs(db, worker_index(db))
    load_serving_scorer(db, settings)
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()


def _rank_jobs(
    db: Database, partition: Partition, settings: Settings, limit: int
) -> PartitionResult:
    from matcher.ranking.shortlists import clear_shortlist_cache, shortlist_for_job

    rows, fits, pairs = [], [], 0
    matched = partition.matched
    for job_id, external_id in partition.items:
        shortlist = shortlist_for_job(db, external_id, limit=limit, settings=settings)
        rows.append((job_id, shortlist.total, encode_entries(shortlist.candidates)))
        pairs += shortlist.total  # every eligible worker gets a stage-one score
        first, last = np.searchsorted(matched[:, 2], [job_id, job_id + 1])
        if last > first:
            fits += _match_percentiles(db, shortlist.job_profile, settings, matched[first:last])
    clear_shortlist_cache()  # each job is ranked once per run: keep no pools
    return PartitionResult(JOBS, partition.number, rows, pairs, fits)


def _match_percentiles(
    db: Database, job, settings: Settings, matched: np.ndarray
) -> list[MatchFit]:
    """The job's fit percentile of each (worker id, rank, job id) that matched it, as live
    reads it."""
    from matcher.ranking.index import worker_index
    from matcher.ranking.shortlists import fit_scale

    index = worker_index(db)
    rows = [index.row_of(int(worker_id)) for worker_id in matched[:, 0]]
    if None in rows:
        raise StaleInput(f"a worker matched with job {job.external_id} is no longer ranked")
    found = fit_scale(db, job, settings).percentiles(np.array(rows, dtype=np.int64)).tolist()
    return [
        (worker_id, rank, job.id, percentile)
        for (worker_id, rank, _), percentile in zip(matched.tolist(), found, strict=True)
    ]


def _rank_workers_at_once(
    db: Database, partition: Partition, settings: Settings, limit: int
) -> PartitionResult:
    """The partition's matches without their fits, which the job partitions read after."""
    from matcher.batch.worker_matches import matches_for_workers
    from matcher.ranking.index import open_jobs, worker_index

    open_count = len(open_jobs(db, worker_index(db)).jobs)
    ids = [worker_id for worker_id, _ in partition.items]
    rows, fits = [], []
    for worker_id, matches in zip(ids, matches_for_workers(db, ids, settings, limit), strict=True):
        rows.append((worker_id, 0, encode_entries([match for match, _ in matches])))
        fits += [(worker_id, match.rank, job_id, None) for match, job_id in matches]
    return PartitionResult(WORKERS, partition.number, rows, open_count * len(ids), fits)


def _rank_workers(
    db: Database, partition: Partition, settings: Settings, limit: int
) -> PartitionResult:
    """The reference: each worker's `matches_for_worker`, fits included."""
    from matcher.ranking.index import open_jobs, worker_index
    from matcher.ranking.shortlists import matches_for_worker

    open_count = len(open_jobs(db, worker_index(db)).jobs)
    rows = []
    for worker_id, external_id in partition.items:
        matches = matches_for_worker(db, external_id, limit=limit, settings=settings)
        rows.append((worker_id, 0, encode_entries(matches.jobs)))
    return PartitionResult(WORKERS, partition.number, rows, open_count * len(partition.items))
