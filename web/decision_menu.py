"""The decision menu every page shows: the candidate's stage, and only the stages allowed next."""

from __future__ import annotations

from functools import cache

from flask_babel import gettext
from markupsafe import Markup

from matcher.hiring.stages import CandidateStage, allowed_decisions, stage_label
from web.i18n import current_language


def _options(stage: str, contact_accepted: bool, prompt: str) -> Markup:
    return _options_in(stage, contact_accepted, prompt, current_language())


@cache
def _options_in(stage: str, contact_accepted: bool, prompt: str, language: str) -> Markup:
    allowed = allowed_decisions(stage, "accepted" if contact_accepted else None)
    if not allowed:
        return Markup("")
    moves = Markup("").join(
        Markup('<option value="{}">{}</option>').format(key, gettext(stage_label(key)))
        for key in allowed
    )
    return Markup('<option value="" selected>{}</option>').format(prompt) + moves


def decision_options(candidate: CandidateStage | None) -> Markup:
    """The menu's <option>s: a "Move to…" prompt that records nothing (so no stage looks
    chosen; pages show the current stage beside it), then the stages this candidate may
    move to; empty after a hire."""
    stage = candidate.stage if candidate else "new"
    accepted = candidate is not None and candidate.contact_status == "accepted"
    return _options(stage, accepted, gettext("Move to…"))


def decision_menus(stages: dict[str, CandidateStage], workers: list[str]) -> dict[str, Markup]:
    """Each listed worker's menu options, by external id."""
    return {worker: decision_options(stages.get(worker)) for worker in workers}
