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
import json
import math
from dataclasses import dataclass, field

import numpy as np
from sklearn.base import clone
from sqlite_utils import Database
from threadpoolctl import threadpool_limits

from matcher.constants import COL_ITEM, COL_QUERY, COL_RELEVANCE, COL_SCORE, STAGE_RELEVANCE
from matcher.evaluation.baselines import (
    jaccard_scores,
    random_scores,
    tfidf_scores,
    true_probability_scores,
)
from matcher.evaluation.bootstrap import BootstrapReport, Interval, paired_bootstrap
from matcher.evaluation.calibration import calibration_report, cross_fitted, fit_curve, report_json
from matcher.evaluation.fairness import fairness_audit, fairness_gate, load_audit_groups
from matcher.evaluation.metrics import ranking_metrics
from matcher.features.history import PointInTimePairs, profiles_as_of
from matcher.features.pair_features import FEATURE_NAMES
from matcher.features.transformers import PairFeatureTransformer, PairSet
from matcher.ranking.exposure import ExposureWeights, exposure_weights
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
# Weight logged pairs by inverse exposure (matcher.ranking.exposure; `train
# --exposure-weighting`). On the demo (benchmarks/bench_exposure.py) it was no different on the
# logged holdout and better when ranking every worker against the noise-free hire
# probability, but weighted fits made bench_train about 1.8x slower, so it is off by default.
EXPOSURE_WEIGHTING = False
# A paired bootstrap over fewer held-out jobs than this (with a relevant pair, the jobs the
# NDCG@10 gain averages over) says nothing: over one job every resample is that job and the
# interval collapses onto its gain. Below it the significance rule refuses to promote.
MIN_COMPARED_JOBS = 10
# OpenMP threads for the whole training run. LearnedRanker uses every thread from 500,000
# rows, which on this shared 2-core machine spends most of its time spin-waiting: the four
# step classifiers (30 iterations) on bench_train's 570,000 training rows at 1,000,000 events
# took 103.5 s wall / 18.4 s CPU on all threads and 7.9 s / 2.5 s on one, with identical
# scores (histogram building splits work by feature, so the trees do not depend on it).
# Whole bench_train runs at 1,000,000 events, same session: under load (~15) 479.6 s wall /
# 166.3 s CPU on all threads, 64.1 s / 33.7 s on one; on a quiet machine all threads win on
# the wall clock, 25.2 s / 35.4 s CPU against 31.3 s / 31.6 s. One thread is the robust choice
# here; None restores LearnedRanker's own rule.
TRAINING_THREADS = 1
# Stages of the outlook: the calibrated chance of reaching each (or a later one).
OUTLOOK_STAGES = ("interviewed", "hired")


class NotEnoughOutcomes(Exception):
    """Fewer labelled jobs than MIN_LABELLED_JOBS: keep serving the cold-start scorer."""


@dataclass
class LabelledPairs:
    """One row per (job, worker) pair seen in outcomes: its grade and when it was first shown."""

    job_ids: np.ndarray
    worker_ids: np.ndarray
    relevance: np.ndarray
    first_at: np.ndarray
    # When the pair first reached its grade: the time its features are read as of.
    label_at: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=object))
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
            self.label_at[mask],
            n_events=self.n_events,
        )


# The scorers the paired bootstrap covers: what promotion_decision and the card print read.
BOOTSTRAP_SCORERS = ("model", "cold_start")
# The model scored on the champion's held-out jobs, its side of the champion comparison.
MODEL_ON_CHAMPION_JOBS = "model_on_champion_jobs"


def _grade_sql() -> str:
    cases = " ".join(f"WHEN '{stage}' THEN {grade}" for stage, grade in STAGE_RELEVANCE.items())
    return f"CASE o.stage {cases} ELSE 0 END"


