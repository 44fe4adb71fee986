"""Training the learned ranker on hiring outcomes, and evaluating it in the same run.

Each (job, worker) pair's label is the relevance grade of the furthest stage it reached
(`STAGE_RELEVANCE`; a rejection or withdrawal keeps the grade reached before it). Jobs are
split chronologically by the time their first pair was shown: the newest share of jobs is
the holdout, so the model is judged on the future of the data it learned from. The model,
the champion, the cold-start scorer, the baselines and (on demo data) the ceiling are all
scored on that same holdout.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field

import numpy as np
from sqlite_utils import Database

from matcher.constants import COL_ITEM, COL_QUERY, COL_RELEVANCE, COL_SCORE, STAGE_RELEVANCE
from matcher.evaluation.baselines import (
    jaccard_scores,
    random_scores,
    tfidf_scores,
    true_probability_scores,
)
from matcher.evaluation.bootstrap import BootstrapReport, Interval, paired_bootstrap
from matcher.evaluation.fairness import fairness_audit, fairness_gate, load_audit_groups
from matcher.evaluation.metrics import ranking_metrics
from matcher.features.pair_features import FEATURE_NAMES
from matcher.features.population import JobProfile, WorkerTable, load_jobs, load_worker_table
from matcher.features.transformers import PairFeatureTransformer, PairSet
from matcher.ranking.models import LearnedRanker, default_monotonic_cst
from matcher.ranking.scorers import cold_start_score

# Below this many jobs with an interviewed-or-better pair, the cold-start scorer serves and
# `train` does not fit a model: too few positive examples to learn anything reliable.
MIN_LABELLED_JOBS = 20
HOLDOUT_FRACTION = 0.2
INTERVIEW_GRADE = STAGE_RELEVANCE["interviewed"]
# The figure promotion and the benchmarks compare.
PRIMARY_METRIC = "ndcg@10"
# Metrics a promoted model must not be significantly worse on (upper bound of the gain < 0).
GUARDRAIL_METRICS = ("map@10", "auc")


class NotEnoughOutcomes(Exception):
    """Fewer labelled jobs than MIN_LABELLED_JOBS: keep serving the cold-start scorer."""


@dataclass
class LabelledPairs:
    """One row per (job, worker) pair seen in outcomes: its grade and when it was first shown."""

    job_ids: np.ndarray
    worker_ids: np.ndarray
    relevance: np.ndarray
    first_at: np.ndarray
    n_events: int = 0

    def __len__(self) -> int:
        return len(self.job_ids)

    def pairs(self) -> np.ndarray:
        return np.column_stack([self.job_ids, self.worker_ids])

    def subset(self, mask: np.ndarray) -> LabelledPairs:
        return LabelledPairs(
            self.job_ids[mask],
            self.worker_ids[mask],
            self.relevance[mask],
            self.first_at[mask],
            n_events=self.n_events,
        )


# The scorers the paired bootstrap covers: what promotion_decision and the card print read.
BOOTSTRAP_SCORERS = ("model", "champion", "cold_start")


def _grade_sql() -> str:
    cases = " ".join(f"WHEN '{stage}' THEN {grade}" for stage, grade in STAGE_RELEVANCE.items())
    return f"CASE o.stage {cases} ELSE 0 END"


def load_labelled_pairs(db: Database) -> LabelledPairs:
    """Every pair of a job and an active worker in the outcomes, with its relevance grade."""
    rows = db.execute(
        f"SELECT o.job_id, o.worker_id, MAX({_grade_sql()}), MIN(o.at), COUNT(*) "
        "FROM outcomes o JOIN workers w ON w.id = o.worker_id WHERE w.deleted_at IS NULL "
        "GROUP BY o.job_id, o.worker_id ORDER BY o.job_id, o.worker_id"
    ).fetchall()
    if not rows:
        empty = np.zeros(0, dtype=np.int64)
        return LabelledPairs(empty, empty, empty, np.zeros(0, dtype=object))
    job_ids, worker_ids, grades, first_at, counts = zip(*rows, strict=True)
    return LabelledPairs(
        np.array(job_ids, dtype=np.int64),
        np.array(worker_ids, dtype=np.int64),
        np.array(grades, dtype=np.int64),
        np.array(first_at, dtype=object),
        n_events=int(sum(counts)),
    )


def count_labelled_jobs(db: Database) -> int:
    """Jobs with at least one pair that reached an interview or further."""
    interview_or_better = [s for s, g in STAGE_RELEVANCE.items() if g >= INTERVIEW_GRADE]
    marks = ",".join("?" * len(interview_or_better))
    row = db.execute(
        f"SELECT COUNT(DISTINCT job_id) FROM outcomes WHERE stage IN ({marks})",
        interview_or_better,
    ).fetchone()
    return int(row[0])


def job_start_times(labelled: LabelledPairs) -> dict[int, str]:
    """Each job's first-shown time: the earliest event of any of its pairs."""
    starts: dict[int, str] = {}
    for job_id, at in zip(labelled.job_ids.tolist(), labelled.first_at.tolist(), strict=True):
        if job_id not in starts or at < starts[job_id]:
            starts[job_id] = at
    return starts


