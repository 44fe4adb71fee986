"""The learned ranker in the model registry: what its files may hold, saving and loading it.

`matcher.registry` stores and loads versioned files without knowing any model class; this
module tells it which class, which types a file may contain and which features it was
trained on, so ranking imports the registry and never the other way round.
"""

from __future__ import annotations

from sqlite_utils import Database

from matcher import registry
from matcher.config import Settings
from matcher.features.pair_features import FEATURE_NAMES
from matcher.ranking.models import LearnedRanker

# The only types a model file may contain besides builtins and numpy arrays.
TRUSTED_TYPES: list[str] = [
    "matcher.ranking.models.LearnedRanker",
    "sklearn.ensemble._hist_gradient_boosting.predictor.TreePredictor",
]
LEARNED_RANKER = registry.ModelKind(
    name="learned_ranker",
    model_class=LearnedRanker,
    trusted_types=tuple(TRUSTED_TYPES),
    features=tuple(FEATURE_NAMES),
)


def register_ranker(
    db: Database,
    settings: Settings,
    model: LearnedRanker,
    card: dict,
    *,
    on_step: registry.StepHook | None = None,
) -> str:
    """Save the ranker and its card in the registry; returns the new version."""
    return registry.register_model(db, settings, model, card, LEARNED_RANKER, on_step=on_step)


def load_ranker(db: Database, settings: Settings, version: str) -> LearnedRanker:
    """The ranker of `version`; `RegistryError` for a missing, altered or foreign file."""
    return registry.load_model(db, settings, version, LEARNED_RANKER)


def load_champion_ranker(db: Database, settings: Settings) -> tuple[str, LearnedRanker] | None:
    """(version, ranker) of the champion, or None when no model has been promoted."""
    return registry.load_champion(db, settings, LEARNED_RANKER)
