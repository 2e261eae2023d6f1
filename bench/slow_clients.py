"""Slow clients against the real server: do /healthz and analyze keep answering?

Starts ``caveat serve --no-tls`` (one worker, so that nothing hides behind a second one)
on a throw-away instance, opens ``--slow`` connections that send a request head and then
one byte a second (half of them trickle a body, half a header field; each starts over
when the server closes it), and meanwhile probes /healthz and POST /api/v1/analyze once a
second for ``--seconds``. Prints how many probes were answered, how many timed out (5 s)
and the slowest answer. Bounded in time; stops the server and the clients by itself.

    python bench/slow_clients.py [--slow 50] [--seconds 15]

Run it from another checkout (``PYTHONPATH=<checkout>/server``) to measure that code.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from caveat.storage.store import Store

ANALYZE = json.dumps({"headers": "From: A <a@example.com>\r\nTo: b@example.org\r\n"}).encode()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def trickle(port: int, head: bytes, stop: threading.Event) -> None:
    while not stop.is_set():
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=5) as s:
                s.sendall(head)
                while not stop.is_set():
                    s.sendall(b"a")
                    time.sleep(1)
        except OSError:
            time.sleep(0.2)  # closed by the server: start over


def probe(port: int, key: str, path: str) -> float | None:
    start = time.monotonic()
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
    try:
        if path == "/healthz":
            conn.request("GET", path)
        else:
            conn.request("POST", path, ANALYZE, {"Authorization": f"Bearer {key}",
                                                 "Content-Type": "application/json"})
        response = conn.getresponse()
        response.read()
        return time.monotonic() - start if response.status == 200 else None
    except OSError:
        return None
    finally:
        conn.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--slow", type=int, default=50, help="slow connections (default 50)")
    parser.add_argument("--seconds", type=int, default=15)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        db = f"sqlite:///{folder / 'caveat.db'}"
        store = Store.from_url(db)
        store.upgrade()
        _, key = store.create_key("bench")
        store.dispose()
        port = free_port()
        env = {"PATH": "/usr/bin:/bin", "CAVEAT_INSTANCE_PATH": str(folder),
               "CAVEAT_RATE_LIMIT_PER_ADDRESS": "off", "CAVEAT_RATE_LIMIT_PER_KEY": "off"}
        env.update({k: v for k, v in os.environ.items() if k in ("PYTHONPATH", "HOME")})
        log = (folder / "server.log").open("wb")
        server = subprocess.Popen(
            [str(Path(sys.executable).parent / "caveat"), "serve", "--no-tls", "--port",
             str(port), "--workers", "1", "--db", db],
            env=env, stdout=log, stderr=subprocess.STDOUT, cwd=folder,
        )
        stop = threading.Event()
        try:
            deadline = time.monotonic() + 60
            while probe(port, key, "/healthz") is None:
                if server.poll() is not None or time.monotonic() > deadline:
                    raise SystemExit((folder / "server.log").read_text()[-2000:])
                time.sleep(0.2)
            body_head = (b"POST /api/v1/analyze HTTP/1.1\r\nHost: localhost\r\n"
                         b"Content-Type: application/json\r\nContent-Length: 100000\r\n\r\n")
            header_head = b"GET /healthz HTTP/1.1\r\nHost: localhost\r\nX-Slow: "
            threads = [
                threading.Thread(target=trickle, args=(port, body_head if i % 2 else header_head,
                                                       stop), daemon=True)
                for i in range(args.slow)
            ]
            for t in threads:
                t.start()
            time.sleep(1)
            results: dict[str, list[float | None]] = {"/healthz": [], "/api/v1/analyze": []}
            end = time.monotonic() + args.seconds
            while time.monotonic() < end:
                for path in results:
                    results[path].append(probe(port, key, path))
                time.sleep(1)
        finally:
            stop.set()
            server.terminate()
            server.wait(timeout=30)
    print(f"{args.slow} slow connections, one worker, {args.seconds} s")
    for path, values in results.items():
        answered = [v for v in values if v is not None]
        slowest = f"{max(answered) * 1000:.0f} ms" if answered else "-"
        print(f"  {path:18} answered {len(answered)}/{len(values)}, slowest {slowest}")
    return 0 if all(v is not None for vs in results.values() for v in vs) else 1


if __name__ == "__main__":
    raise SystemExit(main())
