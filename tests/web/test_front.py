"""The buffering front in-process (``caveat.web.front``): body limits before reading, the
read deadline, the per-request budget, and the answer of the application passed through."""

from __future__ import annotations

import asyncio
import json
import threading
import time
from collections.abc import Callable, Coroutine
from typing import Any, TypeVar

from caveat.web.front import BufferingFront

T = TypeVar("T")

SETTINGS = {
    "MAX_REQUEST_BYTES": 1000,
    "MAX_SMALL_REQUEST_BYTES": 100,
    "REQUEST_READ_SECONDS": 1,
    "REQUEST_BUDGET_SECONDS": 1,
}


def scope(path: str = "/api/v1/analyze", method: str = "POST", length: int | None = None) -> dict:
    headers = [(b"host", b"localhost")]
    if length is not None:
        headers.append((b"content-length", str(length).encode()))
    return {
        "type": "http", "method": method, "path": path, "query_string": b"", "headers": headers,
        "http_version": "1.1", "scheme": "http", "server": ("127.0.0.1", 80),
        "client": ("127.0.0.1", 5000), "root_path": "",
    }


class Recorder:
    def __init__(self) -> None:
        self.messages: list[dict[str, Any]] = []

    async def __call__(self, message: dict[str, Any]) -> None:
        self.messages.append(message)

    @property
    def status(self) -> int:
        return int(self.messages[0]["status"])

    @property
    def json(self) -> Any:
        return json.loads(b"".join(m.get("body", b"") for m in self.messages[1:]))


def body_of(*chunks: bytes, pause: float = 0.0) -> Any:
    queue = list(chunks)

    async def receive() -> dict[str, Any]:
        if pause:
            await asyncio.sleep(pause)
        chunk = queue.pop(0)
        return {"type": "http.request", "body": chunk, "more_body": bool(queue)}

    return receive


def echo_app(environ: dict[str, Any], start_response: Any) -> list[bytes]:
    data = environ["wsgi.input"].read()
    start_response("200 OK", [("Content-Type", "application/json")])
    return [json.dumps({"length": len(data), "path": environ["PATH_INFO"]}).encode()]


def run_loop(make: Callable[[], Coroutine[Any, Any, T]]) -> T:
    """``asyncio.run`` on a thread of its own: in the full suite the browser tests' driver
    keeps an event loop running on the main thread."""
    out: list[T] = []
    failed: list[BaseException] = []

    def main() -> None:
        try:
            out.append(asyncio.run(make()))
        except BaseException as exc:  # handed back to the test
            failed.append(exc)

    thread = threading.Thread(target=main)
    thread.start()
    thread.join()
    if failed:
        raise failed[0]
    return out[0]


def run(front: BufferingFront, sc: dict, receive: Any) -> Recorder:
    send = Recorder()
    run_loop(lambda: front(sc, receive, send))
    return send


def test_a_complete_request_reaches_the_application() -> None:
    send = run(BufferingFront(echo_app, SETTINGS), scope(length=10), body_of(b"01234", b"56789"))
    assert send.status == 200
    assert send.json == {"length": 10, "path": "/api/v1/analyze"}


def test_a_declared_length_over_the_endpoints_limit_is_refused_before_reading() -> None:
    def receive() -> Any:
        raise AssertionError("the body must not be read")

    send = run(BufferingFront(echo_app, SETTINGS), scope("/api/v1/recipients", length=101), receive)
    assert send.status == 413
    assert send.json["error"]["code"] == "request_too_large"
    # analyze takes the large limit
    send = run(BufferingFront(echo_app, SETTINGS), scope(length=500), body_of(b"x" * 500))
    assert send.status == 200


def test_a_chunked_body_running_past_the_limit_is_refused() -> None:
    send = run(BufferingFront(echo_app, SETTINGS), scope(), body_of(*[b"x" * 400] * 3))
    assert send.status == 413


def test_a_body_that_does_not_arrive_in_time_gets_a_408() -> None:
    started = time.monotonic()
    send = run(
        BufferingFront(echo_app, SETTINGS),
        scope(length=10),
        body_of(b"0", b"1", b"2", b"3", pause=0.4),
    )
    assert send.status == 408
    assert send.json["error"]["code"] == "request_timeout"
    assert time.monotonic() - started < 1.5


def test_a_request_over_its_budget_is_answered_503_and_one_waiting_never_runs() -> None:
    ran: list[str] = []
    release = threading.Event()

    def slow_app(environ: dict[str, Any], start_response: Any) -> list[bytes]:
        ran.append(environ["PATH_INFO"])
        if environ["PATH_INFO"] == "/slow":
            release.wait(5)
        start_response("200 OK", [])
        return [b"{}"]

    front = BufferingFront(slow_app, SETTINGS)

    async def both() -> tuple[Recorder, Recorder]:
        first, second = Recorder(), Recorder()
        await asyncio.gather(
            front(scope("/slow", "GET"), body_of(b""), first),
            front(scope("/queued", "GET"), body_of(b""), second),
        )
        return first, second

    started = time.monotonic()
    first, second = run_loop(both)
    took = time.monotonic() - started
    release.set()
    assert first.status == 503 and second.status == 503
    assert first.json["error"]["code"] == "over_budget"
    assert took < 2.5
    time.sleep(0.2)
    assert ran == ["/slow"]  # the queued request was dropped before it ran


def test_lifespan_is_acknowledged() -> None:
    messages = [{"type": "lifespan.startup"}, {"type": "lifespan.shutdown"}]

    async def receive() -> dict[str, Any]:
        return messages.pop(0)

    send = Recorder()
    run_loop(lambda: BufferingFront(echo_app, SETTINGS)({"type": "lifespan"}, receive, send))
    assert [m["type"] for m in send.messages] == [
        "lifespan.startup.complete",
        "lifespan.shutdown.complete",
    ]
