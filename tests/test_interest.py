"""Worker interest (`matcher.hiring.interest`, migration m016) and where it shows: the
worker's matches and digests, the shortlist's reciprocal sort; and the what-if re-scoring
(`matcher.ranking.what_if`) against the scorer the matches page uses."""

from __future__ import annotations

import datetime as dt
import sqlite3

import numpy as np
import pytest
from notification_fixtures import PYTHONISTA, add_subscriber, python_jobs
from ranking_rows import add_job, add_worker

from matcher.config import Settings
from matcher.hiring import interest
from matcher.notifications.selection import choose_digests
from matcher.ranking.index import worker_index
from matcher.ranking.scorers import ColdStartScorer
from matcher.ranking.shortlists import (
    CandidateFilters,
    candidate_fit,
    matches_for_worker,
    score_candidate,
    score_rows,
    shortlist_for_job,
)
from matcher.ranking.what_if import one_worker_table, what_if_skills, with_skill
from matcher.worker_jobs import skill_checks

NOW = dt.datetime(2026, 11, 25, 9, 0, tzinfo=dt.UTC)


@pytest.fixture
def settings(db_path, models_dir) -> Settings:
    return Settings(db_path=db_path, models_dir=models_dir, secret_key="k")


def test_interest_is_append_only_and_the_latest_row_counts(db):
    worker, job = add_worker(db, "W1"), add_job(db, "J1", required=["Python"])
    assert interest.current_interest(db, worker, job) is None
    assert interest.record_interest(db, worker, job, "interested", source="page")
    assert not interest.record_interest(db, worker, job, "interested", source="email")
    assert interest.record_interest(db, worker, job, "not_for_me", source="email")
    assert interest.current_interest(db, worker, job) == "not_for_me"
    rows = db.execute("SELECT choice, source FROM worker_interest ORDER BY id").fetchall()
    assert rows == [("interested", "page"), ("not_for_me", "email")]
    with pytest.raises(sqlite3.IntegrityError, match="append-only"):
        db.execute("UPDATE worker_interest SET choice = 'interested'")
    assert interest.not_for_me_jobs(db, worker) == {job}
    assert interest.interested_workers(db, job) == set()


@pytest.mark.parametrize(
    ("choice", "source", "field"), [("maybe", "page", "choice"), ("interested", "sms", "source")]
)
def test_bad_choice_or_source_is_refused_naming_the_field(db, choice, source, field):
    worker, job = add_worker(db, "W1"), add_job(db, "J1")
    with pytest.raises(interest.InterestError) as error:
        interest.record_interest(db, worker, job, choice, source=source)
    assert error.value.field == field
    assert db.execute("SELECT count(*) FROM worker_interest").fetchone() == (0,)


def test_not_for_me_leaves_matches_until_the_worker_changes_their_mind(db, settings):
    worker = add_worker(db, "W1", skills={"Python": 5, "SQL": 3})
    first, _ = python_jobs(db)
    before = [m.job for m in matches_for_worker(db, "W1", settings=settings).jobs]
    assert before[:2] == ["J1", "J2"] or set(before[:2]) == {"J1", "J2"}
    interest.record_interest(db, worker, first, "not_for_me", source="page")
    assert "J1" not in [m.job for m in matches_for_worker(db, "W1", settings=settings).jobs]
    interest.record_interest(db, worker, first, "interested", source="page")
    assert "J1" in [m.job for m in matches_for_worker(db, "W1", settings=settings).jobs]


def test_not_for_me_leaves_digests(db, settings):
    fan = add_subscriber(db, "W1", **PYTHONISTA)
    first, second = python_jobs(db)
    chosen = choose_digests(db, settings, NOW, min_band="good")
    assert {job.job_id for job in chosen[0].jobs} == {first, second}
    interest.record_interest(db, fan, first, "not_for_me", source="email")
    chosen = choose_digests(db, settings, NOW, min_band="good")
    assert [job.job_id for job in chosen[0].jobs] == [second]


def test_reciprocal_sort_puts_interested_first_within_a_band(db, settings):
    job = add_job(db, "J1", required=["Python", "SQL"])
    workers = {f"W{n}": add_worker(db, f"W{n}", skills={"Python": 5, "SQL": 5}) for n in range(6)}
    by_score = shortlist_for_job(db, "J1", settings=settings).candidates
    assert len({c.fit.band for c in by_score}) == 1, "identical workers share a band"
    last = by_score[-1].worker
    interest.record_interest(db, workers[last], job, "interested", source="page")
    first = by_score[0].worker
    interest.record_interest(db, workers[first], job, "not_for_me", source="page")
    reciprocal = shortlist_for_job(
        db, "J1", settings=settings, filters=CandidateFilters(sort="reciprocal")
    ).candidates
    assert reciprocal[0].worker == last
    assert reciprocal[-1].worker == first
    assert sorted(c.worker for c in reciprocal) == sorted(c.worker for c in by_score)


