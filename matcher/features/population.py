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
import threading
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field

import numpy as np
import scipy.sparse as sp
from sqlite_utils import Database

from matcher.constants import CITIES
from matcher.features.hashing import HashedTermCounter
from matcher.features.interest import NO_INTEREST, PairInterest, current_interest
from matcher.occupations import RESUME_OCCUPATIONS, code_positions, occupation_of_title
from matcher.occupations.stored import (
    Found,
    is_current,
    read_resume_occupations,
    resume_occupations,
    store_current_values,
)

# Stateless term counter shared by resumes and job descriptions: nothing to fit or persist.
TEXT_VECTOR_FEATURES = 2**18
# scikit-learn's HashingVectorizer(n_features=TEXT_VECTOR_FEATURES, alternate_sign=False,
# norm=None, stop_words="english", dtype=np.float32), without importing scikit-learn.
TEXT_VECTORIZER = HashedTermCounter(TEXT_VECTOR_FEATURES)
# BM25 (Okapi) over resumes: term frequency saturates (k1) and long resumes are discounted
# towards the average length (b), so a long resume does not outscore a focused one.
BM25_K1 = 1.2
BM25_B = 0.75
# Value of a held skill in the skill matrix when its years are unknown (NULL): held (> 0),
# but below 1 (= 0 years stated), so that readers can tell unknown from zero.
UNKNOWN_YEARS_VALUE = 0.5
EPOCH = dt.date(1970, 1, 1)


class LockedDict(dict):
    """A dict with a lock for the threads that add to it (reads need none in CPython)."""

    def __init__(self) -> None:
        super().__init__()
        self.lock = threading.Lock()


@dataclass
class WorkerTable:
    """Every active (not deleted) worker, as arrays for fast vectorised scoring."""

    worker_ids: np.ndarray
    external_ids: np.ndarray
    skills: sp.csr_matrix
    skill_index: dict[str, int]
    city_rank: np.ndarray
    open_to_remote: np.ndarray
    years_experience: np.ndarray  # total years; NaN when not stated (unknown, never 0)
    english_level: np.ndarray
    french_level: np.ndarray
    salary_expectation: np.ndarray
    available_from: np.ndarray
    work_authorization: np.ndarray
    # BM25 weight of each hashed term in each worker's resume and skill names.
    resume_terms: sp.csr_matrix
    # Each worker's row in the distinct occupation profiles, and per profile its occupations
    # (positions in `occupation_codes()`, -1 padding) and their shares: workers share few
    # profiles, so a job's similarity to everyone is computed once per profile.
    occupation_profile: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int32))
    occupation_codes: np.ndarray = field(default_factory=lambda: np.zeros((0, 3), np.int16))
    occupation_weights: np.ndarray = field(default_factory=lambda: np.zeros((0, 3), np.float32))
    # BM25 inverse document frequency of each hashed term over the workers.
    term_idf: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.float32))
    # Inverse document frequency of each skill column over workers (rarer skills weigh more).
    skill_idf: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.float32))
    _row_by_id: dict[int, int] | None = field(default=None, repr=False)
    # Per-job arrays the pair features build against this table (`pair_features.job_side`).
    job_sides: LockedDict = field(default_factory=lambda: LockedDict(), repr=False, compare=False)
    # Each pair's interest answer (`matcher.features.interest`): the current one when loaded
    # for serving, as of each pair's decision time for training; none by default.
    interest: PairInterest = field(default=NO_INTEREST, repr=False, compare=False)

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
    """One job with its required and nice-to-have skills and its occupation (O*NET-SOC)."""

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
    occupation: str | None = None

    def text(self) -> str:
        """The text compared with resumes: title, description and skills."""
        skills = " ".join(self.required_skills + self.nice_to_have_skills)
        return f"{self.title} {self.description} {skills}"


def csr_rows(matrix: sp.csr_matrix, rows: np.ndarray) -> sp.csr_matrix:
    """`matrix[rows]` for a CSR matrix and an integer array of rows: the same entries in the
    same order, gathered in a few numpy calls (scipy's fancy indexing costs far more per call,
    and features index rows several times per pool)."""
    rows = np.asarray(rows, dtype=np.int64)
    starts = matrix.indptr[rows].astype(np.int64)
    lengths = matrix.indptr[rows + 1] - starts
    indptr = np.zeros(len(rows) + 1, dtype=np.int64)
    np.cumsum(lengths, out=indptr[1:])
    positions = np.repeat(starts - indptr[:-1], lengths) + np.arange(indptr[-1], dtype=np.int64)
    index_type = matrix.indices.dtype
    return sp.csr_matrix(
        (matrix.data[positions], matrix.indices[positions], indptr.astype(index_type)),
        shape=(len(rows), matrix.shape[1]),
    )


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


