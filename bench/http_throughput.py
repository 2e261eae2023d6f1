"""HTTP throughput of POST /api/v1/analyze against GET /healthz on the production set-up.

Starts ``caveat serve --demo`` (gunicorn, HTTPS with the generated certificate, the worker
count ``caveat serve`` picks) on a free loopback port with a throw-away instance folder,
loads each endpoint for a bounded time with a bounded number of connections, prints
requests per second for both and their ratio, then stops the server.

The load generator is wrk when it is installed (``apt-get install wrk``), otherwise a
Python client in several processes. The analyze payloads are what the add-in sends: by
default 200 messages of the shared legitimate corpus and the seed's fixture 02 (the fake
reply through the relay), cycled, each connection starting elsewhere in the list
(``--payloads seed`` sends fixture 02 alone). A mail client analyses a message each time
its user opens it, so most requests repeat a message the service has seen; ``--fresh``
gives every request a Message-ID of its own instead (every request a new message, the
worst case for the conversation memory).

``--baseline DIR`` names another checkout of the project (a ``git worktree`` of an older
commit): its server and this one's take turns, round after round, on the same machine, so
that the two codes' figures and ratios come from one run.

    python bench/http_throughput.py [--seconds 5] [--rounds 5] [--connections 8] [--workers N]
        [--payloads corpus|seed] [--fresh] [--language LANG] [--baseline DIR] [--json]
        [--quick]

``--language de`` (say) makes this code's requests ask for answers in German, as the
add-ins do for a German display language (the wording is done per answer).

Target: analyze at least half the requests per second of /healthz.
"""

from __future__ import annotations

import argparse
import http.client
import json
import multiprocessing
import os
import random
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
from _messages import HAM, SEED, payload_of
from caveat.mail.errors import InputError

ROOT = Path(__file__).resolve().parents[1]
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
    instance: Path, port: int, workers: int | None, cpus: set[int] | None, code: Path | None = None
) -> tuple[subprocess.Popen[bytes], str]:
    """``code``: the checkout whose ``server`` package the server runs (default: the one
    this script belongs to, whichever the virtual environment has installed)."""
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
    env["PYTHONPATH"] = str((code or ROOT) / "server")
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

#: A stand-in for a payload's Message-ID; --fresh makes each request's its own.
MID = "bench-mid-0000"


def _lua_string(text: str) -> str:
    return (
        '"' + "".join(c if c.isalnum() or c in " ,.:-_" else f"\\{ord(c):03d}" for c in text) + '"'
    )


def _lua_long(text: str) -> str:
    level = 1
    while f"]{'=' * level}]" in text:
        level += 1
    eq = "=" * level
    return f"[{eq}[{text}]{eq}]"


def wrk_script(
    method: str, path: str, bodies: list[bytes], headers: dict[str, str], fresh: bool
) -> str:
    """A wrk script sending ``bodies`` in turn, each thread from its own place in the list;
    with ``fresh`` the stand-in Message-ID becomes one no other request has."""
    lines = [
        f"local method, path = {_lua_string(method)}, {_lua_string(path)}",
        "local headers = {}",
    ]
    for name, value in headers.items():
        lines.append(f"headers[{_lua_string(name)}] = {_lua_string(value)}")
    lines.append("local bodies = {")
    lines += [f"  {_lua_long(b.decode('ascii'))}," for b in bodies] or ['  "",']
    lines.append("}")
    lines += [
        "local threads = 0",
        "function setup(thread) threads = threads + 1; thread:set('tid', threads) end",
        "local n = nil",
        "request = function()",
        "  if n == nil then n = (tid or 1) * 37 end",
        "  n = n + 1",
        "  local body = bodies[(n % #bodies) + 1]",
    ]
    if fresh:
        lines.append(
            f"  body = string.gsub(body, {_lua_string(MID)}, 'bench-' .. (tid or 1) .. '-' .. n)"
        )
    lines += [
        "  if body == '' then return wrk.format(method, path, headers) end",
        "  return wrk.format(method, path, headers, body)",
        "end",
    ]
    return "\n".join(lines) + "\n"


