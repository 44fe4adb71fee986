"""The shortlist of a job: ranked, explained, filterable candidates; a candidate's page; decisions.

Profiles are blind: no name, email or contact detail is shown until the worker accepts
the job's contact request.
"""

from __future__ import annotations

import datetime as dt
import math
from urllib.parse import quote, urlencode

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    g,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from flask_wtf import FlaskForm
from markupsafe import Markup
from wtforms import (
    BooleanField,
    DecimalField,
    IntegerField,
    SelectField,
    SelectMultipleField,
    StringField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import NumberRange, Optional, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

from matcher import clock
from matcher.batch.serving import served_shortlist
from matcher.constants import DECISION_STAGES, WORK_AUTHORIZATIONS
from matcher.features.population import JobProfile
from matcher.hiring import decisions
from matcher.hiring.bulk import (
    MAX_BULK_CANDIDATES,
    BulkError,
    BulkItem,
    BulkOutcome,
    record_bulk_decision,
)
from matcher.hiring.contact_requests import MAX_MESSAGE_CHARS, contact_request_status
from matcher.hiring.emails import candidate_emails
from matcher.hiring.interest import interested_workers
from matcher.hiring.stages import (
    PIPELINE_STAGES,
    RULE_BY_NAME,
    RULE_BY_TARGET,
    TransitionRefused,
    allowed_decisions,
    candidate_stage,
    pipeline_stages,
)
from matcher.i18n import localized
from matcher.i18n.words import fill
from matcher.permits import earliest_start, parse_start_date
from matcher.presentation import (
    WORK_AUTHORIZATION_LABELS,
    explanation_items,
    fit_html,
    fit_legend,
    item_html,
    percentile_legend,
    start_text,
)
from matcher.ranking.caches import BoundedCache
from matcher.ranking.shortlists import (
    Candidate,
    CandidateFilters,
    FilterError,
    NotFound,
    candidate_fit,
    candidate_outlook,
    owned_job,
    score_candidate,
)
from matcher.records.parsing import RowError
from matcher.records.workers import blind_profile
from web.auth import employer_required
from web.database import get_db
from web.decision_menu import decision_menus
from web.email_delivery import deliver_in_background
from web.i18n import current_language, stage_label

bp = Blueprint("shortlists", __name__, url_prefix="/jobs")

SORT_CHOICES = [
    SelectChoice("score", _l("Best match")),
    SelectChoice("experience", _l("Most experience")),
    SelectChoice("available_from", _l("Earliest start")),
    SelectChoice("salary", _l("Lowest salary expectation")),
    SelectChoice("reciprocal", _l("Fit and their interest")),
]
CITY_RANK_CHOICES = [
    SelectChoice("", _l("Any")),
    SelectChoice("1", _l("Job city is their first choice")),
    SelectChoice("2", _l("Job city in their top two")),
    SelectChoice("3", _l("Job city anywhere in their list")),
]
# Rendered filter fields by filter values; a few thousand small strings at most.
FILTER_FIELDS_CACHE_SIZE = 2048
_filter_fields = BoundedCache(FILTER_FIELDS_CACHE_SIZE)


@bp.context_processor
def _labels() -> dict:
    return {"fit_legend": fit_legend(), "fit_percentile_legend": percentile_legend()}


def _settings():
    return current_app.config["SETTINGS"]


def _owned_job_or_404(external_id: str) -> JobProfile:
    """The signed-in employer's job, loaded once for the request; 404 for anyone else's."""
    try:
        return owned_job(get_db(), g.user.employer_id, external_id)
    except NotFound:
        abort(404)


def _iso_date(form: FlaskForm, field: StringField) -> None:
    try:
        parse_start_date(field.data)
    except ValueError:
        message = _("%(value)s is not a date (YYYY-MM-DD)", value=repr(field.data.strip()))
        raise ValidationError(message) from None


class FilterForm(FlaskForm):
    """The shortlist's filters and sort order, sent with GET so a filtered list can be linked."""

    class Meta:
        csrf = False

    city_rank = SelectField(_l("City preference"), choices=CITY_RANK_CHOICES, default="")
    remote = SelectField(
        _l("Remote"),
        choices=[SelectChoice("", _l("Any")), SelectChoice("yes", _l("Open to remote work"))],
        default="",
    )
    min_french = IntegerField(
        _l("Minimum French (NCLC)"), validators=[Optional(), NumberRange(0, 12)]
    )
    min_experience = DecimalField(
        _l("Minimum years of experience"), validators=[Optional(), NumberRange(0, 60)]
    )
    work_authorization = SelectMultipleField(
        _l("Work authorization"),
        choices=[
            SelectChoice(value, _l(WORK_AUTHORIZATION_LABELS[value]))
            for value in WORK_AUTHORIZATIONS
        ],
        option_widget=CheckboxInput(),
        widget=ListWidget(prefix_label=False),
        validators=[Optional()],
    )
    stage = SelectField(
        _l("Stage"),
        choices=[SelectChoice("", _l("Any stage"))]
        + [SelectChoice(stage.key, _l(stage.label)) for stage in PIPELINE_STAGES],
        default="",
    )
    hide_decided = BooleanField(_l("Hide decided (hired, rejected, withdrawn)"))
    can_start_by = StringField(
        _l("Can start by (YYYY-MM-DD)"),
        validators=[Optional(), _iso_date],
        description=_l("Their earliest feasible start, permit processing included"),
    )
    sort = SelectField(_l("Sort by"), choices=SORT_CHOICES, default="score")
    page = IntegerField(_l("Page"), default=1, validators=[Optional(), NumberRange(1, 10_000)])

    def to_filters(self) -> CandidateFilters:
        min_experience = self.min_experience.data
        return CandidateFilters(
            city_preference_max_rank=int(self.city_rank.data) if self.city_rank.data else None,
            open_to_remote=True if self.remote.data == "yes" else None,
            min_french_level=self.min_french.data,
            work_authorizations=frozenset(self.work_authorization.data or ()) or None,
            min_years_experience=float(min_experience) if min_experience is not None else None,
            stages=frozenset([self.stage.data]) if self.stage.data else None,
            hide_decided=bool(self.hide_decided.data),
            can_start_by=parse_start_date(self.can_start_by.data),
            sort=self.sort.data or "score",
        )


@bp.route("/<external_id>/shortlist")
@employer_required
def shortlist(external_id: str):
    job = _owned_job_or_404(external_id)
    form = FilterForm(formdata=request.args)
    valid = form.validate()
    page_size = current_app.config["SHORTLIST_PAGE_SIZE"]
    filters = CandidateFilters()
    if valid:
        try:
            filters = form.to_filters()
        except FilterError as error:
            valid = False
            form.form_errors.append(f"{error.field}: {error.reason}")
    page = (form.page.data or 1) if valid else 1
    result = served_shortlist(
        get_db(),
        external_id,
        limit=page_size,
        offset=(page - 1) * page_size,
        filters=filters,
        settings=_settings(),
        job=job,
    )
    stages = pipeline_stages(get_db(), job.id)
    decided = {worker: stage.stage for worker, stage in stages.items() if stage.stage != "new"}
    page_workers = [candidate.worker for candidate in result.candidates]
    return render_template(
        "employer/shortlist.html",
        job=job,
        form=form,
        shortlist=result,
        rows=_display_rows(
            external_id, result.candidates, decided, interested_workers(get_db(), job.id)
        ),
        filter_fields=_filter_fields_html(form),
        page=page,
        pages=max(1, math.ceil(result.total / page_size)),
        stage_menus=decision_menus(stages, page_workers),
        page_workers=page_workers,
        page_url=_page_url,
    ), (200 if valid else 400)


def _filter_fields_html(form: FilterForm) -> Markup:
    """The filter fields' HTML, rendered once per set of filter values (it depends on no more)."""
    values = sorted((k, v) for k, v in request.args.items(multi=True) if k != "page")
    key = (current_language(), *values)  # the fields' words are in the page's language
    return _filter_fields.get(
        key, lambda: Markup(render_template("employer/shortlist_filters.html", form=form))
    )


def _display_rows(
    job_external_id: str,
    candidates: list[Candidate],
    decided: dict[str, str],
    interested: set[str],
) -> list[dict]:
    """Each shortlist row's text, formatted in Python: Jinja macros per cell cost too much."""
    shortlist_url = url_for("shortlists.shortlist", external_id=job_external_id)
    candidates_url = shortlist_url.removesuffix("shortlist") + "candidates/"
    back = "?" + urlencode({"back": request.full_path})
    # Each text's translation looked up once per page, filled in per row (escaped on output).
    select, candidate_text, decision = (
        _("Select candidate %(worker)s"),
        _("Candidate %(worker)s"),
        _("Decision for candidate %(worker)s"),
    )
    return [
        {
            "rank": candidate.rank,
            "worker": candidate.worker,
            "select_label": fill(select, {"worker": candidate.worker}),
            "candidate_label": fill(candidate_text, {"worker": candidate.worker}),
            "decision_label": fill(decision, {"worker": candidate.worker}),
            "fit": fit_html(candidate.fit) if candidate.fit else "",
            "decision": stage_label(decided[candidate.worker])
            if candidate.worker in decided
            else None,
            "interested": candidate.worker in interested,
            "candidate_url": candidates_url + quote(candidate.worker, safe="") + back,
            "decision_url": candidates_url + quote(candidate.worker, safe="") + "/decisions",
            # (label, its first word for the narrow layout's cell captions, HTML)
            "cells": [
                (label, label.split(" ")[0], html)
                for label, html in reason_cells(candidate.explanation)
            ],
        }
        for candidate in candidates
    ]


def reason_cells(e: dict) -> list[tuple[str, Markup]]:
    """The reasons beside a fit as (label, HTML) cells, from the one presenter."""
    return [(item.label, item_html(item)) for item in explanation_items(e, "employer")]


def _page_url(page: int) -> str:
    args = request.args.to_dict(flat=False)
    args["page"] = [str(page)]
    return url_for("shortlists.shortlist", **request.view_args, **args)


@bp.route("/<external_id>/candidates/<worker_external_id>")
@employer_required
def candidate(external_id: str, worker_external_id: str):
    job = _owned_job_or_404(external_id)
    worker_id = _worker_id_or_404(worker_external_id)
    try:
        _, explanation, model_version = score_candidate(
            get_db(), job, worker_id, settings=_settings()
        )
        fit = candidate_fit(get_db(), job, worker_id, settings=_settings())
        outlook = candidate_outlook(get_db(), job, worker_id, settings=_settings())
    except NotFound:
        abort(404)
    contact_status = contact_request_status(get_db(), job.id, worker_id)
    stage = candidate_stage(get_db(), job.id, worker_id)
    profile = blind_profile(get_db(), worker_id)
    if contact_status != "accepted":
        profile["name"] = profile["email"] = None
    return render_template(
        "employer/candidate.html",
        job=job,
        profile=profile,
        fit=fit_html(fit),
        outlook=outlook,
        reasons=reason_cells(explanation),
        start=start_text(_start_estimate(explanation, job)),
        model_version=model_version,
        contact_status=contact_status,
        history=decisions.decision_history(get_db(), job.id, worker_id),
        emails=candidate_emails(get_db(), g.user.employer_id, job.id, worker_id),
        stage=stage,
        decision_stages=allowed_decisions(stage.stage, contact_status),
        interview_rule=RULE_BY_TARGET["interviewed"].description,
        max_message_chars=MAX_MESSAGE_CHARS,
        back=_safe_back(request.args.get("back"), external_id),
    )


def _start_estimate(explanation: dict, job: JobProfile):
    """The candidate's permit timeline for the job, applying today."""
    available = explanation["available_from"]
    return earliest_start(
        explanation["work_authorization"],
        dt.date.fromisoformat(available) if available else None,
        job.occupation,
        today=clock.today(),
    )


def _worker_id_or_404(worker_external_id: str) -> int:
    try:
        return decisions.live_worker_id(get_db(), worker_external_id)
    except decisions.NotFound:
        abort(404)


def _safe_back(target: str | None, external_id: str) -> str:
    """A path back into this job's pages only, so the link cannot lead off the site."""
    shortlist_url = url_for("shortlists.shortlist", external_id=external_id)
    job_prefix = shortlist_url.removesuffix("shortlist")
    if target and target.startswith(job_prefix) and "//" not in target and "\\" not in target:
        return target
    return shortlist_url


@bp.route("/<external_id>/candidates/<worker_external_id>/decisions", methods=["POST"])
@employer_required
def record_decision(external_id: str, worker_external_id: str):
    _owned_job_or_404(external_id)
    stage = request.form.get("stage", "")
    if not stage:
        flash(_("Not recorded: choose the stage to move the candidate to."), "error")
        return redirect(_safe_back(request.form.get("back"), external_id))
    if stage not in DECISION_STAGES:
        abort(400, description=_("Choose one of: %(stages)s.", stages=", ".join(DECISION_STAGES)))
    try:
        decisions.record_decision(
            get_db(),
            g.user.employer_id,
            external_id,
            worker_external_id,
            stage,
            actor_user_id=g.user.id,
            message=request.form.get("message", ""),
        )
    except decisions.NotFound:
        abort(404)
    except TransitionRefused as refused:
        flash(_("Not recorded: %(reason)s", reason=localized(refused)), "error")
        return redirect(_safe_back(request.form.get("back"), external_id))
    except RowError as error:
        flash(_("Not sent: the message has %(reason)s.", reason=localized(error)), "error")
        return redirect(_safe_back(request.form.get("back"), external_id))
    message = _(
        "Recorded “%(stage)s” for candidate %(worker)s.",
        stage=stage_label(stage),
        worker=worker_external_id,
    )
    if stage == "contacted":
        deliver_in_background()
        message += " " + _(
            "A contact request was sent by email; their details appear once they accept."
        )
    flash(message, "success")
    if stage == "hired":
        return redirect(url_for("pipeline.pipeline", external_id=external_id))
    return redirect(_safe_back(request.form.get("back"), external_id))


@bp.route("/<external_id>/shortlist/decisions", methods=["POST"])
@employer_required
def record_bulk_decision_view(external_id: str):
    """The shortlist's bulk form: one stage for the ticked candidates (or the whole page)."""
    _owned_job_or_404(external_id)
    back = _safe_back(request.form.get("back"), external_id)
    form = request.form
    workers = form.getlist("page_worker") if form.get("all_on_page") else form.getlist("worker")
    try:
        outcome = record_bulk_decision(
            get_db(),
            g.user.employer_id,
            external_id,
            workers,
            form.get("stage", ""),
            actor_user_id=g.user.id,
        )
    except decisions.NotFound:
        abort(404)
    except BulkError as error:
        flash(_bulk_error_text(error), "error")
        return redirect(back)
    flash(bulk_summary(outcome), "success" if outcome.of("recorded") else "error")
    return redirect(back)


def _bulk_error_text(error: BulkError) -> str:
    if error.reason == "empty":
        return _("Nothing recorded: select at least one candidate first.")
    if error.reason == "stage":
        return _("Nothing recorded: choose shortlist, contact or reject.")
    return _("Nothing recorded: select at most %(num)d candidates.", num=MAX_BULK_CANDIDATES)


def bulk_summary(outcome: BulkOutcome) -> str:
    """'1 shortlisted; 1 not changed: Candidate W2 is contacted (the rule: Shortlisted: a new
    candidate, or a rejected or withdrawn one reconsidered).'"""
    recorded = len(outcome.of("recorded"))
    stage = stage_label(outcome.stage).lower()
    text = ngettext("%(num)d %(stage)s", "%(num)d %(stage)s", recorded, stage=stage)
    if outcome.stage == "contacted" and recorded:
        text += _(" (contact requests sent; details appear once they accept)")
    skipped = outcome.of("unchanged") + outcome.of("refused")
    if not skipped:
        return text + "."
    return text + ngettext(
        "; %(num)d not changed: %(reasons)s.",
        "; %(num)d not changed: %(reasons)s.",
        len(skipped),
        reasons="; ".join(_skipped_reason(item) for item in skipped),
    )


def _skipped_reason(item: BulkItem) -> str:
    stage = stage_label(item.stage).lower()
    if item.result == "unchanged":
        return _("Candidate %(worker)s is already %(stage)s", worker=item.worker, stage=stage)
    rule = RULE_BY_NAME.get(item.rule or "")
    return _(
        "Candidate %(worker)s is %(stage)s (the rule: %(rule)s)",
        worker=item.worker,
        stage=stage,
        rule=_(rule.description).rstrip(".") if rule else item.rule,
    )
