"""`talentmatch jobs`: what a posting's free text states, as the jobs contract's fields."""

from __future__ import annotations

import click


@click.group("jobs")
def jobs_group() -> None:
    """Read job fields from postings."""


@jobs_group.command("extract")
@click.argument("source", type=click.File("r", encoding="utf-8"))
def extract_command(source) -> None:
    """Print the job fields read from SOURCE (a file, or - for standard input) as JSON."""
    import json

    from matcher.postings import extract_job_fields

    click.echo(json.dumps(extract_job_fields(source.read()), ensure_ascii=False, indent=2))


COMMANDS: list[click.Command] = [jobs_group]
