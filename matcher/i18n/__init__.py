"""The languages the service speaks, and where their translations live.

Pages (Flask-Babel) and emails (Jinja's i18n extension) read the same gettext
catalogs, `translations/<lang>/LC_MESSAGES/messages.po`, so a string is translated once.
"""

from __future__ import annotations

import datetime as dt
import tempfile
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # imported on use: matcher.constants imports this module at CLI start-up
    from babel.support import NullTranslations
    from sqlite_utils import Database

SUPPORTED_LANGUAGES = ("en", "fr")
DEFAULT_LANGUAGE = "en"
# The languages whose translations elide before a value's vowel ("d’Acme": `words.elide`).
ELIDING_LANGUAGES = frozenset({"fr"})
TRANSLATIONS_DIR = Path(__file__).parent / "translations"
# The zone whose clock each city keeps; anywhere else reads Toronto's (docs in README).
CITY_TIME_ZONES = {
    "Toronto": "America/Toronto",
    "Montreal": "America/Toronto",
    "Vancouver": "America/Vancouver",
}
DEFAULT_TIME_ZONE = "America/Toronto"


def catalog_paths(language: str) -> tuple[Path, Path]:
    """The editable `.po` catalog of `language` and the compiled `.mo` gettext reads."""
    folder = TRANSLATIONS_DIR / language / "LC_MESSAGES"
    return folder / "messages.po", folder / "messages.mo"


def compile_catalogs() -> list[str]:
    """Compile every `.po` whose `.mo` is missing or older; the languages compiled.

    The `.mo` files are build products (git-ignored), so a fresh clone compiles them on first
    use: `make run`, `make test` and the CLI need no extra step. A read-only install keeps the
    `.mo` it shipped with.
    """
    from babel.messages.pofile import read_po

    compiled = []
    for language in SUPPORTED_LANGUAGES:
        po_path, mo_path = catalog_paths(language)
        if not po_path.exists():
            continue
        if mo_path.exists() and mo_path.stat().st_mtime >= po_path.stat().st_mtime:
            continue
        with po_path.open("rb") as source:
            catalog = read_po(source, locale=language)
        try:
            _write_atomically(mo_path, catalog)
        except OSError:
            continue
        compiled.append(language)
    return compiled


def _write_atomically(mo_path: Path, catalog) -> None:
    """Write the `.mo` beside its final name, then rename: no process reads half a file."""
    from babel.messages.mofile import write_mo

    with tempfile.NamedTemporaryFile(dir=mo_path.parent, suffix=".tmp", delete=False) as target:
        write_mo(target, catalog)
    Path(target.name).chmod(0o644)  # readable like the .po (a temp file starts as 0600)
    Path(target.name).replace(mo_path)


# The language the presenter and other domain words speak right now: an email renderer sets it
# with `reading_language`; the web app registers a provider reading the page's locale.
_active_language: ContextVar[str | None] = ContextVar("talentmatch_language", default=None)
_language_provider: list[Callable[[], str | None]] = []


@contextmanager
def reading_language(language: str) -> Iterator[None]:
    """Domain words (the presenter's) in `language` inside the block."""
    token = _active_language.set(normalise_language(language) or DEFAULT_LANGUAGE)
    try:
        yield
    finally:
        _active_language.reset(token)


def use_language_provider(provider: Callable[[], str | None]) -> None:
    """Where the active language comes from outside `reading_language` (the web's locale)."""
    _language_provider[:] = [provider]


def active_language() -> str:
    chosen = _active_language.get()
    if chosen is None and _language_provider:
        chosen = _language_provider[0]()
    return chosen or DEFAULT_LANGUAGE


def gettext(message: str, **values: object) -> str:
    """`message` in the active language, with its `%(name)s` values filled in."""
    return translator(active_language())(message, **values)


def calendar_date(day: dt.date | str, language: str | None = None) -> str:
    """A date as people read it: `Feb 1, 2027` in English, `1 févr. 2027` in French."""
    from babel import dates

    value = dt.date.fromisoformat(day) if isinstance(day, str) else day
    return dates.format_date(value, "medium", locale=language or active_language())


@lru_cache(maxsize=len(SUPPORTED_LANGUAGES))
def translator(language: str) -> Callable[..., str]:
    """`gettext` bound to one language, for code that says many things at once (digests)."""
    if language == DEFAULT_LANGUAGE:  # the source text: no catalog lookup on the hot path

        def say(message: str, **values: object) -> str:
            return message % values if values else message

        return say
    lookup = translations_for(language).gettext

    def say_translated(message: str, **values: object) -> str:
        text = lookup(message)
        return text % values if values else text

    return say_translated


