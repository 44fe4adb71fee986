"""Stage one of ranking: fast candidate retrieval over the cached worker index.

Scoring every worker with the model for every request would not scale to a national
population, so a shortlist is built in two stages: a cheap vectorised retrieval score over
every eligible worker (skill postings from the worker table's sparse skill matrix, plus the
profile columns) picks the best few thousand, and only those are re-ranked by the serving
scorer (`matcher.ranking.shortlists`).

The worker index and open jobs it reads are in `matcher.ranking.index`, the hard filters in
`matcher.ranking.filters`; retrieval weights fitted to a learned champion are cached per model
version (`matcher.ranking.caches`).
"""

from __future__ import annotations

import json
import sqlite3
import weakref
from collections.abc import Callable, Sequence

import numpy as np
from sqlite_utils import Database

from matcher import clock
from matcher.constants import CITIES
from matcher.features.pair_features import (
    EXPERIENCE_SHORTFALL_FOR_ZERO,
    MAX_DAYS_UNTIL_AVAILABLE,
    TEXT_RELEVANCE_HALF,
    job_key,
    job_side,
    skill_jaccard,
)
from matcher.features.population import (
    EPOCH,
    UNKNOWN_YEARS_VALUE,
    JobProfile,
)
from matcher.ranking.caches import BoundedCache, VersionedCache, database_key
from matcher.ranking.index import (
    OpenJobs,
    WorkerIndex,
    WorkerProfileColumns,
    job_profile_terms,
    open_jobs,
)
from matcher.ranking.scorers import COLD_START_VERSION, Scorer
from matcher.store import utc_now, write_transaction

# How many retrieved candidates the model re-ranks for one job, and jobs for one worker.
# 750 keeps NDCG@10 against exhaustive scoring >= 0.998 (min over 100 jobs, learned champion;
# 1.0 cold-start) at 100k workers; each pooled worker costs ~5 us of model time per request.
RERANK_POOL_SIZE = 750
JOB_POOL_SIZE = 60

# Weights of the retrieval score: a cheap linear stand-in for the ranking features, with
# the skills first (as in every scorer), then occupation, place, text and the rest.
RETRIEVAL_WEIGHTS: dict[str, float] = {
    "required": 0.26,
    "nice_to_have": 0.05,
    "focus": 0.05,
    "text": 0.10,
    "occupation": 0.20,
    "place": 0.14,
    "experience": 0.06,
    "salary": 0.04,
    "french": 0.04,
    "availability": 0.03,
}
PROFILE_TERMS: tuple[str, ...] = ("place", "experience", "salary", "french", "availability")
# The terms of a shortlist's retrieval score; the required-skill weight is split between
# IDF-weighted coverage and the years held in those skills.
CONTENT_TERMS: tuple[str, ...] = ("nice_to_have", "focus", "text", "occupation")
RETRIEVAL_TERMS: tuple[str, ...] = ("required", "years_fit", *CONTENT_TERMS, *PROFILE_TERMS)
REQUIRED_YEARS_SHARE = 0.23  # 0.06 of 0.26, as in the cold-start weights
DEFAULT_TERM_WEIGHTS = np.array(
    [
        RETRIEVAL_WEIGHTS["required"] * (1 - REQUIRED_YEARS_SHARE),
        RETRIEVAL_WEIGHTS["required"] * REQUIRED_YEARS_SHARE,
        *(RETRIEVAL_WEIGHTS[name] for name in (*CONTENT_TERMS, *PROFILE_TERMS)),
    ],
    dtype=np.float64,
)
# Fitting the retrieval weights to a serving scorer: pairs scored per sampled job, and
# the least data worth fitting to.
FIT_JOBS = 24
FIT_PAIRS_PER_JOB = 400
MIN_FIT_PAIRS = 1000
# With fitted weights, a pool also takes the best 1/DEFAULT_POOL_SHARE by default weights.
DEFAULT_POOL_SHARE = 4
_fitted_weights = VersionedCache()


