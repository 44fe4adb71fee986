"""The model registry: versioned skops files and model cards in `Settings.models_dir`.

The database holds the versions (`model_versions`), the champion pointer (`model_champion`)
and the history of switches (`model_promotions`). A model file is written to a temporary
file, fsynced and renamed into place before any row names it, and the champion pointer is
switched in one transaction, so a crash at any point leaves the previous champion loadable
and served. Pruning marks a row removed before deleting its files, and the next training run
(and housekeeping) deletes files and temporaries no live row names, a crash's leftovers.
Loading trusts an explicit list of types and refuses a file whose SHA-256 or library
versions differ from its card.

The registry stores and loads files; it knows no model class. The code that does (for the
learned ranker, `matcher.ranking.model_files`) describes its models with a `ModelKind`.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import json
import os
import platform
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from sqlite_utils import Database

from matcher.config import Settings
from matcher.store import utc_now, write_transaction
from matcher.store.database import file_lock

KEEP_VERSIONS = 5
StepHook = Callable[[str], None]


class RegistryError(Exception):
    """A model version is missing, removed, tampered with, or built with other libraries."""


@dataclass(frozen=True)
class ModelKind:
    """A kind of model: its name, its class, the only types its files may hold besides
    builtins and numpy arrays, and the features it was trained on (in order)."""

    name: str
    model_class: type
    trusted_types: tuple[str, ...]
    features: tuple[str, ...]


@dataclass(frozen=True)
class ModelVersion:
    """One row of the registry, as `models list` shows it."""

    version: str
    created_at: str
    metrics: dict
    removed_at: str | None
    is_champion: bool


def library_versions() -> dict[str, str]:
    """Versions that must match between training and loading for a model file to be trusted."""
    import scipy
    import sklearn
    import skops

    return {
        "scikit-learn": sklearn.__version__,
        "numpy": np.__version__,
        "scipy": scipy.__version__,
        "skops": skops.__version__,
    }


def _file_stem(version: str) -> str:
    return version.replace(":", "-")


def _write_atomically(path: Path, data: bytes) -> None:
    """Write via a temporary file, fsync and rename, so `path` is never half-written."""
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    with open(temporary, "wb") as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(temporary, path)
    directory = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(directory)
    finally:
        os.close(directory)


def next_version(db: Database, now: dt.datetime | None = None) -> str:
    """A version string like `2026-11-25T03:00:00Z-7`: the time and a running number."""
    now = now or dt.datetime.now(dt.UTC)
    count = db.execute("SELECT COUNT(*) FROM model_versions").fetchone()[0]
    return f"{now.strftime('%Y-%m-%dT%H:%M:%SZ')}-{count + 1}"


def champion_version(db: Database) -> str | None:
    """The version the champion pointer names, or None (the cold-start scorer serves)."""
    row = db.execute("SELECT version FROM model_champion WHERE id = 1").fetchone()
    return row[0] if row else None


def register_model(
    db: Database,
    settings: Settings,
    model,
    card: dict,
    kind: ModelKind,
    *,
    on_step: StepHook | None = None,
) -> str:
    """Save `model` with its card (JSON and Markdown) and record the version; returns it."""
    # Imported here, so that listing or promoting versions does not load scikit-learn.
    import skops.io

    step = on_step or (lambda name: None)
    models_dir = Path(settings.models_dir)
    models_dir.mkdir(parents=True, exist_ok=True)
    version = card.get("version") or next_version(db)
    data = skops.io.dumps(model)
    file_name = f"{_file_stem(version)}.skops"
    card = {
        **card,
        "version": version,
        "kind": kind.name,
        "file_name": file_name,
        "sha256": hashlib.sha256(data).hexdigest(),
        "library_versions": library_versions(),
        "python": platform.python_version(),
        "features": list(kind.features),
        "created_at": card.get("created_at") or utc_now(),
    }
    card_text = json.dumps(card, indent=2, sort_keys=True, default=_json_default)
    with registry_lock(models_dir):
        _write_atomically(models_dir / file_name, data)
        step("model_file_written")
        _write_atomically(models_dir / f"{_file_stem(version)}.card.json", card_text.encode())
        _write_atomically(models_dir / f"{_file_stem(version)}.card.md", render_card(card).encode())
        step("card_written")
        _record_version(db, version, kind, file_name, card, card_text)
    step("version_recorded")
    return version


def _record_version(
    db: Database, version: str, kind: ModelKind, file_name: str, card: dict, card_text: str
) -> None:
    with write_transaction(db):
        db.execute(
            "INSERT INTO model_versions (version, kind, file_name, sha256, created_at, metrics, "
            "card) VALUES (?, ?, ?, ?, ?, ?, ?)",
            [
                version,
                kind.name,
                file_name,
                card["sha256"],
                card["created_at"],
                json.dumps(card.get("metrics", {}), default=_json_default),
                card_text,
            ],
        )


def _json_default(value: object) -> object:
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, np.ndarray):
        return value.tolist()
    return str(value)


def promote(
    db: Database, version: str, reason: str, *, on_step: StepHook | None = None
) -> str | None:
    """Make `version` the champion in one transaction; returns the previous champion."""
    step = on_step or (lambda name: None)
    row = db.execute(
        "SELECT removed_at FROM model_versions WHERE version = ?", [version]
    ).fetchone()
    if row is None:
        raise RegistryError(f"no model version {version}")
    if row[0] is not None:
        raise RegistryError(f"model version {version} was removed at {row[0]}")
    step("champion_switching")
    with write_transaction(db):
        previous = champion_version(db)
        now = utc_now()
        db.execute(
            "INSERT INTO model_champion (id, version, switched_at) VALUES (1, ?, ?) "
            "ON CONFLICT(id) DO UPDATE SET version = excluded.version, "
            "switched_at = excluded.switched_at",
            [version, now],
        )
        step("champion_pointer_updated")
        db.execute(
            "INSERT INTO model_promotions (version, previous_version, reason, at) "
            "VALUES (?, ?, ?, ?)",
            [version, previous, reason, now],
        )
    step("champion_switched")
    return previous


def rollback(db: Database) -> str:
    """Switch the champion back to the one the last promotion replaced; returns that version."""
    current = champion_version(db)
    row = db.execute(
        "SELECT previous_version FROM model_promotions WHERE version = ? ORDER BY id DESC LIMIT 1",
        [current],
    ).fetchone()
    if current is None or row is None or row[0] is None:
        raise RegistryError("there is no earlier champion to roll back to")
    promote(db, row[0], f"rollback from {current}")
    return row[0]


def prune_versions(
    db: Database, settings: Settings, keep: int = KEEP_VERSIONS, *, on_step: StepHook | None = None
) -> list[str]:
    """Remove all but the `keep` newest versions (never the champion) and their files.

    Each row is marked removed (committed) before its files are deleted, so a crash at any
    point leaves no live row without its file, only files no row needs, which the next
    `remove_orphan_files` deletes.
    """
    step = on_step or (lambda name: None)
    champion = champion_version(db)
    live = db.execute(
        "SELECT version, file_name FROM model_versions WHERE removed_at IS NULL "
        "ORDER BY created_at DESC, rowid DESC"
    ).fetchall()
    removed = []
    for version, file_name in live[keep:]:
        if version == champion:
            continue
        with write_transaction(db):
            marked = db.execute(
                "UPDATE model_versions SET removed_at = ? WHERE version = ? AND version "
                "NOT IN (SELECT version FROM model_champion)",  # promoted meanwhile: kept
                [utc_now(), version],
            ).rowcount
        if not marked:
            continue
        step("version_marked_removed")
        for name in _version_file_names(version, file_name):
            (Path(settings.models_dir) / name).unlink(missing_ok=True)
            step("file_removed")
        removed.append(version)
    return removed


def compiled_file_name(version: str) -> str:
    """The name of the version's compiled trees (`matcher.ranking.compiled_ranker`)."""
    return f"{_file_stem(version)}.compiled.npz"


