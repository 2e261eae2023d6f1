"""Faults against the real server: a worker killed, the database stopped, the database hung.

Starts a throw-away PostgreSQL (``scripts/with-postgres``, unless CAVEAT_TEST_POSTGRES_URL
already names one) and ``caveat serve`` on it (gunicorn and its worker as shipped, plain
HTTP on a free loopback port, ``--workers`` processes, the default DATABASE_TIMEOUT_SECONDS
unless the environment sets another), then runs phases one after another. In each phase
``--clients`` keep-alive clients send GET /healthz and POST /api/v1/analyze in turn for
``--seconds``; the script prints, per phase and endpoint, the answers by status and the
p50 and max latency.

Phases (each a fault made or ended, and what every answer must then be):

* ``up``: the database answers: 200.
* ``worker-killed``: one gunicorn worker killed with SIGKILL; once /healthz answers 200
  (likewise): 200. (``bench/load.py --kill-worker-at`` kills one under load and counts
  the requests in flight on it.)
* ``db-stopped``: PostgreSQL shut down (fast shutdown): 503 within ``--within`` seconds.
* ``db-restarted``: started again; once /healthz answers 200 (at most ``--settle``
  seconds, the time printed): 200.
* ``db-hung``: every server process stopped with SIGSTOP (TCP still accepts, nothing
  answers): 503 within ``--within`` seconds.
* ``db-continued``: SIGCONT; once /healthz answers 200 (likewise): 200.

A request that gets no answer within 15 s counts as ``timeout``. Everything is bounded:
the run ends by itself, continues and restarts the database whatever happens, and stops
the service. Exits 1 when any answer broke its phase's rule.

    python bench/faults.py [--seconds 10] [--clients 4] [--workers 2] [--within 3]

Other faults are further :class:`Phase` entries.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import signal
import statistics
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from tests.live_service import clean_env, migrated_key, serve  # the tests' own helpers
from tests.pg_server import PgServer, controllable

from _messages import SEED, payload_of

ROOT = Path(__file__).resolve().parents[1]

#: A client gives up on an answer after this long (a hang is counted, not waited out).
CLIENT_TIMEOUT = 15.0
ENDPOINTS = ("/healthz", "/api/v1/analyze")


@dataclass
class Phase:
    """One stretch of the run: ``enter`` makes (or ends) a fault, then, once /healthz
    answers ``expect`` (waited for at most ``settle`` seconds), every answer must have the
    status ``expect``, within ``within`` seconds (None: any time up to the client's
    timeout)."""

    name: str
    expect: int
    enter: Callable[[], object] | None = None
    within: float | None = None
    settle: float = 0.0


@dataclass
class Tally:
    statuses: dict[str, int] = field(default_factory=dict)
    latencies: list[float] = field(default_factory=list)
    broken: int = 0


def drive(
    port: int, key: str, body: bytes, seconds: float, clients: int, phase: Phase
) -> dict[str, Tally]:
    """``clients`` threads, each on one keep-alive connection, alternating the endpoints."""
    tallies = {path: Tally() for path in ENDPOINTS}
    lock = threading.Lock()
    end = time.monotonic() + seconds

    def client() -> None:
        conn: http.client.HTTPConnection | None = None
        i = 0
        while time.monotonic() < end:
            path = ENDPOINTS[i % len(ENDPOINTS)]
            i += 1
            if conn is None:
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=CLIENT_TIMEOUT)
            started = time.monotonic()
            try:
                if path == "/healthz":
                    conn.request("GET", path)
                else:
                    conn.request(
                        "POST",
                        path,
                        body=body,
                        headers={
                            "Authorization": f"Bearer {key}",
                            "Content-Type": "application/json",
                        },
                    )
                response = conn.getresponse()
                response.read()
                outcome = str(response.status)
                if response.getheader("connection", "").lower() == "close":
                    conn.close()
                    conn = None
            except TimeoutError:
                outcome = "timeout"
                conn.close()
                conn = None
            except (OSError, http.client.HTTPException) as exc:
                outcome = type(exc).__name__
                conn.close()
                conn = None
            took = time.monotonic() - started
            with lock:
                t = tallies[path]
                t.statuses[outcome] = t.statuses.get(outcome, 0) + 1
                t.latencies.append(took)
                late = phase.within is not None and took > phase.within
                if outcome != str(phase.expect) or late:
                    t.broken += 1
        if conn is not None:
            conn.close()

    threads = [threading.Thread(target=client) for _ in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return tallies


#: Answers in a row, each on a new connection, that show every worker has recovered
#: (each worker finds out on its own).
IN_A_ROW = 20


def settle(port: int, expect: int, at_most: float) -> float:
    """Milliseconds until /healthz answers ``expect`` :data:`IN_A_ROW` times in a row
    (counted from the first of them; polled every 10 ms), at most ``at_most`` seconds."""
    started = time.monotonic()
    first: float | None = None
    row = 0
    while time.monotonic() - started < at_most and row < IN_A_ROW:
        asked = time.monotonic()
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=CLIENT_TIMEOUT)
            conn.request("GET", "/healthz")
            status = conn.getresponse().status
            conn.close()
        except (OSError, http.client.HTTPException):
            status = 0
        if status == expect:
            first = asked if row == 0 else first
            row += 1
        else:
            row = 0
            time.sleep(0.01)
    return ((first or time.monotonic()) - started) * 1000


def report(phase: Phase, tallies: dict[str, Tally]) -> list[str]:
    lines = []
    for path, t in tallies.items():
        values = sorted(t.latencies)
        p50 = statistics.median(values) * 1000 if values else 0.0
        worst = values[-1] * 1000 if values else 0.0
        answers = ", ".join(f"{k}: {v}" for k, v in sorted(t.statuses.items()))
        lines.append(
            f"{phase.name:13} {path:16} {len(values):>6} {p50:>9.0f} {worst:>9.0f}"
            f"   {answers}{'   BROKEN: ' + str(t.broken) if t.broken else ''}"
        )
    return lines


def kill_a_worker(master: int) -> None:
    """SIGKILL one of gunicorn's workers (a child of ``master``); gunicorn starts another."""
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            ppid = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
        except (OSError, ValueError, IndexError):
            continue
        if ppid == master:
            os.kill(int(entry.name), signal.SIGKILL)
            return


