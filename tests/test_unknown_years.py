"""Total years of experience that a worker does not state are unknown (NULL), never 0.

The rule (issue 9): a worker who states no years is never ranked below an otherwise equal
worker who states fewer. Unknown total years read as "no shortfall known": exactly the job's
minimum. So with the cold-start scorer (which gives nothing for years above the minimum) an
unknown is never below any stated number; with a learned model never below any number up to
the minimum (a model may credit years stated above it).
"""

from __future__ import annotations

import csv
import json

import numpy as np
import pytest
from ranking_rows import add_job, add_worker
from sqlite_utils import Database

from matcher.config import Settings
from matcher.features import FEATURE_NAMES, load_job, load_worker_table
from matcher.features.pair_features import pair_features
from matcher.i18n import reading_language
from matcher.importing import export_file, import_file, import_rows
from matcher.presentation import explanation_items, item_text
from matcher.ranking.explanations import explain
from matcher.ranking.filters import CandidateFilters
from matcher.ranking.index import build_worker_index
from matcher.ranking.models import LearnedRanker, default_monotonic_cst
from matcher.ranking.retrieval import retrieval_scores
from matcher.ranking.scorers import ColdStartScorer, LearnedScorer
from matcher.ranking.shortlists import shortlist_for_job
from matcher.store.migrations import migrations

STATED_YEARS = (0.0, 0.5, 1.0, 2.0, 3.0, 4.5, 5.0, 8.0, 12.0, 20.0, 30.0)
JOB_MINIMUMS = (None, 0.0, 1.0, 2.0, 3.0, 5.0, 8.0, 10.0)
SAME = {"skills": {"Python": 4, "SQL": None}, "cities": "Toronto", "resume": "python sql data"}
UNDATED_RESUME = "Data engineer. Skills: Python, SQL, Kafka. Education: BSc Computer Science."


def _grid_market(db: Database) -> tuple:
    """One job per minimum, a worker who states no total years and one per stated number,
    otherwise equal; returns the worker table and the jobs."""
    jobs = [
        add_job(db, f"J-{i}", required=["Python", "SQL"], min_years=minimum, description="python")
        for i, minimum in enumerate(JOB_MINIMUMS)
    ]
    add_worker(db, "W-unknown", years=None, **SAME)
    for years in STATED_YEARS:
        add_worker(db, f"W-{years:g}", years=years, **SAME)
    db.conn.commit()
    table = load_worker_table(db)
    assert np.isnan(table.years_experience[0]) and list(table.years_experience[1:]) == list(
        STATED_YEARS
    )
    return table, [load_job(db, f"J-{i}") for i in range(len(jobs))]


def _trained_scorer() -> LearnedScorer:
    """A real ranker trained (with the serving monotonic constraints) on pairs whose labels
    fall with the experience shortfall and rise with coverage and a little with surplus."""
    rng = np.random.default_rng(3)
    n = 3000
    X = rng.random((n, len(FEATURE_NAMES))).astype(np.float32)
    shortfall = FEATURE_NAMES.index("experience_shortfall")
    surplus = FEATURE_NAMES.index("experience_surplus")
    X[:, shortfall] = np.where(rng.random(n) < 0.5, 0.0, rng.uniform(0, 10, n))
    X[:, surplus] = np.where(X[:, shortfall] > 0, 0.0, rng.uniform(0, 20, n))
    coverage = X[:, FEATURE_NAMES.index("required_coverage")]
    latent = 3 * coverage - 0.6 * X[:, shortfall] + 0.05 * X[:, surplus] + rng.normal(0, 0.5, n)
    y = np.clip(np.round(latent), 0, 4)
    model = LearnedRanker(monotonic_cst=default_monotonic_cst(), max_iter=80).fit(X, y)
    return LearnedScorer("test-trained", model)


def _scores_by_job(scorer, table, jobs) -> dict:
    rows = np.arange(len(table))
    return {job.min_years_experience: scorer.score(job, table, rows) for job in jobs}


def test_cold_start_never_ranks_unknown_years_below_any_stated_years(db):
    table, jobs = _grid_market(db)
    for minimum, scores in _scores_by_job(ColdStartScorer(), table, jobs).items():
        unknown, stated = scores[0], scores[1:]
        for years, score in zip(STATED_YEARS, stated, strict=True):
            assert unknown >= score - 1e-12, (minimum, years)
            if years < (minimum or 0.0):
                assert unknown > score, (minimum, years)  # a stated shortfall costs; unknown not


