"""The `talentmatch` command line.

Each feature keeps its commands in its own module here and lists them in `COMMANDS`;
`serve` and `scheduler` come from `web` and `jobs` through the `talentmatch.commands`
entry point group, so this package never imports Flask or APScheduler.

Start-up stays fast because nothing heavy loads before a command runs: the command modules
import their libraries (scikit-learn, sqlite-utils, ...) inside the command functions, and an
entry point's module loads only when its command runs or `--help` lists it.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

import click

from matcher.cli import (
    account_commands,
    batch_commands,
    data_commands,
    demo_commands,
    email_commands,
    job_commands,
    ranking_commands,
    report_commands,
    shortlist_commands,
    skills_commands,
)
from matcher.cli.context import CliContext
from matcher.config import load_settings

if TYPE_CHECKING:
    from importlib.metadata import EntryPoint

ENTRY_POINT_GROUP = "talentmatch.commands"

FEATURE_MODULES = (
    data_commands,
    demo_commands,
    skills_commands,
    job_commands,
    ranking_commands,
    shortlist_commands,
    account_commands,
    email_commands,
    report_commands,
    batch_commands,
)


@cache
def _registered_commands() -> dict[str, EntryPoint]:
    """The commands other packages register, by name, not yet loaded."""
    from importlib.metadata import entry_points

    return {entry_point.name: entry_point for entry_point in entry_points(group=ENTRY_POINT_GROUP)}


class TalentmatchGroup(click.Group):
    """The feature commands, plus registered ones loaded only when first looked up."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*self.commands, *_registered_commands()})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        command = self.commands.get(cmd_name)
        if command is None and cmd_name in _registered_commands():
            command = _registered_commands()[cmd_name].load()
            self.add_command(command, cmd_name)
        return command


@click.group(cls=TalentmatchGroup, context_settings={"help_option_names": ["-h", "--help"]})
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
