"""Features of (worker, job) pairs, computed for one job against many workers at once.

Every feature is a fact about fit between the worker's profile and the job: skills, text,
city and remote preference, experience, salary, French and availability. None is a
protected ground or a proxy for one (PRODUCT.md "Words"): names, emails, education and
work authorization are never read here.
"""

from __future__ import annotations

import datetime as dt
from functools import lru_cache

import numpy as np
import scipy.sparse as sp

from matcher.constants import CITIES
from matcher.features.population import (
    EPOCH,
    TEXT_VECTORIZER,
    JobProfile,
    WorkerTable,
)

FEATURE_NAMES: list[str] = [
    "required_coverage_weighted",  # share of required skills held, each weighted by rarity (IDF)
    "required_coverage",  # plain share of required skills held
    "nice_to_have_coverage",  # share of nice-to-have skills held
    "related_skill_credit",  # share of missing required skills with a held skill of same category
    "skill_years_fit",  # mean over required skills of min(1, years in the skill / years needed)
    "text_similarity",  # cosine of hashed resume and job text
    "city_preference",  # 1, 2/3, 1/3 for the job city ranked first, second, third; 0 absent
    "remote_compatible",  # 1 remote job and open to remote, 0.5 hybrid and open, else 0
    "experience_shortfall",  # years below the job's minimum (0 when enough)
    "experience_surplus",  # years above the job's minimum
    "salary_fit",  # 1 within budget (or unknown), budget / expectation above it
    "french_fit",  # 1 when the French requirement is met, level / requirement below it
    "french_shortfall",  # NCLC levels below the requirement (an unknown level counts as 0)
    "days_until_available",  # days from today to the earliest start, 0..365
]

# Features whose increase may never lower a learned score (monotonic constraints).
INCREASING_FEATURES: frozenset[str] = frozenset(
    {
        "required_coverage_weighted",
        "required_coverage",
        "nice_to_have_coverage",
        "city_preference",
        "french_fit",
        "salary_fit",
    }
)
# Features whose increase may never raise a learned score: falling short never helps.
DECREASING_FEATURES: frozenset[str] = frozenset(
    {"experience_shortfall", "french_shortfall", "days_until_available"}
)
MAX_DAYS_UNTIL_AVAILABLE = 365.0
MAX_EXPERIENCE_GAP = 20.0


@lru_cache(maxsize=1)
def _skill_categories() -> dict[str, str]:
    """Canonical skill name -> category from the vocabulary (empty until it is installed)."""
    try:
        from matcher.skills import load_vocabulary
    except ImportError:
        return {}
    vocabulary = load_vocabulary()
    skills = getattr(vocabulary, "skills", None)
    if skills is None:
        return {}
    items = skills.values() if isinstance(skills, dict) else skills
    return {skill.name: skill.category for skill in items if getattr(skill, "category", None)}


def _category_presence(workers: WorkerTable) -> tuple[sp.csr_matrix, dict[str, int]]:
    """(workers, categories) matrix: 1 where the worker holds any skill of that category."""
    cached = getattr(workers, "_category_cache", None)
    if cached is not None:
        return cached
    categories = _skill_categories()
    category_index: dict[str, int] = {}
    mapping_rows, mapping_cols = [], []
    for skill, column in workers.skill_index.items():
        category = categories.get(skill)
        if category is not None:
            mapping_rows.append(column)
            mapping_cols.append(category_index.setdefault(category, len(category_index)))
    mapping = sp.csr_matrix(
        (np.ones(len(mapping_rows), dtype=np.float32), (mapping_rows, mapping_cols)),
        shape=(len(workers.skill_index), len(category_index)),
    )
    presence = ((workers.skills > 0).astype(np.float32) @ mapping).tocsr()
    presence.data[:] = 1.0
    workers._category_cache = (presence, category_index)
    return presence, category_index


def _skill_block(workers: WorkerTable, rows: np.ndarray, skills: list[str]) -> np.ndarray:
    """(len(rows), len(skills)) array of 1 + years held, 0 where not held."""
    block = np.zeros((len(rows), len(skills)), dtype=np.float32)
    known = [(i, workers.skill_index[s]) for i, s in enumerate(skills) if s in workers.skill_index]
    if known and len(rows):
        positions, columns = zip(*known, strict=True)
        block[:, list(positions)] = workers.skills[rows][:, list(columns)].toarray()
    return block


def _coverage(held: np.ndarray, weights: np.ndarray | None = None) -> np.ndarray:
    if held.shape[1] == 0:
        return np.ones(held.shape[0], dtype=np.float32)
    if weights is None:
        return held.mean(axis=1)
    return (held * weights).sum(axis=1) / weights.sum()