def chronological_split(
    labelled: LabelledPairs, holdout_fraction: float = HOLDOUT_FRACTION
) -> tuple[np.ndarray, str]:
    """Holdout mask (the newest `holdout_fraction` of jobs by first-shown time) and its cutoff."""
    starts = job_start_times(labelled)
    ordered = sorted(starts, key=lambda job_id: (starts[job_id], job_id))
    n_holdout = max(1, math.ceil(len(ordered) * holdout_fraction))
    holdout_jobs = ordered[len(ordered) - n_holdout :]
    cutoff = starts[holdout_jobs[0]]
    return np.isin(labelled.job_ids, holdout_jobs), cutoff


def _as_of_dates(labelled: LabelledPairs) -> dict[int, dt.date]:
    starts = job_start_times(labelled)
    return {job_id: dt.date.fromisoformat(at[:10]) for job_id, at in starts.items()}


@dataclass
class TrainingRun:
    """A fitted ranker and every figure of the run, ready to be written into a model card."""

    model: LearnedRanker
    metrics: dict[str, dict[str, float]]
    data_window: dict[str, str]
    row_counts: dict[str, int]
    hyper_parameters: dict[str, object]
    features: list[str] = field(default_factory=lambda: list(FEATURE_NAMES))
    holdout: dict[str, np.ndarray] = field(default_factory=dict, repr=False)
    # Exposure of self-identified groups in the holdout's rankings (matcher.evaluation.fairness).
    fairness: dict = field(default_factory=dict)
    # Paired bootstrap over held-out jobs (matcher.evaluation.bootstrap); None: not computed.
    bootstrap: BootstrapReport | None = None

    def primary(self, scorer: str) -> float:
        return self.metrics.get(scorer, {}).get(PRIMARY_METRIC, float("nan"))


def _feature_matrix(
    labelled: LabelledPairs, jobs: dict[int, JobProfile], workers: WorkerTable
) -> np.ndarray:
    pair_set = PairSet(labelled.pairs(), jobs, workers, _as_of_dates(labelled))
    return PairFeatureTransformer().fit_transform(pair_set)


def _table(labelled: LabelledPairs, scores: np.ndarray) -> dict[str, np.ndarray]:
    return {
        COL_QUERY: labelled.job_ids,
        COL_ITEM: labelled.worker_ids,
        COL_SCORE: np.asarray(scores, dtype=np.float64),
        COL_RELEVANCE: labelled.relevance,
    }


def holdout_scores(
    db: Database,
    holdout: LabelledPairs,
    features: np.ndarray,
    jobs: dict[int, JobProfile],
    workers: WorkerTable,
) -> dict[str, np.ndarray]:
    """Scores of the cold-start scorer, the baselines and the ceiling on the holdout pairs."""
    pairs = holdout.pairs()
    scores = {
        "cold_start": cold_start_score(features),
        "random": random_scores(pairs),
        "skill_jaccard": jaccard_scores(pairs, jobs, workers),
        "tfidf_cosine": tfidf_scores(db, pairs, jobs),
    }
    ceiling = true_probability_scores(db, pairs)
    if ceiling is not None:
        scores["ceiling"] = ceiling
    return scores