def _version_file_names(version: str, file_name: str) -> tuple[str, ...]:
    stem = _file_stem(version)
    return file_name, f"{stem}.card.json", f"{stem}.card.md", compiled_file_name(version)


# The files the registry folder holds: model files, cards, compiled trees, and temporaries
# of `_write_atomically` and of the compiled trees' writer.
_REGISTRY_FILE_PATTERNS = ("*.skops", "*.card.json", "*.card.md", "*.compiled.npz", ".*.tmp")


def remove_orphan_files(db: Database, settings: Settings) -> list[str]:
    """Delete registry files no live version needs (left by a crash); their names.

    Holds the registry lock, so a registration in progress (whose files are written before
    its row) is never mistaken for a crash's leftovers.
    """
    models_dir = Path(settings.models_dir)
    if not models_dir.is_dir():
        return []
    with registry_lock(models_dir):
        needed = {
            name
            for version, file_name in db.execute(
                "SELECT version, file_name FROM model_versions WHERE removed_at IS NULL"
            ).fetchall()
            for name in _version_file_names(version, file_name)
        }
        orphans = sorted(
            path
            for pattern in _REGISTRY_FILE_PATTERNS
            for path in models_dir.glob(pattern)
            if path.name not in needed and path.is_file()
        )
        for path in orphans:
            path.unlink(missing_ok=True)
    return [path.name for path in orphans]


