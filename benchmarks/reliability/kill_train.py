"""(b) kill -9 `talentmatch train` at random moments: the champion always loads, its hash
matches, and the registry holds no file a live row does not need after the next full run.

Builds a small demo (`talentmatch demo`), trains and promotes a first champion, times one
full `train --force` run, then starts `train --force` until KILLS kills landed mid-run
(it promotes, so kills land in registration, promotion and pruning too), each time
sending SIGKILL at a moment drawn uniformly from that run's duration. After every kill the
champion is loaded through the registry (which checks the file's SHA-256 against its row
and card) and the file hashed
again here. A last full run must then leave only the live versions' files.

    PYTHONPATH=$PWD .venv/bin/python benchmarks/reliability/kill_train.py            # 50 kills
    PYTHONPATH=$PWD .venv/bin/python benchmarks/reliability/kill_train.py --kills 5
"""

from __future__ import annotations

import argparse
import hashlib
import signal
import time

import numpy as np
from common import print_command, print_figure, workspace

from matcher import registry
from matcher.config import Settings
from matcher.ranking.model_files import load_champion_ranker
from matcher.store import open_database


def champion_checks(space) -> tuple[bool, bool]:
    """(the champion loads through the registry, its file's SHA-256 equals its row's)."""
    db = open_database(space.db_path)
    settings = Settings(db_path=space.db_path, models_dir=space.models_dir)
    try:
        version, _ = load_champion_ranker(db, settings)
        file_name, sha = db.execute(
            "SELECT file_name, sha256 FROM model_versions WHERE version = ?", [version]
        ).fetchone()
    except (registry.RegistryError, TypeError):
        return False, False
    finally:
        db.close()
    digest = hashlib.sha256((space.models_dir / file_name).read_bytes()).hexdigest()
    return True, digest == sha


def unneeded_files(space) -> list[str]:
    """Registry files (and temporaries) that no live row names."""
    db = open_database(space.db_path)
    try:
        live = db.execute(
            "SELECT version, file_name FROM model_versions WHERE removed_at IS NULL"
        ).fetchall()
    finally:
        db.close()
    needed = {name for v, f in live for name in registry._version_file_names(v, f)}
    return sorted(
        path.name
        for pattern in registry._REGISTRY_FILE_PATTERNS
        for path in space.models_dir.glob(pattern)
        if path.name not in needed
    )


def live_rows_without_files(space) -> int:
    db = open_database(space.db_path)
    try:
        rows = db.execute("SELECT file_name FROM model_versions WHERE removed_at IS NULL")
        return sum(1 for (name,) in rows if not (space.models_dir / name).exists())
    finally:
        db.close()


def timed_train(space) -> float:
    started = time.perf_counter()
    space.run("train", "--force")
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--kills", type=int, default=50)
    parser.add_argument("--workers", type=int, default=300)
    parser.add_argument("--jobs", type=int, default=60)
    parser.add_argument("--seed", type=int, default=0)
    options = parser.parse_args()
    rng = np.random.default_rng(options.seed)
    with workspace() as space:
        space.run("demo", "--workers", str(options.workers), "--jobs", str(options.jobs))
        timed_train(space)
        duration = timed_train(space)
        loads = matches = killed = 0
        orphans_seen = 0
        live_missing = 0
        started = 0
        # Runs that finish before their kill moment do not count: start more (at most
        # twice KILLS) until KILLS kills landed mid-run.
        while killed < options.kills and started < 2 * options.kills:
            process = space.start("train", "--force")
            started += 1
            time.sleep(rng.uniform(0, duration))
            if process.poll() is None:
                process.send_signal(signal.SIGKILL)
                killed += 1
            process.wait(60)
            loaded, matched = champion_checks(space)
            loads, matches = loads + loaded, matches + matched
            live_missing += live_rows_without_files(space)
            orphans_seen = max(orphans_seen, len(unneeded_files(space)))
        timed_train(space)
        left_over = unneeded_files(space)
    print_figure("full train run (s, baseline for kill times)", f"{duration:.1f}")
    print_figure("runs started / killed before finishing", f"{started} / {killed}")
    print_figure("champion loaded after the run", f"{loads} / {started}")
    print_figure("champion file SHA-256 matched its row", f"{matches} / {started}")
    print_figure("live rows without their file (all checks)", live_missing)
    print_figure("most unneeded files between runs", orphans_seen)
    print_figure("unneeded files after the next full run", len(left_over))
    print_command()


if __name__ == "__main__":
    main()
