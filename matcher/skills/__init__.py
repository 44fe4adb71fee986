"""The skill vocabulary and the two things done with it: normalising terms, extracting skills."""

from matcher.skills.extract import extract_skills
from matcher.skills.normalize import normalize_skill
from matcher.skills.vocabulary import Skill, Vocabulary, load_vocabulary


def skill_display_name(name: str, language: str = "en") -> str:
    """A canonical skill as readers of `language` name it (Machine learning → Apprentissage
    automatique in French; proper names unchanged)."""
    return load_vocabulary().display_name(name, language)


__all__ = [
    "Skill",
    "Vocabulary",
    "extract_skills",
    "load_vocabulary",
    "normalize_skill",
    "skill_display_name",
]
