"""A bounded mixed load against the real server, optionally with a worker killed mid-run.

Starts ``caveat serve`` (gunicorn, its asgi worker, plain HTTP on a free loopback port,
``--workers`` processes) on a throw-away instance with the seed's partner directory, then
for ``--seconds`` drives it from ``--connections`` keep-alive clients (one process each)
with the mix a tenant's add-ins make: analyze (the seed messages and, when present, the
shared legitimate corpus, as the add-in sends them), the send-time guard, Verify sender,
reports, /healthz and the check catalogue. It prints requests per second and latency per
endpoint, and counts errors: any 5xx, any connection that failed, any answer other than
the one the request expects.

With ``--kill-worker-at S``, one worker is killed with SIGKILL S seconds in: requests in
flight on it fail (counted apart, at most one per client), gunicorn starts a new worker,
and everything after must succeed. Every report the service acknowledged must be in the
database at the end (nothing acknowledged is lost).

    python bench/load.py [--seconds 60] [--connections 8] [--workers 2] [--db URL]
                         [--kill-worker-at 20]

On PostgreSQL: ``scripts/with-postgres sh -c '.venv/bin/python bench/load.py --db
"$CAVEAT_TEST_POSTGRES_URL"'``. Exits 1 when there was any error outside the killed
worker's in-flight requests, or a report was lost. Rate limits are off for the run (one
client address sends everything); tests/web/test_rate_limits.py covers them.
"""

from __future__ import annotations

import argparse
import http.client
import json
import multiprocessing
import os
import random
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, text
from sqlalchemy.pool import NullPool

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from tests.live_service import clean_env, migrated_key, serve  # the tests' own helpers

from _messages import HAM, SEED, payload_of
from caveat.cli import main as caveat_main
from caveat.storage.store import normalise_url

ROOT = Path(__file__).resolve().parents[1]
DIRECTORY_CSV = ROOT / "tests" / "fixtures" / "directory" / "seed-partners.csv"
#: The share of each kind of request in the mix (add-ins call analyze once per message
#: opened, the guard while writing, the rest now and then).
MIX = {"analyze": 60, "recipients": 15, "contact": 8, "report": 5, "healthz": 8, "checks": 4}
#: Legitimate corpus messages used at most (the seed's always are).
CORPUS_MESSAGES = 300


def payloads() -> list[dict[str, Any]]:
    paths = sorted(SEED.glob("*.eml"))
    if HAM.is_dir():
        corpus = sorted(p for d in sorted(HAM.iterdir()) for p in sorted(d.glob("*.eml")))
        random.Random(14).shuffle(corpus)  # noqa: S311 - a fixed sample, not a secret
        paths += corpus[:CORPUS_MESSAGES]
    out = []
    for path in paths:
        try:
            out.append(payload_of(path.read_bytes()))
        except Exception:  # noqa: S112 - a message the parser refuses is no load
            continue
    return out


def request_for(kind: str, rng: random.Random, bodies: list[dict[str, Any]], n: int) -> tuple:
    """(method, path, body or None, statuses that count as right)."""
    if kind == "analyze":
        return "POST", "/api/v1/analyze", rng.choice(bodies), (200,)
    if kind == "recipients":
        body = rng.choice(bodies)
        to = body.get("to") or [{"address": "someone@example.org"}]
        return "POST", "/api/v1/recipients", {"to": to[:20], "subject": body.get("subject")}, (200,)
    if kind == "contact":
        sender = (rng.choice(bodies).get("from") or {}).get("address") or "a@example.com"
        return "GET", f"/api/v1/senders/contact?address={sender}", None, (200, 400)
    if kind == "report":
        body = {
            "from": {"address": f"fraud{n}@example.net"},
            "internet_message_id": f"<load-{os.getpid()}-{n}@example.net>",
            "level": "danger",
        }
        return "POST", "/api/v1/reports", body, (200, 201)
    if kind == "healthz":
        return "GET", "/healthz", None, (200,)
    return "GET", "/api/v1/checks", None, (200,)


def client(
    port: int, key: str, seconds: float, seed: int, bodies: list[dict[str, Any]], queue: Any
) -> None:
    rng = random.Random(seed)  # noqa: S311 - a reproducible mix, not a secret
    kinds = [k for k, w in MIX.items() for _ in range(w)]
    encoded = {}
    latencies: dict[str, list[float]] = {k: [] for k in MIX}
    failures: list[tuple[float, str, str]] = []
    acknowledged = 0
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    start = time.monotonic()
    n = 0
    while (now := time.monotonic()) - start < seconds:
        n += 1
        kind = rng.choice(kinds)
        method, path, body, ok = request_for(kind, rng, bodies, n)
        data = None
        if body is not None:
            data = encoded.get(id(body)) if kind == "analyze" else None
            if data is None:
                data = json.dumps(body).encode()
                if kind == "analyze":
                    encoded[id(body)] = data
        headers = {"Authorization": f"Bearer {key}"}
        if data is not None:
            headers["Content-Type"] = "application/json"
        t0 = time.perf_counter()
        try:
            conn.request(method, path, data, headers)
            response = conn.getresponse()
            answer = response.read()
        except (OSError, http.client.HTTPException) as exc:
            failures.append((now - start, kind, type(exc).__name__))
            conn.close()
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            continue
        latencies[kind].append(time.perf_counter() - t0)
        if response.status not in ok:
            failures.append((now - start, kind, f"{response.status} {answer[:80]!r}"))
        elif kind == "report" and response.status == 201:
            acknowledged += 1
    conn.close()
    queue.put({"latencies": latencies, "failures": failures, "acknowledged": acknowledged})