def test_reciprocal_sort_keeps_bands_before_interest(db, settings):
    job = add_job(db, "J1", required=["Python", "SQL"])
    strong = add_worker(db, "STRONG", skills={"Python": 5, "SQL": 5})
    for n in range(8):
        add_worker(db, f"MID{n}", skills={"Python": 1}, cities="Vancouver")
    weak = add_worker(db, "WEAK", skills={"Java": 1}, cities="Vancouver")
    interest.record_interest(db, weak, job, "interested", source="page")
    interest.record_interest(db, strong, job, "not_for_me", source="page")
    reciprocal = shortlist_for_job(
        db, "J1", settings=settings, filters=CandidateFilters(sort="reciprocal")
    ).candidates
    assert reciprocal[0].worker == "STRONG"
    assert reciprocal[-1].worker == "WEAK"


def test_one_worker_table_scores_as_the_whole_table(db, settings):
    add_job(db, "J1", required=["Python", "Kubernetes", "Rust"], nice=["Go"])
    ids = [add_worker(db, f"W{n}", skills={"Python": n, "Go": None}) for n in range(5)]
    from matcher.features.population import load_job

    job, index = load_job(db, "J1"), worker_index(db)
    row = index.row_of(ids[2])
    one = one_worker_table(index.table, row)
    scorer = ColdStartScorer()
    whole = score_rows(scorer, job, index.table, np.array([row]))[0]
    assert score_rows(scorer, job, one, np.array([0]))[0] == pytest.approx(whole, abs=1e-6)
    assert len(one) == len(index.table)  # rarities read over the population
    added = score_rows(scorer, job, with_skill(one, "Kubernetes"), np.array([0]))[0]
    assert added > whole
    assert score_candidate(db, job, ids[2], settings=settings)[0] == pytest.approx(whole, 1e-6)


def test_what_if_says_when_a_skill_moves_the_band(db, settings):
    job_id = add_job(db, "J1", required=["Python", "Kubernetes"])
    me = add_worker(db, "ME", skills={"Python": 5})
    for n in range(9):
        add_worker(db, f"O{n}", skills={"Python": 1}, cities="Vancouver", years=0)
    from matcher.features.population import load_job

    job = load_job(db, "J1")
    results = what_if_skills(db, job, me, settings=settings)
    assert [r.skill for r in results] == ["Kubernetes"]
    (kubernetes,) = results
    assert kubernetes.before == candidate_fit(db, job, me, settings=settings)
    assert kubernetes.before.band.key == "good"  # half the required skills
    assert kubernetes.after.band.key == "strong" and kubernetes.band_changes
    # Adding it for real gives the same fit the what-if promised.
    db.execute(
        "INSERT INTO worker_skills (worker_id, skill, years) VALUES (?, 'Kubernetes', NULL)", [me]
    )
    assert candidate_fit(db, job, me, settings=settings) == kubernetes.after
    assert job_id


def test_what_if_is_at_most_three_skills_and_empty_when_nothing_is_missing(db, settings):
    add_job(db, "J1", required=["Python", "Go", "Rust", "Scala", "SQL"])
    me = add_worker(db, "ME", skills={"Python": 2})
    done = add_worker(db, "DONE", skills={s: 1 for s in ("Python", "Go", "Rust", "Scala", "SQL")})
    from matcher.features.population import load_job

    job = load_job(db, "J1")
    assert len(what_if_skills(db, job, me, settings=settings)) == 3
    assert what_if_skills(db, job, done, settings=settings) == []


def test_skill_checks_tell_met_missing_and_unknown_years():
    from matcher.features.population import JobProfile

    job = JobProfile(
        1,
        "J",
        1,
        "Acme",
        "Dev",
        "",
        "Toronto",
        "onsite",
        None,
        None,
        None,
        0,
        "open",
        None,
        ["Python", "SQL"],
        ["Go"],
    )
    checks = skill_checks(job, {"Python": 6.0, "Go": 0.5})
    assert [(c.skill, c.required, c.status, c.years) for c in checks] == [
        ("Python", True, "met", 5.0),
        ("SQL", True, "missing", None),
        ("Go", False, "years_unknown", None),
    ]
