"""The shortlist of a job: ranked, explained, filterable candidates; a candidate's page; decisions.

Profiles are blind: no name, email or contact detail is shown until the worker accepts
the job's contact request.
"""

from __future__ import annotations

import math
import threading
from collections import OrderedDict
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
from flask_wtf import FlaskForm
from markupsafe import Markup, escape
from wtforms import DecimalField, IntegerField, SelectField, SelectMultipleField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import NumberRange, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from matcher.accounts import User
from matcher.constants import DECISION_STAGES, WORK_AUTHORIZATION_LABELS, WORK_AUTHORIZATIONS
from matcher.hiring import decisions
from matcher.hiring.contact_requests import contact_request_status
from matcher.hiring.stages import (
    RULE_BY_TARGET,
    TransitionRefused,
    allowed_decisions,
    candidate_stage,
    pipeline_stages,
)
from matcher.ranking.shortlists import (
    Candidate,
    CandidateFilters,
    FilterError,
    Matches,
    NotFound,
    Shortlist,
    matches_for_worker,
    score_candidate,
    shortlist_for_job,
)
from matcher.records.workers import blind_profile
from web.auth import employer_required
from web.database import get_db
from web.decision_menu import decision_menus
from web.employer_jobs import owned_job_or_404

bp = Blueprint("shortlists", __name__, url_prefix="/jobs")

NotFoundError = NotFound
SORT_CHOICES = [
    SelectChoice("score", "Best match"),
    SelectChoice("experience", "Most experience"),
    SelectChoice("available_from", "Earliest start"),
    SelectChoice("salary", "Lowest salary expectation"),
]
CITY_RANK_CHOICES = [
    SelectChoice("", "Any"),
    SelectChoice("1", "Job city is their first choice"),
    SelectChoice("2", "Job city in their top two"),
    SelectChoice("3", "Job city anywhere in their list"),
]
# Rendered filter fields by filter values; a few thousand small strings at most.
FILTER_FIELDS_CACHE_SIZE = 2048
_filter_fields: OrderedDict[tuple, Markup] = OrderedDict()
_filter_fields_lock = threading.Lock()


@bp.context_processor
def _labels() -> dict:
    return {"work_authorization_labels": WORK_AUTHORIZATION_LABELS}


def _settings():
    return current_app.config["SETTINGS"]


def load_shortlist(
    job_external_id: str,
    employer_id: int,
    *,
    limit: int,
    offset: int = 0,
    filters: CandidateFilters | None = None,
) -> Shortlist:
    """The job's shortlist if the job is the employer's; NotFound otherwise (404, not 403)."""
    try:
        decisions.owned_job_id(get_db(), employer_id, job_external_id)
    except decisions.NotFound:
        raise NotFound("job", job_external_id) from None
    return shortlist_for_job(
        get_db(), job_external_id, limit=limit, offset=offset, filters=filters, settings=_settings()
    )


def load_matches(worker_external_id: str, user: User, *, limit: int) -> Matches:
    """The worker's matches, for that worker or an operator; NotFound for anyone else."""
    if user.role != "operator":
        row = (
            get_db()
            .execute(
                "SELECT id FROM workers WHERE external_id = ? AND deleted_at IS NULL",
                [worker_external_id],
            )
            .fetchone()
        )
        if user.role != "worker" or row is None or row[0] != user.worker_id:
            raise NotFound("worker", worker_external_id)
    return matches_for_worker(get_db(), worker_external_id, limit=limit, settings=_settings())


