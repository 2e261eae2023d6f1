"""Alerts out: confirmed fraud, denied verifications and policy violations at danger, sent
to the destinations the administrator configured (docs/alerts.md).

Destinations:

* a JSON **webhook** (``ALERT_WEBHOOK_URL``, https; http only to a loopback address), each
  request signed with ``ALERT_WEBHOOK_SECRET``: the header ``Caveat-Signature: t=<unix
  time>,v1=<hex HMAC-SHA-256 of "<t>.<body>">``. Failures are retried with exponential
  backoff and jitter, a bounded number of times within a bounded time; a 4xx answer other
  than 408 and 429 is final (the receiver refused the event; sending it again would not
  change that), as is a redirect.
* **syslog** (``ALERT_SYSLOG``: ``udp://host:514`` or ``tcp://host:601``): one RFC 5424
  line per event, the event's fields as structured data (SD-ID ``caveat@32473``) and the
  event's JSON as the message; over TCP framed by octet counting (RFC 6587, 3.4.1).

Events carry ids, addresses, finding ids, masked accounts and who acted; never a message's
text, subject or body (:func:`fraud_confirmed`, :func:`verification_denied` and
:func:`policy_violation` build them from those fields alone).

Nothing on a request's thread waits for a destination: :meth:`Alerts.emit` puts the event
in each destination's bounded queue and returns; one background thread per destination
sends. A full queue drops the new event; an event that cannot be delivered (retries spent,
refused, queue full, the process stopping) is *dead*: logged by its type and id, never its
content, and counted (``on_dead``: the service's /metrics). :meth:`Alerts.close` sends what
is queued within a few seconds when the process stops (gunicorn's ``worker_exit`` and
``atexit``). After ``fork`` a child starts with empty queues and its own threads.
"""

from __future__ import annotations

import atexit
import collections
import hashlib
import hmac
import ipaddress
import json
import logging
import os
import random
import re
import select
import socket
import threading
import time
import urllib.error
import urllib.request
import uuid
import weakref
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Protocol
from urllib.parse import urlsplit

log = logging.getLogger(__name__)

FRAUD_CONFIRMED = "fraud.confirmed"
VERIFICATION_DENIED = "verification.denied"
POLICY_VIOLATION = "policy.violation"
TEST = "alert.test"
EVENTS = (FRAUD_CONFIRMED, VERIFICATION_DENIED, POLICY_VIOLATION, TEST)

#: Events waiting per destination; a new one beyond it is dropped (and counted dead).
QUEUE_CAPACITY = 1000
#: Webhook: attempts per event, the first delay (doubled each time, jittered), the longest
#: delay, and the time after the first attempt past which no attempt starts.
ATTEMPTS = 6
FIRST_DELAY = 1.0
MAX_DELAY = 60.0
GIVE_UP_AFTER = 300.0
#: Seconds a webhook request or a syslog connection may take.
TIMEOUT = 10.0
#: Seconds :meth:`Alerts.close` gives the queues when the process stops.
CLOSE_SECONDS = 5.0
#: How long a Retry-After may make us wait at most (seconds).
RETRY_AFTER_MAX = 120.0
#: A signature older than this should be refused by a receiver (documented for them).
SIGNATURE_TOLERANCE = 300

SIGNATURE_HEADER = "Caveat-Signature"
#: RFC 5424 structured data: an SD-ID of our own must be name@<enterprise number>; Caveat has
#: none, so it uses 32473, which RFC 5612 sets aside for documentation and examples.
SD_ID = "caveat@32473"
#: RFC 5424 facility 4: security/authorization messages.
FACILITY = 4
#: RFC 5424 severities of each event: 2 critical, 4 warning, 6 informational.
SEVERITY = {FRAUD_CONFIRMED: 2, VERIFICATION_DENIED: 2, POLICY_VIOLATION: 4, TEST: 6}
#: RFC 5426: a UDP receiver must take 480 octets and should take 2048; beyond this, the
#: JSON message is left out (the structured data carries every field).
UDP_MAX = 2048
#: How long the same message's policy violation is not alerted again (per process).
REPEAT_SECONDS = 24 * 3600
_REPEATS_MAX = 10000


class AlertConfigError(ValueError):
    """A destination setting that cannot be used."""


def _stamp(at: datetime) -> str:
    return at.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


# ------------------------------------------------------------------ events


