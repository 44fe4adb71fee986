"""A worker's matches, with the reasons, and the contact requests employers sent them.

Accepting a request reveals the worker's name and email to that job's employer only (the
employer's candidate page reads `contact_requests.status`); declining keeps them hidden.
"""

from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, g, redirect, render_template, url_for
from sqlite_utils import Database

from matcher.presentation import (
    PERCENTILE_LEGEND,
    explanation_items,
    fit_html,
    fit_legend,
    item_html,
)
from matcher.ranking.shortlists import JobMatch, NotFound, matches_for_worker
from matcher.store import utc_now, write_transaction
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
        shown=[_shown(match) for match in result.jobs],
        fit_legend=fit_legend(),
        fit_percentile_legend=PERCENTILE_LEGEND,
        pending=len(contact_requests_of(get_db(), g.user.worker_id, status="pending")),
    )


def _shown(match: JobMatch) -> dict:
    """A match as the page shows it: the presenter's fit and reasons in the worker's voice."""
    reasons = explanation_items(match.explanation, "worker")
    return {
        "match": match,
        "fit": fit_html(match.fit) if match.fit else "",
        "reasons": [(item.label, item_html(item)) for item in reasons],
    }


def contact_requests_of(db: Database, worker_id: int, *, status: str | None = None) -> list[dict]:
    """The worker's contact requests, newest first, with the job and its employer."""
    condition = "AND c.status = ?" if status else ""
    params = [worker_id, status] if status else [worker_id]
    return list(
        db.query(
            f"""SELECT c.id, c.status, c.created_at, c.decided_at, j.external_id AS job,
                       j.title, j.city, e.name AS employer
                FROM contact_requests c JOIN jobs j ON j.id = c.job_id
                JOIN employers e ON e.id = j.employer_id
                WHERE c.worker_id = ? {condition}
                ORDER BY c.created_at DESC, c.id DESC""",
            params,
        )
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
    before = contact_request_of(get_db(), g.user.worker_id, request_id)
    if before is None:
        abort(404)  # another worker's request, or none: the same answer, so ids leak nothing
    if not decide_contact_request(get_db(), g.user.worker_id, request_id, DECISIONS[decision]):
        flash(f"You already {before['status']} this request.", "info")
    elif decision == "accept":
        flash(f"{before['employer']} can now see your name and email for this job.", "success")
    else:
        flash(f"Declined: {before['employer']} will not see your name or email.", "success")
    return redirect(url_for("worker_matches.contact_requests"))


def contact_request_of(db: Database, worker_id: int, request_id: int) -> dict | None:
    """One of the worker's contact requests, or None when it is not theirs."""
    return next((r for r in contact_requests_of(db, worker_id) if r["id"] == request_id), None)


def decide_contact_request(db: Database, worker_id: int, request_id: int, status: str) -> bool:
    """Accept or decline one of the worker's pending requests; False if not theirs or decided."""
    with write_transaction(db):
        changed = db.execute(
            """UPDATE contact_requests SET status = ?, decided_at = ?
               WHERE id = ? AND worker_id = ? AND status = 'pending'""",
            [status, utc_now(), request_id, worker_id],
        ).rowcount
    return changed == 1
