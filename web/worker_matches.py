"""A worker's matches, with the reasons, and the contact requests employers sent them.

The hiring rules (what accepting or declining a request does) are `matcher.hiring`'s.
"""

from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, g, redirect, render_template, url_for
from flask_babel import gettext as _

from matcher.batch.serving import served_matches
from matcher.hiring.contact_requests import (
    ContactRequestNotFound,
    answer_contact_request,
    contact_requests_of,
)
from matcher.presentation import (
    explanation_items,
    fit_html,
    fit_legend,
    item_html,
    percentile_legend,
)
from matcher.ranking.shortlists import JobMatch, NotFound
from matcher.records.jobs import titles_in_language
from web.auth import worker_required
from web.database import get_db
from web.email_delivery import deliver_in_background
from web.i18n import current_language, translate
from web.worker_account import current_worker_external_id

bp = Blueprint("worker_matches", __name__, url_prefix="/me")

MATCHES_SHOWN = 10
DECISIONS = {"accept": "accepted", "decline": "declined"}


@bp.route("/matches")
@worker_required
def matches():
    try:
        result = served_matches(
            get_db(),
            current_worker_external_id(),
            limit=MATCHES_SHOWN,
            settings=current_app.config["SETTINGS"],
        )
    except NotFound:
        abort(404)
    titles = titles_in_language(get_db(), [m.job for m in result.jobs], current_language())
    return render_template(
        "worker/matches.html",
        matches=result,
        shown=[_shown(match, titles) for match in result.jobs],
        fit_legend=fit_legend(),
        fit_percentile_legend=percentile_legend(),
        pending=len(contact_requests_of(get_db(), g.user.worker_id, status="pending")),
    )


def _shown(match: JobMatch, titles: dict[str, str]) -> dict:
    """A match as the page shows it: the presenter's fit and reasons in the worker's voice."""
    reasons = explanation_items(match.explanation, "worker")
    return {
        "match": match,
        "title": titles.get(match.job),
        "fit": fit_html(match.fit) if match.fit else "",
        "reasons": [(item.label, item_html(item)) for item in reasons],
    }


@bp.route("/contact-requests")
@worker_required
def contact_requests():
    requests = contact_requests_of(get_db(), g.user.worker_id)
    titles = titles_in_language(get_db(), [r["job"] for r in requests], current_language())
    shown = [{**r, "title": titles.get(r["job"], r["title"])} for r in requests]
    return render_template("worker/contact_requests.html", requests=shown)


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
    if answer.changed:
        deliver_in_background()
    if not answer.changed:
        flash(
            _(
                "You already answered this request: %(answer)s.",
                answer=translate(answer.request["status"]),
            ),
            "info",
        )
    elif decision == "accept":
        flash(
            _("%(employer)s can now see your name and email for this job.", employer=employer),
            "success",
        )
    else:
        flash(
            _("Declined: %(employer)s will not see your name or email.", employer=employer),
            "success",
        )
    return redirect(url_for("worker_matches.contact_requests"))
