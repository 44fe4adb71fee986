"""Workers and jobs loaded as arrays, so that features and scores are computed in bulk.

A `WorkerTable` holds every active worker with rows aligned across its arrays; a
`JobProfile` is one job with its skills. Neither holds a name, an email or education:
what the ranking never reads is simply not loaded (work authorization is loaded for the
filters and explanations only).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import numpy as np
import scipy.sparse as sp
from sklearn.feature_extraction.text import HashingVectorizer
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


def _float_or_nan(value: object) -> float:
    return float("nan") if value is None else float(value)


def _city_ranks(preferences: str) -> list[int]:
    ranks = [0] * len(CITIES)
    listed = [city.strip() for city in (preferences or "").split(";") if city.strip()]
    for position, city in enumerate(listed[: len(CITIES)], start=1):
        if city in CITIES and ranks[CITIES.index(city)] == 0:
            ranks[CITIES.index(city)] = position
    return ranks


_WORKER_COLUMNS = (
    "id, external_id, resume_text, years_experience, city_preferences, open_to_remote, "
    "english_level, french_level, salary_expectation_cad, work_authorization, available_from"
)


def load_worker_table(db: Database) -> WorkerTable:
    """Every worker that is not deleted, with skills and resume vectors, in id order."""
    rows = db.execute(
        f"SELECT {_WORKER_COLUMNS} FROM workers WHERE deleted_at IS NULL ORDER BY id"
    ).fetchall()
    worker_ids = np.array([r[0] for r in rows], dtype=np.int64)
    skills, skill_index, skill_names_by_row = _load_skill_matrix(db, worker_ids)
    texts = [
        f"{r[2] or ''} {' '.join(names)}" for r, names in zip(rows, skill_names_by_row, strict=True)
    ]
    resume_vectors = (
        TEXT_VECTORIZER.transform(texts).tocsr()
        if texts
        else sp.csr_matrix((0, TEXT_VECTOR_FEATURES), dtype=np.float32)
    )
    document_frequency = np.asarray((skills > 0).sum(axis=0)).ravel()
    skill_idf = (np.log((len(rows) + 1.0) / (document_frequency + 1.0)) + 1.0).astype(np.float32)
    return WorkerTable(
        worker_ids=worker_ids,
        external_ids=np.array([r[1] for r in rows], dtype=object),
        skills=skills,
        skill_index=skill_index,
        city_rank=np.array([_city_ranks(r[4]) for r in rows], dtype=np.int8).reshape(-1, 3),
        open_to_remote=np.array([bool(r[5]) for r in rows], dtype=bool),
        years_experience=np.array([r[3] or 0.0 for r in rows], dtype=np.float32),
        english_level=np.array([_float_or_nan(r[6]) for r in rows], dtype=np.float32),
        french_level=np.array([_float_or_nan(r[7]) for r in rows], dtype=np.float32),
        salary_expectation=np.array([_float_or_nan(r[8]) for r in rows], dtype=np.float32),
        available_from=np.array([date_to_days(r[10]) for r in rows], dtype=np.float32),
        work_authorization=np.array([r[9] for r in rows], dtype=object),
        resume_vectors=resume_vectors,
        skill_idf=skill_idf,
    )


def _load_skill_matrix(
    db: Database, worker_ids: np.ndarray
) -> tuple[sp.csr_matrix, dict[str, int], list[list[str]]]:
    """Skills as a (workers, skills) matrix of 1 + years, the column index and names per row."""
    row_of = {int(w): i for i, w in enumerate(worker_ids)}
    skill_index: dict[str, int] = {}
    names_by_row: list[list[str]] = [[] for _ in worker_ids]
    rows, columns, values = [], [], []
    cursor = db.execute(
        "SELECT s.worker_id, s.skill, s.years FROM worker_skills s "
        "JOIN workers w ON w.id = s.worker_id WHERE w.deleted_at IS NULL"
    )
    for worker_id, skill, years in cursor:
        row = row_of.get(worker_id)
        if row is None:
            continue
        rows.append(row)
        columns.append(skill_index.setdefault(skill, len(skill_index)))
        values.append(1.0 + max(float(years or 0.0), 0.0))
        names_by_row[row].append(skill)
    matrix = sp.csr_matrix(
        (np.array(values, dtype=np.float32), (rows, columns)),
        shape=(len(worker_ids), len(skill_index)),
        dtype=np.float32,
    )
    matrix.sum_duplicates()
    return matrix, skill_index, names_by_row


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
