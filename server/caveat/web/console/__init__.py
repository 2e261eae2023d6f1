"""The admin console: server-rendered pages under ``/admin`` for the people who run
Caveat (administrators, security staff, finance leads), served by the same application.

:mod:`.kit` holds the blueprint and what every page uses, :mod:`.session` the sessions,
:mod:`.signin` sign-in (the identity provider, or a first-run link) and sign-out; each
page is a module of its own. Pages are plain HTML forms (Post/Redirect/Get) with a little
script from static files, under a strict CSP (:data:`.session.CONSOLE_CSP`).
"""

from __future__ import annotations

import importlib
from typing import Any

from flask import Flask, Response, request
from flask.typing import ResponseReturnValue
from flask_limiter import RateLimitExceeded
from werkzeug.exceptions import HTTPException, InternalServerError

from caveat.storage.store import StorageError
from caveat.web.api.services import EXTENSION as SERVICES

from . import signin
from .kit import bp, error_page
from .session import CONSOLE_CSP, init_console

__all__ = ["bp", "init_app"]

#: The page modules, each owned on its own; one not written yet is skipped (only these
#: names: any other missing import is a defect and fails).
PAGES = (
    "overview",
    "partners",
    "triage",
    "finance",
    "deployment",
    "keys",
    "audit",
)

for _name in PAGES:
    try:
        importlib.import_module(f"{__name__}.{_name}")
    except ModuleNotFoundError as _exc:
        if _exc.name != f"{__name__}.{_name}":
            raise

_ = signin  # registered its routes on import

PREFIX = "/admin"


def _ours() -> bool:
    return request.path == PREFIX or request.path.startswith(PREFIX + "/")


def init_app(app: Flask) -> None:
    """Register the console on ``app`` (after the API, whose error handlers it wraps)."""
    init_console(app, app.extensions[SERVICES].store)
    app.register_blueprint(bp)
    handlers = app.error_handler_spec.setdefault(None, {}).setdefault(None, {})
    http_before: Any = handlers.get(HTTPException)
    storage_before: Any = handlers.get(StorageError)
    # Flask files a handler of an HTTP error class under its status code
    limited_before: Any = app.error_handler_spec[None].get(429, {}).get(RateLimitExceeded)

    def http_error(exc: HTTPException) -> ResponseReturnValue:
        if not _ours():
            return http_before(exc) if http_before else exc  # type: ignore[no-any-return]
        if isinstance(exc, InternalServerError):
            return error_page(500, "The console met an error. It has been logged; try again.")
        code = exc.code or 500
        messages = {
            404: "There is no console page at this address.",
            405: "This page does not accept that kind of request.",
            413: "What was sent is larger than this form accepts.",
            400: "The request could not be understood.",
        }
        response = error_page(code, messages.get(code, exc.description or "Error."))
        if code == 405 and exc.get_response().headers.get("Allow"):
            response.headers["Allow"] = exc.get_response().headers["Allow"]
        return response

    def storage_error(exc: StorageError) -> ResponseReturnValue:
        if storage_before is not None:
            answered: ResponseReturnValue = storage_before(exc)  # logs and counts the outage
            if not _ours():
                return answered
        elif not _ours():
            raise exc
        return error_page(
            503,
            "The database does not answer just now. Try again in a minute.",
        )

    def rate_limited(exc: RateLimitExceeded) -> ResponseReturnValue:
        # The API's handler works out Retry-After (and answers everything outside /admin).
        answered: Any = limited_before(exc) if limited_before is not None else exc
        if not _ours():
            return answered  # type: ignore[no-any-return]
        api = app.make_response(answered)
        retry = api.headers.get("Retry-After", "")
        wait = (
            f"in {retry} second{'' if retry == '1' else 's'}"
            if retry.isdigit()
            else "in a little while"
        )
        response = error_page(
            429,
            f"Too many requests from this address just now. Try again {wait}.",
        )
        if retry:
            response.headers["Retry-After"] = retry
        return response

    app.register_error_handler(HTTPException, http_error)
    app.register_error_handler(StorageError, storage_error)
    app.register_error_handler(RateLimitExceeded, rate_limited)
    app.after_request(_console_headers)


def _console_headers(response: Response) -> Response:
    if _ours():
        response.headers["Content-Security-Policy"] = CONSOLE_CSP
        response.headers["X-Frame-Options"] = "DENY"
        if not request.path.startswith(PREFIX + "/static/"):
            response.headers["Cache-Control"] = "no-store"
    return response