class FilterForm(FlaskForm):
    """The shortlist's filters and sort order, sent with GET so a filtered list can be linked."""

    class Meta:
        csrf = False

    city_rank = SelectField("City preference", choices=CITY_RANK_CHOICES, default="")
    remote = SelectField(
        "Remote",
        choices=[SelectChoice("", "Any"), SelectChoice("yes", "Open to remote work")],
        default="",
    )
    min_french = IntegerField("Minimum French (NCLC)", validators=[Optional(), NumberRange(0, 12)])
    min_experience = DecimalField(
        "Minimum years of experience", validators=[Optional(), NumberRange(0, 60)]
    )
    work_authorization = SelectMultipleField(
        "Work authorization",
        choices=[
            SelectChoice(value, WORK_AUTHORIZATION_LABELS[value]) for value in WORK_AUTHORIZATIONS
        ],
        option_widget=CheckboxInput(),
        widget=ListWidget(prefix_label=False),
        validators=[Optional()],
    )
    sort = SelectField("Sort by", choices=SORT_CHOICES, default="score")
    page = IntegerField("Page", default=1, validators=[Optional(), NumberRange(1, 10_000)])

    def to_filters(self) -> CandidateFilters:
        min_experience = self.min_experience.data
        return CandidateFilters(
            city_preference_max_rank=int(self.city_rank.data) if self.city_rank.data else None,
            open_to_remote=True if self.remote.data == "yes" else None,
            min_french_level=self.min_french.data,
            work_authorizations=frozenset(self.work_authorization.data or ()) or None,
            min_years_experience=float(min_experience) if min_experience is not None else None,
            sort=self.sort.data or "score",
        )


@bp.route("/<external_id>/shortlist")
@employer_required
def shortlist(external_id: str):
    job = owned_job_or_404(external_id)
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
    result = load_shortlist(
        external_id,
        g.user.employer_id,
        limit=page_size,
        offset=(page - 1) * page_size,
        filters=filters,
    )
    stages = pipeline_stages(get_db(), job.id)
    decided = {worker: stage.stage for worker, stage in stages.items() if stage.stage != "new"}
    return render_template(
        "employer/shortlist.html",
        job=job.record,
        form=form,
        shortlist=result,
        rows=_display_rows(external_id, result.candidates, decided),
        filter_fields=_filter_fields_html(form),
        page=page,
        pages=max(1, math.ceil(result.total / page_size)),
        stage_menus=decision_menus(stages, [c.worker for c in result.candidates]),
        page_url=_page_url,
    ), (200 if valid else 400)


def _filter_fields_html(form: FilterForm) -> Markup:
    """The filter fields' HTML, rendered once per set of filter values (it depends on no more)."""
    key = tuple(sorted((k, v) for k, v in request.args.items(multi=True) if k != "page"))
    with _filter_fields_lock:
        html = _filter_fields.get(key)
    if html is None:
        html = Markup(render_template("employer/shortlist_filters.html", form=form))
        with _filter_fields_lock:
            _filter_fields[key] = html
            while len(_filter_fields) > FILTER_FIELDS_CACHE_SIZE:
                _filter_fields.popitem(last=False)
    return html


def _display_rows(
    job_external_id: str, candidates: list[Candidate], decided: dict[str, str]
) -> list[dict]:
    """Each shortlist row's text, formatted in Python: Jinja macros per cell cost too much."""
    shortlist_url = url_for("shortlists.shortlist", external_id=job_external_id)
    candidates_url = shortlist_url.removesuffix("shortlist") + "candidates/"
    back = "?" + urlencode({"back": request.full_path})
    return [
        {
            "rank": candidate.rank,
            "worker": candidate.worker,
            "score": f"{candidate.score:.2f}",
            "decision": decided.get(candidate.worker),
            "candidate_url": candidates_url + quote(candidate.worker, safe="") + back,
            "decision_url": candidates_url + quote(candidate.worker, safe="") + "/decisions",
            **reason_cells(candidate.explanation),
        }
        for candidate in candidates
    ]


def reason_cells(e: dict) -> dict[str, Markup]:
    """The reasons beside a score as HTML cells (the text of employer/_explanation.html)."""
    return {
        "skills": _skill_tags(e),
        "city": escape(_city_text(e)),
        "experience": escape(_experience_text(e)),
        "french": escape(_french_text(e)),
        "salary": escape(_salary_text(e)),
        "permit": escape(_permit_text(e)),
    }