def test_a_trained_model_never_ranks_unknown_years_below_fewer_stated_years(db):
    table, jobs = _grid_market(db)
    scorer = _trained_scorer()
    compared = 0
    for minimum, scores in _scores_by_job(scorer, table, jobs).items():
        unknown, stated = scores[0], scores[1:]
        for years, score in zip(STATED_YEARS, stated, strict=True):
            if years <= (minimum or 0.0):
                assert unknown >= score - 1e-12, (minimum, years)
                compared += 1
            if years == (minimum or 0.0):
                assert unknown == pytest.approx(score)  # unknown reads as exactly the minimum
        if (minimum or 0.0) >= 2:
            # Reading unknown as 0 years (the old rule) would have put it below these.
            assert unknown > stated[STATED_YEARS.index(0.0)], minimum
    assert compared >= 25


def test_the_features_read_unknown_total_years_as_no_shortfall_and_no_surplus(db):
    table, jobs = _grid_market(db)
    job = next(j for j in jobs if j.min_years_experience == 5.0)
    features = pair_features(job, table, np.arange(len(table)))
    shortfall = features[:, FEATURE_NAMES.index("experience_shortfall")]
    surplus = features[:, FEATURE_NAMES.index("experience_surplus")]
    assert (shortfall[0], surplus[0]) == (0.0, 0.0)
    assert shortfall[1] == 5.0 and surplus[-1] == 20.0  # 0 years stated; 30 stated (capped)
    assert not np.isnan(features).any()


def test_retrieval_and_the_shortlist_put_unknown_years_above_fewer_stated_years(db, tmp_path):
    add_job(db, "J-five", required=["Python"], min_years=5)
    for external_id, years in (("W-two", 2.0), ("W-unknown", None), ("W-zero", 0.0)):
        add_worker(db, external_id, years=years, skills={"Python": 3})
    db.conn.commit()
    index = build_worker_index(db)
    scores = retrieval_scores(index, load_job(db, "J-five"))
    scores = dict(zip(index.table.external_ids, scores, strict=True))
    assert scores["W-unknown"] > scores["W-two"] > scores["W-zero"]
    settings = Settings(db_path=tmp_path / "x.db", models_dir=tmp_path / "models")
    shortlist = shortlist_for_job(db, "J-five", settings=settings)
    assert [c.worker for c in shortlist.candidates] == ["W-unknown", "W-two", "W-zero"]
    unknown = shortlist.candidates[0].explanation
    assert unknown["years_experience"] is None and unknown["meets_min_experience"] is None
    assert (
        json.loads(json.dumps(shortlist.to_json()))["candidates"][0]["explanation"][
            "years_experience"
        ]
        is None
    )
    by_years = shortlist_for_job(
        db, "J-five", settings=settings, filters=CandidateFilters(sort="experience")
    )
    assert [c.worker for c in by_years.candidates] == ["W-two", "W-zero", "W-unknown"]
    at_most_one = CandidateFilters(max_years_experience=1)
    kept = shortlist_for_job(db, "J-five", settings=settings, filters=at_most_one)
    assert [c.worker for c in kept.candidates] == ["W-unknown", "W-zero"]  # not known above


def test_explanations_say_years_not_stated_in_english_and_french(db):
    add_job(db, "J-five", required=["Python"], min_years=5)
    add_worker(db, "W-unknown", years=None, skills={"Python": 3})
    db.conn.commit()
    index = build_worker_index(db)
    explanation = explain(load_job(db, "J-five"), index, 0)

    def experience(audience: str) -> str:
        items = explanation_items(explanation, audience)
        return item_text(next(item for item in items if item.key == "experience"))

    assert experience("employer").startswith("years not stated (needs 5)")
    assert "needs 5 years, yours are not stated" in experience("worker")
    assert "0" not in experience("employer").replace("(needs 5)", "")
    with reading_language("fr"):
        assert experience("employer").startswith("années non précisées (exige 5)")
        assert "exige 5 ans, vos années ne sont pas précisées" in experience("worker")


def _write_csv(path, rows: list[dict]) -> None:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)


WORKER = {
    "external_id": "W1",
    "name": "Ana",
    "email": "ana@example.org",
    "skills": "Python:4",
    "resume_text": UNDATED_RESUME,
    "years_experience": "",
    "work_authorization": "citizen",
}


