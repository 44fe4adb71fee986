"""Fairness audit: skew@k and NDKL by hand, pooled exposure, the promotion gate, model cards."""

from __future__ import annotations

import datetime as dt
import json
import math

import numpy as np
import pytest
from test_bootstrap import jobs_table

from matcher.config import Settings
from matcher.constants import COL_ITEM, COL_QUERY, COL_RELEVANCE, COL_SCORE
from matcher.demo import build_demo
from matcher.evaluation.bootstrap import paired_bootstrap
from matcher.evaluation.fairness import (
    MAX_ABS_LOG_SKEW,
    MAX_NDKL_EXCESS,
    NOT_RECORDED,
    audit_ranking,
    exposure_at_k,
    fairness_audit,
    fairness_gate,
    group_mix,
    kl_divergence,
    load_audit_groups,
    ndkl,
    ranked_groups_per_query,
    render_fairness_markdown,
    skew_at_k,
)
from matcher.ranking.models import LearnedRanker
from matcher.ranking.training import TrainingRun, promotion_decision, train_and_register

HALF_AND_HALF = {"A": 0.5, "B": 0.5}


def test_a_perfectly_proportional_ranking_has_no_skew():
    ranking = ["A", "B"] * 5
    for k in (2, 4, 10):
        assert skew_at_k(ranking, HALF_AND_HALF, k) == {"A": 0.0, "B": 0.0}


def test_one_group_only_on_top_has_the_skew_computed_by_hand():
    ranking = ["A"] * 5 + ["B"] * 5
    skew = skew_at_k(ranking, group_mix(ranking), 5)
    assert skew["A"] == pytest.approx(math.log(2))  # share 1 in the top 5 against 1/2
    assert skew["B"] == -math.inf  # absent from the top 5
    assert skew_at_k(ranking, group_mix(ranking), 8)["B"] == pytest.approx(math.log(0.75))


def test_ndkl_is_zero_when_every_prefix_matches_the_pool():
    assert ndkl(["A"] * 6, {"A": 1.0}) == 0.0
    assert kl_divergence(HALF_AND_HALF, HALF_AND_HALF) == 0.0


def test_ndkl_of_one_group_on_top_computed_by_hand():
    # Prefixes A | AA | AAB | AABB against (1/2, 1/2); natural logs, discounts 1/log2(i + 1).
    kl = [math.log(2), math.log(2), (1 / 3) * math.log(2 / 3) + (2 / 3) * math.log(4 / 3), 0.0]
    discounts = [1.0, 1 / math.log2(3), 0.5, 1 / math.log2(5)]
    by_hand = sum(d * v for d, v in zip(discounts, kl, strict=True)) / sum(discounts)
    assert by_hand == pytest.approx(0.45237, abs=1e-5)
    assert ndkl(["A", "A", "B", "B"], HALF_AND_HALF) == pytest.approx(by_hand)
    assert ndkl(["A", "B", "A", "B"], HALF_AND_HALF) < by_hand


def test_exposure_is_pooled_over_jobs_against_each_pool():
    # Job 1 pool AABB ranked AABB; job 2 pool ABBB ranked BBBA; top 2 of each.
    exposure = exposure_at_k([["A", "A", "B", "B"], ["B", "B", "B", "A"]], k=2)
    assert exposure["A"]["observed_slots"] == 2 and exposure["A"]["expected_slots"] == 1.5
    assert exposure["A"]["skew"] == pytest.approx(math.log(2 / 1.5))
    assert exposure["B"]["skew"] == pytest.approx(math.log(2 / 2.5))
    # Hypergeometric variances: 2·(1/2)(1/2)·2/3 + 2·(1/4)(3/4)·2/3 = 7/12.
    assert exposure["A"]["z"] == pytest.approx(0.5 / math.sqrt(7 / 12))
    assert exposure["B"]["z"] == pytest.approx(-exposure["A"]["z"])


