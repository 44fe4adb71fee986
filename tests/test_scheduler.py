"""The scheduler process: triggers, job options, the single-instance lock, and each job
function run against a real database."""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
from zoneinfo import ZoneInfo

import pytest
from apscheduler.schedulers.background import BackgroundScheduler
from notification_fixtures import (
    PYTHONISTA,
    FaultySmtpHandler,
    add_subscriber,
    python_jobs,
    start_smtp,
)

from jobs import tasks
from jobs.scheduler import (
    EMPLOYER_EMAILS,
    HOUSEKEEPING,
    MATCH_DIGESTS,
    OUTBOX,
    RETRAIN,
    Schedule,
    SchedulerAlreadyRunning,
    build_scheduler,
    job_table,
    load_schedule,
    single_instance,
)
from matcher.config import Settings
from matcher.notifications.delivery import send_lock

TORONTO = ZoneInfo("America/Toronto")


def triggers(schedule: Schedule | None = None) -> dict:
    schedule = schedule or Schedule()
    return {job_id: trigger for job_id, _, _, trigger in job_table(schedule)}


@pytest.mark.parametrize(
    ("job_id", "now", "expected"),
    [
        (
            RETRAIN,
            dt.datetime(2026, 11, 25, 2, 59, tzinfo=TORONTO),
            dt.datetime(2026, 11, 25, 3, 0),
        ),
        (
            RETRAIN,
            dt.datetime(2026, 11, 25, 3, 0, 1, tzinfo=TORONTO),
            dt.datetime(2026, 11, 26, 3, 0),
        ),
        # The night clocks go forward (2026-03-08): 03:00 local still happens, at 07:00 UTC.
        (RETRAIN, dt.datetime(2026, 3, 8, 1, 0, tzinfo=TORONTO), dt.datetime(2026, 3, 8, 3, 0)),
        (
            MATCH_DIGESTS,
            dt.datetime(2026, 11, 25, 9, 0, tzinfo=TORONTO),
            dt.datetime(2026, 11, 26, 8, 0),
        ),
        (
            HOUSEKEEPING,
            dt.datetime(2026, 11, 25, 0, 0, tzinfo=TORONTO),
            dt.datetime(2026, 11, 25, 4, 30),
        ),
    ],
)
def test_next_fire_time_in_the_scheduler_time_zone(job_id, now, expected):
    fire = triggers()[job_id].get_next_fire_time(None, now)
    assert fire == expected.replace(tzinfo=TORONTO)
    assert fire.utcoffset() == expected.replace(tzinfo=TORONTO).utcoffset()


def test_next_fire_time_from_a_utc_clock_and_a_custom_schedule():
    schedule = load_schedule(
        {
            "TALENTMATCH_SCHEDULER_TIMEZONE": "America/Vancouver",
            "TALENTMATCH_DIGEST_CRON": "0 7 * * mon",
        }
    )
    now = dt.datetime(2026, 11, 25, 12, 0, tzinfo=dt.UTC)  # a Wednesday
    fire = triggers(schedule)[MATCH_DIGESTS].get_next_fire_time(None, now)
    assert fire.astimezone(dt.UTC) == dt.datetime(2026, 11, 30, 15, 0, tzinfo=dt.UTC)


def test_numeric_day_of_week_is_refused():
    # APScheduler would read "1" as Tuesday where crontab means Monday.
    with pytest.raises(ValueError, match="by name"):
        job_table(Schedule(digest_cron="0 7 * * 1"))


def test_jobs_have_fixed_ids_one_instance_coalescing_and_configured_grace(tmp_path):
    settings = Settings(db_path=tmp_path / "tm.db", models_dir=tmp_path / "models")
    schedule = load_schedule({"TALENTMATCH_MISFIRE_GRACE_SECONDS": "120"})
    scheduler = build_scheduler(settings, schedule, BackgroundScheduler)
    build_again = build_scheduler(settings, schedule, BackgroundScheduler)
    ids = [RETRAIN, MATCH_DIGESTS, EMPLOYER_EMAILS, OUTBOX, HOUSEKEEPING]
    assert [job.id for job in scheduler.get_jobs()] == ids
    assert len(build_again.get_jobs()) == 5
    for job in scheduler.get_jobs():
        assert (job.coalesce, job.max_instances, job.misfire_grace_time) == (True, 1, 120)
        assert job.kwargs == {
            "db_path": str(settings.db_path),
            "models_dir": str(settings.models_dir),
        }
        assert job.func.__module__ == "jobs.tasks"


def test_single_instance_lock(tmp_path):
    lock = tmp_path / "tm.db.scheduler.lock"
    with single_instance(lock):
        with pytest.raises(SchedulerAlreadyRunning):
            with single_instance(lock):
                pass
    with single_instance(lock):
        pass


def test_scheduler_list_shows_jobs_and_next_runs(run_cli):
    result = run_cli(
        "scheduler", "--list", env={"TALENTMATCH_SCHEDULER_TIMEZONE": "UTC"}, check=True
    )
    lines = result.stdout.splitlines()
    assert lines[0] == "time zone UTC, misfire grace 3600s"
    for job_id, hour in (
        (RETRAIN, "03:00:00"),
        (MATCH_DIGESTS, "08:00:00"),
        (HOUSEKEEPING, "04:30:00"),
        (EMPLOYER_EMAILS, "08:00:00"),
    ):
        [line] = [line for line in lines if line.startswith(job_id + " ")]
        assert f"T{hour}+00:00" in line


