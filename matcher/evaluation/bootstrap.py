"""Paired bootstrap over held-out jobs: 95 % intervals of metrics and of differences.

Each scorer's per-job figures are computed once, on the table sorted by job once (NDCG@10,
MAP@10 and recall@50 per job; for AUC, each job's correctly ordered and total (relevant, other)
pairs, the first-order decomposition of the pooled AUC). A resample draws jobs with
replacement: one seeded (n_resamples, n_jobs) matrix of multinomial counts; every metric of
every resample is then a ratio of count-weighted sums, one matrix-vector product per figure for
all resamples at once (no job-by-job matrix, no loop over jobs). The same resamples serve
every scorer, so a difference is paired: it is computed within each resample and its
percentile interval says whether a gain is more than the luck of which jobs were held out.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass, field

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
PRIMARY = "ndcg@10"  # the per-job metric whose defined jobs `compared_jobs` counts


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
    ordered: np.ndarray  # per job: (relevant, other) pairs it takes part in, correctly ordered
    pairs: np.ndarray  # per job: (relevant, other) pairs it takes part in
    total_ordered: float  # correctly ordered (relevant, other) pairs of the whole table
    total_pairs: float  # (relevant, other) pairs of the whole table


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


def _pair_counts(
    job_index: np.ndarray, score: np.ndarray, relevant: np.ndarray, n_jobs: int
) -> tuple[np.ndarray, np.ndarray, float, float]:
    """Each job's share of the table's (relevant, other) pairs, ties counting one half.

    A job takes part in a pair through its relevant pair (against every other pair of the
    table) and through its other pairs (against every relevant pair of the table). These
    per-job sums are the first-order (Hoeffding) decomposition of the pooled AUC: under
    resample counts w, the correctly ordered pairs are about w @ ordered - total_ordered and
    the pairs w @ pairs - total_pairs, exact for w = 1. Two sorts, no job-by-job matrix.
    """
    pos, neg = np.sort(score[relevant]), np.sort(score[~relevant])
    pos_score, neg_score = score[relevant], score[~relevant]
    below = np.searchsorted(neg, pos_score, side="left")
    not_above = np.searchsorted(neg, pos_score, side="right")
    over_pos = (below + not_above) / 2.0  # others under each relevant pair
    above = len(pos) - np.searchsorted(pos, neg_score, side="right")
    not_below = len(pos) - np.searchsorted(pos, neg_score, side="left")
    over_neg = (above + not_below) / 2.0  # relevant pairs over each other pair
    pos_job, neg_job = job_index[relevant], job_index[~relevant]
    ordered = np.bincount(pos_job, weights=over_pos, minlength=n_jobs) + np.bincount(
        neg_job, weights=over_neg, minlength=n_jobs
    )
    n_pos, n_neg = float(len(pos)), float(len(neg))
    pairs = (
        np.bincount(pos_job, minlength=n_jobs) * n_neg
        + np.bincount(neg_job, minlength=n_jobs) * n_pos
    )
    return ordered, pairs.astype(np.float64), float(over_pos.sum()), n_pos * n_neg


def job_figures(table: Mapping) -> JobFigures:
    """Per-job figures of one (query, item, score, relevance) table."""
    ranked = _Ranked(table)
    queries = ranked.query[ranked.starts] if ranked.n_queries else np.zeros(0)
    query = np.asarray(table[COL_QUERY])
    job_index = np.searchsorted(queries, query)
    relevant = np.asarray(table[COL_RELEVANCE], dtype=np.float64) >= RELEVANT_FROM
    score = np.asarray(table[COL_SCORE], dtype=np.float64)
    ordered, pairs, total_ordered, total_pairs = _pair_counts(
        job_index, score, relevant, len(queries)
    )
    return JobFigures(queries, _per_job_values(ranked), ordered, pairs, total_ordered, total_pairs)


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
    ordered = weights @ figures.ordered - figures.total_ordered
    pairs = weights @ figures.pairs - figures.total_pairs
    with np.errstate(invalid="ignore", divide="ignore"):
        values["auc"] = np.where(pairs > 0, np.clip(ordered / pairs, 0.0, 1.0), np.nan)
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
    # rival -> held-out jobs with a relevant pair (those the NDCG@10 gain averages over).
    compared_jobs: dict[str, int] = field(default_factory=dict)

    def to_json(self) -> dict:
        return {
            "n_resamples": self.n_resamples,
            "seed": self.seed,
            "level": LEVEL,
            "held_out_jobs": self.n_jobs,
            "compared_jobs": dict(self.compared_jobs),
            "intervals": _intervals_json(self.intervals),
            "differences": _intervals_json(self.differences),
        }


def _intervals_json(nested: dict[str, dict[str, Interval]]) -> dict:
    return {name: {m: i.to_json() for m, i in row.items()} for name, row in nested.items()}


def paired_bootstrap(
    tables: Mapping[str, Mapping],
    *,
    candidate: str = "model",
    scorers: Collection[str] | None = None,
    n_resamples: int = N_RESAMPLES,
    seed: int = SEED,
    level: float = LEVEL,
) -> BootstrapReport:
    """Intervals for every table, and `candidate` minus each other table, on shared resamples.

    `scorers` limits the bootstrap to the tables named (those a decision or a card reads);
    None: every table.
    """
    names = [n for n in tables if scorers is None or n in scorers]
    figures = {name: job_figures(tables[name]) for name in names}
    n_jobs = len(next(iter(figures.values())).queries)
    weights = resample_weights(n_jobs, n_resamples, seed)
    ones = np.ones((1, n_jobs))
    samples = {name: resampled_metrics(f, weights) for name, f in figures.items()}
    points = {name: resampled_metrics(f, ones) for name, f in figures.items()}
    intervals = {
        name: {m: _interval(points[name][m][0], samples[name][m], level) for m in samples[name]}
        for name in figures
    }
    differences, compared = {}, {}
    if candidate in figures:
        for rival in figures:
            if rival == candidate:
                continue
            defined = np.isfinite(figures[candidate].per_job[PRIMARY])
            compared[rival] = int((defined & np.isfinite(figures[rival].per_job[PRIMARY])).sum())
            differences[rival] = {
                m: _interval(
                    points[candidate][m][0] - points[rival][m][0],
                    samples[candidate][m] - samples[rival][m],
                    level,
                )
                for m in samples[candidate]
            }
    return BootstrapReport(intervals, differences, n_resamples, seed, n_jobs, compared)
