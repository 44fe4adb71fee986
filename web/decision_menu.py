"""The decision menu every page shows: the candidate's stage, and only the stages allowed next."""

from __future__ import annotations

from functools import cache

from flask_babel import gettext
from markupsafe import Markup

from matcher.hiring.stages import CandidateStage, allowed_decisions, stage_label
from web.i18n import current_language


def _options(stage: str, contact_accepted: bool) -> Markup:
    return _options_in(stage, contact_accepted, current_language())


@cache
def _options_in(stage: str, contact_accepted: bool, language: str) -> Markup:
    allowed = allowed_decisions(stage, "accepted" if contact_accepted else None)
    return Markup("").join(
        Markup('<option value="{}">{}</option>').format(key, gettext(stage_label(key)))
        for key in allowed
    )


def decision_options(candidate: CandidateStage | None) -> Markup:
    """The <option>s of the stages this candidate may move to (empty after a hire)."""
    if candidate is None:
        return _options("new", False)
    return _options(candidate.stage, candidate.contact_status == "accepted")


def decision_menus(stages: dict[str, CandidateStage], workers: list[str]) -> dict[str, Markup]:
    """Each listed worker's menu options, by external id."""
    return {worker: decision_options(stages.get(worker)) for worker in workers}
