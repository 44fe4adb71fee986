"""`talentmatch train --search`: halving random search over the ranker's hyper-parameters.

scikit-learn's HalvingRandomSearchCV draws `N_CANDIDATES` parameter sets, scores them all with
few boosting iterations, and keeps the best half with twice the iterations until the
largest budget (`max_iter` is the resource). Folds are time-ordered and grouped by job: the
jobs of the training part, in first-shown order, are cut into `N_SPLITS + 1` blocks and fold k
learns from blocks 0..k and is scored on block k + 1, so no fold learns from a job newer than
those it is judged on, and no job is split between the two sides. The score is NDCG@10 over
the fold's jobs. The search sees only the training part: the chronological holdout then judges
the chosen parameters as usual.
"""

from __future__ import annotations

import numpy as np
from scipy.stats import loguniform
from sklearn.experimental import enable_halving_search_cv  # noqa: F401
from sklearn.model_selection import HalvingRandomSearchCV

from matcher.constants import COL_ITEM, COL_QUERY, COL_RELEVANCE, COL_SCORE
from matcher.evaluation.metrics import ranking_metrics
from matcher.ranking.models import LearnedRanker

N_SPLITS = 3
N_CANDIDATES = 16
MIN_ITER, MAX_ITER = 40, 320
SEED = 0
SEARCH_SPACE = {
    "learning_rate": loguniform(0.02, 0.2),
    "max_leaf_nodes": [7, 15, 31],
    "min_samples_leaf": [20, 50, 100, 200],
    "l2_regularization": [0.0, 1.0, 5.0, 10.0],
}
TABLE_COLUMNS = ("iter", "n_resources", "mean_test_score", "std_test_score", "rank_test_score")


class JobTaggedRanker(LearnedRanker):
    """The ranker on rows whose first column is the job id, so a scorer can group by job."""

    def fit(self, X, y, sample_weight=None) -> JobTaggedRanker:
        return super().fit(np.asarray(X)[:, 1:], y, sample_weight)

    def predict(self, X) -> np.ndarray:
        return super().predict(np.asarray(X)[:, 1:])


def ndcg_at_10(estimator: JobTaggedRanker, X, y) -> float:
    X = np.asarray(X)
    table = {
        COL_QUERY: X[:, 0].astype(np.int64),
        COL_ITEM: np.arange(len(X)),
        COL_SCORE: estimator.predict(X),
        COL_RELEVANCE: np.asarray(y),
    }
    return ranking_metrics(table)["ndcg@10"]


def time_ordered_job_folds(
    job_ids: np.ndarray, job_starts: dict[int, str], n_splits: int = N_SPLITS
) -> list[tuple[np.ndarray, np.ndarray]]:
    """(train rows, test rows) of each fold: older job blocks against the next block."""
    ordered = sorted(job_starts, key=lambda job: (job_starts[job], job))
    blocks = np.array_split(np.array(ordered), n_splits + 1)
    folds = []
    for k in range(n_splits):
        train_jobs = np.concatenate(blocks[: k + 1])
        folds.append(
            (
                np.flatnonzero(np.isin(job_ids, train_jobs)),
                np.flatnonzero(np.isin(job_ids, blocks[k + 1])),
            )
        )
    return folds


def search_parameters(
    features: np.ndarray,
    relevance: np.ndarray,
    job_ids: np.ndarray,
    job_starts: dict[int, str],
    *,
    base_params: dict,
    sample_weight: np.ndarray | None = None,
) -> tuple[dict, dict]:
    """The best parameters found (with the largest `max_iter`) and the card's search section."""
    search = HalvingRandomSearchCV(
        JobTaggedRanker(**{**base_params, "max_iter": MAX_ITER}),
        SEARCH_SPACE,
        n_candidates=N_CANDIDATES,
        resource="max_iter",
        min_resources=MIN_ITER,
        max_resources=MAX_ITER,
        factor=2,
        cv=time_ordered_job_folds(job_ids, job_starts),
        scoring=ndcg_at_10,
        random_state=SEED,
        refit=False,
        error_score="raise",
    )
    tagged = np.column_stack([job_ids.astype(np.float64), features])
    fit_params = {} if sample_weight is None else {"sample_weight": sample_weight}
    search.fit(tagged, relevance, **fit_params)
    chosen = {name: _plain(value) for name, value in search.best_params_.items()}
    return chosen, {
        "method": f"HalvingRandomSearchCV: {N_CANDIDATES} candidates, max_iter {MIN_ITER} to "
        f"{MAX_ITER} doubling, factor 2; {N_SPLITS} time-ordered job-grouped folds of the "
        "training part; score NDCG@10",
        "chosen": chosen,
        "best_score": float(search.best_score_),
        "table": _table(search.cv_results_),
    }


def _table(results: dict) -> list[dict]:
    """One row per (candidate, round), best first."""
    rows = [
        {
            "params": {k: _plain(v) for k, v in results["params"][i].items()},
            **{column: _plain(results[column][i]) for column in TABLE_COLUMNS},
        }
        for i in range(len(results["params"]))
    ]
    return sorted(rows, key=lambda row: (-row["iter"], row["rank_test_score"]))


def _plain(value):
    return value.item() if isinstance(value, np.generic) else value
