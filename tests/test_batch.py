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
from click.testing import CliRunner
from distributed import Client
from sqlite_utils import Database
from web_support import PASSWORD, sign_in

from jobs import tasks
from matcher import accounts, clock
from matcher.batch import fresh_batch_matches, fresh_batch_shortlist, run_batch_match
from matcher.batch.cluster import dask_client
from matcher.batch.runs import open_job_ids, opted_in_worker_ids
from matcher.batch.serving import served_matches, served_shortlist
from matcher.cli import main
from matcher.config import Settings, load_settings
from matcher.fit import BANDS, Fit, band_named
from matcher.notifications.digest import DEFAULT_JOBS_PER_DIGEST
from matcher.notifications.selection import choose_digests
from matcher.occupations.stored import is_current
from matcher.ranking.filters import CandidateFilters
from matcher.ranking.shortlists import matches_for_worker, shortlist_for_job
from matcher.registry import list_versions, promote
from matcher.store import open_database, write_transaction
from web import create_app

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
    with dask_client(n_workers=2) as local:  # the cluster `batch-match` starts by default
        yield local


def test_local_workers_keep_glibcs_adaptive_allocator(client):
    found = client.run(lambda: os.environ.get("MALLOC_TRIM_THRESHOLD_"))
    assert len(found) == 2 and set(found.values()) == {None}


def _assert_batch_equals_live(db: Database, settings: Settings) -> None:
    jobs, workers = open_job_ids(db), opted_in_worker_ids(db)
    assert jobs and workers
    for _, job in jobs:
        batch = fresh_batch_shortlist(db, job, limit=200, settings=settings)
        assert batch is not None, job
        live = shortlist_for_job(db, job, limit=200, settings=settings)
        assert batch.source == "batch"
        assert _without_source(batch.to_json()) == live.to_json()
    # The demo's workers answer "Not for me" on some jobs: the batch ranks before any answer, so
    # their matches are served live (`served_matches`), without the jobs they turned down.
    declined = {
        row[0]
        for row in db.execute(
            "SELECT DISTINCT worker_id FROM worker_interest WHERE choice = 'not_for_me'"
        )
    }
    assert declined
    for worker_id, worker in workers:
        batch = fresh_batch_matches(db, worker, limit=20, settings=settings)
        assert batch is not None, worker
        live = matches_for_worker(db, worker, limit=20, settings=settings)
        if worker_id in declined:
            served = served_matches(db, worker, limit=20, settings=settings)
            assert served.source == "live" and _without_source(served.to_json()) == live.to_json()
        else:
            assert _without_source(batch.to_json()) == live.to_json()


def test_batch_equals_live_with_cold_start(db, copy, client, on_day):
    settings = copy[1]
    # Occupations stored by an older reader: the run brings them up to date first.
    db.execute("UPDATE workers SET resume_occupations = 'an-old-version|'")
    summary = run_batch_match(db, settings, client, partition_size=PARTITION, progress=False)
    stored = db.execute("SELECT resume_occupations FROM workers").fetchall()
    assert all(is_current(value) for (value,) in stored)
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
            "SELECT m.worker_id, m.jobs, json_group_array(json_array(f.rank, f.percentile)) "
            "FROM batch_matches AS m LEFT JOIN "
            "(SELECT * FROM batch_match_fits ORDER BY worker_id, rank) AS f "
            "ON f.worker_id = m.worker_id "
            "GROUP BY m.worker_id ORDER BY m.worker_id"
        ).fetchall()
    finally:
        database.close()
    return shortlists, matches


def _done_partitions(db_path: Path, kind: str = "%") -> int:
    database = open_database(db_path)
    try:
        return database.execute(
            "SELECT COUNT(*) FROM batch_partitions WHERE kind LIKE ?", [kind]
        ).fetchone()[0]
    finally:
        database.close()


@pytest.mark.parametrize("phase", ["workers", "jobs"])
def test_a_run_killed_mid_way_resumes_with_the_same_rows(copy, demo, tmp_path, client, phase):
    """Killed once a partition of the phase is stored: the jobs' run resumes from the
    workers' stored matched pairs."""
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
    while _done_partitions(db_path, phase) == 0 and process.poll() is None:
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


