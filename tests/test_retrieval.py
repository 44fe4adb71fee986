"""Stage-one retrieval: hard filters, the retrieval score and the cached worker table."""

from __future__ import annotations

import datetime as dt
import json
import threading

import numpy as np
import pytest
from sqlite_utils import Database

from matcher.features.population import load_job
from matcher.ranking.filters import CandidateFilters, FilterError, eligible_mask
from matcher.ranking.index import open_jobs, worker_index
from matcher.ranking.retrieval import (
    DEFAULT_TERM_WEIGHTS,
    RETRIEVAL_TERMS,
    fit_term_weights,
    retrieval_terms,
    retrieve_candidates,
    retrieve_jobs,
    top_rows,
)

NOW = "2026-01-05T00:00:00Z"


def add_worker(
    db: Database,
    external_id: str,
    skills: dict[str, float | None],
    *,
    cities: str = "Toronto",
    remote: bool = False,
    years: float = 5.0,
    french: int | None = None,
    salary: int | None = None,
    authorization: str = "open_work_permit",
    available_from: str | None = None,
    deleted: bool = False,
) -> int:
    """Insert a worker and its skills straight into the schema (the importer is elsewhere)."""
    cursor = db.execute(
        "INSERT INTO workers (external_id, name, email, resume_text, years_experience, "
        "city_preferences, open_to_remote, french_level, salary_expectation_cad, "
        "work_authorization, available_from, created_at, updated_at, deleted_at) "
        "VALUES (?, ?, ?, '', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [
            external_id,
            f"Worker {external_id}",
            f"{external_id.lower()}@example.org",
            years,
            cities,
            int(remote),
            french,
            salary,
            authorization,
            available_from,
            NOW,
            NOW,
            NOW if deleted else None,
        ],
    )
    worker_id = cursor.lastrowid
    for skill, skill_years in skills.items():
        db.execute(
            "INSERT INTO worker_skills (worker_id, skill, years) VALUES (?, ?, ?)",
            [worker_id, skill, skill_years],
        )
    return worker_id


def add_job(
    db: Database,
    external_id: str,
    required: list[str],
    nice: list[str] = (),
    *,
    city: str = "Toronto",
    remote: str = "onsite",
    status: str = "open",
    employer: str = "Maple Systems",
    min_years: float | None = None,
    salary: tuple[int | None, int | None] = (None, None),
    french: int = 0,
) -> int:
    """Insert a job (and its employer when new) straight into the schema."""
    db.execute("INSERT OR IGNORE INTO employers (name, created_at) VALUES (?, ?)", [employer, NOW])
    employer_id = db.execute("SELECT id FROM employers WHERE name = ?", [employer]).fetchone()[0]
    cursor = db.execute(
        "INSERT INTO jobs (external_id, employer_id, title, description, city, remote, "
        "min_years_experience, salary_min_cad, salary_max_cad, french_level_required, status, "
        "created_at, updated_at) VALUES (?, ?, ?, '', ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [
            external_id,
            employer_id,
            f"Developer {external_id}",
            city,
            remote,
            min_years,
            *salary,
            french,
            status,
            NOW,
            NOW,
        ],
    )
    job_id = cursor.lastrowid
    for skill in required:
        db.execute("INSERT INTO job_skills VALUES (?, ?, 'required')", [job_id, skill])
    for skill in nice:
        db.execute("INSERT INTO job_skills VALUES (?, ?, 'nice_to_have')", [job_id, skill])
    return job_id


@pytest.fixture
def population(db: Database) -> Database:
    add_worker(db, "W1", {"Python": 6, "Django": 4, "PostgreSQL": 3}, cities="Toronto;Montreal")
    add_worker(db, "W2", {"Python": 2}, cities="Vancouver", remote=True, french=7, years=2)
    add_worker(db, "W3", {"Java": 8, "Spring": 5}, cities="Montreal;Toronto", french=9, years=12)
    add_worker(db, "W4", {"Python": 9, "Django": 9}, cities="Toronto", deleted=True)
    add_worker(db, "W5", {"Django": 1}, cities="", authorization="needs_permit", years=1)
    add_job(db, "J1", ["Python", "Django"], ["PostgreSQL"])
    add_job(db, "J2", ["Java"], city="Montreal", french=7)
    add_job(db, "J3", ["Python"], status="closed")
    return db


