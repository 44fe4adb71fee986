"""Years a resume states in words: per skill ("5 years of Python", "Python (3 yrs)",
"Python- Exprience - 24 months", "4 ans d'expérience en Java") and in total ("10+ years of
experience", "12 ans d'expérience").
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from matcher.skills import extract_skills

_NUMBER_WORDS = {
    "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
    "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "fifteen": 15, "twenty": 20,
    "un": 1, "deux": 2, "trois": 3, "quatre": 4, "cinq": 5, "sept": 7, "huit": 8,
    "neuf": 9, "dix": 10, "douze": 12, "quinze": 15, "vingt": 20,
}  # fmt: skip
_AMOUNT = r"(?P<amount>\d{1,3}(?:[.,]\d)?|" + "|".join(_NUMBER_WORDS) + r")"
_UNIT = r"(?P<unit>years?|yrs?|ans|an|annees?|months?|mois)"
YEARS_PHRASE = re.compile(
    rf"(?i)(?P<less>less\s+than\s+|moins\s+d'un\s+)?\b{_AMOUNT}\s*\+?\s*(?:-\s*)?{_UNIT}\b'?"
    r"(?:\s+months)?"  # the real data writes "Less than 1 year months"
)
_ADJECTIVES = r"(?:(?:hands-on|solid|strong|professional|industry|work|relevant|practical)\s+)*"
_LINK = r"(?:with|in|using|on|working\s+with|programming\s+in|as\s+an?|en|avec|sur|dans|comme)"
_EXPERIENCE_WORD = r"(?:experience|expérience|exp\.?)"
_OF_LIST = re.compile(
    rf"(?i)^\s*(?:(?:of|d')\s*{_ADJECTIVES}{_EXPERIENCE_WORD}\s*(?:{_LINK}|of|de|:)\s+"
    rf"|(?:of\s|d')(?!\s*{_ADJECTIVES}{_EXPERIENCE_WORD})"
    rf"|{_ADJECTIVES}(?:{_EXPERIENCE_WORD}\s+)?{_LINK}\s+)"
)
_TOTAL = re.compile(
    rf"(?i)\b{_AMOUNT}\s*\+?\s*(?:years?|yrs?|ans|annees?)'?\s+(?:of\s+|d'|d’)?"
    r"(?:(?:total|overall|professional|work|working|industry|relevant|it|industrial|"
    r"corporate|rich|extensive|hands-on|experience|professionnelle)\s+)*"
    r"(?:work\s+)?(?:experience|exp(?:é|e)rience|exp\b)"
)
_TOTAL_AFTER = re.compile(
    rf"(?i)\b(?:total\s+)?(?:work\s+)?experience\s*(?:of|:|-)\s*(?:over\s+|about\s+)?{_AMOUNT}"
    r"\s*\+?\s*(?:years?|yrs?)\b"
)
_CLAUSE_END = re.compile(
    r"[.;!?\n•|]|,\s*(?:and\s+)?(?:some|also|plus|basic|familiar|knowledge|exposure)\b|"
    r"\s\d{1,2}\s*\+?\s*(?:years?|yrs?|ans)\b",
    re.IGNORECASE,
)
_SEGMENT_START = re.compile(r"[,;\n•|()]|\.(?:\s|$)")
_KAGGLE_EXPERIENCE = re.compile(r"(?i)[\s\-]*exp(?:e)?rience[\s\-:]*$")
# Phrases are found from their unit word: most of a resume names no years at all.
_ANY_UNIT = re.compile(r"(?i)\b(?:years?|yrs?|ans|an|ann[eé]es?|months?|mois)\b")
MAX_PHRASES = 400  # bounds the time a pathological text can take
_PHRASE_REACH = 40  # how far before its unit a phrase ("less than twelve years") can start
MAX_SEGMENT = 300
MAX_TOTAL_YEARS = 50.0
SEGMENT_CACHE_SIZE = 16_384  # segments are at most MAX_SEGMENT characters: a few megabytes


@dataclass(frozen=True)
class StatedYears:
    """Years stated for one skill, and where in the text the statement was."""

    skill: str
    years: float


def phrase_years(match: re.Match) -> float:
    """The years a YEARS_PHRASE match means ("24 months" is 2.0, "less than 1 year" 0.5)."""
    amount = phrase_years_of(match)
    unit = match["unit"].lower()
    years = amount / 12 if unit.startswith(("month", "mois")) else amount
    return years / 2 if match["less"] else years


def stated_skill_years(text: str) -> list[StatedYears]:
    """Each skill whose years the text states, with those years, in order of statement."""
    stated: list[StatedYears] = []
    for match in _years_phrases(text):
        years = phrase_years(match)
        if not 0 < years <= MAX_TOTAL_YEARS:
            continue
        for skill in _skills_after(text, match) or _skills_before(text, match):
            stated.append(StatedYears(skill, round(years, 1)))
    return stated


def _years_phrases(text: str) -> list[re.Match]:
    """YEARS_PHRASE matches, found from their unit word: one pass of a simple pattern, then a
    short window each, since the full pattern tried at every position is slow on long text."""
    found: list[re.Match] = []
    for unit in _ANY_UNIT.finditer(text):
        start, end = max(0, unit.start() - _PHRASE_REACH), min(len(text), unit.end() + 12)
        for match in YEARS_PHRASE.finditer(text, start, end):
            if match.start("unit") == unit.start():
                found.append(match)
        if len(found) >= MAX_PHRASES:
            break
    return found


def _skills_after(text: str, match: re.Match) -> list[str]:
    """ "5 years of Python and Django": the skills listed after the phrase, to the clause end."""
    tail = text[match.end() : match.end() + MAX_SEGMENT]
    link = _OF_LIST.match(tail)
    if link is None:
        return []
    rest = tail[link.end() :]
    end = _CLAUSE_END.search(rest)
    return list(segment_skills(rest[: end.start()] if end else rest))


def _skills_before(text: str, match: re.Match) -> list[str]:
    """The skills just before the phrase: "Python (3 yrs)", "Java- Exprience - 24 months"."""
    head = text[max(0, match.start() - MAX_SEGMENT) : match.start()]
    line = head[head.rfind("\n") + 1 :]
    if _KAGGLE_EXPERIENCE.search(line):
        # The real data's "Skill- Exprience - N months": every skill on the line has N.
        return list(segment_skills(_KAGGLE_EXPERIENCE.sub("", line)))
    line = line.rstrip(" -:([").removesuffix(" for").removesuffix(" pendant")
    starts = [m.end() for m in _SEGMENT_START.finditer(line)]
    segment = line[starts[-1] :] if starts else line
    return list(segment_skills(segment)) if segment.strip() else []


@lru_cache(maxsize=SEGMENT_CACHE_SIZE)
def segment_skills(segment: str) -> tuple[str, ...]:
    """`extract_skills` of a statement's segment, memoised: segments are short and the same
    ones ("Python and Django") recur across resumes."""
    return tuple(extract_skills(segment))


def stated_total_years(text: str) -> float | None:
    """The largest plausible total experience stated ("10+ years of experience"), or None."""
    if not _ANY_UNIT.search(text):
        return None
    values = [
        phrase_years_of(match)
        for pattern in (_TOTAL, _TOTAL_AFTER)
        for match in list(pattern.finditer(text))[:MAX_PHRASES]
    ]
    plausible = [value for value in values if 0 < value <= MAX_TOTAL_YEARS]
    return max(plausible) if plausible else None


def phrase_years_of(match: re.Match) -> float:
    """The amount of a total-experience match, in years."""
    raw = match["amount"].lower().replace(",", ".")
    return float(_NUMBER_WORDS[raw]) if raw in _NUMBER_WORDS else float(raw)
