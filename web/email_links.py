"""The links in emails: unsubscribe (a page and RFC 8058 one-click), "not relevant",
"I'm interested", "Not for me", and the answer to a contact request (accept or decline,
expiring).

They work without signing in: the signed token in the URL is the authority. A GET never
changes anything (mail scanners follow links); each change is a POST. The one-click
endpoint is exempt from CSRF because mail providers POST `List-Unsubscribe=One-Click` to
it with no session and no token; the signed URL itself is what a forger cannot produce.
"""

from __future__ import annotations

from flask import Blueprint, abort, current_app, g, redirect, render_template, request, url_for
from flask_babel import gettext as _

from matcher.config import resolve_secret_key
from matcher.hiring import interest
from matcher.hiring.contact_requests import answer_contact_request, contact_request_of
from matcher.notifications import consent, links
from matcher.records.jobs import job_heading
from matcher.records.workers import stored_email
from web.database import get_db
from web.email_delivery import deliver_in_background
from web.security import csrf

bp = Blueprint("email_links", __name__, url_prefix="/email")

ONE_CLICK_BODY = ("List-Unsubscribe", "One-Click")


def _claim(token: str, action: str) -> links.LinkClaim:
    secret_key = resolve_secret_key(current_app.config["SETTINGS"])
    try:
        return links.read_link_token(secret_key, token, action=action)
    except links.InvalidLinkToken:
        abort(404)


def _worker_email(worker_id: int) -> str:
    email = stored_email(get_db(), worker_id)
    if email is None:
        abort(404)
    return email or "your address"


@bp.get("/unsubscribe/<token>")
def unsubscribe_page(token: str):
    """Ask before unsubscribing (a GET must not change anything)."""
    claim = _claim(token, links.UNSUBSCRIBE)
    email = _worker_email(claim.worker_id)
    already = not consent.may_email(get_db(), claim.worker_id)
    return render_template("email_links/unsubscribe.html", email=email, already=already)


@bp.post("/unsubscribe/<token>")
def unsubscribe_confirmed(token: str):
    """The confirm button: withdraw consent at once, before the next send."""
    claim = _claim(token, links.UNSUBSCRIBE)
    email = _worker_email(claim.worker_id)
    consent.withdraw_consent(get_db(), claim.worker_id, method="unsubscribe_page")
    return render_template("email_links/unsubscribe.html", email=email, done=True)


@bp.route("/one-click-unsubscribe/<token>", methods=["GET", "POST"])
@csrf.exempt
def one_click_unsubscribe(token: str):
    """RFC 8058: a POST with `List-Unsubscribe=One-Click` unsubscribes; a GET shows the page."""
    claim = _claim(token, links.UNSUBSCRIBE)
    if request.method == "GET":
        return redirect(url_for(".unsubscribe_page", token=token))
    if request.form.get(ONE_CLICK_BODY[0]) != ONE_CLICK_BODY[1]:
        abort(400, description="expected List-Unsubscribe=One-Click")
    _worker_email(claim.worker_id)
    consent.withdraw_consent(get_db(), claim.worker_id, method="one_click_unsubscribe")
    return "Unsubscribed from match emails.\n", 200, {"Content-Type": "text/plain; charset=utf-8"}


def _job(job_id: int) -> dict:
    job = job_heading(get_db(), job_id)
    if job is None:
        abort(404)
    return job


@bp.get("/not-relevant/<token>")
def not_relevant_page(token: str):
    """Ask before recording that a job in a digest was not relevant."""
    claim = _claim(token, links.NOT_RELEVANT)
    _worker_email(claim.worker_id)
    return render_template("email_links/not_relevant.html", job=_job(claim.job_id))


@bp.post("/not-relevant/<token>")
def not_relevant_confirmed(token: str):
    """Record the feedback; later digests leave the job out."""
    claim = _claim(token, links.NOT_RELEVANT)
    _worker_email(claim.worker_id)
    job = _job(claim.job_id)
    consent.record_not_relevant(get_db(), claim.worker_id, claim.job_id)
    return render_template("email_links/not_relevant.html", job=job, done=True)


CONTACT_ANSWERS = {"accept": "accepted", "decline": "declined"}


def _contact_request_or_abort(token: str, answer: str) -> tuple[links.LinkClaim, dict]:
    """The request a contact-answer link is for, or a clear error page (never a 500)."""
    if answer not in CONTACT_ANSWERS:
        abort(404, description=_("This link is not a valid answer to a contact request."))
    secret_key = resolve_secret_key(current_app.config["SETTINGS"])
    try:
        claim = links.read_link_token(secret_key, token, action=links.CONTACT_ANSWER)
    except links.ExpiredLinkToken:
        abort(
            410,
            description=_(
                "This link has expired. Sign in and answer the request on your contact"
                " requests page."
            ),
        )
    except links.InvalidLinkToken:
        abort(404, description=_("This link is not valid. Open the link from your email again."))
    if g.user is not None and g.user.worker_id not in (None, claim.worker_id):
        abort(403, description=_("This link is for another account. Sign out to use it."))
    found = contact_request_of(get_db(), claim.worker_id, claim.request_id)
    if found is None:
        abort(404, description=_("This contact request is not yours or no longer exists."))
    return claim, found


@bp.get("/contact-requests/<token>/<answer>")
def contact_answer_page(token: str, answer: str):
    """Ask before answering a contact request (a GET must not change anything)."""
    _, found = _contact_request_or_abort(token, answer)
    return render_template("email_links/contact_answer.html", request_=found, answer=answer)


@bp.post("/contact-requests/<token>/<answer>")
def contact_answer_confirmed(token: str, answer: str):
    """Record the answer; the employer user who asked is emailed."""
    claim, found = _contact_request_or_abort(token, answer)
    result = answer_contact_request(
        get_db(), claim.worker_id, claim.request_id, CONTACT_ANSWERS[answer]
    )
    if result.changed:
        deliver_in_background()
    found = contact_request_of(get_db(), claim.worker_id, claim.request_id)
    return render_template(
        "email_links/contact_answer.html",
        request_=found,
        answer=answer,
        done=result.changed,
    )


def _interest_claim(token: str, path: str) -> links.LinkClaim:
    """The claim of an interest link; 404 when the path and the token's choice disagree."""
    choice = {value: key for key, value in links.INTEREST_PATHS.items()}.get(path)
    if choice is None:
        abort(404)
    claim = _claim(token, choice)
    _worker_email(claim.worker_id)
    return claim


@bp.get("/<any(interested, 'not-for-me'):path>/<token>")
def interest_page(path: str, token: str):
    """Ask before recording "I'm interested" or "Not for me" for a job in a digest."""
    claim = _interest_claim(token, path)
    return render_template(
        "email_links/interest.html", job=_job(claim.job_id), choice=claim.action, path=path
    )


@bp.post("/<any(interested, 'not-for-me'):path>/<token>")
def interest_confirmed(path: str, token: str):
    """Record the answer (source "email"), as the job page's buttons do."""
    claim = _interest_claim(token, path)
    job = _job(claim.job_id)
    interest.record_interest(get_db(), claim.worker_id, claim.job_id, claim.action, source="email")
    return render_template(
        "email_links/interest.html", job=job, choice=claim.action, path=path, done=True
    )