def load_labelled_pairs(db: Database) -> LabelledPairs:
    """Every pair of a job and an active worker in the outcomes, with its relevance grade.

    A pair's label time is its first event at its furthest grade: the smallest of
    (9 - grade) || at, one pass with no window (grades are single digits).
    """
    rows = db.execute(
        f"SELECT o.job_id, o.worker_id, MAX({_grade_sql()}), MIN(o.at), COUNT(*), "
        f"substr(MIN((9 - {_grade_sql()}) || o.at), 2) "
        "FROM outcomes o JOIN workers w ON w.id = o.worker_id WHERE w.deleted_at IS NULL "
        "GROUP BY o.job_id, o.worker_id ORDER BY o.job_id, o.worker_id"
    ).fetchall()
    if not rows:
        empty = np.zeros(0, dtype=np.int64)
        nothing = np.zeros(0, dtype=object)
        return LabelledPairs(empty, empty, empty, nothing, nothing)
    job_ids, worker_ids, grades, first_at, counts, label_at = zip(*rows, strict=True)
    return LabelledPairs(
        np.array(job_ids, dtype=np.int64),
        np.array(worker_ids, dtype=np.int64),
        np.array(grades, dtype=np.int64),
        np.array(first_at, dtype=object),
        np.array(label_at, dtype=object),
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

    model: LearnedRanker  # the evaluation fit: older jobs only, scored on the holdout
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
    # The registered model: the same hyper-parameters refit on every labelled pair, with
    # the outlook curves fitted on the holdout. None: not refit (the evaluation fit is kept).
    final_model: LearnedRanker | None = None
    # Per outlook stage, matcher.evaluation.calibration.calibration_report of model/champion.
    calibration: dict = field(default_factory=dict)
    # How many pairs read past profile versions or predate the history (features.history).
    point_in_time: dict[str, int] = field(default_factory=dict)
    # Held-out jobs the champion never learned from (None: no champion).
    champion_jobs: int | None = None
    # Whether and how logged pairs were weighted by inverse exposure (ranking.exposure).
    exposure: dict = field(default_factory=dict)
    # `train --search`: chosen parameters and the search's table (ranking.search); None: off.
    search: dict | None = None

    def primary(self, scorer: str) -> float:
        return self.metrics.get(scorer, {}).get(PRIMARY_METRIC, float("nan"))

    def registered_model(self) -> LearnedRanker:
        return self.final_model if self.final_model is not None else self.model


@dataclass
class TrainingData:
    """Labelled pairs of known jobs and their point-in-time inputs and features."""

    labelled: LabelledPairs
    profiles: PointInTimePairs
    features: np.ndarray
    pair_set: PairSet

    def subset(self, mask: np.ndarray) -> tuple[LabelledPairs, np.ndarray, np.ndarray]:
        """The labelled pairs, feature rows and point-in-time keys of `mask`."""
        return self.labelled.subset(mask), self.features[mask], self.profiles.pairs[mask]


def load_training_data(db: Database, labelled: LabelledPairs | None = None) -> TrainingData:
    """Labelled pairs of known jobs with features from profiles as of each pair's label time."""
    labelled = load_labelled_pairs(db) if labelled is None else labelled
    known = {row[0] for row in db.execute("SELECT id FROM jobs")}
    labelled = labelled.subset(np.isin(labelled.job_ids, list(known)))
    profiles = profiles_as_of(db, labelled.job_ids, labelled.worker_ids, labelled.label_at)
    pair_set = profiles.pair_set(_as_of_dates(labelled))
    features = PairFeatureTransformer().fit_transform(pair_set)
    return TrainingData(labelled, profiles, features, pair_set)


def training_weights(db: Database, data: TrainingData, exposure: bool) -> ExposureWeights | None:
    """Exposure weights of every labelled pair (matcher.ranking.exposure); None: unweighted."""
    if not exposure:
        return None
    live = np.array(
        [row[0] for row in db.execute("SELECT id FROM workers WHERE deleted_at IS NULL")],
        dtype=np.int64,
    )
    labelled = data.labelled
    return exposure_weights(
        data.pair_set, labelled.job_ids, labelled.worker_ids, data.features, live
    )


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
    profiles: PointInTimePairs,
    keys: np.ndarray,
) -> dict[str, np.ndarray]:
    """Scores of the cold-start scorer, the baselines and the ceiling on the holdout pairs."""
    pairs = holdout.pairs()
    scores = {
        "cold_start": cold_start_score(features),
        "random": random_scores(pairs),
        "skill_jaccard": jaccard_scores(keys, profiles.jobs, profiles.workers),
        "tfidf_cosine": tfidf_scores(db, pairs, profiles.jobs),
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
    champion_seen_until: str | None = None,
    params: dict[str, object] | None = None,
    refit: bool = True,
    exposure: bool = EXPOSURE_WEIGHTING,
    search: bool = False,
) -> TrainingRun:
    """Fit on the older jobs and score everything on the newest ones; then refit the same
    hyper-parameters on every pair (`refit`).

    `champion` (with `.predict`) is judged only on held-out jobs first shown after
    `champion_seen_until`, the newest job its own fit learned from: a refit champion has
    seen older held-out jobs, and comparing on them would favour it.

    Runs on `TRAINING_THREADS` OpenMP threads."""
    with threadpool_limits(limits=TRAINING_THREADS, user_api="openmp"):
        return _train_ranker(
            db,
            holdout_fraction=holdout_fraction,
            min_labelled_jobs=min_labelled_jobs,
            champion=champion,
            champion_seen_until=champion_seen_until,
            params=params,
            refit=refit,
            exposure=exposure,
            search=search,
        )