def external_ids(db: Database, rows: np.ndarray) -> list[str]:
    return [str(worker_index(db).table.external_ids[row]) for row in rows]


def test_deleted_workers_are_never_candidates(population: Database) -> None:
    index = worker_index(population)
    assert sorted(index.table.external_ids) == ["W1", "W2", "W3", "W5"]


def test_retrieval_puts_the_workers_holding_the_required_skills_first(
    population: Database,
) -> None:
    job = load_job(population, "J1")
    index = worker_index(population)
    rows = retrieve_candidates(index, job, np.ones(len(index), dtype=bool), pool_size=3)
    assert external_ids(population, rows) == ["W1", "W2", "W5"]


def test_pool_size_keeps_only_the_best(population: Database) -> None:
    job = load_job(population, "J2")
    index = worker_index(population)
    rows = retrieve_candidates(index, job, np.ones(len(index), dtype=bool), pool_size=1)
    assert external_ids(population, rows) == ["W3"]


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        (CandidateFilters(), ["W1", "W2", "W3", "W5"]),
        (CandidateFilters(city_preference_max_rank=1), ["W1"]),
        (CandidateFilters(city_preference_max_rank=2), ["W1", "W3"]),
        (CandidateFilters(open_to_remote=True), ["W2"]),
        (CandidateFilters(min_french_level=8), ["W3"]),
        (CandidateFilters(work_authorizations=frozenset({"needs_permit"})), ["W5"]),
        (CandidateFilters(min_years_experience=5), ["W1", "W3"]),
        (CandidateFilters(max_years_experience=5), ["W1", "W2", "W5"]),
    ],
)
def test_hard_filters(population: Database, filters: CandidateFilters, expected: list[str]) -> None:
    job = load_job(population, "J1")
    index = worker_index(population)
    mask = eligible_mask(index, job, filters)
    assert external_ids(population, np.flatnonzero(mask)) == expected


@pytest.mark.parametrize(
    ("arguments", "field"),
    [
        ({"city_preference_max_rank": 4}, "city_preference_max_rank"),
        ({"min_french_level": 13}, "min_french_level"),
        ({"work_authorizations": {"tourist"}}, "work_authorizations"),
        ({"min_years_experience": -1}, "min_years_experience"),
        ({"sort": "name"}, "sort"),
    ],
)
def test_bad_filters_name_their_field(arguments: dict, field: str) -> None:
    with pytest.raises(FilterError) as raised:
        CandidateFilters(**arguments)
    assert raised.value.field == field


def test_top_rows_breaks_ties_by_row_and_skips_ineligible() -> None:
    scores = np.array([0.5, 0.9, 0.5, 0.9, 0.1], dtype=np.float32)
    mask = np.array([True, True, True, False, True])
    assert top_rows(scores, mask, 3).tolist() == [1, 0, 2]
    assert top_rows(scores, mask, 10).tolist() == [1, 0, 2, 4]


def test_the_cached_table_is_reused_until_worker_data_changes(population: Database) -> None:
    first = worker_index(population)
    assert worker_index(population) is first
    add_worker(population, "W6", {"Rust": 2})
    second = worker_index(population)
    assert second is not first
    assert "W6" in set(second.table.external_ids)


def test_a_skill_change_alone_rebuilds_the_table(population: Database) -> None:
    first = worker_index(population)
    w2 = population.execute("SELECT id FROM workers WHERE external_id = 'W2'").fetchone()[0]
    population.execute("INSERT INTO worker_skills (worker_id, skill) VALUES (?, 'Django')", [w2])
    second = worker_index(population)
    assert "Django" in second.skills_of(second.row_of(w2))
    assert "Django" not in first.skills_of(first.row_of(w2))