def table(queries, items, scores) -> dict[str, np.ndarray]:
    return {
        COL_QUERY: np.asarray(queries),
        COL_ITEM: np.asarray(items),
        COL_SCORE: np.asarray(scores, dtype=float),
        COL_RELEVANCE: np.zeros(len(items)),
    }


def test_rankings_follow_scores_with_ties_by_item_and_unanswered_workers_not_recorded():
    scores = table([2, 1, 1, 1, 2], [5, 3, 1, 2, 4], [0.1, 0.5, 0.5, 0.9, 0.7])
    groups = {1: "A", 2: "B", 4: "A", 5: "B"}
    assert ranked_groups_per_query(scores, groups) == [["B", "A", NOT_RECORDED], ["A", "B"]]


def population(jobs: int = 40, pool: int = 40, seed: int = 0):
    """Pools of 40 with a 30 % group W, scored at random or with W always at the bottom."""
    rng = np.random.default_rng(seed)
    queries = np.repeat(np.arange(jobs), pool)
    items = np.arange(jobs * pool)
    groups = {int(i): ("W" if rng.random() < 0.3 else "M") for i in items}
    blind = rng.random(len(items))
    sorted_by_group = blind + np.array([0.0 if groups[int(i)] == "W" else 1.0 for i in items])
    return table(queries, items, blind), table(queries, items, sorted_by_group), groups


def test_sorting_by_group_breaks_both_limits_and_a_group_blind_ranking_neither():
    blind, by_group, groups = population()
    fair = audit_ranking(blind, groups)
    unfair = audit_ranking(by_group, groups)
    assert fair["worst_abs_skew@10"] <= MAX_ABS_LOG_SKEW
    assert abs(fair["ndkl_excess"]) < MAX_NDKL_EXCESS
    assert unfair["skew@10"]["W"] < math.log(0.2) and unfair["z"]["W"] < -3
    assert unfair["worst_abs_skew@10"] > MAX_ABS_LOG_SKEW
    assert unfair["ndkl_excess"] > MAX_NDKL_EXCESS
    assert unfair["ndkl_chance"] == pytest.approx(fair["ndkl_chance"])


def test_the_gate_refuses_a_model_less_fair_than_its_rival_only():
    blind, by_group, groups = population()
    audit = fairness_audit(
        {"model": by_group, "champion": blind, "cold_start": by_group}, {"gender": groups}
    )
    passes, reason = fairness_gate(audit, "model", "champion")
    assert not passes and "gender worst_abs_skew@10" in reason and "ndkl_excess" in reason
    # As unfair as the scorer already serving: blocking it would change nothing.
    assert fairness_gate(audit, "model", "cold_start")[0]
    assert fairness_gate({}, "model", "champion") == (
        True,
        "fairness not audited (no audit attributes)",
    )


def test_promotion_is_refused_when_a_better_model_fails_the_fairness_gate():
    blind, by_group, groups = population()
    metrics = {"model": {"ndcg@10": 0.8}, "cold_start": {"ndcg@10": 0.7}}
    jobs = np.arange(80)
    clear_gain = paired_bootstrap(
        {"model": jobs_table(jobs % 4 != 0), "cold_start": jobs_table(jobs % 4 == 0)}
    )
    unfair = fairness_audit({"model": by_group, "cold_start": blind}, {"gender": groups})
    run = TrainingRun(LearnedRanker(), metrics, {}, {}, {}, fairness=unfair, bootstrap=clear_gain)
    promoted, reason = promotion_decision(run)
    assert not promoted and "beats cold_start" in reason and "fairness:" in reason
    fair = fairness_audit({"model": blind, "cold_start": blind}, {"gender": groups})
    run = TrainingRun(LearnedRanker(), metrics, {}, {}, {}, fairness=fair, bootstrap=clear_gain)
    promoted, reason = promotion_decision(run)
    assert promoted and reason.startswith("ndcg@10 0.8000 beats cold_start 0.7000 (gain +")
    assert reason.endswith("; fairness within limits (gender)")