def _skill_terms(index: WorkerIndex, job: JobProfile) -> list[np.ndarray]:
    """IDF-weighted required coverage, years fit, nice-to-have coverage and skill focus
    (Jaccard of the worker's and the job's skills) of every worker."""
    table, postings = index.table, index.postings
    n = len(index)
    matched = np.zeros(n, dtype=np.float32)
    required = np.zeros(n, dtype=np.float32)
    years_fit = np.zeros(n, dtype=np.float32)
    nice = np.zeros(n, dtype=np.float32)
    needed_years = max(float(job.min_years_experience or 0.0), 1.0)
    weights = [table.idf_of(skill) for skill in job.required_skills]
    for skill, weight in zip(job.required_skills, weights, strict=True):
        column = table.skill_index.get(skill)
        if column is None:
            continue
        start, end = postings.indptr[column], postings.indptr[column + 1]
        holders, values = postings.indices[start:end], postings.data[start:end]
        required[holders] += weight  # holders of one column are unique, so += is safe
        matched[holders] += 1.0
        # Unknown years count as enough, as in the pair features.
        stated = np.clip(np.maximum(values - 1.0, 0.0) / needed_years, 0.0, 1.0)
        years_fit[holders] += np.where(values == UNKNOWN_YEARS_VALUE, 1.0, stated)
    if weights:
        required /= sum(weights)
        years_fit /= len(weights)
    else:
        required[:] = 1.0
        years_fit[:] = 1.0
    for skill in job.nice_to_have_skills:
        column = table.skill_index.get(skill)
        if column is not None:
            start, end = postings.indptr[column], postings.indptr[column + 1]
            nice[postings.indices[start:end]] += 1.0 / len(job.nice_to_have_skills)
            matched[postings.indices[start:end]] += 1.0
    wanted = np.float32(len(job.required_skills) + len(job.nice_to_have_skills))
    held = np.diff(table.skills.indptr).astype(np.float32)
    return [required, years_fit, nice, skill_jaccard(matched, held, wanted)]


def _profile_terms(
    city_preference: np.ndarray,
    remote_weight: np.ndarray | float,
    open_to_remote: np.ndarray,
    min_years: np.ndarray | float,
    years: np.ndarray,
    salary_max: np.ndarray | float,
    expectation: np.ndarray,
    french_required: np.ndarray | float,
    french_level: np.ndarray,
    available_from: np.ndarray,
) -> list[np.ndarray]:
    """Place, experience, salary, French and availability terms, each in [0, 1].

    Arguments broadcast, so one job against every worker and one worker against every job
    share the arithmetic. Inputs carry no NaN: no budget is an infinite `salary_max`, an
    unknown expectation 1, an unknown French level 0 and an unknown start day 0.
    """
    place = np.maximum(city_preference, open_to_remote * remote_weight)
    experience = 1 - np.clip((min_years - years) / EXPERIENCE_SHORTFALL_FOR_ZERO, 0, 1)
    salary = np.minimum(salary_max / expectation, 1)
    # min(level, required) / required is the share of the requirement met; 1 without one.
    met = np.minimum(french_level, french_required) / np.maximum(french_required, 1)
    french = np.where(np.asarray(french_required) > 0, met, 1)
    today = np.float32((clock.today() - EPOCH).days)
    availability = 1 - np.clip((available_from - today) / MAX_DAYS_UNTIL_AVAILABLE, 0, 1)
    return [place, experience, salary, french, availability]


def _profile_score(*arguments: np.ndarray | float) -> np.ndarray:
    """The profile terms of `_profile_terms(*arguments)` weighted by RETRIEVAL_WEIGHTS."""
    weights = [RETRIEVAL_WEIGHTS[name] for name in PROFILE_TERMS]
    total = sum(w * term for w, term in zip(weights, _profile_terms(*arguments), strict=True))
    return np.asarray(total, dtype=np.float32)


