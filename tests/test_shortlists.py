"""Shortlists and matches: ranking, explanations, filters, paging, JSON shapes and the CLI."""

from __future__ import annotations

import json

import numpy as np
import pytest
from sqlite_utils import Database

from matcher import registry
from matcher.config import Settings
from matcher.features import FEATURE_NAMES, load_jobs
from matcher.fit import BAND_KEYS
from matcher.ranking import (
    CandidateFilters,
    FilterError,
    NotFound,
    matches_for_worker,
    shortlist_for_job,
    shortlists,
)
from matcher.ranking.caches import database_key
from matcher.ranking.index import worker_index
from matcher.ranking.model_files import register_ranker
from matcher.ranking.models import LearnedRanker
from matcher.ranking.scorers import load_serving_scorer
from matcher.ranking.shortlists import clear_shortlist_cache, score_jobs_for_worker
from tests.test_retrieval import add_job, add_worker


@pytest.fixture
def settings(db_path, models_dir) -> Settings:
    return Settings(db_path=db_path, models_dir=models_dir)


@pytest.fixture
def market(db: Database) -> Database:
    add_worker(
        db,
        "W1",
        {"Python": 6, "Django": 4, "PostgreSQL": 3},
        cities="Toronto;Montreal",
        years=6,
        salary=110_000,
        available_from="2026-02-01",
    )
    add_worker(db, "W2", {"Python": 2}, cities="Vancouver", remote=True, years=2, salary=150_000)
    add_worker(db, "W3", {"Java": 8}, cities="Montreal;Toronto", french=9, years=12)
    add_worker(db, "W4", {"Python": 9, "Django": 9}, cities="Toronto", deleted=True)
    add_job(
        db,
        "J1",
        ["Python", "Django"],
        ["PostgreSQL", "Docker"],
        min_years=3,
        salary=(90_000, 130_000),
    )
    add_job(db, "J2", ["Java"], city="Montreal", french=7)
    add_job(db, "J3", ["Python"], status="closed")
    return db


def test_shortlist_ranks_the_best_fit_first_with_its_explanation(market, settings) -> None:
    shortlist = shortlist_for_job(market, "J1", settings=settings)
    assert [c.worker for c in shortlist.candidates][:2] == ["W1", "W2"]
    assert [c.rank for c in shortlist.candidates] == [1, 2, 3]
    assert shortlist.total == 3
    scores = [c.score for c in shortlist.candidates]
    assert scores == sorted(scores, reverse=True) and all(0 <= s <= 1 for s in scores)
    assert shortlist.candidates[0].explanation == {
        "matched_skills": ["Django", "Python"],
        "missing_skills": [],
        "matched_nice_to_have_skills": ["PostgreSQL"],
        "city": "Toronto",
        "city_preference_rank": 1,
        "remote": "onsite",
        "open_to_remote": False,
        "remote_compatible": True,
        "years_experience": 6.0,
        "min_years_experience": 3.0,
        "meets_min_experience": True,
        "french_level": None,
        "french_level_required": 0,
        "meets_french_requirement": True,
        "salary_expectation_cad": 110_000,
        "salary_min_cad": 90_000,
        "salary_max_cad": 130_000,
        "salary_fit": "within",
        "work_authorization": "open_work_permit",
        "available_from": "2026-02-01",
    }


def test_explanation_of_a_weaker_candidate(market, settings) -> None:
    candidates = shortlist_for_job(market, "J1", settings=settings).candidates
    w2 = next(c for c in candidates if c.worker == "W2").explanation
    assert w2["matched_skills"] == ["Python"]
    assert w2["missing_skills"] == ["Django"]
    assert w2["city_preference_rank"] is None
    assert w2["remote_compatible"] is False
    assert w2["meets_min_experience"] is False
    assert w2["salary_fit"] == "above"


def test_french_requirement_in_the_explanation(market, settings) -> None:
    candidates = shortlist_for_job(market, "J2", settings=settings).candidates
    assert candidates[0].worker == "W3"
    assert candidates[0].explanation["meets_french_requirement"] is True
    unknown = next(c for c in candidates if c.worker == "W1").explanation
    assert unknown["meets_french_requirement"] is None


def test_json_shape_matches_the_product_contract(market, settings) -> None:
    document = shortlist_for_job(market, "J1", limit=1, settings=settings).to_json()
    assert set(document) == {"job", "model_version", "candidates", "total"}
    assert document["job"] == "J1" and document["model_version"] == "cold-start"
    (candidate,) = document["candidates"]
    assert set(candidate) == {"worker", "rank", "score", "explanation", "fit"}  # fit: optional
    assert candidate["worker"] == "W1" and candidate["rank"] == 1
    assert candidate["fit"]["band"] in BAND_KEYS and 0 <= candidate["fit"]["percentile"] <= 100
    json.dumps(document)  # every value is plain JSON


