"""How close two O*NET-SOC occupations are, from the code's hierarchy.

`15-2051.01` reads major group 15, minor group 15-2, broad occupation 15-205, detailed
occupation 15-2051 and O*NET's specialisation .01. Two codes are as close as the longest
level they share: a data scientist and a business intelligence analyst (15-2051) are close,
a data scientist and a software developer (15 only) related, a data scientist and an HR
specialist (13-1071) unrelated. Two codes that Canada's NOC 2021 puts in one unit group are
close whatever SOC says (a management analyst and a project management specialist are both
NOC 11201), and a few curated pairs are close across groups (`related` in `seed_titles.txt`).
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np

from matcher.occupations.lookup import load_titles

# (prefix length, similarity) from the most specific level to the most general.
LEVELS: tuple[tuple[int, float], ...] = (
    (10, 1.0),  # the same code
    (7, 0.9),  # the same detailed occupation
    (6, 0.7),  # the same broad occupation
    (4, 0.5),  # the same minor group
    (2, 0.3),  # the same major group
)
# SOC's intermediate aggregation of major groups (management, business and financial;
# computer, engineering and science; ...): the most general level that still relates.
MAJOR_GROUP_FAMILIES: tuple[frozenset[str], ...] = tuple(
    frozenset(group.split())
    for group in (
        "11 13",
        "15 17 19",
        "21 23 25 27",
        "29 31",
        "33 35 37 39",
        "41 43",
        "45 47 49",
        "51 53",
    )
)
SAME_FAMILY_SIMILARITY = 0.1
# Two codes of one NOC 2021 unit group: as close as one SOC broad occupation (a unit group is
# broader than O*NET's detailed occupation).
SAME_NOC_UNIT_GROUP_SIMILARITY = 0.7
# A side whose occupation is not known is neither close nor far.
UNKNOWN_SIMILARITY = 0.25


def occupation_similarity(left: str | None, right: str | None) -> float:
    """1 for the same code, less the higher up the hierarchy they part, 0 across major groups."""
    if not left or not right:
        return UNKNOWN_SIMILARITY
    titles = load_titles()
    related = titles.related.get((left, right), 0.0)
    noc = titles.noc_of(left)
    if noc is not None and noc == titles.noc_of(right):
        related = max(related, SAME_NOC_UNIT_GROUP_SIMILARITY)
    for length, similarity in LEVELS:
        if left[:length] == right[:length]:
            return max(similarity, related)
    if any(left[:2] in family and right[:2] in family for family in MAJOR_GROUP_FAMILIES):
        return max(SAME_FAMILY_SIMILARITY, related)
    return related


@lru_cache(maxsize=1)
def occupation_codes() -> tuple[str, ...]:
    """Every O*NET-SOC code, in order: the column of each code in similarity arrays."""
    return tuple(sorted(load_titles().official_titles))


@lru_cache(maxsize=1)
def code_positions() -> dict[str, int]:
    """Each code's position in `occupation_codes()`."""
    return {code: position for position, code in enumerate(occupation_codes())}


@lru_cache(maxsize=1)
def _code_levels() -> tuple[np.ndarray, ...]:
    """Every code's prefix at each level of LEVELS, and its major group, as string arrays."""
    codes = np.array(occupation_codes())
    return tuple(codes.astype(f"<U{length}") for length, _ in LEVELS)


@lru_cache(maxsize=1)
def _noc_unit_groups() -> np.ndarray:
    """Every code's NOC 2021 unit group ("" where none is known), as a string array."""
    titles = load_titles()
    return np.array([titles.noc_of(code) or "" for code in occupation_codes()])


@lru_cache(maxsize=4096)
def similarity_to_codes(code: str | None) -> np.ndarray:
    """Similarity of `code` to every code of `occupation_codes()`, then a last 0 for padding
    (`occupation_similarity` of each, computed in bulk).

    Cached and shared: callers must not modify the array.
    """
    count = len(occupation_codes())
    if not code:
        return np.r_[np.full(count, UNKNOWN_SIMILARITY), 0.0].astype(np.float32)
    titles = load_titles()
    similarity = np.zeros(count, dtype=np.float32)
    majors = _code_levels()[-1]
    for family in MAJOR_GROUP_FAMILIES:
        if code[:2] in family:
            similarity[np.isin(majors, list(family))] = SAME_FAMILY_SIMILARITY
    noc = titles.noc_of(code)
    if noc is not None:
        similarity[_noc_unit_groups() == noc] = SAME_NOC_UNIT_GROUP_SIMILARITY
    for (length, value), prefixes in zip(reversed(LEVELS), reversed(_code_levels()), strict=True):
        shared = prefixes == code[:length]
        similarity[shared] = np.maximum(similarity[shared], value)
    for (left, right), value in titles.related.items():
        if left == code:
            position = code_positions()[right]
            similarity[position] = max(similarity[position], value)
    return np.r_[similarity, 0.0].astype(np.float32)