def wait_for_line(stream, text: str, max_lines: int = 50) -> bool:
    """Read `stream` until a line contains `text` (False at end of stream)."""
    for _ in range(max_lines):
        line = stream.readline()
        if not line or text in line:
            return bool(line)
    return False


def test_second_scheduler_refuses_to_start(db_path, models_dir, run_cli):
    env = {**os.environ, "TALENTMATCH_DB": str(db_path), "TALENTMATCH_MODELS": str(models_dir)}
    with subprocess.Popen(
        [sys.executable, "-m", "matcher", "scheduler"], env=env, stderr=subprocess.PIPE, text=True
    ) as first:
        try:
            assert wait_for_line(first.stderr, "scheduler running with 5 jobs")
            second = run_cli("scheduler")
            assert second.returncode != 0
            assert "another scheduler is already running" in second.stderr
        finally:
            first.terminate()
            first.wait(30)
    assert first.returncode == 0, "SIGTERM shuts the scheduler down cleanly"


def runs(db) -> list[tuple]:
    return db.execute(
        "SELECT job_name, status, error, counts, finished_at IS NOT NULL FROM scheduled_job_runs"
    ).fetchall()


def test_digest_job_sends_and_records_its_run(db, db_path, models_dir, monkeypatch):
    handler = FaultySmtpHandler()
    controller = start_smtp(handler)
    monkeypatch.setenv("TALENTMATCH_SMTP_PORT", str(controller.port))
    add_subscriber(db, "W1", **PYTHONISTA)
    python_jobs(db)
    try:
        counts = tasks.send_match_digests(str(db_path), str(models_dir))
    finally:
        controller.stop()
    assert handler.recipients() == ["w1@example.com"]
    [(name, status, error, recorded, finished)] = runs(db)
    assert (name, status, error, finished) == ("match_digests", "succeeded", None, 1)
    assert json.loads(recorded) == counts
    assert counts["sent"] == 1 and counts["digests"] == 1


def test_failed_job_records_the_error(db, db_path, models_dir):
    add_subscriber(db, "W1", **PYTHONISTA)
    python_jobs(db)
    with send_lock(db_path), pytest.raises(RuntimeError):
        tasks.send_match_digests(str(db_path), str(models_dir))
    [(name, status, error, _, finished)] = runs(db)
    assert (name, status, finished) == ("match_digests", "failed", 1)
    assert "another sender holds" in error


def test_housekeeping_clears_expired_rows_only(db, db_path, models_dir):
    now = dt.datetime(2026, 11, 25, 4, 30, tzinfo=dt.UTC)
    db.execute(
        "INSERT INTO sign_in_failures (email, at) VALUES ('a@x.ca', '2026-11-01T00:00:00Z'),"
        " ('b@x.ca', '2026-11-24T00:00:00Z')"
    )
    db.execute(
        "INSERT INTO scheduled_job_runs (job_name, started_at, status) VALUES"
        " ('retrain', '2026-11-24T03:00:00Z', 'running'),"
        " ('retrain', '2026-11-25T03:00:00Z', 'running'),"
        " ('retrain', '2025-01-01T03:00:00Z', 'succeeded')"
    )
    counts = tasks.housekeeping(str(db_path), str(models_dir), now=now)
    assert counts["sign_in_failures"] == 1 and counts["job_runs"] == 1
    assert counts["abandoned_runs"] == 1
    assert db.execute("SELECT email FROM sign_in_failures").fetchall() == [("b@x.ca",)]
    statuses = db.execute(
        "SELECT started_at, status FROM scheduled_job_runs ORDER BY id"
    ).fetchall()
    assert statuses[:2] == [("2026-11-24T03:00:00Z", "failed"), ("2026-11-25T03:00:00Z", "running")]
    assert statuses[2][1] == "succeeded", "housekeeping records its own run"


def test_retrain_job_skips_without_outcomes_and_records_it(db, db_path, models_dir):
    counts = tasks.retrain_models(str(db_path), str(models_dir))
    assert counts["trained"] == 0 and "skipped" in counts
    [(name, status, error, recorded, _)] = runs(db)
    assert (name, status, error) == ("retrain", "succeeded", None)
    assert json.loads(recorded) == counts


@pytest.mark.slow
def test_retrain_job_trains_and_the_serving_scorer_follows_the_champion(db, db_path, models_dir):
    from matcher import registry
    from matcher.demo import build_demo
    from matcher.ranking.scorers import load_serving_scorer

    build_demo(db, workers=2000, jobs=150, seed=7)  # the `make run` demo
    settings = Settings(db_path=db_path, models_dir=models_dir)
    before = load_serving_scorer(db, settings).version

    counts = tasks.retrain_models(str(db_path), str(models_dir))

    # The job trained, registered and recorded a version; whether it was promoted is the
    # significance rule's call (on ~23 held-out demo jobs the gain's interval includes 0).
    assert counts["trained"] == 1
    [(name, status, _, recorded, _)] = runs(db)
    assert (name, status) == ("retrain", "succeeded")
    assert json.loads(recorded)["version"] == counts["version"]
    assert "rule" in counts["reason"], "the decision says which rule decided"
    champion = registry.champion_version(db)
    assert (champion == counts["version"]) is counts["promoted"]
    serving = load_serving_scorer(db, settings).version
    assert serving == (champion if champion is not None else before)

    # Promoting the trained version switches what is served from the next call, no restart.
    registry.promote(db, counts["version"], "test: promoted explicitly")
    assert registry.champion_version(db) == counts["version"]
    assert load_serving_scorer(db, settings).version == counts["version"] != before
