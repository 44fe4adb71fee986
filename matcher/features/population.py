"""Workers and jobs loaded as arrays, so that features and scores are computed in bulk.

A `WorkerTable` holds every active worker with rows aligned across its arrays; a
`JobProfile` is one job with its skills. Neither holds a name, an email or education:
what the ranking never reads is simply not loaded (work authorization is loaded for the
filters and explanations only).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import itertools
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field

import numpy as np
import scipy.sparse as sp
from sklearn.base import clone
from sklearn.feature_extraction.text import HashingVectorizer
from sklearn.preprocessing import normalize
from sqlite_utils import Database

from matcher.constants import CITIES

# Stateless text vectoriser shared by resumes and job descriptions: nothing to fit or persist.
TEXT_VECTOR_FEATURES = 2**18
TEXT_VECTORIZER = HashingVectorizer(
    n_features=TEXT_VECTOR_FEATURES,
    alternate_sign=False,
    norm="l2",
    ngram_range=(1, 1),
    dtype=np.float32,
)
EPOCH = dt.date(1970, 1, 1)


@dataclass
class WorkerTable:
    """Every active (not deleted) worker, as arrays for fast vectorised scoring."""

    worker_ids: np.ndarray
    external_ids: np.ndarray
    skills: sp.csr_matrix
    skill_index: dict[str, int]
    city_rank: np.ndarray
    open_to_remote: np.ndarray
    years_experience: np.ndarray
    english_level: np.ndarray
    french_level: np.ndarray
    salary_expectation: np.ndarray
    available_from: np.ndarray
    work_authorization: np.ndarray
    resume_vectors: sp.csr_matrix
    # Inverse document frequency of each skill column over workers (rarer skills weigh more).
    skill_idf: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.float32))
    _row_by_id: dict[int, int] | None = field(default=None, repr=False)

    def __len__(self) -> int:
        return len(self.worker_ids)

    def row_of(self, worker_id: int) -> int | None:
        """The row of internal worker id `worker_id`, or None when it is not in the table."""
        if self._row_by_id is None:
            self._row_by_id = {int(w): i for i, w in enumerate(self.worker_ids)}
        return self._row_by_id.get(int(worker_id))

    def idf_of(self, skill: str) -> float:
        """Rarity weight of a skill: high for a skill few workers hold, and for one nobody holds."""
        column = self.skill_index.get(skill)
        if column is None or len(self.skill_idf) == 0:
            return float(np.log(len(self) + 1.0) + 1.0)
        return float(self.skill_idf[column])


@dataclass
class JobProfile:
    """One job with its required and nice-to-have skills."""

    id: int
    external_id: str
    employer_id: int
    employer: str
    title: str
    description: str
    city: str
    remote: str
    min_years_experience: float | None
    salary_min_cad: int | None
    salary_max_cad: int | None
    french_level_required: int
    status: str
    posted_at: str | None
    required_skills: list[str]
    nice_to_have_skills: list[str]

    def text(self) -> str:
        """The text compared with resumes: title, description and skills."""
        skills = " ".join(self.required_skills + self.nice_to_have_skills)
        return f"{self.title} {self.description} {skills}"


def date_to_days(value: str | None) -> float:
    """Days since 1970-01-01 of an ISO date (or date-time), nan when missing or unreadable."""
    if not value:
        return float("nan")
    try:
        return float((dt.date.fromisoformat(value[:10]) - EPOCH).days)
    except ValueError:
        return float("nan")


def _city_ranks(preferences: str | None) -> tuple[int, ...]:
    ranks = [0] * len(CITIES)
    listed = [city.strip() for city in (preferences or "").split(";") if city.strip()]
    for position, city in enumerate(listed[: len(CITIES)], start=1):
        if city in CITIES and ranks[CITIES.index(city)] == 0:
            ranks[CITIES.index(city)] = position
    return tuple(ranks)


def _per_distinct(values: Sequence, convert: Callable, dtype) -> np.ndarray:
    """`convert` of each value, computed once per distinct value (few distinct, many rows)."""
    converted = {value: convert(value) for value in set(values)}
    return np.array([converted[value] for value in values], dtype=dtype)


def _float_column(values: Sequence) -> np.ndarray:
    """Numbers as float32, NULL as nan."""
    return np.array(values, dtype=np.float64).astype(np.float32)


_WORKER_COLUMNS = (
    "id, external_id, resume_text, years_experience, city_preferences, open_to_remote, "
    "english_level, french_level, salary_expectation_cad, work_authorization, available_from"
)


def load_worker_table(db: Database) -> WorkerTable:
    """Every worker that is not deleted, with skills and resume vectors, in id order.

    Whole columns are read with one query per table and converted in bulk, since loading a
    national population is what a fresh web process waits for.
    """
    with _read_snapshot(db):
        rows = db.execute(
            f"SELECT {_WORKER_COLUMNS} FROM workers WHERE deleted_at IS NULL ORDER BY id"
        ).fetchall()
        columns = list(zip(*rows, strict=True)) if rows else [()] * len(_WORKER_COLUMNS.split(","))
        del rows
        worker_ids = np.array(columns[0], dtype=np.int64)
        skills, skill_index = _load_skill_matrix(db, worker_ids)
    held = (skills > 0).astype(np.float32)
    document_frequency = np.asarray(held.sum(axis=0)).ravel()
    skill_idf = np.log((len(worker_ids) + 1.0) / (document_frequency + 1.0)) + 1.0
    city_rank = _per_distinct(columns[4], _city_ranks, np.int8).reshape(-1, len(CITIES))
    return WorkerTable(
        worker_ids=worker_ids,
        external_ids=np.array(columns[1], dtype=object),
        skills=skills,
        skill_index=skill_index,
        city_rank=city_rank,
        open_to_remote=np.array(columns[5], dtype=bool),
        years_experience=np.nan_to_num(_float_column(columns[3]), nan=0.0),
        english_level=_float_column(columns[6]),
        french_level=_float_column(columns[7]),
        salary_expectation=_float_column(columns[8]),
        available_from=_per_distinct(columns[10], date_to_days, np.float32),
        work_authorization=np.array(columns[9], dtype=object),
        resume_vectors=_resume_vectors(columns[2], held, skill_index),
        skill_idf=skill_idf.astype(np.float32),
    )


def _load_skill_matrix(
    db: Database, worker_ids: np.ndarray
) -> tuple[sp.csr_matrix, dict[str, int]]:
    """Skills as a (workers, skills) matrix of 1 + years, and each skill name's column.

    Columns are the live workers' skills in name order. A plain scan in key order, with
    deleted workers dropped by id, is far faster than joining `workers` in SQL.
    """
    postings = db.execute("SELECT worker_id, skill, coalesce(years, 0) FROM worker_skills")
    postings = postings.fetchall()
    count = len(postings)
    owner_ids = np.fromiter((posting[0] for posting in postings), np.int64, count)
    rows = np.minimum(np.searchsorted(worker_ids, owner_ids), max(len(worker_ids) - 1, 0))
    live = worker_ids[rows] == owner_ids if len(worker_ids) else np.zeros(count, bool)
    names = [posting[1] for posting in postings]
    held_names = sorted(set(itertools.compress(names, live.tolist())))
    skill_index = {name: column for column, name in enumerate(held_names)}
    columns = np.fromiter((skill_index.get(name, -1) for name in names), np.int64, count)
    years = np.fromiter((posting[2] for posting in postings), np.float64, count)
    matrix = sp.csr_matrix(
        ((1.0 + np.maximum(years[live], 0.0)).astype(np.float32), (rows[live], columns[live])),
        shape=(len(worker_ids), len(skill_index)),
        dtype=np.float32,
    )
    matrix.sum_duplicates()
    return matrix, skill_index


@contextlib.contextmanager
def _read_snapshot(db: Database) -> Iterator[None]:
    """One read transaction around several queries, so that they see the same data."""
    if db.conn.in_transaction:
        yield
        return
    db.conn.execute("BEGIN")
    try:
        yield
    finally:
        db.conn.execute("COMMIT")


def _resume_vectors(
    resumes: Sequence[str | None], held: sp.csr_matrix, skill_index: dict[str, int]
) -> sp.csr_matrix:
    """Hashed resume text plus skill names, l2-normalised (`TEXT_VECTORIZER` of both joined).

    Token counts add up over joined texts, so the skill names are hashed once per skill
    and spread over the workers by the skill matrix instead of being joined per worker.
    """
    counting = clone(TEXT_VECTORIZER).set_params(norm=None)
    if not len(resumes):
        return sp.csr_matrix((0, TEXT_VECTOR_FEATURES), dtype=np.float32)
    text_counts = counting.transform([text or "" for text in resumes])
    names = sorted(skill_index, key=skill_index.get)
    if names:
        text_counts = text_counts + held @ counting.transform(names)
    return normalize(text_counts.tocsr().astype(np.float32), norm="l2", copy=False)


_JOB_COLUMNS = (
    "j.id, j.external_id, j.employer_id, e.name, j.title, j.description, j.city, j.remote, "
    "j.min_years_experience, j.salary_min_cad, j.salary_max_cad, j.french_level_required, "
    "j.status, j.posted_at"
)


def _job_skills(db: Database, job_ids: list[int]) -> dict[int, tuple[list[str], list[str]]]:
    skills: dict[int, tuple[list[str], list[str]]] = {job_id: ([], []) for job_id in job_ids}
    if not job_ids:
        return skills
    wanted = set(job_ids)
    cursor = db.execute("SELECT job_id, skill, kind FROM job_skills ORDER BY job_id")
    if len(job_ids) < 500:
        marks = ",".join("?" * len(job_ids))
        cursor = db.execute(
            f"SELECT job_id, skill, kind FROM job_skills WHERE job_id IN ({marks})", job_ids
        )
    for job_id, skill, kind in cursor:
        if job_id in wanted:
            skills[job_id][0 if kind == "required" else 1].append(skill)
    return skills


def _profiles(db: Database, where: str, params: list) -> list[JobProfile]:
    rows = db.execute(
        f"SELECT {_JOB_COLUMNS} FROM jobs j JOIN employers e ON e.id = j.employer_id "
        f"{where} ORDER BY j.id",
        params,
    ).fetchall()
    skills = _job_skills(db, [r[0] for r in rows])
    return [
        JobProfile(
            id=r[0],
            external_id=r[1],
            employer_id=r[2],
            employer=r[3],
            title=r[4],
            description=r[5] or "",
            city=r[6],
            remote=r[7],
            min_years_experience=r[8],
            salary_min_cad=r[9],
            salary_max_cad=r[10],
            french_level_required=int(r[11] or 0),
            status=r[12],
            posted_at=r[13],
            required_skills=sorted(skills[r[0]][0]),
            nice_to_have_skills=sorted(skills[r[0]][1]),
        )
        for r in rows
    ]


def load_job(db: Database, external_id: str) -> JobProfile | None:
    """The job with this external id, or None."""
    found = _profiles(db, "WHERE j.external_id = ?", [external_id])
    return found[0] if found else None


def load_jobs(db: Database, *, status: str | None = "open") -> list[JobProfile]:
    """Every job with `status` (every job when None), in id order."""
    if status is None:
        return _profiles(db, "", [])
    return _profiles(db, "WHERE j.status = ?", [status])


def load_jobs_by_id(db: Database, job_ids: list[int]) -> dict[int, JobProfile]:
    """The jobs with these internal ids, by id (for training on past jobs, open or closed)."""
    wanted = set(int(j) for j in job_ids)
    return {job.id: job for job in load_jobs(db, status=None) if job.id in wanted}
