"""How people read the contract's stored values, in English msgids the catalogs translate.

Pages and emails look a stored value up here (`onsite`, `bachelor`, `accepted`, a CLB level)
and pass the English words through gettext; the values themselves never change.
"""

from __future__ import annotations

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