def fault_phases(server: PgServer, master: int, within: float, settle: float) -> list[Phase]:
    """The faults, in the order they run."""
    return [
        Phase("up", 200),
        Phase("worker-killed", 200, enter=lambda: kill_a_worker(master), settle=settle),
        Phase("db-stopped", 503, enter=server.stop, within=within),
        Phase("db-restarted", 200, enter=server.start, settle=settle),
        Phase("db-hung", 503, enter=lambda: server.freeze(at_most=600), within=within),
        Phase("db-continued", 200, enter=server.thaw, settle=settle),
    ]


def run(args: argparse.Namespace, db: str) -> int:
    reason = controllable(db)
    if reason:
        print(f"faults: {reason}", file=sys.stderr)
        return 2
    server = PgServer(db)
    body = json.dumps(payload_of(sorted(SEED.glob("*.eml"))[0].read_bytes())).encode()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        (folder / "instance").mkdir()
        key = migrated_key(db, "faults")
        env = clean_env(
            folder / "instance",
            CAVEAT_RATE_LIMIT_PER_KEY="off",
            CAVEAT_RATE_LIMIT_PER_ADDRESS="off",
        )
        for name in ("CAVEAT_DATABASE_TIMEOUT_SECONDS", "CAVEAT_DATABASE_POOL_SIZE"):
            if name in os.environ:
                env[name] = os.environ[name]
        service = serve(folder, db, key, env, workers=args.workers)
        timeout = env.get("CAVEAT_DATABASE_TIMEOUT_SECONDS", "default")
        print(
            f"caveat serve, {args.workers} workers, PostgreSQL, DATABASE_TIMEOUT_SECONDS "
            f"{timeout}; {args.clients} clients, {args.seconds:g} s per phase"
        )
        print(f"{'phase':13} {'endpoint':16} {'answers':>6} {'p50 ms':>9} {'max ms':>9}   statuses")
        broken = 0
        try:
            for phase in fault_phases(server, service.process.pid, args.within, args.settle):
                if phase.enter is not None:
                    phase.enter()
                if phase.settle:
                    took = settle(service.port, phase.expect, phase.settle)
                    print(
                        f"{phase.name:13} /healthz answers {phase.expect} "
                        f"({IN_A_ROW} in a row) from {took:.0f} ms on"
                    )
                tallies = drive(service.port, key, body, args.seconds, args.clients, phase)
                for line in report(phase, tallies):
                    print(line, flush=True)
                broken += sum(t.broken for t in tallies.values())
        finally:
            server.thaw()
            if not _postmaster_up(server):
                server.start()
            service.stop()
        log = service.log.read_text("utf-8", "replace") if service.log else ""
    tracebacks = log.count("Traceback")
    print(f"answers that broke their phase's rule: {broken}; tracebacks in the log: {tracebacks}")
    return 1 if broken or tracebacks else 0


def _postmaster_up(server: PgServer) -> bool:
    try:
        os.kill(server.postmaster, 0)
    except ProcessLookupError:
        return False
    return True


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=10, help="per phase (default 10)")
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument(
        "--within", type=float, default=3.0, help="seconds a 503 may take (default 3)"
    )
    parser.add_argument(
        "--settle",
        type=float,
        default=5.0,
        help="seconds the service may take to answer again after a fault ends (default 5)",
    )
    args = parser.parse_args(argv)
    db = os.environ.get("CAVEAT_TEST_POSTGRES_URL", "").strip()
    if not db:
        # Run again under a throw-away server of our own.
        script = ROOT / "scripts" / "with-postgres"
        os.execv(script, [str(script), sys.executable, __file__, *(argv or sys.argv[1:])])  # noqa: S606
    return run(args, db)


if __name__ == "__main__":
    raise SystemExit(main())
