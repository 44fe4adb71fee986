"""The JSON API under /api/v1 (PRODUCT.md): shortlists, matches and outcome events.

Clients authenticate with `Authorization: Bearer TOKEN`; a signed-in browser session also
works, and then state changes need the CSRF token like any form. Authorization is the pages':
another employer's job, or another worker's matches, answers 404.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, abort, g, jsonify, request

from matcher import accounts
from matcher.constants import DECISION_STAGES
from matcher.hiring import decisions
from matcher.hiring.funnel import funnel_report
from matcher.hiring.stages import TransitionRefused, pipeline_json, pipeline_stages
from matcher.records.parsing import RowError
from web.database import get_db
from web.security import carries_bearer_token
from web.shortlists import NotFoundError, load_matches, load_shortlist

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


@bp.get("/jobs/<external_id>/shortlist")
def job_shortlist(external_id: str) -> Response:
    limit = _limit(DEFAULT_SHORTLIST_LIMIT)
    try:
        shortlist = load_shortlist(external_id, _employer_id_or_404(), limit=limit)
    except NotFoundError:
        abort(404)
    return jsonify(shortlist.to_json())


@bp.get("/workers/<external_id>/matches")
def worker_matches(external_id: str) -> Response:
    limit = _limit(DEFAULT_MATCHES_LIMIT)
    try:
        matches = load_matches(external_id, g.user, limit=limit)
    except NotFoundError:
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
    employer_id = _employer_id_or_404()
    try:
        event = decisions.record_decision(
            get_db(), employer_id, job, worker, stage, actor_user_id=g.user.id, source="api"
        )
    except decisions.NotFound:
        abort(404)
    except TransitionRefused as refused:
        return _transition_refused(refused), 409
    except RowError as error:
        raise BadRequest(error.field, error.reason) from None
    return jsonify(event), 201


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


@bp.get("/jobs/<external_id>/shortlist.csv")
def job_shortlist_csv(external_id: str) -> Response:
    from web.pipeline import csv_response

    job_id = _owned_job_id_or_404(external_id)
    return csv_response(external_id, job_id, g.user.employer_id)
