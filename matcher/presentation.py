"""The one presenter: a pair's explanation and fit in words, for every surface.

`explanation_items` turns an explanation (`matcher.ranking.explanations.explain`) into
display items (label, value, status met/missing/partial/unknown/info, skill tags), in the
employer's voice ("their list") or the worker's ("your list"). The employer's shortlist and
candidate page, the worker's matches page, the digest email, the CLI's text and, for the
fit, the API all render these items, with `item_text` (plain) or `item_html` (escaped),
so a change of wording is one edit here.

Light on purpose (no numpy, no Flask): the command line and the digest import it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

from markupsafe import Markup, escape

from matcher.constants import WORK_AUTHORIZATION_LABELS
from matcher.fit import BANDS, Fit, FitBand, required_share
from matcher.i18n import N_, active_language, calendar_date, gettext, translator
from matcher.i18n.words import CITY_LABELS

if TYPE_CHECKING:
    from matcher.permits import StartEstimate

Audience = Literal["employer", "worker"]
Status = Literal["met", "missing", "partial", "unknown", "info"]
MARKS: dict[str, str] = {"met": "✓", "missing": "✗", "partial": "~", "unknown": "?", "info": ""}
TAG_MARKS: dict[str, str] = {"met": "✓", "missing": "✗", "bonus": "+"}
TAG_CLASSES: dict[str, str] = {"met": "tag matched", "missing": "tag missing", "bonus": "tag"}
# Pages and emails show it through gettext (`percentile_legend()` in the active language).
PERCENTILE_LEGEND = N_(
    "The percentile places a candidate among everyone eligible for the job:"
    " 100 is the best of them, 0 the last."
)
_SALARY_FIT_EMPLOYER = {
    "within": N_(" (within range)"),
    "below": N_(" (below range)"),
    "above": N_(" (above range)"),
}
_SALARY_FIT_WORKER = {
    "within": N_("your expectation is within the range"),
    "below": N_("your expectation is below the range"),
    "above": N_("your expectation is above the range"),
}


@dataclass(frozen=True)
class Tag:
    """A skill inside an item: held and required (met), required and not held, or a bonus."""

    text: str
    status: Literal["met", "missing", "bonus"]

    @property
    def mark(self) -> str:
        return TAG_MARKS[self.status]


@dataclass(frozen=True)
class DisplayItem:
    """One fact shown beside a fit: its label, its value in words and whether it is met."""

    key: str
    label: str
    value: str
    status: Status
    tags: tuple[Tag, ...] = ()

    @property
    def mark(self) -> str:
        return MARKS[self.status]


def fit_text(fit: Fit) -> str:
    """The fit in words, the same on every surface: "Good fit · 85th percentile"."""
    return gettext(
        "%(band)s · %(ordinal)s percentile",
        band=gettext(fit.band.label),
        ordinal=_ordinal(fit.percentile),
    )


def fit_legend() -> list[tuple[str, str]]:
    """(label, rule in words) of every band, best first, for legends on pages and emails."""
    return [(gettext(band.label), fit_rule(band)) for band in BANDS]


def fit_rule(band: FitBand) -> str:
    """A band's rule in words, in the active language: "top 10% of the job's eligible …"."""
    return gettext(band.legend, percent=100 - band.min_percentile)


def percentile_legend() -> str:
    return gettext(PERCENTILE_LEGEND)


def _ordinal(number: int) -> str:
    if active_language() == "fr":
        return f"{number}{'er' if number == 1 else 'e'}"
    suffix = "th" if 10 <= number % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(number % 10)
    return f"{number}{suffix or 'th'}"


def _number(value: float, language: str) -> str:
    """`6`, `2.5` (`2,5` in French); by hand, because digests format millions of these."""
    text = f"{value:g}"
    return text.replace(".", ",") if language == "fr" else text


def _skill_namer(language: str):
    """Skill names as `language`'s readers write them; English needs no vocabulary."""
    if language == "en":
        return str
    from matcher.skills import skill_display_name  # loads the vocabulary, once

    return lambda name: skill_display_name(name, language)