@dataclass(frozen=True)
class Event:
    type: str
    id: str
    time: datetime
    deployment: str
    data: Mapping[str, Any]
    #: who acted (``subject``, ``label``); for a policy violation, whose analysis found it
    actor: Mapping[str, str] | None = None
    tenant: str | None = None

    def as_json(self) -> dict[str, Any]:
        return {
            "type": self.type,
            "id": self.id,
            "time": _stamp(self.time),
            "deployment": self.deployment,
            "tenant": self.tenant,
            "actor": dict(self.actor) if self.actor else None,
            "data": dict(self.data),
        }

    def body(self) -> bytes:
        return json.dumps(self.as_json(), ensure_ascii=False, separators=(",", ":")).encode()


def make_event(
    kind: str,
    data: Mapping[str, Any],
    *,
    deployment: str,
    actor: Any = None,
    now: datetime | None = None,
) -> Event:
    """An event of ``kind``; ``actor`` is anything with ``subject`` and ``label`` (a
    principal, an audit actor) and, optionally, ``tenant``."""
    if kind not in EVENTS:
        raise ValueError(f"unknown event {kind!r}")
    who = None
    tenant = None
    if actor is not None:
        who = {"subject": str(actor.subject), "label": str(actor.label)}
        tenant = getattr(actor, "tenant", None)
    return Event(kind, str(uuid.uuid4()), now or datetime.now(UTC), deployment, data, who, tenant)


def fraud_confirmed(report: Any, indicators: Iterable[Any]) -> dict[str, Any]:
    """A report that security confirmed (:class:`caveat.storage.reports.Report`) and the
    indicators it made (:class:`caveat.storage.indicators.IndicatorEntry`)."""
    refs = report.refs
    return {
        "report_id": report.id,
        "reported_at": _stamp(report.reported_at),
        "reporter": report.reporter,
        "sender": report.sender,
        "reply_to": list(refs.addresses),
        "domains": list(refs.domains),
        "accounts": [masked for _ref, masked in refs.accounts],
        "phones": [p for p, _r in refs.phones],
        "level": report.level,
        "finding_ids": list(report.finding_ids),
        "indicators": [{"id": i.id, "kind": i.kind, "value": i.shown} for i in indicators],
    }


def verification_denied(recorded: Any) -> dict[str, Any]:
    """A call on which the partner denied the bank details
    (:class:`caveat.service.verifications.Recorded`); the caller's note stays out."""
    v = recorded.verification
    return {
        "verification_id": v.id,
        "organization": v.organization,
        "account": v.account_masked or None,
        "account_ref": v.account_ref,
        "contact": {"name": v.contact.name, "email": v.contact.email, "phone": v.contact.phone},
        "recorded_by": v.actor,
        "indicators": [{"kind": k, "value": s} for k, s in recorded.indicators],
        "not_indicators": [{"value": s, "reason": r} for s, r in recorded.left_out],
    }


#: A masked account as the analysis shows it (``DE89 **** 3000``, ``sort code 12-34-56,
#: account ****6819``): nothing else of an evidence line goes into an event.
_MASKED_RE = re.compile(r"^(?=.*\*\*\*\*)[A-Za-z0-9 ,*\-]{1,64}$")

#: The check family whose findings at a danger verdict make a policy.violation event.
POLICY_FAMILY = "policy_violation"


def policy_violation(facts: Any, verdict: Any, organization: str | None) -> dict[str, Any] | None:
    """The event data of an analysed message whose verdict is danger with a finding of the
    ``policy_violation`` family; None for any other verdict. Addresses, ids and masked
    accounts only: the subject, body and evidence texts stay out."""
    if verdict.level != "danger":
        return None
    policy = [f.id for f in verdict.findings if f.check == POLICY_FAMILY]
    if not policy:
        return None
    author = facts.author
    accounts = []
    for f in verdict.findings:
        for e in f.evidence:
            # "DE89 **** 3000: not on file (in <attachment name>)": the masked form only
            masked = e.value.split(":", 1)[0].strip()
            if e.ref and e.header == "Account" and _MASKED_RE.match(masked):
                if masked not in accounts:
                    accounts.append(masked)
    return {
        "message_id": facts.message_id or None,
        "from": author.address if author is not None else None,
        "reply_to": [a.address for a in facts.reply_to],
        "organization": organization,
        "level": verdict.level,
        "policy_findings": policy,
        "finding_ids": [f.id for f in verdict.findings],
        "accounts": accounts,
    }


# ------------------------------------------------------------------ destinations


