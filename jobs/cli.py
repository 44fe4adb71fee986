"""`talentmatch scheduler`: the scheduler process."""

from __future__ import annotations

import datetime as dt
import logging
import signal

import click


@click.command("scheduler")
@click.option("--list", "list_jobs", is_flag=True, help="Show the jobs and their next run times.")
@click.pass_obj
def scheduler_command(cli, list_jobs: bool) -> None:
    """Run the scheduled jobs in this process (one instance at a time)."""
    if list_jobs:
        _print_jobs(cli.settings)
        return
    _run_scheduler(cli.settings, cli.settings)


def _print_jobs(schedule) -> None:
    from jobs.scheduler import next_runs

    now = dt.datetime.now(dt.UTC)
    zone, grace = schedule.scheduler_timezone, schedule.misfire_grace_seconds
    click.echo(f"time zone {zone}, misfire grace {grace}s")
    for job_id, description, next_run in next_runs(schedule, now):
        when = next_run.isoformat() if next_run else "never"
        click.echo(f"{job_id:<15} next run {when:<27} {description}")


def _run_scheduler(settings, schedule) -> None:
    from jobs.scheduler import (
        SchedulerAlreadyRunning,
        build_scheduler,
        single_instance,
    )

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    try:
        with single_instance(settings.db_path):
            scheduler = build_scheduler(settings, schedule)
            signal.signal(signal.SIGTERM, lambda *_: scheduler.shutdown(wait=False))
            click.echo(f"scheduler running with {len(scheduler.get_jobs())} jobs", err=True)
            try:
                scheduler.start()
            except KeyboardInterrupt:
                pass
    except SchedulerAlreadyRunning as error:
        raise click.ClickException(str(error)) from error
