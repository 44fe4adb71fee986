"""`talentmatch batch-match`: every open job's candidates and every opted-in worker's jobs."""

from __future__ import annotations

import json

import click

from matcher.cli.context import CliContext


@click.command("batch-match")
@click.option("--scheduler", help="Dask scheduler address [TALENTMATCH_DASK_SCHEDULER].")
@click.option(
    "--top-k",
    type=click.IntRange(min=1),
    default=200,
    show_default=True,
    help="Candidates kept per job.",
)
@click.option(
    "--top-n",
    type=click.IntRange(min=1),
    default=20,
    show_default=True,
    help="Jobs kept per opted-in worker.",
)
@click.option(
    "--partition-size",
    type=click.IntRange(min=1),
    default=250,
    show_default=True,
    help="Jobs or workers per Dask task.",
)
@click.option(
    "--dask-workers",
    type=click.IntRange(min=1),
    help="Worker processes of the local cluster [one per core].",
)
@click.option("--json", "as_json", is_flag=True, help="Print the summary as a JSON object.")
@click.pass_obj
def batch_match_command(
    ctx: CliContext,
    scheduler: str | None,
    top_k: int,
    top_n: int,
    partition_size: int,
    dask_workers: int | None,
    as_json: bool,
) -> None:
    """Rank every open job and opted-in worker on Dask and store the results."""
    from matcher.batch import run_batch_match
    from matcher.batch.cluster import dask_client

    address = scheduler or ctx.settings.dask_scheduler
    with dask_client(address, n_workers=dask_workers) as client:
        summary = run_batch_match(
            ctx.db, ctx.settings, client, top_k=top_k, top_n=top_n, partition_size=partition_size
        )
    click.echo(json.dumps(summary.to_json()) if as_json else summary.line())


COMMANDS = [batch_match_command]
