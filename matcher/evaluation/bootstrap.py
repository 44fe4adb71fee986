"""Paired bootstrap over held-out jobs: 95 % intervals of metrics and of differences.

Each scorer's per-job figures are computed once (NDCG@10, MAP@10 and recall@50 per job; for
AUC, the count of concordant (relevant, other) pairs between every two jobs). A resample draws
jobs with replacement (`n_resamples` multinomial count vectors, one seeded generator); every
metric of every resample is then a weighted mean, a few matrix products for all resamples at
once. The same resamples serve every scorer, so a difference is paired: it is computed within
each resample and its percentile interval says whether a gain is more than the luck of which
jobs were held out.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from matcher.constants import COL_QUERY, COL_RELEVANCE, COL_SCORE
from matcher.evaluation.metrics import (
    RELEVANT_FROM,
    _cumulative_per_query,
    _dcg_per_query,
    _ideal_relevance,
    _Ranked,
)

N_RESAMPLES = 1000
SEED = 0
LEVEL = 0.95
PER_JOB_METRICS = ("ndcg@10", "map@10", "recall@50")


@dataclass(frozen=True)
class Interval:
    """A point estimate on all held-out jobs and its bootstrap percentile interval."""

    estimate: float
    low: float
    high: float

    def to_json(self) -> dict[str, float]:
        return {"estimate": self.estimate, "low": self.low, "high": self.high}


@dataclass
class JobFigures:
    """One scorer's figures per held-out job, the input of every resample."""

    queries: np.ndarray
    per_job: dict[str, np.ndarray]  # metric -> value per job (nan: job without a relevant pair)
    concordant: np.ndarray  # [j, k]: relevant pairs of job j ranked over other pairs of job k
    positives: np.ndarray
    negatives: np.ndarray


def _per_job_values(ranked: _Ranked) -> dict[str, np.ndarray]:
    hit = (ranked.relevance >= RELEVANT_FROM).astype(np.float64)
    n_relevant = ranked.per_query_sum(hit)
    dcg = _dcg_per_query(ranked, ranked.relevance, 10)
    ideal = _dcg_per_query(ranked, _ideal_relevance(ranked), 10)
    hits_so_far = _cumulative_per_query(ranked, hit)
    precision = hit * (ranked.rank < 10) * hits_so_far / (ranked.rank + 1.0)
    with np.errstate(invalid="ignore", divide="ignore"):
        ndcg = np.where(ideal > 0, dcg / ideal, np.nan)
        average_precision = np.where(
            n_relevant > 0, ranked.per_query_sum(precision) / np.minimum(n_relevant, 10), np.nan
        )
        found = ranked.per_query_sum(hit * (ranked.rank < 50))
        recall = np.where(n_relevant > 0, found / n_relevant, np.nan)
    return {"ndcg@10": ndcg, "map@10": average_precision, "recall@50": recall}


def _concordance(
    job_index: np.ndarray, score: np.ndarray, relevant: np.ndarray, n_jobs: int
) -> np.ndarray:
    """[j, k]: (relevant of j, other of k) pairs in the right order, ties counting one half."""
    matrix = np.zeros((n_jobs, n_jobs))
    pos_job, pos_score = job_index[relevant], score[relevant]
    for k in range(n_jobs):
        others = np.sort(score[(job_index == k) & ~relevant])
        below = np.searchsorted(others, pos_score, side="left")
        not_above = np.searchsorted(others, pos_score, side="right")
        matrix[:, k] = np.bincount(pos_job, weights=(below + not_above) / 2.0, minlength=n_jobs)
    return matrix


def job_figures(table: Mapping) -> JobFigures:
    """Per-job figures of one (query, item, score, relevance) table."""
    ranked = _Ranked(table)
    queries = ranked.query[ranked.starts] if ranked.n_queries else np.zeros(0)
    query = np.asarray(table[COL_QUERY])
    job_index = np.searchsorted(queries, query)
    relevant = np.asarray(table[COL_RELEVANCE], dtype=np.float64) >= RELEVANT_FROM
    score = np.asarray(table[COL_SCORE], dtype=np.float64)
    n_jobs = len(queries)
    return JobFigures(
        queries=queries,
        per_job=_per_job_values(ranked),
        concordant=_concordance(job_index, score, relevant, n_jobs),
        positives=np.bincount(job_index[relevant], minlength=n_jobs).astype(np.float64),
        negatives=np.bincount(job_index[~relevant], minlength=n_jobs).astype(np.float64),
    )