@dataclass(frozen=True)
class Answer:
    """What a destination answered to one attempt."""

    ok: bool
    #: an HTTP status, "sent" (syslog), or the error's kind
    detail: str
    #: worth trying again (a network error, 408, 429, 5xx)
    retry: bool = False
    #: seconds the receiver asked us to wait (Retry-After)
    wait: float | None = None


class Destination(Protocol):
    name: str

    def attempt(self, event: Event) -> Answer: ...

    def deliver(self, event: Event, stopping: threading.Event) -> Answer: ...

    def close(self) -> None: ...


def is_loopback(host: str) -> bool:
    """Whether ``host`` (a name or an IP address) is this machine: localhost or a loopback
    address."""
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def check_webhook_url(url: str) -> str:
    parts = urlsplit(url)
    host = parts.hostname or ""
    if parts.scheme == "http" and host and is_loopback(host):
        return url
    if parts.scheme != "https" or not host:
        raise AlertConfigError(
            "must be an https URL (http only to a loopback address), "
            f"such as https://siem.example.com/hooks/caveat, got {url!r}"
        )
    if parts.username or parts.password:
        raise AlertConfigError("must not carry a user name or password; use ALERT_WEBHOOK_SECRET")
    return url


def parse_syslog_url(url: str) -> tuple[str, str, int]:
    """``udp://host:port`` or ``tcp://host:port`` (port 514 by default) as (transport,
    host, port)."""
    parts = urlsplit(url)
    try:
        port = parts.port
    except ValueError:
        port = -1
    if (
        parts.scheme not in ("udp", "tcp")
        or not parts.hostname
        or port == -1
        or parts.path not in ("", "/")
        or parts.query
        or parts.username
    ):
        raise AlertConfigError(f"must be udp://host:port or tcp://host:port, got {url!r}")
    return parts.scheme, parts.hostname, port or 514


def sign(secret: str, body: bytes, timestamp: int) -> str:
    """The ``Caveat-Signature`` header's value for ``body`` sent at ``timestamp``."""
    mac = hmac.new(secret.encode(), str(timestamp).encode() + b"." + body, hashlib.sha256)
    return f"t={timestamp},v1={mac.hexdigest()}"


def verify_signature(
    secret: str, body: bytes, header: str, *, now: float | None = None,
    tolerance: int = SIGNATURE_TOLERANCE,
) -> bool:  # fmt: skip
    """What a receiver does (docs/alerts.md): the header's time is recent and its ``v1``
    is the HMAC of ``"<t>.<body>"``, compared in constant time."""
    fields: dict[str, list[str]] = {}
    for part in header.split(","):
        k, _, v = part.strip().partition("=")
        fields.setdefault(k, []).append(v)
    try:
        t = int(fields["t"][0])
    except (KeyError, ValueError):
        return False
    if abs((time.time() if now is None else now) - t) > tolerance:
        return False
    expected = sign(secret, body, t).split("v1=", 1)[1]
    return any(hmac.compare_digest(expected, v) for v in fields.get("v1", []))


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None  # a 3xx is the answer, not a new destination


def _retry_after(value: str | None) -> float | None:
    if not value:
        return None
    try:
        return min(max(float(value.strip()), 0.0), RETRY_AFTER_MAX)
    except ValueError:
        return None


