"""The `talentmatch` command line.

Each feature keeps its commands in its own module here and lists them in `COMMANDS`;
`serve` and `scheduler` come from `web` and `jobs` through the `talentmatch.commands`
entry point group, so this package never imports Flask or APScheduler.
"""

from __future__ import annotations

from importlib.metadata import entry_points
from pathlib import Path

import click

from matcher.cli import (
    account_commands,
    data_commands,
    demo_commands,
    email_commands,
    ranking_commands,
    shortlist_commands,
    skills_commands,
)
from matcher.cli.context import CliContext
from matcher.config import load_settings

FEATURE_MODULES = (
    data_commands,
    demo_commands,
    skills_commands,
    ranking_commands,
    shortlist_commands,
    account_commands,
    email_commands,
)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--db", type=click.Path(path_type=Path), help="SQLite file [TALENTMATCH_DB].")
@click.option(
    "--models", type=click.Path(path_type=Path), help="Model registry folder [TALENTMATCH_MODELS]."
)
@click.pass_context
def main(ctx: click.Context, db: Path | None, models: Path | None) -> None:
    """talentmatch: rank tech workers relocating to Canada for the jobs that fit them."""
    settings = load_settings().with_overrides(db_path=db, models_dir=models)
    ctx.obj = CliContext(settings)
    ctx.call_on_close(ctx.obj.close)


for module in FEATURE_MODULES:
    for command in module.COMMANDS:
        main.add_command(command)

for entry_point in entry_points(group="talentmatch.commands"):
    main.add_command(entry_point.load(), entry_point.name)