def profile_terms(job: JobProfile, profile: WorkerProfileColumns) -> list[np.ndarray]:
    """The profile terms (PROFILE_TERMS) of every worker for `job`."""
    terms = {name: np.float32(value) for name, value in job_profile_terms(job).items()}
    return _profile_terms(
        profile.city_preference[:, CITIES.index(job.city)],
        terms["remote_weight"],
        profile.open_to_remote,
        terms["min_years"],
        profile.years,
        terms["salary_max"],
        profile.salary_expectation,
        terms["french_required"],
        profile.french_level,
        profile.available_from,
    )


def content_terms(index: WorkerIndex, job: JobProfile) -> tuple[np.ndarray, np.ndarray]:
    """BM25 text relevance and occupation similarity of every worker for `job`, as in the
    pair features (one sparse product over the resumes, one lookup per occupation slot)."""
    table = index.table
    side = job_side([job], table)
    weights = index.term_postings[:, side.text.indices] @ side.text.data
    share = np.asarray(weights).ravel() / max(float(side.text_ideal[0]), 1e-9)
    text = (share / (share + TEXT_RELEVANCE_HALF)).astype(np.float32)
    return text, side.profile_similarity(table)[table.occupation_profile]


def retrieval_terms(index: WorkerIndex, job: JobProfile) -> list[np.ndarray]:
    """Every term of the retrieval score (RETRIEVAL_TERMS) for every worker, each in [0, 1]."""
    required, years_fit, nice, focus = _skill_terms(index, job)
    text, occupation = content_terms(index, job)
    return [required, years_fit, nice, focus, text, occupation, *profile_terms(job, index.profile)]


def retrieval_scores(
    index: WorkerIndex, job: JobProfile, weights: np.ndarray = DEFAULT_TERM_WEIGHTS
) -> np.ndarray:
    """The cheap stage-one score of every worker for `job`: `weights` over RETRIEVAL_TERMS.

    A job's fit scale asks for the scores its pool was just retrieved by, so the last few
    are kept (`_recent_scores`) rather than computed again. Callers must not modify them.
    """
    return _kept_scores(
        index, job, weights, lambda: _weighted(retrieval_terms(index, job), weights)
    )


def _kept_scores(
    index: WorkerIndex, job: JobProfile, weights: np.ndarray, build: Callable[[], np.ndarray]
) -> np.ndarray:
    """The kept scores of `job` on this very index, else `build()`'s, kept read-only.

    The index is held weakly (a replaced index is not kept alive), and an id that a newer
    index reuses never returns the old index's scores.
    """
    key = _scores_key(index, job, weights)

    def computed() -> tuple[weakref.ref, np.ndarray]:
        scores = build()
        scores.flags.writeable = False
        return weakref.ref(index), scores

    alive, scores = _recent_scores.get(key, computed)
    if alive() is not index:
        _recent_scores.discard(lambda kept: kept == key)
        alive, scores = _recent_scores.get(key, computed)
    return scores


def _scores_key(index: WorkerIndex, job: JobProfile, weights: np.ndarray) -> tuple:
    # The availability term counts days from today, so the day is part of the key.
    return (id(index), job_key(job), weights.tobytes(), clock.today())


# Enough for a worker's matches (one fit scale per listed job, each just after its pool).
RECENT_SCORES = 12
_recent_scores = BoundedCache(RECENT_SCORES)


def clear_recent_scores() -> None:
    """Forget the kept retrieval scores (with the shortlist cache, for cold measurements)."""
    _recent_scores.clear()


def _weighted(terms: list[np.ndarray], weights: np.ndarray) -> np.ndarray:
    """`weights` over the retrieval `terms`, as float32 scores."""
    total = np.zeros(len(terms[0]), dtype=np.float32)
    for weight, term in zip(weights.tolist(), terms, strict=True):
        if weight:
            total += np.float32(weight) * term
    return total