WORKER_COLUMNS = (
    "id, external_id, resume_text, years_experience, city_preferences, open_to_remote, "
    "english_level, french_level, salary_expectation_cad, work_authorization, available_from, "
    "resume_occupations"
)


def load_worker_table(db: Database) -> WorkerTable:
    """Every worker that is not deleted, with skills and resume vectors, in id order.

    Whole columns are read with one query per table and converted in bulk, since loading a
    national population is what a fresh web process waits for.
    """
    interest = current_interest(db)
    table = worker_table_from_rows(*load_worker_rows(db), reuse_counts=True)
    table.interest = interest
    return table


def load_worker_rows(db: Database) -> tuple[list[tuple], list[tuple]]:
    """Rows of `WORKER_COLUMNS` of every live worker in id order, and every skill posting
    (worker id, skill, years), read in one snapshot."""
    with _read_snapshot(db):
        rows = db.execute(
            f"SELECT {WORKER_COLUMNS} FROM workers WHERE deleted_at IS NULL ORDER BY id"
        ).fetchall()
        postings = db.execute("SELECT worker_id, skill, years FROM worker_skills").fetchall()
    return _with_current_occupations(db, rows), postings


_RESUME_TEXT, _RESUME_OCCUPATIONS = 2, 11  # positions in WORKER_COLUMNS


def _with_current_occupations(db: Database, rows: list[tuple]) -> list[tuple]:
    """`rows`, the resume occupations stored before the titles or their reader changed
    recomputed and written back (once, instead of on every load until each profile is
    saved again)."""
    outdated = [row for row in rows if not is_current(row[_RESUME_OCCUPATIONS])]
    if not outdated:
        return rows
    values = store_current_values(db, [(row[0], row[_RESUME_TEXT]) for row in outdated])
    return [
        row
        if is_current(row[_RESUME_OCCUPATIONS])
        else (
            *row[:_RESUME_OCCUPATIONS],
            values[row[_RESUME_TEXT]],
            *row[_RESUME_OCCUPATIONS + 1 :],
        )
        for row in rows
    ]


def worker_table_from_rows(
    rows: list[tuple], postings: list[tuple], *, reuse_counts: bool = False
) -> WorkerTable:
    """A worker table from rows of `WORKER_COLUMNS` in ascending id order and skill
    postings (worker id, skill, years); postings of ids not in `rows` are ignored.

    With `reuse_counts` (the live population), unchanged resumes keep the token counts of
    the last such table (`_ResumeCounts`)."""
    columns = list(zip(*rows, strict=True)) if rows else [()] * len(WORKER_COLUMNS.split(","))
    worker_ids = np.array(columns[0], dtype=np.int64)
    skills, skill_index = _skill_matrix(postings, worker_ids)
    held = (skills > 0).astype(np.float32)
    document_frequency = np.asarray(held.sum(axis=0)).ravel()
    skill_idf = np.log((len(worker_ids) + 1.0) / (document_frequency + 1.0)) + 1.0
    city_rank = _per_distinct(columns[4], _city_ranks, np.int8).reshape(-1, len(CITIES))
    resumes = columns[_RESUME_TEXT]
    resume_terms, term_idf = _resume_terms(
        resumes, held, skill_index, worker_ids if reuse_counts else None
    )
    profile, codes, weights = worker_occupations(resumes, columns[_RESUME_OCCUPATIONS])
    return WorkerTable(
        worker_ids=worker_ids,
        external_ids=np.array(columns[1], dtype=object),
        skills=skills,
        skill_index=skill_index,
        city_rank=city_rank,
        open_to_remote=np.array(columns[5], dtype=bool),
        years_experience=_float_column(columns[3]),  # NaN: not stated (unknown, never 0)
        english_level=_float_column(columns[6]),
        french_level=_float_column(columns[7]),
        salary_expectation=_float_column(columns[8]),
        available_from=_per_distinct(columns[10], date_to_days, np.float32),
        work_authorization=np.array(columns[9], dtype=object),
        resume_terms=resume_terms,
        skill_idf=skill_idf.astype(np.float32),
        occupation_profile=profile,
        occupation_codes=codes,
        occupation_weights=weights,
        term_idf=term_idf,
    )


