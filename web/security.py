"""Security wiring: CSRF on every state-changing request, and the response headers."""

from __future__ import annotations

from flask import Flask, Response, g, request, session
from flask_wtf.csrf import CSRFProtect

from matcher import accounts
from web.database import get_db

csrf = CSRFProtect()

CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)
API_PREFIX = "/api/"
STATE_CHANGING_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})


def carries_bearer_token() -> bool:
    """Whether the request authenticates with `Authorization: Bearer`, never with a cookie.

    A browser cannot attach that header to a cross-site request without a CORS preflight
    (which this app never grants), so such requests need no CSRF token.
    """
    return request.headers.get("Authorization", "").startswith("Bearer ")


def bearer_token_user() -> accounts.User | None:
    """The owner of the request's live Bearer token (looked up once per request), or None."""
    if "bearer_token_user" not in g:
        token = request.headers.get("Authorization", "").removeprefix("Bearer ").strip()
        g.bearer_token_user = accounts.user_for_api_token(get_db(), token) if token else None
    return g.bearer_token_user


def _authenticates_by_cookie() -> bool:
    """Whether the session cookie signs someone in (only then can a forged request harm)."""
    from web.auth import SESSION_KEY

    return SESSION_KEY in session


def _exempt_as_token_request() -> bool:
    """A Bearer request is authenticated by its token only (`web.auth`), never the cookie.

    So it skips CSRF when the token is valid; an invalid one skips it only under the API,
    which then answers 401. A page posted with a junk token and a cookie is still checked.
    """
    if not carries_bearer_token():
        return False
    return request.path.startswith(API_PREFIX) or bearer_token_user() is not None


def _protect_state_changes() -> None:
    if request.method not in STATE_CHANGING_METHODS or _exempt_as_token_request():
        return
    # The API answers 401 to a request that is neither token- nor cookie-authenticated.
    if request.path.startswith(API_PREFIX) and not _authenticates_by_cookie():
        return
    csrf.protect(apply_exemptions=True)  # views marked @csrf.exempt (email one-click)


def _add_security_headers(response: Response) -> Response:
    headers = response.headers
    headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("X-Frame-Options", "DENY")
    headers.setdefault("Referrer-Policy", "same-origin")
    headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
    headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
    if request.endpoint != "static":
        # Pages show personal data: keep them out of shared caches and the back-forward cache.
        headers.setdefault("Cache-Control", "no-store")
    if request.is_secure:
        headers.setdefault("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
    return response


def init_app(app: Flask) -> None:
    """CSRF checks (ours decide when, so Bearer-token API calls are exempt) and headers."""
    app.config["WTF_CSRF_CHECK_DEFAULT"] = False
    csrf.init_app(app)
    app.before_request(_protect_state_changes)
    app.after_request(_add_security_headers)
    from web import errors

    errors.init_app(app)
