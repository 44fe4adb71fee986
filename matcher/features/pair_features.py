"""Features of (worker, job) pairs, computed for one job against many workers at once.

Every feature is a fact about fit between the worker's profile and the job: skills, text,
occupation, city and remote preference, experience, salary, French and availability, and the
worker's own interest in the job (`matcher.features.interest`). None is a
protected ground or a proxy for one (PRODUCT.md "Words"): names, emails, education and
work authorization are never read here.
"""

from __future__ import annotations

import datetime as dt
from functools import lru_cache

import numpy as np
import scipy.sparse as sp

from matcher import clock
from matcher.constants import CITIES
from matcher.features.population import (
    BM25_K1,
    EPOCH,
    TEXT_VECTOR_FEATURES,
    TEXT_VECTORIZER,
    UNKNOWN_YEARS_VALUE,
    JobProfile,
    WorkerTable,
    csr_rows,
)
from matcher.occupations import UNKNOWN_SIMILARITY, similarity_to_codes

FEATURE_NAMES: list[str] = [
    "required_coverage_weighted",  # share of required skills held, each weighted by rarity (IDF)
    "required_coverage",  # plain share of required skills held
    "nice_to_have_coverage",  # share of nice-to-have skills held
    "related_skill_credit",  # share of missing required skills with a held skill of same category
    "skill_years_fit",  # mean over required skills of min(1, years / years needed); unknown 1
    "skill_focus",  # Jaccard of the worker's skills and the job's: a long skill list is no merit
    "text_relevance",  # BM25 of the job's terms in the resume, as a share, saturating (0..1)
    "occupation_similarity",  # how close the worker's occupations are to the job title's
    "city_preference",  # 1, 2/3, 1/3 for the job city ranked first, second, third; 0 absent
    "remote_compatible",  # 1 remote job and open to remote, 0.5 hybrid and open, else 0
    "place_fit",  # the better of city preference and remote compatibility (remote overrides city)
    "experience_shortfall",  # years below the job's minimum (0 when enough)
    "experience_surplus",  # years above the job's minimum
    "salary_fit",  # 1 within budget (or unknown), budget / expectation above it
    "french_fit",  # 1 when the French requirement is met, level / requirement below it
    "french_shortfall",  # NCLC levels below the requirement (an unknown level counts as 0)
    "days_until_available",  # days from today to the earliest start, 0..365
    # The worker's own answer on this job: +1 "I'm interested", -1 "Not for me", 0 none
    # (`matcher.features.interest`: current for serving, as of the decision for training).
    # Learned models only: the cold-start score gives it no weight.
    "worker_interest",
]

# Features whose increase may never lower a learned score (monotonic constraints).
INCREASING_FEATURES: frozenset[str] = frozenset(
    {
        "required_coverage_weighted",
        "required_coverage",
        "nice_to_have_coverage",
        "city_preference",
        "place_fit",
        "french_fit",
        "salary_fit",
        # Unknown years count as enough, so stating fewer years can never rank higher.
        "skill_years_fit",
        # Saying "I'm interested" never lowers a score, "Not for me" never raises one.
        "worker_interest",
    }
)
# Features whose increase may never raise a learned score: falling short never helps.
DECREASING_FEATURES: frozenset[str] = frozenset(
    {"experience_shortfall", "french_shortfall", "days_until_available"}
)
MAX_DAYS_UNTIL_AVAILABLE = 365.0  # a start this far away (or later) counts as not available
# Fit facts shared by the features, the cold-start score, retrieval and digest selection.
EXPERIENCE_SHORTFALL_FOR_ZERO = 5.0  # years below the minimum at which experience fit is 0
REMOTE_WEIGHTS: dict[str, float] = {"remote": 1.0, "hybrid": 0.5}  # open-to-remote credit
# Job-side skill matrices up to this many cells are looked up densely (faster than a sparse
# search per entry, and at most a few megabytes).
DENSE_LOOKUP_MAX_CELLS = 2_000_000
MAX_EXPERIENCE_GAP = 20.0
# The share of a job's attainable BM25 at which text relevance reaches one half: relevance is
# share / (share + TEXT_RELEVANCE_HALF), so it saturates instead of growing with length.
TEXT_RELEVANCE_HALF = 0.05
# Job texts whose hashed terms are kept, and single-job sides kept per worker table: enough
# for every open job of a large market's digest run (a side is a few kilobytes).
QUERY_CACHE_SIZE = 16_384
JOB_SIDE_CACHE_SIZE = 16_384


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
    for category in sorted(set(categories.values())):
        category_index.setdefault(category, len(category_index))
    mapping = sp.csr_matrix(
        (np.ones(len(mapping_rows), dtype=np.float32), (mapping_rows, mapping_cols)),
        shape=(len(workers.skill_index), len(category_index)),
    )
    presence = ((workers.skills > 0).astype(np.float32) @ mapping).tocsr()
    presence.data[:] = 1.0
    has_category = np.asarray(mapping.sum(axis=1)).ravel() > 0
    workers._category_cache = (presence, category_index, has_category)
    return workers._category_cache


