"""The cached worker index and open jobs: the tables every shortlist and match reads.

The worker table (with its skills by column) and the open jobs (with their skills laid out
over the worker table's columns) are built once per data version and cached per database
(`matcher.ranking.caches`).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp
from sqlite_utils import Database

from matcher.constants import CITIES
from matcher.features.interest import PairInterest, current_interest, interest_version
from matcher.features.pair_features import REMOTE_WEIGHTS
from matcher.features.population import JobProfile, WorkerTable, load_jobs, load_worker_table
from matcher.ranking.caches import VersionedCache, change_version, database_key

_worker_indexes = VersionedCache()
_with_interest = VersionedCache()
_open_jobs = VersionedCache()


@dataclass(frozen=True)
class WorkerProfileColumns:
    """The workers' side of the retrieval score, float32 with no NaN, computed once per table."""

    city_preference: np.ndarray  # (n, cities): 1, 2/3, 1/3 for a city ranked 1st, 2nd, 3rd; 0
    open_to_remote: np.ndarray
    years: np.ndarray  # unknown -> inf, so it meets any minimum
    salary_expectation: np.ndarray  # unknown -> 1, so any budget fits it
    french_level: np.ndarray  # unknown -> 0
    available_from: np.ndarray  # days since 1970; unknown -> 0, i.e. available now

    @classmethod
    def of(cls, table: WorkerTable) -> WorkerProfileColumns:
        rank = table.city_rank.astype(np.float32)
        cities = np.float32(len(CITIES))
        return cls(
            city_preference=np.where(rank > 0, (cities + 1 - rank) / cities, 0).astype(np.float32),
            open_to_remote=table.open_to_remote.astype(np.float32),
            # Unknown total years meet any minimum (no shortfall known), as in the features.
            years=np.nan_to_num(table.years_experience, nan=np.inf).astype(np.float32),
            salary_expectation=np.maximum(np.nan_to_num(table.salary_expectation, nan=1.0), 1.0),
            french_level=np.nan_to_num(table.french_level, nan=0.0).astype(np.float32),
            available_from=np.nan_to_num(table.available_from, nan=0.0).astype(np.float32),
        )


@dataclass(frozen=True)
class WorkerIndex:
    """The worker table of one data version with its column-wise skill postings."""

    version: int
    table: WorkerTable
    postings: sp.csc_matrix  # the skill matrix by column: who holds each skill, 1 + years
    skill_names: tuple[str, ...]  # column -> canonical skill name
    profile: WorkerProfileColumns
    # The resumes' BM25 weights by term, so that a job's text relevance reads only the
    # columns of its own terms (a few dozen of 2^18) instead of every worker's every term.
    term_postings: sp.csc_matrix

    def __len__(self) -> int:
        return len(self.table.worker_ids)

    def row_of(self, worker_id: int) -> int | None:
        """The table row of internal worker id `worker_id` (ids are sorted), or None."""
        ids = self.table.worker_ids
        position = int(np.searchsorted(ids, worker_id))
        return position if position < len(ids) and ids[position] == worker_id else None

    def skill_names_of(self, row: int) -> set[str]:
        """The names of the skills the worker at `row` holds."""
        matrix = self.table.skills
        start, end = matrix.indptr[row], matrix.indptr[row + 1]
        return set(map(self.skill_names.__getitem__, matrix.indices[start:end].tolist()))

    def skills_of(self, row: int) -> dict[str, float]:
        """The skills the worker at `row` holds, name -> value (1 + years)."""
        matrix = self.table.skills
        start, end = matrix.indptr[row], matrix.indptr[row + 1]
        names = map(self.skill_names.__getitem__, matrix.indices[start:end].tolist())
        return dict(zip(names, matrix.data[start:end].tolist(), strict=True))


