"""A champion's compiled trees kept beside its model file, so serving needs no scikit-learn.

Importing scikit-learn and skops and reading a model file costs a `talentmatch shortlist` about
1.8 s of CPU, more than its whole one-second target. The ranker's predictions are already
computed from compiled tree arrays (`matcher.ranking.forest`, held equal to scikit-learn at
load); once a process has loaded the champion through the registry's checks, it writes
those arrays (numpy only, no pickle) with the funnel's gain steps and the outlook curves to
`<version>.compiled.npz` in the registry folder. Later processes read that file instead.

Trust: the file is used only when an HMAC-SHA256 (key: `resolve_secret_key`, which the web
app and the email links already share) over its bytes and the version's recorded SHA-256
matches, when the registry's file checks still pass (`scorers._champion_file_checks_pass`:
not removed, model file and card SHA-256, library versions, features), and when its
predictions on probe rows equalled the ranker's own when it was written. Otherwise the
model is loaded as before.
"""

from __future__ import annotations

import hashlib
import hmac
import io
import logging
import os
import threading
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from sqlite_utils import Database

from matcher.config import Settings, resolve_secret_key
from matcher.features.pair_features import FEATURE_NAMES
from matcher.ranking.forest import CompiledForest, FeatureSplits
from matcher.registry import compiled_file_name

log = logging.getLogger(__name__)

FORMAT = 1
PROBE_ROWS = 512


@dataclass(frozen=True)
class ArrayRanker:
    """The learned ranker's `predict` and `outlook` from arrays (bit-for-bit the same)."""

    steps: list[CompiledForest | float]  # one per funnel step: compiled trees or a rate
    gain_steps: np.ndarray  # (max_relevance,) gain of each grade over the one below
    outlook_curves: dict[str, np.ndarray]  # stage -> (2, k) isotonic curve
    outlook_grades: dict[str, int]  # stage -> the grade it reaches
    n_features: int

    def reach_probabilities(self, X) -> np.ndarray:
        X = np.asarray(X, dtype=np.float64)
        if X.ndim != 2 or X.shape[1] != self.n_features or not np.isfinite(X).all():
            raise ValueError(f"X must be finite with {self.n_features} columns")
        steps = np.column_stack(
            [
                np.full(len(X), step) if isinstance(step, float) else step.positive_probability(X)
                for step in self.steps
            ]
        )
        return np.cumprod(steps, axis=1)

    def predict(self, X) -> np.ndarray:
        return self._scores_from(self.reach_probabilities(X))

    def outlook(self, X) -> dict[str, np.ndarray] | None:
        if not self.outlook_curves:
            return None
        return self._outlook_from(self.reach_probabilities(X))

    def predict_and_outlook(self, X) -> tuple[np.ndarray, dict[str, np.ndarray] | None]:
        """`predict(X)` and `outlook(X)` from one pass over the trees."""
        reach = self.reach_probabilities(X)
        return self._scores_from(reach), self._outlook_from(reach)

    def _scores_from(self, reach: np.ndarray) -> np.ndarray:
        return np.clip(reach @ self.gain_steps, 0.0, 1.0)

    def _outlook_from(self, reach: np.ndarray) -> dict[str, np.ndarray] | None:
        if not self.outlook_curves:
            return None
        return {
            stage: np.interp(reach[:, self.outlook_grades[stage] - 1], curve[0], curve[1])
            for stage, curve in self.outlook_curves.items()
        }


def _binary_link(raw: np.ndarray) -> np.ndarray:
    """scikit-learn's HalfBinomialLoss.predict_proba: expit of the raw prediction."""
    from scipy.special import expit

    proba = np.empty((raw.shape[0], 2), dtype=raw.dtype)
    proba[:, 1] = expit(raw)
    proba[:, 0] = 1 - proba[:, 1]
    return proba


def _path(settings: Settings, version: str) -> Path:
    return Path(settings.models_dir) / compiled_file_name(version)


def _mac(settings: Settings, version_sha256: str, data: bytes) -> bytes:
    key = resolve_secret_key(settings).encode()
    return hmac.new(key, version_sha256.encode() + b"\0" + data, hashlib.sha256).digest()


def _recorded_sha256(db: Database, version: str) -> str | None:
    row = db.execute("SELECT sha256 FROM model_versions WHERE version = ?", [version]).fetchone()
    return row[0] if row else None


def load_array_ranker(db: Database, settings: Settings, version: str) -> ArrayRanker | None:
    """The version's compiled ranker when its file is there and trusted, else None."""
    from matcher.ranking.scorers import _champion_file_checks_pass

    path = _path(settings, version)
    try:
        blob = path.read_bytes()
    except OSError:
        return None
    recorded = _recorded_sha256(db, version)
    if recorded is None or len(blob) < 32 or not _champion_file_checks_pass(db, settings, version):
        return None
    mac, data = blob[:32], blob[32:]
    try:
        expected = _mac(settings, recorded, data)
    except OSError:  # no key can be read or kept beside the database
        return None
    if not hmac.compare_digest(mac, expected):
        log.warning("compiled ranker %s does not match its MAC: ignored", path.name)
        return None
    try:
        return _from_arrays(np.load(io.BytesIO(data), allow_pickle=False), version, recorded)
    except (ValueError, KeyError, OSError) as error:
        log.warning("compiled ranker %s cannot be read (%s): ignored", path.name, error)
        return None