@dataclass
class Webhook:
    url: str
    secret: str | None = None
    attempts: int = ATTEMPTS
    first_delay: float = FIRST_DELAY
    max_delay: float = MAX_DELAY
    give_up_after: float = GIVE_UP_AFTER
    timeout: float = TIMEOUT
    name: str = "webhook"
    _opener: Any = field(default=None, init=False, repr=False)

    def __post_init__(self) -> None:
        check_webhook_url(self.url)
        self._opener = urllib.request.build_opener(_NoRedirect())

    def attempt(self, event: Event) -> Answer:
        body = event.body()
        headers = {
            "Content-Type": "application/json",
            "User-Agent": "caveat-alerts",
            "Caveat-Event": event.type,
            "Caveat-Event-Id": event.id,
        }
        if self.secret:
            headers[SIGNATURE_HEADER] = sign(self.secret, body, int(time.time()))
        # the URL was checked to be http(s) when the destination was made
        request = urllib.request.Request(self.url, data=body, headers=headers, method="POST")  # noqa: S310
        try:
            with self._opener.open(request, timeout=self.timeout) as response:
                response.read(65536)
                status = response.status
        except urllib.error.HTTPError as exc:
            status = exc.code
            wait = _retry_after(exc.headers.get("Retry-After") if exc.headers else None)
            exc.close()
            retry = status in (408, 429) or status >= 500
            return Answer(False, f"HTTP {status}", retry, wait)
        except (urllib.error.URLError, OSError, ValueError) as exc:
            reason = getattr(exc, "reason", exc)
            return Answer(False, type(reason).__name__, True)
        if 200 <= status < 300:
            return Answer(True, f"HTTP {status}")
        return Answer(False, f"HTTP {status}", False)

    def delay(self, attempt: int) -> float:
        """Before attempt ``attempt + 1``: half the doubled delay, plus up to as much again
        at random, so that workers retrying together spread out."""
        base = min(self.max_delay, self.first_delay * (2 ** (attempt - 1)))
        return base / 2 + random.uniform(0, base / 2)  # noqa: S311 (jitter, not a secret)

    def deliver(self, event: Event, stopping: threading.Event) -> Answer:
        started = time.monotonic()
        answer = Answer(False, "not sent")
        for n in range(1, self.attempts + 1):
            answer = self.attempt(event)
            if answer.ok or not answer.retry or n == self.attempts:
                return answer
            wait = self.delay(n) if answer.wait is None else max(answer.wait, self.delay(n))
            if time.monotonic() - started + wait > self.give_up_after:
                return answer
            if stopping.wait(wait):  # the process is stopping: one last attempt, no more
                return self.attempt(event)
        return answer

    def close(self) -> None:
        pass


def _sd_value(value: str) -> str:
    """RFC 5424's PARAM-VALUE: '"', '\\' and ']' escaped with a backslash."""
    return value.replace("\\", "\\\\").replace('"', '\\"').replace("]", "\\]")


def _sd_params(event: Event) -> list[tuple[str, str]]:
    """The event's fields as (name, value) pairs: nested objects by dotted names, a list as
    the same name repeated (RFC 5424 allows a PARAM-NAME more than once)."""
    out: list[tuple[str, str]] = []

    def add(name: str, value: Any) -> None:
        if value is None:
            return
        if isinstance(value, Mapping):
            for k, v in value.items():
                add(f"{name}.{k}" if name else str(k), v)
        elif isinstance(value, list | tuple):
            for v in value:
                add(name, v)
        else:
            out.append((name[:32], str(value)))

    doc = event.as_json()
    data = doc.pop("data")
    add("", doc)
    add("", data)
    return out


def _printable(text: str, most: int) -> str:
    """RFC 5424's PRINTUSASCII, at most ``most`` characters ("-" when empty)."""
    clean = "".join(c for c in text if "!" <= c <= "~")[:most]
    return clean or "-"


def syslog_line(
    event: Event, *, hostname: str | None = None, procid: int | None = None,
    with_message: bool = True,
) -> bytes:  # fmt: skip
    """One RFC 5424 SYSLOG-MSG: ``<PRI>1 TIMESTAMP HOSTNAME caveat PROCID MSGID [SD] MSG``."""
    pri = FACILITY * 8 + SEVERITY.get(event.type, 6)
    sd = " ".join(f'{k}="{_sd_value(v)}"' for k, v in _sd_params(event))
    head = (
        f"<{pri}>1 {_stamp(event.time)} {_printable(hostname or socket.gethostname(), 255)} "
        f"caveat {_printable(str(procid or os.getpid()), 128)} {_printable(event.type, 32)} "
        f"[{SD_ID} {sd}]"
    )
    line = head.encode()
    if with_message:
        line += b" \xef\xbb\xbf" + event.body()  # BOM: the message is UTF-8 (RFC 5424, 6.4)
    return line


def _peer_closed(sock: socket.socket) -> bool:
    """Whether the receiver closed a TCP connection (a receiver never writes to us)."""
    try:
        readable, _, _ = select.select([sock], [], [], 0)
        return bool(readable) and sock.recv(1, socket.MSG_PEEK) == b""
    except (ValueError, OSError):
        return True


