"""`talentmatch train` and `talentmatch models ...`: learning from outcomes and the registry."""

from __future__ import annotations

import click

# Kept in step with matcher.ranking.training, which is imported only when a command runs:
# scikit-learn and skops take seconds to import and every other command would pay for them.
HOLDOUT_FRACTION = 0.2
MIN_LABELLED_JOBS = 20
EXPOSURE_WEIGHTING = False
PRIMARY_METRIC = "ndcg@10"
METRIC_NAMES = ("ndcg@10", "map@10", "recall@50", "auc")


def _metrics_lines(metrics: dict[str, dict[str, float]]) -> list[str]:
    header = f"{'scorer':<14}" + "".join(f"{name:>11}" for name in METRIC_NAMES)
    rows = [
        f"{scorer:<14}"
        + "".join(f"{figures.get(name, float('nan')):>11.4f}" for name in METRIC_NAMES)
        for scorer, figures in metrics.items()
    ]
    return [header, *rows]


def _interval_lines(report) -> list[str]:
    """95% intervals of the model and its paired differences to each rival."""
    lines = [f"95% intervals (paired bootstrap, {report.n_resamples} resamples of held-out jobs)"]
    for title, nested in (("", report.intervals), ("model - ", report.differences)):
        for scorer in ("model", "champion", "cold_start"):
            if scorer in nested:
                cells = "".join(
                    f"  {name} {i.estimate:+.4f} [{i.low:+.4f}, {i.high:+.4f}]"
                    for name, i in nested[scorer].items()
                )
                lines.append(f"{title}{scorer}:{cells}")
    return lines


def _calibration_lines(calibration: dict) -> list[str]:
    """ECE and Brier score of each outlook stage (cross-fitted on held-out jobs)."""
    lines = []
    for stage, report in calibration.items():
        mine = report["scorers"]["model"]
        ece, brier = mine["ece"], mine["brier"]
        lines.append(
            f"outlook {stage}: ECE {ece.estimate:.4f} [{ece.low:.4f}, {ece.high:.4f}]  "
            f"Brier {brier.estimate:.4f} [{brier.low:.4f}, {brier.high:.4f}]"
        )
    return lines


@click.command("train")
@click.option(
    "--holdout-fraction",
    type=click.FloatRange(0.05, 0.5),
    default=HOLDOUT_FRACTION,
    show_default=True,
    help="Share of the newest jobs held out for evaluation.",
)
@click.option(
    "--min-labelled-jobs",
    type=click.IntRange(1),
    default=MIN_LABELLED_JOBS,
    show_default=True,
    help="Jobs with an interview or better needed before a model is trained.",
)
@click.option(
    "--force",
    is_flag=True,
    help="Promote even when the significance, guardrail or fairness rule refuses (recorded).",
)
@click.option(
    "--exposure-weighting/--no-exposure-weighting",
    default=EXPOSURE_WEIGHTING,
    show_default=True,
    help="Weight logged outcomes by the inverse of their estimated chance of being shown.",
)
@click.option(
    "--search",
    is_flag=True,
    help="Choose hyper-parameters by halving random search on time-ordered, job-grouped folds.",
)
@click.pass_obj
def train_command(
    cli,
    holdout_fraction: float,
    min_labelled_jobs: int,
    force: bool,
    exposure_weighting: bool,
    search: bool,
) -> None:
    """Train, evaluate on the newest jobs, refit on all, register; promote if it is better."""
    from matcher.ranking.training import NotEnoughOutcomes, train_and_register

    try:
        outcome = train_and_register(
            cli.db,
            cli.settings,
            holdout_fraction=holdout_fraction,
            min_labelled_jobs=min_labelled_jobs,
            force=force,
            exposure=exposure_weighting,
            search=search,
        )
    except NotEnoughOutcomes as error:
        click.echo(f"not training: {error}; the cold-start scorer keeps serving")
        return
    run = outcome.run
    counts = run.row_counts
    click.echo(
        f"trained on {counts['train_pairs']} pairs, evaluated on {counts['holdout_pairs']} pairs "
        f"of {counts['holdout_jobs']} jobs first shown from {run.data_window['holdout_from']}"
    )
    for line in _metrics_lines(run.metrics):
        click.echo(line)
    if run.bootstrap is not None:
        for line in _interval_lines(run.bootstrap):
            click.echo(line)
    if run.search is not None:
        click.echo(f"search chose {run.search['chosen']} (NDCG@10 {run.search['best_score']:.4f})")
    for line in _calibration_lines(run.calibration):
        click.echo(line)
    pit = run.point_in_time
    click.echo(
        f"point in time: {pit['from_past_versions']} of {pit['pairs']} pairs read past profile "
        f"versions; {pit['predating_history']} predate the history (earliest version used)"
    )
    if run.final_model is not None:
        click.echo(f"registered fit: the same parameters refit on all {counts['pairs']} pairs")
    click.echo(f"registered {outcome.version}")
    verdict = "promoted to champion" if outcome.promoted else "not promoted"
    click.echo(f"{verdict}: {outcome.reason}")
    for version in outcome.removed_versions:
        click.echo(f"removed old version {version}")


