"""Worker interest as the learned model's `worker_interest` feature (`matcher.features.interest`):
as of each pair's decision time in training, current in serving, no weight in cold start."""

from __future__ import annotations

import numpy as np
import pytest
from ranking_rows import add_job, add_outcome, add_worker

from matcher import registry
from matcher.config import Settings
from matcher.features import FEATURE_NAMES, load_job, load_worker_table
from matcher.features.interest import PairInterest
from matcher.features.pair_features import INCREASING_FEATURES, pair_features
from matcher.hiring.interest import record_interest
from matcher.i18n import reading_language
from matcher.presentation import explanation_items
from matcher.ranking.explanations import explain
from matcher.ranking.index import worker_index
from matcher.ranking.model_files import register_ranker
from matcher.ranking.models import LearnedRanker
from matcher.ranking.scorers import ColdStartScorer, LearnedScorer
from matcher.ranking.shortlists import shortlist_for_job
from matcher.ranking.training import load_training_data

INTEREST = FEATURE_NAMES.index("worker_interest")
HIRE_STORY = [
    ("shown", "2026-03-01T09:00:00Z"),
    ("interviewed", "2026-03-05T09:00:00Z"),
    ("hired", "2026-03-10T09:00:00Z"),
]


@pytest.fixture
def story(db) -> dict[str, int]:
    """J1: W1 shown, interviewed, hired (label 2026-03-10); W2 only shown on 03-01; the job's
    last event is W1's hire. J2: W3 shown, then rejected on 03-04."""
    job, other = add_job(db, "J1", required=["Python"]), add_job(db, "J2", required=["Python"])
    ids = {"job": job, "other": other}
    for name in ("W1", "W2", "W3"):
        ids[name] = add_worker(db, name, skills={"Python": 3})
    for stage, at in HIRE_STORY:
        add_outcome(db, job, ids["W1"], stage, at)
    add_outcome(db, job, ids["W2"], "shown", "2026-03-01T09:00:00Z")
    add_outcome(db, other, ids["W3"], "shown", "2026-03-01T09:00:00Z")
    add_outcome(db, other, ids["W3"], "rejected", "2026-03-04T09:00:00Z")
    db.conn.commit()
    return ids


def training_interest(db) -> dict[tuple[int, int], float]:
    data = load_training_data(db)
    pairs = zip(data.labelled.job_ids.tolist(), data.labelled.worker_ids.tolist(), strict=True)
    return {pair: float(v) for pair, v in zip(pairs, data.features[:, INTEREST], strict=True)}


def answer(db, ids, worker, choice, at, job="job"):
    assert record_interest(db, ids[worker], ids[job], choice, source="page", at=at)


def test_interest_after_the_outcome_leaves_the_training_row_and_before_it_counts(db, story):
    pair = (story["job"], story["W1"])
    assert training_interest(db)[pair] == 0.0
    answer(db, story, "W1", "interested", "2026-03-10T09:00:01Z")  # a second after the hire
    assert training_interest(db)[pair] == 0.0
    answer(db, story, "W1", "not_for_me", "2026-03-10T09:00:00Z")  # at the hire: not before
    assert training_interest(db)[pair] == 0.0
    answer(db, story, "W1", "interested", "2026-03-04T12:00:00Z")  # before the label time
    assert training_interest(db)[pair] == 1.0
    # Serving reads the latest answer whatever its time.
    table = load_worker_table(db)
    assert table.interest.choice(story["job"], story["W1"]) == "interested"


def test_the_latest_answer_before_the_decision_is_the_one_a_row_reads(db, story):
    answer(db, story, "W1", "interested", "2026-03-02T09:00:00Z")
    answer(db, story, "W1", "not_for_me", "2026-03-06T09:00:00Z")
    answer(db, story, "W1", "interested", "2026-03-11T09:00:00Z")
    assert training_interest(db)[(story["job"], story["W1"])] == -1.0


def test_a_pair_never_advanced_reads_interest_until_the_employer_last_decided(db, story):
    """Read at its "shown" time, no never-advanced pair could ever carry an answer, and interest
    would look predictive because of when it is read: the decision not to advance comes later."""
    answer(db, story, "W2", "not_for_me", "2026-03-08T09:00:00Z")  # before the job's last event
    answer(db, story, "W3", "interested", "2026-03-02T09:00:00Z", job="other")  # before rejection
    rows = training_interest(db)
    assert rows[(story["job"], story["W2"])] == -1.0
    assert rows[(story["other"], story["W3"])] == 1.0
    answer(db, story, "W2", "interested", "2026-03-10T09:00:01Z")  # after the job's last event
    answer(db, story, "W3", "not_for_me", "2026-03-05T09:00:00Z", job="other")  # after rejection
    rows = training_interest(db)
    assert rows[(story["job"], story["W2"])] == -1.0
    assert rows[(story["other"], story["W3"])] == 1.0


def test_serving_reads_each_new_answer_without_rebuilding_the_worker_index(db, story):
    job = load_job(db, "J1")
    before = worker_index(db)
    row = before.row_of(story["W2"])
    assert pair_features(job, before.table, np.array([row]))[0, INTEREST] == 0.0
    answer(db, story, "W2", "interested", "2026-03-02T09:00:00Z")
    db.conn.commit()
    after = worker_index(db)
    assert after.postings is before.postings  # the same index, a new interest lookup
    assert pair_features(job, after.table, np.array([row]))[0, INTEREST] == 1.0
    answer(db, story, "W2", "not_for_me", "2026-03-03T09:00:00Z")
    db.conn.commit()
    assert pair_features(job, worker_index(db).table, np.array([row]))[0, INTEREST] == -1.0
    assert (
        pair_features(load_job(db, "J2"), worker_index(db).table, np.array([row]))[0, INTEREST]
        == 0.0
    )  # an answer is about one job


