"""The languages the service speaks, and where their translations live.

Pages (Flask-Babel) and emails (Jinja's i18n extension) read the same gettext
catalogs, `translations/<lang>/LC_MESSAGES/messages.po`, so a string is translated once.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from babel.support import NullTranslations, Translations

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
