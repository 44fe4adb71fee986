"""The JSON API under /api/v1 (PRODUCT.md): shortlists, matches and outcome events.

Clients authenticate with `Authorization: Bearer TOKEN`; a signed-in browser session also
works, and then state changes need the CSRF token like any form. Authorization is the pages':
another employer's job, or another worker's matches, answers 404.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, abort, current_app, g, jsonify, request

from matcher import accounts
from matcher.batch.serving import served_matches_for_viewer, served_shortlist
from matcher.constants import DECISION_STAGES
from matcher.hiring import decisions
from matcher.hiring.bulk import BulkError, record_bulk_decision
from matcher.hiring.exports import csv_file_name, shortlist_csv_for_job
from matcher.hiring.funnel import employer_funnel_report, funnel_report
from matcher.hiring.stages import TransitionRefused, pipeline_json, pipeline_stages
from matcher.ranking.shortlists import (
    CandidateFilters,
    FilterError,
    NotFound,
    owned_job,
)
from matcher.records.parsing import RowError
from web.database import get_db
from web.email_delivery import deliver_in_background
from web.security import carries_bearer_token

bp = Blueprint("api", __name__, url_prefix="/api/v1")

DEFAULT_SHORTLIST_LIMIT = 50
DEFAULT_MATCHES_LIMIT = 10
MAX_LIMIT = 500


class BadRequest(Exception):
    """A request the API refuses with 400; `field` names the culprit."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


@bp.errorhandler(BadRequest)
def _bad_request(error: BadRequest) -> tuple[Response, int]:
    body = {"error": "bad_request", "field": error.field, "message": error.message}
    return jsonify(body), 400


def _unauthorized() -> Response:
    response = jsonify({"error": "unauthorized", "message": "Send Authorization: Bearer TOKEN."})
    response.status_code = 401
    response.headers["WWW-Authenticate"] = 'Bearer realm="talentmatch"'
    return response


@bp.before_request
def authenticate_api_client() -> Response | None:
    """A Bearer token decides who calls; without one, the browser session (g.user) does."""
    if carries_bearer_token():
        token = request.headers["Authorization"].removeprefix("Bearer ").strip()
        g.user = accounts.user_for_api_token(get_db(), token) if token else None
    if g.user is None:
        return _unauthorized()
    return None


def _limit(default: int) -> int:
    raw = request.args.get("limit")
    if raw is None:
        return default
    try:
        limit = int(raw)
    except ValueError:
        raise BadRequest("limit", "limit must be a whole number") from None
    if not 1 <= limit <= MAX_LIMIT:
        raise BadRequest("limit", f"limit must be between 1 and {MAX_LIMIT}")
    return limit


def _employer_id_or_404() -> int:
    if g.user.role != "employer" or g.user.employer_id is None:
        abort(404)
    return g.user.employer_id


def _stage_filters() -> CandidateFilters:
    """The optional `stage` (repeatable) and `hide_decided` query parameters."""
    hide = request.args.get("hide_decided", "false").lower()
    if hide not in ("true", "false"):
        raise BadRequest("hide_decided", "hide_decided must be true or false")
    stages = request.args.getlist("stage")
    try:
        return CandidateFilters(stages=frozenset(stages) or None, hide_decided=hide == "true")
    except FilterError as error:
        raise BadRequest(error.field, error.reason) from None


@bp.get("/jobs/<external_id>/shortlist")
def job_shortlist(external_id: str) -> Response:
    limit = _limit(DEFAULT_SHORTLIST_LIMIT)
    filters = _stage_filters()
    settings = current_app.config["SETTINGS"]
    try:
        job = owned_job(get_db(), _employer_id_or_404(), external_id)
        shortlist = served_shortlist(
            get_db(), external_id, limit=limit, filters=filters, settings=settings, job=job
        )
    except NotFound:
        abort(404)
    return jsonify(shortlist.to_json())


