"""A job's hiring pipeline: candidates by stage, notes and tags, the funnel, the CSV export.

The page works without JavaScript: sections by stage, plain forms (CSRF like every form).
Hiring rules, notes and the funnel live in `matcher.hiring`; this module renders them.
"""

from __future__ import annotations

from flask import (
    Blueprint,
    Response,
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

from matcher.hiring import decisions, notes
from matcher.hiring.exports import accepted_contacts, csv_file_name, shortlist_csv_for_job
from matcher.hiring.funnel import employer_funnel_report, funnel_by_job, funnel_report
from matcher.hiring.stages import PIPELINE_STAGES, pipeline_stages, stage_counts
from matcher.i18n import localized
from web.auth import employer_required
from web.database import get_db
from web.decision_menu import decision_options
from web.employer_jobs import owned_job_or_404

bp = Blueprint("pipeline", __name__, url_prefix="/jobs")


def _worker_id_or_404(worker_external_id: str) -> int:
    try:
        return decisions.live_worker_id(get_db(), worker_external_id)
    except decisions.NotFound:
        abort(404)


def _back_to(external_id: str, worker_external_id: str):
    url = url_for("pipeline.pipeline", external_id=external_id)
    return redirect(f"{url}#candidate-{worker_external_id}")


@bp.route("/<external_id>/pipeline")
@employer_required
def pipeline(external_id: str):
    job = owned_job_or_404(external_id)
    db = get_db()
    stages = pipeline_stages(db, job.id)
    counts = stage_counts(stages)
    by_stage = {stage.key: [] for stage in PIPELINE_STAGES}
    for candidate in sorted(stages.values(), key=lambda c: (c.since, c.worker), reverse=True):
        by_stage[candidate.stage].append(candidate)
    return render_template(
        "employer/pipeline.html",
        job=job.record,
        sections=PIPELINE_STAGES,
        by_stage=by_stage,
        counts=counts,
        names=_accepted_names(db, job.id),
        notes=notes.notes_by_worker(db, job.id),
        tags=notes.tags_by_worker(db, job.id),
        report=funnel_report(db, job.id, external_id),
        decision_options=decision_options,
    )


@bp.route("/report")
@employer_required
def employer_report():
    """The funnel across all the employer's jobs, then a line per job."""
    db = get_db()
    return render_template(
        "employer/report.html",
        report=employer_funnel_report(db, g.user.employer_id),
        jobs=funnel_by_job(db, g.user.employer_id),
    )


def _accepted_names(db, job_id: int) -> dict[str, str]:
    return {w: c["name"] for w, c in accepted_contacts(db, job_id).items()}


@bp.route("/<external_id>/pipeline/<worker_external_id>/notes", methods=["POST"])
@employer_required
def add_note(external_id: str, worker_external_id: str):
    job = owned_job_or_404(external_id)
    worker_id = _worker_id_or_404(worker_external_id)
    try:
        notes.add_note(get_db(), job.id, worker_id, g.user.id, request.form.get("body", ""))
    except notes.NoteError as error:
        flash(localized(error), "error")
    else:
        flash(_("Note added on candidate %(worker)s.", worker=worker_external_id), "success")
    return _back_to(external_id, worker_external_id)


@bp.route(
    "/<external_id>/pipeline/<worker_external_id>/notes/<int:note_id>/delete", methods=["POST"]
)
@employer_required
def delete_note(external_id: str, worker_external_id: str, note_id: int):
    job = owned_job_or_404(external_id)
    _worker_id_or_404(worker_external_id)
    if not notes.delete_note(get_db(), job.id, note_id, g.user.id):
        abort(404)
    flash(_("Note deleted."), "success")
    return _back_to(external_id, worker_external_id)


@bp.route("/<external_id>/pipeline/<worker_external_id>/tags", methods=["POST"])
@employer_required
def add_tag(external_id: str, worker_external_id: str):
    job = owned_job_or_404(external_id)
    worker_id = _worker_id_or_404(worker_external_id)
    try:
        tag = notes.add_tag(get_db(), job.id, worker_id, g.user.id, request.form.get("tag", ""))
    except notes.NoteError as error:
        flash(localized(error), "error")
    else:
        flash(
            _("Tagged candidate %(worker)s “%(tag)s”.", worker=worker_external_id, tag=tag),
            "success",
        )
    return _back_to(external_id, worker_external_id)


@bp.route("/<external_id>/pipeline/<worker_external_id>/tags/remove", methods=["POST"])
@employer_required
def remove_tag(external_id: str, worker_external_id: str):
    job = owned_job_or_404(external_id)
    worker_id = _worker_id_or_404(worker_external_id)
    notes.remove_tag(get_db(), job.id, worker_id, request.form.get("tag", ""))
    return _back_to(external_id, worker_external_id)


@bp.route("/<external_id>/shortlist.csv")
@employer_required
def shortlist_export(external_id: str):
    owned_job_or_404(external_id)
    return csv_response(external_id)


def csv_response(external_id: str) -> Response:
    """The shortlist CSV as a download (shared by the page and the API)."""
    settings = current_app.config["SETTINGS"]
    body = shortlist_csv_for_job(get_db(), external_id, settings)
    response = Response(body, mimetype="text/csv")
    response.headers["Content-Disposition"] = f'attachment; filename="{csv_file_name(external_id)}"'
    return response
