"""What the reliability scripts share: a scratch folder, the `talentmatch` command in a
subprocess against it, a served app, and printing each figure with its command."""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import shlex
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np

AS_OF = dt.date(2026, 11, 25)
ROOT = Path(__file__).resolve().parents[2]


def reproduce_command() -> str:
    """The command line that reproduces this run's figures."""
    script = Path(sys.argv[0]).resolve().relative_to(ROOT)
    return f"PYTHONPATH=$PWD .venv/bin/python {script} " + shlex.join(sys.argv[1:])


def print_figure(name: str, value: object) -> None:
    print(f"{name:<44} {value}")


def print_command() -> None:
    print(f"reproduce with: {reproduce_command()}")


@dataclass(frozen=True)
class Workspace:
    """A scratch database and model registry for one run."""

    folder: Path

    @property
    def db_path(self) -> Path:
        return self.folder / "talentmatch.db"

    @property
    def models_dir(self) -> Path:
        return self.folder / "models"

    def environment(self, **extra: str) -> dict[str, str]:
        return {
            **os.environ,
            "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])),
            "TALENTMATCH_DB": str(self.db_path),
            "TALENTMATCH_MODELS": str(self.models_dir),
            **extra,
        }

    def command(self, *args: str) -> list[str]:
        return [sys.executable, "-m", "matcher", *args]

    def run(self, *args: str, **extra_env: str) -> subprocess.CompletedProcess:
        return subprocess.run(
            self.command(*args),
            env=self.environment(**extra_env),
            capture_output=True,
            text=True,
            check=True,
            cwd=ROOT,
        )

    def start(self, *args: str, **extra_env: str) -> subprocess.Popen:
        return subprocess.Popen(
            self.command(*args),
            env=self.environment(**extra_env),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            cwd=ROOT,
        )


@contextlib.contextmanager
def workspace(keep: bool = False) -> Iterator[Workspace]:
    folder = Path(tempfile.mkdtemp(prefix="tm-reliability-"))
    try:
        yield Workspace(folder)
    finally:
        if keep:
            print(f"kept {folder}")
        else:
            shutil.rmtree(folder, ignore_errors=True)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextlib.contextmanager
def served(space: Workspace, processes: int = 2) -> Iterator[str]:
    """`talentmatch serve` on a free loopback port; yields its URL once it answers."""
    port = free_port()
    server = space.start("serve", "--port", str(port), "--processes", str(processes))
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                urllib.request.urlopen(url + "/sign-in", timeout=5).read()
                break
            except OSError:
                if time.monotonic() > deadline or server.poll() is not None:
                    raise SystemExit("the web app did not start") from None
                time.sleep(0.5)
        yield url
    finally:
        server.terminate()
        server.wait(30)


def demo_rows(kind: str, count: int, seed: int = 0) -> list[dict]:
    """Demo-generator contract rows: workers (opted in to match emails) or open jobs."""
    from matcher.demo.generator import (
        employer_names,
        generate_jobs,
        generate_workers,
        job_rows,
        worker_rows,
    )

    rng = np.random.default_rng(seed)
    text_rng = np.random.default_rng([seed, 1])
    if kind == "workers":
        rows = worker_rows(generate_workers(rng, count), AS_OF, text_rng)
        return [{**row, "match_emails": True} for row in rows]
    rows = job_rows(generate_jobs(rng, count, employer_names(rng, count)), AS_OF, text_rng)
    return [{**row, "status": "open"} for row in rows]
