"""Sign-in and sign-out for employer users; the signed-in user on `g.user`."""

from __future__ import annotations

import datetime as dt
import functools
import re
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

from flask import (
    Blueprint,
    abort,
    current_app,
    g,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField
from wtforms.validators import DataRequired, Length

from matcher import accounts
from web import security
from web.database import get_db

bp = Blueprint("auth", __name__)

SESSION_KEY = "sid"


class SignInForm(FlaskForm):
    email = EmailField("Email", validators=[DataRequired(), Length(max=254)])
    password = PasswordField("Password", validators=[DataRequired(), Length(max=1024)])


@bp.before_app_request
def load_signed_in_user() -> None:
    """Put the session's user on `g.user` (None when signed out, ended or idle too long)."""
    g.user = None
    if request.endpoint == "static":
        return
    if security.carries_bearer_token():
        # Authenticated by the token alone: a cookie sent alongside never counts.
        g.user = security.bearer_token_user()
        return
    token = session.get(SESSION_KEY)
    if not token:
        return
    idle = dt.timedelta(seconds=current_app.config["IDLE_TIMEOUT_SECONDS"])
    g.user = accounts.user_for_session(get_db(), token, idle_timeout=idle)
    if g.user is None:
        session.pop(SESSION_KEY, None)


def role_required(role: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Pages for signed-in users of `role`: others are sent to sign in, or refused."""
    owner_attribute = f"{role}_id"

    def decorator(view: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(view)
        def wrapped(**kwargs: Any) -> Any:
            if g.user is None:
                return redirect(url_for("auth.sign_in", next=request.full_path.rstrip("?")))
            if g.user.role != role or getattr(g.user, owner_attribute) is None:
                abort(403)
            return view(**kwargs)

        return wrapped

    return decorator


employer_required = role_required("employer")
worker_required = role_required("worker")


def _home_for(user: accounts.User | None) -> str:
    """Where a user lands after signing in: workers on their matches, others on jobs."""
    if user is not None and user.role == "worker":
        return url_for("worker_matches.matches")
    return url_for("employer_jobs.list_jobs")


# Browsers drop tabs and line breaks from URLs (`/\t/evil.example` becomes `//evil.example`)
# and read a backslash as a slash; a line break would also break the Location header.
_UNSAFE_IN_NEXT = re.compile(r"[\x00-\x20\x7f-\x9f\\]")


def _safe_next(target: str | None, user: accounts.User | None = None) -> str:
    """Only a path on this site, so the sign-in page cannot redirect anywhere else."""
    if target and _is_local_path(target):
        return target
    return _home_for(user)


def _is_local_path(target: str) -> bool:
    """A path on this site: starts with one slash, no scheme or host, nothing a browser drops."""
    if _UNSAFE_IN_NEXT.search(target) or not target.startswith("/") or target.startswith("//"):
        return False
    parts = urlsplit(target)
    return not parts.scheme and not parts.netloc


@bp.route("/")
def index():
    if g.user is None:
        return redirect(url_for("auth.sign_in"))
    return redirect(_home_for(g.user))


@bp.route("/sign-in", methods=["GET", "POST"])
def sign_in():
    form = SignInForm()
    error, status = None, 200
    if form.validate_on_submit():
        try:
            user = accounts.authenticate(
                get_db(), form.email.data, form.password.data, remote_addr=request.remote_addr
            )
        except accounts.SignInThrottled as throttled:
            error, status = str(throttled), 429
        else:
            if user is not None:
                return _start_session(user)
            error, status = "That email and password do not match an account.", 401
    elif form.is_submitted():
        status = 400
    return render_template("auth/sign_in.html", form=form, error=error), status


def _start_session(user: accounts.User):
    # A fresh session on sign-in, so a session id planted beforehand is worthless; whoever
    # was signed in before in this browser is signed out on the server too.
    end_browser_session()
    session[SESSION_KEY] = accounts.create_session(get_db(), user.id)
    return redirect(_safe_next(request.args.get("next"), user))


def end_browser_session() -> None:
    """End this browser's server session (if any) and clear its cookie session."""
    token = session.get(SESSION_KEY)
    if token:
        accounts.end_session(get_db(), token)
    session.clear()


@bp.route("/sign-out", methods=["POST"])
def sign_out():
    end_browser_session()
    return redirect(url_for("auth.sign_in"))
