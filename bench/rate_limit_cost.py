"""What the rate limits cost a request, in the worker.

The same authenticated request (``GET /api/v1/senders/contact``, cheap, so the limits'
share shows) through Flask's test client with the limits off, with only the per-address
limit (Flask-Limiter's own check), with only the per-key and failed-authentication limits,
with all three on ``memory://``, and with all three on a throw-away redis-server reached
through a Unix socket (skipped when redis-server is not installed; scripts/ensure-redis
installs it). The limits are set far above what the run sends, so every request is counted
and none refused.

    .venv/bin/python bench/rate_limit_cost.py [--requests 1000] [--rounds 7]

The cases alternate for --rounds rounds and each keeps its fastest round (the others measure
the machine, not the code).
"""

from __future__ import annotations

import argparse
import contextlib
import logging
import os
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from caveat.web.app import create_app

HIGH = "1000000/minute;100000/second"
OFF = {
    "RATE_LIMIT_PER_KEY": "off",
    "RATE_LIMIT_PER_ADDRESS": "off",
    "RATE_LIMIT_AUTH_FAILURES": "off",
}
PATH = "/api/v1/senders/contact?address=someone@example.com"


def runner(requests: int, **settings: str) -> Callable[[], float]:
    """A function that sends ``requests`` requests and returns microseconds per request."""
    app = create_app({"TESTING": True, "DATABASE_URL": "sqlite://", **settings})
    _, key = app.extensions["caveat"].store.create_key("bench")
    client = app.test_client()
    headers = {"Authorization": f"Bearer {key}"}

    def run() -> float:
        started = time.perf_counter()
        for _ in range(requests):
            if client.get(PATH, headers=headers).status_code != 200:
                raise SystemExit("a request was refused: the limits are meant to be out of reach")
        return (time.perf_counter() - started) / requests * 1e6

    run()  # warm up: the key's lookup, the first counters
    return run


@contextlib.contextmanager
def redis_uri() -> Iterator[str | None]:
    try:
        from tests.redis_server import redis_server
    except ImportError:  # run from a copy without the tests
        yield None
        return
    try:
        with redis_server() as uri:
            yield uri
    except BaseException as exc:  # pytest.skip outside pytest: no redis-server
        if type(exc).__name__ != "Skipped":
            raise
        print(f"redis: skipped ({exc})", file=sys.stderr)
        yield None


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--requests", type=int, default=1000)
    ap.add_argument("--rounds", type=int, default=7)
    args = ap.parse_args()
    os.environ["CAVEAT_INSTANCE_PATH"] = tempfile.mkdtemp(prefix="caveat-bench-")
    for name in [n for n in os.environ if n.startswith("CAVEAT_RATE_LIMIT_")]:
        del os.environ[name]
    logging.disable(logging.WARNING)  # the set-up notices of an unconfigured instance

    n = args.requests
    with redis_uri() as uri:
        cases = {
            "limits off": runner(n, **OFF),
            "per address only (Flask-Limiter)": runner(
                n, **{**OFF, "RATE_LIMIT_PER_ADDRESS": HIGH}
            ),
            "per key and failures only": runner(
                n, **{**OFF, "RATE_LIMIT_PER_KEY": HIGH, "RATE_LIMIT_AUTH_FAILURES": "60/minute"}
            ),
            "all three, memory://": runner(n, RATE_LIMIT_PER_KEY=HIGH, RATE_LIMIT_PER_ADDRESS=HIGH),
        }
        if uri is not None:
            cases["all three, redis (Unix socket)"] = runner(
                n, RATE_LIMIT_PER_KEY=HIGH, RATE_LIMIT_PER_ADDRESS=HIGH, RATE_LIMIT_STORAGE_URI=uri
            )
        best = dict.fromkeys(cases, float("inf"))
        for _ in range(args.rounds):
            for name, run in cases.items():
                best[name] = min(best[name], run())

    base = best["limits off"]
    print(f"{'case':<34} {'us/request':>10} {'added':>8}")
    for name, us in best.items():
        print(f"{name:<34} {us:>10.0f} {us - base:>+8.0f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
