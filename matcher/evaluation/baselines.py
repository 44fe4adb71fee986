"""Baseline and ceiling scores for evaluation pairs, to set the learned ranker's figures against.

Each function returns one score per (job id, worker id) pair: random, skill-overlap Jaccard,
TF-IDF cosine of resume and job text, and the demo generator's true hire probability
(the ceiling, only when the data came from `talentmatch demo`).
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.preprocessing import normalize
from sqlite_utils import Database

from matcher.features.population import JobProfile, WorkerTable


def random_scores(pairs: np.ndarray, seed: int = 0) -> np.ndarray:
    """Uniform random scores: what ranking without any information achieves."""
    return np.random.default_rng(seed).random(len(pairs))


def _rowwise_dot(left: sp.csr_matrix, right: sp.csr_matrix) -> np.ndarray:
    return np.asarray(left.multiply(right).sum(axis=1)).ravel()


def jaccard_scores(
    pairs: np.ndarray, jobs: dict[int, JobProfile], workers: WorkerTable
) -> np.ndarray:
    """Jaccard overlap of the worker's skills with the job's required and nice-to-have skills."""
    rows = np.array([workers.row_of(int(w)) for w in pairs[:, 1]], dtype=np.int64)
    job_ids = sorted({int(j) for j in pairs[:, 0]})
    job_row = {j: i for i, j in enumerate(job_ids)}
    wanted_rows, wanted_columns, wanted_count = [], [], np.zeros(len(job_ids))
    for j in job_ids:
        wanted = set(jobs[j].required_skills) | set(jobs[j].nice_to_have_skills)
        wanted_count[job_row[j]] = len(wanted)
        for skill in wanted & workers.skill_index.keys():
            wanted_rows.append(job_row[j])
            wanted_columns.append(workers.skill_index[skill])
    wanted_matrix = sp.csr_matrix(
        (np.ones(len(wanted_rows)), (wanted_rows, wanted_columns)),
        shape=(len(job_ids), len(workers.skill_index)),
    )
    held = (workers.skills > 0).astype(np.float64).tocsr()
    pair_job_rows = np.array([job_row[int(j)] for j in pairs[:, 0]], dtype=np.int64)
    common = _rowwise_dot(held[rows], wanted_matrix[pair_job_rows])
    union = np.asarray(held[rows].sum(axis=1)).ravel() + wanted_count[pair_job_rows] - common
    return np.divide(common, union, out=np.zeros(len(pairs)), where=union > 0)


def tfidf_scores(db: Database, pairs: np.ndarray, jobs: dict[int, JobProfile]) -> np.ndarray:
    """Cosine of TF-IDF vectors of the resume and of the job's title, description and skills."""
    resumes = dict(db.execute("SELECT id, resume_text FROM workers"))
    worker_ids = sorted({int(w) for w in pairs[:, 1]})
    job_ids = sorted({int(j) for j in pairs[:, 0]})
    corpus = [resumes.get(w) or "" for w in worker_ids] + [jobs[j].text() for j in job_ids]
    if not any(text.strip() for text in corpus):
        return np.zeros(len(pairs))
    matrix = normalize(TfidfVectorizer(sublinear_tf=True).fit_transform(corpus)).tocsr()
    worker_row = {w: i for i, w in enumerate(worker_ids)}
    job_row = {j: len(worker_ids) + i for i, j in enumerate(job_ids)}
    left = matrix[[worker_row[int(w)] for w in pairs[:, 1]]]
    right = matrix[[job_row[int(j)] for j in pairs[:, 0]]]
    return _rowwise_dot(left, right)


def true_probability_scores(db: Database, pairs: np.ndarray) -> np.ndarray | None:
    """The demo generator's true hire probability of each pair, or None without demo truth."""
    truth = {
        (job_id, worker_id): probability
        for job_id, worker_id, probability in db.execute(
            "SELECT job_id, worker_id, probability FROM demo_true_probabilities"
        )
    }
    if not truth:
        return None
    return np.array([truth.get((int(j), int(w)), 0.0) for j, w in pairs], dtype=np.float64)
