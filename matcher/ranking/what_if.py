"""What would raise a worker's fit for a job: each missing required skill, re-scored.

For each of the job's required skills the worker lacks (at most `MAX_WHAT_IF_SKILLS`), the
worker's profile is copied with that skill added (years unknown, which count as enough) and
scored by the serving scorer, the one the matches page and the shortlist use. The new score
is placed among the job's ranked pool (the fit scale's pool) to read the new percentile, and
the band rule (`matcher.fit`) gives the new band. Only the skill list changes: the resume's
text and the population's skill rarities stay as they are.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field

import numpy as np
import scipy.sparse as sp
from sqlite_utils import Database

from matcher.config import Settings
from matcher.errors import NotFound
from matcher.features.population import (
    UNKNOWN_YEARS_VALUE,
    JobProfile,
    LockedDict,
    WorkerTable,
)
from matcher.fit import Fit, band_for, percentile_of
from matcher.ranking.explanations import explain
from matcher.ranking.filters import CandidateFilters
from matcher.ranking.fit_scale import fits_for
from matcher.ranking.index import worker_index
from matcher.ranking.retrieval import RERANK_POOL_SIZE
from matcher.ranking.scorers import load_serving_scorer
from matcher.ranking.shortlists import RankedPool, ranked_pool, score_rows

MAX_WHAT_IF_SKILLS = 3


@dataclass(frozen=True)
class SkillWhatIf:
    """The worker's fit for the job now and with `skill` added to their profile."""

    skill: str
    before: Fit
    after: Fit

    @property
    def band_changes(self) -> bool:
        return self.after.band != self.before.band

    @property
    def percentile_gain(self) -> int:
        return self.after.percentile - self.before.percentile


@dataclass
class _OneWorkerTable(WorkerTable):
    """One worker's row of a table, still reading rarities as the whole population's."""

    population: int = field(default=0)

    def __len__(self) -> int:
        return self.population


def one_worker_table(table: WorkerTable, row: int) -> _OneWorkerTable:
    """The worker at `row` as a one-row table that scores exactly as in `table`."""
    pick = slice(row, row + 1)
    return _OneWorkerTable(
        worker_ids=table.worker_ids[pick],
        external_ids=table.external_ids[pick],
        skills=table.skills[pick],
        skill_index=table.skill_index,
        city_rank=table.city_rank[pick],
        open_to_remote=table.open_to_remote[pick],
        years_experience=table.years_experience[pick],
        english_level=table.english_level[pick],
        french_level=table.french_level[pick],
        salary_expectation=table.salary_expectation[pick],
        available_from=table.available_from[pick],
        work_authorization=table.work_authorization[pick],
        resume_terms=table.resume_terms[pick],
        occupation_profile=table.occupation_profile[pick],
        occupation_codes=table.occupation_codes,
        occupation_weights=table.occupation_weights,
        term_idf=table.term_idf,
        skill_idf=table.skill_idf,
        interest=table.interest,
        population=len(table),
    )


def with_skill(worker: _OneWorkerTable, skill: str) -> _OneWorkerTable:
    """A copy of the one-worker table holding `skill` with unknown years."""
    skill_index, skill_idf = worker.skill_index, worker.skill_idf
    column = skill_index.get(skill)
    if column is None:  # nobody holds it: a new column, as rare as the job side counted it
        column = len(skill_index)
        skill_idf = np.append(skill_idf, np.float32(worker.idf_of(skill)))
        skill_index = {**skill_index, skill: column}
    held = worker.skills.tocsr()
    columns = np.append(held.indices, column)
    values = np.append(held.data, np.float32(UNKNOWN_YEARS_VALUE))
    skills = sp.csr_matrix(
        (values, (np.zeros(len(columns), np.int64), columns)),
        shape=(1, len(skill_index)),
        dtype=np.float32,
    )
    # A fresh job-side cache: the cached sides are built over the old skill columns.
    return dataclasses.replace(
        worker,
        skills=skills,
        skill_index=skill_index,
        skill_idf=skill_idf,
        _row_by_id=None,
        job_sides=LockedDict(),
    )


def percentile_in_pool(pool: RankedPool, row: int, score: float, fallback: int) -> int:
    """The percentile a worker at `row` would read with `score`, placed among the pool.

    Equal scores share a rank, as on the fit scale. A score below the whole pool of a job
    with more eligible workers than pooled ones cannot be placed: `fallback` then.
    """
    others = pool.scores[pool.rows != row]
    complete = len(pool.rows) >= pool.total
    if not complete and (len(others) == 0 or score < float(others.min())):
        return fallback
    return percentile_of(1 + int((others > score).sum()), pool.total)


def what_if_skills(
    db: Database,
    job: JobProfile,
    worker_id: int,
    *,
    settings: Settings,
    limit: int = MAX_WHAT_IF_SKILLS,
) -> list[SkillWhatIf]:
    """For each missing required skill (at most `limit`), the worker's fit with it added.

    Raises NotFound for a worker not in the (active) worker table.
    """
    index = worker_index(db)
    row = index.row_of(worker_id)
    if row is None:
        raise NotFound("worker", str(worker_id))
    pool = ranked_pool(db, job.external_id, CandidateFilters(), settings, RERANK_POOL_SIZE, job=job)
    before = fits_for(job, index, pool.fit_scale(), np.array([row], dtype=np.int64))[0]
    explanation = explain(job, index, row)
    scorer = load_serving_scorer(db, settings)
    worker = one_worker_table(index.table, row)
    matched, missing = explanation["matched_skills"], explanation["missing_skills"]
    required = len(matched) + len(missing)
    workable = bool(explanation["remote_compatible"])
    results = []
    for skill in missing[:limit]:
        score = float(score_rows(scorer, job, with_skill(worker, skill), np.zeros(1, np.int64))[0])
        percentile = percentile_in_pool(pool, row, score, before.percentile)
        band = band_for(percentile, (len(matched) + 1) / required, workable)
        results.append(SkillWhatIf(skill, before, Fit(band, percentile)))
    return results