@click.group("models")
def models_group() -> None:
    """The model registry: list, promote, roll back."""


def _run_line(card: dict) -> str:
    """One training run: version, data window, NDCG@10 gain with its interval, decision."""
    window = card.get("data_window", {})
    differences = (card.get("bootstrap") or {}).get("differences", {})
    rival = "champion" if "champion" in differences else "cold_start"
    gain = differences.get(rival, {}).get(PRIMARY_METRIC)
    shown = (
        f"{PRIMARY_METRIC} gain over {rival} {gain['estimate']:+.4f} "
        f"[{gain['low']:+.4f}, {gain['high']:+.4f}]"
        if gain
        else "no intervals"
    )
    return (
        f"{card.get('version')}  data {window.get('first_event')} .. holdout from "
        f"{window.get('holdout_from')}  params {card.get('hyper_parameters', {})}  {shown}  "
        f"{'forced ' if card.get('forced') else ''}{card.get('decision', '')}"
    )


@models_group.command("list")
@click.option("--all", "show_all", is_flag=True, help="Every training run with its decision.")
@click.pass_obj
def list_command(cli, show_all: bool) -> None:
    """Every registered version, newest first; * marks the champion."""
    from matcher import registry

    if show_all:
        for card in registry.training_runs(cli.db):
            click.echo(_run_line(card))
        return

    versions = registry.list_versions(cli.db)
    if not versions:
        click.echo("no models yet: the cold-start scorer serves (run `talentmatch train`)")
        return
    for entry in versions:
        marker = "*" if entry.is_champion else " "
        figure = entry.metrics.get("model", {}).get(PRIMARY_METRIC)
        shown = f"{PRIMARY_METRIC} {figure:.4f}" if figure is not None else ""
        removed = f"  removed {entry.removed_at}" if entry.removed_at else ""
        click.echo(f"{marker} {entry.version}  {entry.created_at}  {shown}{removed}")


@models_group.command("compare")
@click.argument("version_a")
@click.argument("version_b")
@click.option("--json", "as_json", is_flag=True, help="One JSON object.")
@click.pass_obj
def compare_command(cli, version_a: str, version_b: str, as_json: bool) -> None:
    """A and B on the newest chronological holdout of this database: values, B - A, 95% CI."""
    import json

    from matcher import registry
    from matcher.ranking.training import compare_versions

    if version_a == version_b:
        raise click.ClickException("compare two different versions")
    try:
        comparison = compare_versions(cli.db, cli.settings, version_a, version_b)
    except registry.RegistryError as error:
        raise click.ClickException(str(error)) from error
    report = comparison.report
    rows = {
        metric: {
            "a": report.intervals[version_a][metric].to_json(),
            "b": report.intervals[version_b][metric].to_json(),
            "b_minus_a": difference.to_json(),
        }
        for metric, difference in report.differences[version_a].items()
    }
    if as_json:
        payload = {"a": version_a, "b": version_b, "held_out_jobs": report.n_jobs}
        payload["in_sample"] = comparison.in_sample
        click.echo(json.dumps({**payload, "n_resamples": report.n_resamples, "metrics": rows}))
        return
    click.echo(f"A {version_a}  B {version_b}  on {report.n_jobs} held-out jobs")
    if comparison.in_sample:
        click.echo(
            f"note: {', '.join(comparison.in_sample)} learned from these jobs (refit on all "
            "pairs), so its figures here are in-sample; compare again once newer jobs have "
            "outcomes"
        )
    for metric, row in rows.items():
        d = row["b_minus_a"]
        click.echo(
            f"{metric:<10} A {row['a']['estimate']:.4f}  B {row['b']['estimate']:.4f}  "
            f"B-A {d['estimate']:+.4f} [{d['low']:+.4f}, {d['high']:+.4f}]"
        )


@models_group.command("promote")
@click.argument("version")
@click.pass_obj
def promote_command(cli, version: str) -> None:
    """Make VERSION the champion (after checking that its file loads)."""
    from matcher import registry
    from matcher.ranking.model_files import load_ranker

    try:
        load_ranker(cli.db, cli.settings, version)
        previous = registry.promote(cli.db, version, "promoted by hand")
    except registry.RegistryError as error:
        raise click.ClickException(str(error)) from error
    click.echo(f"champion is now {version} (was {previous or 'cold start'})")


@models_group.command("rollback")
@click.pass_obj
def rollback_command(cli) -> None:
    """Switch the champion back to the version it replaced."""
    from matcher import registry

    try:
        version = registry.rollback(cli.db)
    except registry.RegistryError as error:
        raise click.ClickException(str(error)) from error
    click.echo(f"champion is now {version}")


COMMANDS: list[click.Command] = [train_command, models_group]
