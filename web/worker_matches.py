"""A worker's matches, with the reasons, and the contact requests employers sent them.

The hiring rules (what accepting or declining a request does) are `matcher.hiring`'s.
"""

from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, g, redirect, render_template, url_for

from matcher.constants import WORK_AUTHORIZATION_LABELS
from matcher.hiring.contact_requests import (
    ContactRequestNotFound,
    answer_contact_request,
    contact_requests_of,
)
from matcher.ranking.shortlists import NotFound, matches_for_worker
from web.auth import worker_required
from web.database import get_db
from web.worker_account import current_worker_external_id

bp = Blueprint("worker_matches", __name__, url_prefix="/me")

MATCHES_SHOWN = 10
DECISIONS = {"accept": "accepted", "decline": "declined"}


@bp.route("/matches")
@worker_required
def matches():
    try:
        result = matches_for_worker(
            get_db(),
            current_worker_external_id(),
            limit=MATCHES_SHOWN,
            settings=current_app.config["SETTINGS"],
        )
    except NotFound:
        abort(404)
    return render_template(
        "worker/matches.html",
        matches=result,
        pending=len(contact_requests_of(get_db(), g.user.worker_id, status="pending")),
        work_authorization_labels=WORK_AUTHORIZATION_LABELS,
    )


@bp.route("/contact-requests")
@worker_required
def contact_requests():
    requests = contact_requests_of(get_db(), g.user.worker_id)
    return render_template("worker/contact_requests.html", requests=requests)


@bp.route("/contact-requests/<int:request_id>/<decision>", methods=["POST"])
@worker_required
def decide(request_id: int, decision: str):
    if decision not in DECISIONS:
        abort(404)
    try:
        answer = answer_contact_request(get_db(), g.user.worker_id, request_id, DECISIONS[decision])
    except ContactRequestNotFound:
        abort(404)
    employer = answer.request["employer"]
    if not answer.changed:
        flash(f"You already {answer.request['status']} this request.", "info")
    elif decision == "accept":
        flash(f"{employer} can now see your name and email for this job.", "success")
    else:
        flash(f"Declined: {employer} will not see your name or email.", "success")
    return redirect(url_for("worker_matches.contact_requests"))