def _related_credit(
    job: JobProfile, workers: WorkerTable, rows: np.ndarray, held: np.ndarray
) -> np.ndarray:
    categories = _skill_categories()
    if not job.required_skills or not categories:
        return np.zeros(len(rows), dtype=np.float32)
    presence, category_index = _category_presence(workers)
    columns = [category_index.get(categories.get(s, ""), -1) for s in job.required_skills]
    has_category = np.zeros_like(held)
    known = [(i, c) for i, c in enumerate(columns) if c >= 0]
    if known and len(rows):
        positions, cats = zip(*known, strict=True)
        has_category[:, list(positions)] = presence[rows][:, list(cats)].toarray()
    missing = 1.0 - held
    return ((has_category * missing).sum(axis=1) / len(job.required_skills)).astype(np.float32)


def _years_fit(block: np.ndarray, job: JobProfile) -> np.ndarray:
    if block.shape[1] == 0:
        return np.ones(block.shape[0], dtype=np.float32)
    needed = max(float(job.min_years_experience or 0.0), 1.0)
    years = np.where(block > 0, block - 1.0, 0.0)
    # A skill held without stated years still shows some experience in it.
    fit = np.where(block > 0, np.clip(np.maximum(years, 0.5) / needed, 0.0, 1.0), 0.0)
    return fit.mean(axis=1)


def _text_similarity(job: JobProfile, workers: WorkerTable, rows: np.ndarray) -> np.ndarray:
    job_vector = TEXT_VECTORIZER.transform([job.text()])
    return np.asarray((workers.resume_vectors[rows] @ job_vector.T).toarray()).ravel()


def _city_preference(job: JobProfile, workers: WorkerTable, rows: np.ndarray) -> np.ndarray:
    rank = workers.city_rank[rows, CITIES.index(job.city)].astype(np.float32)
    return np.where(rank > 0, (len(CITIES) + 1 - rank) / len(CITIES), 0.0)


def _remote_compatible(job: JobProfile, workers: WorkerTable, rows: np.ndarray) -> np.ndarray:
    open_to_remote = workers.open_to_remote[rows].astype(np.float32)
    return open_to_remote * {"remote": 1.0, "hybrid": 0.5}.get(job.remote, 0.0)


def _salary_fit(job: JobProfile, workers: WorkerTable, rows: np.ndarray) -> np.ndarray:
    expectation = workers.salary_expectation[rows]
    if not job.salary_max_cad:
        return np.ones(len(rows), dtype=np.float32)
    ratio = float(job.salary_max_cad) / np.maximum(expectation, 1.0)
    return np.where(np.isnan(expectation), 1.0, np.clip(ratio, 0.0, 1.0))


def _french_fit(job: JobProfile, workers: WorkerTable, rows: np.ndarray) -> np.ndarray:
    required = float(job.french_level_required or 0)
    if required <= 0:
        return np.ones(len(rows), dtype=np.float32)
    level = np.nan_to_num(workers.french_level[rows], nan=0.0)
    return np.clip(level / required, 0.0, 1.0)


def _french_shortfall(job: JobProfile, workers: WorkerTable, rows: np.ndarray) -> np.ndarray:
    level = np.nan_to_num(workers.french_level[rows], nan=0.0)
    return np.clip(float(job.french_level_required or 0) - level, 0.0, None)


def _days_until_available(workers: WorkerTable, rows: np.ndarray, today: dt.date) -> np.ndarray:
    today_days = float((today - EPOCH).days)
    days = workers.available_from[rows] - today_days
    return np.clip(np.nan_to_num(days, nan=0.0), 0.0, MAX_DAYS_UNTIL_AVAILABLE)


def pair_features(
    job: JobProfile,
    workers: WorkerTable,
    rows: np.ndarray,
    *,
    today: dt.date | None = None,
) -> np.ndarray:
    """Feature matrix (len(rows), len(FEATURE_NAMES)) of `job` against the workers at `rows`."""
    rows = np.asarray(rows, dtype=np.int64)
    today = today or dt.datetime.now(dt.UTC).date()
    required = _skill_block(workers, rows, job.required_skills)
    nice = _skill_block(workers, rows, job.nice_to_have_skills)
    held = (required > 0).astype(np.float32)
    idf = np.array([workers.idf_of(s) for s in job.required_skills], dtype=np.float32)
    needed = float(job.min_years_experience or 0.0)
    years = workers.years_experience[rows]
    columns = [
        _coverage(held, idf),
        _coverage(held),
        _coverage((nice > 0).astype(np.float32)),
        _related_credit(job, workers, rows, held),
        _years_fit(required, job),
        _text_similarity(job, workers, rows),
        _city_preference(job, workers, rows),
        _remote_compatible(job, workers, rows),
        np.clip(needed - years, 0.0, MAX_EXPERIENCE_GAP),
        np.clip(years - needed, 0.0, MAX_EXPERIENCE_GAP),
        _salary_fit(job, workers, rows),
        _french_fit(job, workers, rows),
        _french_shortfall(job, workers, rows),
        _days_until_available(workers, rows, today),
    ]
    return np.column_stack(columns).astype(np.float32).reshape(len(rows), len(FEATURE_NAMES))
