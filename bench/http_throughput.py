"""HTTP throughput of POST /api/v1/analyze against GET /healthz on the production set-up.

Starts ``caveat serve --demo`` (gunicorn, HTTPS with the generated certificate, the worker
count ``caveat serve`` picks) on a free loopback port with a throw-away instance folder,
loads each endpoint for a bounded time with a bounded number of connections, prints
requests per second for both and their ratio, then stops the server.

The load generator is wrk when it is installed (``apt-get install wrk``), otherwise a
Python client in several processes. The analyze payload is the add-in request for seed
fixture 02 (the fake reply through the relay), the same request a user's mail client would send.

    python bench/http_throughput.py [--seconds 5] [--rounds 5] [--connections 8] [--workers N]

Target: analyze at least half the requests per second of /healthz.
"""

from __future__ import annotations

import argparse
import http.client
import json
import multiprocessing
import os
import re
import shutil
import signal
import socket
import ssl
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _messages import SEED, payload_of

KEY = re.compile(r"\bcav_[A-Za-z0-9_\-]+")
WRK_RPS = re.compile(r"Requests/sec:\s+([0-9.]+)")
WRK_LAT = re.compile(r"Latency\s+(\S+)")
WRK_ERR = re.compile(r"Non-2xx or 3xx responses:\s+(\d+)|Socket errors:.*")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def split_cpus() -> tuple[set[int], set[int]] | None:
    """CPUs for the server and for the load generator, so that they do not compete for the
    same cores (the noise that makes one-machine benchmarks unreadable). None on a machine
    with one CPU, or where affinity cannot be set."""
    if not hasattr(os, "sched_getaffinity"):
        return None
    cpus = sorted(os.sched_getaffinity(0))
    if len(cpus) < 2:
        return None
    return set(cpus[:-1]), {cpus[-1]}


def _pin(cpus: set[int] | None) -> Any:
    if cpus is None:
        return None
    return lambda: os.sched_setaffinity(0, cpus)


def start_server(
    instance: Path, port: int, workers: int | None, cpus: set[int] | None
) -> tuple[subprocess.Popen[bytes], str]:
    caveat = Path(sys.executable).with_name("caveat")
    argv = [str(caveat), "serve", "--demo", "--host", "127.0.0.1", "--port", str(port)]
    if workers:
        argv += ["--workers", str(workers)]
    log = instance / "server.log"
    env = {
        **os.environ,
        "CAVEAT_INSTANCE_PATH": str(instance),
        # the load generator is one address with one key, far above what a client sends
        "CAVEAT_RATE_LIMIT_PER_KEY": "off",
        "CAVEAT_RATE_LIMIT_PER_ADDRESS": "off",
    }
    env.pop("DATABASE_URL", None)
    with log.open("wb") as sink:
        proc = subprocess.Popen(
            argv,
            stdout=sink,
            stderr=subprocess.STDOUT,
            env=env,
            start_new_session=True,
            preexec_fn=_pin(cpus),  # caveat serve then runs one worker per CPU it may use
        )
    deadline = time.monotonic() + 60
    key = None
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"the server exited ({proc.returncode}):\n{log.read_text()}")
        text = log.read_text(errors="replace")
        key = key or (m.group(0) if (m := KEY.search(text)) else None)
        if key and _healthy(port):
            return proc, key
        time.sleep(0.2)
    stop_server(proc)
    raise SystemExit(f"the server did not come up within 60 s:\n{log.read_text()}")


def _context() -> ssl.SSLContext:
    ctx = ssl.create_default_context()
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE  # the bench talks to its own self-signed server
    return ctx


def _healthy(port: int) -> bool:
    try:
        conn = http.client.HTTPSConnection("127.0.0.1", port, timeout=2, context=_context())
        conn.request("GET", "/healthz")
        ok = conn.getresponse().status == 200
        conn.close()
        return ok
    except OSError:
        return False


def stop_server(proc: subprocess.Popen[bytes]) -> None:
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()


# --- load with wrk ------------------------------------------------------------------------


def _lua_string(text: str) -> str:
    return (
        '"' + "".join(c if c.isalnum() or c in " ,.:-_" else f"\\{ord(c):03d}" for c in text) + '"'
    )


def wrk_load(
    url: str,
    seconds: int,
    connections: int,
    method: str,
    body: bytes,
    headers: dict[str, str],
    work: Path,
    threads: int,
) -> dict[str, Any]:
    script = work / f"{method.lower()}.lua"
    lines = [f"wrk.method = {_lua_string(method)}"]
    if body:
        lines.append(f"wrk.body = {_lua_string(body.decode('utf-8'))}")
    for name, value in headers.items():
        lines.append(f"wrk.headers[{_lua_string(name)}] = {_lua_string(value)}")
    script.write_text("\n".join(lines) + "\n")
    threads = max(1, min(connections, threads))
    out = subprocess.run(
        [
            "wrk",
            "-t",
            str(threads),
            "-c",
            str(connections),
            "-d",
            f"{seconds}s",
            "-s",
            str(script),
            url,
        ],
        capture_output=True,
        text=True,
        timeout=seconds + 60,
        check=True,
    ).stdout
    rps = WRK_RPS.search(out)
    if rps is None:
        raise SystemExit(f"could not read wrk's output:\n{out}")
    errors = [m.group(0) for m in WRK_ERR.finditer(out)]
    lat = WRK_LAT.search(out)
    return {
        "rps": float(rps.group(1)),
        "latency_avg": lat.group(1) if lat else "?",
        "errors": errors,
    }