def N_(message: str) -> str:
    """Mark a domain string for extraction (`pybabel` reads `N_`); pages translate it on display."""
    return message


class Term(str):
    """A value that is itself a msgid (a stage label, a rule): translated with its message.

    `lower` reads it in lower case ("This candidate is hired") after translating.
    """

    message: str
    lower_case: bool

    def __new__(cls, message: str, *, lower: bool = False) -> Term:
        term = super().__new__(cls, message.lower() if lower else message)
        term.message = message
        term.lower_case = lower
        return term

    def said(self) -> str:
        text = gettext(self.message)
        return text.lower() if self.lower_case else text


class LocalizedError(Exception):
    """A domain refusal whose words are a msgid and values, for every language.

    `str(error)` is the English (logs, the API's `message`); `localized(error)` is the same in
    the active language, for pages and emails. The domain needs no Flask for it.
    """

    def __init__(self, message: str, **values: object) -> None:
        super().__init__(message % values if values else message)
        self.msgid = message
        self.values = values


def localized(error: BaseException) -> str:
    """An error's words in the active language: its msgid translated, else `str(error)`."""
    msgid = getattr(error, "msgid", None)
    if not msgid:
        return str(error)
    values = getattr(error, "values", None) or {}
    return gettext(msgid, **{k: v.said() if isinstance(v, Term) else v for k, v in values.items()})


def normalise_language(value: str | None) -> str | None:
    """`fr`, `FR`, `fr-CA` or `fr_CA` → `fr`; anything unsupported → None."""
    if not value:
        return None
    code = value.strip().replace("_", "-").split("-")[0].lower()
    return code if code in SUPPORTED_LANGUAGES else None


@lru_cache(maxsize=len(SUPPORTED_LANGUAGES))
def translations_for(language: str) -> NullTranslations:
    """The compiled catalog for `language`; English (the source strings) when there is none."""
    from babel.support import NullTranslations, Translations

    if language == DEFAULT_LANGUAGE:
        return NullTranslations()
    compile_catalogs()
    translations = Translations.load(str(TRANSLATIONS_DIR), [language], domain="messages")
    if language in ELIDING_LANGUAGES:
        from matcher.i18n.words import ElidingText

        catalog = getattr(translations, "_catalog", {})
        for key, text in catalog.items():
            if isinstance(text, str) and key:
                catalog[key] = ElidingText(text)
    return translations


def worker_language(db: Database, worker_id: int) -> str:
    """The language a worker reads their pages and emails in (`workers.preferred_language`)."""
    row = db.execute("SELECT preferred_language FROM workers WHERE id = ?", [worker_id]).fetchone()
    return normalise_language(row[0] if row else None) or DEFAULT_LANGUAGE


def user_language(db: Database, user_id: int) -> str:
    """An account's language: its worker's for a worker, else `users.preferred_language`."""
    return stored_language(db, user_id) or DEFAULT_LANGUAGE


def stored_language(db: Database, user_id: int) -> str | None:
    """The language an account chose, or None when it never chose one."""
    row = db.execute(
        "SELECT u.preferred_language, w.preferred_language FROM users u"
        " LEFT JOIN workers w ON w.id = u.worker_id WHERE u.id = ?",
        [user_id],
    ).fetchone()
    return normalise_language(row[1] or row[0]) if row else None


def save_language(db: Database, user_id: int, language: str) -> None:
    """Remember an account's language: on its worker row for a worker, else on `users`."""
    from matcher.store import write_transaction

    language = normalise_language(language) or DEFAULT_LANGUAGE
    with write_transaction(db):
        row = db.execute("SELECT worker_id FROM users WHERE id = ?", [user_id]).fetchone()
        if row is None:
            return
        if row[0] is not None:
            sql, key = "UPDATE workers SET preferred_language = ? WHERE id = ?", row[0]
        else:
            sql, key = "UPDATE users SET preferred_language = ? WHERE id = ?", user_id
        db.execute(sql, [language, key])


def employer_time_zone(db: Database, employer_id: int) -> str:
    """The zone of the employer's city: the city most of its jobs are in."""
    cities = Counter(
        city for (city,) in db.execute("SELECT city FROM jobs WHERE employer_id = ?", [employer_id])
    )
    if not cities:
        return DEFAULT_TIME_ZONE
    city = min(cities, key=lambda name: (-cities[name], name))
    return CITY_TIME_ZONES.get(city, DEFAULT_TIME_ZONE)