def resample_weights(n_jobs: int, n_resamples: int = N_RESAMPLES, seed: int = SEED) -> np.ndarray:
    """(n_resamples, n_jobs) counts: how often each job is drawn in each resample."""
    rng = np.random.default_rng(seed)
    return rng.multinomial(n_jobs, np.full(n_jobs, 1.0 / n_jobs), size=n_resamples).astype(float)


def resampled_metrics(figures: JobFigures, weights: np.ndarray) -> dict[str, np.ndarray]:
    """Every metric under each row of `weights` (a row of ones gives the plain estimate)."""
    values = {}
    for name, per_job in figures.per_job.items():
        useful = ~np.isnan(per_job)
        with np.errstate(invalid="ignore", divide="ignore"):
            values[name] = (weights @ np.where(useful, per_job, 0.0)) / (weights @ useful)
    pairs = (weights @ figures.positives) * (weights @ figures.negatives)
    with np.errstate(invalid="ignore", divide="ignore"):
        concordant = ((weights @ figures.concordant) * weights).sum(axis=1)
        values["auc"] = np.where(pairs > 0, concordant / pairs, np.nan)
    return values


def _interval(estimate: float, samples: np.ndarray, level: float) -> Interval:
    tail = (1.0 - level) / 2.0 * 100.0
    finite = samples[np.isfinite(samples)]
    if not finite.size:
        return Interval(estimate, float("nan"), float("nan"))
    low, high = np.percentile(finite, [tail, 100.0 - tail])
    return Interval(float(estimate), float(low), float(high))


@dataclass
class BootstrapReport:
    """Intervals of every scorer's metrics and of the model's differences to every rival."""

    intervals: dict[str, dict[str, Interval]]
    differences: dict[str, dict[str, Interval]]  # rival -> metric -> (model - rival)
    n_resamples: int
    seed: int
    n_jobs: int

    def to_json(self) -> dict:
        return {
            "n_resamples": self.n_resamples,
            "seed": self.seed,
            "level": LEVEL,
            "held_out_jobs": self.n_jobs,
            "intervals": _intervals_json(self.intervals),
            "differences": _intervals_json(self.differences),
        }


def _intervals_json(nested: dict[str, dict[str, Interval]]) -> dict:
    return {name: {m: i.to_json() for m, i in row.items()} for name, row in nested.items()}


def paired_bootstrap(
    tables: Mapping[str, Mapping],
    *,
    candidate: str = "model",
    n_resamples: int = N_RESAMPLES,
    seed: int = SEED,
    level: float = LEVEL,
) -> BootstrapReport:
    """Intervals for every table, and `candidate` minus each other table, on shared resamples."""
    figures = {name: job_figures(table) for name, table in tables.items()}
    n_jobs = len(next(iter(figures.values())).queries)
    weights = resample_weights(n_jobs, n_resamples, seed)
    ones = np.ones((1, n_jobs))
    samples = {name: resampled_metrics(f, weights) for name, f in figures.items()}
    points = {name: resampled_metrics(f, ones) for name, f in figures.items()}
    intervals = {
        name: {m: _interval(points[name][m][0], samples[name][m], level) for m in samples[name]}
        for name in figures
    }
    differences = {}
    if candidate in figures:
        for rival in figures:
            if rival == candidate:
                continue
            differences[rival] = {
                m: _interval(
                    points[candidate][m][0] - points[rival][m][0],
                    samples[candidate][m] - samples[rival][m],
                    level,
                )
                for m in samples[candidate]
            }
    return BootstrapReport(intervals, differences, n_resamples, seed, n_jobs)
