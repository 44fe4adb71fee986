"""The skill vocabulary and the two things done with it: normalising terms, extracting skills."""

from matcher.skills.extract import extract_skills
from matcher.skills.normalize import normalize_skill
from matcher.skills.vocabulary import Skill, Vocabulary, load_vocabulary

__all__ = ["Skill", "Vocabulary", "extract_skills", "load_vocabulary", "normalize_skill"]