def job_queries(jobs: list[JobProfile], workers: WorkerTable) -> tuple[sp.csr_matrix, np.ndarray]:
    """Each job's terms weighted 1 + log(count) (a term the posting repeats matters more, but
    not in proportion), over hashed terms, and its attainable BM25 with those weights.

    The attainable score sums each term's weight times IDF times the saturation ceiling
    (k1 + 1), over the terms some worker uses: a resume holding every term many times.
    """
    terms = [_query_terms(job.text()) for job in jobs]
    lengths = np.array([len(indices) for indices, _ in terms], dtype=np.int64)
    queries = sp.csr_matrix(
        (
            np.concatenate([weights for _, weights in terms]),
            np.concatenate([indices for indices, _ in terms]),
            np.r_[0, np.cumsum(lengths)],
        ),
        shape=(len(jobs), TEXT_VECTOR_FEATURES),
    )
    idf = workers.term_idf if len(workers.term_idf) else np.zeros(TEXT_VECTOR_FEATURES)
    ideal = np.asarray(queries @ idf.astype(np.float32)).ravel() * (BM25_K1 + 1)
    return queries, ideal.astype(np.float32)


@lru_cache(maxsize=QUERY_CACHE_SIZE)
def _query_terms(text: str) -> tuple[np.ndarray, np.ndarray]:
    """A job text's hashed terms and their 1 + log(count) weights, hashed once per text: the
    same job is scored again by every pool, fit scale and digest that holds it."""
    query = TEXT_VECTORIZER.transform([text])
    indices, weights = query.indices.astype(np.int32), (1.0 + np.log(query.data)).astype(np.float32)
    indices.flags.writeable = weights.flags.writeable = False  # shared between callers
    return indices, weights


def job_side(jobs: list[JobProfile], workers: WorkerTable) -> JobSide:
    """The `JobSide` of `jobs`; for one job, built once per worker table and job content,
    since shortlists, fit scales and digests score the same job against many pools."""
    if len(jobs) != 1:
        return JobSide(jobs, workers)
    sides = workers.job_sides
    key = job_key(jobs[0])
    side = sides.get(key)
    if side is None:
        side = JobSide(jobs, workers)
        with sides.lock:
            if len(sides) >= JOB_SIDE_CACHE_SIZE:
                sides.pop(next(iter(sides)))
            sides[key] = side
    return side


def job_key(job: JobProfile) -> tuple:
    """Every field of a job that its features read: equal keys, equal features."""
    return (
        job.text(),
        tuple(job.required_skills),
        tuple(job.nice_to_have_skills),
        job.min_years_experience,
        job.city,
        job.remote,
        job.salary_max_cad,
        job.french_level_required,
        job.occupation,
    )


