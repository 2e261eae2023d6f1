"""The front every request passes before the Flask application: ``caveat.web.asgi:app``.

Why a front. The work behind the API is CPU-bound Python on one thread per process (the
engine's caches have no locks), so a worker that waits for a slow client waits with all
of its capacity: with gunicorn's threaded worker, one connection sending its body a byte
a second kept a worker from answering anything else. Here gunicorn's ``asgi`` worker reads
every connection on an event loop, and this front collects each request's body in memory,
bounded in size (per endpoint, checked against Content-Length before anything is read) and
in time (the whole body within ``REQUEST_READ_SECONDS``). Only a complete request reaches
the Flask application, which runs on a single thread next to the event loop, one request
after another, as before. A slow or stalled client
costs a connection and its bytes, never the worker.

The body is kept in memory only (asgiref's own adapter would spool bodies over 64 KiB to a
temporary file, and message content is never written to disk); asgiref converts the
scope to a WSGI environ.
"""

from __future__ import annotations

import asyncio
import io
import json
import logging
from collections.abc import Awaitable, Callable, MutableMapping
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from asgiref.wsgi import WsgiToAsgiInstance

from .limits import body_limit

log = logging.getLogger(__name__)

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]


def error_body(code: str, message: str) -> bytes:
    """The API's error shape (:mod:`caveat.web.api.errors`), for answers given before the
    application is reached."""
    return json.dumps({"error": {"code": code, "message": message}}).encode("utf-8")


async def send_error(
    send: Send,
    status: int,
    code: str,
    message: str,
    headers: tuple[tuple[bytes, bytes], ...] = (),
) -> None:
    body = error_body(code, message)
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode("ascii")),
                (b"cache-control", b"no-store"),
                (b"x-content-type-options", b"nosniff"),
                (b"connection", b"close"),
                *headers,
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})


def environ_for(scope: Scope, body: bytes) -> dict[str, Any]:
    """The WSGI environ of an ASGI HTTP scope with its whole body (asgiref's conversion)."""
    adapter = WsgiToAsgiInstance(None)
    adapter.scope = scope
    environ: dict[str, Any] = adapter.build_environ(scope, io.BytesIO(body))
    return environ


class AppThread:
    """The WSGI application on one thread of its own, one call at a time.

    One hop to the thread and back per request: the call runs the application and joins
    its answer there (Flask's answers are in memory already), and the event loop sends it.
    asgiref's adapter hops back to the loop for every piece of the answer, which cost about
    a millisecond a request, more than a whole health check.

    The whole request, waiting for its turn included, has ``budget`` seconds: after that the
    client gets a 503 at once. A request still waiting for its turn then never runs; one
    already running goes on to its end (the stages it runs through are each bounded: see
    docs/architecture.md) and its answer is dropped.
    """

    def __init__(self, wsgi_app: Any, budget: float) -> None:
        self.wsgi_app = wsgi_app
        self.budget = budget
        self._executor: ThreadPoolExecutor | None = None

    async def __call__(self, scope: Scope, body: bytes, send: Send) -> None:
        if self._executor is None:  # made in the worker, after gunicorn's fork
            self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="caveat-app")
        loop = asyncio.get_running_loop()
        call = loop.run_in_executor(self._executor, self._call, scope, body)
        try:
            status, headers, content = await asyncio.wait_for(asyncio.shield(call), self.budget)
        except TimeoutError:
            call.cancel()  # one still waiting for its turn never runs
            log.warning("request over its budget of %g s: %s", self.budget, scope["path"])
            await send_error(
                send,
                503,
                "over_budget",
                f"the service could not answer within {self.budget:g} seconds; try again",
                ((b"retry-after", b"5"),),
            )
            return
        await send({"type": "http.response.start", "status": status, "headers": headers})
        await send({"type": "http.response.body", "body": content})

    def _call(self, scope: Scope, body: bytes) -> tuple[int, list[tuple[bytes, bytes]], bytes]:
        started: list[Any] = []

        def start_response(
            status: str, headers: list[tuple[str, str]], exc_info: Any = None
        ) -> Any:
            started[:] = [status, headers]
            return lambda data: None  # the legacy write() callable; Flask never uses it

        try:
            result = self.wsgi_app(environ_for(scope, body), start_response)
            try:
                content = b"".join(result)
            finally:
                close = getattr(result, "close", None)
                if close is not None:
                    close()
        except Exception:  # a defect outside Flask's own handling: never the worker
            log.exception("unhandled error around the application")
            return 500, [(b"content-type", b"application/json")], error_body(
                "internal_error", "the service could not handle this request"
            )
        status, headers = started
        return (
            int(status.split(" ", 1)[0]),
            [(k.lower().encode("latin-1"), v.encode("latin-1")) for k, v in headers],
            content,
        )