def _from_arrays(arrays, version: str, recorded: str) -> ArrayRanker | None:
    if (
        int(arrays["format"]) != FORMAT
        or str(arrays["version"]) != version
        or str(arrays["model_sha256"]) != recorded
        or list(arrays["features"]) != list(FEATURE_NAMES)
    ):
        return None
    steps: list[CompiledForest | float] = []
    for i in range(int(arrays["n_steps"])):
        if bool(arrays[f"s{i}_constant"]):
            steps.append(float(arrays[f"s{i}_rate"]))
            continue
        features = arrays[f"s{i}_features"]
        splits = [
            FeatureSplits(int(f), arrays[f"s{i}_t{j}"], arrays[f"s{i}_m{j}"])
            for j, f in enumerate(features)
        ]
        value_of_mask = arrays[f"s{i}_values"]
        steps.append(
            CompiledForest(
                float(arrays[f"s{i}_baseline"]),
                splits,
                value_of_mask,
                len(value_of_mask),
                _binary_link,
            )
        )
    stages = [str(stage) for stage in arrays["outlook_stages"]]
    return ArrayRanker(
        steps=steps,
        gain_steps=arrays["gain_steps"],
        outlook_curves={stage: arrays[f"outlook_{stage}"] for stage in stages},
        outlook_grades={
            stage: int(grade) for stage, grade in zip(stages, arrays["outlook_grades"], strict=True)
        },
        n_features=int(arrays["n_features"]),
    )


def save_array_ranker(db: Database, settings: Settings, version: str, ranker) -> bool:
    """Write the loaded `ranker`'s compiled form beside its file when every step compiles
    and its predictions equal the ranker's on probe rows; True when written."""
    from matcher.constants import STAGE_RELEVANCE
    from matcher.ranking.models import _compiled_steps, relevance_to_gain

    recorded = _recorded_sha256(db, version)
    forests = _compiled_steps(ranker)
    if recorded is None or any(
        forest is None and not isinstance(model, float)
        for forest, model in zip(forests, ranker.step_models_, strict=True)
    ):
        return False
    arrays: dict[str, np.ndarray] = {
        "format": np.array(FORMAT),
        "version": np.array(version),
        "model_sha256": np.array(recorded),
        "features": np.array(FEATURE_NAMES),
        "n_features": np.array(ranker.n_features_in_),
        "n_steps": np.array(len(forests)),
        "gain_steps": np.diff(relevance_to_gain(np.arange(ranker.max_relevance + 1))),
    }
    for i, (forest, model) in enumerate(zip(forests, ranker.step_models_, strict=True)):
        arrays[f"s{i}_constant"] = np.array(forest is None)
        if forest is None:
            arrays[f"s{i}_rate"] = np.array(float(model))
            continue
        if type(model._loss).__name__ != "HalfBinomialLoss":  # the link _binary_link mirrors
            return False
        arrays[f"s{i}_baseline"] = np.array(forest.baseline)
        arrays[f"s{i}_values"] = forest.value_of_mask
        arrays[f"s{i}_features"] = np.array([split.feature for split in forest.splits])
        for j, split in enumerate(forest.splits):
            arrays[f"s{i}_t{j}"] = split.thresholds
            arrays[f"s{i}_m{j}"] = split.prefix_masks
    curves = getattr(ranker, "outlook_calibration_", None) or {}
    arrays["outlook_stages"] = np.array(list(curves), dtype=str)
    arrays["outlook_grades"] = np.array([STAGE_RELEVANCE[stage] for stage in curves], dtype=int)
    for stage, curve in curves.items():
        arrays[f"outlook_{stage}"] = np.asarray(curve, dtype=np.float64)
    compiled = _from_arrays(arrays, version, recorded)
    if compiled is None or not _agrees(compiled, ranker):
        return False
    buffer = io.BytesIO()
    np.savez(buffer, **arrays)
    data = buffer.getvalue()
    path = _path(settings, version)
    draft = path.with_name(f".{path.name}.{os.getpid()}.{threading.get_ident()}.tmp")
    try:
        draft.write_bytes(_mac(settings, recorded, data) + data)
        os.replace(draft, path)
    except OSError as error:
        log.warning("compiled ranker %s not written: %s", path.name, error)
        draft.unlink(missing_ok=True)
        return False
    return True


def _agrees(compiled: ArrayRanker, ranker) -> bool:
    rng = np.random.default_rng(0)
    probe = (
        rng.random((PROBE_ROWS, compiled.n_features)) * rng.choice([1, 5, 20], PROBE_ROWS)[:, None]
    )
    same = np.array_equal(compiled.predict(probe), ranker.predict(probe))
    ours, theirs = compiled.outlook(probe), ranker.outlook(probe)
    if (ours is None) != (theirs is None):
        return False
    if ours is not None:
        same = same and all(np.array_equal(ours[s], theirs[s]) for s in theirs)
    return bool(same)
