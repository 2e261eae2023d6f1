"""Every error the service answers with, built by one helper, in one shape::

    {"error": {"code": "<stable_machine_code>", "message": "<for people>"}}

Handlers turn HTTP exceptions (404, 405, 413 from the body-size limit, ...), the engine's
:class:`~caveat.mail.errors.InputError`, :class:`ApiError` from the views and storage outages
into that shape. A defect (any other exception) becomes a bare 500 ``internal_error``:
Flask logs it first through :meth:`caveat.web.app.CaveatFlask.log_exception`, which withholds
exception messages and never sees the request body.
"""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Iterable

from flask import Flask, current_app, jsonify, request
from flask.typing import ResponseReturnValue
from werkzeug.exceptions import HTTPException
from werkzeug.http import HTTP_STATUS_CODES
from werkzeug.wrappers import Response

from caveat.mail.errors import InputError
from caveat.storage.store import StorageError
from caveat.web.metrics import count_storage_error

log = logging.getLogger(__name__)

_MESSAGES: dict[int, tuple[str, str]] = {
    400: ("bad_request", "the request is not valid"),
    401: ("unauthorized", "an API key is required: send Authorization: Bearer <key>"),
    403: ("forbidden", "this API key may not do that"),
    404: ("not_found", "there is nothing at this path"),
    405: ("method_not_allowed", "this path does not accept that method"),
    413: ("request_too_large", "the request body is too large"),
    415: ("unsupported_media_type", "send the request body as application/json"),
    500: ("internal_error", "the service could not handle this request"),
    503: ("service_unavailable", "the service cannot reach its database; try again later"),
}


class ApiError(Exception):
    """An error a view reports on purpose, with its status, code and message."""

    def __init__(
        self,
        status: int,
        code: str,
        message: str,
        headers: Iterable[tuple[str, str]] = (),
    ) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.headers = list(headers)


def error_response(
    status: int, code: str, message: str, headers: Iterable[tuple[str, str]] = ()
) -> Response:
    """The one place that builds a JSON error."""
    response = jsonify({"error": {"code": code, "message": message}})
    response.status_code = status
    for name, value in headers:
        response.headers[name] = value
    return response


def _default(status: int) -> tuple[str, str]:
    if status in _MESSAGES:
        return _MESSAGES[status]
    phrase = HTTP_STATUS_CODES.get(status, "error")
    return re.sub(r"[^a-z0-9]+", "_", phrase.lower()).strip("_"), phrase.lower()


def _http_error(exc: HTTPException) -> ResponseReturnValue:
    status = exc.code or 500
    if status < 400:  # routing redirects (a missing trailing slash) are answers, not errors
        return exc
    code, message = _default(status)
    if status == 413:
        limit = request.max_content_length
        if limit:
            message = f"the request body is larger than {limit} bytes"
    elif status == 405:
        message = f"{request.path} does not accept {request.method}"
    # Keep what the exception says in headers (Allow, WWW-Authenticate), not its HTML body.
    headers = [(k, v) for k, v in exc.get_headers() if k.lower() != "content-type"]
    return error_response(status, code, message, headers)


def _input_error(exc: InputError) -> ResponseReturnValue:
    status = exc.status if 400 <= exc.status < 500 else 400
    return error_response(status, exc.code, exc.message)


def _api_error(exc: ApiError) -> ResponseReturnValue:
    return error_response(exc.status, exc.code, exc.message, exc.headers)


#: During an outage every request fails the same way: one log line per this many seconds
#: per process says so, with how many answers it stands for (the metrics count each one).
STORAGE_LOG_SECONDS = 10.0
_monotonic = time.monotonic


def _storage_error(exc: StorageError) -> ResponseReturnValue:
    # An outage, not a defect: the message names the database (never its password).
    now = _monotonic()
    state = current_app.extensions.setdefault("caveat.storage_log", {"next": 0.0, "unlogged": 0})
    if now >= state["next"]:
        also = state["unlogged"]
        log.error(
            "storage unavailable on %s %s: %s%s",
            request.method,
            request.path,
            exc,
            f" (and {also} more 503s since the last such line)" if also else "",
        )
        state.update(next=now + STORAGE_LOG_SECONDS, unlogged=0)
    else:
        state["unlogged"] += 1
    count_storage_error()
    code, message = _MESSAGES[503]
    return error_response(503, code, message)


def init_app(app: Flask) -> None:
    app.register_error_handler(HTTPException, _http_error)
    app.register_error_handler(InputError, _input_error)
    app.register_error_handler(ApiError, _api_error)
    app.register_error_handler(StorageError, _storage_error)