#: The slowest upload the front waits for, beyond ``REQUEST_READ_SECONDS``: 64 KiB a second.
MIN_UPLOAD_BYTES_PER_SECOND = 64 * 1024
#: Request bodies one worker holds in memory at once, all connections together; a request
#: that would go beyond is answered 503 with Retry-After before its body is read.
BUFFERED_BYTES_PER_WORKER = 256 * 1024 * 1024


class BufferingFront:
    """ASGI application: read each request whole, within limits, then run ``wsgi_app``."""

    def __init__(self, wsgi_app: Any, settings: MutableMapping[str, Any]) -> None:
        self.app = AppThread(wsgi_app, float(settings["REQUEST_BUDGET_SECONDS"]))
        self.settings = settings
        self.read_seconds = float(settings["REQUEST_READ_SECONDS"])
        #: Bytes reserved by the requests being read now (their limit or declared length).
        self.reserved = 0

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        kind = scope["type"]
        if kind == "lifespan":
            await _lifespan(receive, send)
            return
        if kind != "http":  # websockets: nothing here speaks them
            return
        limit = body_limit(scope["method"], scope["path"], self.settings)
        declared = _content_length(scope)
        if declared is not None and declared > limit:
            await _too_large(send, limit)
            return
        reserve = limit if declared is None else declared
        if reserve and self.reserved + reserve > BUFFERED_BYTES_PER_WORKER:
            await send_error(
                send,
                503,
                "busy",
                "the service is receiving too many large requests; try again shortly",
                ((b"retry-after", b"2"),),
            )
            return
        self.reserved += reserve
        try:
            body = await self._read_body(receive, limit, declared)
        except TimeoutError:
            await send_error(
                send, 408, "request_timeout", "the request body did not arrive in time"
            )
            return
        except _TooLarge:
            await _too_large(send, limit)
            return
        except _Disconnected:
            return
        finally:
            self.reserved -= reserve
        await self.app(scope, body, send)

    async def _read_body(self, receive: Receive, limit: int, declared: int | None) -> bytes:
        """The whole body, or TimeoutError once it is later than ``REQUEST_READ_SECONDS`` plus
        a second per 64 KiB (of the declared length, or of what has come so far)."""
        loop = asyncio.get_running_loop()
        start = loop.time()
        chunks: list[bytes] = []
        size = 0
        while True:
            expected = declared if declared is not None else size
            deadline = start + self.read_seconds + expected / MIN_UPLOAD_BYTES_PER_SECOND
            async with asyncio.timeout_at(deadline):
                message = await receive()
            if message["type"] == "http.disconnect":
                raise _Disconnected
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > limit:
                raise _TooLarge
            if chunk:
                chunks.append(chunk)
            if not message.get("more_body", False):
                return b"".join(chunks)


async def _too_large(send: Send, limit: int) -> None:
    await send_error(
        send, 413, "request_too_large", f"the request body is larger than {limit} bytes"
    )


class _TooLarge(Exception):
    pass


class _Disconnected(Exception):
    pass


def _content_length(scope: Scope) -> int | None:
    for name, value in scope.get("headers", ()):
        if name == b"content-length":
            try:
                return int(value)
            except ValueError:
                return None  # the HTTP parser refuses it before we get here
    return None


async def _lifespan(receive: Receive, send: Send) -> None:
    """Nothing to start or stop per worker (the application is built before the fork)."""
    while True:
        message = await receive()
        if message["type"] == "lifespan.startup":
            await send({"type": "lifespan.startup.complete"})
        elif message["type"] == "lifespan.shutdown":
            await send({"type": "lifespan.shutdown.complete"})
            return
