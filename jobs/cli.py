"""`talentmatch scheduler`: the scheduler process."""

from __future__ import annotations

import click


@click.command("scheduler")
@click.option("--list", "list_jobs", is_flag=True, help="Show the jobs and their next run times.")
@click.pass_obj
def scheduler_command(cli, list_jobs: bool) -> None:
    """Run the scheduled jobs in this process (one instance at a time)."""
    raise click.ClickException("the scheduler is not built yet")
