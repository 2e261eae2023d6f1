"""The real server (``caveat serve``: gunicorn, its asgi worker, the buffering front) against
slow and malformed clients: a client that trickles its request holds a connection, never
a worker; gunicorn's own answers come in the API's JSON error shape."""

from __future__ import annotations

import http.client
import json
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.live_service import Service, clean_env, migrated_key, serve

#: Seconds a request head or body may take in these tests (the setting's default is 10).
READ_SECONDS = 2


@pytest.fixture(scope="module")
def service(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Service]:
    folder = tmp_path_factory.mktemp("front")
    instance = folder / "instance"
    instance.mkdir()
    db = f"sqlite:///{instance / 'caveat.db'}"
    key = migrated_key(db, "front")
    env = clean_env(instance, CAVEAT_REQUEST_READ_SECONDS=str(READ_SECONDS))
    svc = serve(folder, db, key, env, workers=1)
    yield svc
    svc.stop()


def get(svc: Service, path: str, timeout: float = 5) -> tuple[int, float]:
    start = time.monotonic()
    conn = http.client.HTTPConnection("127.0.0.1", svc.port, timeout=timeout)
    try:
        conn.request("GET", path)
        response = conn.getresponse()
        response.read()
        return response.status, time.monotonic() - start
    finally:
        conn.close()


def analyze(svc: Service, timeout: float = 5) -> int:
    conn = http.client.HTTPConnection("127.0.0.1", svc.port, timeout=timeout)
    try:
        body = json.dumps({"headers": "From: a@b.example\r\nTo: c@d.example\r\n"})
        conn.request(
            "POST",
            "/api/v1/analyze",
            body,
            {"Authorization": f"Bearer {svc.key}", "Content-Type": "application/json"},
        )
        response = conn.getresponse()
        response.read()
        return response.status
    finally:
        conn.close()


def raw_exchange(svc: Service, data: bytes, wait: float = 5) -> bytes:
    """Send ``data`` on a new connection and return everything the server sends back."""
    with socket.create_connection(("127.0.0.1", svc.port), timeout=wait) as s:
        s.sendall(data)
        chunks = []
        while True:
            try:
                chunk = s.recv(65536)
            except TimeoutError:
                break
            if not chunk:
                break
            chunks.append(chunk)
    return b"".join(chunks)


class Trickler(threading.Thread):
    """A client sending ``head`` and then one byte of ``drip`` a second until the server
    closes the connection (when ``again``, it then starts over) or it is stopped."""

    def __init__(self, svc: Service, head: bytes, drip: bytes, *, again: bool = False) -> None:
        super().__init__(daemon=True)
        self.svc, self.head, self.drip, self.again = svc, head, drip, again
        self.stop = threading.Event()
        self.closed_after: float | None = None
        self.answer = b""

    def run(self) -> None:
        self.trickle()
        while self.again and not self.stop.is_set():
            self.trickle()

    def trickle(self) -> None:
        start = time.monotonic()
        with socket.create_connection(("127.0.0.1", self.svc.port), timeout=30) as s:
            s.sendall(self.head)
            s.settimeout(1)
            for byte in self.drip:
                if self.stop.is_set():
                    return
                try:
                    s.sendall(bytes([byte]))
                    got = s.recv(65536)
                except TimeoutError:
                    continue
                except OSError:
                    got = b""
                if got:
                    self.answer += got
                self.closed_after = time.monotonic() - start
                return


