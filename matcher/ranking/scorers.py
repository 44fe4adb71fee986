"""Scorers: one interface for the cold-start scorer and the learned ranker.

A scorer turns (job, workers, rows) into scores in [0, 1]. `load_serving_scorer` gives the
registry's champion when there is one and the content-based cold-start scorer otherwise,
so a fresh install already ranks sensibly.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from pathlib import Path
from typing import Protocol

import numpy as np
from sqlite_utils import Database

from matcher.config import Settings
from matcher.features.pair_features import (
    EXPERIENCE_SHORTFALL_FOR_ZERO,
    FEATURE_NAMES,
    MAX_DAYS_UNTIL_AVAILABLE,
    pair_features,
)
from matcher.features.population import JobProfile, WorkerTable
from matcher.ranking.caches import VersionedCache, database_key

log = logging.getLogger(__name__)

COLD_START_VERSION = "cold-start"
OUTLOOK_DECIMALS = 3

# Hand-set weights of the cold-start score (they sum to 1). Skills dominate, rarer required
# skills count more; then the occupation (a data-science job wants data and software people,
# whatever else a resume mentions) and city preference; the rest refine. Each term is in [0, 1].
COLD_START_WEIGHTS: dict[str, float] = {
    "required_coverage_weighted": 0.20,
    "nice_to_have_coverage": 0.05,
    "related_skill_credit": 0.03,
    "skill_years_fit": 0.06,
    "skill_focus": 0.05,  # skills asked for / skills held or asked: many listed skills are no merit
    "text_relevance": 0.10,
    "occupation_similarity": 0.20,
    "place_fit": 0.14,  # city preference, or remote compatibility when higher
    "experience_fit": 0.06,  # 1 at or above the minimum, 0 five years or more below
    "salary_fit": 0.04,
    "french_fit": 0.04,
    "availability": 0.03,  # 1 available now, 0 a year or more away
}


OutlookArrays = dict[str, np.ndarray]  # outlook stage -> the chance of each pair


class Scorer(Protocol):
    """Anything that scores workers for a job in [0, 1]; `version` names the model."""

    version: str
    # Whether the score reads the worker's interest answer: the employer's explanation then
    # says so (`explain(..., interest=True)`); a scorer without the attribute does not.
    weighs_interest: bool

    def score(self, job: JobProfile, workers: WorkerTable, rows: np.ndarray) -> np.ndarray: ...

    def score_features(self, features: np.ndarray) -> np.ndarray: ...

    def outlook(self, features: np.ndarray) -> list[dict[str, float]] | None: ...

    def score_and_outlook(
        self, features: np.ndarray
    ) -> tuple[np.ndarray, list[dict[str, float]] | None]: ...

    def score_and_outlook_arrays(
        self, features: np.ndarray
    ) -> tuple[np.ndarray, OutlookArrays | None]: ...


def cold_start_terms(features: np.ndarray) -> dict[str, np.ndarray]:
    """The cold-start score's terms, each in [0, 1], from a pair-feature matrix."""
    column = {name: features[:, i] for i, name in enumerate(FEATURE_NAMES)}
    shortfall = column["experience_shortfall"] / EXPERIENCE_SHORTFALL_FOR_ZERO
    return {
        "required_coverage_weighted": column["required_coverage_weighted"],
        "nice_to_have_coverage": column["nice_to_have_coverage"],
        "related_skill_credit": column["related_skill_credit"],
        "skill_years_fit": column["skill_years_fit"],
        "skill_focus": column["skill_focus"],
        "text_relevance": column["text_relevance"],
        "occupation_similarity": column["occupation_similarity"],
        "place_fit": column["place_fit"],
        "experience_fit": 1.0 - np.clip(shortfall, 0.0, 1.0),
        "salary_fit": column["salary_fit"],
        "french_fit": column["french_fit"],
        "availability": 1.0 - column["days_until_available"] / MAX_DAYS_UNTIL_AVAILABLE,
    }


def cold_start_score(features: np.ndarray) -> np.ndarray:
    """The documented hand-weighted combination of pair features, in [0, 1]."""
    terms = cold_start_terms(features)
    total = sum(COLD_START_WEIGHTS[name] * np.clip(terms[name], 0.0, 1.0) for name in terms)
    return np.clip(total / sum(COLD_START_WEIGHTS.values()), 0.0, 1.0)


class ColdStartScorer:
    """Content-based scorer used until enough hiring outcomes exist to learn from."""

    version = COLD_START_VERSION
    weighs_interest = False  # `worker_interest` has no cold-start weight

    def score(self, job: JobProfile, workers: WorkerTable, rows: np.ndarray) -> np.ndarray:
        return self.score_features(pair_features(job, workers, rows))

    def score_features(self, features: np.ndarray) -> np.ndarray:
        """Scores in [0, 1] of pairs given their pair-feature matrix (any mix of jobs)."""
        return np.asarray(cold_start_score(features), dtype=np.float64)

    def outlook(self, features: np.ndarray) -> None:
        """No outlook: the cold-start score is not a probability of anything."""
        return None

    def score_and_outlook(self, features: np.ndarray) -> tuple[np.ndarray, None]:
        return self.score_features(features), None

    def score_and_outlook_arrays(self, features: np.ndarray) -> tuple[np.ndarray, None]:
        return self.score_features(features), None