def _skill_matrix(
    postings: list[tuple], worker_ids: np.ndarray
) -> tuple[sp.csr_matrix, dict[str, int]]:
    """Skills as a (workers, skills) matrix of 1 + years (UNKNOWN_YEARS_VALUE when the years
    are unknown), and each skill name's column.

    Columns are the live workers' skills in name order. A plain scan in key order, with
    deleted workers dropped by id, is far faster than joining `workers` in SQL.
    """
    count = len(postings)
    owner_ids = np.fromiter((posting[0] for posting in postings), np.int64, count)
    rows = np.minimum(np.searchsorted(worker_ids, owner_ids), max(len(worker_ids) - 1, 0))
    live = worker_ids[rows] == owner_ids if len(worker_ids) else np.zeros(count, bool)
    names = [posting[1] for posting in postings]
    held_names = sorted(set(itertools.compress(names, live.tolist())))
    skill_index = {name: column for column, name in enumerate(held_names)}
    columns = np.fromiter((skill_index.get(name, -1) for name in names), np.int64, count)
    # NULL years are unknown, never zero: they get UNKNOWN_YEARS_VALUE, not 1 + 0.
    years = np.array([posting[2] for posting in postings], dtype=np.float64)
    values = np.where(np.isnan(years), UNKNOWN_YEARS_VALUE, 1.0 + np.maximum(years, 0.0))
    matrix = sp.csr_matrix(
        (values[live].astype(np.float32), (rows[live], columns[live])),
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


def _resume_terms(
    resumes: Sequence[str | None],
    held: sp.csr_matrix,
    skill_index: dict[str, int],
    worker_ids: np.ndarray | None = None,
) -> tuple[sp.csr_matrix, np.ndarray]:
    """BM25 weights of each worker's resume text plus skill names, and each term's IDF.

    Token counts add up over joined texts, so the skill names are hashed once per skill
    and spread over the workers by the skill matrix instead of being joined per worker.
    """
    if not len(resumes):
        empty = sp.csr_matrix((0, TEXT_VECTOR_FEATURES), dtype=np.float32)
        return empty, np.zeros(TEXT_VECTOR_FEATURES, dtype=np.float32)
    if worker_ids is None:
        counts = TEXT_VECTORIZER.transform([text or "" for text in resumes])
    else:
        counts = _resume_counts.counts(worker_ids, resumes)
    names = sorted(skill_index, key=skill_index.get)
    if names:
        counts = counts + held @ TEXT_VECTORIZER.transform(names)
    return bm25_weights(counts.tocsr().astype(np.float32))


class _ResumeCounts:
    """The last worker table's resume token counts, reused row by row by the next build.

    Counting tokens is most of a worker table's build, and the web app rebuilds the table
    after every write to workers (a bulk import commits every 1,000 rows); a row whose
    worker id and text hash are unchanged keeps its counts, only the others are counted.
    The counts of a text do not depend on the other rows, so the result is the same.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._last: tuple[np.ndarray, np.ndarray, sp.csr_matrix] | None = None

    def counts(self, worker_ids: np.ndarray, resumes: Sequence[str | None]) -> sp.csr_matrix:
        texts = [text or "" for text in resumes]
        hashes = np.fromiter(map(hash, texts), np.int64, len(texts))
        with self._lock:
            last = self._last
        reuse = np.full(len(texts), -1, dtype=np.int64)
        if last is not None and len(last[0]):
            last_ids, last_hashes, last_counts = last
            position = np.minimum(np.searchsorted(last_ids, worker_ids), len(last_ids) - 1)
            same = (last_ids[position] == worker_ids) & (last_hashes[position] == hashes)
            reuse[same] = position[same]
        fresh = np.flatnonzero(reuse < 0)
        if len(fresh) == len(texts):
            counts = TEXT_VECTORIZER.transform(texts).tocsr()
        elif not len(fresh):
            counts = last[2][reuse]
        else:
            # Rows of the last counts, then the newly counted ones, picked in this order.
            counted = TEXT_VECTORIZER.transform([texts[row] for row in fresh])
            source = reuse.copy()
            source[fresh] = last[2].shape[0] + np.arange(len(fresh))
            counts = sp.vstack([last[2], counted], format="csr")[source]
        with self._lock:
            self._last = (worker_ids.copy(), hashes, counts)
        return counts


_resume_counts = _ResumeCounts()


def bm25_weights(counts: sp.csr_matrix) -> tuple[sp.csr_matrix, np.ndarray]:
    """Okapi BM25 document weights of a (documents, terms) count matrix, and the terms' IDF
    (0 for a term no document uses).

    A query's score against a document is the sum of the document's weights over the
    query's terms. bm25s precomputes the same weights, but scores one query against its
    whole index; features need any (job, worker) pairs in batches, in the worker table's
    cached hashed-term space, so the weights live here (bench_real_data compares with bm25s).
    """
    count = counts.shape[0]
    document_frequency = np.bincount(counts.indices, minlength=counts.shape[1])
    idf = np.log1p((count - document_frequency + 0.5) / (document_frequency + 0.5))
    lengths = np.asarray(counts.sum(axis=1)).ravel()
    relative = lengths / max(float(lengths.mean()), 1.0)
    row_of = np.repeat(np.arange(count), np.diff(counts.indptr))
    term_frequency = counts.data
    saturated = (
        term_frequency
        * (BM25_K1 + 1)
        / (term_frequency + BM25_K1 * (1 - BM25_B + BM25_B * relative[row_of]))
    )
    weights = sp.csr_matrix(
        ((idf[counts.indices] * saturated).astype(np.float32), counts.indices, counts.indptr),
        shape=counts.shape,
    )
    # A term no document uses can add nothing to any score: its IDF is 0 here, so that a
    # query's attainable score counts only terms some document has.
    return weights, np.where(document_frequency > 0, idf, 0.0).astype(np.float32)


def worker_occupations(
    resumes: Sequence[str | None], stored: Sequence[str | None] | None = None
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Each resume's occupation profile row, and per distinct profile its top 3 occupations
    (code positions, -1 for none) and their shares.

    `stored` holds each row's `workers.resume_occupations`: where it is current, the titles
    are not looked for again (the same result, read instead of computed).
    """
    positions = code_positions()
    found_of_text: dict[str | None, Found] = {}
    for text, value in zip(resumes, stored or [None] * len(resumes), strict=True):
        if text not in found_of_text:
            known = read_resume_occupations(value)
            if known is not None:
                found_of_text[text] = known
    for text in set(resumes).difference(found_of_text):
        found_of_text[text] = resume_occupations(text)
    profile_rows: dict[Found, int] = {}
    profile_of_text = {
        text: profile_rows.setdefault(found, len(profile_rows))
        for text, found in found_of_text.items()
    }
    slots = RESUME_OCCUPATIONS
    codes = np.full((max(len(profile_rows), 1), slots), -1, dtype=np.int16)
    weights = np.zeros((max(len(profile_rows), 1), slots), dtype=np.float32)
    for found, row in profile_rows.items():
        for slot, (code, weight) in enumerate(found):
            codes[row, slot] = positions[code]
            weights[row, slot] = weight
    profile = np.array([profile_of_text[text] for text in resumes], dtype=np.int32)
    return profile, codes, weights


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
    if len(job_ids) < 500:
        marks = ",".join("?" * len(job_ids))
        cursor = db.execute(
            f"SELECT job_id, skill, kind FROM job_skills WHERE job_id IN ({marks})", job_ids
        )
    else:  # many jobs: one scan of the table beats a long IN list
        cursor = db.execute("SELECT job_id, skill, kind FROM job_skills ORDER BY job_id")
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
    return [job_profile(r, *skills[r[0]]) for r in rows]


def job_profile(row: tuple, required: list[str], nice_to_have: list[str]) -> JobProfile:
    """A job from a row of `_JOB_COLUMNS` and its skills."""
    return JobProfile(
        id=row[0],
        external_id=row[1],
        employer_id=row[2],
        employer=row[3],
        title=row[4],
        description=row[5] or "",
        city=row[6],
        remote=row[7],
        min_years_experience=row[8],
        salary_min_cad=row[9],
        salary_max_cad=row[10],
        french_level_required=int(row[11] or 0),
        status=row[12],
        posted_at=row[13],
        required_skills=sorted(required),
        nice_to_have_skills=sorted(nice_to_have),
        occupation=_title_occupation(row[4]),
    )


def _title_occupation(title: str | None) -> str | None:
    """The O*NET-SOC code a job title names, or None."""
    found = occupation_of_title(title or "")
    return found.code if found else None


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