def test_work_authorization_skew_is_reported_but_never_gates_promotion():
    blind, by_group, groups = population()
    audit = fairness_audit(
        {"model": by_group, "champion": blind}, {"work_authorization": groups, "gender": {}}
    )
    passes, reason = fairness_gate(audit, "model", "champion")
    assert passes
    assert "work_authorization reported, not gated: worst |skew@10|" in reason
    gated = fairness_audit({"model": by_group, "champion": blind}, {"gender": groups})
    assert not fairness_gate(gated, "model", "champion")[0]


@pytest.fixture
def demo_db(db):
    build_demo(db, workers=600, jobs=60, seed=3, as_of=dt.date(2026, 3, 1))
    return db


def test_audit_groups_are_audit_attributes_and_work_authorization(demo_db):
    groups = load_audit_groups(demo_db)
    assert set(groups) == {"age_band", "gender", "work_authorization"}
    answered = demo_db.execute("SELECT COUNT(DISTINCT worker_id) FROM audit_attributes")
    assert len(groups["gender"]) == answered.fetchone()[0]
    assert set(groups["gender"].values()) <= {"woman", "man", "non_binary", "undisclosed"}
    workers = demo_db.execute("SELECT id, work_authorization FROM workers").fetchall()
    assert groups["work_authorization"] == dict(workers)


def test_no_work_authorization_audit_without_self_identified_attributes(db):
    db.execute(
        "INSERT INTO workers (external_id, name, email, work_authorization, created_at, "
        "updated_at) VALUES ('W1', 'A', 'a@example.com', 'citizen', 'x', 'x')"
    )
    assert load_audit_groups(db) == {}


def test_a_large_skew_that_may_be_chance_is_let_pass_and_named_on_the_card():
    # Group B holds 1 top-10 slot of 2 expected in one pool: skew log(1/2), far from 3 sd.
    ranking = ["A"] * 9 + ["B"] + ["A"] * 71 + ["B"] * 19
    table = {
        COL_QUERY: np.zeros(len(ranking), dtype=int),
        COL_ITEM: np.arange(len(ranking)),
        COL_SCORE: -np.arange(len(ranking), dtype=float),
        COL_RELEVANCE: np.zeros(len(ranking)),
    }
    groups = dict(enumerate(ranking))
    figures = audit_ranking(table, groups)
    assert figures["worst_abs_skew@10"] == 0.0  # not judged
    assert set(figures["let_pass"]) == {"B"}
    assert figures["let_pass"]["B"]["skew"] == pytest.approx(math.log(0.5))
    audit = fairness_audit({"model": table}, {"gender": groups})
    markdown = "\n".join(render_fairness_markdown(audit))
    assert "Let pass by the significance rule" in markdown and "B (skew -0.69" in markdown


def test_a_freshly_trained_model_card_shows_the_fairness_figures(demo_db, db_path, models_dir):
    outcome = train_and_register(demo_db, Settings(db_path=db_path, models_dir=models_dir))
    card = json.loads((models_dir / f"{outcome.version.replace(':', '-')}.card.json").read_text())
    fairness = card["fairness"]
    assert fairness["attributes"] == ["age_band", "gender", "work_authorization"]
    assert fairness["thresholds"]["max_abs_log_skew"] == pytest.approx(MAX_ABS_LOG_SKEW)
    assert {"model", "cold_start", "random", "ceiling"} <= set(fairness["scorers"])
    gender = fairness["scorers"]["model"]["gender"]
    slots = outcome.run.row_counts["holdout_jobs"] * 10
    assert sum(gender["observed_slots"].values()) == slots
    assert sum(gender["expected_slots"].values()) == pytest.approx(slots)
    markdown = (models_dir / f"{outcome.version.replace(':', '-')}.card.md").read_text()
    assert "## Fairness audit" in markdown and "four-fifths rule" in markdown
    assert "### gender" in markdown and "| woman |" in markdown
