"""`normalize_skill`: the canonical name of a skill term, or None when it is not clearly one skill.

Exact and compact alias lookups come first. Only a term of six or more characters may then be
fuzzy-matched, against keys of the same first letter, and only with edits that typos make:
swapped, dropped or doubled letters, a plural s; a changed letter only in long words, because
one changed letter turns many short English words into skills (sprint/Spring, docket/Docker).
Ties between two skills give None: a wrong skill is worse than none.
"""

from __future__ import annotations

from collections import defaultdict
from functools import cache

from rapidfuzz import process
from rapidfuzz.distance import OSA, Levenshtein

from matcher.skills.folding import fold_compact, fold_exact
from matcher.skills.vocabulary import Vocabulary, load_vocabulary

MIN_FUZZY_LENGTH = 6
MIN_SUBSTITUTION_LENGTH = 8
MIN_TWO_EDIT_LENGTH = 10
MEMO_LIMIT = 200_000

_memo: dict[str, str | None] = {}


def normalize_skill(term: str) -> str | None:
    """The canonical display name for a skill term (`k8s` -> `Kubernetes`), or None."""
    try:
        return _memo[term]
    except KeyError:
        pass
    except TypeError:  # an unhashable value is no skill term
        return None
    result = normalize_uncached(term, load_vocabulary())
    if len(_memo) >= MEMO_LIMIT:
        _memo.clear()
    _memo[term] = result
    return result


def clear_memo() -> None:
    """Forgets memoised answers (benchmarks measure from a cold memo)."""
    _memo.clear()


def normalize_uncached(term: str, vocabulary: Vocabulary) -> str | None:
    """`normalize_skill` without the memo, for one vocabulary."""
    if not isinstance(term, str):
        return None
    exact = fold_exact(term)
    if not exact:
        return None
    compact = fold_compact(exact)
    found = vocabulary.exact_index.get(exact) or vocabulary.compact_index.get(compact)
    if found is not None:
        return found
    return fuzzy_match(compact, vocabulary)


def fuzzy_match(compact: str, vocabulary: Vocabulary) -> str | None:
    """The one skill a long-enough compact key is a plausible typo of, or None."""
    if len(compact) < MIN_FUZZY_LENGTH or not compact[0].isalpha():
        return None
    max_edits = 2 if len(compact) >= MIN_TWO_EDIT_LENGTH else 1
    candidates = _candidate_keys(vocabulary, compact[0], len(compact), max_edits)
    scored = process.extract(
        compact,
        candidates,
        scorer=OSA.distance,
        processor=None,
        score_cutoff=max_edits,
        limit=None,
    )
    plausible = [(key, edits) for key, edits, _ in scored if _is_typo(compact, key, edits)]
    if not plausible:
        return None
    fewest = min(edits for _, edits in plausible)
    skills = {vocabulary.compact_index[key] for key, edits in plausible if edits == fewest}
    return skills.pop() if len(skills) == 1 else None


def _is_typo(term: str, key: str, edits: int) -> bool:
    """Whether one OSA edit is a kind of edit people make by mistake (more edits: long words)."""
    if edits != 1:
        return True
    if Levenshtein.distance(term, key) == 2:  # two swapped neighbours
        return True
    if len(term) < len(key):  # a dropped letter
        return True
    if len(term) > len(key):  # an extra letter: only a doubled one or a plural "s"
        extra = next(
            (i for i, (a, b) in enumerate(zip(term, key, strict=False)) if a != b), len(key)
        )
        if extra == len(key) and term[extra] == "s":
            return True
        return term[extra] in term[max(extra - 1, 0) : extra] + term[extra + 1 : extra + 2]
    return len(term) >= MIN_SUBSTITUTION_LENGTH


def _candidate_keys(vocabulary: Vocabulary, first: str, length: int, max_edits: int) -> list:
    buckets = _fuzzy_buckets(vocabulary)
    keys: list[str] = []
    for size in range(length - max_edits, length + max_edits + 1):
        keys.extend(buckets.get((first, size), ()))
    return keys


@cache
def _fuzzy_buckets(vocabulary: Vocabulary) -> dict[tuple[str, int], list]:
    """Compact keys long enough to be fuzzy targets, by first letter and length."""
    buckets: dict[tuple[str, int], list[str]] = defaultdict(list)
    for key in vocabulary.compact_index:
        if len(key) >= MIN_FUZZY_LENGTH and key[0].isalpha():
            buckets[(key[0], len(key))].append(key)
    return dict(buckets)
