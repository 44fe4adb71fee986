"""Profiles as they were when an outcome happened: point-in-time inputs of training rows.

Migration m021's triggers keep every version of workers, jobs and their skills: valid from
`valid_from` (inclusive, the write path's `updated_at`) to `valid_to` (exclusive; NULL while
current). A training pair is read as of its label time (when it reached its furthest stage),
so a skill added after a hire is not in the row that teaches the model that hire. A pair older
than its profile's history (outcomes recorded before the profile was first written, as the
demo's back-dated funnel is) uses the earliest known version, and is counted as predating.
Serving never reads history: shortlists read the live tables.

The workers' interest answers are read the same way: each pair's answer as recorded strictly
before its decision time (`matcher.features.interest.decision_times`), on the table it returns.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
from sqlite_utils import Database

from matcher.features.interest import PairInterest, decision_times, interest_as_of
from matcher.features.population import (
    JobProfile,
    WorkerTable,
    job_profile,
    load_jobs,
    load_worker_rows,
    worker_table_from_rows,
)
from matcher.features.transformers import PairSet

# Versioned columns, in the order of population's WORKER_COLUMNS after id and external id
# (then `resume_occupations`, which is derived from the resume and not versioned).
WORKER_VALUES = (
    "resume_text, years_experience, city_preferences, open_to_remote, english_level, "
    "french_level, salary_expectation_cad, work_authorization, available_from"
)
# In the order of population's job columns after id and external id (employer id first).
JOB_VALUES = (
    "employer_id, title, description, city, remote, min_years_experience, salary_min_cad, "
    "salary_max_cad, french_level_required, status, posted_at"
)
IN_CHUNK = 900  # ids per `IN (...)` query, under SQLite's variable limit


@dataclass(frozen=True)
class _Side:
    """Where one side's versions live: profile rows and skill rows."""

    history: str
    skill_history: str
    key: str
    values: str
    skill_values: str


_WORKERS = _Side(
    "worker_history", "worker_skill_history", "worker_id", WORKER_VALUES, "skill, years"
)
_JOBS = _Side("job_history", "job_skill_history", "job_id", JOB_VALUES, "skill, kind")


@dataclass
class PointInTimePairs:
    """Pairs keyed to the profile versions valid at each pair's time.

    A key is the live id when the current version applies, else a version key above every
    live id; `job_of_key` maps job keys back to job ids.
    """

    pairs: np.ndarray  # (n, 2) job key, worker key
    jobs: dict[int, JobProfile]
    workers: WorkerTable
    job_of_key: dict[int, int]
    predating: int  # pairs older than their profiles' history: earliest version used
    from_history: int  # pairs read from a version older than the current one

    def pair_set(self, job_dates: Mapping[int, dt.date]) -> PairSet:
        """The pair set for features, each job key dated by its job's date in `job_dates`."""
        as_of = {key: job_dates[job] for key, job in self.job_of_key.items() if job in job_dates}
        return PairSet(self.pairs, self.jobs, self.workers, as_of)


def profiles_as_of(
    db: Database, job_ids: np.ndarray, worker_ids: np.ndarray, times: Sequence[str]
) -> PointInTimePairs:
    """The job and worker profiles of each (job_ids[i], worker_ids[i]) as of times[i]."""
    rows, postings = load_worker_rows(db)
    live_jobs = {job.id: job for job in load_jobs(db, status=None)}
    worker_keys, worker_states, worker_old, worker_past = _keys_as_of(
        db, _WORKERS, worker_ids, times, first_key=_next_id(r[0] for r in rows)
    )
    job_keys, job_states, job_old, job_past = _keys_as_of(
        db, _JOBS, job_ids, times, first_key=_next_id(live_jobs)
    )
    external = {row[0]: row[1] for row in rows}
    # A past version's stored occupations are not kept: None is recomputed from its resume.
    rows += [(key, external[w], *values, None) for key, (w, values, _) in worker_states.items()]
    postings += [(key, *skill) for key, (_, _, skills) in worker_states.items() for skill in skills]
    jobs = dict(live_jobs)
    jobs.update(_past_jobs(db, job_states, live_jobs))
    workers = worker_table_from_rows(rows, postings)
    decided = decision_times(db, job_ids, worker_ids, times)
    answers = interest_as_of(db, job_ids, worker_ids, decided)
    workers.interest = PairInterest.of(job_keys, worker_keys, answers)
    return PointInTimePairs(
        pairs=np.column_stack([job_keys, worker_keys]).astype(np.int64),
        jobs=jobs,
        workers=workers,
        job_of_key={**{j: j for j in live_jobs}, **{k: s[0] for k, s in job_states.items()}},
        predating=int((worker_old | job_old).sum()),
        from_history=int((worker_past | job_past).sum()),
    )


def _next_id(ids) -> int:
    return max(ids, default=0) + 1