def _skill_tags(e: dict) -> Markup:
    tags = [("tag matched", "✓", s) for s in e["matched_skills"]]
    tags += [("tag missing", "✗", s) for s in e["missing_skills"]]
    tags += [("tag", "+", s) for s in e.get("matched_nice_to_have_skills") or ()]
    return Markup(
        "".join(f'<span class="{css}">{mark} {escape(skill)}</span>' for css, mark, skill in tags)
    )


def _city_text(e: dict) -> str:
    rank = e["city_preference_rank"]
    text = f"{e['city']}: choice #{rank}" if rank else f"{e['city']} not in their list"
    return text + (" · open to remote" if e["open_to_remote"] else "")


def _experience_text(e: dict) -> str:
    text = f"{e['years_experience']:g} yrs"
    if e["min_years_experience"] is not None:
        mark = "✓" if e["meets_min_experience"] else "✗"
        text += f" (needs {e['min_years_experience']:g} {mark})"
    return text


def _french_text(e: dict) -> str:
    level = e["french_level"]
    text = "unknown" if level is None else f"NCLC {level}"
    if e["french_level_required"]:
        meets = e["meets_french_requirement"]
        mark = "✓" if meets else "?" if meets is None else "✗"
        text += f" / needs {e['french_level_required']} {mark}"
    return text


def _salary_text(e: dict) -> str:
    expectation = e["salary_expectation_cad"]
    text = f"${expectation:,}" if expectation else "not given"
    return text + (f" ({e['salary_fit']} range)" if e["salary_fit"] != "unknown" else "")


def _permit_text(e: dict) -> str:
    authorization = e["work_authorization"]
    text = WORK_AUTHORIZATION_LABELS.get(authorization, authorization)
    return text + (f" · from {e['available_from']}" if e["available_from"] else "")


def _page_url(page: int) -> str:
    args = request.args.to_dict(flat=False)
    args["page"] = [str(page)]
    return url_for("shortlists.shortlist", **request.view_args, **args)


def _score_and_explanation(job_external_id: str, worker_id: int) -> tuple[float, dict, str]:
    try:
        return score_candidate(get_db(), job_external_id, worker_id, settings=_settings())
    except NotFound:
        abort(404)


@bp.route("/<external_id>/candidates/<worker_external_id>")
@employer_required
def candidate(external_id: str, worker_external_id: str):
    job = owned_job_or_404(external_id)
    worker_id = _worker_id_or_404(worker_external_id)
    score, explanation, model_version = _score_and_explanation(external_id, worker_id)
    contact_status = contact_request_status(get_db(), job.id, worker_id)
    stage = candidate_stage(get_db(), job.id, worker_id)
    profile = blind_profile(get_db(), worker_id)
    if contact_status != "accepted":
        profile["name"] = profile["email"] = None
    return render_template(
        "employer/candidate.html",
        job=job.record,
        profile=profile,
        score=score,
        explanation=explanation,
        model_version=model_version,
        contact_status=contact_status,
        history=decisions.decision_history(get_db(), job.id, worker_id),
        stage=stage,
        decision_stages=allowed_decisions(stage.stage, contact_status),
        interview_rule=RULE_BY_TARGET["interviewed"].description,
        back=_safe_back(request.args.get("back"), external_id),
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
    owned_job_or_404(external_id)
    stage = request.form.get("stage", "")
    if stage not in DECISION_STAGES:
        abort(400, description=f"Choose one of: {', '.join(DECISION_STAGES)}.")
    try:
        decisions.record_decision(
            get_db(),
            g.user.employer_id,
            external_id,
            worker_external_id,
            stage,
            actor_user_id=g.user.id,
        )
    except decisions.NotFound:
        abort(404)
    except TransitionRefused as refused:
        flash(f"Not recorded: {refused.message}", "error")
        return redirect(_safe_back(request.form.get("back"), external_id))
    message = f"Recorded “{stage}” for candidate {worker_external_id}."
    if stage == "contacted":
        message += " A contact request was sent; their details appear once they accept."
    flash(message, "success")
    if stage == "hired":
        return redirect(url_for("pipeline.pipeline", external_id=external_id))
    return redirect(_safe_back(request.form.get("back"), external_id))
