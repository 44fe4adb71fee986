"""The `demo` command: build the demo data set in the configured database."""

from __future__ import annotations

import datetime as dt

import click

from matcher.cli.context import CliContext

# `matcher.demo`'s defaults, spelled out so that start-up does not load the demo builder
# (numpy, sqlite-utils); tests/test_cli_startup.py checks the two agree.
DEFAULT_WORKERS = 2000
DEFAULT_JOBS = 150
DEFAULT_SEED = 7


@click.command("demo")
@click.option("--workers", default=DEFAULT_WORKERS, show_default=True, type=click.IntRange(1))
@click.option("--jobs", default=DEFAULT_JOBS, show_default=True, type=click.IntRange(1))
@click.option("--seed", default=DEFAULT_SEED, show_default=True, type=int)
@click.option(
    "--as-of",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    help="Date the demo treats as today (default: today, UTC); fixes every date for a seed.",
)
@click.option(
    "--if-empty",
    is_flag=True,
    help="Keep a database that already has data and exit 0 (for `make run`).",
)
@click.pass_obj
def demo_command(
    cli: CliContext,
    workers: int,
    jobs: int,
    seed: int,
    as_of: dt.datetime | None,
    if_empty: bool,
) -> None:
    """Build a realistic demo data set with hiring outcomes in an empty database."""
    from matcher.demo import DemoError, build_demo
    from matcher.demo.build import tables_with_data

    if if_empty and tables_with_data(cli.db):
        click.echo(f"{cli.settings.db_path} already has data; keeping it")
        return
    try:
        summary = build_demo(
            cli.db, workers=workers, jobs=jobs, seed=seed, as_of=as_of.date() if as_of else None
        )
    except DemoError as error:
        raise click.ClickException(str(error)) from error
    for line in summary.lines():
        click.echo(line)


COMMANDS: list[click.Command] = [demo_command]