def _without_source(document: dict) -> dict:
    return {key: value for key, value in document.items() if key != "source"}


def _reaches(fit: Fit, band: str) -> bool:
    return BANDS.index(fit.band) <= BANDS.index(band_named(band))


def _employer_token(db: Database, job: str) -> str:
    (employer,) = db.execute(
        "SELECT e.name FROM jobs AS j JOIN employers AS e ON e.id = j.employer_id "
        "WHERE j.external_id = ?",
        [job],
    ).fetchone()
    user = accounts.create_user(
        db, email="batch@employer.example", password=PASSWORD, employer_name=employer
    )
    return accounts.create_api_token(db, user.id)


def _assert_pages_read_the_batch(db: Database, app, job: str, worker: str, settings) -> None:
    """The employer's shortlist page and the worker's matches page show the batch's rows."""
    (worker_id,) = db.execute("SELECT id FROM workers WHERE external_id = ?", [worker]).fetchone()
    accounts.create_user(
        db, email="batch@worker.example", password=PASSWORD, role="worker", worker_id=worker_id
    )
    as_worker = app.test_client()
    sign_in(as_worker, "batch@worker.example", PASSWORD)
    page = as_worker.get("/me/matches").get_data(as_text=True)
    assert 'data-source="batch"' in page
    served = served_matches(db, worker, limit=10, settings=settings)
    shown = [m.job for m in served.jobs if f"/me/jobs/{m.job}" in page]
    assert shown and shown == [m.job for m in served.jobs][: len(shown)]
    as_employer = app.test_client()
    sign_in(as_employer, "batch@employer.example", PASSWORD)
    page = as_employer.get(f"/jobs/{job}/shortlist").get_data(as_text=True)
    assert 'data-source="batch"' in page


def test_served_rankings_read_fresh_batch_results_and_fall_back_to_live(db, copy, client, on_day):
    settings = copy[1]
    run_batch_match(db, settings, client, partition_size=PARTITION, progress=False)
    (_, job), (_, worker) = open_job_ids(db)[0], opted_in_worker_ids(db)[0]
    for offset, limit in ((0, 50), (50, 50), (150, 50)):  # pages within K come from the batch
        served = served_shortlist(db, job, limit=limit, offset=offset, settings=settings)
        live = shortlist_for_job(db, job, limit=limit, offset=offset, settings=settings)
        assert served.source == "batch" and served.candidates
        assert _without_source(served.to_json()) == live.to_json()
    deeper = served_shortlist(db, job, limit=20, offset=190, settings=settings)  # past K
    remote = served_shortlist(
        db, job, filters=CandidateFilters(open_to_remote=True), settings=settings
    )
    assert deeper.source == remote.source == "live"
    assert (
        remote.to_json()["candidates"]
        == shortlist_for_job(
            db, job, filters=CandidateFilters(open_to_remote=True), settings=settings
        ).to_json()["candidates"]
    )
    assert served_matches(db, worker, limit=10, settings=settings).source == "batch"
    assert served_matches(db, worker, limit=21, settings=settings).source == "live"  # past N

    app = create_app(test_config={"TESTING": True}, settings=settings)
    headers = {"Authorization": f"Bearer {_employer_token(db, job)}"}
    body = app.test_client().get(f"/api/v1/jobs/{job}/shortlist?limit=10", headers=headers).json
    assert body["source"] == "batch"
    assert (
        _without_source(body) == shortlist_for_job(db, job, limit=10, settings=settings).to_json()
    )
    _assert_pages_read_the_batch(db, app, job, worker, settings)
    arguments = ["--db", str(copy[0]), "--models", str(settings.models_dir)]
    printed = CliRunner().invoke(main, [*arguments, "shortlist", job, "--json", "--top", "5"])
    assert json.loads(printed.output)["source"] == "batch", printed.output

    digests = choose_digests(db, settings, clock.now(), min_band="good")
    assert "batch" in {digest.source for digest in digests}
    for digest in digests:
        matches = served_matches(db, digest.worker_external_id, limit=20, settings=settings)
        good = [m.job for m in matches.jobs if _reaches(m.fit, "good")]
        if digest.source == "batch":  # the best stored jobs of the band
            assert [job.external_id for job in digest.jobs] == good[:DEFAULT_JOBS_PER_DIGEST]
        else:  # the stored best 20 held too few of the band: ranked live
            assert len(good) < DEFAULT_JOBS_PER_DIGEST

    with write_transaction(db):
        db.execute("UPDATE jobs SET title = title || ' (updated)' WHERE external_id = ?", [job])
    assert served_shortlist(db, job, settings=settings).source == "live"  # changed since
    body = app.test_client().get(f"/api/v1/jobs/{job}/shortlist?limit=10", headers=headers).json
    assert body["source"] == "live"
    assert {digest.source for digest in choose_digests(db, settings, clock.now())} == {"live"}