def test_the_cache_is_shared_across_connections_and_threads(db_path, population) -> None:
    from matcher.store import open_database

    expected = worker_index(population)
    results: list[object] = []

    def fetch() -> None:
        connection = open_database(db_path)
        try:
            results.append(worker_index(connection))
        finally:
            connection.close()

    threads = [threading.Thread(target=fetch) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(results) == 4 and all(result is expected for result in results)


def test_job_retrieval_skips_closed_and_excluded_jobs(population: Database) -> None:
    index = worker_index(population)
    jobs = open_jobs(population, index)
    row = index.row_of(
        population.execute("SELECT id FROM workers WHERE external_id = 'W1'").fetchone()[0]
    )
    found = retrieve_jobs(jobs, index, row)
    assert [job.external_id for job in found] == ["J1", "J2"]
    j1 = population.execute("SELECT id FROM jobs WHERE external_id = 'J1'").fetchone()[0]
    found = retrieve_jobs(jobs, index, row, exclude=frozenset({j1}))
    assert [job.external_id for job in found] == ["J2"]


def test_open_jobs_follow_job_changes(population: Database) -> None:
    index = worker_index(population)
    before = open_jobs(population, index)
    population.execute("UPDATE jobs SET status = 'closed' WHERE external_id = 'J2'")
    after = open_jobs(population, index)
    assert [job.external_id for job in before.jobs] == ["J1", "J2"]
    assert [job.external_id for job in after.jobs] == ["J1"]


@pytest.fixture
def varied(db: Database) -> Database:
    """300 workers with varied skills, places, salaries and French, and five jobs."""
    rng = np.random.default_rng(3)
    today = dt.date.today()
    skills = ["Python", "Django", "Java", "Go", "PostgreSQL", "Docker"]
    cities = ["Toronto", "Montreal;Toronto", "Vancouver", ""]
    for n in range(300):
        held = rng.choice(skills, size=int(rng.integers(1, 4)), replace=False)
        add_worker(
            db,
            f"W{n}",
            {skill: int(rng.integers(0, 9)) for skill in held},
            cities=cities[n % len(cities)],
            remote=bool(n % 3 == 0),
            years=float(rng.integers(0, 15)),
            french=int(rng.integers(0, 13)) if n % 2 else None,
            salary=int(rng.integers(70, 160)) * 1000,
            available_from=(today + dt.timedelta(days=int(rng.integers(0, 400)))).isoformat(),
        )
    add_job(db, "J1", ["Python", "Django"], ["Docker"], min_years=4, salary=(None, 120_000))
    add_job(db, "J2", ["Java"], city="Montreal", french=7, salary=(None, 100_000))
    add_job(db, "J3", ["Go", "Docker"], city="Vancouver", remote="remote")
    add_job(db, "J4", ["PostgreSQL"], ["Python"], min_years=8)
    add_job(db, "J5", ["Python"], city="Montreal", remote="hybrid", salary=(None, 90_000))
    return db


def linear_scorer(index, weights: np.ndarray):
    """A scorer that is exactly `weights` over the retrieval terms."""
    return lambda job, rows: np.column_stack(retrieval_terms(index, job))[rows] @ weights


def test_fitted_weights_recover_a_scorer_that_is_linear_in_the_terms(varied: Database) -> None:
    index = worker_index(varied)
    jobs = [load_job(varied, f"J{n}") for n in range(1, 6)]
    # These rows have no resume text and no known occupation: those two terms stay at 0.
    truth = np.array([0.1, 0.05, 0.05, 0.04, 0.0, 0.0, 0.02, 0.08, 0.5, 0.1, 0.1])
    fitted = fit_term_weights(index, jobs, linear_scorer(index, truth))
    np.testing.assert_allclose(fitted, truth / truth.sum(), atol=0.01)
    assert not np.allclose(fitted, DEFAULT_TERM_WEIGHTS / DEFAULT_TERM_WEIGHTS.sum(), atol=0.05)


def test_too_little_data_keeps_the_default_weights(population: Database) -> None:
    index = worker_index(population)
    truth = np.ones(len(RETRIEVAL_TERMS))
    fitted = fit_term_weights(index, [load_job(population, "J1")], linear_scorer(index, truth))
    assert fitted is DEFAULT_TERM_WEIGHTS


def test_a_fitted_pool_also_holds_the_best_by_default_weights(varied: Database) -> None:
    index = worker_index(varied)
    job = load_job(varied, "J1")
    everyone = np.ones(len(index), dtype=bool)
    salary_only = np.zeros(len(RETRIEVAL_TERMS))
    salary_only[RETRIEVAL_TERMS.index("salary")] = 1.0
    by_salary = retrieve_candidates(index, job, everyone, 8, salary_only)
    by_default = retrieve_candidates(index, job, everyone, 8)
    assert set(by_default[:2]) <= set(by_salary)  # 8 // DEFAULT_POOL_SHARE = 2
    assert len(by_salary) <= 8 + 2 and len(set(by_salary)) == len(by_salary)


def test_kept_retrieval_scores_follow_the_ranking_day(db: Database) -> None:
    # The availability term counts days from the ranking day (matcher.clock), so scores kept
    # for one day must not be served on another, faked or real.
    from matcher import clock
    from matcher.ranking.retrieval import clear_recent_scores, retrieval_scores

    add_worker(db, "W1", {"Python": 5}, available_from="2026-03-01")
    add_job(db, "J1", ["Python"])
    index, job = worker_index(db), load_job(db, "J1")
    clear_recent_scores()
    with clock.on_day(dt.date(2026, 1, 1)):
        early = retrieval_scores(index, job).copy()
    with clock.on_day(dt.date(2026, 2, 20)):
        later = retrieval_scores(index, job).copy()
        fresh = retrieval_scores(index, job).copy()
    clear_recent_scores()
    with clock.on_day(dt.date(2026, 2, 20)):
        computed = retrieval_scores(index, job)
    assert later[0] > early[0]  # closer to the start date, more available
    np.testing.assert_array_equal(later, computed)
    np.testing.assert_array_equal(fresh, computed)


class LinearModel:
    """A stand-in serving scorer with a model version: `weights` over the retrieval terms."""

    def __init__(self, index, weights: np.ndarray, version: str = "2026-01-05T00:00:00Z-1"):
        self.version, self._score = version, linear_scorer(index, weights)

    def score(self, job, table, rows):
        return self._score(job, rows)


def test_fitted_weights_are_stored_once_per_model_version_and_read_back(
    varied: Database, db_path
) -> None:
    from matcher.ranking.caches import clear_caches
    from matcher.ranking.retrieval import term_weights_for

    index = worker_index(varied)
    truth = np.array([0.1, 0.05, 0.05, 0.04, 0.0, 0.0, 0.02, 0.08, 0.5, 0.1, 0.1])
    clear_caches()
    fitted = term_weights_for(varied, index, LinearModel(index, truth))
    np.testing.assert_allclose(fitted, truth / truth.sum(), atol=0.01)
    (stored,) = varied.execute("SELECT weights FROM retrieval_weights").fetchone()
    np.testing.assert_array_equal(np.array(json.loads(stored)), fitted)

    # Another process (here: empty caches) reads the stored weights instead of fitting.
    other = np.full(len(RETRIEVAL_TERMS), 1 / len(RETRIEVAL_TERMS))
    varied.execute("UPDATE retrieval_weights SET weights = ?", [json.dumps(other.tolist())])
    varied.conn.commit()
    clear_caches()
    np.testing.assert_array_equal(term_weights_for(varied, index, LinearModel(index, truth)), other)


def test_weights_stored_for_other_terms_are_fitted_again(varied: Database) -> None:
    from matcher.ranking.caches import clear_caches
    from matcher.ranking.retrieval import term_weights_for

    index = worker_index(varied)
    truth = np.array([0.1, 0.05, 0.05, 0.04, 0.0, 0.0, 0.02, 0.08, 0.5, 0.1, 0.1])
    varied.execute(
        "INSERT INTO retrieval_weights VALUES ('2026-01-05T00:00:00Z-1', '[\"required\"]', "
        "'[1.0]', '2026-01-01T00:00:00Z')"
    )
    varied.conn.commit()
    clear_caches()
    fitted = term_weights_for(varied, index, LinearModel(index, truth))
    np.testing.assert_allclose(fitted, truth / truth.sum(), atol=0.01)
    (terms,) = varied.execute("SELECT terms FROM retrieval_weights").fetchone()
    assert json.loads(terms) == list(RETRIEVAL_TERMS)


def test_a_read_only_database_fits_the_same_weights_in_memory(varied: Database, db_path) -> None:
    from matcher.batch.tasks import open_read_only
    from matcher.ranking.caches import clear_caches
    from matcher.ranking.retrieval import term_weights_for

    truth = np.array([0.1, 0.05, 0.05, 0.04, 0.0, 0.0, 0.02, 0.08, 0.5, 0.1, 0.1])
    varied.conn.commit()
    read_only = open_read_only(db_path)
    index = worker_index(read_only)
    clear_caches()
    in_memory = term_weights_for(read_only, index, LinearModel(index, truth))
    assert varied.execute("SELECT count(*) FROM retrieval_weights").fetchone() == (0,)
    clear_caches()
    stored = term_weights_for(varied, worker_index(varied), LinearModel(index, truth))
    np.testing.assert_array_equal(in_memory, stored)
