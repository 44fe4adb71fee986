"""The page language: chosen by the user, remembered in the session, English by default."""

from __future__ import annotations

from flask import Flask, request, session
from flask_babel import Babel

from matcher.i18n import DEFAULT_LANGUAGE, SUPPORTED_LANGUAGES, TRANSLATIONS_DIR, normalise_language

SESSION_KEY = "language"


def select_language() -> str:
    """The session's choice, else the browser's best supported language, else English."""
    chosen = normalise_language(session.get(SESSION_KEY))
    if chosen:
        return chosen
    return request.accept_languages.best_match(SUPPORTED_LANGUAGES) or DEFAULT_LANGUAGE


def init_app(app: Flask) -> None:
    app.config.setdefault("BABEL_DEFAULT_LOCALE", DEFAULT_LANGUAGE)
    app.config.setdefault("BABEL_TRANSLATION_DIRECTORIES", str(TRANSLATIONS_DIR))
    Babel(app, locale_selector=select_language)
