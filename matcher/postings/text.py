"""Folding and cutting posting text: accent-free lower case for keyword rules, lines, sentences."""

from __future__ import annotations

import re
import unicodedata

# Very long text is cut here (and after `sections.MAX_SEGMENTS` sentences) so that extraction
# stays fast; a real posting is a few thousand characters, the job form accepts 20,000.
MAX_TEXT_CHARS = 60_000

BULLET_CHARS = "\u2022\u00b7\u25aa\u25cf\u25e6\u2023\u2043\u2013\u2014"
_BULLET = re.compile(rf"^[\s{BULLET_CHARS}*>#+-]*(?:\d{{1,2}}[.)]\s+)?")
_SENTENCE_BREAK = re.compile(r"(?<=[a-z0-9)\]\u00e0-\u00ff%][.!?])\s+(?=\S)|(?<=;)\s+")
_MARKUP = re.compile(r"[*_`]+")
_INLINE_BULLET = re.compile(r"[ \t]+(?=[\u2022\u25aa\u25cf]\s)")
# Scraped postings run their headings into the text: "... at scale. Qualifications • ...".
_RUN_IN_HEADING = re.compile(
    r"(?<=[.!?:])[ \t]+((?:Basic |Required |Minimum |Preferred |Additional |Key )?"
    r"(?:Responsibilities|Qualifications|Requirements|Nice to have|Benefits|Assets|Exigences|"
    r"Atouts|Responsabilit\u00e9s))[ \t]+(?=[A-Z\u2022\u00c0-\u00dd])"
)


def fold(text: str) -> str:
    """Lower case without accents (`Montréal` -> `montreal`), for keyword rules."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    folded = "".join(c for c in decomposed if not unicodedata.combining(c))
    return folded.replace("\u2019", "'").replace("\u00a0", " ").replace("\u202f", " ")


def clip(text: str) -> str:
    """The text up to `MAX_TEXT_CHARS`, line endings as `\\n`, run-in headings and bullets
    on lines of their own."""
    text = text[:MAX_TEXT_CHARS].replace("\r\n", "\n").replace("\r", "\n")
    text = _RUN_IN_HEADING.sub(r"\n\1\n", text)
    return _INLINE_BULLET.sub("\n", text)


def strip_bullet(line: str) -> str:
    """A line without its leading bullet, numbering or Markdown emphasis."""
    return _MARKUP.sub("", _BULLET.sub("", line, count=1)).strip()


def sentences(line: str) -> list[str]:
    """A line cut into sentences, so a trailing "... is an asset." marks only its own sentence."""
    return [part for part in _SENTENCE_BREAK.split(line) if part.strip()]