def test_cold_start_gives_interest_no_weight_and_a_learned_model_may(db, story):
    job = load_job(db, "J1")
    table = load_worker_table(db)
    rows = np.arange(len(table))
    plain = pair_features(job, table, rows)
    table.interest = PairInterest.of([job.id] * 3, table.worker_ids, [1.0, -1.0, 0.0])
    answered = pair_features(job, table, rows)
    assert answered[:, INTEREST].tolist() == [1.0, -1.0, 0.0]
    assert np.array_equal(np.delete(plain, INTEREST, 1), np.delete(answered, INTEREST, 1))
    cold = ColdStartScorer()
    assert np.array_equal(cold.score_features(plain), cold.score_features(answered))
    # A model that learned from answers that went with outcomes ranks by them (monotone: up).
    assert "worker_interest" in INCREASING_FEATURES
    rng = np.random.default_rng(0)
    X = rng.random((3000, len(FEATURE_NAMES))).astype(np.float32)
    X[:, INTEREST] = rng.choice([-1.0, 0.0, 1.0], 3000)
    y = np.clip(np.round(2 + 1.5 * X[:, INTEREST] + rng.normal(0, 0.5, 3000)), 0, 4)
    learned = LearnedScorer("v", LearnedRanker().fit(X, y))
    scores = learned.score_features(answered)
    assert scores[0] > scores[2] > scores[1]


def test_without_any_answer_the_feature_is_zero_and_a_model_ignores_it(db, story):
    data = load_training_data(db)
    assert not data.features[:, INTEREST].any()
    rng = np.random.default_rng(1)
    X = rng.random((2000, len(FEATURE_NAMES))).astype(np.float32)
    X[:, INTEREST] = 0.0
    y = np.clip(np.round(4 * X[:, FEATURE_NAMES.index("required_coverage")]), 0, 4)
    model = LearnedRanker().fit(X, y)
    probe = X[:50].copy()
    probe[:, INTEREST] = 1.0  # a value never seen in training moves nothing
    assert np.array_equal(model.predict(X[:50]), model.predict(probe))


def test_the_employer_explanation_says_they_are_interested_in_english_and_french(db, story):
    answer(db, story, "W1", "interested", "2026-03-02T09:00:00Z")
    answer(db, story, "W2", "not_for_me", "2026-03-02T09:00:00Z")
    db.conn.commit()
    index, job = worker_index(db), load_job(db, "J1")
    keen = explain(job, index, index.row_of(story["W1"]), interest=True)
    assert keen["worker_interest"] == "interested"
    assert "worker_interest" not in explain(job, index, index.row_of(story["W3"]), interest=True)
    # The cold-start scorer does not weigh it: its explanations stay as they were.
    assert "worker_interest" not in explain(job, index, index.row_of(story["W1"]))
    assert not ColdStartScorer.weighs_interest and LearnedScorer.weighs_interest
    items = {item.key: item for item in explanation_items(keen, "employer")}
    assert items["interest"].value == "Said they're interested"
    assert items["interest"].status == "met"
    assert "interest" not in {item.key for item in explanation_items(keen, "worker")}
    cool = explain(job, index, index.row_of(story["W2"]), interest=True)
    assert {i.key: i for i in explanation_items(cool, "employer")}["interest"].status == "missing"
    with reading_language("fr"):
        french = {item.key: item for item in explanation_items(keen, "employer")}
    assert french["interest"].value == "A dit être intéressé·e"
    assert french["interest"].label == "Intérêt"


def interest_minded_model() -> LearnedRanker:
    """A ranker fitted where interest moves the grade by 1.5 and coverage by 2."""
    rng = np.random.default_rng(0)
    X = rng.random((3000, len(FEATURE_NAMES))).astype(np.float32)
    X[:, INTEREST] = rng.choice([-1.0, 0.0, 1.0], 3000)
    coverage = X[:, FEATURE_NAMES.index("required_coverage")]
    y = np.clip(np.round(1 + 1.5 * X[:, INTEREST] + 2 * coverage + rng.normal(0, 0.3, 3000)), 0, 4)
    return LearnedRanker().fit(X, y)


def test_a_learned_champion_ranks_a_new_answer_at_once_and_says_so(db, story, db_path, tmp_path):
    settings = Settings(db_path=db_path, models_dir=tmp_path / "models", secret_key="k")
    registry.promote(db, register_ranker(db, settings, interest_minded_model(), {}), "test")
    db.conn.commit()
    before = {c.worker: c for c in shortlist_for_job(db, "J1", settings=settings).candidates}
    assert not any("worker_interest" in c.explanation for c in before.values())
    answer(db, story, "W2", "interested", "2026-03-02T09:00:00Z")
    answer(db, story, "W3", "not_for_me", "2026-03-02T09:00:00Z")
    db.conn.commit()
    after = {c.worker: c for c in shortlist_for_job(db, "J1", settings=settings).candidates}
    assert after["W2"].score > before["W2"].score  # the cached pool was not served stale
    assert after["W3"].score < before["W3"].score
    assert after["W1"].score == before["W1"].score
    assert after["W2"].explanation["worker_interest"] == "interested"
    assert "worker_interest" not in after["W1"].explanation
    assert next(iter(after)) == "W2"
