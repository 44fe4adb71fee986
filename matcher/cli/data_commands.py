"""`talentmatch import` and `talentmatch export`: the public CSV / JSON Lines formats."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from matcher.cli.context import CliContext

# Files at least this big get a progress bar even when stderr is not a terminal.
LARGE_FILE_BYTES = 20 * 1024 * 1024
# The names in `matcher.importing.KINDS`, spelled out so that start-up does not load the
# importer (and sqlite-utils); tests/test_cli_startup.py checks the two agree.
KIND_NAMES = ("workers", "jobs", "outcomes")

kind_argument = click.argument("kind", type=click.Choice(KIND_NAMES))
format_option = click.option(
    "--format",
    "fmt",
    type=click.Choice(["csv", "jsonl"]),
    help="File format; by default from the extension (.csv, .jsonl, .ndjson).",
)


@click.command("import")
@kind_argument
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@format_option
@click.pass_obj
def import_command(obj: CliContext, kind: str, file: Path, fmt: str | None) -> None:
    """Import workers, jobs or outcomes from FILE; exits 1 if any row was rejected."""
    from matcher.importing import ImportFileError, import_file

    progress = sys.stderr.isatty() or file.stat().st_size >= LARGE_FILE_BYTES
    try:
        report = import_file(obj.db, kind, file, fmt, progress=progress)
    except ImportFileError as error:
        raise click.ClickException(f"{file}: {error}; nothing was imported") from None
    for warning in report.warnings:
        click.echo(f"warning: {warning}", err=True)
    click.echo(f"{kind}: {report.summary()}")
    for rejected in report.rejected:
        click.echo(str(rejected))
    if report.rejected:
        click.get_current_context().exit(1)


@click.command("export")
@kind_argument
@click.argument("file", type=click.Path(dir_okay=False, writable=True, path_type=Path))
@format_option
@click.option(
    "--spreadsheet-safe",
    is_flag=True,
    help="CSV: write cells a spreadsheet would run as a formula as text (not for re-import).",
)
@click.pass_obj
def export_command(
    obj: CliContext, kind: str, file: Path, fmt: str | None, spreadsheet_safe: bool
) -> None:
    """Export every worker, job or outcome to FILE, in the format `import` reads."""
    from matcher.importing import ImportFileError, export_file

    try:
        count = export_file(obj.db, kind, file, fmt, spreadsheet_safe=spreadsheet_safe)
    except ImportFileError as error:
        raise click.ClickException(str(error)) from None
    click.echo(f"exported {count} {kind} to {file}")


COMMANDS: list[click.Command] = [import_command, export_command]
