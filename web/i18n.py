"""The page language and time zone: the account's choice, else the session's, else the browser's.

`POST /language` switches it on any page (CSRF-checked, no JavaScript needed), remembers it for
a signed-in account and returns to the page it came from.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from babel import dates
from flask import Blueprint, Flask, g, has_request_context, redirect, request, session
from flask_babel import Babel, format_decimal, get_locale, get_translations, gettext

from matcher.hiring.stages import STAGE_BY_KEY
from matcher.i18n import (
    DEFAULT_LANGUAGE,
    DEFAULT_TIME_ZONE,
    SUPPORTED_LANGUAGES,
    TRANSLATIONS_DIR,
    compile_catalogs,
    employer_time_zone,
    normalise_language,
    save_language,
    stored_language,
    translations_for,
    use_language_provider,
)
from matcher.i18n.words import (
    CITY_LABELS,
    EDUCATION_LABELS,
    VALUE_LABELS,
    cefr_band,
    install_eliding_gettext,
)
from matcher.skills import skill_display_name
from web.auth import LANGUAGE_SESSION_KEY, safe_next
from web.database import get_db

SESSION_KEY = LANGUAGE_SESSION_KEY
# How each language names itself on the switch.
LANGUAGE_NAMES = {"en": "English", "fr": "Français"}

bp = Blueprint("i18n", __name__)


def select_language() -> str:
    """The signed-in account's stored language, else the session's, else the browser's."""
    user = g.get("user")
    if user is not None:
        chosen = stored_language(get_db(), user.id)
        if chosen:
            return chosen
    chosen = normalise_language(session.get(SESSION_KEY))
    if chosen:
        return chosen
    return browser_language()


def browser_language() -> str:
    """The browser's best supported language (Accept-Language), else English."""
    return request.accept_languages.best_match(SUPPORTED_LANGUAGES) or DEFAULT_LANGUAGE


def current_language() -> str:
    return _per_locale("_page_language", lambda locale: str(locale or DEFAULT_LANGUAGE))


def page_translations():
    """The catalog of the page's language (what the templates' `_()` reads)."""
    return _per_locale("_page_translations", lambda locale: get_translations())


def _per_locale(name: str, compute):
    """`compute(locale)`, kept on `g` for as long as the request's locale stays the same.

    A shortlist page translates a few hundred words, and each of Flask-Babel's lookups
    walks its request context again; this keeps the answer instead.
    """
    locale = get_locale()
    if locale is None:  # outside a request
        return compute(None)
    cached = g.get(name)
    if cached is None or cached[0] is not locale:
        cached = (locale, compute(locale))
        setattr(g, name, cached)
    return cached[1]


def select_time_zone() -> str:
    """An employer's pages keep the clock of its city (README: "Dates and time zones")."""
    user = g.get("user")
    if user is not None and user.employer_id is not None:
        return employer_time_zone(get_db(), user.employer_id)
    return DEFAULT_TIME_ZONE


def _local_moment(value: str | dt.datetime) -> dt.datetime:
    """A stored ISO timestamp (UTC, `Z` or no offset) on the clock of the page's zone.

    Converted with zoneinfo here: Flask-Babel's own conversion read December in Vancouver as
    UTC-7 (its DST handling), an hour off.
    """
    moment = value if isinstance(value, dt.datetime) else dt.datetime.fromisoformat(str(value))
    moment = moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)
    return moment.astimezone(ZoneInfo(select_time_zone()))


def local_datetime(value: str | dt.datetime | None) -> str:
    """`2026-12-01T18:43:05Z` → `Dec 1, 2026, 1:43 PM` (`1 déc. 2026, 13:43`) on the clock and
    in the language of the page."""
    if not value:
        return ""
    moment, locale = _local_moment(value), current_language()
    day = dates.format_date(moment, "medium", locale=locale)
    time = dates.format_time(moment, "short", locale=locale)
    return f"{day}, {time}".replace("\u202f", " ")