def wrk_load(
    url: str,
    path: str,
    seconds: int,
    connections: int,
    method: str,
    bodies: list[bytes],
    headers: dict[str, str],
    work: Path,
    threads: int,
    fresh: bool,
) -> dict[str, Any]:
    script = work / f"{method.lower()}.lua"
    script.write_text(wrk_script(method, path, bodies, headers, fresh))
    threads = max(1, min(connections, threads))
    argv = ["wrk", "-t", str(threads), "-c", str(connections), "-d", f"{seconds}s"]
    out = subprocess.run(
        [*argv, "-s", str(script), url],
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


def _client(
    args: tuple[int, int, str, str, list[bytes], dict[str, str], float, bool],
) -> tuple[int, int]:
    port, tid, method, path, bodies, headers, until, fresh = args
    conn = http.client.HTTPSConnection("127.0.0.1", port, timeout=10, context=_context())
    done = bad = 0
    n = tid * 37
    while time.monotonic() < until:
        n += 1
        body = bodies[n % len(bodies)] if bodies else b""
        if fresh:
            body = body.replace(MID.encode(), f"bench-{tid}-{n}".encode())
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
    bodies: list[bytes],
    headers: dict[str, str],
    fresh: bool,
) -> dict[str, Any]:
    start = time.monotonic()
    until = start + seconds
    jobs = [(port, i + 1, method, path, bodies, headers, until, fresh) for i in range(connections)]
    with multiprocessing.Pool(connections) as pool:
        results = pool.map(_client, jobs)
    elapsed = time.monotonic() - start
    done = sum(r[0] for r in results)
    bad = sum(r[1] for r in results)
    return {"rps": done / elapsed, "latency_avg": "?", "errors": [f"non-200: {bad}"] if bad else []}


# --- payloads -----------------------------------------------------------------------------


def payloads(
    kind: str, count: int, fresh: bool = False, language: str | None = None
) -> list[bytes]:
    """The add-in's requests: seed fixture 02 alone, or it and ``count`` corpus messages
    (seeded sample); with ``fresh``, each with its Message-ID written as the stand-in
    :data:`MID` (which the load generator makes unique per request); with ``language``,
    asking for the answer in that language."""
    fixture = min(SEED.glob("02*.eml"))
    raws = [fixture.read_bytes()]
    if kind == "corpus" and HAM.is_dir():
        paths = sorted(p for ds in sorted(HAM.iterdir()) for p in sorted(ds.glob("*.eml")))
        random.Random(15).shuffle(paths)  # noqa: S311 - a reproducible sample
        raws += [p.read_bytes() for p in paths[: count * 2]]
    out: list[bytes] = []
    for raw in raws:
        try:
            payload = payload_of(raw)
        except InputError:  # a message the add-in could not send either
            continue
        if language:
            payload["language"] = language
        text = json.dumps(payload)  # ASCII: wrk's script carries it as it is
        if fresh and payload.get("internet_message_id"):
            text = text.replace(json.dumps(payload["internet_message_id"])[1:-1], MID)
        if len(text) <= 60_000:
            out.append(text.encode("ascii"))
        if len(out) > count:
            break
    return out


# --- one server, both endpoints -----------------------------------------------------------