@contextlib.contextmanager
def registry_lock(models_dir: Path) -> Iterator[None]:
    """An exclusive lock on the registry folder: registration and orphan removal take turns."""
    models_dir.mkdir(parents=True, exist_ok=True)
    with file_lock(models_dir / ".registry.lock"):
        yield


def list_versions(db: Database) -> list[ModelVersion]:
    """Every registered version, newest first."""
    champion = champion_version(db)
    rows = db.execute(
        "SELECT version, created_at, metrics, removed_at FROM model_versions "
        "ORDER BY created_at DESC, rowid DESC"
    ).fetchall()
    return [
        ModelVersion(version, created_at, json.loads(metrics), removed_at, version == champion)
        for version, created_at, metrics, removed_at in rows
    ]


def training_runs(db: Database) -> list[dict]:
    """Every training run's card (parameters, data window, intervals, decision), newest first."""
    rows = db.execute(
        "SELECT card FROM model_versions ORDER BY created_at DESC, rowid DESC"
    ).fetchall()
    return [json.loads(card) for (card,) in rows if card]


def load_model(db: Database, settings: Settings, version: str, kind: ModelKind):
    """The model of `version`, after checking its file against the card and the database."""
    import skops.io

    row = db.execute(
        "SELECT file_name, sha256, removed_at FROM model_versions WHERE version = ?", [version]
    ).fetchone()
    if row is None:
        raise RegistryError(f"no model version {version}")
    file_name, recorded_sha, removed_at = row
    if removed_at is not None:
        raise RegistryError(f"model version {version} was removed at {removed_at}")
    models_dir = Path(settings.models_dir)
    card = _read_card(models_dir / f"{_file_stem(version)}.card.json")
    try:
        data = (models_dir / file_name).read_bytes()
    except OSError as error:
        raise RegistryError(f"model file of {version} cannot be read: {error}") from error
    digest = hashlib.sha256(data).hexdigest()
    if digest != recorded_sha or digest != card.get("sha256"):
        raise RegistryError(f"model file of {version} does not match its SHA-256")
    if card.get("library_versions") != library_versions():
        raise RegistryError(
            f"model {version} was built with {card.get('library_versions')}, "
            f"this install has {library_versions()}"
        )
    if card.get("features") != list(kind.features):
        raise RegistryError(f"model {version} was trained on other features")
    try:
        model = skops.io.loads(data, trusted=list(kind.trusted_types))
    except Exception as error:  # skops raises several types for untrusted or corrupt files
        raise RegistryError(f"model file of {version} cannot be loaded: {error}") from error
    if not isinstance(model, kind.model_class):
        raise RegistryError(f"model file of {version} holds a {type(model).__name__}")
    return model


def _read_card(path: Path) -> dict:
    try:
        return json.loads(path.read_text())
    except (OSError, ValueError) as error:
        raise RegistryError(f"model card {path.name} cannot be read: {error}") from error


