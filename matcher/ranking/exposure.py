"""Exposure-aware learning: weighting logged outcomes by the inverse of their chance of being shown.

The ranker learns only from pairs an earlier search chose to show; workers that search
rarely shows are under-represented, so the model learns little about them although serving
ranks every eligible worker. Outcomes record no shown position, so exposure is estimated as
the retrieval propensity: the chance that a (job, worker) pair is shown at all, from a
classifier of shown pairs against a sample of never-shown live workers for the same jobs
(each sampled pair weighted by how many unshown workers it stands for, so the classifier's
probability is the shown rate itself, with no odds correction). Each logged pair is then
weighted by 1 / propensity, clipped at `MAX_WEIGHT_RATIO` times the median weight (inverse
propensities are heavy-tailed and a few pairs would otherwise dominate), normalised to mean 1.

The demo's exposure process is known (docs/DEMO_DATA.md): 45 % of a pool from the job's role
family in its city, 25 % from the family anywhere, 30 % from everyone; what it does to the
demo is measured by benchmarks/bench_exposure.py (evaluation fits, paired bootstrap over
held-out jobs, weighted - unweighted). Seed 7, 2,000 workers / 150 jobs (29 held out): logged
holdout NDCG@10 +0.0073 [-0.0328, +0.0446]; every worker ranked for the held-out jobs against
the noise-free hire probability, NDCG@10 +0.0118 [-0.0030, +0.0264]. 4,000 workers / 400 jobs
(71 held out): logged holdout -0.0023 [-0.0211, +0.0181]; every worker +0.0201
[+0.0127, +0.0274]. It does not hurt where outcomes are logged and helps where nobody was
shown. It is still off by default (`train --exposure-weighting` turns it on): weighted fits
made benchmarks/bench_train.py at 100,000 events 138 s against 78 s unweighted (same session,
shared machine), too slow for the 1,000,000-event target.
Tried and dropped: importance resampling instead of `sample_weight` (faster: no weighted
binning) with a case-control odds correction instead of weighted negatives; on the
4,000-worker demo it was significantly worse when ranking every worker (-0.0135
[-0.0257, -0.0013]). The price is time: below 200,000 rows scikit-learn's histogram binning
computes weighted percentiles, seconds per weighted fit.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from sklearn.ensemble import HistGradientBoostingClassifier
from threadpoolctl import threadpool_limits

from matcher.features.transformers import PairFeatureTransformer, PairSet

NEGATIVES_PER_JOB = 40
MAX_WEIGHT_RATIO = 10.0
SEED = 0


@dataclass
class ExposureWeights:
    """One weight per logged pair and what the card says about them."""

    weights: np.ndarray
    summary: dict


def exposure_weights(
    pair_set: PairSet,
    job_ids: np.ndarray,
    worker_ids: np.ndarray,
    features: np.ndarray,
    live_worker_ids: np.ndarray,
) -> ExposureWeights:
    """Inverse estimated retrieval propensity of each logged pair.

    `job_ids` and `worker_ids` are the logged pairs (sorted by job), `features` their rows;
    unshown pairs are read from `pair_set`'s live profiles (keys = live ids)."""
    negatives, negative_weights = _unshown_sample(job_ids, worker_ids, live_worker_ids)
    negative_features = PairFeatureTransformer().fit_transform(
        PairSet(negatives, pair_set.jobs, pair_set.workers, pair_set.as_of)
    )
    classifier = HistGradientBoostingClassifier(
        max_iter=100, max_leaf_nodes=15, early_stopping=False, random_state=SEED
    )
    X = np.vstack([features, negative_features])
    y = np.concatenate([np.ones(len(features)), np.zeros(len(negative_features))])
    w = np.concatenate([np.ones(len(features)), negative_weights])
    with threadpool_limits(limits=1, user_api="openmp"):
        classifier.fit(X, y, sample_weight=w)
        propensity = np.clip(classifier.predict_proba(features)[:, 1], 1e-6, 1.0)
    raw = 1.0 / propensity
    cap = MAX_WEIGHT_RATIO * float(np.median(raw))
    clipped = np.minimum(raw, cap)
    weights = clipped / clipped.mean()
    return ExposureWeights(
        weights,
        {
            "method": "inverse retrieval propensity (shown vs sampled unshown workers per job), "
            f"clipped at {MAX_WEIGHT_RATIO:g} x the median weight, normalised to mean 1",
            "unshown_sampled_per_job": NEGATIVES_PER_JOB,
            "propensity": _quantiles(propensity),
            "clipped_share": float((raw > cap).mean()),
            "largest_weight": float(weights.max()),
        },
    )


def _unshown_sample(
    job_ids: np.ndarray, worker_ids: np.ndarray, live_worker_ids: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Per job, up to NEGATIVES_PER_JOB live workers it never showed, as (job id, worker id)
    pairs, and the number of unshown live workers each stands for."""
    rng = np.random.default_rng(SEED)
    jobs, starts, counts = np.unique(job_ids, return_index=True, return_counts=True)
    pairs, weights = [], []
    for job, start, count in zip(jobs.tolist(), starts.tolist(), counts.tolist(), strict=True):
        shown = set(worker_ids[start : start + count].tolist())
        draws = rng.choice(live_worker_ids, size=min(2 * NEGATIVES_PER_JOB, len(live_worker_ids)))
        picked = np.unique([w for w in draws.tolist() if w not in shown])[:NEGATIVES_PER_JOB]
        unshown = len(live_worker_ids) - len(shown)
        if len(picked) and unshown > 0:
            pairs.append(np.column_stack([np.full(len(picked), job), picked]))
            weights.append(np.full(len(picked), unshown / len(picked)))
    if not pairs:
        return np.zeros((0, 2), dtype=np.int64), np.zeros(0)
    return np.vstack(pairs).astype(np.int64), np.concatenate(weights)


def _quantiles(values: np.ndarray) -> dict[str, float]:
    low, median, high = np.quantile(values, [0.05, 0.5, 0.95])
    return {"p05": float(low), "median": float(median), "p95": float(high)}