def test_paging_continues_the_ranks(market, settings) -> None:
    everyone = shortlist_for_job(market, "J1", settings=settings).candidates
    page = shortlist_for_job(market, "J1", limit=1, offset=1, settings=settings).candidates
    assert [(c.worker, c.rank) for c in page] == [(everyone[1].worker, 2)]


def test_filters_and_sort(market, settings) -> None:
    only_first_choice = CandidateFilters(city_preference_max_rank=1)
    shortlist = shortlist_for_job(market, "J1", filters=only_first_choice, settings=settings)
    assert [c.worker for c in shortlist.candidates] == ["W1"] and shortlist.total == 1
    by_experience = shortlist_for_job(
        market, "J1", filters=CandidateFilters(sort="experience"), settings=settings
    )
    assert [c.worker for c in by_experience.candidates] == ["W3", "W1", "W2"]


def test_two_stage_agrees_with_exhaustive_scoring(db, settings) -> None:
    for number in range(60):
        skills = {"Python": number % 7} if number % 2 else {"Go": 1}
        if number % 3 == 0:
            skills["Django"] = 2
        add_worker(db, f"W{number}", skills, cities="Toronto" if number % 4 else "Montreal")
    add_job(db, "J1", ["Python", "Django"])
    exhaustive = shortlist_for_job(db, "J1", limit=10, settings=settings, pool_size=None)
    two_stage = shortlist_for_job(db, "J1", limit=10, settings=settings, pool_size=20)
    assert [c.worker for c in two_stage.candidates] == [c.worker for c in exhaustive.candidates]


def test_unknown_ids_raise_not_found(market, settings) -> None:
    with pytest.raises(NotFound):
        shortlist_for_job(market, "NOPE", settings=settings)
    with pytest.raises(NotFound):
        matches_for_worker(market, "NOPE", settings=settings)
    with pytest.raises(NotFound):
        matches_for_worker(market, "W4", settings=settings)  # deleted


def test_bad_paging_is_a_filter_error(market, settings) -> None:
    with pytest.raises(FilterError) as raised:
        shortlist_for_job(market, "J1", limit=-1, settings=settings)
    assert raised.value.field == "limit"


def test_matches_rank_open_jobs_only(market, settings) -> None:
    matches = matches_for_worker(market, "W1", settings=settings)
    assert [m.job for m in matches.jobs] == ["J1", "J2"]
    assert matches.jobs[0].explanation["matched_skills"] == ["Django", "Python"]
    document = matches.to_json()
    assert document["worker"] == "W1" and document["model_version"] == "cold-start"
    assert {"job", "rank", "score", "explanation"} <= set(document["jobs"][0])


def test_matches_leave_out_excluded_jobs(market, settings) -> None:
    by_external = matches_for_worker(market, "W1", settings=settings, exclude_job_ids=["J1"])
    assert [m.job for m in by_external.jobs] == ["J2"]
    j2 = market.execute("SELECT id FROM jobs WHERE external_id = 'J2'").fetchone()[0]
    by_internal = matches_for_worker(market, "W1", settings=settings, exclude_job_ids=[j2])
    assert [m.job for m in by_internal.jobs] == ["J1"]


def test_a_new_worker_shows_up_without_restarting(market, settings) -> None:
    assert shortlist_for_job(market, "J1", settings=settings).total == 3
    skills = {"Python": 10, "Django": 10, "PostgreSQL": 5, "Docker": 5}
    add_worker(market, "W9", skills, cities="Toronto", years=10)
    shortlist = shortlist_for_job(market, "J1", settings=settings)
    assert shortlist.total == 4 and shortlist.candidates[0].worker == "W9"


def promote_small_model(db: Database, settings: Settings) -> str:
    """Register and promote a small learned ranker fitted on noise; returns its version."""
    rng = np.random.default_rng(0)
    model = LearnedRanker(max_iter=5).fit(
        rng.random((300, len(FEATURE_NAMES))), rng.integers(0, 5, 300)
    )
    version = register_ranker(db, settings, model, {})
    registry.promote(db, version, "test")
    return version


def test_a_worker_edit_shows_at_once(market, settings) -> None:
    before = shortlist_for_job(market, "J1", settings=settings).candidates[0]
    assert before.worker == "W1" and before.explanation["missing_skills"] == []
    market.execute(
        "DELETE FROM worker_skills WHERE skill = 'Django' AND worker_id = "
        "(SELECT id FROM workers WHERE external_id = 'W1')"
    )
    after = shortlist_for_job(market, "J1", settings=settings).candidates
    w1 = next(c for c in after if c.worker == "W1")
    assert w1.explanation["missing_skills"] == ["Django"] and w1.score < before.score


def test_a_job_edit_shows_at_once(market, settings) -> None:
    assert shortlist_for_job(market, "J1", settings=settings).total == 3
    market.execute("UPDATE jobs SET french_level_required = 9 WHERE external_id = 'J1'")
    shortlist = shortlist_for_job(market, "J1", settings=settings)
    assert shortlist.job_profile.french_level_required == 9
    assert {c.explanation["french_level_required"] for c in shortlist.candidates} == {9}


