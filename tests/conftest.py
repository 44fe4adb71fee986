"""Shared fixtures: a real SQLite file per test and the CLI run the way a user runs it."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlite_utils import Database

from matcher.store import open_database

FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "talentmatch.db"


@pytest.fixture
def db(db_path: Path) -> Iterator[Database]:
    database = open_database(db_path)
    yield database
    database.close()


@pytest.fixture
def models_dir(tmp_path: Path) -> Path:
    path = tmp_path / "models"
    path.mkdir()
    return path


@pytest.fixture
def run_cli(db_path: Path, models_dir: Path):
    """Run `talentmatch ARGS...` in a subprocess against this test's database and registry."""

    def run(*args: str, input: str | None = None, check: bool = False, env: dict | None = None):
        environment = {
            **os.environ,
            "TALENTMATCH_DB": str(db_path),
            "TALENTMATCH_MODELS": str(models_dir),
            **(env or {}),
        }
        result = subprocess.run(
            [sys.executable, "-m", "matcher", *args],
            capture_output=True,
            text=True,
            input=input,
            env=environment,
            timeout=600,
        )
        if check and result.returncode != 0:
            raise AssertionError(f"talentmatch {args} failed:\n{result.stdout}\n{result.stderr}")
        return result

    return run
