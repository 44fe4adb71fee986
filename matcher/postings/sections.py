"""Posting sections by heading: what is required, what is a bonus, what is about the company.

A heading is a short line (a few words, maybe ending in a colon, maybe in bold or with `#`)
that names a known section in English or French; "Requirements: Python, SQL" is a heading
with its content on the same line. Until the first heading the text is the introduction.
Sentences that say they are optional ("... is an asset", "un atout") count as nice to have
wherever they are; equal-opportunity and accommodation sentences are ignored wherever they are.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

from matcher.postings.text import BULLET_CHARS, fold, sentences, strip_bullet


class SectionKind(StrEnum):
    INTRO = "intro"
    DUTIES = "duties"
    REQUIRED = "required"
    NICE = "nice_to_have"
    IGNORED = "ignored"


@dataclass(frozen=True)
class Segment:
    """One sentence of the posting, the kind of section it is in and whether it is a heading."""

    text: str
    folded: str
    kind: SectionKind
    line_number: int


MAX_HEADING_WORDS = 9
MAX_SEGMENTS = 400
MAX_HEADING_CHARS = 70

# Checked in this order: "Preferred qualifications" is nice to have, "About the role" duties.
_HEADING_RULES: tuple[tuple[SectionKind, re.Pattern[str]], ...] = (
    (
        SectionKind.NICE,
        re.compile(
            r"nice[- ]to[- ]haves?|\bassets?\b|\bbonus|preferred|\bpluses\b|\ba plus\b|"
            r"good[- ]to[- ]have|\batouts?\b|\bun plus\b|souhaitable|desirable|optional|"
            r"would be great|extra credit|even better"
        ),
    ),
    (
        SectionKind.DUTIES,
        re.compile(
            r"^(?:about|a propos d[eu]) (?:the|this|ce|le|du) (?:role|job|position|poste|"
            r"opportunity|mandat)|^the role|^your role|^role\b|^le role|responsibilit|"
            r"what you(?:'ll| will) do|what you(?:'ll| will) be doing|day[- ]to[- ]day|"
            r"^le poste|^description du poste|^vos (?:taches|responsabilites|defis)|"
            r"^responsabilites|^mandat|^taches|^the opportunity|^your mission|^votre mission|"
            r"^what the job involves|^in this role"
        ),
    ),
    (
        SectionKind.REQUIRED,
        re.compile(
            r"requirement|\brequired\b|must[- ]haves?|qualification|what you(?:'ll| will)? bring|"
            r"looking for|who you are|^about you|^you have|^you are|your profile|"
            r"your (?:skills|experience|background)|^skills|^experience|^competences|"
            r"exigences?|requis|profil|ce que vous apportez|ce que tu apportes|"
            r"what you need|what you(?:'ll| will)? need|you bring|^tech stack|^our stack|"
            r"^must\b|^essential|^basic qualifications|^key skills|^technical skills"
        ),
    ),
    (
        SectionKind.IGNORED,
        re.compile(
            r"^about\b|^a propos|who we are|^qui sommes|^qui nous sommes|benefits|perks|"
            r"what we offer|we offer|^why (?:join|work|you'll love)|^our (?:values|culture|"
            r"mission|story|commitment)|equal (?:opportunit|employment)|\beeo\b|diversity|"
            r"inclusion|accommodat|^avantages|nous offrons|ce que nous offrons|"
            r"^pourquoi (?:nous|joindre|travailler)|how to apply|^to apply|^life at|"
            r"^compensation|^salary|^remuneration|^work environment|^notre|"
            r"^nos avantages|^equite|^engagement|^privacy"
        ),
    ),
)
_EEO_SENTENCE = re.compile(
    r"equal (?:opportunity|employment)|accommodation|regardless of|protected (?:status|ground)|"
    r"we welcome (?:applications|applicants)|encourage (?:applications|all qualified)|"
    r"egalite (?:des chances|en emploi)|equite en emploi|accommodement|diversity and inclusion|"
    r"inclusive (?:workplace|environment)|all qualified applicants"
)
_OPTIONAL_SENTENCE = re.compile(
    r"nice[- ]to[- ]have|\ban? (?:strong |big |huge |definite )?(?:asset|plus|bonus)\b|"
    r"\bbonus\b|\bpreferred\b|\bis a plus\b|\bare a plus\b|\badvantage\b|\batouts?\b|"
    r"\bun plus\b|souhaitable|would be (?:nice|great|helpful)|\bideally\b|not required|"
    r"\boptional\b|\bpreferably\b"
)
_INLINE_HEADING = re.compile(r"^([^:.!?]{2,60}):\s*(.*)$")
_BULLETED = re.compile(rf"^\s*(?:[{BULLET_CHARS}-]|\*\s|\d{{1,2}}[.)]\s)")
# A short line saying something ("Python is a plus", "Experience with Kafka") is no heading.
_NOT_IN_HEADING = re.compile(r"[:$\d]")
_MARKED_HEADING = re.compile(r"^\s*(?:#|\*\*|__)")
_HEADING_FILLERS = frozenset(
    "key our your the some main additional basic un une vos nos les des what ce".split()
)
_STATEMENT = re.compile(r"\b(?:is|with|est|avec|using|in)\b")


def heading_kind(line: str) -> SectionKind | None:
    """The section a heading line opens, or None when the line is no heading."""
    if _BULLETED.match(line):
        return None
    text = fold(strip_bullet(line)).strip()
    marked = text.endswith(":") or _MARKED_HEADING.match(line) is not None
    text = text.rstrip(" :?").strip()
    if not text or len(text) > MAX_HEADING_CHARS or len(text.split()) > MAX_HEADING_WORDS:
        return None
    if text[-1] in ".!?," or _NOT_IN_HEADING.search(text):
        return None
    if not marked and _STATEMENT.search(text):
        return None
    for kind, pattern in _HEADING_RULES:
        match = pattern.search(text)
        if match and (marked or _starts_heading(text, match.start())):
            return kind
    return None


def _starts_heading(text: str, position: int) -> bool:
    """An unmarked heading names its section first ("Nice to have"; not "French required")."""
    if position == 0:
        return True
    first, _, _ = text.partition(" ")
    return first in _HEADING_FILLERS and position == len(first) + 1


def split_sections(text: str) -> list[Segment]:
    """Every sentence of `text` with the kind of section it belongs to; headings left out."""
    segments: list[Segment] = []
    current = SectionKind.INTRO
    for number, raw in enumerate(text.split("\n")):
        if len(segments) >= MAX_SEGMENTS:  # a posting has ~100; more is not a posting
            break
        line = strip_bullet(raw)
        if not line:
            continue
        kind = heading_kind(raw)
        if kind is not None:
            current = kind
            continue
        section = current
        inline = _INLINE_HEADING.match(line)
        if inline and not _BULLETED.match(raw):
            inline_kind = heading_kind(inline.group(1))
            if inline_kind is SectionKind.IGNORED:  # "Benefits: ..." ignores only its line
                section = inline_kind
            elif inline_kind is not None:  # "Requirements: ..." opens a section
                current = section = inline_kind
        segments.extend(_segments_of_line(line, section, number))
    return segments


def _segments_of_line(line: str, section: SectionKind, number: int) -> list[Segment]:
    segments = []
    for sentence in sentences(line):
        folded = fold(sentence)
        segments.append(Segment(sentence, folded, _sentence_kind(folded, section), number))
    return segments


def _sentence_kind(folded: str, section: SectionKind) -> SectionKind:
    """A sentence's own kind: its section's, unless it says it is optional or is an EEO line."""
    if section is SectionKind.IGNORED or _EEO_SENTENCE.search(folded):
        return SectionKind.IGNORED
    inline = _INLINE_HEADING.match(folded)
    if inline and heading_kind(inline.group(1)) is SectionKind.NICE:
        return SectionKind.NICE
    if section is not SectionKind.NICE and _OPTIONAL_SENTENCE.search(folded):
        return SectionKind.NICE
    return section
