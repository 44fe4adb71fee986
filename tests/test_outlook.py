"""The outlook: calibrated stage probabilities on the card, in the API, CLI and matches."""

from __future__ import annotations

import json

import numpy as np
import pytest
from ranking_rows import add_history
from web_support import ACME_EMAIL, build_site

from matcher import registry
from matcher.config import Settings
from matcher.evaluation.calibration import (
    bin_edges,
    calibration_report,
    cross_fitted,
    fit_curve,
)
from matcher.features import FEATURE_NAMES
from matcher.ranking.model_files import load_ranker, register_ranker
from matcher.ranking.models import LearnedRanker
from matcher.ranking.shortlists import clear_shortlist_cache, matches_for_worker
from matcher.ranking.training import train_and_register


def test_a_calibrated_outlook_has_a_small_ece_and_a_miscalibrated_one_a_large_one():
    rng = np.random.default_rng(0)
    jobs = np.repeat(np.arange(200), 40)
    truth = rng.beta(1, 12, len(jobs))
    reached = (rng.random(len(jobs)) < truth).astype(float)
    raw = truth**0.5  # ranks right, but far too high
    report = calibration_report(
        {"model": cross_fitted(raw, reached, jobs), "raw": raw}, reached, jobs, candidate="model"
    )
    assert report["scorers"]["model"]["ece"].estimate < 0.02
    assert report["scorers"]["raw"]["ece"].estimate > 0.15
    worse = report["differences"]["raw"]["ece"]  # model - raw: significantly lower
    assert worse.high < 0
    table = report["scorers"]["model"]["reliability"]
    assert sum(row["pairs"] for row in table) == len(jobs) and len(table) == len(bin_edges(raw)) + 1


@pytest.fixture
def settings(db_path, models_dir) -> Settings:
    return Settings(db_path=db_path, models_dir=models_dir)


def test_train_stores_the_outlook_with_the_model_and_its_calibration_on_the_card(db, settings):
    add_history(db)
    outcome = train_and_register(db, settings, force=True)
    card = json.loads(
        db.execute(
            "SELECT card FROM model_versions WHERE version = ?", [outcome.version]
        ).fetchone()[0]
    )
    for stage in ("interviewed", "hired"):
        figures = card["calibration"]["stages"][stage]["scorers"]["model"]
        assert 0 <= figures["ece"]["estimate"] < 0.1 and 0 < figures["brier"]["estimate"] < 0.25
        assert (
            sum(row["pairs"] for row in figures["reliability"])
            == card["row_counts"]["holdout_pairs"]
        )
    fits = card["fits"]
    assert fits["final"]["pairs"] == card["row_counts"]["pairs"]
    assert fits["evaluation"]["pairs"] == card["row_counts"]["train_pairs"]
    assert fits["evaluation"]["first_shown_before"] == card["data_window"]["holdout_from"]
    markdown = next(settings.models_dir.glob("*.card.md")).read_text()
    assert "## Outlook calibration" in markdown and "### hired: ECE" in markdown
    assert "## Fits" in markdown and "## Point in time" in markdown
    model = load_ranker(db, settings, outcome.version)
    outlook = model.outlook(outcome.run.holdout["features"])
    assert (outlook["hired"] <= outlook["interviewed"] + 1e-9).all()
    assert ((outlook["interviewed"] >= 0) & (outlook["interviewed"] <= 1)).all()
    # The registered model is the refit on every pair, not the evaluation fit.
    assert model.n_features_in_ == len(FEATURE_NAMES)
    evaluation = outcome.run.model.predict(outcome.run.holdout["features"])
    assert not np.allclose(model.predict(outcome.run.holdout["features"]), evaluation)


def test_cli_shortlist_and_matches_carry_the_outlook_of_a_learned_champion(db, settings, run_cli):
    add_history(db)
    cold = run_cli("shortlist", "J59", "--json", check=True)
    assert all("outlook" not in c for c in json.loads(cold.stdout)["candidates"])
    train_and_register(db, settings, force=True)
    clear_shortlist_cache()
    learned = json.loads(run_cli("shortlist", "J59", "--json", check=True).stdout)
    outlooks = [c["outlook"] for c in learned["candidates"]]
    assert outlooks and all(0 <= o["hired"] <= o["interviewed"] <= 1 for o in outlooks)
    matches = matches_for_worker(db, "W1", settings=settings).to_json()["jobs"]
    assert matches and all(set(m["outlook"]) == {"interviewed", "hired"} for m in matches)


def learned_champion(site) -> str:
    """A real fitted ranker with real outlook curves, promoted in the site's registry."""
    rng = np.random.default_rng(0)
    features = rng.random((3000, len(FEATURE_NAMES)))
    grades = np.clip((features[:, 0] * 5 + rng.normal(0, 1, 3000)).round(), 0, 4)
    model = LearnedRanker(max_iter=20).fit(features, grades)
    reach = model.reach_probabilities(features)
    model.outlook_calibration_ = {
        "interviewed": fit_curve(reach[:, 1], grades >= 2),
        "hired": fit_curve(reach[:, 3], grades >= 4),
    }
    db = site.db()
    try:
        version = register_ranker(db, Settings(site.db_path, site.models_dir), model, {})
        registry.promote(db, version, "test")
    finally:
        db.close()
    return version


def test_the_api_adds_the_outlook_only_when_a_learned_model_serves(tmp_path):
    site = build_site(tmp_path, workers=20)
    acme = {"Authorization": f"Bearer {site.token(ACME_EMAIL)}"}
    url = "/api/v1/jobs/ACME-1/shortlist?limit=5"
    cold = site.client().get(url, headers=acme).json
    assert cold["candidates"] and all("outlook" not in c for c in cold["candidates"])
    page = "/jobs/ACME-1/candidates/W2"
    assert "Outlook:" not in site.signed_in().get(page).get_data(as_text=True)
    version = learned_champion(site)
    clear_shortlist_cache()
    html = site.signed_in().get(page).get_data(as_text=True)
    assert "chance of an interview or further" in html and "of a hire" in html
    body = site.client().get(url, headers=acme).json
    assert body["model_version"] == version
    assert all(
        0 <= c["outlook"]["hired"] <= c["outlook"]["interviewed"] <= 1 for c in body["candidates"]
    )
    schema = site.client().get("/api/v1/openapi.json").json
    ranked = schema["components"]["schemas"]["Shortlist"]["properties"]["candidates"]["items"]
    assert set(ranked["properties"]["outlook"]["properties"]) == {"interviewed", "hired"}