class JobSide:
    """The jobs of a batch as arrays and sparse matrices over the workers' skill columns."""

    def __init__(self, jobs: list[JobProfile], workers: WorkerTable) -> None:
        n_skills = len(workers.skill_index)
        self.required = self._skill_matrix([j.required_skills for j in jobs], workers, n_skills)
        self.nice = self._skill_matrix([j.nice_to_have_skills for j in jobs], workers, n_skills)
        self.n_required = np.array([len(j.required_skills) for j in jobs], dtype=np.float32)
        self.n_nice = np.array([len(j.nice_to_have_skills) for j in jobs], dtype=np.float32)
        self.idf_total = np.array(
            [sum(workers.idf_of(s) for s in j.required_skills) for j in jobs], dtype=np.float32
        )
        self.min_years = np.array([j.min_years_experience or 0.0 for j in jobs], dtype=np.float32)
        self.city = np.array([CITIES.index(j.city) for j in jobs], dtype=np.int64)
        remote_share = REMOTE_WEIGHTS
        self.remote = np.array([remote_share.get(j.remote, 0.0) for j in jobs], dtype=np.float32)
        self.salary_max = np.array([j.salary_max_cad or np.nan for j in jobs], dtype=np.float32)
        self.french = np.array([j.french_level_required or 0 for j in jobs], dtype=np.float32)
        self.text, self.text_ideal = job_queries(jobs, workers)
        self.occupation = np.vstack([similarity_to_codes(j.occupation) for j in jobs])
        self.required_categories = self._category_counts(jobs, workers)
        self._profile_similarity: np.ndarray | None = None

    def profile_similarity(self, workers: WorkerTable) -> np.ndarray:
        """The (first) job's `profile_similarity` to every occupation profile, kept."""
        if self._profile_similarity is None:
            self._profile_similarity = profile_similarity(self.occupation[0], workers)
        return self._profile_similarity

    @staticmethod
    def _skill_matrix(lists: list[list[str]], workers: WorkerTable, n_skills: int):
        rows, columns = [], []
        for row, skills in enumerate(lists):
            for skill in skills:
                if skill in workers.skill_index:
                    rows.append(row)
                    columns.append(workers.skill_index[skill])
        return sp.csr_matrix(
            (np.ones(len(rows), dtype=np.float32), (rows, columns)),
            shape=(len(lists), n_skills),
        )

    @staticmethod
    def _category_counts(jobs: list[JobProfile], workers: WorkerTable) -> sp.csr_matrix:
        """(jobs, categories): how many required skills of each category a job asks for."""
        categories = _skill_categories()
        _, category_index, _ = _category_presence(workers)
        rows, columns = [], []
        for row, job in enumerate(jobs):
            for skill in job.required_skills:
                column = category_index.get(categories.get(skill, ""))
                if column is not None:
                    rows.append(row)
                    columns.append(column)
        return sp.csr_matrix(
            (np.ones(len(rows), dtype=np.float32), (rows, columns)),
            shape=(len(jobs), len(category_index)),
        )


def _share(count: np.ndarray, total: np.ndarray) -> np.ndarray:
    """count / total, and 1 where nothing is asked (an empty list excludes nobody)."""
    return np.where(total > 0, count / np.maximum(total, 1e-9), 1.0).astype(np.float32)


def _entry_pairs(matrix: sp.csr_matrix, count: int) -> np.ndarray:
    """The row (pair) of each stored entry of a CSR matrix with `count` rows."""
    return np.repeat(np.arange(count), np.diff(matrix.indptr))


def _job_values(job_matrix: sp.csr_matrix, job_of_entry: np.ndarray, columns: np.ndarray):
    """job_matrix[job, column] for each worker-side entry, 0 where the job has none."""
    if len(columns) == 0:
        return np.zeros(0, dtype=np.float32)
    if job_matrix.shape[0] * job_matrix.shape[1] <= DENSE_LOOKUP_MAX_CELLS:
        return job_matrix.toarray()[job_of_entry, columns]
    return np.asarray(job_matrix[job_of_entry, columns], dtype=np.float32).ravel()


def _per_pair_sum(pair_of_entry: np.ndarray, values: np.ndarray, count: int) -> np.ndarray:
    return np.bincount(pair_of_entry, weights=values, minlength=count).astype(np.float32)


def _skill_columns(job_side: JobSide, job_index, workers: WorkerTable, rows) -> list:
    """Skill features from the workers' stored skills only: one lookup per skill a worker
    holds, never a (pairs, skills) product (serving scores thousands of workers per job)."""
    held = csr_rows(workers.skills, rows)  # 1 + years where held
    pair_of = _entry_pairs(held, len(rows))
    job_of = job_index[pair_of]
    required = (_job_values(job_side.required, job_of, held.indices) > 0).astype(np.float32)
    nice = (_job_values(job_side.nice, job_of, held.indices) > 0).astype(np.float32)
    needed = np.maximum(job_side.min_years[job_index], 1.0)
    # Unknown years are unknown, never zero: they count as enough, so that a worker who
    # states no years never ranks below an otherwise equal one who states fewer.
    unknown = held.data == UNKNOWN_YEARS_VALUE
    stated = np.clip(np.maximum(held.data - 1.0, 0.0) / needed[pair_of], 0.0, 1.0)
    years = np.where(unknown, 1.0, stated) * required
    n_required = job_side.n_required[job_index]
    idf = workers.skill_idf[held.indices] if len(held.indices) else np.zeros(0)
    return [
        _share(_per_pair_sum(pair_of, required * idf, len(rows)), job_side.idf_total[job_index]),
        _share(_per_pair_sum(pair_of, required, len(rows)), n_required),
        _share(_per_pair_sum(pair_of, nice, len(rows)), job_side.n_nice[job_index]),
        _related_credit(job_side, job_index, workers, rows, (held, pair_of, required), n_required),
        _share(_per_pair_sum(pair_of, years, len(rows)), n_required),
        skill_jaccard(
            _per_pair_sum(pair_of, np.maximum(required, nice), len(rows)),
            np.diff(held.indptr).astype(np.float32),
            n_required + job_side.n_nice[job_index],
        ),
    ]