def _keys_as_of(
    db: Database, side: _Side, ids: np.ndarray, times: Sequence[str], *, first_key: int
) -> tuple[np.ndarray, dict[int, tuple], np.ndarray, np.ndarray]:
    """Each pair's key on one side, the past versions by key (id, values, skills), which
    pairs predate their history and which read a past version."""
    first, last = _spans(db, side)
    keys = np.asarray(ids, dtype=np.int64).copy()
    at = np.asarray(times, dtype=object)
    if len(at) != len(keys):
        raise ValueError(f"{len(keys)} ids but {len(at)} times")
    predating = np.zeros(len(keys), dtype=bool)
    past = np.zeros(len(keys), dtype=bool)
    # Per distinct id, then per pair by array comparisons (no Python loop over pairs).
    entities, of_pair = np.unique(keys, return_inverse=True)
    starts = np.array([first.get(e) for e in entities.tolist()], dtype=object)
    ends = np.array([last.get(e) for e in entities.tolist()], dtype=object)
    # No history (cannot happen after m021): the live profile.
    rows = np.flatnonzero(np.array([s is not None for s in starts], dtype=bool)[of_pair])
    start, when = starts[of_pair[rows]], at[rows]
    early = np.asarray(when < start, dtype=bool)
    predating[rows[early]] = True
    when = np.where(early, start, when)
    current = ~np.asarray(when < ends[of_pair[rows]], dtype=bool)
    wanted: dict[tuple[int, str], list[int]] = {}
    for i, moment in zip(rows[~current].tolist(), when[~current].tolist(), strict=True):
        wanted.setdefault((int(keys[i]), moment), []).append(i)
    states: dict[int, tuple] = {}
    key_of_state: dict[tuple, int] = {}
    for (entity, at), version in _versions_at(db, side, wanted).items():
        state = (entity, version[0], tuple(version[1]))
        if state not in key_of_state:
            key_of_state[state] = first_key + len(key_of_state)
            states[key_of_state[state]] = (entity, version[0], version[1])
        keys[wanted[(entity, at)]] = key_of_state[state]
        past[wanted[(entity, at)]] = True
    return keys, states, predating, past


def _spans(db: Database, side: _Side) -> tuple[dict[int, str], dict[int, str]]:
    """Per id: when its history starts, and its last change (profile or skill)."""
    changed = "MAX(MAX(valid_from, COALESCE(valid_to, '')))"
    first, last = {}, {}
    for entity, start, end in db.execute(
        f"SELECT {side.key}, MIN(valid_from), {changed} FROM {side.history} GROUP BY {side.key}"
    ):
        first[entity], last[entity] = start, end
    for entity, end in db.execute(
        f"SELECT {side.key}, {changed} FROM {side.skill_history} GROUP BY {side.key}"
    ):
        if entity in last and end > last[entity]:
            last[entity] = end
    return first, last


def _versions_at(
    db: Database, side: _Side, wanted: Mapping[tuple[int, str], list[int]]
) -> dict[tuple[int, str], tuple[tuple, list[tuple]]]:
    """(values, skills) of each (id, time) in `wanted`: the versions valid at that time."""
    entities = sorted({entity for entity, _ in wanted})
    versions = _rows_by_id(db, side.history, side.key, side.values, entities)
    skills = _rows_by_id(db, side.skill_history, side.key, side.skill_values, entities)
    found = {}
    for entity, at in wanted:
        valid = [row for row in versions.get(entity, []) if row[0] <= at]
        values = (valid or versions[entity])[-1][2:]
        held = sorted(r[2:] for r in skills.get(entity, []) if _valid_at(r, at))
        found[(entity, at)] = (values, held)
    return found


def _valid_at(row: tuple, at: str) -> bool:
    return row[0] <= at and (row[1] is None or at < row[1])


def _rows_by_id(
    db: Database, table: str, key: str, values: str, entities: list[int]
) -> dict[int, list[tuple]]:
    """(valid_from, valid_to, *values) rows of each id, oldest first."""
    rows: dict[int, list[tuple]] = {}
    for start in range(0, len(entities), IN_CHUNK):
        part = entities[start : start + IN_CHUNK]
        marks = ",".join("?" * len(part))
        for row in db.execute(
            f"SELECT {key}, valid_from, valid_to, {values} FROM {table} "
            f"WHERE {key} IN ({marks}) ORDER BY {key}, valid_from, rowid",
            part,
        ):
            rows.setdefault(row[0], []).append(row[1:])
    return rows


def _past_jobs(
    db: Database, states: Mapping[int, tuple], live: Mapping[int, JobProfile]
) -> dict[int, JobProfile]:
    """Job profiles of past versions, by version key."""
    employers = dict(db.execute("SELECT id, name FROM employers").fetchall()) if states else {}
    jobs = {}
    for key, (job_id, values, skills) in states.items():
        row = (key, live[job_id].external_id, values[0], employers.get(values[0], ""), *values[1:])
        required = [skill for skill, kind in skills if kind == "required"]
        nice = [skill for skill, kind in skills if kind != "required"]
        jobs[key] = job_profile(row, required, nice)
    return jobs
