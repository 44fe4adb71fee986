"""`talentmatch shortlist` and `talentmatch matches`: ranked candidates and jobs, with reasons."""

from __future__ import annotations

import json
import sys
from typing import TYPE_CHECKING

import click

from matcher.cli.context import CliContext

if TYPE_CHECKING:  # ranking loads scikit-learn: imported only when a command runs
    from matcher.fit import Fit
    from matcher.presentation import Audience
    from matcher.ranking.shortlists import Matches, Shortlist


def _load_sqlite_utils_without_pandas() -> None:
    """Import sqlite-utils, if not yet imported, without it importing pandas.

    sqlite-utils imports pandas when installed only to store `pandas.Timestamp` values on
    insert, which ranking never does; pandas' import is about 0.4 s of CPU, a good part of
    `talentmatch shortlist`'s one-second target. A later `import pandas` works as usual.
    """
    if "sqlite_utils" in sys.modules or "pandas" in sys.modules:
        return
    sys.modules["pandas"] = None  # type: ignore[assignment]  # import pandas -> ImportError
    try:
        import sqlite_utils  # noqa: F401
    finally:
        del sys.modules["pandas"]


def _fit_and_reasons(fit: Fit | None, explanation: dict, audience: Audience) -> str:
    """The pair's fit and reasons in the presenter's words, on one line."""
    from matcher.presentation import explanation_items, fit_text, items_text

    reasons = items_text(explanation_items(explanation, audience))
    return f"{fit_text(fit)}  {reasons}" if fit else reasons


def _print_shortlist(shortlist: Shortlist) -> None:
    job = shortlist.job_profile
    heading = f"{shortlist.job}" + (f" {job.title} ({job.employer}, {job.city})" if job else "")
    click.echo(f"{heading}: {shortlist.total} eligible, model {shortlist.model_version}")
    for candidate in shortlist.candidates:
        reasons = _fit_and_reasons(candidate.fit, candidate.explanation, "employer")
        click.echo(f"{candidate.rank:>4}. {candidate.worker:<12} {reasons}")


def _print_matches(matches: Matches) -> None:
    click.echo(f"{matches.worker}: {len(matches.jobs)} jobs, model {matches.model_version}")
    for match in matches.jobs:
        reasons = _fit_and_reasons(match.fit, match.explanation, "worker")
        click.echo(f"{match.rank:>4}. {match.job:<12} {match.title} ({match.employer})  {reasons}")


@click.command("shortlist")
@click.argument("job_id")
@click.option("--top", "top", default=50, show_default=True, type=click.IntRange(min=1))
@click.option("--json", "as_json", is_flag=True, help="Print PRODUCT.md's JSON shape.")
@click.pass_obj
def shortlist_command(context: CliContext, job_id: str, top: int, as_json: bool) -> None:
    """Ranked candidates for the job JOB_ID (its external id), with the reasons."""
    _load_sqlite_utils_without_pandas()
    from matcher.batch.serving import served_shortlist
    from matcher.ranking.shortlists import NotFound

    try:
        shortlist = served_shortlist(context.db, job_id, limit=top, settings=context.settings)
    except NotFound as error:
        raise click.ClickException(str(error)) from error
    if as_json:
        click.echo(json.dumps(shortlist.to_json(), ensure_ascii=False))
    else:
        _print_shortlist(shortlist)


@click.command("matches")
@click.argument("worker_id")
@click.option("--top", "top", default=10, show_default=True, type=click.IntRange(min=1))
@click.option("--json", "as_json", is_flag=True, help="Print PRODUCT.md's JSON shape.")
@click.pass_obj
def matches_command(context: CliContext, worker_id: str, top: int, as_json: bool) -> None:
    """The open jobs that fit the worker WORKER_ID (its external id) best, with the reasons."""
    _load_sqlite_utils_without_pandas()
    from matcher.batch.serving import served_matches
    from matcher.ranking.shortlists import NotFound

    try:
        matches = served_matches(context.db, worker_id, limit=top, settings=context.settings)
    except NotFound as error:
        raise click.ClickException(str(error)) from error
    if as_json:
        click.echo(json.dumps(matches.to_json(), ensure_ascii=False))
    else:
        _print_matches(matches)


COMMANDS: list[click.Command] = [shortlist_command, matches_command]