def _train_ranker(
    db: Database,
    *,
    holdout_fraction: float,
    min_labelled_jobs: int,
    champion,
    champion_seen_until: str | None,
    params: dict[str, object] | None,
    refit: bool,
    exposure: bool,
    search: bool,
) -> TrainingRun:
    labelled_jobs = count_labelled_jobs(db)
    if labelled_jobs < min_labelled_jobs:
        raise NotEnoughOutcomes(
            f"{labelled_jobs} jobs have an interview or better; {min_labelled_jobs} are needed"
        )
    data = load_training_data(db)
    labelled, features = data.labelled, data.features
    holdout_mask, cutoff = chronological_split(labelled, holdout_fraction)
    weighting = training_weights(db, data, exposure)
    weights = None if weighting is None else weighting.weights
    params = {"monotonic_cst": default_monotonic_cst(), **(params or {})}
    search_card = None
    if search:
        found, search_card = _search(labelled, features, holdout_mask, weights, params)
        params.update(found)
    model = LearnedRanker(**params)
    model.fit(
        features[~holdout_mask],
        labelled.relevance[~holdout_mask],
        sample_weight=None if weights is None else weights[~holdout_mask],
    )

    holdout, holdout_features, holdout_keys = data.subset(holdout_mask)
    scores = {"model": model.predict(holdout_features)}
    scores.update(holdout_scores(db, holdout, holdout_features, data.profiles, holdout_keys))
    tables = {name: _table(holdout, s) for name, s in scores.items()}
    unseen = _unseen_by_champion(holdout, champion, champion_seen_until)
    if unseen is not None and unseen.any():
        champion_jobs = holdout.subset(unseen)
        tables["champion"] = _table(champion_jobs, champion.predict(holdout_features[unseen]))
        tables[MODEL_ON_CHAMPION_JOBS] = _table(champion_jobs, scores["model"][unseen])
    metrics = {name: ranking_metrics(table) for name, table in tables.items()}
    curves, calibration = outlook_calibration(model, champion, holdout, holdout_features, unseen)
    final_model = None
    if refit:
        final_model = clone(model).fit(features, labelled.relevance, sample_weight=weights)
        final_model.outlook_calibration_ = curves
    else:
        model.outlook_calibration_ = curves
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
        bootstrap=_bootstrap(tables),
        champion_jobs=None if unseen is None else int(len(np.unique(holdout.job_ids[unseen]))),
        exposure={"used": False} if weighting is None else {"used": True, **weighting.summary},
        search=search_card,
        final_model=final_model,
        calibration=calibration,
        point_in_time={
            "pairs": len(labelled),
            "from_past_versions": data.profiles.from_history,
            "predating_history": data.profiles.predating,
        },
    )


