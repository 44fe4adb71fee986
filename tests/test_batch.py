"""Batch matching on a real Dask LocalCluster against a real demo database and registry."""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from distributed import Client, LocalCluster
from sqlite_utils import Database

from matcher import clock
from matcher.batch import fresh_batch_matches, fresh_batch_shortlist, run_batch_match
from matcher.batch.runs import open_job_ids, opted_in_worker_ids
from matcher.config import Settings, load_settings
from matcher.ranking.shortlists import matches_for_worker, shortlist_for_job
from matcher.registry import list_versions, promote
from matcher.store import open_database, write_transaction

pytestmark = pytest.mark.slow
PARTITION = 8
# Batch results are valid for the day they were ranked for; the tests pin it.
DAY = dt.date(2026, 6, 15)


def _cli(db_path: Path, models: Path, *args: str, **popen) -> subprocess.Popen:
    environment = {**os.environ, "TALENTMATCH_DB": str(db_path), "TALENTMATCH_MODELS": str(models)}
    command = [sys.executable, "-m", "matcher", *args]
    return subprocess.Popen(command, env=environment, text=True, **popen)


def _run_cli(db_path: Path, models: Path, *args: str) -> str:
    process = _cli(db_path, models, *args, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    out, err = process.communicate(timeout=600)
    assert process.returncode == 0, f"talentmatch {args} failed:\n{out}\n{err}"
    return out


@pytest.fixture(scope="module")
def demo(tmp_path_factory) -> tuple[Path, Path]:
    """A demo database (600 workers, 60 jobs) with one trained, registered model."""
    folder = tmp_path_factory.mktemp("batch-demo")
    db_path, models = folder / "talentmatch.db", folder / "models"
    _run_cli(db_path, models, "demo", "--workers", "600", "--jobs", "60")
    _run_cli(db_path, models, "train")
    # Whether train promoted it depends on the data; each test chooses the serving model.
    database = open_database(db_path)
    database.execute("DELETE FROM model_champion")
    database.conn.commit()
    database.close()
    return db_path, models


@pytest.fixture
def copy(demo, tmp_path) -> tuple[Path, Settings]:
    """This test's own copy of the demo database and registry."""
    db_path, models = tmp_path / "talentmatch.db", tmp_path / "models"
    shutil.copy(demo[0], db_path)
    shutil.copytree(demo[1], models)
    return db_path, Settings(db_path=db_path, models_dir=models)


@pytest.fixture
def db(copy) -> Iterator[Database]:
    database = open_database(copy[0])
    yield database
    database.close()


@pytest.fixture
def on_day() -> Iterator[None]:
    """The clock stopped on DAY, so the tests pass at any time of day."""
    with clock.on_day(DAY):
        yield


@pytest.fixture(scope="module")
def client() -> Iterator[Client]:
    with (
        LocalCluster(
            n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
        ) as cluster,
        Client(cluster) as dask_client,
    ):
        yield dask_client


def _assert_batch_equals_live(db: Database, settings: Settings) -> None:
    jobs, workers = open_job_ids(db), opted_in_worker_ids(db)
    assert jobs and workers
    for _, job in jobs:
        batch = fresh_batch_shortlist(db, job, limit=200, settings=settings)
        assert batch is not None, job
        live = shortlist_for_job(db, job, limit=200, settings=settings)
        assert batch.to_json() == live.to_json()
    for _, worker in workers:
        batch = fresh_batch_matches(db, worker, limit=20, settings=settings)
        assert batch is not None, worker
        assert (
            batch.to_json() == matches_for_worker(db, worker, limit=20, settings=settings).to_json()
        )


def test_batch_equals_live_with_cold_start(db, copy, client, on_day):
    settings = copy[1]
    summary = run_batch_match(db, settings, client, partition_size=PARTITION, progress=False)
    assert summary.model_version == "cold-start"
    assert summary.jobs == len(open_job_ids(db)) and summary.partitions_skipped == 0
    assert summary.pairs_scored > 0
    _assert_batch_equals_live(db, settings)


def test_batch_equals_live_with_a_trained_champion(db, copy, client, on_day):
    settings = copy[1]
    (version,) = [v.version for v in list_versions(db)]
    promote(db, version, "test")
    summary = run_batch_match(db, settings, client, partition_size=PARTITION, progress=False)
    assert summary.model_version == version
    _assert_batch_equals_live(db, settings)


def test_stale_results_are_not_returned(db, copy, client, on_day):
    settings = copy[1]
    run_batch_match(db, settings, client, partition_size=PARTITION, progress=False)
    (_, job), (_, worker) = open_job_ids(db)[0], opted_in_worker_ids(db)[0]
    assert fresh_batch_shortlist(db, job, limit=200, settings=settings) is not None
    assert fresh_batch_shortlist(db, job, limit=201, settings=settings) is None  # deeper than K
    with write_transaction(db):
        db.execute("UPDATE workers SET years_experience = years_experience + 1 WHERE id = 1")
    assert fresh_batch_shortlist(db, job, settings=settings) is None
    assert fresh_batch_matches(db, worker, settings=settings) is None

    run_batch_match(db, settings, client, partition_size=PARTITION, progress=False)
    assert fresh_batch_matches(db, worker, settings=settings) is not None
    (version,) = [v.version for v in list_versions(db)]
    promote(db, version, "test")
    assert fresh_batch_shortlist(db, job, settings=settings) is None
    assert fresh_batch_matches(db, worker, settings=settings) is None


class CrossingMidnight:
    """A fake clock whose first reading is a second before midnight, every later one after."""

    def __init__(self, day: dt.date) -> None:
        midnight = dt.datetime.combine(day + dt.timedelta(days=1), dt.time(), tzinfo=dt.UTC)
        self.readings = [midnight - dt.timedelta(seconds=1)]
        self.after = midnight + dt.timedelta(seconds=1)

    def __call__(self) -> dt.datetime:
        return self.readings.pop() if self.readings else self.after


def test_a_run_across_midnight_is_valid_for_the_day_it_started_on(db, copy, client):
    settings = copy[1]
    with clock.using_clock(CrossingMidnight(DAY)):
        run_batch_match(db, settings, client, partition_size=PARTITION, progress=False)
        assert clock.today() == DAY + dt.timedelta(days=1)
        (_, job), (_, worker) = open_job_ids(db)[0], opted_in_worker_ids(db)[0]
        assert fresh_batch_shortlist(db, job, settings=settings) is None  # ranked for yesterday
        assert fresh_batch_matches(db, worker, settings=settings) is None
    (computed_on,) = db.execute("SELECT computed_on FROM batch_runs").fetchone()
    assert computed_on == DAY.isoformat()
    with clock.on_day(DAY):  # every partition was ranked for DAY, after midnight too
        _assert_batch_equals_live(db, settings)
    with clock.on_day(DAY + dt.timedelta(days=1)):
        summary = run_batch_match(db, settings, client, partition_size=PARTITION, progress=False)
        assert summary.partitions_skipped == 0  # a new day's run, not yesterday's resumed
        _assert_batch_equals_live(db, settings)


def _stored(db_path: Path) -> tuple[list, list]:
    database = open_database(db_path)
    try:
        shortlists = database.execute(
            "SELECT job_id, total, candidates FROM batch_shortlists ORDER BY job_id"
        ).fetchall()
        matches = database.execute(
            "SELECT worker_id, jobs FROM batch_matches ORDER BY worker_id"
        ).fetchall()
    finally:
        database.close()
    return shortlists, matches


def _done_partitions(db_path: Path) -> int:
    database = open_database(db_path)
    try:
        return database.execute("SELECT COUNT(*) FROM batch_partitions").fetchone()[0]
    finally:
        database.close()


def test_a_run_killed_mid_way_resumes_with_the_same_rows(copy, demo, tmp_path, client):
    db_path, settings = copy
    arguments = ("batch-match", "--partition-size", "4", "--dask-workers", "2", "--json")
    process = _cli(
        db_path,
        settings.models_dir,
        *arguments,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    deadline = time.monotonic() + 300
    while _done_partitions(db_path) == 0 and process.poll() is None:
        assert time.monotonic() < deadline, "no partition finished in time"
        time.sleep(0.2)
    os.killpg(process.pid, signal.SIGKILL)  # the run and its cluster's processes, kill -9
    process.wait()
    done_before = _done_partitions(db_path)
    assert done_before >= 1

    resumed = json.loads(_run_cli(db_path, settings.models_dir, *arguments))
    assert resumed["partitions_skipped"] == done_before < resumed["partitions"]

    clean_path = tmp_path / "clean.db"
    shutil.copy(demo[0], clean_path)
    address = client.cluster.scheduler_address  # an existing cluster, as with `dask scheduler`
    clean = _run_cli(
        clean_path,
        settings.models_dir,
        "batch-match",
        "--partition-size",
        "4",
        "--scheduler",
        address,
        "--json",
    )
    assert json.loads(clean)["partitions_skipped"] == 0
    shortlists, matches = _stored(db_path)
    assert (shortlists, matches) == _stored(clean_path)
    assert len(shortlists) == resumed["jobs"] and len(matches) == resumed["workers"]


def test_the_scheduler_address_comes_from_the_environment():
    settings = load_settings({"TALENTMATCH_DASK_SCHEDULER": "tcp://10.0.0.5:8786"})
    assert settings.dask_scheduler == "tcp://10.0.0.5:8786"
    assert load_settings({}).dask_scheduler is None
