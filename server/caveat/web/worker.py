"""The gunicorn worker ``caveat serve`` runs: gunicorn's ``asgi`` worker (an asyncio event
loop reads every connection; see :mod:`caveat.web.front`) with two changes to how it
treats a connection:

* A request head (request line and header fields) must arrive within
  ``REQUEST_READ_SECONDS`` of the connection opening or of the previous response, or the
  connection gets a 408 and is closed. gunicorn waits for a head as long as its bytes keep
  coming, so without this a client sending a header a byte a second holds a connection
  for ever, and a few thousand such clients fill every worker's connection slots.
* The answers gunicorn gives on its own (a request line or header it cannot parse, a head
  over its limits, that timeout) come in the API's JSON error shape instead of plain text,
  and never quote the request.

gunicorn builds one protocol object per connection from the class its worker module
names; the worker points that name at :class:`Protocol` in its own process only.
tests/web/test_serve_front.py drives a real server with such requests, so a gunicorn
release that changes these internals fails the tests rather than quietly losing them.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable
from http import HTTPStatus
from typing import Any

from gunicorn.asgi.protocol import ASGIProtocol
from gunicorn.workers import gasgi

from .front import error_body

#: What gunicorn's own error answers say, by status: fixed text, never the request.
_ERRORS: dict[int, tuple[str, str]] = {
    400: ("bad_request", "the request is not valid HTTP"),
    408: ("request_timeout", "the request did not arrive in time"),
    414: ("uri_too_long", "the request line is too long"),
    431: ("header_fields_too_large", "the request header fields are too large or too many"),
    426: ("upgrade_required", "this request needs a protocol upgrade"),
    500: ("internal_error", "the service could not handle this request"),
    501: ("not_implemented", "the request uses a transfer coding or method not supported"),
}


class Protocol(ASGIProtocol):  # type: ignore[misc]
    #: Seconds a request head may take; set by :class:`Worker` from the settings.
    head_seconds = 10.0
    _head_timer: asyncio.TimerHandle | None = None
    #: Whether a byte of the awaited request head has come.
    _head_begun = False

    def connection_made(self, transport: Any) -> None:
        super().connection_made(transport)
        self._arm_head_timer()

    def _arm_keepalive_timer(self) -> None:
        super()._arm_keepalive_timer()
        self._arm_head_timer()

    def data_received(self, data: bytes) -> None:
        if self._head_timer is not None:
            self._head_begun = True
        super().data_received(data)

    def _on_headers_complete(self) -> Any:
        self._cancel_head_timer()
        return super()._on_headers_complete()

    def connection_lost(self, exc: BaseException | None) -> None:
        self._cancel_head_timer()
        super().connection_lost(exc)

    def _arm_head_timer(self) -> None:
        self._cancel_head_timer()
        self._head_begun = False
        self._head_timer = self.worker.loop.call_later(self.head_seconds, self._head_late)

    def _cancel_head_timer(self) -> None:
        if self._head_timer is not None:
            self._head_timer.cancel()
            self._head_timer = None

    def _head_late(self) -> None:
        self._head_timer = None
        if self._closed:
            return
        if self._head_begun:  # a request was on its way; an idle connection just closes
            self._send_error_response(408, "")
        self._keepalive_timeout()  # closes the transport and wakes the connection's task

    def _send_error_response(
        self, status: int, message: str, extra_headers: Iterable[tuple[str, str]] = ()
    ) -> None:
        code, text = _ERRORS.get(status, ("bad_request", "the request is not valid HTTP"))
        body = error_body(code, text)
        try:
            reason = HTTPStatus(status).phrase
        except ValueError:
            reason = "Error"
        extra = "".join(f"{name}: {value}\r\n" for name, value in extra_headers)
        head = (
            f"HTTP/1.1 {status} {reason}\r\n"
            "Content-Type: application/json\r\n"
            f"Content-Length: {len(body)}\r\n"
            "Cache-Control: no-store\r\n"
            "X-Content-Type-Options: nosniff\r\n"
            f"{extra}"
            "Connection: close\r\n\r\n"
        )
        self._safe_write(head.encode("latin-1") + body)


class Worker(gasgi.ASGIWorker):  # type: ignore[misc]
    def init_process(self) -> Any:
        from .asgi import flask_app

        Protocol.head_seconds = float(flask_app.config["REQUEST_READ_SECONDS"])
        gasgi.ASGIProtocol = Protocol
        return super().init_process()
