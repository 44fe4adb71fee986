"""The skill vocabulary: one curated data file (`vocabulary.json`), loaded once and indexed."""

from __future__ import annotations

import json
import math
import unicodedata
from dataclasses import dataclass, field
from functools import cache, cached_property
from pathlib import Path

from matcher.skills.folding import fold_compact, fold_exact

VOCABULARY_PATH = Path(__file__).parent / "vocabulary.json"
# French display names and French prose aliases, kept apart from the generated vocabulary.
FRENCH_NAMES_PATH = Path(__file__).parent / "french_names.json"


@dataclass(frozen=True)
class Skill:
    """A canonical skill: display name, category, every alias, and how common it is."""

    name: str
    category: str
    aliases: tuple[str, ...]
    popularity: int
    hot_technology: bool = False
    name_fr: str | None = None  # None: the name reads the same in French (Python, Kubernetes)


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

    def display_name(self, name: str, language: str = "en") -> str:
        """How a canonical skill reads in `language` (`fr`: its French name where one is used)."""
        skill = self.skills.get(name)
        if language == "fr" and skill is not None and skill.name_fr:
            return skill.name_fr
        return name

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
def load_vocabulary(
    path: Path = VOCABULARY_PATH, french_path: Path | None = FRENCH_NAMES_PATH
) -> Vocabulary:
    """The vocabulary from its data file (and the French names), read and indexed once."""
    document = json.loads(Path(path).read_text(encoding="utf-8"))
    french = json.loads(Path(french_path).read_text(encoding="utf-8")) if french_path else None
    return build_indexes(document, french)


def build_indexes(document: dict, french: dict | None = None) -> Vocabulary:
    """Indexes a vocabulary document: exact and compact keys of every alias, prose forms.

    French aliases count as curated ones: they are read in prose too, so a French posting's
    "apprentissage automatique" is Machine learning.
    """
    vocabulary = Vocabulary(skills={}, attribution=tuple(document["attribution"]))
    french_skills = (french or {}).get("skills", {})
    for entry in document["skills"]:
        in_french = french_skills.get(entry["name"], {})
        curated = entry["aliases"] + _with_unaccented(in_french.get("aliases_fr", []))
        # The French name normalises (typed in a skills box) but is not read in prose alone.
        derived = entry.get("derived_aliases", []) + _with_unaccented(
            [in_french["name_fr"]] if "name_fr" in in_french else []
        )
        vocabulary.skills[entry["name"]] = Skill(
            name=entry["name"],
            category=entry["category"],
            aliases=tuple(curated + derived),
            popularity=int(entry["popularity"]),
            hot_technology=bool(entry.get("hot_technology", False)),
            name_fr=in_french.get("name_fr"),
        )
        _index_skill(vocabulary, entry["name"], curated, derived, entry.get("text_rules", {}))
    return vocabulary


def _with_unaccented(aliases: list[str]) -> list[str]:
    """Each alias and its spelling without accents ("bases de donnees"), as people type it."""
    unaccented = [
        "".join(c for c in unicodedata.normalize("NFD", alias) if not unicodedata.combining(c))
        for alias in aliases
    ]
    return list(dict.fromkeys(aliases + unaccented))


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