@dataclass
class Syslog:
    url: str
    timeout: float = TIMEOUT
    name: str = "syslog"
    transport: str = field(default="udp", init=False)
    host: str = field(default="", init=False)
    port: int = field(default=514, init=False)
    _sock: socket.socket | None = field(default=None, init=False, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, init=False, repr=False)

    def __post_init__(self) -> None:
        self.transport, self.host, self.port = parse_syslog_url(self.url)

    def _connect(self) -> socket.socket:
        if self.transport == "udp":
            info = socket.getaddrinfo(self.host, self.port, type=socket.SOCK_DGRAM)[0]
            sock = socket.socket(info[0], socket.SOCK_DGRAM)
            sock.settimeout(self.timeout)
            sock.connect(info[4])
            return sock
        return socket.create_connection((self.host, self.port), timeout=self.timeout)

    def _send(self, event: Event) -> None:
        if self.transport == "udp":
            data = syslog_line(event)
            if len(data) > UDP_MAX:
                data = syslog_line(event, with_message=False)
        else:
            line = syslog_line(event)
            data = str(len(line)).encode() + b" " + line  # RFC 6587 octet counting
        if self._sock is not None and self.transport == "tcp" and _peer_closed(self._sock):
            self._drop()  # a line written now would be lost: connect again first
        if self._sock is None:
            self._sock = self._connect()
        if self.transport == "udp":
            self._sock.send(data)
        else:
            self._sock.sendall(data)

    def attempt(self, event: Event) -> Answer:
        with self._lock:
            for n in (1, 2):  # a TCP connection the receiver closed: connect again, once
                try:
                    self._send(event)
                    return Answer(True, "sent")
                except OSError as exc:
                    self._drop()
                    if n == 2:
                        return Answer(False, type(exc).__name__, True)
        return Answer(False, "not sent")

    def deliver(self, event: Event, stopping: threading.Event) -> Answer:
        return self.attempt(event)

    def _drop(self) -> None:
        if self._sock is not None:
            try:
                self._sock.close()
            except OSError:
                pass
            self._sock = None

    def close(self) -> None:
        with self._lock:
            self._drop()


# ------------------------------------------------------------------ the sender


class _Lane:
    """One destination's queue and background thread."""

    def __init__(self, dest: Destination, capacity: int, dead: Callable[[Event, str, str], None]):
        self.dest = dest
        self.capacity = capacity
        self._dead = dead
        self._lock = threading.Lock()
        self._wake = threading.Condition(self._lock)
        self._queue: collections.deque[Event] = collections.deque()
        self._busy = 0
        self._thread: threading.Thread | None = None
        self.stopping = threading.Event()
        self.delivered = 0

    def put(self, event: Event) -> None:
        with self._lock:
            if len(self._queue) >= self.capacity:
                full = True
            else:
                full = False
                self._queue.append(event)
                if self._thread is None or not self._thread.is_alive():
                    self._thread = threading.Thread(
                        target=self._run, name=f"caveat-alerts-{self.dest.name}", daemon=True
                    )
                    self._thread.start()
                self._wake.notify_all()  # the sender, whoever else waits (flush)
        if full:
            self._dead(event, self.dest.name, "queue full")

    def _run(self) -> None:
        while True:
            with self._lock:
                while not self._queue:
                    if self.stopping.is_set() or not self._wake.wait(10.0):
                        if not self._queue:
                            self._thread = None
                            return
                event = self._queue.popleft()
                self._busy += 1
            try:
                answer = self.dest.deliver(event, self.stopping)
            except Exception as exc:  # a destination's defect must not stop the thread
                answer = Answer(False, type(exc).__name__)
            if answer.ok:
                self.delivered += 1
            else:
                self._dead(event, self.dest.name, answer.detail)
            with self._lock:  # idle only once the event's fate is told
                self._busy -= 1
                self._wake.notify_all()

    def idle(self) -> bool:
        with self._lock:
            return not self._queue and not self._busy

    def wait_idle(self, deadline: float) -> bool:
        with self._lock:
            while self._queue or self._busy:
                left = deadline - time.monotonic()
                if left <= 0:
                    return False
                self._wake.wait(min(left, 0.05))
            return True

    def abandon(self) -> list[Event]:
        with self._lock:
            left = list(self._queue)
            self._queue.clear()
            return left


