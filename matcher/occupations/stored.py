"""A resume's occupations as stored beside it (`workers.resume_occupations`, m023).

Finding the titles in a resume is the slow part of loading the worker table, so it is
done when the profile is written. The stored text carries a version of the titles file
and of the code that reads it, so a value written before either changed is recomputed on
load instead of being trusted, and written back (`store_current_values`) so that the next
load reads it again.
"""

from __future__ import annotations

import hashlib
import sqlite3
from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path

from sqlite_utils import Database

from matcher.occupations import lookup, words
from matcher.occupations.lookup import DATA_PATH, RESUME_OCCUPATIONS, occupations_in_text
from matcher.store.database import write_transaction

Found = tuple[tuple[str, float], ...]
_SEPARATOR = "|"


@lru_cache(maxsize=1)
def occupations_version() -> str:
    """A digest of the titles file and of the modules that read resumes with it."""
    digest = hashlib.sha256(DATA_PATH.read_bytes())
    for module in (lookup, words):
        digest.update(Path(module.__file__).read_bytes())
    digest.update(str(RESUME_OCCUPATIONS).encode())
    return digest.hexdigest()[:16]


def resume_occupations(text: str | None) -> Found:
    """The resume's occupations, as `occupations_in_text` finds them: (code, share) pairs."""
    return tuple(occupations_in_text(text or "", limit=RESUME_OCCUPATIONS))


def stored_resume_occupations(text: str | None) -> str:
    """The column value for a resume: the version, then each `code=share` (shares exact)."""
    found = ";".join(f"{code}={share!r}" for code, share in resume_occupations(text))
    return f"{occupations_version()}{_SEPARATOR}{found}"


def read_resume_occupations(value: str | None) -> Found | None:
    """The occupations a stored value holds, or None when it is missing or out of date."""
    version, separator, found = (value or "").partition(_SEPARATOR)
    if not separator or version != occupations_version():
        return None
    pairs = (item.split("=") for item in found.split(";") if item)
    return tuple((code, float(share)) for code, share in pairs)


def is_current(value: str | None) -> bool:
    """Whether a stored value was written by this version of the titles and their reader."""
    return (value or "").startswith(occupations_version() + _SEPARATOR)


def store_current_values(
    db: Database, outdated: Sequence[tuple[int, str | None]]
) -> dict[str | None, str]:
    """The current value of each resume text of `outdated` (worker id, resume text) rows,
    written to those workers unless their resume changed meanwhile.

    A database that cannot be written now (read-only, or locked past the busy timeout)
    keeps the old values, and the next load recomputes them again.
    """
    values = {text: stored_resume_occupations(text) for text in {text for _, text in outdated}}
    try:
        with write_transaction(db):
            db.conn.executemany(
                "UPDATE workers SET resume_occupations = ? WHERE id = ? AND resume_text IS ?",
                [(values[text], worker_id, text) for worker_id, text in outdated],
            )
    except sqlite3.OperationalError:
        pass
    return values


def refresh_stored_occupations(db: Database) -> int:
    """Write the current value for every live worker whose stored one is missing or out of
    date; the number found so. The batch calls it first, as its workers read the database
    read-only and would each recompute what the web app writes back on its first load."""
    prefix = occupations_version() + _SEPARATOR  # as `is_current` reads it, in SQL
    outdated = db.execute(
        "SELECT id, resume_text FROM workers WHERE deleted_at IS NULL AND "
        "(resume_occupations IS NULL OR substr(resume_occupations, 1, ?) != ?)",
        [len(prefix), prefix],
    ).fetchall()
    if outdated:
        store_current_values(db, outdated)
    return len(outdated)