def _search(
    labelled: LabelledPairs,
    features: np.ndarray,
    holdout_mask: np.ndarray,
    weights: np.ndarray | None,
    params: dict,
) -> tuple[dict, dict]:
    """Hyper-parameters chosen by halving random search on the training part only."""
    from matcher.ranking.search import search_parameters

    train = labelled.subset(~holdout_mask)
    return search_parameters(
        features[~holdout_mask],
        train.relevance,
        train.job_ids,
        job_start_times(train),
        base_params=params,
        sample_weight=None if weights is None else weights[~holdout_mask],
    )


def _unseen_by_champion(
    holdout: LabelledPairs, champion, seen_until: str | None
) -> np.ndarray | None:
    """Mask of held-out pairs whose job was first shown after `seen_until` (None: no champion)."""
    if champion is None:
        return None
    starts = job_start_times(holdout)
    unseen_jobs = [j for j, at in starts.items() if seen_until is None or at > seen_until]
    return np.isin(holdout.job_ids, unseen_jobs)


def _bootstrap(tables: dict[str, dict]) -> BootstrapReport:
    """Intervals of model and cold start on the holdout, and of model - champion on the
    champion's held-out jobs (its own paired resamples, as its jobs are fewer)."""
    report = paired_bootstrap(tables, scorers=BOOTSTRAP_SCORERS)
    if "champion" in tables:
        rival = paired_bootstrap(
            {"model": tables[MODEL_ON_CHAMPION_JOBS], "champion": tables["champion"]}
        )
        report.differences["champion"] = rival.differences["champion"]
        report.intervals["champion"] = rival.intervals["champion"]
        report.intervals[MODEL_ON_CHAMPION_JOBS] = rival.intervals["model"]
        report.compared_jobs["champion"] = rival.compared_jobs["champion"]
    return report


def outlook_calibration(
    model: LearnedRanker,
    champion,
    holdout: LabelledPairs,
    features: np.ndarray,
    unseen: np.ndarray | None,
) -> tuple[dict[str, np.ndarray], dict[str, dict]]:
    """The outlook curve of each stage fitted on the whole holdout, and per stage the
    calibration report of the model's cross-fitted outlook; against the champion's outlook
    (when it has one) on the held-out jobs it never learned from."""
    raw = model.reach_probabilities(features)
    compare = unseen is not None and unseen.any() and hasattr(champion, "outlook")
    theirs = champion.outlook(features[unseen]) if compare else None
    curves, reports = {}, {}
    for stage in OUTLOOK_STAGES:
        reached = (holdout.relevance >= STAGE_RELEVANCE[stage]).astype(np.float64)
        mine = raw[:, STAGE_RELEVANCE[stage] - 1]
        curves[stage] = fit_curve(mine, reached)
        outlook = cross_fitted(mine, reached, holdout.job_ids)
        reports[stage] = calibration_report(
            {"model": outlook}, reached, holdout.job_ids, candidate="model"
        )
        if theirs is not None:
            versus = calibration_report(
                {"model": outlook[unseen], "champion": theirs[stage]},
                reached[unseen],
                holdout.job_ids[unseen],
                candidate="model",
            )
            reports[stage]["scorers"]["champion"] = versus["scorers"]["champion"]
            reports[stage]["differences"] = versus["differences"]
    return curves, reports


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
    if run.champion_jobs == 0:
        return False, (
            "champion rule: the champion learned from every held-out job (none first shown "
            "after its own data), so nothing here can show the new model is better"
        )
    rival = "champion" if "champion" in run.metrics else "cold_start"
    on_champion_jobs = rival == "champion" and MODEL_ON_CHAMPION_JOBS in run.metrics
    mine = run.primary(MODEL_ON_CHAMPION_JOBS if on_champion_jobs else "model")
    theirs = run.primary(rival)
    if run.bootstrap is None or rival not in run.bootstrap.differences:
        return False, f"significance rule: no bootstrap intervals against {rival}"
    differences = run.bootstrap.differences[rival]
    gain = differences[PRIMARY_METRIC]
    compared = run.bootstrap.compared_jobs.get(rival, 0)
    if compared < MIN_COMPARED_JOBS:
        return False, (
            f"significance rule: only {compared} held-out jobs with a relevant pair to compare "
            f"{PRIMARY_METRIC} with {rival} on ({_gain_text(gain)}); at least "
            f"{MIN_COMPARED_JOBS} are needed for the interval to mean anything"
        )
    if not gain.low > 0:  # also refuses nan
        return False, (
            f"significance rule: {PRIMARY_METRIC} {mine:.4f} does not beat {rival} "
            f"{theirs:.4f} significantly ({_gain_text(gain)}; the lower bound must be above 0)"
        )
    worse = [m for m in GUARDRAIL_METRICS if differences[m].high < 0]
    details = [f"{m} {_gain_text(differences[m])}" for m in worse]
    details += _worse_calibration(run, rival)
    if details:
        details = "; ".join(details)
        return False, (
            f"guardrail rule: {PRIMARY_METRIC} {mine:.4f} beats {rival} {theirs:.4f} "
            f"({_gain_text(gain)}) but significantly worse on {details}"
        )
    fair, fairness_reason = fairness_gate(run.fairness, "model", rival)
    rule = "significance and guardrail rules passed" if fair else "fairness rule"
    return fair, (
        f"{PRIMARY_METRIC} {mine:.4f} beats {rival} {theirs:.4f} ({_gain_text(gain)}); "
        f"{rule}; no guardrail ({', '.join(GUARDRAIL_METRICS)}, {_calibration_guardrail(run)}) "
        f"significantly worse; {fairness_reason}"
    )