def skill_jaccard(matched: np.ndarray, held: np.ndarray, wanted: np.ndarray) -> np.ndarray:
    """|held and wanted| / |held or wanted| from the counts; 0 when both are empty."""
    union = held + wanted - matched
    return np.where(union > 0, matched / np.maximum(union, 1.0), 0.0).astype(np.float32)


def _related_credit(job_side, job_index, workers, rows, held_required, n_required):
    """Share of required skills not held for which the worker holds a same-category skill."""
    presence, _, has_category = _category_presence(workers)
    if presence.shape[1] == 0:
        return np.zeros(len(rows), dtype=np.float32)
    held, pair_of, required = held_required
    categories = csr_rows(presence, rows)
    category_pair = _entry_pairs(categories, len(rows))
    asked = _job_values(job_side.required_categories, job_index[category_pair], categories.indices)
    in_category = _per_pair_sum(category_pair, asked, len(rows))
    held_with_category = _per_pair_sum(
        pair_of, required * has_category[held.indices].astype(np.float32), len(rows)
    )
    credit = np.where(
        n_required > 0, (in_category - held_with_category) / np.maximum(n_required, 1), 0
    )
    return np.clip(credit, 0.0, 1.0).astype(np.float32)


def _text_relevance(side: JobSide, job_index: np.ndarray, workers: WorkerTable, rows):
    """BM25 of each pair's job terms in the resume, as a saturating share of the attainable."""
    raw = _sparse_row_dot(side.text, job_index, workers.resume_terms, rows)
    share = raw / np.maximum(side.text_ideal[job_index], 1e-9)
    return (share / (share + TEXT_RELEVANCE_HALF)).astype(np.float32)


def occupation_similarity(
    side: JobSide, job_index: np.ndarray, workers: WorkerTable, rows
) -> np.ndarray:
    """Share-weighted similarity of the worker's occupations to the job's (0..1)."""
    profiles = workers.occupation_profile[rows]
    if side.occupation.shape[0] == 1:
        # One job against many workers: once per distinct profile, then one lookup each.
        return side.profile_similarity(workers)[profiles]
    codes = workers.occupation_codes[profiles].astype(np.int64)  # -1 pads to the last 0
    similarity = side.occupation[job_index[:, None], codes]
    blended = (similarity * workers.occupation_weights[profiles]).sum(axis=1)
    return np.where(codes[:, 0] >= 0, blended, UNKNOWN_SIMILARITY).astype(np.float32)


def profile_similarity(job_occupation: np.ndarray, workers: WorkerTable) -> np.ndarray:
    """Similarity of one job's occupation (a `similarity_to_codes` row) to every profile."""
    codes = workers.occupation_codes.astype(np.int64)
    blended = (job_occupation[codes] * workers.occupation_weights).sum(axis=1)
    return np.where(codes[:, 0] >= 0, blended, UNKNOWN_SIMILARITY).astype(np.float32)


def _sparse_row_dot(
    job_rows: sp.csr_matrix, job_index: np.ndarray, worker_rows: sp.csr_matrix, rows
) -> np.ndarray:
    """Dot product of each pair's job row and worker row (hashed term space), without ever
    materialising a 262,144-wide job row per pair."""
    held = csr_rows(worker_rows, rows)
    if job_rows.shape[0] == 1:
        # One job (a shortlist): a dense job vector makes this one sparse matrix-vector product.
        dense = np.zeros(TEXT_VECTOR_FEATURES, dtype=np.float32)
        dense[job_rows.indices] = job_rows.data
        return np.asarray(held @ dense, dtype=np.float32).ravel()
    # Many jobs: only the few hashed columns some job uses can contribute to a dot product.
    columns = np.unique(job_rows.indices)
    selector = sp.csr_matrix(
        (np.ones(len(columns), dtype=np.float32), (columns, np.arange(len(columns)))),
        shape=(TEXT_VECTOR_FEATURES, len(columns)),
    )
    held = (held @ selector).tocsr()
    compact_jobs = sp.csr_matrix(
        (job_rows.data, np.searchsorted(columns, job_rows.indices), job_rows.indptr),
        shape=(job_rows.shape[0], len(columns)),
    ).toarray()
    pair_of = np.repeat(np.arange(len(rows)), np.diff(held.indptr))
    products = held.data * compact_jobs[job_index[pair_of], held.indices]
    return np.bincount(pair_of, weights=products, minlength=len(rows)).astype(np.float32)


