"""`talentmatch shortlist` as a user runs it: wall and CPU time of the real command.

Each checkout builds a demo database (`talentmatch demo --workers N`, the same data), so
that what a profile stores beside it is that checkout's own, then three cases, each on its
own copy of the database:
- cold start (no model);
- a learned champion, ranked live (`talentmatch train`, then `models promote` of the new
  version when the promotion rule did not promote it);
- the same champion with fresh batch results (`talentmatch batch-match`; `--no-batch` skips
  this case, which takes minutes on a loaded machine).
Each case runs the command `--repeats` times for every checkout given, interleaved (before,
after, before, after, ...) so that both see the same load, and prints the median wall time
and the median CPU time (user + system of the child process).

    .venv/bin/python benchmarks/bench_cli_shortlist.py --before /tmp/base  # base vs this
    .venv/bin/python benchmarks/bench_cli_shortlist.py --workers 2500 --repeats 7

`--before DIR` is another checkout (e.g. `git archive BASE | tar -x -C DIR`); the command
then runs with `PYTHONPATH=DIR` and this checkout's interpreter. Target (issue 9): 1 s for
2,500 workers.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parents[1]
PYTHON = sys.executable


def _run(checkout: Path, env: dict, *args: str, check: bool = True) -> tuple[float, float, str]:
    """(wall seconds, CPU seconds, stdout) of `python -m matcher ARGS` in `checkout`."""
    before = os.times()
    start = time.perf_counter()
    result = subprocess.run(
        [PYTHON, "-m", "matcher", *args],
        cwd=checkout,
        env={**env, "PYTHONPATH": str(checkout)},
        capture_output=True,
        text=True,
        check=False,
    )
    wall = time.perf_counter() - start
    after = os.times()
    if check and result.returncode != 0:
        raise SystemExit(f"{' '.join(args)} failed in {checkout}:\n{result.stderr[-2000:]}")
    cpu = (after.children_user - before.children_user) + (
        after.children_system - before.children_system
    )
    return wall, cpu, result.stdout


def _environment(db: Path, models: Path) -> dict:
    # As a user's shell runs it: Python caches bytecode by default; with this machine's
    # PYTHONDONTWRITEBYTECODE=1 every run would compile the package again (~90 ms).
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith("TALENTMATCH_") and k != "PYTHONDONTWRITEBYTECODE"
    }
    return {**env, "TALENTMATCH_DB": str(db), "TALENTMATCH_MODELS": str(models)}


def _copy_case(source: Path, source_models: Path, folder: Path, name: str) -> tuple[Path, Path]:
    db, models = folder / f"{name}.db", folder / f"{name}-models"
    shutil.copyfile(source, db)
    if source_models.exists():
        shutil.copytree(source_models, models)
    return db, models


def _first_open_job(db: Path) -> str:
    with sqlite3.connect(db) as connection:
        query = "SELECT external_id FROM jobs WHERE status = 'open' ORDER BY id LIMIT 1"
        return connection.execute(query).fetchone()[0]


def _promote_newest(checkout: Path, db: Path, env: dict) -> str:
    with sqlite3.connect(db) as connection:
        (version,) = connection.execute(
            "SELECT version FROM model_versions ORDER BY created_at DESC, rowid DESC LIMIT 1"
        ).fetchone()
    _run(checkout, env, "models", "promote", version, check=False)  # already champion: fine
    return version


def build_cases(checkout: Path, folder: Path, options) -> dict[str, tuple[Path, Path]]:
    """The demo database and its cases (cold start, learned, fresh batch), built by `checkout`."""
    folder.mkdir(parents=True, exist_ok=True)
    base, base_models = folder / "demo.db", folder / "demo-models"
    if not base.exists():
        demo = ("demo", "--workers", str(options.workers), "--jobs", str(options.jobs))
        _run(checkout, _environment(base, base_models), *demo, "--seed", str(options.seed))
    cases = {"cold start": _copy_case(base, base_models, folder, "cold")}
    learned = _copy_case(base, base_models, folder, "learned")
    _run(checkout, _environment(*learned), "train")
    version = _promote_newest(checkout, learned[0], _environment(*learned))
    cases["learned, live"] = learned
    if not options.no_batch:
        fresh = _copy_case(*learned, folder, "fresh")
        _run(checkout, _environment(*fresh), "batch-match")
        cases["learned, fresh batch"] = fresh
    print(f"{checkout}: champion {version}", flush=True)
    return cases


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workers", type=int, default=2500)
    parser.add_argument("--jobs", type=int, default=150)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--top", type=int, default=10)
    parser.add_argument("--before", type=Path, help="another checkout to compare with")
    parser.add_argument("--no-batch", action="store_true", help="skip the fresh-batch case")
    parser.add_argument("--keep", type=Path, help="build in (and keep) this folder")
    options = parser.parse_args()

    folder = options.keep or Path(tempfile.mkdtemp(prefix="bench_cli_shortlist_"))
    folder.mkdir(parents=True, exist_ok=True)
    checkouts = {"after": HERE}
    if options.before:
        checkouts = {"before": options.before.resolve(), **checkouts}
    started = time.perf_counter()
    # Each checkout builds its own databases: what a profile stores beside it (the resume's
    # occupations, versioned by the code that read them) is then that checkout's own.
    cases = {
        name: build_cases(checkout, folder / name, options) for name, checkout in checkouts.items()
    }
    print(
        f"demo of {options.workers} workers, {options.jobs} jobs per checkout in {folder}; "
        f"set up in {time.perf_counter() - started:.0f} s",
        flush=True,
    )
    job = _first_open_job(cases["after"]["cold start"][0])
    load = os.getloadavg()[0]
    print(f"load average at start {load:.1f}; {options.repeats} runs each, interleaved")
    print(f"{'case':<22} {'checkout':<8} {'median wall s':>14} {'median CPU s':>13}  source")
    for case in cases["after"]:
        runs: dict[str, list[tuple[float, float]]] = {name: [] for name in checkouts}
        sources: dict[str, str] = {}
        for _ in range(options.repeats):
            for name, checkout in checkouts.items():
                args = ("shortlist", job, "--top", str(options.top), "--json")
                wall, cpu, out = _run(checkout, _environment(*cases[name][case]), *args)
                runs[name].append((wall, cpu))
                sources[name] = "batch" if '"source": "batch"' in out else "live"
        for name, measured in runs.items():
            wall = statistics.median(w for w, _ in measured)
            cpu = statistics.median(c for _, c in measured)
            print(f"{case:<22} {name:<8} {wall:>14.2f} {cpu:>13.2f}  {sources[name]}")
    print(f"load average at end {os.getloadavg()[0]:.1f}")
    if not options.keep:
        shutil.rmtree(folder)


if __name__ == "__main__":
    main()