def train_ranker(
    db: Database,
    *,
    holdout_fraction: float = HOLDOUT_FRACTION,
    min_labelled_jobs: int = MIN_LABELLED_JOBS,
    champion=None,
    params: dict[str, object] | None = None,
) -> TrainingRun:
    """Fit on the older jobs, score everything on the newest ones; `champion` has `.predict`."""
    labelled_jobs = count_labelled_jobs(db)
    if labelled_jobs < min_labelled_jobs:
        raise NotEnoughOutcomes(
            f"{labelled_jobs} jobs have an interview or better; {min_labelled_jobs} are needed"
        )
    labelled = load_labelled_pairs(db)
    workers = load_worker_table(db)
    jobs = {job.id: job for job in load_jobs(db, status=None)}
    known = np.isin(labelled.job_ids, list(jobs))
    labelled = labelled.subset(known)
    features = _feature_matrix(labelled, jobs, workers)
    holdout_mask, cutoff = chronological_split(labelled, holdout_fraction)
    model = LearnedRanker(monotonic_cst=default_monotonic_cst(), **(params or {}))
    model.fit(features[~holdout_mask], labelled.relevance[~holdout_mask])

    holdout = labelled.subset(holdout_mask)
    holdout_features = features[holdout_mask]
    scores = {"model": model.predict(holdout_features)}
    if champion is not None:
        scores["champion"] = champion.predict(holdout_features)
    scores.update(holdout_scores(db, holdout, holdout_features, jobs, workers))
    tables = {name: _table(holdout, s) for name, s in scores.items()}
    metrics = {name: ranking_metrics(table) for name, table in tables.items()}
    audit_groups = load_audit_groups(db)
    return TrainingRun(
        model=model,
        metrics=metrics,
        data_window=_data_window(labelled, cutoff),
        row_counts=_row_counts(labelled, holdout_mask, labelled_jobs),
        hyper_parameters=model.get_params(),
        holdout={
            "pairs": holdout.pairs(),
            "relevance": holdout.relevance,
            "features": holdout_features,
            "scores": scores,
        },
        fairness=fairness_audit(tables, audit_groups) if audit_groups else {},
        # Only the scorers the promotion rule and the card read (model, champion, cold start).
        bootstrap=paired_bootstrap(tables, scorers=BOOTSTRAP_SCORERS),
    )


def _data_window(labelled: LabelledPairs, cutoff: str) -> dict[str, str]:
    return {
        "first_event": str(min(labelled.first_at)),
        "last_first_shown": str(max(labelled.first_at)),
        "holdout_from": cutoff,
    }


def _row_counts(
    labelled: LabelledPairs, holdout_mask: np.ndarray, labelled_jobs: int
) -> dict[str, int]:
    return {
        "outcome_events": labelled.n_events,
        "pairs": len(labelled),
        "train_pairs": int((~holdout_mask).sum()),
        "holdout_pairs": int(holdout_mask.sum()),
        "jobs": int(len(np.unique(labelled.job_ids))),
        "holdout_jobs": int(len(np.unique(labelled.job_ids[holdout_mask]))),
        "labelled_jobs": labelled_jobs,
    }


@dataclass
class TrainingOutcome:
    """What `talentmatch train` reports: the run, the new version and the promotion decision."""

    run: TrainingRun
    version: str
    promoted: bool
    reason: str
    removed_versions: list[str]


def _gain_text(gain: Interval) -> str:
    return f"gain {gain.estimate:+.4f}, 95% CI [{gain.low:+.4f}, {gain.high:+.4f}]"