def test_slow_clients_do_not_keep_others_waiting(service: Service) -> None:
    # With one worker: eight clients trickling a body and eight trickling a header block,
    # a byte a second. gthread's one thread used to wait on the first of them.
    body_head = (
        b"POST /api/v1/analyze HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
        b"Content-Length: 5000\r\n\r\n"
    )
    slow = [Trickler(service, body_head, b" " * 5000, again=True) for _ in range(8)]
    slow += [
        Trickler(service, b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-A: ", b"a" * 5000, again=True)
        for _ in range(8)
    ]
    for t in slow:
        t.start()
    try:
        time.sleep(0.5)
        for _ in range(10):
            status, seconds = get(service, "/healthz")
            assert status == 200
            assert seconds < 1.0
            assert analyze(service) == 200
            time.sleep(0.3)
    finally:
        for t in slow:
            t.stop.set()


def test_a_trickled_header_block_is_cut_off_with_a_408(service: Service) -> None:
    t = Trickler(service, b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-A: ", b"a" * 60)
    t.start()
    t.join(timeout=30)
    assert t.closed_after is not None
    assert READ_SECONDS <= t.closed_after < READ_SECONDS + 5
    assert t.answer.startswith(b"HTTP/1.1 408 ")
    assert json.loads(t.answer.split(b"\r\n\r\n", 1)[1])["error"]["code"] == "request_timeout"


def test_a_trickled_body_is_cut_off_with_a_408(service: Service) -> None:
    head = (
        b"POST /api/v1/analyze HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
        b"Content-Length: 100\r\n\r\n"
    )
    t = Trickler(service, head, b" " * 100)
    t.start()
    t.join(timeout=30)
    assert t.closed_after is not None
    assert READ_SECONDS <= t.closed_after < READ_SECONDS + 5
    assert t.answer.startswith(b"HTTP/1.1 408 ")
    assert b'"request_timeout"' in t.answer


def test_an_idle_connection_after_a_response_is_closed(service: Service) -> None:
    start = time.monotonic()
    answer = raw_exchange(service, b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n", wait=20)
    assert answer.startswith(b"HTTP/1.1 200 ")
    assert time.monotonic() - start < READ_SECONDS + 2  # not the 20 s the client would wait
    assert b" 408 " not in answer  # an idle connection is closed without an answer


@pytest.mark.parametrize(
    ("request_bytes", "status", "code"),
    [
        (b"GARBAGE\r\n\r\n", 400, "bad_request"),
        (b"GET /healthz HTTP/1.1\r\nHost: x\r\nBad Header\r\n\r\n", 400, "bad_request"),
        (b"GET /" + b"a" * 5000 + b" HTTP/1.1\r\nHost: x\r\n\r\n", 414, "uri_too_long"),
        (
            b"GET /healthz HTTP/1.1\r\nHost: x\r\n"
            + b"".join(b"X-%d: y\r\n" % i for i in range(150))
            + b"\r\n",
            431,
            "header_fields_too_large",
        ),
    ],
)
def test_gunicorns_own_errors_use_the_json_error_shape(
    service: Service, request_bytes: bytes, status: int, code: str
) -> None:
    answer = raw_exchange(service, request_bytes)
    head, _, body = answer.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 %d " % status), head
    assert b"content-type: application/json" in head.lower()
    error = json.loads(body)["error"]
    assert error["code"] == code
    assert b"GARBAGE" not in body and b"Bad Header" not in body  # the request is not quoted


def test_an_oversized_body_is_refused_before_it_is_sent(service: Service) -> None:
    # The send-time guard takes small bodies only: 413 on the declared length, at once.
    head = (
        b"POST /api/v1/recipients HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
        b"Content-Length: 20000000\r\n\r\n"
    )
    start = time.monotonic()
    answer = raw_exchange(service, head)
    assert time.monotonic() - start < 2
    assert answer.startswith(b"HTTP/1.1 413 ")
    assert b'"request_too_large"' in answer


def test_the_service_log_holds_no_request_content(service: Service) -> None:
    raw_exchange(service, b"GET /healthz?secret-query HTTP/1.1\r\nHost: x\r\n\r\n")
    assert service.log is not None
    text = Path(service.log).read_text("utf-8", "replace")
    assert "secret-query" not in text
    assert "GARBAGE" not in text and "Bad Header" not in text
