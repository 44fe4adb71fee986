"""A registry run killed with SIGKILL at each of its steps keeps the champion loadable with a
matching hash, never leaves a live row without its file, and the next run clears what it left.

The killed process does what `train` does after fitting (register, promote, prune, remove
orphans) on a small model, in a forked child that kills itself at the chosen step, so every
step is hit (benchmarks/reliability/kill_train.py kills real `train` runs at random moments).
"""

from __future__ import annotations

import hashlib
import multiprocessing
import os
import signal

import pytest
from test_registry import register, small_model

from matcher import registry
from matcher.config import Settings
from matcher.ranking.model_files import load_champion_ranker, register_ranker
from matcher.store import open_database

STEPS = [
    "model_file_written",
    "card_written",
    "version_recorded",
    "champion_switching",
    "champion_pointer_updated",
    "champion_switched",
    "version_marked_removed",
    "file_removed",
]


def train_like_run(settings: Settings, kill_at: str) -> None:
    """Register, promote and prune as `train_and_register` does; SIGKILL at `kill_at`."""

    def step(name: str) -> None:
        if name == kill_at:
            os.kill(os.getpid(), signal.SIGKILL)

    db = open_database(settings.db_path)
    version = register_ranker(db, settings, small_model(9), {}, on_step=step)
    registry.promote(db, version, "newer", on_step=step)
    registry.prune_versions(db, settings, on_step=step)
    registry.remove_orphan_files(db, settings)


def champion_hash_matches(db, settings) -> bool:
    version, _ = load_champion_ranker(db, settings)  # checks the file against row and card
    file_name, sha = db.execute(
        "SELECT file_name, sha256 FROM model_versions WHERE version = ?", [version]
    ).fetchone()
    return hashlib.sha256((settings.models_dir / file_name).read_bytes()).hexdigest() == sha


@pytest.mark.parametrize("kill_at", STEPS)
def test_sigkill_at_any_step_keeps_the_registry_consistent(db, db_path, models_dir, kill_at):
    settings = Settings(db_path=db_path, models_dir=models_dir)
    versions = [register(db, settings, seed) for seed in range(5)]
    registry.promote(db, versions[-1], "newest")

    child = multiprocessing.get_context("fork").Process(
        target=train_like_run, args=(settings, kill_at)
    )
    child.start()
    child.join(120)
    assert child.exitcode == -signal.SIGKILL, "the run was killed at its step"

    assert champion_hash_matches(db, settings)
    live = db.execute("SELECT file_name FROM model_versions WHERE removed_at IS NULL")
    assert all((models_dir / name).exists() for (name,) in live)
    registry.remove_orphan_files(db, settings)  # what the next run does
    needed = {
        name
        for v, f in db.execute(
            "SELECT version, file_name FROM model_versions WHERE removed_at IS NULL"
        ).fetchall()
        for name in registry._version_file_names(v, f)
    }
    left = {p.name for p in models_dir.iterdir()} - {".registry.lock"}
    optional = {name for name in needed if name.endswith(".compiled.npz")}  # written on load
    assert needed - optional <= left <= needed
