"""A champion served from its compiled trees: the same scores and outlook as the model file,
used only when its MAC and the registry's checks pass, and no scikit-learn imported."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from ranking_rows import add_job, add_worker

from matcher import registry
from matcher.config import Settings
from matcher.features import FEATURE_NAMES, load_job, load_worker_table
from matcher.features.pair_features import pair_features
from matcher.ranking.caches import clear_caches
from matcher.ranking.compiled_ranker import ArrayRanker, load_array_ranker
from matcher.ranking.model_files import register_ranker
from matcher.ranking.models import LearnedRanker
from matcher.ranking.scorers import COLD_START_VERSION, load_serving_scorer, serving_version

TESTS = Path(__file__).parent


@pytest.fixture
def settings(db_path, models_dir) -> Settings:
    return Settings(db_path=db_path, models_dir=models_dir, secret_key="test-secret")


def _champion(db, settings) -> tuple[str, LearnedRanker]:
    rng = np.random.default_rng(4)
    X = rng.random((600, len(FEATURE_NAMES)))
    y = np.clip(np.round(4 * X[:, 1] + rng.normal(0, 0.7, 600)), 0, 4)
    model = LearnedRanker(max_iter=30).fit(X, y)
    model.outlook_calibration_ = {
        "interviewed": np.array([[0.0, 0.3, 1.0], [0.0, 0.2, 0.9]]),
        "hired": np.array([[0.0, 0.1, 1.0], [0.0, 0.05, 0.6]]),
    }
    version = register_ranker(db, settings, model, {"metrics": {}})
    registry.promote(db, version, "test")
    return version, model


def _compiled_file(settings, version) -> Path:
    return Path(settings.models_dir) / f"{version.replace(':', '-')}.compiled.npz"


def test_the_registry_keeps_the_champions_compiled_trees_and_removes_the_rest(db, settings):
    version, _ = _champion(db, settings)
    load_serving_scorer(db, settings)  # writes the champion's compiled trees
    kept = _compiled_file(settings, version)
    gone = _compiled_file(settings, "learned:1999-01-01T00-00-00")  # a version that left
    gone.write_bytes(kept.read_bytes())
    assert registry.remove_orphan_files(db, settings) == [gone.name]
    assert kept.exists() and not gone.exists()
    for _ in range(registry.KEEP_VERSIONS + 1):  # newer versions push the old one out
        register_ranker(db, settings, LearnedRanker(max_iter=3).fit(*_rows()), {"metrics": {}})
    registry.promote(db, registry.list_versions(db)[0].version, "newer")
    assert version in registry.prune_versions(db, settings)
    assert not kept.exists()


def _rows() -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(5)
    return rng.random((200, len(FEATURE_NAMES))), rng.integers(0, 3, 200)


def test_the_second_load_serves_the_compiled_trees_with_identical_scores(db, settings):
    version, model = _champion(db, settings)
    add_job(db, "J1", required=["Python", "SQL"], min_years=3, description="python sql")
    for i in range(40):
        add_worker(db, f"W{i}", years=i % 9, skills={"Python": i % 5 or None, "SQL": 2})
    db.conn.commit()
    clear_caches()
    first = load_serving_scorer(db, settings)  # through the registry; writes the arrays
    assert isinstance(first.ranker, LearnedRanker) and _compiled_file(settings, version).exists()
    clear_caches()
    second = load_serving_scorer(db, settings)
    assert isinstance(second.ranker, ArrayRanker) and second.version == version
    table = load_worker_table(db)
    features = pair_features(load_job(db, "J1"), table, np.arange(len(table)))
    probe = np.random.default_rng(9).random((300, len(FEATURE_NAMES))) * 3
    for X in (features, probe):
        np.testing.assert_array_equal(second.score_features(X), first.score_features(X))
        assert second.outlook(X) == first.outlook(X)
        np.testing.assert_array_equal(second.ranker.predict(X), model.predict(X))


def test_an_altered_compiled_file_or_another_key_is_ignored_and_rewritten(db, settings):
    version, _ = _champion(db, settings)
    clear_caches()
    load_serving_scorer(db, settings)
    path = _compiled_file(settings, version)
    good = path.read_bytes()
    altered = bytearray(good)
    altered[-40] ^= 0x01
    path.write_bytes(bytes(altered))
    assert load_array_ranker(db, settings, version) is None
    other_key = Settings(db_path=settings.db_path, models_dir=settings.models_dir, secret_key="x")
    path.write_bytes(good)
    assert load_array_ranker(db, other_key, version) is None
    assert load_array_ranker(db, settings, version) is not None
    path.write_bytes(bytes(altered))
    clear_caches()
    assert isinstance(load_serving_scorer(db, settings).ranker, LearnedRanker)  # loaded again
    assert path.read_bytes() == good  # and written again


def test_an_altered_model_file_refuses_the_compiled_trees_too(db, settings):
    version, _ = _champion(db, settings)
    clear_caches()
    load_serving_scorer(db, settings)
    model_file = next(Path(settings.models_dir).glob("*.skops"))
    model_file.write_bytes(model_file.read_bytes() + b"x")
    clear_caches()
    assert load_array_ranker(db, settings, version) is None
    assert serving_version(db, settings) == COLD_START_VERSION  # as load_serving_scorer serves
    assert load_serving_scorer(db, settings).version == COLD_START_VERSION


def test_serving_version_and_a_compiled_champion_import_no_scikit_learn(db, settings, db_path):
    version, _ = _champion(db, settings)
    add_job(db, "J1", required=["Python"], description="python")
    add_worker(db, "W1", skills={"Python": 2}, resume="python developer")
    db.conn.commit()
    clear_caches()
    load_serving_scorer(db, settings)  # writes the compiled trees
    code = f"""
import sys
from matcher.config import Settings
from matcher.store import open_database
from matcher.ranking.scorers import serving_version
from matcher.batch.serving import served_shortlist
settings = Settings(db_path={str(db_path)!r}, models_dir={str(settings.models_dir)!r},
                    secret_key="test-secret")
db = open_database(settings.db_path)
print(serving_version(db, settings))
shortlist = served_shortlist(db, "J1", settings=settings)
print(shortlist.model_version, shortlist.candidates[0].worker)
print(sorted(m for m in sys.modules if m.split(".")[0] in ("sklearn", "skops")))
"""
    result = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        env={"PYTHONPATH": str(TESTS.parent), "PATH": "/usr/bin:/bin"},
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == [version, f"{version} W1", "[]"]
