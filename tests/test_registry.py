"""The model registry: versions, cards, atomic promotion, pruning, and refusing bad files."""

from __future__ import annotations

import json
import os

import numpy as np
import pytest
from sklearn.linear_model import Ridge
from sklearn.preprocessing import FunctionTransformer

from matcher import registry
from matcher.config import Settings
from matcher.features import FEATURE_NAMES
from matcher.ranking.model_files import load_champion_ranker, load_ranker, register_ranker
from matcher.ranking.models import LearnedRanker
from matcher.ranking.scorers import LearnedScorer, load_serving_scorer


@pytest.fixture
def settings(db_path, models_dir) -> Settings:
    return Settings(db_path=db_path, models_dir=models_dir)


def small_model(seed: int = 0) -> LearnedRanker:
    rng = np.random.default_rng(seed)
    X = rng.random((300, len(FEATURE_NAMES)))
    return LearnedRanker(max_iter=5).fit(X, rng.integers(0, 5, 300))


def register(db, settings, seed: int = 0, model=None) -> str:
    card = {"metrics": {"model": {"ndcg@10": 0.5 + seed / 100}}}
    return register_ranker(db, settings, model or small_model(seed), card)


def test_a_registered_and_promoted_model_loads_back_with_its_card(db, settings, models_dir):
    version = register(db, settings)
    assert registry.champion_version(db) is None
    registry.promote(db, version, "first")
    loaded_version, model = load_champion_ranker(db, settings)
    assert loaded_version == version
    probe = np.random.default_rng(5).random((4, len(FEATURE_NAMES)))
    np.testing.assert_array_equal(model.predict(probe), small_model().predict(probe))
    stem = version.replace(":", "-")
    card = json.loads((models_dir / f"{stem}.card.json").read_text())
    assert card["library_versions"] == registry.library_versions()
    assert card["features"] == FEATURE_NAMES
    assert len(card["sha256"]) == 64
    assert "ndcg@10" in (models_dir / f"{stem}.card.md").read_text()
    [entry] = registry.list_versions(db)
    assert entry.is_champion and entry.version == version


def test_version_strings_have_the_documented_shape(db, settings):
    first, second = register(db, settings, 0), register(db, settings, 1)
    assert first.endswith("-1") and second.endswith("-2")
    assert len(first.split("Z-")[0]) == len("2026-11-25T03:00:00")


def test_a_file_that_does_not_match_its_sha256_is_refused(db, settings, models_dir):
    version = register(db, settings)
    registry.promote(db, version, "first")
    model_file = models_dir / f"{version.replace(':', '-')}.skops"
    model_file.write_bytes(model_file.read_bytes() + b"\0")
    with pytest.raises(registry.RegistryError, match="SHA-256"):
        load_ranker(db, settings, version)
    assert load_serving_scorer(db, settings).version == "cold-start"


def test_a_card_from_other_library_versions_is_refused(db, settings, models_dir):
    version = register(db, settings)
    card_file = models_dir / f"{version.replace(':', '-')}.card.json"
    card = json.loads(card_file.read_text())
    card["library_versions"]["scikit-learn"] = "0.0.1"
    card_file.write_text(json.dumps(card))
    with pytest.raises(registry.RegistryError, match="built with"):
        load_ranker(db, settings, version)


def test_a_file_with_an_untrusted_type_is_refused(db, settings):
    sneaky = FunctionTransformer(func=os.system)
    version = register(db, settings, model=sneaky)
    with pytest.raises(registry.RegistryError, match="cannot be loaded"):
        load_ranker(db, settings, version)


def test_a_file_holding_another_kind_of_model_is_refused(db, settings):
    rng = np.random.default_rng(0)
    other = Ridge().fit(rng.random((10, len(FEATURE_NAMES))), rng.random(10))
    version = register(db, settings, model=other)
    with pytest.raises(registry.RegistryError, match="holds a Ridge"):
        load_ranker(db, settings, version)


@pytest.mark.parametrize("failing_step", ["champion_switching", "champion_pointer_updated"])
def test_a_crash_during_promotion_leaves_the_previous_champion_served(db, settings, failing_step):
    first = register(db, settings, 0)
    registry.promote(db, first, "first")
    second = register(db, settings, 1)

    def crash(step: str) -> None:
        if step == failing_step:
            raise RuntimeError("power cut")

    with pytest.raises(RuntimeError, match="power cut"):
        registry.promote(db, second, "better", on_step=crash)
    assert registry.champion_version(db) == first
    assert load_champion_ranker(db, settings)[0] == first
    assert load_serving_scorer(db, settings).version == first
    promotions = db.execute("SELECT version FROM model_promotions").fetchall()
    assert promotions == [(first,)]


def test_a_crash_while_registering_leaves_the_champion_and_no_half_written_file(
    db, settings, models_dir
):
    first = register(db, settings, 0)
    registry.promote(db, first, "first")

    def crash(step: str) -> None:
        if step == "model_file_written":
            raise RuntimeError("killed")

    with pytest.raises(RuntimeError):
        register_ranker(db, settings, small_model(1), {}, on_step=crash)
    assert load_champion_ranker(db, settings)[0] == first
    assert not list(models_dir.glob(".*.tmp"))
    assert [v.version for v in registry.list_versions(db)] == [first]


def test_only_the_last_five_versions_and_the_champion_keep_their_files(db, settings, models_dir):
    versions = [register(db, settings, seed) for seed in range(7)]
    registry.promote(db, versions[0], "old but champion")
    removed = registry.prune_versions(db, settings)
    assert removed == [versions[1]]
    assert len(list(models_dir.glob("*.skops"))) == 6
    rows = dict(db.execute("SELECT version, removed_at FROM model_versions").fetchall())
    assert rows[versions[1]] is not None and rows[versions[0]] is None
    with pytest.raises(registry.RegistryError, match="removed"):
        registry.promote(db, versions[1], "too late")