def pair_features_for_pairs(
    jobs: list[JobProfile],
    job_index: np.ndarray,
    workers: WorkerTable,
    rows: np.ndarray,
    today_days: np.ndarray,
    side: JobSide | None = None,
) -> np.ndarray:
    """Features of many pairs at once: pair i is jobs[job_index[i]] with worker row rows[i].

    `today_days` (days since 1970-01-01, one per pair) dates the availability feature, so
    past pairs can be featurised as of the day they were shown. `side`, the `job_side` of
    `jobs` when the caller keeps one, saves building it again.
    """
    job_index = np.asarray(job_index, dtype=np.int64)
    rows = np.asarray(rows, dtype=np.int64)
    side = side or job_side(jobs, workers)
    needed = side.min_years[job_index]
    # Unknown total years are no shortfall known: they read as exactly the minimum, so a
    # worker who states none never ranks below an otherwise equal one who states fewer.
    stated = workers.years_experience[rows]
    years = np.where(np.isnan(stated), needed, stated)
    rank = workers.city_rank[rows, side.city[job_index]].astype(np.float32)
    expectation = workers.salary_expectation[rows]
    salary_max = side.salary_max[job_index]
    french_needed = side.french[job_index]
    french = np.nan_to_num(workers.french_level[rows], nan=0.0)
    city_preference = np.where(rank > 0, (len(CITIES) + 1 - rank) / len(CITIES), 0.0)
    remote_compatible = workers.open_to_remote[rows].astype(np.float32) * side.remote[job_index]
    columns = [
        *_skill_columns(side, job_index, workers, rows),
        _text_relevance(side, job_index, workers, rows),
        occupation_similarity(side, job_index, workers, rows),
        city_preference,
        remote_compatible,
        np.maximum(city_preference, remote_compatible),
        np.clip(needed - years, 0.0, MAX_EXPERIENCE_GAP),
        np.clip(years - needed, 0.0, MAX_EXPERIENCE_GAP),
        np.where(
            np.isnan(expectation) | np.isnan(salary_max),
            1.0,
            np.clip(np.nan_to_num(salary_max) / np.maximum(expectation, 1.0), 0.0, 1.0),
        ),
        np.where(french_needed > 0, np.clip(french / np.maximum(french_needed, 1), 0.0, 1.0), 1.0),
        np.clip(french_needed - french, 0.0, None),
        np.clip(
            np.nan_to_num(workers.available_from[rows] - today_days, nan=0.0),
            0.0,
            MAX_DAYS_UNTIL_AVAILABLE,
        ),
        _worker_interest(jobs, job_index, workers, rows),
    ]
    return np.column_stack(columns).astype(np.float32).reshape(len(rows), len(FEATURE_NAMES))


def _worker_interest(
    jobs: list[JobProfile], job_index: np.ndarray, workers: WorkerTable, rows: np.ndarray
) -> np.ndarray:
    """Each pair's interest answer from the table's lookup: +1, -1 or 0."""
    if len(workers.interest) == 0:
        return np.zeros(len(rows), dtype=np.float32)
    job_ids = np.array([job.id for job in jobs], dtype=np.int64)
    return workers.interest.lookup(job_ids[job_index], workers.worker_ids[rows])


def pair_features(
    job: JobProfile,
    workers: WorkerTable,
    rows: np.ndarray,
    *,
    today: dt.date | None = None,
) -> np.ndarray:
    """Feature matrix (len(rows), len(FEATURE_NAMES)) of `job` against the workers at `rows`."""
    rows = np.asarray(rows, dtype=np.int64)
    today = today or clock.today()
    today_days = np.full(len(rows), float((today - EPOCH).days), dtype=np.float32)
    return pair_features_for_pairs(
        [job], np.zeros(len(rows), dtype=np.int64), workers, rows, today_days
    )
