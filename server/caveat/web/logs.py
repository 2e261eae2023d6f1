"""Structured logs: one JSON object per line, each request's lines joined by a request id.

* :class:`JsonFormatter` writes every record as ``{"time", "level", "logger", "message",
  "process", "request_id", ...}``; a record logged while a request is being answered carries
  that request's id. Exceptions are written as frames and exception types only
  (:func:`redacted_traceback`): an exception's message can quote the data that caused it.
* :class:`GunicornLogger` (gunicorn's ``logger_class``) gives gunicorn's error and access
  logs that formatter, and writes each access line as fields: method, path (never the
  query string), status, bytes, duration, client address and request id. No header other
  than the request id, no body.
* :func:`request_id` is the id of the request being answered: the client's ``X-Request-Id``
  when it is short and plain (``[A-Za-z0-9._-]{1,64}``), else a new one; the response
  carries it back in ``X-Request-Id`` (:mod:`caveat.web.monitoring`).

What the service logs is what the code writes: paths, methods, codes, counts and outages.
Message content, subjects, names, addresses, query strings and credentials are never
passed to a logger.
"""

from __future__ import annotations

import logging
import re
import traceback
import uuid
from collections.abc import Iterable
from datetime import UTC, datetime
from types import TracebackType
from typing import Any

from flask import g, has_request_context
from gunicorn.glogging import Logger as _GunicornLogger
from pythonjsonlogger.json import JsonFormatter as _JsonFormatter

REQUEST_ID_HEADER = "X-Request-Id"
#: The logger every module of the application logs under.
APP_LOGGER = "caveat"
_REQUEST_ID_RE = re.compile(r"[A-Za-z0-9._-]{1,64}")

ExcInfo = tuple[type[BaseException], BaseException, TracebackType | None]


def request_id() -> str:
    """The id of the request being answered (made on first use)."""
    rid: str | None = g.get("request_id")
    if rid is None:
        from flask import request

        rid = acceptable_request_id(request.headers.get(REQUEST_ID_HEADER)) or new_request_id()
        g.request_id = rid
    return rid


def acceptable_request_id(value: str | None) -> str | None:
    """``value`` when it may serve as a request id (short, no spaces, no markup)."""
    if value is not None and _REQUEST_ID_RE.fullmatch(value):
        return value
    return None


def new_request_id() -> str:
    return uuid.uuid4().hex


def redacted_traceback(exc: BaseException) -> str:
    """The traceback of ``exc`` and the exceptions it was raised from, frames and exception
    types only."""
    chain: list[BaseException] = []
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        chain.append(current)
        current = current.__cause__ or (
            None if current.__suppress_context__ else current.__context__
        )
    parts = []
    for e in reversed(chain):
        frames = "".join(traceback.format_list(traceback.extract_tb(e.__traceback__)))
        kind = f"{type(e).__module__}.{type(e).__qualname__}"
        parts.append(f"Traceback (most recent call last):\n{frames}{kind}: (message withheld)")
    return "\n\nwhich led to:\n\n".join(parts)


class JsonFormatter(_JsonFormatter):
    """One JSON object per record, with the request id of the request being answered."""

    def __init__(self) -> None:
        super().__init__(
            "%(asctime)s %(levelname)s %(name)s %(process)d %(message)s",
            rename_fields={"asctime": "time", "levelname": "level", "name": "logger"},
            json_ensure_ascii=False,
        )

    def formatTime(self, record: logging.LogRecord, datefmt: str | None = None) -> str:
        stamp = datetime.fromtimestamp(record.created, UTC)
        return stamp.isoformat(timespec="milliseconds").replace("+00:00", "Z")

    def formatException(self, ei: Any) -> str:
        exc = ei[1] if isinstance(ei, tuple) else None
        return redacted_traceback(exc) if exc is not None else "(no exception)"

    def add_fields(
        self, log_data: dict[str, Any], record: logging.LogRecord, message_dict: dict[str, Any]
    ) -> None:
        super().add_fields(log_data, record, message_dict)
        if "request_id" not in log_data and has_request_context():
            log_data["request_id"] = request_id()


class GunicornLogger(_GunicornLogger):
    """gunicorn's logger with JSON lines on the handlers gunicorn sets up, and access lines
    made of named fields rather than a format string."""

    def setup(self, cfg: Any) -> None:
        earlier = [
            h
            for log in (self.error_log, self.access_log)
            for h in log.handlers
            if getattr(h, "_gunicorn", False)
        ]
        super().setup(cfg)
        formatter = JsonFormatter()
        for log in (self.error_log, self.access_log):
            for handler in log.handlers:
                if getattr(handler, "_gunicorn", False):
                    handler.setFormatter(formatter)
        # The application's records (``caveat.*``) go to the error log as well, from the
        # master too (the set-up notices it logs while loading the application); a
        # configuration reload replaces the handlers, so the earlier ones are dropped, and
        # closed (gunicorn lets go of them without closing their files).
        app_log = logging.getLogger(APP_LOGGER)
        for handler in list(app_log.handlers):
            if getattr(handler, "_gunicorn", False):
                app_log.removeHandler(handler)
        current = set(self.error_log.handlers) | set(self.access_log.handlers)
        for handler in earlier:
            if handler not in current:
                handler.close()
        for handler in self.error_log.handlers:
            app_log.addHandler(handler)
        app_log.setLevel(logging.INFO)
        app_log.propagate = False

    def access(self, resp: Any, req: Any, environ: Any, request_time: Any) -> None:
        if not self.access_log_enabled:
            return
        try:
            fields = access_fields(resp, environ, request_time)
            self.access_log.info(
                "%s %s %s", fields["method"], fields["path"], fields["status"], extra=fields
            )
        except Exception:
            self.error_log.error("could not write an access log line", exc_info=True)


def access_fields(resp: Any, environ: Any, request_time: Any) -> dict[str, Any]:
    """The fields of one access log line (never a query string or a header other than the
    request id)."""
    status = resp.status
    if isinstance(status, str):
        status = status.split(None, 1)[0]
    try:
        status = int(status)
    except (TypeError, ValueError):
        status = None
    sent = getattr(resp, "sent", None)
    return {
        "method": environ.get("REQUEST_METHOD"),
        "path": environ.get("PATH_INFO"),
        "status": status,
        "bytes": sent if isinstance(sent, int) else None,
        "duration_ms": round(request_time.seconds * 1000 + request_time.microseconds / 1000, 3),
        "remote_addr": environ.get("REMOTE_ADDR"),
        "protocol": environ.get("SERVER_PROTOCOL"),
        "request_id": _response_header(resp.headers, REQUEST_ID_HEADER),
    }


def _response_header(headers: Any, name: str) -> str | None:
    items: Iterable[tuple[str, str]] = headers.items() if hasattr(headers, "items") else headers
    wanted = name.lower()
    for key, value in items or ():
        if isinstance(key, bytes):
            key = key.decode("latin-1")
        if key.lower() == wanted:
            text = value.decode("latin-1") if isinstance(value, bytes) else value
            return acceptable_request_id(text)
    return None
