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
from matcher.fit import BANDS, Fit, required_share

if TYPE_CHECKING:
    from matcher.permits import StartEstimate

Audience = Literal["employer", "worker"]
Status = Literal["met", "missing", "partial", "unknown", "info"]
MARKS: dict[str, str] = {"met": "✓", "missing": "✗", "partial": "~", "unknown": "?", "info": ""}
TAG_MARKS: dict[str, str] = {"met": "✓", "missing": "✗", "bonus": "+"}
TAG_CLASSES: dict[str, str] = {"met": "tag matched", "missing": "tag missing", "bonus": "tag"}
PERCENTILE_LEGEND = (
    "The percentile places a candidate among everyone eligible for the job:"
    " 100 is the best of them, 0 the last."
)


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
    return f"{fit.band.label} · {_ordinal(fit.percentile)} percentile"


def fit_legend() -> list[tuple[str, str]]:
    """(label, rule in words) of every band, best first, for legends on pages and emails."""
    return [(band.label, band.legend) for band in BANDS]


def _ordinal(number: int) -> str:
    suffix = "th" if 10 <= number % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(number % 10)
    return f"{number}{suffix or 'th'}"


def explanation_items(e: Mapping[str, Any], audience: Audience) -> list[DisplayItem]:
    """The explanation's facts as display items, in the audience's voice."""
    items = [
        _skills_item(e, audience),
        _city_item(e, audience),
        _experience_item(e, audience),
        _french_item(e, audience),
        _salary_item(e, audience),
    ]
    if audience == "employer":
        items.append(_permit_item(e))
    return items


def _skills_item(e: Mapping[str, Any], audience: Audience) -> DisplayItem:
    matched, missing = list(e["matched_skills"]), list(e["missing_skills"])
    tags = [Tag(s, "met") for s in matched] + [Tag(s, "missing") for s in missing]
    tags += [Tag(s, "bonus") for s in e.get("matched_nice_to_have_skills") or ()]
    required = len(matched) + len(missing)
    share = required_share(e)
    status: Status = "met" if share == 1 else "partial" if share > 0 else "missing"
    holder = "" if audience == "employer" else "you have "
    value = f"{holder}{len(matched)} of {required} required" if required else "none required"
    return DisplayItem("skills", "Skills", value, status, tuple(tags))


def _city_item(e: Mapping[str, Any], audience: Audience) -> DisplayItem:
    rank, city = e["city_preference_rank"], e["city"]
    if audience == "employer":
        value = f"{city}: choice #{rank}" if rank else f"{city} not in their list"
        value += " · open to remote" if e["open_to_remote"] else ""
    else:
        value = f"{city} is your choice #{rank}" if rank else f"{city} is not in your list"
        value += {"remote": " · remote job", "hybrid": " · hybrid"}.get(e["remote"], "")
    if not e.get("remote_compatible", True):
        value += " · cannot work it as offered"
    status: Status = "met" if e.get("remote_compatible", True) else "missing"
    return DisplayItem("city", "City", value, status)


def _met(flag: bool | None) -> Status:
    return "unknown" if flag is None else "met" if flag else "missing"


def _experience_item(e: Mapping[str, Any], audience: Audience) -> DisplayItem:
    years, minimum = e["years_experience"], e["min_years_experience"]
    if audience == "employer":
        value = f"{years:g} yrs" + (f" (needs {minimum:g})" if minimum is not None else "")
    elif minimum is not None:
        value = f"needs {minimum:g} years, you have {years:g}"
    else:
        value = "no minimum"
    status = "info" if minimum is None else _met(e["meets_min_experience"])
    return DisplayItem("experience", "Experience", value, status)


def _french_item(e: Mapping[str, Any], audience: Audience) -> DisplayItem:
    level, required = e["french_level"], e["french_level_required"]
    meets = e["meets_french_requirement"]
    if audience == "employer":
        value = "unknown" if level is None else f"NCLC {level}"
        value += f" / needs {required}" if required else ""
    elif required:
        value = f"needs NCLC {required}" + (" (add your level)" if meets is None else "")
    else:
        value = "not required"
    return DisplayItem("french", "French", value, _met(meets) if required else "info")


def _salary_item(e: Mapping[str, Any], audience: Audience) -> DisplayItem:
    expectation, fit = e["salary_expectation_cad"], e["salary_fit"]
    if audience == "employer":
        value = f"${expectation:,}" if expectation else "not given"
        value += f" ({fit} range)" if fit != "unknown" else ""
    else:
        value = "no comparison" if fit == "unknown" else f"your expectation is {fit} the range"
    status = {"within": "met", "below": "met", "above": "missing"}.get(fit, "info")
    return DisplayItem("salary", "Salary", value, status)  # type: ignore[arg-type]


def _permit_item(e: Mapping[str, Any]) -> DisplayItem:
    authorization = e["work_authorization"]
    value = WORK_AUTHORIZATION_LABELS.get(authorization, authorization)
    value += f" · from {e['available_from']}" if e["available_from"] else ""
    return DisplayItem("permit", "Permit · start", value, "info")


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
        return "unknown (work authorization not recognised)"
    start = estimate.earliest_start.isoformat()
    if not estimate.needs_permit:
        return f"can start {start}"
    pathway = estimate.pathway
    return f"earliest start {start} · {pathway.label}, typically {pathway.typical_weeks} weeks"
