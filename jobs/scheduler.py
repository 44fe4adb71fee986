"""The scheduler process: which jobs run when, and the lock that keeps it to one instance.

Schedules come from `Settings` (`matcher.config`, read from the environment or `.env`):

- `TALENTMATCH_SCHEDULER_TIMEZONE` (default `America/Toronto`): the zone of the cron times.
- `TALENTMATCH_RETRAIN_CRON` (default `0 3 * * *`): retraining, nightly.
- `TALENTMATCH_DIGEST_CRON` (default `0 8 * * *`): match digests. Daily; each worker's
  frequency (daily, weekly, off) decides whether this run mails them, since a worker gets
  one digest per period (a day, or an ISO week).
- `TALENTMATCH_EMPLOYER_EMAILS_CRON` (default `0 8 * * *`): employers' daily "new strong
  matches" email, to the users who opted in.
- `TALENTMATCH_OUTBOX_CRON` (default `* * * * *`): delivering what is due in the outbox
  (contact-request emails the web app could not send at once, retries after failures).
- `TALENTMATCH_HOUSEKEEPING_CRON` (default `30 4 * * *`): clearing expired rows.
- `TALENTMATCH_MISFIRE_GRACE_SECONDS` (default 3600): how late a missed run may still start
  (after downtime); runs missed by more are skipped, and several missed runs coalesce
  into one.

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
from dataclasses import dataclass
from pathlib import Path
from zoneinfo import ZoneInfo

from apscheduler.schedulers.base import BaseScheduler
from apscheduler.schedulers.blocking import BlockingScheduler
from apscheduler.triggers.cron import CronTrigger

from jobs import tasks
from matcher.config import Settings, load_settings

RETRAIN = "retrain"
MATCH_DIGESTS = "match_digests"
EMPLOYER_EMAILS = "employer_emails"
OUTBOX = "outbox"
HOUSEKEEPING = "housekeeping"


class SchedulerAlreadyRunning(RuntimeError):
    """Another scheduler process holds the lock for this database."""


@dataclass(frozen=True)
class Schedule:
    """When each job runs, and how late a missed run may start (defaults: `Settings`'s)."""

    timezone: str = Settings.scheduler_timezone
    retrain_cron: str = Settings.retrain_cron
    digest_cron: str = Settings.digest_cron
    employer_emails_cron: str = Settings.employer_emails_cron
    outbox_cron: str = Settings.outbox_cron
    housekeeping_cron: str = Settings.housekeeping_cron
    misfire_grace_seconds: int = Settings.misfire_grace_seconds


def schedule_from_settings(settings: Settings) -> Schedule:
    """The schedule the settings configure."""
    return Schedule(
        timezone=settings.scheduler_timezone,
        retrain_cron=settings.retrain_cron,
        digest_cron=settings.digest_cron,
        employer_emails_cron=settings.employer_emails_cron,
        outbox_cron=settings.outbox_cron,
        housekeeping_cron=settings.housekeeping_cron,
        misfire_grace_seconds=settings.misfire_grace_seconds,
    )


def load_schedule(environ: dict[str, str] | None = None) -> Schedule:
    """The schedule from `environ` (default: the process environment plus `.env`)."""
    return schedule_from_settings(load_settings(environ))


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
    zone = ZoneInfo(schedule.timezone)
    return [
        (
            RETRAIN,
            "Retrain on outcomes; promote only past the champion gate",
            tasks.retrain_models,
            cron_trigger(schedule.retrain_cron, zone),
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
    scheduler = scheduler_class(timezone=ZoneInfo(schedule.timezone))
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


def lock_path_for(settings: Settings) -> Path:
    return Path(f"{settings.db_path}.scheduler.lock")


@contextlib.contextmanager
def single_instance(lock_path: Path) -> Iterator[None]:
    """Hold an exclusive lock for the life of the scheduler, or raise SchedulerAlreadyRunning.

    The kernel drops a flock when its process dies, so a crashed scheduler never blocks
    the next one.
    """
    lock_path.parent.mkdir(parents=True, exist_ok=True)
    with open(lock_path, "a+") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError as error:
            raise SchedulerAlreadyRunning(
                f"another scheduler is already running (lock {lock_path})"
            ) from error
        handle.truncate(0)
        handle.write(f"{os.getpid()}\n")
        handle.flush()
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)
