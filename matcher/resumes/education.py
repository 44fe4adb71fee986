"""The highest education level a resume names, in the contract's enum (bachelor, master, ...).

Degree words are looked for in the education section when there is one (so "MS Office" in
a skills list is no master's degree), otherwise in the whole text. A resume that names no
degree gives None: the level is unknown, which is not the same as "none".
"""

from __future__ import annotations

import re

from matcher.constants import EDUCATION_LEVELS
from matcher.resumes.sections import EDUCATION, Line, fold

# Written case matters for the short abbreviations (B.E, MBA), so these see the raw line.
_LEVEL_PATTERNS: dict[str, re.Pattern] = {
    "phd": re.compile(r"(?i:\bPh\.?\s?D\b|\bdoctorate\b|\bdoctorat\b|\bdoctoral\b)"),
    "master": re.compile(
        r"(?i:\bmasters?\b|\bmaster's\b|\bmaitrise\b|\bmaîtrise\b|\bm\.?\s?tech\b|\bm\.sc\b|\bmsc\b"
        r"|\bm\.s\.|\bmca\b|\bmba\b|\bm\.?com\b|\bpost\s?graduat(?:e|ion)\b(?!\s+diploma)|\bdess\b)"
        r"|\bM\.?E\.?(?=\s)|\bMS\s+in\b|\bMA\b|\bM\.A\b"
    ),
    "bachelor": re.compile(
        r"(?i:\bbachelors?\b|\bbachelor's\b|\bbaccalaur[eé]at\b|\bb\.?\s?tech\b|\bb\.sc\b|\bbsc\b"
        r"|\bbca\b|\bb\.?com\b|\bbba\b|\bbachelier\b|\bundergraduate\s+degree\b|\bgraduat(?:e|ion)\b)"
        r"|\bB\.\s?E\b|\bBE\b|\bB\.?A\b|\bB\.?S\b|\bBS\s+in\b"
    ),
    "diploma": re.compile(
        r"(?i:\bdiploma\b|\bpolytechnic\b|\bdiplôme d'études collégiales\b|\bcegep\b|\bcégep\b"
        r"|\bassociate\s+degree\b|\bcollege\s+diploma\b|\bpgdm\b)|\bDEC\b|\bITI\b"
    ),
    "secondary": re.compile(
        r"(?i:\bhigh\s+school\b|\bsecondary\b|\bsecondaire\b|\bhsc\b|\bssc\b|\bsslc\b"
        r"|\b(?:10|12)th\b|\bintermediate\b|\bmatriculation\b|\bcbse\b)|\bXII\b|\bDES\b"
    ),
}
# Every degree pattern needs one of these words (lower case, as `\w+` cuts the text): a
# set lookup rules out most texts before the one slow pass of the combined pattern.
_DEGREE_WORDS = frozenset(
    """ph phd doctorate doctorat doctoral master masters maitrise maîtrise m tech sc msc s mca
    mba com mcom post postgraduate postgraduation dess e me ms ma a bachelor bachelors
    baccalaureat baccalauréat b bsc bca bba bachelier undergraduate graduate graduation be ba bs
    diploma polytechnic diplôme dec associate college pgdm iti cegep cégep high secondary
    secondaire hsc ssc sslc 10th 12th intermediate matriculation cbse xii des""".split()
)
_WORD = re.compile(r"\w+")
_SCHOOL_WORDS = re.compile(r"\b(?:university|universite|college|school|ecole|institute|lycee)\b")
# One pass over the text finds every level named (five separate searches cost five passes).
_ANY_LEVEL = re.compile("|".join(f"(?P<{k}>{p.pattern})" for k, p in _LEVEL_PATTERNS.items()))


def education_level(lines: list[Line]) -> str | None:
    """The highest level named, preferring the education section's lines."""
    section = [line.text for line in lines if line.section == EDUCATION]
    text = "\n".join(section or [line.text for line in lines])
    if _DEGREE_WORDS.isdisjoint(_WORD.findall(text.lower())):
        return None
    named = {match.lastgroup for match in _ANY_LEVEL.finditer(text)}
    return max(named, key=EDUCATION_LEVELS.index, default=None)


def is_education_line(line: Line) -> bool:
    """Whether a line reads as schooling (a degree or a school), not as a job."""
    if line.section == EDUCATION:
        return True
    if _SCHOOL_WORDS.search(fold(line.text)):
        return True
    return _ANY_LEVEL.search(line.text) is not None