class Alerts:
    """Events to every configured destination, off the caller's thread (see the module)."""

    def __init__(
        self,
        destinations: Sequence[Destination],
        *,
        deployment: str,
        capacity: int = QUEUE_CAPACITY,
        on_dead: Callable[[str, str], None] | None = None,
        clock: Callable[[], datetime] | None = None,
    ) -> None:
        self.destinations = tuple(destinations)
        self.deployment = deployment
        self.capacity = capacity
        self.on_dead = on_dead
        self.clock = clock or (lambda: datetime.now(UTC))
        self.dead = 0
        self._reset()
        ref = weakref.ref(self)
        atexit.register(_close_if_alive, ref)

    def _reset(self) -> None:
        self._pid = os.getpid()
        self._lanes = [_Lane(d, self.capacity, self._dead_event) for d in self.destinations]
        self._seen: collections.OrderedDict[str, float] = collections.OrderedDict()
        self._seen_lock = threading.Lock()

    def _check_process(self) -> None:
        if self._pid != os.getpid():
            self._reset()  # a forked child: the parent's queues and threads are not ours

    @property
    def configured(self) -> bool:
        return bool(self.destinations)

    def _dead_event(self, event: Event, destination: str, why: str) -> None:
        self.dead += 1
        log.warning(
            "alert %s %s not delivered to the %s: %s", event.type, event.id, destination, why
        )
        if self.on_dead is not None:
            try:
                self.on_dead(event.type, destination)
            except Exception:  # counting must never break sending
                log.warning("alert: the dead event could not be counted")

    def event(self, kind: str, data: Mapping[str, Any], actor: Any = None) -> Event:
        return make_event(kind, data, deployment=self.deployment, actor=actor, now=self.clock())

    def emit(self, kind: str, data: Mapping[str, Any], actor: Any = None) -> Event | None:
        """Queue an event for every destination and return at once (None when there are
        no destinations)."""
        if not self.destinations:
            return None
        self._check_process()
        event = self.event(kind, data, actor)
        for lane in self._lanes:
            lane.put(event)
        return event

    def first_time(self, key: str, now: float | None = None) -> bool:
        """Whether ``key`` was not seen in the last REPEAT_SECONDS (then it is now)."""
        now = time.monotonic() if now is None else now
        with self._seen_lock:
            seen = self._seen.get(key)
            if seen is not None and now - seen < REPEAT_SECONDS:
                return False
            self._seen[key] = now
            self._seen.move_to_end(key)
            while len(self._seen) > _REPEATS_MAX:
                self._seen.popitem(last=False)
            return True

    def flush(self, timeout: float = 30.0) -> bool:
        """Wait until every queued event was delivered or given up (tests, the CLI)."""
        self._check_process()
        deadline = time.monotonic() + timeout
        return all(lane.wait_idle(deadline) for lane in self._lanes)

    def close(self, timeout: float = CLOSE_SECONDS) -> None:
        """The process is stopping: deliver what is queued within ``timeout`` (without
        waiting out retry delays), then give up the rest, logged as dead."""
        self._check_process()
        deadline = time.monotonic() + timeout
        for lane in self._lanes:
            lane.stopping.set()
            with lane._lock:
                lane._wake.notify_all()
        for lane in self._lanes:
            lane.wait_idle(deadline)
            for event in lane.abandon():
                self._dead_event(event, lane.dest.name, "the process stopped")
            lane.dest.close()
        for lane in self._lanes:
            lane.stopping.clear()

    def send_test(self, actor: Any = None, only: str | None = None) -> list[tuple[str, Answer]]:
        """Send one test event to each destination (or to the one named ``only``) now, on
        this thread, once each (no retries), and say what each answered."""
        event = self.event(TEST, {"message": "a test of Caveat's alert destinations"}, actor)
        out = []
        for dest in self.destinations:
            if only is not None and dest.name != only:
                continue
            try:
                out.append((dest.name, dest.attempt(event)))
            except Exception as exc:
                out.append((dest.name, Answer(False, type(exc).__name__)))
        return out


def _close_if_alive(ref: weakref.ref[Alerts]) -> None:
    alerts = ref()
    if alerts is not None:
        alerts.close()


def deployment_name(settings: Mapping[str, Any]) -> str:
    """ALERT_DEPLOYMENT, else the PUBLIC_URL's host, else this machine's name."""
    name = settings.get("ALERT_DEPLOYMENT")
    if name:
        return str(name)
    public = settings.get("PUBLIC_URL")
    if public:
        return urlsplit(public).hostname or public
    return socket.gethostname()


def from_settings(
    settings: Mapping[str, Any], *, on_dead: Callable[[str, str], None] | None = None
) -> Alerts:
    """The destinations of loaded settings (none configured: an :class:`Alerts` that sends
    nothing)."""
    destinations: list[Destination] = []
    if settings.get("ALERT_WEBHOOK_URL"):
        destinations.append(
            Webhook(settings["ALERT_WEBHOOK_URL"], settings.get("ALERT_WEBHOOK_SECRET"))
        )
    if settings.get("ALERT_SYSLOG"):
        destinations.append(Syslog(settings["ALERT_SYSLOG"]))
    return Alerts(destinations, deployment=deployment_name(settings), on_dead=on_dead)