class LearnedScorer:
    """A fitted ranker from the registry behind the Scorer interface."""

    weighs_interest = True  # reads `worker_interest` (a constant 0 if it never saw an answer)

    def __init__(self, version: str, ranker) -> None:
        self.version = version
        self.ranker = ranker

    def score(self, job: JobProfile, workers: WorkerTable, rows: np.ndarray) -> np.ndarray:
        if len(rows) == 0:
            return np.zeros(0, dtype=np.float64)
        return self.score_features(pair_features(job, workers, rows))

    def score_features(self, features: np.ndarray) -> np.ndarray:
        """Scores in [0, 1] of pairs given their pair-feature matrix (any mix of jobs)."""
        if len(features) == 0:
            return np.zeros(0, dtype=np.float64)
        return np.clip(np.asarray(self.ranker.predict(features), dtype=np.float64), 0.0, 1.0)

    def outlook(self, features: np.ndarray) -> list[dict[str, float]] | None:
        """Per pair, the calibrated chance of reaching each outlook stage or a later one;
        None when the model has no outlook curves (trained before they existed)."""
        found = self.ranker.outlook(features) if len(features) else None
        return outlooks_at(found)

    def score_and_outlook(
        self, features: np.ndarray
    ) -> tuple[np.ndarray, list[dict[str, float]] | None]:
        """`score_features` and `outlook` from one pass over the model's trees."""
        scores, found = self.score_and_outlook_arrays(features)
        return scores, outlooks_at(found)

    def score_and_outlook_arrays(
        self, features: np.ndarray
    ) -> tuple[np.ndarray, OutlookArrays | None]:
        """`score_features` and the outlook as arrays (stage -> chance per pair), from one
        pass over the trees: `outlooks_at` turns the pairs kept into `outlook`'s dicts."""
        both = getattr(self.ranker, "predict_and_outlook", None)
        if both is None or len(features) == 0:
            found = self.ranker.outlook(features) if len(features) else None
            return self.score_features(features), found
        scores, found = both(features)
        return np.clip(np.asarray(scores, dtype=np.float64), 0.0, 1.0), found


def outlooks_at(
    found: OutlookArrays | None, positions: Sequence[int] | None = None
) -> list[dict[str, float]] | None:
    """The outlooks of the pairs at `positions` (default: all) as one rounded dict each;
    None when the scorer has no outlook."""
    if found is None:
        return None
    index = slice(None) if positions is None else np.asarray(positions, dtype=np.intp)
    rounded = {
        stage: np.round(np.asarray(chances)[index], OUTLOOK_DECIMALS).tolist()
        for stage, chances in found.items()
    }
    pairs = len(next(iter(rounded.values()), []))
    return [{stage: rounded[stage][i] for stage in rounded} for i in range(pairs)]


_serving_scorers = VersionedCache()


def _champion_version(db: Database) -> str | None:
    row = db.execute("SELECT version FROM model_champion WHERE id = 1").fetchone()
    return row[0] if row else None


def load_serving_scorer(db: Database, settings: Settings) -> Scorer:
    """The champion model, else the cold-start scorer; cached until the champion changes."""
    key = f"{database_key(db)}|{Path(settings.models_dir).resolve()}"
    version = _champion_version(db)
    return _serving_scorers.get(key, version, lambda: _scorer_for(db, settings, version))


def serving_version(db: Database, settings: Settings) -> str:
    """The version `load_serving_scorer` serves (batch freshness is keyed by it), read
    without loading a model file when the answer is clear: the cold-start scorer when there
    is no champion; the champion when it is loaded here already, or when its file passes the
    registry's checks that come before reading it (not removed, SHA-256 of file and card,
    library versions, features). Otherwise the champion is loaded, to tell whether it loads.

    So a fresh batch result is served without importing scikit-learn or unpickling a model
    (`talentmatch shortlist` answers in well under a second from the batch).
    """
    version = _champion_version(db)
    if version is None:
        return COLD_START_VERSION
    key = f"{database_key(db)}|{Path(settings.models_dir).resolve()}"
    loaded = _serving_scorers.peek(key, version)
    if loaded is None and _champion_file_checks_pass(db, settings, version):
        return version
    return (loaded or load_serving_scorer(db, settings)).version


def _champion_file_checks_pass(db: Database, settings: Settings, version: str) -> bool:
    """`matcher.registry.load_model`'s checks before deserialising, read cheaply (library
    versions from the installed distributions' metadata, without importing them)."""
    import hashlib
    import json
    from importlib import metadata

    row = db.execute(
        "SELECT file_name, sha256, removed_at FROM model_versions WHERE version = ?", [version]
    ).fetchone()
    if row is None or row[2] is not None:
        return False
    folder = Path(settings.models_dir)
    try:
        card = json.loads((folder / f"{version.replace(':', '-')}.card.json").read_text())
        digest = hashlib.sha256((folder / row[0]).read_bytes()).hexdigest()
        installed = {
            name: metadata.version(name) for name in ("scikit-learn", "numpy", "scipy", "skops")
        }
    except (OSError, ValueError, metadata.PackageNotFoundError):
        return False
    return (
        digest == row[1] == card.get("sha256")
        and card.get("library_versions") == installed
        and card.get("features") == list(FEATURE_NAMES)
    )


def _scorer_for(db: Database, settings: Settings, version: str | None) -> Scorer:
    """The registry's model `version`, or the cold-start scorer when none or unloadable."""
    if version is None:
        return ColdStartScorer()
    from matcher.ranking import compiled_ranker

    compiled = compiled_ranker.load_array_ranker(db, settings, version)
    if compiled is not None:  # no scikit-learn to import, no model file to deserialise
        return LearnedScorer(version, compiled)
    from matcher.ranking.model_files import load_ranker
    from matcher.registry import RegistryError

    try:
        ranker = load_ranker(db, settings, version)
    except RegistryError as error:
        log.error("champion %s cannot be loaded, serving cold start: %s", version, error)
        return ColdStartScorer()
    compiled_ranker.save_array_ranker(db, settings, version, ranker)
    return LearnedScorer(version, ranker)
