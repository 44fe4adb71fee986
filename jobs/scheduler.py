"""The scheduler process: which jobs run when, and the lock that keeps it to one instance per
database.

Schedules come from `Settings` (`matcher.config`, read from the environment or `.env`): the
time zone of the cron times (`scheduler_timezone`), one `*_cron` field per job, and how late
a missed run may still start (`misfire_grace_seconds`; runs missed by more are skipped, and
several missed runs coalesce into one). The README's configuration table lists their
variables and defaults. Retraining runs before `batch_match`, which runs before the digests
that read its results.

Cron expressions have the five crontab fields; write the day of the week as a name
(`mon`, `sat-sun`): APScheduler 3 numbers days from Monday = 0, unlike crontab, so a
number there would silently mean another day and is refused.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import fcntl
import os
from collections.abc import Iterator
from pathlib import Path
from zoneinfo import ZoneInfo

from apscheduler.schedulers.base import BaseScheduler
from apscheduler.schedulers.blocking import BlockingScheduler
from apscheduler.triggers.cron import CronTrigger

from jobs import tasks
from matcher.config import Settings, load_settings
from matcher.store import open_database

RETRAIN = "retrain"
MATCH_DIGESTS = "match_digests"
EMPLOYER_EMAILS = "employer_emails"
OUTBOX = "outbox"
HOUSEKEEPING = "housekeeping"
BATCH_MATCH = "batch_match"


class SchedulerAlreadyRunning(RuntimeError):
    """Another scheduler process holds the lock for this database."""


# The settings the scheduler reads: its time zone, each job's cron and the misfire grace.
Schedule = Settings


def load_schedule(environ: dict[str, str] | None = None) -> Schedule:
    """The schedule from `environ` (default: the process environment plus `.env`)."""
    return load_settings(environ)


def cron_trigger(expression: str, zone: ZoneInfo) -> CronTrigger:
    """A trigger from a five-field crontab expression whose day of the week is by name."""
    fields = expression.split()
    if len(fields) != 5:
        raise ValueError(f"cron expression {expression!r} needs 5 fields")
    if any(character.isdigit() for character in fields[4]):
        raise ValueError(f"write the day of the week by name (mon, tue, ...) in {expression!r}")
    return CronTrigger.from_crontab(expression, timezone=zone)


def job_table(schedule: Schedule) -> list[tuple[str, str, object, CronTrigger]]:
    """(id, description, function, trigger) of every scheduled job."""
    zone = ZoneInfo(schedule.scheduler_timezone)
    return [
        (
            RETRAIN,
            "Retrain on outcomes; promote only past the champion gate",
            tasks.retrain_models,
            cron_trigger(schedule.retrain_cron, zone),
        ),
        (
            BATCH_MATCH,
            "Rank every open job and opted-in worker on Dask for the day's readers",
            tasks.batch_match,
            cron_trigger(schedule.batch_match_cron, zone),
        ),
        (
            MATCH_DIGESTS,
            "Match emails to opted-in workers (daily or weekly each)",
            tasks.send_match_digests,
            cron_trigger(schedule.digest_cron, zone),
        ),
        (
            EMPLOYER_EMAILS,
            "New strong matches to employer users who opted in",
            tasks.send_employer_emails,
            cron_trigger(schedule.employer_emails_cron, zone),
        ),
        (
            OUTBOX,
            "Deliver due emails (contact requests and answers, retries)",
            tasks.deliver_outbox,
            cron_trigger(schedule.outbox_cron, zone),
        ),
        (
            HOUSEKEEPING,
            "Clear ended sessions, old sign-in failures, old runs and emails",
            tasks.housekeeping,
            cron_trigger(schedule.housekeeping_cron, zone),
        ),
    ]


def build_scheduler(
    settings: Settings, schedule: Schedule, scheduler_class: type[BaseScheduler] = BlockingScheduler
) -> BaseScheduler:
    """A scheduler (not started) holding every job under its fixed id."""
    scheduler = scheduler_class(timezone=ZoneInfo(schedule.scheduler_timezone))
    job_arguments = {"db_path": str(settings.db_path), "models_dir": str(settings.models_dir)}
    for job_id, description, function, trigger in job_table(schedule):
        scheduler.add_job(
            function,
            trigger,
            id=job_id,
            name=description,
            kwargs=job_arguments,
            replace_existing=True,
            coalesce=True,
            max_instances=1,
            misfire_grace_time=schedule.misfire_grace_seconds,
        )
    return scheduler


def next_runs(schedule: Schedule, now: dt.datetime) -> list[tuple[str, str, dt.datetime | None]]:
    """(id, description, next run time) of every job after the aware datetime `now`."""
    return [
        (job_id, description, trigger.get_next_fire_time(None, now))
        for job_id, description, _, trigger in job_table(schedule)
    ]


# Descriptors of database files this process has locked, by file identity (st_dev, st_ino):
# never closed (see single_instance), and whether this process holds the lock now.
_LOCK_DESCRIPTORS: dict[tuple[int, int], int] = {}
_HELD: set[tuple[int, int]] = set()


def _file_identity(path: Path) -> tuple[int, int]:
    status = os.stat(path)
    return status.st_dev, status.st_ino


def _database_descriptor(identity: tuple[int, int], db_path: Path) -> int:
    """One descriptor of the database file per identity and process."""
    if identity not in _LOCK_DESCRIPTORS:
        _LOCK_DESCRIPTORS[identity] = os.open(db_path, os.O_RDONLY)
    return _LOCK_DESCRIPTORS[identity]


@contextlib.contextmanager
def single_instance(db_path: Path) -> Iterator[None]:
    """Hold an exclusive lock on the database file for the life of the scheduler, or raise
    SchedulerAlreadyRunning.

    The lock is a flock on the database file itself, so it follows the file's identity, not
    the path string: a symlink, a hard link or a `./` prefix reaches the same lock. SQLite
    locks with POSIX byte-range locks, which are independent of flock on Linux. Closing any
    descriptor of the file would drop this process's POSIX locks (SQLite's), so the
    descriptor is kept open and only unlocked. The kernel drops the flock when the process
    dies, so a crashed scheduler never blocks the next one.
    """
    open_database(db_path).close()  # creates the file (and its schema) if it is new
    identity = _file_identity(Path(db_path))
    descriptor = _database_descriptor(identity, Path(db_path))
    try:
        if identity in _HELD:
            raise BlockingIOError
        fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError as error:
        raise SchedulerAlreadyRunning(
            f"another scheduler is already running on the database {db_path}"
        ) from error
    _HELD.add(identity)
    try:
        yield
    finally:
        _HELD.discard(identity)
        fcntl.flock(descriptor, fcntl.LOCK_UN)
