"""`extract_skills`: the vocabulary skills named in free text (resumes, job descriptions).

Text is cut into tokens that keep skill punctuation (`C++`, `C#`, `.NET`, `Node.js`, `CI/CD`);
a token that is no skill as a whole is cut again at slashes and hyphens (`Python/Django`). At
each token the longest curated alias wins, so `Spring Boot` beats `Spring`. Aliases that are
also English words obey the data file's text rules: exact case (`Swift`, not "a swift reply"),
and for the most ambiguous (`Go`, `R`, `C`, `Make`, `Spring`) tech context, meaning a skill
joined to it by list punctuation ("Java, Go and Rust") or a word such as "developer".
`context_rules.json` adds generic words that job ads write in lower case ("cloud-based
services", "rest endpoints", "java spring") and holds back common words ("meeting room").
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache, lru_cache, partial
from pathlib import Path
from typing import NamedTuple

from matcher.skills.folding import fold_exact
from matcher.skills.vocabulary import TextRule, Vocabulary, load_vocabulary

_TOKEN = re.compile(r"\.?[^\W_][\w+#]*(?:[./&-][^\W_][\w+#]*)*")
_TOKEN_PART = re.compile(r"[^/\-]+")
_PHRASE_GAP = re.compile(r"[ \t]+|[/-]")
_LIST_GAP = re.compile(r"[\s,;/|&()+\-\u2022\u00b7*]*")
_LIST_WORDS = frozenset({"and", "or", "&", "with", "plus", "et", "ou", "avec"})
_SENTENCE_END = frozenset(".!?\n\u2022\u00b7\u25aa*>")
CONTEXT_WORDS = frozenset(
    """
    programming language languages lang developer developers engineer engineers framework
    frameworks library libraries coding sdk backend frontend scripting stack written
    langage langages programmation développeur développeuse développeurs développeuses
    ingénieur ingénieure ingénieurs cadriciel cadriciels bibliothèque bibliothèques
    """.split()
)
_LINK_WORDS = frozenset({"in", "with", "of", "en", "de", "avec"})
_SPACES = re.compile(r"[ \t]+")
_WORD_GAP = re.compile(r"[ \t]*-?[ \t]*")
CONTEXT_RULES_PATH = Path(__file__).parent / "context_rules.json"


class _Token(NamedTuple):
    text: str
    start: int
    end: int
    key: str


@dataclass
class _Match:
    first: int  # index of the first token
    last: int  # index of the last token
    skill: str
    confirmed: bool


def extract_skills(text: str, *, context_rules: bool = True) -> list[str]:
    """Canonical names of the skills in `text`, deduplicated, in order of first appearance.

    `context_rules=False` leaves out `context_rules.json`, so benchmarks can compare."""
    if not text:
        return []
    vocabulary = load_vocabulary()
    tokens = tokenize(text, vocabulary)
    matches = _find_matches(text, tokens, vocabulary)
    if context_rules:
        matches = _apply_context_rules(text, tokens, matches, load_context_rules())
    _confirm_by_context(text, tokens, matches)
    found = dict.fromkeys(match.skill for match in matches if match.confirmed)
    return list(found)


def tokenize(text: str, vocabulary: Vocabulary) -> list[_Token]:
    """Word tokens; one that is not a skill as a whole is split at slashes and hyphens."""
    tokens: list[_Token] = []
    append, prose_index = tokens.append, vocabulary.prose_index  # local names: runs per word
    for word in _TOKEN.finditer(text):
        surface = word.group()
        key = _fold_token(surface)
        if ("/" not in surface and "-" not in surface) or key in prose_index:
            append(_make_token((surface, word.start(), word.end(), key)))
            continue
        start = word.start()
        for part in _TOKEN_PART.finditer(surface):
            part_start, part_end = part.span()
            piece = part.group()
            tokens.append(
                _make_token((piece, start + part_start, start + part_end, _fold_token(piece)))
            )
    return tokens


# Builds a `_Token` from a tuple in C, skipping NamedTuple's Python-level constructor: this
# runs once per word of every resume.
_make_token = partial(tuple.__new__, _Token)


@lru_cache(maxsize=65_536)
def _fold_token(surface: str) -> str:
    """Token keys, memoised: the same words recur across resumes."""
    return fold_exact(surface)


def _find_matches(text: str, tokens: list[_Token], vocabulary: Vocabulary) -> list[_Match]:
    prefixes = _alias_prefixes(vocabulary)
    matches: list[_Match] = []
    resume_at = 0
    # Most words start no alias: searching only those that may is what makes this fast.
    for index in [i for i, token in enumerate(tokens) if token.key in prefixes]:
        if index < resume_at:
            continue
        match = _longest_match(text, tokens, index, vocabulary)
        if match is None:
            continue
        if match.skill:
            matches.append(match)
        resume_at = match.last + 1
    return matches


def _longest_match(
    text: str, tokens: list[_Token], index: int, vocabulary: Vocabulary
) -> _Match | None:
    for last, key in reversed(_aliases_spelled(tokens, index, vocabulary)):
        if last > index and not _is_phrase(text, tokens, index, last):
            continue
        rule = vocabulary.text_rules.get(key)
        if rule is not None and rule.kind == "never":
            continue
        surface = text[tokens[index].start : tokens[last].end]
        status = _status(rule, surface, lambda: _starts_sentence(text, tokens[index].start))
        # A rejected ambiguous word still consumes its tokens: it was the word, not a skill.
        skill = vocabulary.prose_index[key] if status != "rejected" else ""
        return _Match(index, last, skill, status == "confirmed")
    return None


def _aliases_spelled(
    tokens: list[_Token], index: int, vocabulary: Vocabulary
) -> list[tuple[int, str]]:
    """(last token, key) of each prose alias the tokens from `index` spell, shortest first."""
    longest = min(_phrase_lengths(vocabulary).get(tokens[index].key, 1), len(tokens) - index)
    prefixes = _alias_prefixes(vocabulary)
    spelled = []
    key = tokens[index].key
    for last in range(index, index + longest):
        if last > index:
            key = f"{key} {tokens[last].key}"
        if key not in prefixes:  # no alias goes on from here
            break
        if key in vocabulary.prose_index:
            spelled.append((last, key))
    return spelled


def _status(rule: TextRule | None, surface: str, at_sentence_start: Callable[[], bool]) -> str:
    if rule is None:
        return "confirmed"
    if surface != rule.form:
        return "rejected"
    if rule.kind == "case" and not at_sentence_start():
        return "confirmed"
    return "pending"


def _confirm_by_context(text: str, tokens: list[_Token], matches: list[_Match]) -> None:
    """Confirms pending ambiguous matches that sit in a list of skills or next to a tech word."""
    for _ in range(2):  # a second round lets "Go and Rust" confirm each other
        confirmed_ends = {m.last for m in matches if m.confirmed}
        confirmed_starts = {m.first for m in matches if m.confirmed}
        for match in matches:
            if not match.confirmed and (
                _listed_with_skill(text, tokens, match, confirmed_starts, confirmed_ends)
                or _near_context_word(text, tokens, match)
            ):
                match.confirmed = True


def _listed_with_skill(text, tokens, match, starts: set[int], ends: set[int]) -> bool:
    after = [i for i in (match.last + 1, match.last + 2) if i in starts]
    before = [i for i in (match.first - 1, match.first - 2) if i in ends]
    return any(_linked(text, tokens, match.last, i) for i in after) or any(
        _linked(text, tokens, i, match.first) for i in before
    )


def _linked(text: str, tokens: list[_Token], left: int, right: int) -> bool:
    """Whether two tokens are neighbours in a list: only list punctuation or and/or between."""
    if right - left == 2 and tokens[left + 1].key not in _LIST_WORDS:
        return False
    return all(
        _LIST_GAP.fullmatch(text, tokens[i].end, tokens[i + 1].start) for i in range(left, right)
    )


def _near_context_word(text: str, tokens: list[_Token], match: _Match) -> bool:
    """A tech word right next to the match ("Go developer"), or one small word away
    ("written in Go"), with nothing but spaces between."""
    for step in (1, 2):
        before = (match.first - step, match.first - step, match.first)
        after = (match.last + step, match.last, match.last + step)
        for word, left, right in (before, after):
            if left < 0 or right >= len(tokens):
                continue
            if (
                tokens[word].key in CONTEXT_WORDS
                and all(tokens[i].key in _LINK_WORDS for i in range(left + 1, right))
                and all(
                    _SPACES.fullmatch(text, tokens[i].end, tokens[i + 1].start)
                    for i in range(left, right)
                )
            ):
                return True
    return False


def _is_phrase(text: str, tokens: list[_Token], first: int, last: int) -> bool:
    """Tokens form one phrase when only spaces, or a slash or hyphen, separate them."""
    return all(
        _PHRASE_GAP.fullmatch(text, tokens[i].end, tokens[i + 1].start) for i in range(first, last)
    )


def _starts_sentence(text: str, position: int) -> bool:
    previous = _previous_visible(text, position)
    if previous < 0 or text[previous] in _SENTENCE_END:
        return True
    # A "- " bullet at the start of a line also starts a sentence.
    if text[previous] == "-":
        before_dash = _previous_visible(text, previous)
        return before_dash < 0 or text[before_dash] == "\n"
    return False


def _previous_visible(text: str, position: int) -> int:
    """Index of the last character before `position` that is not a space or tab, or -1."""
    index = position - 1
    while index >= 0 and text[index] in " \t":
        index -= 1
    return index


@cache
def _phrase_lengths(vocabulary: Vocabulary) -> dict[str, int]:
    """First word of each prose alias -> the most words an alias starting with it has."""
    lengths: dict[str, int] = {}
    for key in vocabulary.prose_index:
        words = key.split(" ")
        lengths[words[0]] = max(lengths.get(words[0], 1), len(words))
    return lengths


@cache
def _alias_prefixes(vocabulary: Vocabulary) -> frozenset[str]:
    """Every prose alias and each of its leading runs of words (`spring`, `spring boot`)."""
    prefixes = set()
    for key in vocabulary.prose_index:
        words = key.split(" ")
        prefixes.update(" ".join(words[:length]) for length in range(1, len(words) + 1))
    return frozenset(prefixes)


@dataclass(frozen=True)
class ContextualWord:
    """A generic word that is a skill next to one of its words or next to a skill."""

    skill: str
    before: frozenset[str]
    after: frozenset[str]
    adjacent_skill: bool


@dataclass(frozen=True)
class ContextRules:
    contextual: dict[str, ContextualWord]
    needs_context: dict[str, frozenset[str]]


@cache
def load_context_rules(path: Path = CONTEXT_RULES_PATH) -> ContextRules:
    """The rules of `context_rules.json`, checked against the vocabulary once per process."""
    document = json.loads(path.read_text(encoding="utf-8"))
    vocabulary = load_vocabulary()
    contextual = {}
    for word, rule in document["contextual"].items():
        if vocabulary.get(rule["skill"]) is None:
            raise ValueError(f"context rule {word!r}: {rule['skill']!r} is no vocabulary skill")
        contextual[word] = ContextualWord(
            rule["skill"],
            frozenset(rule["before"]),
            frozenset(rule["after"]),
            rule["adjacent_skill"],
        )
    needs = {word: frozenset(words) for word, words in document["needs_context"].items()}
    return ContextRules(contextual, needs)


def _apply_context_rules(
    text: str, tokens: list[_Token], matches: list[_Match], rules: ContextRules
) -> list[_Match]:
    """Matches for contextual words in tech context; common-word skills left pending."""
    covered = {i for match in matches for i in range(match.first, match.last + 1)}
    for match in matches:
        key = tokens[match.first].key if match.first == match.last else ""
        if key in rules.needs_context:
            match.confirmed = _next_to(text, tokens, match.first, rules.needs_context[key])
        elif key in rules.contextual and not match.confirmed:
            rule = rules.contextual[key]
            match.confirmed = _in_tech_context(text, tokens, match.first, rule, matches)
    added = [
        _Match(i, i, rules.contextual[token.key].skill, False)
        for i, token in enumerate(tokens)
        if token.key in rules.contextual and i not in covered
    ]
    for match in added:
        rule = rules.contextual[tokens[match.first].key]
        match.confirmed = _in_tech_context(text, tokens, match.first, rule, matches)
    return sorted(matches + added, key=lambda match: match.first)


def _in_tech_context(
    text: str, tokens: list[_Token], index: int, rule: ContextualWord, matches: list[_Match]
) -> bool:
    if _next_to(text, tokens, index, rule.before, rule.after):
        return True
    if not rule.adjacent_skill:
        return False
    confirmed = [m for m in matches if m.confirmed]
    return any(
        (m.last == index - 1 and _gap_is_word_gap(text, tokens, m.last))
        or (m.first == index + 1 and _gap_is_word_gap(text, tokens, index))
        for m in confirmed
    )


def _next_to(
    text: str,
    tokens: list[_Token],
    index: int,
    before: frozenset[str],
    after: frozenset[str] | None = None,
) -> bool:
    """Whether a word of `before` precedes token `index`, or one of `after` (default: the
    same words) follows it, with only a space or hyphen between."""
    after = before if after is None else after
    if index > 0 and tokens[index - 1].key in before and _gap_is_word_gap(text, tokens, index - 1):
        return True
    return (
        index + 1 < len(tokens)
        and tokens[index + 1].key in after
        and _gap_is_word_gap(text, tokens, index)
    )


def _gap_is_word_gap(text: str, tokens: list[_Token], left: int) -> bool:
    """Only spaces or one hyphen between token `left` and the next."""
    return _WORD_GAP.fullmatch(text, tokens[left].end, tokens[left + 1].start) is not None