def local_date(value: str | dt.datetime | None) -> str:
    """A stored date (`2026-12-01`) or timestamp as a date in the page's zone and language."""
    if not value:
        return ""
    if isinstance(value, str) and len(value) == 10:
        return dates.format_date(dt.date.fromisoformat(value), "medium", locale=current_language())
    return dates.format_date(_local_moment(value), "medium", locale=current_language())


def translate(value: str | None) -> str:
    """A domain word (a stage label, `onsite`, `accepted`) in the page's language."""
    if not value:
        return ""
    return gettext(VALUE_LABELS.get(value, value))


def stage_label(key: str) -> str:
    """A pipeline stage key (`shortlisted`) as the page's language names it."""
    stage = STAGE_BY_KEY.get(key)
    return gettext(stage.label) if stage else key


def skill_name(name: str) -> str:
    """A canonical skill as the page's readers name it (French names for French readers)."""
    return skill_display_name(name, current_language())


def city_name(value: str | None) -> str:
    """A contract city as the page's language writes it ("Montréal" in French)."""
    return gettext(CITY_LABELS[value]) if value in CITY_LABELS else (value or "")


def education_label(value: str | None) -> str:
    return gettext(EDUCATION_LABELS[value]) if value in EDUCATION_LABELS else (value or "")


def level_label(level: int | str, scale: str) -> str:
    """`7` on the CLB scale → "CLB 7 ≈ CEFR B2, independent" (NCLC/CECR words in French)."""
    level = int(level)
    cefr, meaning = cefr_band(level)
    if not cefr:
        return gettext(
            "%(scale)s %(level)d: %(meaning)s", scale=scale, level=level, meaning=gettext(meaning)
        )
    return gettext(
        "%(scale)s %(level)d ≈ CEFR %(cefr)s, %(meaning)s",
        scale=scale,
        level=level,
        cefr=cefr,
        meaning=gettext(meaning),
    )


def format_number(value: int | float) -> str:
    """`1234` → `1,234` in English, `1 234` in French."""
    return format_decimal(value)


@bp.post("/language")
def switch_language():
    """Set the language for this browser (and the account), then go back where the user was."""
    language = normalise_language(request.form.get("language")) or DEFAULT_LANGUAGE
    session[SESSION_KEY] = language
    if g.get("user") is not None:
        save_language(get_db(), g.user.id, language)
    return redirect(safe_next(request.form.get("next"), g.get("user")))


def language_switch() -> dict:
    """What the header's switch shows: the other language and where to come back to."""
    language = current_language()
    other = next(code for code in SUPPORTED_LANGUAGES if code != language)
    return {"code": other, "name": LANGUAGE_NAMES[other], "current": language}


def _page_language() -> str | None:
    return current_language() if has_request_context() else None


def init_app(app: Flask) -> None:
    compile_catalogs()
    use_language_provider(_page_language)  # the presenter's words follow the page's language
    app.config.setdefault("BABEL_DEFAULT_LOCALE", DEFAULT_LANGUAGE)
    app.config.setdefault("BABEL_TRANSLATION_DIRECTORIES", str(TRANSLATIONS_DIR))
    babel = Babel(app, locale_selector=select_language, timezone_selector=select_time_zone)
    # The pages read the catalogs matcher.i18n loads (French elides: "d’Acme", words.elide),
    # through Python (`flask_babel.gettext`) and through the templates' `_()`.
    with app.app_context():  # Flask-Babel builds its domain from the app's configuration
        cache = babel.domain_instance.cache
    for language in SUPPORTED_LANGUAGES:
        if language != DEFAULT_LANGUAGE:
            cache[language, "messages"] = translations_for(language)
    install_eliding_gettext(
        app.jinja_env,
        lambda text: page_translations().ugettext(text),
        lambda singular, plural, num: page_translations().ungettext(singular, plural, num),
    )
    app.jinja_env.filters.update(
        local_datetime=local_datetime,
        local_date=local_date,
        translate=translate,
        stage_label=stage_label,
        skill_name=skill_name,
        education_label=education_label,
        city_name=city_name,
        level_label=level_label,
        format_number=format_number,
    )
    app.jinja_env.globals.update(language_switch=language_switch)
    app.register_blueprint(bp)
