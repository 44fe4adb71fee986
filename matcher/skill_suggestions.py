"""Skill suggestions for people typing: "did you mean" for unknown terms, and type-ahead.

`normalize_skill` refuses to guess (a wrong skill is worse than none); these suggestions are
for a person to choose from, so they may be looser.
"""

from __future__ import annotations

from functools import cache

from rapidfuzz import fuzz, process

from matcher.skills import load_vocabulary
from matcher.skills.folding import fold_exact

MIN_SCORE = 70.0


@cache
def _alias_keys() -> tuple[list[str], list[str]]:
    """Folded aliases and the canonical name each belongs to, most popular skills first."""
    vocabulary = load_vocabulary()
    skills = sorted(vocabulary.skills.values(), key=lambda skill: -skill.popularity)
    keys, names = [], []
    for skill in skills:
        for alias in dict.fromkeys([skill.name, *skill.aliases]):
            keys.append(fold_exact(alias))
            names.append(skill.name)
    return keys, names


def suggest_skills(term: str, *, limit: int = 5) -> list[str]:
    """Skill names `term` may have meant: prefix matches first, then near spellings."""
    folded = fold_exact(term or "")
    if not folded or limit <= 0:
        return []
    keys, names = _alias_keys()
    found = [name for key, name in zip(keys, names, strict=True) if key.startswith(folded)]
    scored = process.extract(
        folded, keys, scorer=fuzz.ratio, processor=None, score_cutoff=MIN_SCORE, limit=limit * 4
    )
    found.extend(names[index] for _key, _score, index in scored)
    return list(dict.fromkeys(found))[:limit]