def promotion_decision(run: TrainingRun) -> tuple[bool, str]:
    """Promote only on a significant NDCG@10 gain, no guardrail significantly worse, fair."""
    rival = "champion" if "champion" in run.metrics else "cold_start"
    mine, theirs = run.primary("model"), run.primary(rival)
    if run.bootstrap is None or rival not in run.bootstrap.differences:
        return False, f"significance rule: no bootstrap intervals against {rival}"
    differences = run.bootstrap.differences[rival]
    gain = differences[PRIMARY_METRIC]
    if not gain.low > 0:  # also refuses nan
        return False, (
            f"significance rule: {PRIMARY_METRIC} {mine:.4f} does not beat {rival} "
            f"{theirs:.4f} significantly ({_gain_text(gain)}; the lower bound must be above 0)"
        )
    worse = [m for m in GUARDRAIL_METRICS if differences[m].high < 0]
    if worse:
        details = "; ".join(f"{m} {_gain_text(differences[m])}" for m in worse)
        return False, (
            f"guardrail rule: {PRIMARY_METRIC} {mine:.4f} beats {rival} {theirs:.4f} "
            f"({_gain_text(gain)}) but significantly worse on {details}"
        )
    fair, fairness_reason = fairness_gate(run.fairness, "model", rival)
    rule = "significance and guardrail rules passed" if fair else "fairness rule"
    return fair, (
        f"{PRIMARY_METRIC} {mine:.4f} beats {rival} {theirs:.4f} ({_gain_text(gain)}); "
        f"{rule}; no guardrail ({', '.join(GUARDRAIL_METRICS)}) significantly worse; "
        f"{fairness_reason}"
    )


def train_and_register(
    db: Database,
    settings,
    *,
    holdout_fraction: float = HOLDOUT_FRACTION,
    min_labelled_jobs: int = MIN_LABELLED_JOBS,
    params: dict[str, object] | None = None,
    on_step=None,
    force: bool = False,
) -> TrainingOutcome:
    """Train, evaluate against the champion in the same run, register, promote if better."""
    from matcher import registry
    from matcher.ranking.model_files import register_ranker

    champion = _loadable_champion(db, settings)
    run = train_ranker(
        db,
        holdout_fraction=holdout_fraction,
        min_labelled_jobs=min_labelled_jobs,
        champion=champion[1] if champion else None,
        params=params,
    )
    promoted, reason = promotion_decision(run)
    if force and not promoted:
        promoted, reason = True, f"forced by --force over the rule: {reason}"
    card = {
        "data_window": run.data_window,
        "row_counts": run.row_counts,
        "hyper_parameters": run.hyper_parameters,
        "monotonic_increasing": sorted(
            f for f, c in zip(run.features, run.model.monotonic_cst or [], strict=False) if c > 0
        ),
        "metrics": run.metrics,
        "primary_metric": PRIMARY_METRIC,
        "fairness": run.fairness,
        "bootstrap": run.bootstrap.to_json() if run.bootstrap else None,
        "forced": force,
        "champion_at_training": champion[0] if champion else None,
        "decision": ("promoted: " if promoted else "not promoted: ") + reason,
    }
    version = register_ranker(db, settings, run.model, card, on_step=on_step)
    if promoted:
        registry.promote(db, version, reason, on_step=on_step)
    removed = registry.prune_versions(db, settings, on_step=on_step)
    registry.remove_orphan_files(db, settings)
    return TrainingOutcome(run, version, promoted, reason, removed)


def _loadable_champion(db: Database, settings) -> tuple[str, object] | None:
    from matcher import registry
    from matcher.ranking.model_files import load_champion_ranker

    try:
        return load_champion_ranker(db, settings)
    except registry.RegistryError:
        # An unloadable champion is not being served (cold start is); compare with that.
        return None


def compare_versions(
    db: Database,
    settings,
    version_a: str,
    version_b: str,
    *,
    holdout_fraction: float = HOLDOUT_FRACTION,
) -> BootstrapReport:
    """Both versions scored on the newest chronological holdout of the current database; B - A."""
    from matcher.ranking.model_files import load_ranker

    labelled = load_labelled_pairs(db)
    workers = load_worker_table(db)
    jobs = {job.id: job for job in load_jobs(db, status=None)}
    labelled = labelled.subset(np.isin(labelled.job_ids, list(jobs)))
    holdout_mask, _cutoff = chronological_split(labelled, holdout_fraction)
    holdout = labelled.subset(holdout_mask)
    features = _feature_matrix(holdout, jobs, workers)
    tables = {
        version: _table(holdout, load_ranker(db, settings, version).predict(features))
        for version in (version_b, version_a)
    }
    return paired_bootstrap(tables, candidate=version_b)
