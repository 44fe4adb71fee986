"""Hashed term counts of texts, exactly as scikit-learn's `HashingVectorizer` counts them.

The resumes' and postings' text terms (BM25 relevance) are hashed into `n_features` columns.
scikit-learn's vectorizer is what defined the columns, and trained models learned on them;
this reimplementation gives the same matrix (a test holds it equal on many texts) without
importing scikit-learn, whose import alone takes most of a command's start-up (the
`talentmatch shortlist` target is one second). Settings as the project uses them: word
tokens of two or more characters (`(?u)\\b\\w\\w+\\b`), lower case, scikit-learn's English stop
words, unigrams, unsigned counts, no normalisation, MurmurHash3 (x86, 32 bit, seed 0).
"""

from __future__ import annotations

import re
import struct
from collections.abc import Iterable

import numpy as np
import scipy.sparse as sp

# scikit-learn 1.9's `ENGLISH_STOP_WORDS` (`sklearn.feature_extraction._stop_words`), copied
# so that reading it imports nothing; a test holds the two equal.
ENGLISH_STOP_WORDS: frozenset[str] = frozenset(
    """
    a about above across after afterwards again against all almost alone along already also
    although always am among amongst amoungst amount an and another any anyhow anyone
    anything anyway anywhere are around as at back be became because become becomes becoming
    been before beforehand behind being below beside besides between beyond bill both bottom
    but by call can cannot cant co con could couldnt cry de describe detail do done down due
    during each eg eight either eleven else elsewhere empty enough etc even ever every
    everyone everything everywhere except few fifteen fifty fill find fire first five for
    former formerly forty found four from front full further get give go had has hasnt have
    he hence her here hereafter hereby herein hereupon hers herself him himself his how
    however hundred i ie if in inc indeed interest into is it its itself keep last latter
    latterly least less ltd made many may me meanwhile might mill mine more moreover most
    mostly move much must my myself name namely neither never nevertheless next nine no
    nobody none noone nor not nothing now nowhere of off often on once one only onto or
    other others otherwise our ours ourselves out over own part per perhaps please put
    rather re same see seem seemed seeming seems serious several she should show side since
    sincere six sixty so some somehow someone something sometime sometimes somewhere still
    such system take ten than that the their them themselves then thence there thereafter
    thereby therefore therein thereupon these they thick thin third this those though three
    through throughout thru thus to together too top toward towards twelve twenty two un
    under until up upon us very via was we well were what whatever when whence whenever
    where whereafter whereas whereby wherein whereupon wherever whether which while whither
    who whoever whole whom whose why will with within without would yet you your yours
    yourself yourselves
    """.split()
)
TOKEN_PATTERN = re.compile(r"(?u)\b\w\w+\b")
# Distinct terms whose column is remembered (a term's column never changes); cleared when full.
COLUMN_CACHE_SIZE = 1_000_000
_MASK = 0xFFFFFFFF


def murmurhash3_32(data: bytes, seed: int = 0) -> int:
    """MurmurHash3 x86 32-bit of `data`, as a signed 32-bit integer (scikit-learn's
    `murmurhash3_bytes_s32`)."""
    c1, c2 = 0xCC9E2D51, 0x1B873593
    h = seed & _MASK
    length = len(data)
    tail_start = length - (length % 4)
    for (k,) in _blocks(data[:tail_start]):
        k = (k * c1) & _MASK
        k = ((k << 15) | (k >> 17)) & _MASK
        k = (k * c2) & _MASK
        h ^= k
        h = ((h << 13) | (h >> 19)) & _MASK
        h = (h * 5 + 0xE6546B64) & _MASK
    tail = data[tail_start:]
    if tail:
        k = int.from_bytes(tail, "little")
        k = (k * c1) & _MASK
        k = ((k << 15) | (k >> 17)) & _MASK
        k = (k * c2) & _MASK
        h ^= k
    h ^= length
    h ^= h >> 16
    h = (h * 0x85EBCA6B) & _MASK
    h ^= h >> 13
    h = (h * 0xC2B2AE35) & _MASK
    h ^= h >> 16
    return h - (1 << 32) if h & 0x80000000 else h


def _blocks(data: bytes) -> Iterable[tuple[int]]:
    return struct.iter_unpack("<I", data)


class HashedTermCounter:
    """`transform(texts)`: a (len(texts), n_features) float32 CSR matrix of term counts,
    indices sorted, equal to `HashingVectorizer(n_features=n_features, alternate_sign=False,
    norm=None, stop_words="english", dtype=np.float32).transform(texts)`."""

    def __init__(self, n_features: int) -> None:
        self.n_features = n_features
        self._columns: dict[str, int] = {}

    def column_of(self, term: str) -> int:
        """The column of one term (abs(hash) mod n_features, as scikit-learn's hasher)."""
        column = self._columns.get(term)
        if column is None:
            h = murmurhash3_32(term.encode("utf-8"))
            n = self.n_features
            column = (2147483647 - (n - 1)) % n if h == -2147483648 else abs(h) % n
            if len(self._columns) >= COLUMN_CACHE_SIZE:
                self._columns.clear()
            self._columns[term] = column
        return column

    def transform(self, texts: Iterable[str]) -> sp.csr_matrix:
        columns: list[int] = []
        indptr = [0]
        known = self._columns
        column_of = self.column_of
        stop = ENGLISH_STOP_WORDS
        for text in texts:
            if not isinstance(text, str):
                raise ValueError("each text must be a string")
            for term in TOKEN_PATTERN.findall(text.lower()):
                if term not in stop:
                    column = known.get(term)
                    columns.append(column_of(term) if column is None else column)
            indptr.append(len(columns))
        matrix = sp.csr_matrix(
            (
                np.ones(len(columns), dtype=np.float32),
                np.asarray(columns, dtype=np.int32),
                np.asarray(indptr, dtype=np.int32),
            ),
            shape=(len(indptr) - 1, self.n_features),
        )
        matrix.sum_duplicates()  # also sorts each row's indices
        return matrix
