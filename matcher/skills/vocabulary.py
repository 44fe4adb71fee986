"""The skill vocabulary: one curated data file (`vocabulary.json`), loaded once and indexed."""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from functools import cache, cached_property
from pathlib import Path

from matcher.skills.folding import fold_compact, fold_exact

VOCABULARY_PATH = Path(__file__).parent / "vocabulary.json"


@dataclass(frozen=True)
class Skill:
    """A canonical skill: display name, category, every alias, and how common it is."""

    name: str
    category: str
    aliases: tuple[str, ...]
    popularity: int
    hot_technology: bool = False


@dataclass(frozen=True)
class TextRule:
    """How an alias that is also an English word may be read in prose (see the data file)."""

    kind: str  # "case", "context" or "never"
    form: str  # the exact spelling accepted in prose


@dataclass(eq=False)  # compared and hashed by identity, so lookups can be cached per vocabulary
class Vocabulary:
    """Skills by name plus the lookup indexes that normalisation and extraction use."""

    skills: dict[str, Skill]
    attribution: tuple[str, ...]
    exact_index: dict[str, str] = field(default_factory=dict)
    compact_index: dict[str, str] = field(default_factory=dict)
    prose_index: dict[str, str] = field(default_factory=dict)
    text_rules: dict[str, TextRule] = field(default_factory=dict)

    @property
    def names(self) -> list[str]:
        """Canonical names in the data file's order."""
        return list(self.skills)

    def get(self, name: str) -> Skill | None:
        """The skill with this canonical name, or None."""
        return self.skills.get(name)

    def category(self, name: str) -> str | None:
        """The category of a canonical skill name, or None for an unknown name."""
        skill = self.skills.get(name)
        return skill.category if skill else None

    def popularity(self, name: str) -> int:
        """How common a skill is (see the data file's note); 0 for an unknown name."""
        skill = self.skills.get(name)
        return skill.popularity if skill else 0

    def rarity(self, name: str) -> float:
        """An IDF-like weight in (0, 1]: 1 for the rarest skill, small for the most common."""
        least, most = self._popularity_range
        popularity = min(max(self.popularity(name) or least, least), most)
        return 1.0 - math.log(popularity / least) / (math.log(most / least) + 1.0)

    @cached_property
    def _popularity_range(self) -> tuple[int, int]:
        values = [skill.popularity for skill in self.skills.values() if skill.popularity > 0]
        return min(values), max(values)


@cache
def load_vocabulary(path: Path = VOCABULARY_PATH) -> Vocabulary:
    """The vocabulary from its data file, read and indexed once per process."""
    document = json.loads(Path(path).read_text(encoding="utf-8"))
    return build_indexes(document)


def build_indexes(document: dict) -> Vocabulary:
    """Indexes a vocabulary document: exact and compact keys of every alias, prose forms."""
    vocabulary = Vocabulary(skills={}, attribution=tuple(document["attribution"]))
    for entry in document["skills"]:
        curated, derived = entry["aliases"], entry.get("derived_aliases", [])
        vocabulary.skills[entry["name"]] = Skill(
            name=entry["name"],
            category=entry["category"],
            aliases=tuple(curated + derived),
            popularity=int(entry["popularity"]),
            hot_technology=bool(entry.get("hot_technology", False)),
        )
        _index_skill(vocabulary, entry["name"], curated, derived, entry.get("text_rules", {}))
    return vocabulary


def _index_skill(
    vocabulary: Vocabulary, name: str, curated: list, derived: list, rules: dict
) -> None:
    for alias in [name, *curated, *derived]:
        exact = fold_exact(alias)
        vocabulary.exact_index.setdefault(exact, name)
        vocabulary.compact_index.setdefault(fold_compact(exact), name)
    for alias in [name, *curated]:
        vocabulary.prose_index.setdefault(fold_exact(alias), name)
    for form, kind in rules.items():
        vocabulary.text_rules[fold_exact(form)] = TextRule(kind=kind, form=form)
