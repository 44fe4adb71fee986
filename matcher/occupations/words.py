"""How titles and resume text become word tuples, shared by the occupation build and lookups."""

from __future__ import annotations

import re
import unicodedata

_WORD = re.compile(r"[a-z0-9]+(?:[+#]+|\.net)?")
# Seniority and level words say how senior, not which occupation.
LEVEL_WORDS = frozenset(
    "senior sr jr junior mid lead principal staff chief head associate assistant "
    "i ii iii iv v 1 2 3 4 intern internship trainee entry level experienced".split()
)


def words(text: str) -> tuple[str, ...]:
    """Lower-case words of `text`, accents folded, punctuation dropped (`c#`, `.net` kept)."""
    if not text.isascii():
        text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return tuple(_WORD.findall(text.casefold().replace("&", " and ")))


def title_key(title: str) -> str:
    """The lookup key of a title: its words without parenthesised parts, joined by spaces."""
    return " ".join(words(re.sub(r"\([^)]*\)", " ", title)))


def without_level_words(key: str) -> str:
    """A title key without seniority words (`senior data scientist ii` -> `data scientist`)."""
    return " ".join(word for word in key.split() if word not in LEVEL_WORDS)