# --- load with Python, when wrk is missing -----------------------------------------------


def _client(args: tuple[int, str, str, bytes, dict[str, str], float]) -> tuple[int, int]:
    port, method, path, body, headers, until = args
    conn = http.client.HTTPSConnection("127.0.0.1", port, timeout=10, context=_context())
    done = bad = 0
    while time.monotonic() < until:
        conn.request(method, path, body=body or None, headers=headers)
        resp = conn.getresponse()
        resp.read()
        done += 1
        bad += resp.status != 200
    conn.close()
    return done, bad


def python_load(
    port: int,
    path: str,
    seconds: int,
    connections: int,
    method: str,
    body: bytes,
    headers: dict[str, str],
) -> dict[str, Any]:
    start = time.monotonic()
    until = start + seconds
    jobs = [(port, method, path, body, headers, until)] * connections
    with multiprocessing.Pool(connections) as pool:
        results = pool.map(_client, jobs)
    elapsed = time.monotonic() - start
    done = sum(r[0] for r in results)
    bad = sum(r[1] for r in results)
    return {"rps": done / elapsed, "latency_avg": "?", "errors": [f"non-200: {bad}"] if bad else []}


def main() -> int:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument(
        "--seconds", type=int, default=5, help="load time per endpoint and round (default 5)"
    )
    ap.add_argument(
        "--no-pin",
        action="store_true",
        help="let server and load generator share every CPU (default: the last CPU drives "
        "the load, the others serve)",
    )
    ap.add_argument("--rounds", type=int, default=5, help="alternating rounds (default 5)")
    ap.add_argument("--connections", type=int, default=8, help="concurrent connections (default 8)")
    ap.add_argument(
        "--workers", type=int, default=None, help="gunicorn workers (default: caveat serve's)"
    )
    ap.add_argument(
        "--python-client", action="store_true", help="use the Python client even if wrk is there"
    )
    args = ap.parse_args()
    if not (1 <= args.seconds <= 60 and 1 <= args.rounds <= 20 and 1 <= args.connections <= 64):
        ap.error("--seconds must be 1..60, --rounds 1..20 and --connections 1..64")

    fixture = min(SEED.glob("02*.eml"))
    body = json.dumps(payload_of(fixture.read_bytes())).encode("utf-8")
    use_wrk = shutil.which("wrk") is not None and not args.python_client

    with tempfile.TemporaryDirectory(prefix="caveat-bench-") as tmp:
        work = Path(tmp)
        port = free_port()
        split = None if args.no_pin else split_cpus()
        proc, key = start_server(work, port, args.workers, split[0] if split else None)
        client_cpus = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else 1
        if split:
            os.sched_setaffinity(0, split[1])  # wrk or the Python clients inherit it
            client_cpus = len(split[1])
        try:
            auth = {"Authorization": f"Bearer {key}", "Content-Type": "application/json"}
            # One request each first: the bench measures throughput, not a broken set-up.
            conn = http.client.HTTPSConnection("127.0.0.1", port, timeout=10, context=_context())
            conn.request("POST", "/api/v1/analyze", body=body, headers=auth)
            resp = conn.getresponse()
            answer = json.loads(resp.read())
            conn.close()
            if resp.status != 200:
                raise SystemExit(f"analyze answered {resp.status}: {answer}")

            # Alternate the endpoints over several rounds and compare medians: on a shared
            # machine the speed drifts over a minute, which one long run per endpoint
            # would book to whichever endpoint ran at the slow moment.
            runs: dict[str, list[dict[str, Any]]] = {"healthz": [], "analyze": []}
            for _ in range(args.rounds):
                for name, method, path, payload, headers in (
                    ("healthz", "GET", "/healthz", b"", {}),
                    ("analyze", "POST", "/api/v1/analyze", body, auth),
                ):
                    if use_wrk:
                        url = f"https://127.0.0.1:{port}{path}"
                        run = wrk_load(
                            url,
                            args.seconds,
                            args.connections,
                            method,
                            payload,
                            headers,
                            work,
                            client_cpus,
                        )
                    else:
                        run = python_load(
                            port, path, args.seconds, args.connections, method, payload, headers
                        )
                    runs[name].append(run)
        finally:
            stop_server(proc)

    median = {name: statistics.median(r["rps"] for r in rs) for name, rs in runs.items()}
    ratio = median["analyze"] / median["healthz"]
    print(
        f"load: {'wrk' if use_wrk else 'python client'}, {args.connections} connections, "
        f"{args.rounds} alternating rounds of {args.seconds} s per endpoint, "
        "HTTPS keep-alive, loopback"
    )
    if split:
        print(
            f"server on CPU(s) {sorted(split[0])} (one gunicorn worker per CPU), "
            f"load generator on CPU(s) {sorted(split[1])}"
        )
    print(
        f"analyze payload: {fixture.name} ({len(body)} bytes JSON) -> "
        f"level {answer['level']}, {len(answer['findings'])} findings"
    )
    for name, rs in runs.items():
        rounds = ", ".join(f"{r['rps']:.0f}" for r in rs)
        errors = [e for r in rs for e in r["errors"]]
        extra = f"; {'; '.join(errors)}" if errors else ""
        print(f"{name:8} median {median[name]:8.1f} req/s  (rounds: {rounds}){extra}")
    verdict = "meets" if ratio >= 0.5 else "MISSES"
    print(f"ratio analyze/healthz = {ratio:.2f}  ({verdict} the target of at least 0.50)")
    return 0 if ratio >= 0.5 else 1


if __name__ == "__main__":
    sys.exit(main())