@dataclass(frozen=True)
class OpenJobs:
    """The open jobs of one data version, with their skills as rows over the worker columns."""

    version: tuple[int, int]
    jobs: tuple[JobProfile, ...]
    required: sp.csr_matrix  # (jobs, worker skill columns): IDF weight of each required skill
    required_total: np.ndarray  # total IDF weight of each job's required skills (known or not)
    nice_to_have: sp.csr_matrix  # (jobs, worker skill columns): 1 / number of nice-to-haves
    city_column: np.ndarray  # index of each job's city in CITIES
    terms: dict[str, np.ndarray]  # each job's side of the profile score (`_job_terms`)


def worker_index(db: Database) -> WorkerIndex:
    """The cached worker index of this database, rebuilt when worker data changed."""
    # Read the version before the data: a write in between only causes one extra rebuild.
    version = change_version(db, "workers")
    answers = interest_version(db)
    key = database_key(db)
    index = _worker_indexes.get(key, version, lambda: build_worker_index(db, version))
    if index.table.interest.version == answers:
        return index
    # A new interest answer swaps the table's lookup only: nothing else is read again.
    return _with_interest.get(
        key,
        (version, answers),
        lambda: with_interest(index, current_interest(db, answers)),
    )


def with_interest(index: WorkerIndex, interest: PairInterest) -> WorkerIndex:
    """The same index with the table's interest answers replaced (a shallow copy)."""
    table = dataclasses.replace(index.table, interest=interest)
    if hasattr(index.table, "_category_cache"):
        table._category_cache = index.table._category_cache
    return dataclasses.replace(index, table=table)


def build_worker_index(db: Database, version: int = -1) -> WorkerIndex:
    """Load the worker table and index its skills by column (the slow, cached part)."""
    table = load_worker_table(db)
    names = [""] * len(table.skill_index)
    for name, column in table.skill_index.items():
        names[column] = name
    postings = table.skills.tocsc()
    postings.sort_indices()
    return WorkerIndex(
        version,
        table,
        postings,
        tuple(names),
        WorkerProfileColumns.of(table),
        table.resume_terms.tocsc(),
    )


def open_jobs(db: Database, index: WorkerIndex) -> OpenJobs:
    """The cached open jobs of this database, rebuilt when jobs or workers changed."""
    version = (change_version(db, "jobs"), index.version)
    return _open_jobs.get(database_key(db), version, lambda: build_open_jobs(db, index, version))


def build_open_jobs(db: Database, index: WorkerIndex, version: tuple[int, int]) -> OpenJobs:
    """Every open job with its skills laid out over the worker table's skill columns."""
    jobs = tuple(load_jobs(db, status="open"))
    table = index.table
    shape = (len(jobs), len(index.skill_names))
    required = sp.lil_matrix(shape, dtype=np.float32)
    nice = sp.lil_matrix(shape, dtype=np.float32)
    required_total = np.zeros(len(jobs), dtype=np.float32)
    for position, job in enumerate(jobs):
        for skill in job.required_skills:
            weight = table.idf_of(skill)
            required_total[position] += weight
            if skill in table.skill_index:
                required[position, table.skill_index[skill]] = weight
        for skill in job.nice_to_have_skills:
            if skill in table.skill_index:
                nice[position, table.skill_index[skill]] = 1.0 / len(job.nice_to_have_skills)
    city_column = np.array([CITIES.index(job.city) for job in jobs], dtype=np.int64)
    per_job = [job_profile_terms(job) for job in jobs]
    terms = {
        name: np.array([t[name] for t in per_job], dtype=np.float32)
        for name in ("remote_weight", "min_years", "salary_max", "french_required")
    }
    return OpenJobs(
        version, jobs, required.tocsr(), required_total, nice.tocsr(), city_column, terms
    )


def job_profile_terms(job: JobProfile) -> dict[str, float]:
    """The job's side of the profile score as plain numbers."""
    return {
        "remote_weight": REMOTE_WEIGHTS.get(job.remote, 0.0),
        "min_years": float(job.min_years_experience or 0.0),
        "salary_max": float(job.salary_max_cad) if job.salary_max_cad else float("inf"),
        "french_required": float(job.french_level_required or 0),
    }
