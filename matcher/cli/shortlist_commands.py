"""`talentmatch shortlist` and `talentmatch matches`: ranked candidates and jobs, with reasons."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

import click

from matcher.cli.context import CliContext

if TYPE_CHECKING:  # ranking loads scikit-learn: imported only when a command runs
    from matcher.ranking.shortlists import Matches, Shortlist


def _skills_summary(explanation: dict) -> str:
    matched, missing = explanation["matched_skills"], explanation["missing_skills"]
    summary = f"skills {len(matched)}/{len(matched) + len(missing)}"
    return summary + (f" (missing {', '.join(missing)})" if missing else "")


def _fit_summary(explanation: dict) -> str:
    """One line of the explanation's main facts, for the text output."""
    rank = explanation["city_preference_rank"]
    parts = [
        _skills_summary(explanation),
        f"{explanation['city']} " + (f"#{rank}" if rank else "not listed"),
    ]
    if explanation["remote"] != "onsite":
        openness = "open to remote" if explanation["open_to_remote"] else "not open to remote"
        parts.append(f"{explanation['remote']} job, {openness}")
    minimum = explanation["min_years_experience"]
    years = f"{explanation['years_experience']:g} yrs"
    parts.append(years + (f" (min {minimum:g})" if minimum is not None else ""))
    if explanation["french_level_required"]:
        parts.append(
            f"French {explanation['french_level']} / {explanation['french_level_required']}"
        )
    parts.append(f"salary {explanation['salary_fit']}")
    parts.append(explanation["work_authorization"])
    if explanation["available_from"]:
        parts.append(f"from {explanation['available_from']}")
    return ", ".join(parts)


def _print_shortlist(shortlist: Shortlist) -> None:
    job = shortlist.job_profile
    heading = f"{shortlist.job}" + (f" {job.title} ({job.employer}, {job.city})" if job else "")
    click.echo(f"{heading}: {shortlist.total} eligible, model {shortlist.model_version}")
    for candidate in shortlist.candidates:
        click.echo(
            f"{candidate.rank:>4}. {candidate.worker:<12} {candidate.score:.3f}  "
            f"{_fit_summary(candidate.explanation)}"
        )


def _print_matches(matches: Matches) -> None:
    click.echo(f"{matches.worker}: {len(matches.jobs)} jobs, model {matches.model_version}")
    for match in matches.jobs:
        click.echo(
            f"{match.rank:>4}. {match.job:<12} {match.score:.3f}  {match.title} ({match.employer})"
            f"  {_fit_summary(match.explanation)}"
        )


@click.command("shortlist")
@click.argument("job_id")
@click.option("--top", "top", default=50, show_default=True, type=click.IntRange(min=1))
@click.option("--json", "as_json", is_flag=True, help="Print PRODUCT.md's JSON shape.")
@click.pass_obj
def shortlist_command(context: CliContext, job_id: str, top: int, as_json: bool) -> None:
    """Ranked candidates for the job JOB_ID (its external id), with the reasons."""
    from matcher.ranking.shortlists import NotFound, shortlist_for_job

    try:
        shortlist = shortlist_for_job(context.db, job_id, limit=top, settings=context.settings)
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
    from matcher.ranking.shortlists import NotFound, matches_for_worker

    try:
        matches = matches_for_worker(context.db, worker_id, limit=top, settings=context.settings)
    except NotFound as error:
        raise click.ClickException(str(error)) from error
    if as_json:
        click.echo(json.dumps(matches.to_json(), ensure_ascii=False))
    else:
        _print_matches(matches)


COMMANDS: list[click.Command] = [shortlist_command, matches_command]