@bp.get("/workers/<external_id>/matches")
def worker_matches(external_id: str) -> Response:
    limit = _limit(DEFAULT_MATCHES_LIMIT)
    settings = current_app.config["SETTINGS"]
    try:
        matches = served_matches_for_viewer(
            get_db(), external_id, g.user, limit=limit, settings=settings
        )
    except NotFound:
        abort(404)
    return jsonify(matches.to_json())


def _json_body() -> dict[str, Any]:
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        raise BadRequest("body", "the body must be a JSON object")
    return body


def _text_field(body: dict[str, Any], name: str) -> str:
    value = body.get(name)
    if not isinstance(value, str) or not value.strip():
        raise BadRequest(name, f"{name} is required and must be a non-empty string")
    return value.strip()


@bp.post("/outcomes")
def create_outcome() -> tuple[Response, int]:
    body = _json_body()
    job, worker, stage = (_text_field(body, name) for name in ("job", "worker", "stage"))
    if stage not in DECISION_STAGES:
        raise BadRequest("stage", f"stage must be one of {', '.join(DECISION_STAGES)}")
    message = body.get("message", "")
    if not isinstance(message, str):
        raise BadRequest("message", "message must be a string")
    employer_id = _employer_id_or_404()
    try:
        event = decisions.record_decision(
            get_db(),
            employer_id,
            job,
            worker,
            stage,
            actor_user_id=g.user.id,
            source="api",
            message=message,
        )
    except decisions.NotFound:
        abort(404)
    except TransitionRefused as refused:
        return _transition_refused(refused), 409
    except RowError as error:
        raise BadRequest(error.field, error.reason) from None
    deliver_in_background()
    return jsonify(event), 201


@bp.post("/jobs/<external_id>/decisions/bulk")
def create_bulk_decisions(external_id: str) -> Response:
    """One stage for several candidates; each gets its own result (recorded, unchanged, refused)."""
    employer_id = _employer_id_or_404()
    body = _json_body()
    stage = _text_field(body, "stage")
    workers = body.get("workers")
    if not isinstance(workers, list) or not all(isinstance(w, str) for w in workers):
        raise BadRequest("workers", "workers must be a list of worker external ids")
    try:
        outcome = record_bulk_decision(
            get_db(),
            employer_id,
            external_id,
            workers,
            stage,
            actor_user_id=g.user.id,
            source="api",
        )
    except decisions.NotFound:
        abort(404)
    except BulkError as error:
        raise BadRequest(error.field, error.message) from None
    return jsonify(outcome.to_json())


MAX_DESCRIPTION_CHARS = 100_000


@bp.post("/jobs/extract")
def extract_job() -> Response:
    """The job fields a posting's text states (`talentmatch jobs extract`), nothing saved."""
    _employer_id_or_404()
    body = _json_body()
    description = body.get("description")
    if not isinstance(description, str) or not description:
        raise BadRequest("description", "description is required and must be a non-empty string")
    if len(description) > MAX_DESCRIPTION_CHARS:
        raise BadRequest(
            "description", f"description must be at most {MAX_DESCRIPTION_CHARS} characters"
        )
    from matcher.postings import extract_job_fields

    return jsonify(extract_job_fields(description))


@bp.post("/jobs")
def create_job() -> tuple[Response, int]:
    """Create (201) or update (200) one of the caller's jobs from a jobs-contract object."""
    from matcher.records.jobs import parse_job, save_job
    from matcher.records.saving import SaveStatus

    employer_id = _employer_id_or_404()
    body = _json_body()
    employer = body.get("employer", g.user.employer_name)
    if employer != g.user.employer_name:
        raise BadRequest("employer", "employer must be left out or be your own employer's name")
    _check_job_json_types(body)
    description = body.get("description")
    if isinstance(description, str) and len(description) > MAX_DESCRIPTION_CHARS:
        raise BadRequest(
            "description", f"description must be at most {MAX_DESCRIPTION_CHARS} characters"
        )
    try:
        record = parse_job({**body, "employer": g.user.employer_name})
    except RowError as error:
        raise BadRequest(error.field, error.reason) from None
    try:
        status = save_job(get_db(), record, employer_id=employer_id)
    except RowError as error:  # the external id is another employer's: never overwritten
        return _conflict(error.field, error.reason)
    answer: dict[str, Any] = {"job": record.external_id}
    if record.unrecognised_skills:
        answer["unrecognised_skills"] = list(record.unrecognised_skills)
    return jsonify(answer), 201 if status is SaveStatus.INSERTED else 200