def _worse_calibration(run: TrainingRun, rival: str) -> list[str]:
    """Outlook stages whose ECE is significantly above the rival's (its interval above 0)."""
    found = []
    for stage, report in run.calibration.items():
        ece = report["differences"].get(rival, {}).get("ece")
        if ece is not None and ece.low > 0:
            found.append(f"{stage} outlook ECE {_gain_text(ece)}")
    return found


def _calibration_guardrail(run: TrainingRun) -> str:
    if any("champion" in r["differences"] for r in run.calibration.values()):
        return "outlook ECE"
    return "outlook ECE not compared: the rival has no outlook"


def train_and_register(
    db: Database,
    settings,
    *,
    holdout_fraction: float = HOLDOUT_FRACTION,
    min_labelled_jobs: int = MIN_LABELLED_JOBS,
    params: dict[str, object] | None = None,
    on_step=None,
    force: bool = False,
    exposure: bool = EXPOSURE_WEIGHTING,
    search: bool = False,
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
        champion_seen_until=seen_until(db, champion[0]) if champion else None,
        params=params,
        exposure=exposure,
        search=search,
    )
    promoted, reason = promotion_decision(run)
    if force and not promoted:
        promoted, reason = True, f"forced by --force over the rule: {reason}"
    card = {
        "data_window": run.data_window,
        "fits": _fits_card(run),
        "point_in_time": _point_in_time_card(run.point_in_time),
        "exposure_weighting": run.exposure,
        "search": run.search,
        "calibration": _calibration_card(run.calibration),
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
        "champion_held_out_jobs": run.champion_jobs,
        "decision": ("promoted: " if promoted else "not promoted: ") + reason,
    }
    version = register_ranker(db, settings, run.registered_model(), card, on_step=on_step)
    if promoted:
        registry.promote(db, version, reason, on_step=on_step)
    removed = registry.prune_versions(db, settings, on_step=on_step)
    registry.remove_orphan_files(db, settings)
    return TrainingOutcome(run, version, promoted, reason, removed)