def test_rollback_returns_to_the_champion_that_was_replaced(db, settings):
    with pytest.raises(registry.RegistryError):
        registry.rollback(db)
    first, second = register(db, settings, 0), register(db, settings, 1)
    registry.promote(db, first, "first")
    registry.promote(db, second, "second")
    assert registry.rollback(db) == first
    assert registry.champion_version(db) == first


def test_the_serving_scorer_follows_the_champion_without_a_restart(db, settings):
    assert load_serving_scorer(db, settings).version == "cold-start"
    first = register(db, settings, 0)
    registry.promote(db, first, "first")
    scorer = load_serving_scorer(db, settings)
    assert isinstance(scorer, LearnedScorer) and scorer.version == first
    assert load_serving_scorer(db, settings) is scorer
    second = register(db, settings, 1)
    registry.promote(db, second, "second")
    assert load_serving_scorer(db, settings).version == second


def test_models_commands_list_promote_and_roll_back(db, settings, run_cli):
    first, second = register(db, settings, 0), register(db, settings, 1)
    db.close()
    assert "no models" not in run_cli("models", "list", check=True).stdout
    promoted = run_cli("models", "promote", first, check=True)
    assert f"champion is now {first}" in promoted.stdout
    run_cli("models", "promote", second, check=True)
    listing = run_cli("models", "list", check=True).stdout.splitlines()
    assert listing[0].startswith(f"* {second}")
    assert f"champion is now {first}" in run_cli("models", "rollback", check=True).stdout
    missing = run_cli("models", "promote", "no-such-version")
    assert missing.returncode != 0 and "no model version" in missing.stderr


def test_models_list_all_shows_every_run_with_its_interval_and_decision(db, settings, run_cli):
    gain = {"estimate": 0.01, "low": -0.02, "high": 0.04}
    card = {
        "decision": "not promoted: significance rule: ...",
        "data_window": {"first_event": "2026-01-01T00:00:00Z", "holdout_from": "2026-03-01"},
        "bootstrap": {"differences": {"cold_start": {"ndcg@10": gain}}},
    }
    register_ranker(db, settings, small_model(), card)
    register_ranker(db, settings, small_model(1), {"decision": "promoted: ok"})
    db.close()
    lines = run_cli("models", "list", "--all", check=True).stdout.splitlines()
    assert len(lines) == 2 and lines[0].endswith("promoted: ok")
    assert "ndcg@10 gain over cold_start +0.0100 [-0.0200, +0.0400]" in lines[1]
    assert "holdout from 2026-03-01" in lines[1] and "significance rule" in lines[1]


def registry_is_consistent(db, settings, models_dir) -> None:
    """Every live row loads from its files, and no registry file is left that no row needs."""
    live = db.execute("SELECT version FROM model_versions WHERE removed_at IS NULL").fetchall()
    for (version,) in live:
        load_ranker(db, settings, version)
    registry.remove_orphan_files(db, settings)
    stems = {version.replace(":", "-") for (version,) in live}
    left = sorted(p.name for p in models_dir.iterdir() if p.name != ".registry.lock")
    expected = sorted(f"{stem}{suffix}" for stem in stems for suffix in SUFFIXES)
    assert left == expected


SUFFIXES = (".skops", ".card.json", ".card.md")


@pytest.mark.parametrize(
    ("failing_step", "failure"),
    [("version_marked_removed", 1), ("file_removed", 1), ("file_removed", 2)],
)
def test_a_crash_at_any_step_of_pruning_leaves_no_live_row_without_its_file(
    db, settings, models_dir, failing_step, failure
):
    versions = [register(db, settings, seed) for seed in range(7)]
    registry.promote(db, versions[-1], "newest")
    seen = []

    def crash(step: str) -> None:
        seen.append(step)
        if seen.count(failing_step) == failure:
            raise RuntimeError("killed")

    with pytest.raises(RuntimeError, match="killed"):
        registry.prune_versions(db, settings, on_step=crash)
    registry_is_consistent(db, settings, models_dir)
    assert registry.prune_versions(db, settings) != []  # the rest is pruned next time
    registry_is_consistent(db, settings, models_dir)
    assert load_champion_ranker(db, settings)[0] == versions[-1]


@pytest.mark.parametrize("failing_step", ["model_file_written", "card_written"])
def test_files_left_by_a_crashed_registration_are_removed_by_the_next_run(
    db, settings, models_dir, failing_step
):
    first = register(db, settings, 0)
    registry.promote(db, first, "first")

    def crash(step: str) -> None:
        if step == failing_step:
            raise RuntimeError("killed")

    with pytest.raises(RuntimeError):
        register_ranker(db, settings, small_model(1), {}, on_step=crash)
    (models_dir / ".x.skops.12345.tmp").write_bytes(b"half a model")  # killed mid-write
    assert len(list(models_dir.glob("*.skops"))) == 2
    removed = registry.remove_orphan_files(db, settings)
    assert ".x.skops.12345.tmp" in removed and len(removed) >= 2
    registry_is_consistent(db, settings, models_dir)


def test_orphan_removal_leaves_files_that_are_not_the_registrys(db, settings, models_dir):
    register(db, settings, 0)
    (models_dir / "README.md").write_text("the registry folder")
    (models_dir / "orphan.skops").write_bytes(b"")
    assert registry.remove_orphan_files(db, settings) == ["orphan.skops"]
    assert (models_dir / "README.md").read_text() == "the registry folder"