def fit_term_weights(
    index: WorkerIndex,
    jobs: Sequence[JobProfile],
    score_rows: Callable[[JobProfile, np.ndarray], np.ndarray],
    *,
    per_job: int = FIT_PAIRS_PER_JOB,
    seed: int = 0,
) -> np.ndarray:
    """Weights over RETRIEVAL_TERMS that best reproduce `score_rows`'s ranking within a job.

    For each job, pairs are sampled from the top of the default retrieval score (where the
    scorer's best candidates lie) and from everyone; a non-negative least-squares fit of
    the scorer's outputs to the terms, centred per job since only the order within a job
    matters, gives the weights. Falls back to DEFAULT_TERM_WEIGHTS on too little data.
    """
    rng = np.random.default_rng(seed)
    blocks, targets = [], []
    for job in jobs:
        terms = np.column_stack(retrieval_terms(index, job)).astype(np.float64)
        top = top_rows(terms @ DEFAULT_TERM_WEIGHTS, np.ones(len(index), bool), per_job // 2)
        anyone = rng.choice(len(index), size=min(per_job // 2, len(index)), replace=False)
        rows = np.union1d(top, anyone)
        scores = np.asarray(score_rows(job, rows), dtype=np.float64)
        blocks.append(terms[rows] - terms[rows].mean(axis=0))
        targets.append(scores - scores.mean())
    if sum(len(target) for target in targets) < MIN_FIT_PAIRS:
        return DEFAULT_TERM_WEIGHTS
    import scipy.optimize  # on use: only a learned champion's weights are fitted

    weights, _ = scipy.optimize.nnls(np.vstack(blocks), np.concatenate(targets))
    if not np.isfinite(weights).all() or weights.sum() <= 0:
        return DEFAULT_TERM_WEIGHTS
    return weights / weights.sum()


def top_rows(scores: np.ndarray, mask: np.ndarray, count: int) -> np.ndarray:
    """Rows of the `count` best eligible scores, best first (ties: lower row first)."""
    if mask.all():  # the usual case without filters: skip copying every score
        eligible, candidate_scores = np.arange(len(scores)), scores
    else:
        eligible = np.flatnonzero(mask)
        candidate_scores = scores[eligible]
    if count <= 0 or len(eligible) == 0:
        return np.zeros(0, dtype=np.int64)
    if count < len(eligible):
        keep = np.argpartition(-candidate_scores, count - 1)[:count]
        eligible, candidate_scores = eligible[keep], candidate_scores[keep]
    order = np.lexsort((eligible, -candidate_scores))
    return eligible[order]


def retrieve_candidates(
    index: WorkerIndex,
    job: JobProfile,
    mask: np.ndarray,
    pool_size: int = RERANK_POOL_SIZE,
    weights: np.ndarray = DEFAULT_TERM_WEIGHTS,
) -> np.ndarray:
    """Rows of the `pool_size` eligible workers with the best retrieval score for `job`.

    With `weights` fitted to a scorer, the best by the default weights are added too (a
    quarter as many), so that a poor fit cannot lose candidates the default would find.
    """
    terms = retrieval_terms(index, job)  # computed once for both weightings
    scores = _kept_scores(index, job, weights, lambda: _weighted(terms, weights))
    rows = top_rows(scores, mask, pool_size)
    if weights is DEFAULT_TERM_WEIGHTS or np.array_equal(weights, DEFAULT_TERM_WEIGHTS):
        return rows
    default_scores = _weighted(terms, DEFAULT_TERM_WEIGHTS)
    default = top_rows(default_scores, mask, pool_size // DEFAULT_POOL_SHARE)
    return np.concatenate([rows, np.setdiff1d(default, rows, assume_unique=True)])


def term_weights_for(db: Database, index: WorkerIndex, scorer: Scorer) -> np.ndarray:
    """Retrieval weights for the serving scorer: fitted to it once per model version.

    The default weights mirror the cold-start scorer; a learned model may weigh skills,
    place and salary quite differently, and a pool that misses its favourites costs
    ranking quality, so its weights are fitted on a sample of the open jobs. The first
    process to fit them stores them (table retrieval_weights); every later one, a CLI
    command or a batch worker, reads them instead of fitting for a second.
    """
    if scorer.version == COLD_START_VERSION:
        return DEFAULT_TERM_WEIGHTS

    def fit() -> np.ndarray:
        jobs = open_jobs(db, index).jobs
        rng = np.random.default_rng(0)
        sample = rng.choice(len(jobs), size=min(FIT_JOBS, len(jobs)), replace=False)
        return fit_term_weights(
            index,
            [jobs[position] for position in sorted(sample)],
            lambda job, rows: scorer.score(job, index.table, rows),
        )

    def stored_or_fit() -> np.ndarray:
        stored = stored_term_weights(db, scorer.version)
        return stored if stored is not None else store_term_weights(db, scorer.version, fit())

    return _fitted_weights.get(database_key(db), scorer.version, stored_or_fit)


def stored_term_weights(db: Database, version: str) -> np.ndarray | None:
    """The weights stored for model `version`, or None (none, or fitted to other terms)."""
    row = db.execute(
        "SELECT terms, weights FROM retrieval_weights WHERE model_version = ?", [version]
    ).fetchone()
    if row is None or json.loads(row[0]) != list(RETRIEVAL_TERMS):
        return None
    return np.array(json.loads(row[1]), dtype=np.float64)


def store_term_weights(db: Database, version: str, weights: np.ndarray) -> np.ndarray:
    """Store `weights` for `version` unless another process did first; the stored ones.

    A read-only database (a batch worker's) keeps them in memory only: fitting is
    deterministic, so every reader of the same data fits the same weights.
    """
    row = [version, json.dumps(list(RETRIEVAL_TERMS)), json.dumps(weights.tolist()), utc_now()]
    try:
        with write_transaction(db):
            db.execute(
                "INSERT INTO retrieval_weights (model_version, terms, weights, fitted_at) "
                "VALUES (?, ?, ?, ?) ON CONFLICT (model_version) DO UPDATE SET "
                "terms = excluded.terms, weights = excluded.weights, "
                "fitted_at = excluded.fitted_at WHERE terms != excluded.terms",
                row,
            )
    except sqlite3.OperationalError:  # read-only, or locked past the busy timeout
        return weights
    stored = stored_term_weights(db, version)
    return weights if stored is None else stored


def retrieve_jobs(
    jobs: OpenJobs,
    index: WorkerIndex,
    row: int,
    *,
    pool_size: int = JOB_POOL_SIZE,
    exclude: frozenset[int] = frozenset(),
) -> list[JobProfile]:
    """The `pool_size` open jobs with the best retrieval score for the worker at `row`."""
    if not jobs.jobs:
        return []
    table = index.table
    held = (table.skills[row] > 0).astype(np.float32).T.toarray().ravel()
    required = np.asarray(jobs.required @ held).ravel()
    has_required = jobs.required_total > 0
    required = np.where(has_required, required / np.where(has_required, jobs.required_total, 1), 1)
    nice = np.asarray(jobs.nice_to_have @ held).ravel()
    terms = jobs.terms
    worker = index.profile
    profile = _profile_score(
        worker.city_preference[row, jobs.city_column],
        terms["remote_weight"],
        worker.open_to_remote[row],
        terms["min_years"],
        worker.years[row],
        terms["salary_max"],
        worker.salary_expectation[row],
        terms["french_required"],
        worker.french_level[row],
        worker.available_from[row],
    )
    # The match digests' batched pools (matcher.notifications.selection) reproduce this
    # score exactly, so it keeps to skills and profile; the scorer re-ranks the pool with
    # occupation and text.
    weights = RETRIEVAL_WEIGHTS
    scores = weights["required"] * required + weights["nice_to_have"] * nice + profile
    mask = np.array([job.id not in exclude for job in jobs.jobs], dtype=bool)
    return [jobs.jobs[position] for position in top_rows(scores, mask, pool_size)]
