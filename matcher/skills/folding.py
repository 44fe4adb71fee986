"""How a skill term is folded into lookup keys, shared by the vocabulary build and the lookups.

Two keys per term. The exact key only drops case, surrounding punctuation and the difference
between spaces, hyphens and underscores, so `C`, `C++` and `C#` stay three keys. The compact
key also drops spaces, dots and slashes, so `Node.js`, `nodejs` and `node js` meet.
"""

from __future__ import annotations

import re
import unicodedata

# Characters that separate words the same way a space does.
_AS_SPACE = str.maketrans({"-": " ", "_": " ", "\u2010": " ", "\u2013": " ", "\u2014": " "})
# Characters whose absence does not change which skill is meant once words are joined.
_DROPPED_IN_COMPACT = str.maketrans("", "", " ./'")
# Wrapping punctuation that never belongs to a skill name; `+`, `#` and a leading `.` do.
_WRAPPING = " \t\r\n\"'`,;:!?()[]{}<>*|"
_SPACES = re.compile(r"\s+")


def fold_exact(term: str) -> str:
    """The exact lookup key: case-folded, trimmed, with hyphens and underscores as spaces."""
    if not term.isascii():
        term = unicodedata.normalize("NFKC", term)
    text = term.casefold().translate(_AS_SPACE)
    return _SPACES.sub(" ", text).strip(_WRAPPING).rstrip(".").strip()


def fold_compact(exact_key: str) -> str:
    """The compact key of an exact key: also without spaces, dots, slashes and apostrophes."""
    return exact_key.translate(_DROPPED_IN_COMPACT)
