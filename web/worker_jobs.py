"""A job as the signed-in worker sees it, and their "I'm interested" / "Not for me".

Everything shown is `matcher.worker_jobs.worker_job_view`'s; answers are recorded by
`matcher.hiring.interest`. A closed, unknown or unreadable job answers 404.
"""

from __future__ import annotations

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
from flask_babel import gettext

from matcher import clock
from matcher.errors import NotFound
from matcher.hiring.interest import CHOICES, INTERESTED, record_interest
from matcher.presentation import fit_html, fit_legend, percentile_legend
from matcher.records.jobs import load_job, posting_in_language
from matcher.worker_jobs import open_job, worker_job_view
from web.auth import worker_required
from web.database import get_db
from web.i18n import current_language

bp = Blueprint("worker_jobs", __name__, url_prefix="/me/jobs")


@bp.route("/<external_id>")
@worker_required
def job_page(external_id: str):
    try:
        view = worker_job_view(
            get_db(),
            external_id,
            g.user.worker_id,
            settings=current_app.config["SETTINGS"],
            today=clock.today(),
        )
    except NotFound:
        abort(404)
    record = load_job(get_db(), external_id)
    title, description = posting_in_language(record, current_language())
    return render_template(
        "worker/job.html",
        view=view,
        job=view.job,
        title=title,
        description=description,
        fit=fit_html(view.fit),
        fit_legend=fit_legend(),
        fit_percentile_legend=percentile_legend(),
    )


@bp.route("/<external_id>/interest", methods=["POST"])
@worker_required
def answer(external_id: str):
    choice = request.form.get("choice", "")
    if choice not in CHOICES:
        reason = gettext("choice: must be one of %(choices)s.", choices=", ".join(CHOICES))
        abort(400, description=reason)
    try:
        job = open_job(get_db(), external_id)
    except NotFound:
        abort(404)
    record_interest(get_db(), g.user.worker_id, job.id, choice, source="page")
    if choice == INTERESTED:
        message = gettext(
            "Noted: %(employer)s will see that you are interested.", employer=job.employer
        )
        flash(message, "success")
        return redirect(url_for(".job_page", external_id=external_id))
    message = gettext(
        "Noted: %(title)s will not appear in your matches or match emails.", title=job.title
    )
    flash(message, "success")
    return redirect(url_for("worker_matches.matches"))
