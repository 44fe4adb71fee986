"""Skill terms as people type them in a box: one a line, or separated by commas or semicolons."""

from __future__ import annotations

import re

SKILL_SEPARATORS = re.compile(r"[\n,;]+")


def split_skill_terms(text: str | None) -> list[str]:
    """The non-empty terms typed in a skills box, in order, stripped of white space."""
    return [term.strip() for term in SKILL_SEPARATORS.split(text or "") if term.strip()]