def test_a_promoted_model_serves_at_once(market, settings) -> None:
    assert shortlist_for_job(market, "J1", settings=settings).model_version == "cold-start"
    version = promote_small_model(market, settings)
    shortlist = shortlist_for_job(market, "J1", settings=settings)
    assert shortlist.model_version == version
    scorer = load_serving_scorer(market, settings)
    index = worker_index(market)
    for candidate in shortlist.candidates:
        row = int(np.flatnonzero(index.table.external_ids == candidate.worker)[0])
        expected = scorer.score(shortlist.job_profile, index.table, np.array([row]))[0]
        assert candidate.score == pytest.approx(float(expected))


def test_pages_slice_one_cached_ranking(market, settings) -> None:
    first = shortlist_for_job(market, "J1", settings=settings)
    again = shortlist_for_job(market, "J1", settings=settings)
    assert again.candidates == first.candidates
    clear_shortlist_cache()
    rebuilt = shortlist_for_job(market, "J1", limit=2, offset=1, settings=settings)
    assert rebuilt.candidates == first.candidates[1:3]


def test_pools_of_older_data_are_dropped_from_the_cache(market, settings) -> None:
    shortlist_for_job(market, "J1", settings=settings)
    shortlist_for_job(market, "J2", settings=settings)
    old_index = worker_index(market)
    add_worker(market, "W9", {"Python": 1}, cities="Toronto")
    shortlist_for_job(market, "J1", settings=settings)
    database = database_key(market)
    entries = shortlists._ranked_pools._entries.items()  # what the cache keeps alive
    cached = [pool for key, pool in entries if key[0] == database]
    assert len(cached) == 1 and cached[0].index is not old_index


@pytest.mark.parametrize("learned", [False, True], ids=["cold-start", "learned"])
def test_matches_score_the_job_pool_as_one_call_per_job_would(market, settings, learned) -> None:
    if learned:
        promote_small_model(market, settings)
    index = worker_index(market)
    jobs = load_jobs(market, status=None)
    worker_id = market.execute("SELECT id FROM workers WHERE external_id = 'W1'").fetchone()[0]
    row = index.row_of(worker_id)
    scorer = load_serving_scorer(market, settings)
    assert (scorer.version != "cold-start") == learned
    one_by_one = [scorer.score(job, index.table, np.array([row]))[0] for job in jobs]
    batched = score_jobs_for_worker(scorer, jobs, index.table, row)
    np.testing.assert_allclose(batched, one_by_one, rtol=1e-6)


def test_cli_shortlist_json(market, run_cli) -> None:
    result = run_cli("shortlist", "J1", "--top", "2", "--json", check=True)
    document = json.loads(result.stdout)
    assert document["job"] == "J1" and document["model_version"] == "cold-start"
    assert [c["worker"] for c in document["candidates"]] == ["W1", "W2"]
    assert document["candidates"][0]["explanation"]["city_preference_rank"] == 1


def test_cli_text_and_matches(market, run_cli) -> None:
    text = run_cli("shortlist", "J1", check=True).stdout
    assert "W1" in text and "skills 2 of 2 required" in text and "Toronto: choice #1" in text
    assert "fit · 100th percentile" in text and "0.9" not in text  # fit, not a raw score
    matches = json.loads(run_cli("matches", "W3", "--json", check=True).stdout)
    assert matches["worker"] == "W3" and matches["jobs"][0]["job"] == "J2"


def test_cli_unknown_ids_exit_1(market, run_cli) -> None:
    job = run_cli("shortlist", "NOPE")
    assert job.returncode == 1 and "no job with external id 'NOPE'" in job.stderr
    worker = run_cli("matches", "NOPE", "--json")
    assert worker.returncode == 1 and "no worker" in worker.stderr


def test_score_candidate_agrees_with_the_shortlist(market, settings) -> None:
    shortlist = shortlist_for_job(market, "J1", settings=settings)
    first = shortlist.candidates[0]
    worker_id = market.execute(
        "SELECT id FROM workers WHERE external_id = ?", [first.worker]
    ).fetchone()[0]
    score, explanation, version = shortlists.score_candidate(
        market, "J1", worker_id, settings=settings
    )
    assert score == pytest.approx(first.score)
    assert explanation == first.explanation
    assert version == shortlist.model_version


def test_score_candidate_of_unknown_job_or_deleted_worker_is_not_found(market, settings) -> None:
    deleted_id = market.execute("SELECT id FROM workers WHERE external_id = 'W4'").fetchone()[0]
    with pytest.raises(NotFound):
        shortlists.score_candidate(market, "NOPE", 1, settings=settings)
    with pytest.raises(NotFound):
        shortlists.score_candidate(market, "J1", deleted_id, settings=settings)
