"""Job titles and resumes normalised to O*NET-SOC occupations, from the committed titles file."""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from rapidfuzz import fuzz, process

from matcher.occupations.words import title_key, without_level_words, words

DATA_PATH = Path(__file__).parent / "occupations.json"
# French titles ("développeur", "scientifique des données") of the same occupations.
FRENCH_TITLES_PATH = Path(__file__).parent / "french_titles.json"
MAX_TITLE_WORDS = 6
# A resume is read for titles in its first words, where title lines sit, and over its
# whole text for recurring role words; a title found early counts more.
RESUME_HEAD_WORDS = 60
EARLY_WEIGHT = 3.0
RESUME_OCCUPATIONS = 3
# A job title that names no known title is compared with every known one; at this
# similarity (0-100, rapidfuzz's ratio) it is read as a misspelling of it
# ("Senior Programm Manager" -> program manager), below it as unknown.
TYPO_SIMILARITY = 92


@dataclass(frozen=True)
class Occupation:
    """An O*NET-SOC occupation: its code, official title and NOC 2021 unit group when known."""

    code: str
    title: str
    noc: str | None


@dataclass(frozen=True)
class OccupationTitles:
    """The committed titles file: title key -> code, code -> title, code prefix -> NOC."""

    code_of_title: dict[str, str]
    official_titles: dict[str, str]
    noc_by_prefix: dict[str, str]
    words_in_text: frozenset[str]
    first_words: frozenset[str]  # the first word of every title, to skip other words fast
    related: dict[tuple[str, str], float]  # curated closeness across SOC groups, both ways
    plural_titles: frozenset[str]  # "software developers": other people, in a resume

    def occupation(self, code: str) -> Occupation:
        """The occupation with this O*NET-SOC code."""
        return Occupation(code, self.official_titles.get(code, code), self.noc_of(code))

    def noc_of(self, code: str) -> str | None:
        """NOC 2021 unit group of an O*NET-SOC code, from the longest listed prefix."""
        for length in range(len(code), 1, -1):
            noc = self.noc_by_prefix.get(code[:length])
            if noc is not None:
                return noc
        return None


@lru_cache(maxsize=1)
def load_titles() -> OccupationTitles:
    """The titles file, read once per process."""
    document = json.loads(DATA_PATH.read_text(encoding="utf-8"))
    french = json.loads(FRENCH_TITLES_PATH.read_text(encoding="utf-8"))
    code_of_title = {
        title: code
        for source in (document["titles"], french["titles"])
        for code, titles in source.items()
        for title in titles
    }
    official_keys = {title_key(title) for title in document["occupations"].values()}
    plural_titles = frozenset(
        title
        for title in code_of_title
        if title in official_keys or (title.endswith("s") and title[:-1] in code_of_title)
    )
    return OccupationTitles(
        code_of_title,
        document["occupations"],
        document["noc"],
        frozenset(document["words_in_text"]),
        frozenset(title.split()[0] for title in code_of_title),
        {
            pair: value
            for left, right, value in document["related"]
            for pair in ((left, right), (right, left))
        },
        plural_titles,
    )


@lru_cache(maxsize=65536)
def occupation_of_title(title: str) -> Occupation | None:
    """The occupation a job title names (`Senior Data Scientist II` -> 15-2051.00), or None.

    The whole title first, then without seniority words, then its longest known part
    (`Data Scientist, Marketing Analytics` -> data scientist), then the known title it
    misspells.
    """
    titles = load_titles()
    key = title_key(title)
    for candidate in (key, without_level_words(key)):
        code = titles.code_of_title.get(candidate)
        if code is not None:
            return titles.occupation(code)
    found = _title_spans(words(title.split("(")[0]) or words(title), titles)
    if found:
        _, _, code = max(found, key=lambda span: (span[1] - span[0], -span[0]))
        return titles.occupation(code)
    code = _misspelt_title_code(without_level_words(key), titles)
    return titles.occupation(code) if code else None


def _misspelt_title_code(key: str, titles: OccupationTitles) -> str | None:
    """The code of the known title `key` is a misspelling of, or None."""
    if len(key) < 8:  # short keys are too close to too many titles to guess
        return None
    found = process.extractOne(
        key, titles.code_of_title.keys(), scorer=fuzz.ratio, score_cutoff=TYPO_SIMILARITY
    )
    return titles.code_of_title[found[0]] if found else None


def occupations_in_text(text: str, limit: int = RESUME_OCCUPATIONS) -> list[tuple[str, float]]:
    """The `limit` occupations a resume's titles name most, as (code, share of weight).

    Every known title in the text votes for its occupation, the ones among the first
    words (title lines, headline) more; a one-word title counts there only, unless it is
    one the curated seed trusts in running text (`advocate`, `hr`). A title in the plural
    names other people ("worked with business analysts and software developers"), not the
    writer, and does not vote.
    """
    titles = load_titles()
    tokens = words(text)
    weight_of: dict[str, float] = defaultdict(float)
    for start, end, code in _title_spans(tokens, titles):
        if " ".join(tokens[start:end]) in titles.plural_titles:
            continue
        early = start < RESUME_HEAD_WORDS
        if end - start > 1 or early or tokens[start] in titles.words_in_text:
            weight_of[code] += EARLY_WEIGHT if early else 1.0
    total = sum(weight_of.values())
    best = sorted(weight_of.items(), key=lambda item: (-item[1], item[0]))[:limit]
    return [(code, weight / total) for code, weight in best]


def _title_spans(tokens: tuple[str, ...], titles: OccupationTitles) -> list[tuple[int, int, str]]:
    """Known titles in `tokens`, longest first and not overlapping: (start, end, code)."""
    code_of_title, first_words = titles.code_of_title, titles.first_words
    spans = []
    position = 0
    while position < len(tokens):
        if tokens[position] not in first_words:
            position += 1
            continue
        for length in range(min(MAX_TITLE_WORDS, len(tokens) - position), 0, -1):
            code = code_of_title.get(" ".join(tokens[position : position + length]))
            if code is not None:
                spans.append((position, position + length, code))
                position += length
                break
        else:
            position += 1
    return spans
