"""Calibration of the outlook: isotonic curves, reliability tables, Brier score and ECE.

The outlook of a pair is the chance that a candidate shown for a job reaches a stage or a
later one. Its curve is fitted by isotonic regression of the model's raw reach probability
on what held-out pairs did. The figures a card reports are cross-fitted: the held-out jobs
are split into folds and each fold is scored by the curve fitted on the others, so the
reported error is not measured on the data its curve was fitted to.

ECE (expected calibration error) uses `N_BINS` bins of equal mass (outlooks are small:
equal-width bins would put nearly every pair in the first), weighted by their share of
pairs. Its paired bootstrap resamples held-out jobs with the same seeded counts as the
ranking metrics (matcher.evaluation.bootstrap.resample_weights).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from sklearn.isotonic import IsotonicRegression

from matcher.evaluation.bootstrap import Interval, _interval, resample_weights

N_BINS = 10
N_FOLDS = 5
LEVEL = 0.95


def fit_curve(raw: np.ndarray, reached: np.ndarray) -> np.ndarray:
    """A (2, k) monotone curve (raw probability -> observed rate), for `np.interp`."""
    isotonic = IsotonicRegression(y_min=0.0, y_max=1.0, out_of_bounds="clip")
    isotonic.fit(np.asarray(raw, dtype=np.float64), np.asarray(reached, dtype=np.float64))
    return np.vstack([isotonic.X_thresholds_, isotonic.y_thresholds_])


def apply_curve(curve: np.ndarray, raw: np.ndarray) -> np.ndarray:
    return np.interp(raw, curve[0], curve[1])


def cross_fitted(
    raw: np.ndarray, reached: np.ndarray, jobs: np.ndarray, folds: int = N_FOLDS
) -> np.ndarray:
    """Each pair's calibrated outlook from a curve fitted on the other folds of jobs."""
    distinct = np.unique(jobs)
    fold_of_job = np.random.default_rng(0).permutation(len(distinct)) % folds
    fold = fold_of_job[np.searchsorted(distinct, jobs)]
    out = np.empty(len(raw), dtype=np.float64)
    for k in range(folds):
        test = fold == k
        if test.any():
            out[test] = apply_curve(fit_curve(raw[~test], reached[~test]), raw[test])
    return out


def bin_edges(outlook: np.ndarray, bins: int = N_BINS) -> np.ndarray:
    """Inner edges of `bins` bins holding about equal numbers of pairs."""
    return np.unique(np.quantile(outlook, np.linspace(0, 1, bins + 1)[1:-1]))


def reliability_table(outlook: np.ndarray, reached: np.ndarray, edges: np.ndarray) -> list[dict]:
    """Per bin: its range, pairs, mean outlook and observed rate."""
    which = np.digitize(outlook, edges)
    rows = []
    for b in range(len(edges) + 1):
        inside = which == b
        if inside.any():
            rows.append(
                {
                    "from": float(outlook[inside].min()),
                    "to": float(outlook[inside].max()),
                    "pairs": int(inside.sum()),
                    "mean_outlook": float(outlook[inside].mean()),
                    "observed": float(reached[inside].mean()),
                }
            )
    return rows


@dataclass
class CalibrationFigures:
    """Per held-out job and bin, what every resample of the ECE and Brier score needs."""

    gap: np.ndarray  # (jobs, bins): sum of outlook - reached
    count: np.ndarray  # (jobs, bins): pairs
    squared: np.ndarray  # (jobs,): sum of squared errors

    def resampled(self, weights: np.ndarray) -> dict[str, np.ndarray]:
        """ECE and Brier score under each row of `weights` (job counts)."""
        pairs = weights @ self.count.sum(axis=1)
        with np.errstate(invalid="ignore", divide="ignore"):
            ece = np.abs(weights @ self.gap).sum(axis=1) / pairs
            brier = (weights @ self.squared) / pairs
        return {"ece": ece, "brier": brier}


def calibration_figures(
    outlook: np.ndarray, reached: np.ndarray, job_index: np.ndarray, n_jobs: int, edges
) -> CalibrationFigures:
    which = np.digitize(outlook, edges)
    bins = len(edges) + 1
    cell = job_index * bins + which
    gap = np.bincount(cell, weights=outlook - reached, minlength=n_jobs * bins)
    count = np.bincount(cell, minlength=n_jobs * bins).astype(np.float64)
    squared = np.bincount(job_index, weights=(outlook - reached) ** 2, minlength=n_jobs)
    return CalibrationFigures(gap.reshape(n_jobs, bins), count.reshape(n_jobs, bins), squared)


def calibration_report(
    outlooks: dict[str, np.ndarray], reached: np.ndarray, jobs: np.ndarray, *, candidate: str
) -> dict:
    """ECE and Brier score of each scorer's outlook with 95 % intervals, the reliability table
    of each, and `candidate` minus each other scorer (paired over held-out jobs)."""
    distinct, job_index = np.unique(jobs, return_inverse=True)
    edges = bin_edges(outlooks[candidate])
    weights = resample_weights(len(distinct))
    ones = np.ones((1, len(distinct)))
    figures = {
        name: calibration_figures(o, reached, job_index, len(distinct), edges)
        for name, o in outlooks.items()
    }
    samples = {name: f.resampled(weights) for name, f in figures.items()}
    points = {name: f.resampled(ones) for name, f in figures.items()}
    report = {
        name: {
            **{m: _interval(points[name][m][0], samples[name][m], LEVEL) for m in samples[name]},
            "reliability": reliability_table(outlooks[name], reached, edges),
        }
        for name in figures
    }
    differences = {
        rival: {
            m: _interval(
                points[candidate][m][0] - points[rival][m][0],
                samples[candidate][m] - samples[rival][m],
                LEVEL,
            )
            for m in samples[candidate]
        }
        for rival in figures
        if rival != candidate
    }
    return {"scorers": report, "differences": differences}


def report_json(report: dict) -> dict:
    """The report with intervals as JSON objects."""

    def plain(value):
        if isinstance(value, Interval):
            return value.to_json()
        if isinstance(value, dict):
            return {k: plain(v) for k, v in value.items()}
        return value

    return plain(report)
