"""Error responses: JSON under the API, a plain page elsewhere."""

from __future__ import annotations

from flask import Flask, jsonify, render_template, request
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException, MethodNotAllowed

API_PREFIX = "/api/"


def _wants_json() -> bool:
    return request.path.startswith(API_PREFIX)


def _handle_http_error(error: HTTPException):
    if _wants_json():
        body = {"error": error.name.lower().replace(" ", "_"), "message": error.description}
        response = jsonify(body)
    else:
        response = render_template("error.html", error=error)
    headers = {}
    if isinstance(error, MethodNotAllowed) and error.valid_methods:
        headers["Allow"] = ", ".join(error.valid_methods)
    return response, error.code, headers


def _handle_csrf_error(error: CSRFError):
    message = _("The form expired or was not sent from this site. Reload the page and try again.")
    if _wants_json():
        return jsonify({"error": "csrf_failed", "message": error.description}), 400
    return render_template("error.html", error=error, message=message), 400


def init_app(app: Flask) -> None:
    """Register the error handlers."""
    app.register_error_handler(CSRFError, _handle_csrf_error)
    app.register_error_handler(HTTPException, _handle_http_error)
