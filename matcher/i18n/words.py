"""How people read the contract's stored values, in English msgids the catalogs translate.

Pages and emails look a stored value up here (`onsite`, `bachelor`, `accepted`, a CLB level)
and pass the English words through gettext; the values themselves never change.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping

from markupsafe import Markup

from matcher.i18n import N_

VALUE_LABELS: dict[str, str] = {
    # Remote policies and job statuses.
    "onsite": N_("on site"),
    "hybrid": N_("hybrid"),
    "remote": N_("remote"),
    "open": N_("open"),
    "closed": N_("closed"),
    # Contact requests.
    "pending": N_("pending"),
    "accepted": N_("accepted"),
    "declined": N_("declined"),
    # Where a decision came from.
    "web": N_("web"),
    "api": N_("API"),
    "import": N_("import"),
    # The model that ranks before any is trained (`matcher.ranking.scorers.COLD_START_VERSION`).
    "cold-start": N_("cold-start"),
}

# The contract's cities as each language writes them ("Montréal" in French).
CITY_LABELS: dict[str, str] = {
    "Toronto": N_("Toronto"),
    "Vancouver": N_("Vancouver"),
    "Montreal": N_("Montreal"),
}

EDUCATION_LABELS: dict[str, str] = {
    "none": N_("No formal education"),
    "secondary": N_("Secondary school"),
    "diploma": N_("College diploma"),
    "bachelor": N_("Bachelor's degree"),
    "master": N_("Master's degree"),
    "phd": N_("Doctorate (PhD)"),
}

# CLB / NCLC levels against the CEFR, as IRCC and the Centre for Canadian Language Benchmarks
# align them (approximately: the two scales are built differently).
_CEFR_BANDS: tuple[tuple[int, int, str, str], ...] = (
    (0, 0, "", N_("no working knowledge")),
    (1, 2, "A1", N_("beginner")),
    (3, 4, "A2", N_("basic")),
    (5, 6, "B1", N_("intermediate")),
    (7, 8, "B2", N_("independent")),
    (9, 10, "C1", N_("advanced")),
    (11, 12, "C2", N_("expert")),
)

# Error page titles (werkzeug's names) that people meet.
HTTP_ERROR_NAMES = (
    N_("Bad Request"),
    N_("Unauthorized"),
    N_("Forbidden"),
    N_("Not Found"),
    N_("Method Not Allowed"),
    N_("Request Entity Too Large"),
    N_("Too Many Requests"),
    N_("Internal Server Error"),
    # and their descriptions, as werkzeug words them (shown when a page gives no message).
    N_("The browser (or proxy) sent a request that this server could not understand."),
    N_(
        "You don't have the permission to access the requested resource. It is either"
        " read-protected or not readable by the server."
    ),
    N_(
        "The requested URL was not found on the server. If you entered the URL manually please"
        " check your spelling and try again."
    ),
    N_("The method is not allowed for the requested URL."),
    N_("The data value transmitted exceeds the capacity limit."),
    N_("This user has exceeded an allotted request count. Try again later."),
    N_(
        "The server encountered an internal error and was unable to complete your request."
        " Either the server is overloaded or there is an error in the application."
    ),
)


def cefr_band(level: int) -> tuple[str, str]:
    """The CEFR level (empty for 0) and its English meaning for a CLB or NCLC level 0–12."""
    for low, high, cefr, meaning in _CEFR_BANDS:
        if low <= level <= high:
            return cefr, meaning
    raise ValueError(f"not a CLB/NCLC level: {level}")


# French elision: "de" before a value that starts with a vowel sound reads "d’" ("d’Acme",
# "d’Ubisoft"), as do "le"/"la" ("l’") and "que" ("qu’"). A translation is written with the
# full word ("emplois de %(employer)s"); `elide` decides once the value is known.
_ELIDED = {"de": "d’", "le": "l’", "la": "l’", "que": "qu’", "jusque": "jusqu’"}
_ELIDING_WORD = re.compile(r"(?<![\w’'])(" + "|".join(_ELIDED) + r") (%\((\w+)\)s)", re.IGNORECASE)
_VOWELS = frozenset("aeiouàâäéèêëîïôöùûüœæ")
# A mute h elides ("d’Hydro-Québec", "l’hôpital"); an aspirated one does not ("de Hachette").
# Names that start with h are taken as aspirated unless listed here.
MUTE_H_PREFIXES = (
    "habit",
    "hébergement",
    "heure",
    "histoire",
    "hiver",
    "homme",
    "hôpita",
    "horaire",
    "hôtel",
    "huile",
    "humain",
    "hydro",
    "hygiène",
    "hypoth",
)


def starts_with_vowel_sound(text: str) -> bool:
    """Whether French elides before `text`: a vowel, or a mute h ("Hydro-Québec")."""
    word = text.lstrip().lower()
    if not word:
        return False
    if word[0] in _VOWELS:
        return True
    return word.startswith(MUTE_H_PREFIXES)


def elide(template: str, values: Mapping[str, object]) -> str:
    """The French `template` with "de %(name)s" → "d’%(name)s" where the value asks for it,
    and "%(years)s ans" → "%(years)s an" below 2.

    Only the words right before a placeholder change, and only for a text value: the rest of
    the translation is the translator's, and a number ("de %(num)s") never elides.
    """

    def word_for(match: re.Match[str]) -> str:
        word, placeholder, name = match.group(1), match.group(2), match.group(3)
        value = values.get(name)
        if not isinstance(value, str) or not starts_with_vowel_sound(value):
            return match.group(0)
        short = _ELIDED[word.lower()]
        if word[0].isupper():
            short = short[0].upper() + short[1:]
        return short + placeholder

    elided = _ELIDING_WORD.sub(word_for, template)
    elided = _agree_with_numbers(elided, values)
    return Markup(elided) if isinstance(template, Markup) else elided


# French counts below 2 take the singular ("0 an", "1 an", "1,5 an"; "2 ans"): the unit
# right after a number placeholder agrees with its value, as `elide` does for "de".
_SINGULAR_UNITS = {"ans": "an", "jours": "jour", "semaines": "semaine"}
_COUNTED_UNIT = re.compile(r"(%\((\w+)\)s) (" + "|".join(_SINGULAR_UNITS) + r")(?!\w)")


def _agree_with_numbers(template: str, values: Mapping[str, object]) -> str:
    def unit_for(match: re.Match[str]) -> str:
        value = values.get(match.group(2))
        try:
            number = float(str(value).replace("\u00a0", "").replace(",", "."))
        except ValueError:
            return match.group(0)
        if abs(number) >= 2:
            return match.group(0)
        return f"{match.group(1)} {_SINGULAR_UNITS[match.group(3)]}"

    return _COUNTED_UNIT.sub(unit_for, template)


def fill(template: str, values: object) -> str:
    """`template % values`, eliding first when the template is a French translation."""
    if isinstance(template, ElidingText) and isinstance(values, Mapping):
        return str.__mod__(elide(str(template), values), values)
    if isinstance(values, Mapping) and getattr(template, "elides", False):
        return elide(template, values) % values
    return template % values


class ElidingText(str):
    """A French msgstr: filling its values in elides where French does (`fill`).

    The French catalog's strings are loaded as these, so every `text % values` (Flask-Babel,
    `matcher.i18n.gettext`, plain-text emails) elides without the callers knowing.
    """

    __slots__ = ()

    def __mod__(self, values: object) -> str:
        return fill(self, values)


class _ElidingMarkup(Markup):
    """Escaped template text that keeps its French elision (HTML pages and emails)."""

    __slots__ = ()
    elides = True


def install_eliding_gettext(
    environment,
    gettext: Callable[[str], str],
    ngettext: Callable[[str, str, int], str],
) -> None:
    """Jinja's new-style `_()` / `gettext` / `ngettext`, but eliding French as `fill` does.

    Jinja's own wrap the translation in Markup before filling it, which loses `ElidingText`;
    these keep it. Called after `install_gettext_*`, with the same raw callables.
    """

    import jinja2  # on use: the command line reads these words without Jinja

    def markup(text: str, context) -> str:
        if not context.eval_ctx.autoescape:
            return text
        return _ElidingMarkup(text) if isinstance(text, ElidingText) else Markup(text)

    @jinja2.pass_context
    def eliding_gettext(__context, __string: str, **variables: object) -> str:
        return fill(markup(gettext(__string), __context), variables)

    @jinja2.pass_context
    def eliding_ngettext(
        __context, __singular: str, __plural: str, __num: int, **variables: object
    ) -> str:
        variables.setdefault("num", __num)
        text = ngettext(__singular, __plural, __num)
        return fill(markup(text, __context), variables)

    # `_` too, which Jinja's extension otherwise points at an alias that calls `gettext`.
    environment.globals.update(
        gettext=eliding_gettext, ngettext=eliding_ngettext, _=eliding_gettext
    )