def test_the_nightly_job_runs_batch_match_and_records_its_summary(copy, client, monkeypatch):
    db_path, settings = copy
    monkeypatch.setenv("TALENTMATCH_DASK_SCHEDULER", client.scheduler.address)
    counts = tasks.batch_match(str(db_path), str(settings.models_dir))
    assert counts["jobs"] > 0 and counts["workers"] > 0 and counts["pairs_scored"] > 0
    database = open_database(db_path)
    try:
        status, recorded = database.execute(
            "SELECT status, counts FROM scheduled_job_runs WHERE job_name = 'batch_match'"
        ).fetchone()
        (finished,) = database.execute(
            "SELECT COUNT(*) FROM batch_runs WHERE finished_at IS NOT NULL"
        ).fetchone()
    finally:
        database.close()
    assert status == "succeeded" and json.loads(recorded) == counts and finished == 1


def test_m025_drops_unfinished_runs_of_the_older_plan_and_keeps_finished_ones(tmp_path):
    from matcher.store.migrations import migrations

    database = Database(tmp_path / "old.db")
    migrations.apply(database, stop_before="m025_batch_match_fits")
    run = (
        "INSERT INTO batch_runs (id, model_version, workers_version, jobs_version, computed_on, "
        "top_k, top_n, partition_size, started_at, finished_at) "
        "VALUES (?, 'cold-start', 1, 1, '2026-06-15', 200, 20, 250, '2026-06-15T05:00:00Z', ?)"
    )
    database.execute(run, [1, "2026-06-15T05:10:00Z"])
    database.execute(run, [2, None])  # jobs done, workers not yet: cannot resume in the new order
    for run_id in (1, 2):
        database.execute(
            "INSERT INTO batch_partitions (run_id, kind, number, items, pairs_scored, done_at) "
            "VALUES (?, 'jobs', 0, 0, 0, '2026-06-15T05:01:00Z')",
            [run_id],
        )
    database.conn.commit()

    migrations.apply(database)

    assert database.execute("SELECT id FROM batch_runs").fetchall() == [(1,)]
    assert database.execute("SELECT DISTINCT run_id FROM batch_partitions").fetchall() == [(1,)]
    database.close()


def test_m026_keeps_the_read_fits_by_job_and_drops_unfinished_runs(tmp_path):
    from matcher.store.migrations import migrations

    database = Database(tmp_path / "old.db")
    migrations.apply(database, stop_before="m026_batch_match_fits_by_job")
    run = (
        "INSERT INTO batch_runs (id, model_version, workers_version, jobs_version, computed_on, "
        "top_k, top_n, partition_size, started_at, finished_at) "
        "VALUES (?, 'cold-start', 1, 1, '2026-06-15', 200, 20, 250, '2026-06-15T05:00:00Z', ?)"
    )
    database.execute(run, [1, "2026-06-15T05:10:00Z"])
    database.execute(run, [2, None])
    fit = "INSERT INTO batch_match_fits (worker_id, rank, run_id, job_id, percentile) VALUES "
    database.execute("PRAGMA foreign_keys = OFF")  # no worker or job rows needed
    database.execute(fit + "(3, 1, 1, 7, 88), (4, 1, 2, 7, NULL)")
    database.conn.commit()

    migrations.apply(database)

    assert database.execute("SELECT id FROM batch_runs").fetchall() == [(1,)]
    assert database.execute(
        "SELECT run_id, job_id, worker_id, rank, percentile FROM batch_match_fits"
    ).fetchall() == [(1, 7, 3, 1, 88)]
    database.close()
