"""Real receivers on loopback for the alert tests: an HTTP server that fails the first
requests as told, and syslog listeners over UDP and TCP (RFC 6587 octet counting), with a
parser of RFC 5424's grammar."""

from __future__ import annotations

import json
import re
import socket
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass
class Received:
    at: float
    headers: dict[str, str]
    body: bytes
    status: int

    def json(self) -> Any:
        return json.loads(self.body)


class WebhookReceiver:
    """``plan``: the statuses of the first requests (then 204); ``delay``: seconds each
    answer takes; ``retry_after``: a Retry-After header sent with failures."""

    def __init__(
        self, plan: list[int] | None = None, delay: float = 0.0, retry_after: str | None = None
    ) -> None:
        self.plan = list(plan or [])
        self.delay = delay
        self.retry_after = retry_after
        self.requests: list[Received] = []
        self.lock = threading.Lock()
        self.got = threading.Condition(self.lock)
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length)
                time.sleep(receiver.delay)
                with receiver.lock:
                    status = receiver.plan.pop(0) if receiver.plan else 204
                    receiver.requests.append(
                        Received(time.monotonic(), dict(self.headers.items()), body, status)
                    )
                    receiver.got.notify_all()
                self.send_response(status)
                if status >= 400 and receiver.retry_after is not None:
                    self.send_header("Retry-After", receiver.retry_after)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/hooks/caveat"

    def wait_for(self, n: int, timeout: float = 20.0) -> list[Received]:
        deadline = time.monotonic() + timeout
        with self.lock:
            while len(self.requests) < n:
                left = deadline - time.monotonic()
                if left <= 0:
                    break
                self.got.wait(left)
            return list(self.requests)

    def __enter__(self) -> WebhookReceiver:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()


@dataclass
class SyslogListener:
    transport: str
    lines: list[bytes] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.lock = threading.Lock()
        self.got = threading.Condition(self.lock)
        self.stop = threading.Event()
        kind = socket.SOCK_DGRAM if self.transport == "udp" else socket.SOCK_STREAM
        self.sock = socket.socket(socket.AF_INET, kind)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.settimeout(0.1)
        if self.transport == "tcp":
            self.sock.listen()
        self.connections = 0
        #: TCP: close each connection after this many frames (None: keep it)
        self.close_after: int | None = None
        self.thread = threading.Thread(target=self._run, daemon=True)

    @property
    def url(self) -> str:
        return f"{self.transport}://127.0.0.1:{self.sock.getsockname()[1]}"

    def _add(self, line: bytes) -> None:
        with self.lock:
            self.lines.append(line)
            self.got.notify_all()

    def _run(self) -> None:
        while not self.stop.is_set():
            try:
                if self.transport == "udp":
                    data = self.sock.recv(65536)
                    self._add(data)
                    continue
                conn, _ = self.sock.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            self.connections += 1
            threading.Thread(target=self._serve, args=(conn,), daemon=True).start()

    def _serve(self, conn: socket.socket) -> None:
        """RFC 6587 octet counting: MSG-LEN SP SYSLOG-MSG, again and again."""
        buffer = b""
        frames = 0
        conn.settimeout(0.1)
        with conn:
            while not self.stop.is_set():
                while True:
                    m = re.match(rb"([1-9][0-9]*) ", buffer)
                    if not m or len(buffer) < m.end() + int(m.group(1)):
                        break
                    end = m.end() + int(m.group(1))
                    self._add(buffer[m.end() : end])
                    buffer = buffer[end:]
                    frames += 1
                    if self.close_after is not None and frames >= self.close_after:
                        return
                try:
                    data = conn.recv(65536)
                except TimeoutError:
                    continue
                if not data:
                    return
                buffer += data

    def wait_for(self, n: int, timeout: float = 10.0) -> list[bytes]:
        deadline = time.monotonic() + timeout
        with self.lock:
            while len(self.lines) < n:
                left = deadline - time.monotonic()
                if left <= 0:
                    break
                self.got.wait(left)
            return list(self.lines)

    def __enter__(self) -> SyslogListener:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop.set()
        self.sock.close()
        self.thread.join(2)


# ------------------------------------------------------------------ RFC 5424's grammar

_PRINT = r"[\x21-\x7e]"
_SD_NAME = r"[\x21-\x3c\x3e-\x5c\x5e-\x7e]{1,32}"  # PRINTUSASCII but '=', ']', '"' (and SP)
_PARAM_VALUE = r'(?:[^"\\\]]|\\["\\\]])*'
_SD_PARAM = rf'{_SD_NAME}="{_PARAM_VALUE}"'
_SD_ELEMENT = rf"\[{_SD_NAME}(?: {_SD_PARAM})*\]"
_TIME = r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,6})?(?:Z|[+-]\d{2}:\d{2})"
SYSLOG_RE = re.compile(
    rf"<(?P<pri>\d{{1,3}})>(?P<version>[1-9]\d{{0,2}}) "
    rf"(?P<timestamp>-|{_TIME}) (?P<hostname>-|{_PRINT}{{1,255}}) "
    rf"(?P<app>-|{_PRINT}{{1,48}}) (?P<procid>-|{_PRINT}{{1,128}}) "
    rf"(?P<msgid>-|{_PRINT}{{1,32}}) (?P<sd>-|(?:{_SD_ELEMENT})+)(?: (?P<msg>.*))?",
    re.DOTALL,
)
_PARAM_RE = re.compile(rf'({_SD_NAME})="({_PARAM_VALUE})"')


def parse_syslog(line: bytes) -> dict[str, Any]:
    """A SYSLOG-MSG by RFC 5424's ABNF; AssertionError when it does not match. The
    structured data's params come back as name -> list of values (unescaped)."""
    text = line.decode("utf-8")
    m = SYSLOG_RE.fullmatch(text)
    assert m is not None, f"not RFC 5424: {text[:300]!r}"
    out: dict[str, Any] = m.groupdict()
    sd = m.group("sd")
    assert sd.startswith("[caveat@32473 "), sd[:40]
    params: dict[str, list[str]] = {}
    for name, value in _PARAM_RE.findall(sd):
        params.setdefault(name, []).append(re.sub(r"\\([\"\\\]])", r"\1", value))
    out["params"] = params
    msg = m.group("msg")
    if msg is not None:
        assert msg.startswith("\ufeff"), "a UTF-8 MSG starts with the BOM"
        out["json"] = json.loads(msg[1:])
    return out
