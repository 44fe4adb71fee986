"""`talentmatch skills`: normalise skill terms and extract skills from text, without a database."""

from __future__ import annotations

import sys

import click


@click.group("skills")
def skills_group() -> None:
    """Normalise skill terms and find skills in free text."""


@skills_group.command("normalize")
@click.argument("terms", nargs=-1, required=True)
def normalize_command(terms: tuple[str, ...]) -> None:
    """Print the canonical skill of each TERM, one per line; exit 1 if any is unrecognised."""
    from matcher.skills import normalize_skill

    unrecognised = 0
    for term in terms:
        skill = normalize_skill(term)
        if skill is None:
            unrecognised += 1
            click.echo(f"{term}: (unrecognised)")
        else:
            click.echo(skill)
    if unrecognised:
        sys.exit(1)


@skills_group.command("extract")
@click.argument("source", type=click.File("r", encoding="utf-8"))
def extract_command(source) -> None:
    """Print the skills found in the text of SOURCE (a file, or - for standard input)."""
    from matcher.skills import extract_skills

    for skill in extract_skills(source.read()):
        click.echo(skill)


COMMANDS: list[click.Command] = [skills_group]
