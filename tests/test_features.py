"""Pair features: values on hand-made rows, and no protected ground among them."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest
from ranking_rows import add_job, add_worker

from matcher.features import FEATURE_NAMES, load_job, load_worker_table, pair_features
from matcher.features.pair_features import pair_features_for_pairs
from matcher.features.transformers import PairFeatureTransformer, PairSet
from matcher.ranking.scorers import ColdStartScorer

TODAY = dt.date(2026, 1, 1)


def features_of(db, job_external_id: str) -> dict[str, np.ndarray]:
    workers = load_worker_table(db)
    matrix = pair_features(
        load_job(db, job_external_id), workers, np.arange(len(workers)), today=TODAY
    )
    return {name: matrix[:, i] for i, name in enumerate(FEATURE_NAMES)}


@pytest.fixture
def fit_rows(db):
    add_job(
        db,
        "J1",
        required=["Python", "Kubernetes"],
        nice=["Go"],
        city="Montreal",
        remote="hybrid",
        description="python kubernetes platform",
        min_years=4,
        salary_max=100_000,
        french=6,
    )
    add_worker(
        db,
        "W-fit",
        skills={"Python": 6, "Kubernetes": 4, "Go": 1},
        cities="Montreal;Toronto",
        remote=True,
        years=6,
        resume="python kubernetes platform engineer",
        french=7,
        salary=90_000,
        available_from="2026-01-01",
    )
    add_worker(
        db,
        "W-far",
        skills={"Java": 2},
        cities="Vancouver",
        years=1,
        french=2,
        salary=150_000,
        available_from="2026-03-02",
    )
    add_worker(db, "W-part", skills={"Python": None}, cities="Toronto;Vancouver;Montreal", years=9)
    db.conn.commit()
    return db


def test_feature_values_for_a_strong_a_weak_and_a_partial_candidate(fit_rows):
    f = features_of(fit_rows, "J1")
    assert f["required_coverage"].tolist() == [1.0, 0.0, 0.5]
    assert f["nice_to_have_coverage"].tolist() == [1.0, 0.0, 0.0]
    assert f["city_preference"].tolist() == pytest.approx([1.0, 0.0, 1 / 3])
    assert f["remote_compatible"].tolist() == [0.5, 0.0, 0.0]
    assert f["place_fit"].tolist() == pytest.approx([1.0, 0.0, 1 / 3])
    assert f["experience_shortfall"].tolist() == [0.0, 3.0, 0.0]
    assert f["experience_surplus"].tolist() == [2.0, 0.0, 5.0]
    assert f["salary_fit"].tolist() == pytest.approx([1.0, 100 / 150, 1.0])
    assert f["french_fit"].tolist() == pytest.approx([1.0, 2 / 6, 0.0])
    assert f["french_shortfall"].tolist() == [0.0, 4.0, 6.0]
    assert f["days_until_available"].tolist() == [0.0, 60.0, 0.0]
    assert f["skill_years_fit"][0] == pytest.approx(1.0)
    assert f["text_relevance"][0] > 0.5 > f["text_relevance"][1]


def test_a_fully_remote_job_fits_a_remote_worker_wherever_they_want_to_live(db):
    add_job(db, "J1", city="Montreal", remote="remote")
    add_worker(db, "W-remote", cities="Vancouver", remote=True)
    add_worker(db, "W-onsite", cities="Vancouver", remote=False)
    add_worker(db, "W-local", cities="Montreal", remote=False)
    db.conn.commit()
    f = features_of(db, "J1")
    assert f["city_preference"].tolist() == [0.0, 0.0, 1.0]
    assert f["place_fit"].tolist() == [1.0, 0.0, 1.0]


def test_a_rare_required_skill_counts_more_than_a_common_one(db):
    add_job(db, "J1", required=["Python", "Rust"])
    add_worker(db, "W-common", skills={"Python": 3})
    add_worker(db, "W-rare", skills={"Rust": 3})
    for i in range(5):
        add_worker(db, f"W-other{i}", skills={"Python": 1})
    db.conn.commit()
    weighted = features_of(db, "J1")["required_coverage_weighted"]
    assert weighted[1] > 0.5 > weighted[0]


def test_a_missing_skill_earns_partial_credit_for_a_related_one(db):
    add_job(db, "J1", required=["PostgreSQL", "Python"])
    add_worker(db, "W-mysql", skills={"MySQL": 3, "Python": 2})
    add_worker(db, "W-java", skills={"Java": 3, "Python": 2})
    db.conn.commit()
    credit = features_of(db, "J1")["related_skill_credit"]
    assert credit.tolist() == [0.5, 0.0]


def test_a_job_without_required_skills_excludes_nobody(db):
    add_job(db, "J1")
    add_worker(db, "W1")
    db.conn.commit()
    assert features_of(db, "J1")["required_coverage"].tolist() == [1.0]


PROTECTED_OR_PROXY = (
    "name",
    "email",
    "education",
    "citizen",
    "authorization",
    "permit",
    "age",
    "gender",
    "sex",
    "origin",
    "religion",
    "english",
)


def test_no_feature_is_a_protected_ground_or_a_proxy_for_one():
    for name in FEATURE_NAMES:
        assert not set(name.split("_")) & set(PROTECTED_OR_PROXY), name


def test_authorization_name_email_and_education_never_change_a_score(fit_rows):
    before = features_of(fit_rows, "J1")
    workers = load_worker_table(fit_rows)
    job = load_job(fit_rows, "J1")
    scores_before = ColdStartScorer().score(job, workers, np.arange(len(workers)))
    fit_rows.execute(
        "UPDATE workers SET work_authorization = 'needs_permit', name = 'Someone Else', "
        "email = 'other@example.org', education = 'none'"
    )
    fit_rows.conn.commit()
    after = features_of(fit_rows, "J1")
    workers = load_worker_table(fit_rows)
    assert workers.work_authorization.tolist() == ["needs_permit"] * 3
    for name in FEATURE_NAMES:
        assert after[name].tolist() == before[name].tolist(), name
    scores_after = ColdStartScorer().score(job, workers, np.arange(len(workers)))
    assert scores_after.tolist() == scores_before.tolist()


def test_deleted_workers_are_not_in_the_table(fit_rows):
    fit_rows.execute(
        "UPDATE workers SET deleted_at = '2026-01-01T00:00:00Z' WHERE external_id = 'W-far'"
    )
    fit_rows.conn.commit()
    workers = load_worker_table(fit_rows)
    assert workers.external_ids.tolist() == ["W-fit", "W-part"]
    assert workers.row_of(workers.worker_ids[1]) == 1
    assert workers.skills.shape[0] == 2


def test_the_transformer_gives_the_same_rows_as_pair_features_in_input_order(fit_rows):
    workers = load_worker_table(fit_rows)
    job = load_job(fit_rows, "J1")
    pairs = np.array([[job.id, w] for w in workers.worker_ids[::-1]] + [[job.id, 999]])
    transformer = PairFeatureTransformer()
    out = transformer.fit_transform(PairSet(pairs, {job.id: job}, workers, {job.id: TODAY}))
    expected = pair_features(job, workers, np.arange(len(workers))[::-1], today=TODAY)
    np.testing.assert_array_equal(out[:3], expected)
    assert np.isnan(out[3]).all()
    assert transformer.get_feature_names_out().tolist() == FEATURE_NAMES


def test_many_jobs_at_once_give_the_same_features_as_one_job_at_a_time(fit_rows):
    add_job(fit_rows, "J2", required=["Java"], description="java spring services", city="Vancouver")
    fit_rows.conn.commit()
    workers = load_worker_table(fit_rows)
    jobs = [load_job(fit_rows, "J1"), load_job(fit_rows, "J2")]
    rows = np.array([0, 1, 2, 2, 1, 0])
    job_index = np.array([0, 0, 0, 1, 1, 1])
    today_days = np.full(len(rows), float((TODAY - dt.date(1970, 1, 1)).days))
    together = pair_features_for_pairs(jobs, job_index, workers, rows, today_days)
    for position in range(2):
        alone = pair_features(jobs[position], workers, rows[job_index == position], today=TODAY)
        np.testing.assert_allclose(together[job_index == position], alone, rtol=1e-6)
    text = together[:, FEATURE_NAMES.index("text_relevance")]
    assert text[0] > 0.5 and text[4] > 0.0 == text[3]


def test_unknown_skill_years_never_rank_below_fewer_stated_years(db):
    add_job(db, "J-years", required=["Python", "SQL"], min_years=5, description="python sql")
    same = {"cities": "Toronto", "years": 6, "resume": "python sql developer"}
    add_worker(db, "W-unknown", skills={"Python": None, "SQL": None}, **same)
    for years in (0, 1, 4, 5):
        add_worker(db, f"W-{years}", skills={"Python": years, "SQL": years}, **same)
    db.conn.commit()
    workers = load_worker_table(db)
    matrix = pair_features(load_job(db, "J-years"), workers, np.arange(len(workers)), today=TODAY)
    fit = matrix[:, FEATURE_NAMES.index("skill_years_fit")]
    scores = ColdStartScorer().score_features(matrix)
    assert fit[0] == 1.0 and fit[1] == 0.0  # unknown is not zero years
    assert all(scores[0] >= score for score in scores[1:])
    assert scores[0] > scores[1]  # stating 0 years is below not stating any


def test_unknown_years_count_as_enough_in_retrieval_too(db):
    from matcher.ranking.index import build_worker_index
    from matcher.ranking.retrieval import retrieval_scores

    add_job(db, "J-years", required=["Python"], min_years=5)
    add_worker(db, "W-unknown", skills={"Python": None})
    add_worker(db, "W-one", skills={"Python": 1})
    db.conn.commit()
    scores = retrieval_scores(build_worker_index(db), load_job(db, "J-years"))
    assert scores[0] > scores[1]


def test_a_resume_only_worker_with_every_required_skill_scores_as_a_good_candidate(db):
    from matcher.importing import import_rows

    worker = {
        "external_id": "W-resume",
        "name": "Resume Only",
        "email": "resume@example.org",
        "resume_text": "Data engineer building Python, Kafka and PostgreSQL pipelines.",
        "city_preferences": "Toronto",
        "years_experience": "10",
        "work_authorization": "open_work_permit",
    }
    assert not import_rows(db, "workers", [worker]).rejected
    stored = db.execute("SELECT count(*), count(years) FROM worker_skills").fetchone()
    assert stored[0] >= 3 and stored[1] == 0  # skills from the resume, years unknown
    add_job(
        db,
        "J-data",
        required=["Python", "Kafka", "PostgreSQL"],
        title="Senior Data Engineer",
        description="Data engineer for streaming pipelines in Python with Kafka and PostgreSQL.",
        min_years=6,
        salary_max=150_000,
    )
    db.conn.commit()
    workers = load_worker_table(db)
    score = ColdStartScorer().score(load_job(db, "J-data"), workers, np.arange(len(workers)))
    assert score[0] >= 0.8


def test_a_long_resume_does_not_outscore_a_focused_one_on_text(db):
    add_job(db, "J-text", description="python kubernetes platform engineering")
    focused = "python kubernetes platform engineer"
    filler = " ".join(f"topic{n} meeting report" for n in range(400))
    add_worker(db, "W-focused", resume=focused)
    add_worker(db, "W-long", resume=f"{focused} {'python ' * 40}{filler}")
    add_worker(db, "W-none", resume="sales targets and client meetings")
    db.conn.commit()
    f = features_of(db, "J-text")
    relevance = f["text_relevance"]
    assert relevance[0] > relevance[1] > relevance[2] == 0.0
    assert 0.0 <= relevance.min() and relevance.max() < 1.0


def test_the_transformer_holds_no_data_so_clone_copies_none(fit_rows):
    from sklearn.base import clone

    assert PairFeatureTransformer().get_params() == {}
    assert clone(PairFeatureTransformer()).get_params() == {}


@pytest.mark.parametrize("rows", [[], [2, 0, 2], [0, 1, 2, 3]])
def test_csr_rows_gathers_the_same_entries_as_scipy_indexing(rows):
    from scipy import sparse

    from matcher.features.population import csr_rows

    matrix = sparse.csr_matrix(
        np.array([[0, 1.5, 0, 2], [0, 0, 0, 0], [3, 0, 0.5, 0], [0, 0, 0, 4]], dtype=np.float32)
    )
    gathered, expected = csr_rows(matrix, np.array(rows, dtype=np.int64)), matrix[rows]
    assert gathered.shape == expected.shape
    np.testing.assert_array_equal(gathered.indptr, expected.indptr)
    np.testing.assert_array_equal(gathered.indices, expected.indices)
    np.testing.assert_array_equal(gathered.data, expected.data)


def test_a_changed_job_gets_new_features_from_the_same_worker_table(fit_rows):
    """Job sides are kept per table and job content: an edit to the job is never served stale."""
    workers = load_worker_table(fit_rows)
    job = load_job(fit_rows, "J1")
    rows = np.arange(len(workers))
    before = pair_features(job, workers, rows, today=TODAY)
    job.required_skills = ["Go"]
    job.description = "go services"
    after = pair_features(job, workers, rows, today=TODAY)
    fresh = pair_features(job, load_worker_table(fit_rows), rows, today=TODAY)
    np.testing.assert_array_equal(after, fresh)
    assert not np.array_equal(before, after)


def test_a_fit_scale_reads_the_same_retrieval_scores_its_pool_was_retrieved_by(fit_rows):
    from matcher.ranking.index import build_worker_index
    from matcher.ranking.retrieval import (
        clear_recent_scores,
        retrieval_scores,
        retrieve_candidates,
    )

    index, job = build_worker_index(fit_rows), load_job(fit_rows, "J1")
    clear_recent_scores()
    retrieve_candidates(index, job, np.ones(len(index), dtype=bool), pool_size=2)
    kept = retrieval_scores(index, job)
    clear_recent_scores()
    computed = retrieval_scores(index, job)
    np.testing.assert_array_equal(kept, computed)
    assert not kept.flags.writeable  # shared between callers