def workers_of(master: int) -> list[int]:
    children = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        if int(stat.rsplit(")", 1)[1].split()[1]) == master:
            children.append(int(entry.name))
    return children


def start_service(folder: Path, db: str, workers: int) -> tuple[subprocess.Popen[bytes], int, str]:
    instance = folder / "instance"
    instance.mkdir()
    key = migrated_key(db, "load")
    if caveat_main(["partners", "import", "--db", db, str(DIRECTORY_CSV)]) != 0:
        raise SystemExit("could not import the seed directory")
    env = clean_env(
        instance,
        CAVEAT_INTERNAL_DOMAINS="partnera.example",
        CAVEAT_RATE_LIMIT_PER_KEY="off",
        CAVEAT_RATE_LIMIT_PER_ADDRESS="off",
    )
    service = serve(folder, db, key, env, workers=workers)
    return service.process, service.port, key


def count_reports(db: str) -> int:
    engine = create_engine(normalise_url(db), poolclass=NullPool)
    try:
        with engine.connect() as conn:
            return int(conn.execute(text("SELECT count(*) FROM reports")).scalar() or 0)
    finally:
        engine.dispose()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--db", help="database URL (default: a new SQLite file)")
    parser.add_argument("--kill-worker-at", type=float, metavar="S")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        db = args.db or f"sqlite:///{folder / 'caveat.db'}"
        bodies = payloads()  # read once; the clients are forked with them
        process, port, key = start_service(folder, db, args.workers)
        before = count_reports(db)
        killed_at = None
        try:
            queue: Any = multiprocessing.get_context("fork").Queue()
            procs = [
                multiprocessing.get_context("fork").Process(
                    target=client, args=(port, key, args.seconds, i, bodies, queue)
                )
                for i in range(args.connections)
            ]
            started = time.monotonic()
            for p in procs:
                p.start()
            if args.kill_worker_at is not None:
                time.sleep(max(0.0, args.kill_worker_at - (time.monotonic() - started)))
                victims = workers_of(process.pid)
                if victims:
                    os.kill(victims[0], signal.SIGKILL)
                    killed_at = time.monotonic() - started
            results = [queue.get(timeout=args.seconds + 120) for _ in procs]
            for p in procs:
                p.join()
        finally:
            process.terminate()
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
        reports = count_reports(db) - before
        log_text = (folder / "service.log").read_text("utf-8", "replace")

    latencies: dict[str, list[float]] = {k: [] for k in MIX}
    failures: list[tuple[float, str, str]] = []
    acknowledged = 0
    for r in results:
        for k, v in r["latencies"].items():
            latencies[k] += v
        failures += r["failures"]
        acknowledged += r["acknowledged"]
    total = sum(len(v) for v in latencies.values())
    print(f"{args.seconds:g} s, {args.connections} clients, {args.workers} workers, "
          f"{'PostgreSQL' if db.startswith('postgres') else 'SQLite'}")
    print(f"{'endpoint':12} {'requests':>9} {'req/s':>8} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8}")
    for kind, values in latencies.items():
        if not values:
            continue
        values.sort()
        q = statistics.quantiles(values, n=100) if len(values) > 1 else values * 99
        print(f"{kind:12} {len(values):>9} {len(values) / args.seconds:>8.1f} "
              f"{values[len(values) // 2] * 1000:>8.1f} {q[94] * 1000:>8.1f} {q[98] * 1000:>8.1f}")
    print(f"{'all':12} {total:>9} {total / args.seconds:>8.1f}")
    in_flight = []
    if killed_at is not None:
        # Requests in flight on the killed worker: failed within a moment of the kill.
        in_flight = [f for f in failures if killed_at - 0.5 <= f[0] <= killed_at + 2.0
                     and not f[2][:1].isdigit()]
        print(f"worker killed at {killed_at:.1f} s: {len(in_flight)} requests in flight "
              f"on it failed (at most {args.connections})")
    errors = [f for f in failures if f not in in_flight]
    print(f"errors: {len(errors)}")
    for f in errors[:10]:
        print(f"  at {f[0]:.1f} s {f[1]}: {f[2]}")
    print(f"reports acknowledged: {acknowledged}, in the database: {reports}")
    tracebacks = log_text.count("Traceback")
    print(f"tracebacks in the service log: {tracebacks}")
    bad = errors or reports < acknowledged or tracebacks or len(in_flight) > args.connections
    return 1 if bad else 0


if __name__ == "__main__":
    raise SystemExit(main())
