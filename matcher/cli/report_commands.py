"""`talentmatch report JOB_ID [--json]`: a job's hiring funnel."""

from __future__ import annotations

import json

import click

from matcher.cli.context import CliContext


def _print_report(report: dict) -> None:
    click.echo(f"{report['job']}: {report['candidates']} candidate(s) with activity")
    for stage in report["stages"]:
        click.echo(
            f"  {stage['label']:<12} reached {stage['reached']:>5}  now {stage['current']:>5}"
        )
    closed = report["closed"]
    click.echo(f"  {'Rejected':<12} now {closed['rejected']:>5}")
    click.echo(f"  {'Withdrawn':<12} now {closed['withdrawn']:>5}")
    for step in report["conversions"]:
        rate = "-" if step["rate"] is None else f"{step['rate']:.0%}"
        days = "-" if step["median_days"] is None else f"{step['median_days']:g} days"
        click.echo(f"  {step['from']} -> {step['to']}: {rate}, median {days}")
    if report["median_days_to_hire"] is not None:
        click.echo(f"  median time to hire: {report['median_days_to_hire']:g} days")


@click.command("report")
@click.argument("job_id")
@click.option("--json", "as_json", is_flag=True, help="Print the API's JSON shape.")
@click.pass_obj
def report_command(context: CliContext, job_id: str, as_json: bool) -> None:
    """The hiring funnel of the job JOB_ID (its external id): stages, conversions, days."""
    from matcher.errors import NotFound
    from matcher.hiring.funnel import funnel_for_job

    try:
        report = funnel_for_job(context.db, job_id)
    except NotFound as error:
        raise click.ClickException(f"no job {error.external_id!r}") from error
    if as_json:
        click.echo(json.dumps(report, ensure_ascii=False))
    else:
        _print_report(report)


COMMANDS: list[click.Command] = [report_command]