def load_champion(db: Database, settings: Settings, kind: ModelKind) -> tuple[str, object] | None:
    """(version, model) of the champion, or None when no model has been promoted."""
    version = champion_version(db)
    return None if version is None else (version, load_model(db, settings, version, kind))


def render_card(card: dict) -> str:
    """The model card as Markdown, for people."""
    from matcher.evaluation.fairness import render_fairness_markdown  # loads scikit-learn

    lines = [
        f"# Model card: {card['version']}",
        "",
        f"- kind: {card.get('kind')}",
        f"- created: {card.get('created_at')}",
        f"- file: {card.get('file_name')} (SHA-256 `{card.get('sha256')}`)",
        f"- libraries: {card.get('library_versions')}, Python {card.get('python')}",
        f"- champion when trained: {card.get('champion_at_training') or 'none (cold start)'}",
        f"- decision: {card.get('decision', '')}",
        "",
        "## Data",
        "",
        *[f"- {key}: {value}" for key, value in card.get("data_window", {}).items()],
        *[f"- {key}: {value}" for key, value in card.get("row_counts", {}).items()],
        "",
        "## Features",
        "",
        ", ".join(card.get("features", [])),
        "",
        "## Hyper-parameters",
        "",
        *[f"- {key}: {value}" for key, value in card.get("hyper_parameters", {}).items()],
        "",
        "## Holdout metrics (same chronological holdout for every scorer)",
        "",
        *_metrics_table(card.get("metrics", {})),
        "",
        *render_fairness_markdown(card.get("fairness")),
        *_training_sections(card),
    ]
    return "\n".join(lines)


def _training_sections(card: dict) -> list[str]:
    """The fits, point-in-time rows, exposure weights, search and outlook calibration."""
    lines = ["", "## Fits", ""]
    for name, fit in card.get("fits", {}).items():
        lines.append(f"- {name}: {fit}")
    lines += ["", "## Point in time", "", f"- {card.get('point_in_time', 'not recorded')}"]
    lines += ["", "## Exposure weighting", "", f"- {card.get('exposure_weighting')}"]
    if card.get("search"):
        search = card["search"]
        lines += ["", "## Hyper-parameter search", "", f"- {search['method']}"]
        lines += [f"- chosen: {search['chosen']} (NDCG@10 {search['best_score']:.4f})"]
        lines += ["", "| round | max_iter | mean NDCG@10 | std | params |", "|---|---|---|---|---|"]
        lines += [
            f"| {r['iter']} | {r['n_resources']} | {r['mean_test_score']:.4f} | "
            f"{r['std_test_score']:.4f} | {r['params']} |"
            for r in search["table"]
        ]
    calibration = card.get("calibration") or {}
    if calibration:
        lines += ["", "## Outlook calibration", "", calibration.get("method", "")]
    for stage, report in calibration.get("stages", {}).items():
        model = report["scorers"]["model"]
        ece, brier = model["ece"], model["brier"]
        lines += [
            "",
            f"### {stage}: ECE {ece['estimate']:.4f} [{ece['low']:.4f}, {ece['high']:.4f}], "
            f"Brier {brier['estimate']:.4f} [{brier['low']:.4f}, {brier['high']:.4f}]",
            "",
            "| outlook from | to | pairs | mean outlook | observed |",
            "|---|---|---|---|---|",
            *[
                f"| {r['from']:.4f} | {r['to']:.4f} | {r['pairs']} | {r['mean_outlook']:.4f} | "
                f"{r['observed']:.4f} |"
                for r in model["reliability"]
            ],
        ]
    return lines


def _metrics_table(metrics: dict[str, dict[str, float]]) -> list[str]:
    if not metrics:
        return ["(none)"]
    names = list(next(iter(metrics.values())))
    lines = ["| scorer | " + " | ".join(names) + " |", "|---" * (len(names) + 1) + "|"]
    for scorer, figures in metrics.items():
        values = " | ".join(f"{figures.get(name, float('nan')):.4f}" for name in names)
        lines.append(f"| {scorer} | {values} |")
    return lines
