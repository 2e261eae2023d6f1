"""``caveat serve`` as a child process on loopback, for the tests that need the real server
(gunicorn, its worker and the front): the browser and Thunderbird tests, and the tests of
slow clients and of gunicorn's own error answers."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from caveat.storage.store import Store


@dataclass
class Service:
    """A running ``caveat serve``; ``log`` holds its output."""

    url: str
    key: str
    process: subprocess.Popen[bytes]
    port: int = 0
    log: Path | None = None

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def migrated_key(db: str, name: str) -> str:
    """Migrate the database at ``db`` and return a new API key named ``name`` on it."""
    store = Store.from_url(db)
    try:
        store.upgrade()
        _, key = store.create_key(name)
    finally:
        store.dispose()
    return key


def serve(
    folder: Path,
    db: str,
    key: str,
    env: dict[str, str],
    *,
    workers: int = 1,
    ready_within: float = 60,
) -> Service:
    """Start ``caveat serve --no-tls`` on a free loopback port with ``env`` (the whole
    environment of the child) and wait until /healthz answers 200."""
    port = free_port()
    caveat = Path(sys.executable).parent / "caveat"
    log_path = folder / "service.log"
    log = log_path.open("wb")
    process = subprocess.Popen(
        [str(caveat), "serve", "--no-tls", "--host", "127.0.0.1", "--port", str(port),
         "--workers", str(workers), "--db", db],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        cwd=folder,
    )
    log.close()
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + ready_within
    while True:
        try:
            with urllib.request.urlopen(f"{url}/healthz", timeout=2) as r:  # noqa: S310 - loopback
                if r.status == 200:
                    break
        except OSError:
            pass
        if process.poll() is not None or time.monotonic() > deadline:
            process.kill()
            raise RuntimeError(log_path.read_text("utf-8", "replace"))
        time.sleep(0.2)
    return Service(url=url, key=key, process=process, port=port, log=log_path)


def clean_env(instance: Path, **settings: str) -> dict[str, str]:
    """This process's environment without any ``CAVEAT_`` setting, plus ``settings``."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("CAVEAT_")}
    env["CAVEAT_INSTANCE_PATH"] = str(instance)
    env.update(settings)
    return env