def _amount(value: int, language: str) -> str:
    """`120,000` (`120 000` in French, with a no-break space)."""
    text = f"{value:,}"
    return text.replace(",", "\u00a0") if language == "fr" else text


def explanation_items(e: Mapping[str, Any], audience: Audience) -> list[DisplayItem]:
    """The explanation's facts as display items, in the audience's voice."""
    language = active_language()
    _ = translator(language)  # `_`: what gettext extraction looks for
    items = [
        _skills_item(e, audience, _, language),
        _city_item(e, audience, _),
        _experience_item(e, audience, _, language),
        _french_item(e, audience, _),
        _salary_item(e, audience, _, language),
    ]
    if audience == "employer":
        items.append(_permit_item(e, _, language))
        if e.get("worker_interest") in _INTEREST_EMPLOYER:
            items.append(_interest_item(e, _))
    return items


_INTEREST_EMPLOYER = {
    "interested": (N_("Said they're interested"), "met"),
    "not_for_me": (N_("Said it's not for them"), "missing"),
}


def _interest_item(e: Mapping[str, Any], _) -> DisplayItem:
    """The worker's own answer on the job, which a learned model weighs (employers only)."""
    value, status = _INTEREST_EMPLOYER[e["worker_interest"]]
    return DisplayItem("interest", _("Interest"), _(value), status)


def _skills_item(e: Mapping[str, Any], audience: Audience, _, language: str) -> DisplayItem:
    matched, missing = list(e["matched_skills"]), list(e["missing_skills"])
    name = _skill_namer(language)
    tags = [Tag(name(s), "met") for s in matched] + [Tag(name(s), "missing") for s in missing]
    tags += [Tag(name(s), "bonus") for s in e.get("matched_nice_to_have_skills") or ()]
    required = len(matched) + len(missing)
    share = required_share(e)
    status: Status = "met" if share == 1 else "partial" if share > 0 else "missing"
    counts = {"held": len(matched), "required": required}
    if not required:
        value = _("none required")
    elif audience == "employer":
        value = _("%(held)d of %(required)d required", **counts)
    else:
        value = _("you have %(held)d of %(required)d required", **counts)
    return DisplayItem("skills", _("Skills"), value, status, tuple(tags))


def _city_item(e: Mapping[str, Any], audience: Audience, _) -> DisplayItem:
    rank, city = e["city_preference_rank"], e["city"]
    city = _(CITY_LABELS[city]) if city in CITY_LABELS else city  # "Montréal" in French
    if audience == "employer":
        if rank:
            value = _("%(city)s: choice #%(rank)s", city=city, rank=rank)
        else:
            value = _("%(city)s not in their list", city=city)
        value += _(" · open to remote") if e["open_to_remote"] else ""
    else:
        if rank:
            value = _("%(city)s is your choice #%(rank)s", city=city, rank=rank)
        else:
            value = _("%(city)s is not in your list", city=city)
        remote = {"remote": N_(" · remote job"), "hybrid": N_(" · hybrid")}.get(e["remote"])
        value += _(remote) if remote else ""
    if not e.get("remote_compatible", True):
        value += _(" · cannot work it as offered")
    status: Status = "met" if e.get("remote_compatible", True) else "missing"
    return DisplayItem("city", _("City"), value, status)


def _met(flag: bool | None) -> Status:
    return "unknown" if flag is None else "met" if flag else "missing"


def _experience_item(e: Mapping[str, Any], audience: Audience, _, language: str) -> DisplayItem:
    years, minimum = e["years_experience"], e["min_years_experience"]
    if audience == "employer":
        if years is None:
            value = _("years not stated")
        else:
            unit = N_("%(years)s yr") if years == 1 else N_("%(years)s yrs")
            value = _(unit, years=_number(years, language))
        if minimum is not None:
            value += _(" (needs %(minimum)s)", minimum=_number(minimum, language))
    elif minimum is not None and years is None:
        value = _(
            "needs %(minimum)s years, yours are not stated", minimum=_number(minimum, language)
        )
    elif minimum is not None:
        value = _(
            "needs %(minimum)s years, you have %(years)s",
            minimum=_number(minimum, language),
            years=_number(years, language),
        )
    else:
        value = _("no minimum")
    status = "info" if minimum is None else _met(e["meets_min_experience"])
    return DisplayItem("experience", _("Experience"), value, status)


