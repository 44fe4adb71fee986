"""Sign-in and sign-out for employer users; the signed-in user on `g.user`."""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import re
import secrets
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    g,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from itsdangerous import BadSignature, URLSafeSerializer
from wtforms import EmailField, PasswordField
from wtforms.validators import DataRequired, Length

from matcher import accounts
from matcher.email_addresses import canonical_or_as_typed
from matcher.i18n import localized, stored_language
from web import security
from web.database import get_db

bp = Blueprint("auth", __name__)

SESSION_KEY = "sid"
LANGUAGE_SESSION_KEY = "language"  # web.i18n's, kept across sign-in and sign-out


class SignInForm(FlaskForm):
    email = EmailField(_l("Email"), validators=[DataRequired(), Length(max=254)])
    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(max=1024)])


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


def safe_next(target: str | None, user: accounts.User | None = None) -> str:
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
    error, status, headers = None, 200, {}
    if form.validate_on_submit():
        try:
            user = check_password(form.email.data, form.password.data)
        except accounts.SignInThrottled as throttled:
            error, status = localized(throttled), 429
            headers["Retry-After"] = str(throttled.retry_after_seconds)
        else:
            if user is not None:
                return _start_session(user)
            error, status = _("That email and password do not match an account."), 401
    elif form.is_submitted():
        status = 400
    return render_template("auth/sign_in.html", form=form, error=error), status, headers


def check_password(email: str, password: str) -> accounts.User | None:
    """`accounts.authenticate` for this request's client (known device or remote address)."""
    return accounts.authenticate(
        get_db(), email, password, remote_addr=request.remote_addr, device=known_device_for(email)
    )


def _start_session(user: accounts.User):
    # A fresh session on sign-in, so a session id planted beforehand is worthless; whoever
    # was signed in before in this browser is signed out on the server too.
    end_browser_session()
    session[SESSION_KEY] = accounts.create_session(get_db(), user.id)
    remember_language_in_session(user)
    response = redirect(safe_next(request.args.get("next"), user))
    remember_device(response, user.email)
    return response


# ---- known devices -----------------------------------------------------------------------
# A signed cookie naming the accounts that signed in from this browser: sign-in throttling
# counts such a device by itself, so failures elsewhere never keep the owner out.

DEVICE_COOKIE = "talentmatch_device"
DEVICE_COOKIE_MAX_AGE = int(dt.timedelta(days=180).total_seconds())
MAX_ACCOUNTS_PER_DEVICE = 5


def _device_serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.secret_key, salt="talentmatch-known-device")


def _account_tag(email: str) -> str:
    canonical = canonical_or_as_typed(email).lower()
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()[:24]


def _device() -> dict:
    raw = request.cookies.get(DEVICE_COOKIE)
    if not raw:
        return {}
    try:
        device = _device_serializer().loads(raw)
    except BadSignature:
        return {}
    return device if isinstance(device, dict) else {}


def known_device_for(email: str) -> str | None:
    """This browser's device id if `email`'s account signed in from it before, else None."""
    device = _device()
    if _account_tag(email) in device.get("accounts", []):
        return str(device.get("id"))
    return None


def remember_device(response: Response, email: str) -> None:
    """Add `email`'s account to this browser's device cookie (a new device id if none)."""
    device = _device()
    tags = [tag for tag in device.get("accounts", []) if tag != _account_tag(email)]
    value = {
        "id": str(device.get("id") or secrets.token_urlsafe(16)),
        "accounts": [_account_tag(email), *tags][:MAX_ACCOUNTS_PER_DEVICE],
    }
    response.set_cookie(
        DEVICE_COOKIE,
        _device_serializer().dumps(value),
        max_age=DEVICE_COOKIE_MAX_AGE,
        httponly=True,
        secure=current_app.config["SESSION_COOKIE_SECURE"],
        samesite="Lax",
    )


def end_browser_session() -> None:
    """End this browser's server session (if any) and clear its cookie session.

    The language stays: signing out does not switch the page to another language.
    """
    token = session.get(SESSION_KEY)
    if token:
        accounts.end_session(get_db(), token)
    language = session.get(LANGUAGE_SESSION_KEY)
    session.clear()
    if language:
        session[LANGUAGE_SESSION_KEY] = language


def remember_language_in_session(user: accounts.User) -> None:
    """The account's stored language becomes this browser's, so it outlives signing out."""
    language = stored_language(get_db(), user.id)
    if language:
        session[LANGUAGE_SESSION_KEY] = language


@bp.route("/sign-out", methods=["POST"])
def sign_out():
    end_browser_session()
    return redirect(url_for("auth.sign_in"))
