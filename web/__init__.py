"""The Flask web app: employer and worker pages and the JSON API."""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from flask import Flask
from flask.json.provider import DefaultJSONProvider

from matcher.config import Settings, load_settings, resolve_secret_key

LOOPBACK_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})


def _is_local_plain_http(base_url: str) -> bool:
    """A plain-HTTP run on this machine, the only case where cookies may go without Secure.

    The URL is parsed: `http://localhost.evil.example` is not this machine.
    """
    try:
        parts = urlsplit(base_url.strip())
        hostname = parts.hostname
    except ValueError:
        return False
    return parts.scheme.lower() == "http" and hostname in LOOPBACK_HOSTS


class BoundedJSONProvider(DefaultJSONProvider):
    """Flask's JSON, except that a body nested too deeply is a bad request, not a crash."""

    def loads(self, s: str | bytes, **kwargs: Any) -> Any:
        try:
            return super().loads(s, **kwargs)
        except RecursionError:
            # Flask's request.get_json turns a ValueError into 400 Bad Request.
            raise ValueError("JSON nested too deeply") from None


def _default_config(settings: Settings) -> dict[str, Any]:
    return {
        "SETTINGS": settings,
        "DATABASE": str(settings.db_path),
        "DEBUG": False,
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": not _is_local_plain_http(settings.base_url),
        "SESSION_COOKIE_NAME": "talentmatch_session",
        "IDLE_TIMEOUT_SECONDS": 30 * 60,
        "WTF_CSRF_TIME_LIMIT": None,
        "SHORTLIST_PAGE_SIZE": 20,
        "MAX_CONTENT_LENGTH": 1024 * 1024,
        "JSON_SORT_KEYS": False,
    }


def create_app(
    test_config: dict[str, Any] | None = None, settings: Settings | None = None
) -> Flask:
    """Build the app: defaults from settings, then `test_config` overrides, then blueprints."""
    settings = settings or load_settings()
    if test_config and "DATABASE" in test_config:
        settings = settings.with_overrides(db_path=Path(test_config["DATABASE"]))
    app = Flask(__name__)
    app.json = BoundedJSONProvider(app)
    app.config.from_mapping(_default_config(settings))
    if test_config:
        app.config.update(test_config)
    app.config["SETTINGS"] = settings
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = resolve_secret_key(settings)

    from web import database, i18n, security

    database.init_app(app)
    i18n.init_app(app)
    security.init_app(app)
    _register_blueprints(app)
    from matcher.email_addresses import display_email

    app.add_template_filter(display_email)  # addresses are stored in punycode
    return app


def _register_blueprints(app: Flask) -> None:
    """One blueprint per feature, each module exposing `bp`: add a feature with two lines."""
    from web import (
        api,
        auth,
        email_links,
        employer_jobs,
        openapi,
        pipeline,
        shortlists,
        worker_account,
        worker_jobs,
        worker_matches,
    )

    for feature in (
        auth,
        employer_jobs,
        shortlists,
        pipeline,
        api,
        openapi,
        worker_account,
        worker_matches,
        worker_jobs,
        email_links,
    ):
        app.register_blueprint(feature.bp)