def _french_item(e: Mapping[str, Any], audience: Audience, _) -> DisplayItem:
    level, required = e["french_level"], e["french_level_required"]
    meets = e["meets_french_requirement"]
    if audience == "employer":
        value = _("unknown") if level is None else f"NCLC {level}"
        value += _(" / needs %(required)s", required=required) if required else ""
    elif required:
        value = _("needs NCLC %(required)s", required=required)
        value += _(" (add your level)") if meets is None else ""
    else:
        value = _("not required")
    status = _met(meets) if required else "info"
    return DisplayItem("french", _("French"), value, status)


def _salary_item(e: Mapping[str, Any], audience: Audience, _, language: str) -> DisplayItem:
    expectation, fit = e["salary_expectation_cad"], e["salary_fit"]
    if audience == "employer":
        if expectation:
            value = _("$%(amount)s", amount=_amount(expectation, language))
        else:
            value = _("not given")
        value += _(_SALARY_FIT_EMPLOYER[fit]) if fit in _SALARY_FIT_EMPLOYER else ""
    else:
        worded = _SALARY_FIT_WORKER.get(fit)
        value = _(worded) if worded else _("no comparison")
    status = {"within": "met", "below": "met", "above": "missing"}.get(fit, "info")
    return DisplayItem("salary", _("Salary"), value, status)  # type: ignore[arg-type]


def _permit_item(e: Mapping[str, Any], _, language: str) -> DisplayItem:
    authorization = e["work_authorization"]
    label = WORK_AUTHORIZATION_LABELS.get(authorization)
    value = _(label) if label else authorization
    if e["available_from"]:
        value += _(" · from %(date)s", date=calendar_date(e["available_from"], language))
    return DisplayItem("permit", _("Permit · start"), value, "info")


def item_text(item: DisplayItem) -> str:
    """The item's value as plain text, its tags and status mark included."""
    tags = " ".join(f"{tag.mark} {tag.text}" for tag in item.tags)
    text = f"{item.value}: {tags}" if tags else item.value
    return f"{text} {item.mark}" if item.mark else text


def items_text(items: Iterable[DisplayItem]) -> str:
    """Items on one line, for the command line."""
    return "; ".join(f"{item.label.lower()} {item_text(item)}" for item in items)


def item_html(item: DisplayItem) -> Markup:
    """The item's value as escaped HTML: skill tags as tags, otherwise the value and mark.

    Built by concatenating escaped parts: `Markup.format` costs several times more, and a
    digest run renders millions of these.
    """
    if item.tags:  # spaced, so that tags stay apart where no stylesheet applies (email)
        return Markup(
            " ".join(
                f'<span class="{TAG_CLASSES[tag.status]}">{tag.mark} {escape(tag.text)}</span>'
                for tag in item.tags
            )
        )
    if not item.mark:
        return escape(item.value)
    return Markup(f'{escape(item.value)} <span class="mark mark-{item.status}">{item.mark}</span>')


def fit_html(fit: Fit) -> Markup:
    """The fit as a badge (class fit-<band>), the same words as `fit_text`."""
    return Markup('<span class="fit fit-{}">{}</span>').format(fit.band.key, fit_text(fit))


def start_text(estimate: StartEstimate | None) -> str:
    """A permit timeline (`matcher.permits.StartEstimate`) in words, for employer pages."""
    if estimate is None:
        return gettext("unknown (work authorization not recognised)")
    start = calendar_date(estimate.earliest_start)
    if not estimate.needs_permit:
        return gettext("can start %(date)s", date=start)
    pathway = estimate.pathway
    return gettext(
        "earliest start %(date)s · %(pathway)s, typically %(weeks)s weeks",
        date=start,
        pathway=gettext(pathway.label),
        weeks=pathway.typical_weeks,
    )
