"""A throw-away Redis server for the tests of shared rate limit counters.

Debian's redis-server (scripts/ensure-redis installs it; `make test` runs that) listens on a
Unix socket in a fresh temporary folder, with no TCP port, no persistence and nothing
outside that folder; it is stopped and the folder deleted afterwards. Without the binary
the tests that need it are skipped, unless CAVEAT_TEST_REDIS=required, which fails them.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

REQUIRED = os.environ.get("CAVEAT_TEST_REDIS", "").strip().lower() == "required"
START_SECONDS = 10.0


@contextlib.contextmanager
def redis_server() -> Iterator[str]:
    """Start a Redis server; yield the ``limits`` storage URI that reaches it."""
    binary = shutil.which("redis-server")
    if binary is None:
        message = "redis-server is not installed (scripts/ensure-redis installs it)"
        if REQUIRED:
            pytest.fail(f"CAVEAT_TEST_REDIS=required, but {message}", pytrace=False)
        pytest.skip(message)
    # A short folder: Unix socket paths are limited to about 100 bytes.
    folder = Path(tempfile.mkdtemp(prefix="caveat-redis.", dir="/tmp"))
    socket = folder / "redis.sock"
    log = folder / "server.log"
    argv = [
        binary,
        "--port", "0",
        "--unixsocket", str(socket),
        "--unixsocketperm", "700",
        "--save", "",
        "--appendonly", "no",
        "--dir", str(folder),
        "--logfile", str(log),
        "--daemonize", "no",
    ]  # fmt: skip
    proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL)
    try:
        _wait_until_ready(proc, socket, log)
        yield f"redis+unix://{socket}"
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        shutil.rmtree(folder, ignore_errors=True)


def _wait_until_ready(proc: subprocess.Popen[bytes], socket: Path, log: Path) -> None:
    import redis

    deadline = time.monotonic() + START_SECONDS
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            pytest.fail(f"redis-server exited ({proc.returncode}): {_read(log)}", pytrace=False)
        if socket.exists():
            client = redis.Redis(unix_socket_path=str(socket), socket_timeout=1)
            try:
                if client.ping():
                    return
            except redis.RedisError:
                pass
            finally:
                client.close()
        time.sleep(0.05)
    pytest.fail(f"redis-server did not answer within {START_SECONDS:g} s: {_read(log)}")


def _read(log: Path) -> str:
    try:
        return log.read_text(errors="replace")[-2000:]
    except OSError:
        return "(no log)"