def _is_text(value: object) -> bool:
    return isinstance(value, str)


def _is_filled_text(value: object) -> bool:
    return isinstance(value, str) and bool(value.strip())


def _is_number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _is_whole_number(value: object) -> bool:
    return _is_number(value) and float(value).is_integer()  # type: ignore[arg-type]


def _is_skill_list(value: object) -> bool:
    return isinstance(value, list) and all(isinstance(item, str | dict) for item in value)


_FILLED_TEXT = (_is_filled_text, "a non-blank string")
_JOB_FIELD_TYPES = {
    **dict.fromkeys(("external_id", "employer", "title", "city", "remote"), _FILLED_TEXT),
    **dict.fromkeys(("status", "posted_at"), _FILLED_TEXT),
    **dict.fromkeys(("description", "title_fr", "description_fr"), (_is_text, "a string")),
    "min_years_experience": (_is_number, "a number"),
    **dict.fromkeys(
        ("salary_min_cad", "salary_max_cad", "french_level_required"),
        (_is_whole_number, "a whole number"),
    ),
    **dict.fromkeys(
        ("required_skills", "nice_to_have_skills"),
        (_is_skill_list, "a list of skill names or {name, years} objects"),
    ),
}


def _check_job_json_types(body: dict[str, Any]) -> None:
    """JSON types as the OpenAPI document gives them (CSV's strings-for-numbers is for files)."""
    for name, value in body.items():
        if name not in _JOB_FIELD_TYPES:
            raise BadRequest(name, f"{name} is not a field of the jobs contract")
        check, kind = _JOB_FIELD_TYPES[name]
        if value is not None and not check(value):
            raise BadRequest(name, f"{name} must be {kind} or null")


def _conflict(field: str, message: str) -> tuple[Response, int]:
    return jsonify({"error": "conflict", "field": field, "message": message}), 409


def _transition_refused(refused: TransitionRefused) -> Response:
    """409: the hiring rule that refuses the outcome, and the candidate's current stage."""
    return jsonify(
        {
            "error": "transition_refused",
            "rule": refused.rule,
            "message": refused.message,
            "stage": refused.current,
            "requested": refused.requested,
        }
    )


def _owned_job_id_or_404(external_id: str) -> int:
    try:
        return decisions.owned_job_id(get_db(), _employer_id_or_404(), external_id)
    except decisions.NotFound:
        abort(404)


@bp.get("/jobs/<external_id>/pipeline")
def job_pipeline(external_id: str) -> Response:
    job_id = _owned_job_id_or_404(external_id)
    return jsonify(pipeline_json(external_id, pipeline_stages(get_db(), job_id)))


@bp.get("/jobs/<external_id>/report")
def job_report(external_id: str) -> Response:
    job_id = _owned_job_id_or_404(external_id)
    return jsonify(funnel_report(get_db(), job_id, external_id))


@bp.get("/report")
def employer_report() -> Response:
    return jsonify(employer_funnel_report(get_db(), _employer_id_or_404()))


@bp.get("/jobs/<external_id>/shortlist.csv")
def job_shortlist_csv(external_id: str) -> Response:
    _owned_job_id_or_404(external_id)
    settings = current_app.config["SETTINGS"]
    body = shortlist_csv_for_job(get_db(), external_id, settings)
    response = Response(body, mimetype="text/csv")
    response.headers["Content-Disposition"] = f'attachment; filename="{csv_file_name(external_id)}"'
    return response
