"""The languages the service speaks, and where their translations live.

Pages (Flask-Babel) and emails (Jinja's i18n extension) read the same gettext
catalogs, `translations/<lang>/LC_MESSAGES/messages.po`, so a string is translated once.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from babel.support import NullTranslations, Translations
from sqlite_utils import Database

SUPPORTED_LANGUAGES = ("en", "fr")
DEFAULT_LANGUAGE = "en"
TRANSLATIONS_DIR = Path(__file__).parent / "translations"


def normalise_language(value: str | None) -> str | None:
    """`fr`, `FR`, `fr-CA` or `fr_CA` → `fr`; anything unsupported → None."""
    if not value:
        return None
    code = value.strip().replace("_", "-").split("-")[0].lower()
    return code if code in SUPPORTED_LANGUAGES else None


@lru_cache(maxsize=len(SUPPORTED_LANGUAGES))
def translations_for(language: str) -> NullTranslations:
    """The compiled catalog for `language`; English (the source strings) when there is none."""
    if language == DEFAULT_LANGUAGE:
        return NullTranslations()
    return Translations.load(str(TRANSLATIONS_DIR), [language], domain="messages")


def worker_language(db: Database, worker_id: int) -> str:
    """The language a worker reads their pages and emails in (`workers.preferred_language`)."""
    row = db.execute("SELECT preferred_language FROM workers WHERE id = ?", [worker_id]).fetchone()
    return normalise_language(row[0] if row else None) or DEFAULT_LANGUAGE


def user_language(db: Database, user_id: int) -> str:
    """An account's language: its worker's for a worker, else `users.preferred_language`."""
    row = db.execute(
        "SELECT u.preferred_language, w.preferred_language FROM users u"
        " LEFT JOIN workers w ON w.id = u.worker_id WHERE u.id = ?",
        [user_id],
    ).fetchone()
    if row is None:
        return DEFAULT_LANGUAGE
    return normalise_language(row[1] or row[0]) or DEFAULT_LANGUAGE