def test_an_empty_csv_value_is_stored_unknown_exported_empty_and_round_trips(db, tmp_path):
    source = tmp_path / "workers.csv"
    _write_csv(source, [WORKER, {**WORKER, "external_id": "W2", "years_experience": "0"}])
    assert import_file(db, "workers", source).inserted == 2
    stored = db.execute("SELECT external_id, years_experience FROM workers ORDER BY id").fetchall()
    assert stored == [("W1", None), ("W2", 0.0)]  # a typed 0 stays a stated 0

    exported = tmp_path / "out.csv"
    export_file(db, "workers", exported)
    with exported.open(encoding="utf-8", newline="") as handle:
        rows = {row["external_id"]: row for row in csv.DictReader(handle)}
    assert rows["W1"]["years_experience"] == "" and rows["W2"]["years_experience"] == "0"
    again = import_file(db, "workers", exported)
    assert (again.unchanged, again.updated, again.inserted) == (2, 0, 0)

    jsonl = tmp_path / "out.jsonl"
    export_file(db, "workers", jsonl)
    lines = [json.loads(line) for line in jsonl.read_text(encoding="utf-8").splitlines()]
    assert [line["years_experience"] for line in lines] == [None, 0]
    assert import_file(db, "workers", jsonl).unchanged == 2


def test_a_missing_or_null_jsonl_key_is_unknown_and_a_resume_total_still_fills_it(db):
    dated = "Experience\nData engineer, Acme, 2016 - 2022\nSkills: Python"
    rows = [
        {k: v for k, v in WORKER.items() if k != "years_experience"},
        {**WORKER, "external_id": "W2", "years_experience": None},
        {**WORKER, "external_id": "W3", "years_experience": None, "resume_text": dated},
        {**WORKER, "external_id": "W4", "years_experience": -1},
    ]
    report = import_rows(db, "workers", rows)
    assert report.inserted == 3
    assert [(r.line, r.field) for r in report.rejected] == [(4, "years_experience")]
    stored = dict(db.execute("SELECT external_id, years_experience FROM workers").fetchall())
    assert stored["W1"] is None and stored["W2"] is None
    assert stored["W3"] == pytest.approx(6.0)


def _schema(db: Database) -> dict:
    rows = db.execute(
        "SELECT type, name, sql FROM sqlite_master WHERE name NOT LIKE 'sqlite_%' ORDER BY name"
    ).fetchall()
    return {(kind, name): sql for kind, name, sql in rows}


def test_m024_makes_years_nullable_keeping_rows_indexes_triggers_and_foreign_keys(tmp_path):
    db = Database(tmp_path / "old.db")
    db.conn.execute("PRAGMA foreign_keys = ON")
    migrations.apply(db, stop_before="m024_unknown_total_years")
    worker = add_worker(db, "W1", years=0.0, skills={"Python": 3})
    job = add_job(db, "J1", required=["Python"])
    db.execute("INSERT INTO job_skills (job_id, skill, kind) VALUES (?, 'SQL', 'required')", [job])
    db.conn.commit()
    before = _schema(db)
    workers_before = db.execute("SELECT * FROM workers").fetchall()
    history_before = db.execute("SELECT * FROM worker_history").fetchall()

    migrations.apply(db, stop_before="m025_batch_match_fits")  # m024 and nothing later

    after = _schema(db)
    assert "years_experience REAL NOT NULL DEFAULT 0," in before.pop(("table", "workers"))
    assert "years_experience REAL," in after.pop(("table", "workers"))
    assert after == before  # every index and trigger, on workers or reading it, as it was
    assert db.execute("SELECT * FROM workers").fetchall() == workers_before  # 0 stays 0
    assert db.execute("SELECT * FROM worker_history").fetchall() == history_before
    assert db.execute("PRAGMA foreign_keys").fetchone() == (1,)
    assert db.execute("PRAGMA foreign_key_check").fetchall() == []

    counter = "SELECT version FROM change_counters WHERE name = 'workers'"
    version = db.execute(counter).fetchone()[0]
    db.execute(
        "UPDATE workers SET years_experience = NULL, updated_at = '2026-02-01T00:00:00Z'"
        " WHERE id = ?",
        [worker],
    )
    assert db.execute(counter).fetchone()[0] == version + 1  # m007's trigger is back
    history = db.execute(
        "SELECT valid_from, valid_to, years_experience FROM worker_history ORDER BY valid_from"
    ).fetchall()
    assert history[-1] == ("2026-02-01T00:00:00Z", None, None)  # m021's trigger is back
    assert history[-2][1:] == ("2026-02-01T00:00:00Z", 0.0)
    db.execute("DELETE FROM workers WHERE id = ?", [worker])  # foreign keys follow the new table
    assert db.execute("SELECT count(*) FROM worker_skills").fetchone() == (0,)
    assert db.execute("SELECT count(*) FROM worker_history").fetchone() == (0,)