def measure_round(
    code: Path | None,
    args: argparse.Namespace,
    bodies: list[bytes],
    use_wrk: bool,
    split: tuple[set[int], set[int]] | None,
) -> dict[str, Any]:
    """Start a server (of ``code``, or ours), load /healthz then analyze, stop it."""
    with tempfile.TemporaryDirectory(prefix="caveat-bench-") as tmp:
        work = Path(tmp)
        port = free_port()
        proc, key = start_server(work, port, args.workers, split[0] if split else None, code)
        client_cpus = len(split[1]) if split else len(os.sched_getaffinity(0))
        try:
            auth = {"Authorization": f"Bearer {key}", "Content-Type": "application/json"}
            # Every payload once first: the bench measures throughput, not a broken set-up,
            # and this is the set a mail client's users have opened before.
            conn = http.client.HTTPSConnection("127.0.0.1", port, timeout=30, context=_context())
            levels: dict[str, int] = {}
            for body in bodies:
                conn.request("POST", "/api/v1/analyze", body=body, headers=auth)
                resp = conn.getresponse()
                answer = json.loads(resp.read())
                if resp.status != 200:
                    raise SystemExit(f"analyze answered {resp.status}: {answer}")
                levels[answer["level"]] = levels.get(answer["level"], 0) + 1
            conn.close()
            out: dict[str, Any] = {"levels": levels}
            for name, method, path, load, headers in (
                ("healthz", "GET", "/healthz", [], {}),
                ("analyze", "POST", "/api/v1/analyze", bodies, auth),
            ):
                if use_wrk:
                    out[name] = wrk_load(
                        f"https://127.0.0.1:{port}{path}",
                        path,
                        args.seconds,
                        args.connections,
                        method,
                        load,
                        headers,
                        work,
                        client_cpus,
                        args.fresh,
                    )
                else:
                    out[name] = python_load(
                        port,
                        path,
                        args.seconds,
                        args.connections,
                        method,
                        load,
                        headers,
                        args.fresh,
                    )
            return out
        finally:
            stop_server(proc)


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
        "--payloads",
        choices=("corpus", "seed"),
        default="corpus",
        help="corpus: 200 corpus messages and seed fixture 02 in turn (default); seed: 02 only",
    )
    ap.add_argument("--fresh", action="store_true", help="a new Message-ID on every request")
    ap.add_argument(
        "--language",
        help="this code's requests ask for answers in this language (a baseline's never do: "
        "older code refuses the field)",
    )
    ap.add_argument("--baseline", type=Path, help="another checkout, measured in turn with this")
    ap.add_argument("--json", action="store_true", help="print one JSON object")
    ap.add_argument("--quick", action="store_true", help="2 rounds of 3 s (under a minute)")
    ap.add_argument(
        "--python-client", action="store_true", help="use the Python client even if wrk is there"
    )
    args = ap.parse_args()
    if args.quick:
        args.seconds, args.rounds = 3, 2
    if not (1 <= args.seconds <= 60 and 1 <= args.rounds <= 20 and 1 <= args.connections <= 64):
        ap.error("--seconds must be 1..60, --rounds 1..20 and --connections 1..64")
    if args.baseline is not None and not (args.baseline / "server" / "caveat").is_dir():
        ap.error(f"--baseline {args.baseline}: no server/caveat there")

    bodies = payloads(args.payloads, 200, args.fresh, args.language)
    plain = payloads(args.payloads, 200, args.fresh) if args.language else bodies
    use_wrk = shutil.which("wrk") is not None and not args.python_client
    split = None if args.no_pin else split_cpus()
    codes: list[tuple[str, Path | None]] = [("current", None)]
    if args.baseline is not None:
        codes.insert(0, ("baseline", args.baseline.resolve()))

    # Alternate codes and endpoints over several rounds and compare medians: on a shared
    # machine the speed drifts over a minute, which one long run per side would book to
    # whichever side ran at the slow moment.
    runs: dict[str, list[dict[str, Any]]] = {name: [] for name, _ in codes}
    for _ in range(args.rounds):
        for name, code in codes:
            sent = plain if code is not None else bodies
            runs[name].append(measure_round(code, args, sent, use_wrk, split))

    summary: dict[str, dict[str, Any]] = {}
    for name, rs in runs.items():
        healthz = statistics.median(r["healthz"]["rps"] for r in rs)
        analyze = statistics.median(r["analyze"]["rps"] for r in rs)
        summary[name] = {
            "healthz": healthz,
            "analyze": analyze,
            "ratio": analyze / healthz,
            "ratios": [r["analyze"]["rps"] / r["healthz"]["rps"] for r in rs],
            "errors": [e for r in rs for k in ("healthz", "analyze") for e in r[k]["errors"]],
            "levels": rs[0]["levels"],
        }
    current = summary["current"]
    base = summary.get("baseline")
    if args.json:
        print(
            json.dumps(
                {
                    "rows": [
                        {
                            "figure": "analyze req/s / healthz req/s"
                            + (" (every request a new message)" if args.fresh else ""),
                            "before": round(base["ratio"], 3) if base else None,
                            "after": round(current["ratio"], 3),
                            "goal": ">= 0.5",
                            "met": current["ratio"] >= 0.5,
                            "unit": "ratio",
                        }
                    ],
                    "detail": summary,
                }
            )
        )
        return 0
    print(
        f"load: {'wrk' if use_wrk else 'python client'}, {args.connections} connections, "
        f"{args.rounds} alternating rounds of {args.seconds} s per endpoint"
        + (" and code" if base else "")
        + ", HTTPS keep-alive, loopback"
    )
    if split:
        print(
            f"server on CPU(s) {sorted(split[0])} (one gunicorn worker per CPU unless --workers), "
            f"load generator on CPU(s) {sorted(split[1])}"
        )
    print(
        f"analyze payloads: {len(bodies)} ({args.payloads}"
        + (", every request a new Message-ID" if args.fresh else ", cycled")
        + f"); levels of the first pass {current['levels']}"
    )
    for name, sm in summary.items():
        for endpoint in ("healthz", "analyze"):
            rounds = ", ".join(f"{r[endpoint]['rps']:.0f}" for r in runs[name])
            print(f"{name:8} {endpoint:8} median {sm[endpoint]:8.1f} req/s  (rounds: {rounds})")
        ratios = ", ".join(f"{x:.2f}" for x in sm["ratios"])
        extra = f"; errors: {'; '.join(sm['errors'])}" if sm["errors"] else ""
        print(f"{name:8} ratio analyze/healthz = {sm['ratio']:.2f} (rounds: {ratios}){extra}")
    verdict = "meets" if current["ratio"] >= 0.5 else "MISSES"
    print(
        f"ratio analyze/healthz = {current['ratio']:.2f}  ({verdict} the target of at least 0.50)"
    )
    return 0 if current["ratio"] >= 0.5 else 1


if __name__ == "__main__":
    sys.exit(main())