def _fits_card(run: TrainingRun) -> dict:
    """The evaluation fit (what the holdout judged) and the registered final fit."""
    window, counts = run.data_window, run.row_counts
    evaluation = {
        "pairs": counts["train_pairs"],
        "first_shown_from": window["first_event"],
        "first_shown_before": window["holdout_from"],
        "judged_on": f"{counts['holdout_pairs']} pairs of {counts['holdout_jobs']} jobs first "
        f"shown from {window['holdout_from']}",
    }
    if run.final_model is None:
        return {"evaluation": evaluation, "final": "the evaluation fit (not refit)"}
    final = {
        "pairs": counts["pairs"],
        "first_shown_from": window["first_event"],
        "first_shown_until": window["last_first_shown"],
        "note": "same hyper-parameters refit on every labelled pair after selection; "
        "its metrics are the evaluation fit's (the holdout is in its training data)",
    }
    return {"evaluation": evaluation, "final": final}


def _point_in_time_card(counts: dict[str, int]) -> dict:
    return {
        **counts,
        "rule": "each pair's features read the worker and job profiles valid when the pair "
        "reached its grade (m021 history); pairs older than their profiles' history use the "
        "earliest known version",
    }


def _calibration_card(calibration: dict) -> dict:
    return {
        "method": "isotonic regression of the evaluation fit's raw reach probability on the "
        "holdout; figures cross-fitted over 5 folds of held-out jobs; ECE over 10 equal-mass "
        "bins; intervals by the paired bootstrap over held-out jobs",
        "stages": {stage: report_json(report) for stage, report in calibration.items()},
    }


def seen_until(db: Database, version: str) -> str | None:
    """The first-shown time of the newest job `version`'s fit learned from (from its card)."""
    row = db.execute("SELECT card FROM model_versions WHERE version = ?", [version]).fetchone()
    card = json.loads(row[0]) if row and row[0] else {}
    final = card.get("fits", {}).get("final")
    if isinstance(final, dict):
        return final.get("first_shown_until")
    # An evaluation fit (or an older card): it learned from jobs before its holdout.
    return card.get("data_window", {}).get("holdout_from")


def _loadable_champion(db: Database, settings) -> tuple[str, object] | None:
    from matcher import registry
    from matcher.ranking.model_files import load_champion_ranker

    try:
        return load_champion_ranker(db, settings)
    except registry.RegistryError:
        # An unloadable champion is not being served (cold start is); compare with that.
        return None


@dataclass
class Comparison:
    """Two versions on the same held-out jobs, and which of them learned from those jobs."""

    report: BootstrapReport
    in_sample: list[str]  # versions whose fit saw the compared jobs (refit): in-sample figures


def compare_versions(
    db: Database,
    settings,
    version_a: str,
    version_b: str,
    *,
    holdout_fraction: float = HOLDOUT_FRACTION,
) -> Comparison:
    """Both versions scored on the newest chronological holdout of the current database; B - A.

    Only the held-out jobs neither version learned from are compared when there are any (a
    refit version has learned from the older ones); otherwise the whole holdout, and the
    versions that learned from it are named.
    """
    from matcher.ranking.model_files import load_ranker

    data = load_training_data(db)
    holdout_mask, _cutoff = chronological_split(data.labelled, holdout_fraction)
    seen = {v: seen_until(db, v) for v in (version_a, version_b)}
    known = [at for at in seen.values() if at is not None]
    starts = job_start_times(data.labelled.subset(holdout_mask))
    unseen_jobs = [j for j, at in starts.items() if not known or at > max(known)]
    in_sample = []
    if unseen_jobs:
        holdout_mask &= np.isin(data.labelled.job_ids, unseen_jobs)
    else:
        first = min(starts.values())
        in_sample = [v for v, at in seen.items() if at is not None and at >= first]
    holdout, features, _keys = data.subset(holdout_mask)
    tables = {
        version: _table(holdout, load_ranker(db, settings, version).predict(features))
        for version in (version_b, version_a)
    }
    return Comparison(paired_bootstrap(tables, candidate=version_b), in_sample)
