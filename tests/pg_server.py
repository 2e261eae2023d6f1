"""Faults of a PostgreSQL server: hang it (every process stopped with SIGSTOP), shut it
down, start it again.

Meant for the throw-away server of ``scripts/with-postgres`` (the fault tests and
``bench/faults.py``); never point it at a server that matters. It finds the server from a
connection: the data directory and port it reports, the postmaster's pid in
``postmaster.pid``, and the postmaster's children in ``/proc``. Signalling needs the same
user as the server, or root; :func:`controllable` says whether that works here.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import threading
import time
from collections.abc import Iterator
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.pool import NullPool

from caveat.storage.store import normalise_url


def _alive(pid: int) -> bool:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"


def _parent(pid: int) -> int | None:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    return int(stat.rsplit(")", 1)[1].split()[1])


class PgServer:
    """The server behind ``url`` (read once, while it runs)."""

    def __init__(self, url: str) -> None:
        engine = create_engine(normalise_url(url), poolclass=NullPool)
        try:
            with engine.connect() as conn:
                data = conn.execute(text("SELECT current_setting('data_directory')")).scalar()
                port = conn.execute(text("SELECT current_setting('port')")).scalar()
        finally:
            engine.dispose()
        self.data = Path(str(data))
        self.port = int(str(port))
        self.postmaster = int((self.data / "postmaster.pid").read_text().split()[0])
        self.bindir = Path(os.readlink(f"/proc/{self.postmaster}/exe")).parent
        st = self.data.stat()
        self.uid, self.gid = st.st_uid, st.st_gid

    # ------------------------------------------------------------- hung

    def processes(self) -> list[int]:
        """The postmaster and every process it started (backends, checkpointer, ...)."""
        children = []
        for entry in Path("/proc").iterdir():
            if entry.name.isdigit() and _parent(int(entry.name)) == self.postmaster:
                children.append(int(entry.name))
        return [self.postmaster, *children]

    def freeze(self, at_most: float = 30.0) -> list[int]:
        """SIGSTOP the postmaster first (it starts no new backend after), then the rest;
        returns the pids stopped. They are continued after ``at_most`` seconds whatever
        happens (a client that waits for the server then finishes, late, instead of
        hanging the run), or by :meth:`thaw`."""
        os.kill(self.postmaster, signal.SIGSTOP)
        pids = self.processes()
        for pid in pids[1:]:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGSTOP)
        self._safety = threading.Timer(at_most, self.thaw)
        self._safety.daemon = True
        self._safety.start()
        return pids

    def thaw(self) -> None:
        safety = getattr(self, "_safety", None)
        if safety is not None and safety is not threading.current_thread():
            safety.cancel()
        for pid in reversed(self.processes()):
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGCONT)

    @contextlib.contextmanager
    def hung(self, at_most: float = 30.0) -> Iterator[None]:
        """The server hung for the ``with`` block, whatever happens inside it, and at most
        ``at_most`` seconds."""
        try:
            self.freeze(at_most)
            yield
        finally:
            self.thaw()

    # ------------------------------------------------------------- stopped

    def stop(self, timeout: float = 20.0) -> None:
        """Fast shutdown (SIGINT: sessions are ended, the server exits cleanly)."""
        os.kill(self.postmaster, signal.SIGINT)
        end = time.monotonic() + timeout
        while _alive(self.postmaster):
            if time.monotonic() > end:
                raise TimeoutError(f"PostgreSQL (pid {self.postmaster}) did not stop")
            time.sleep(0.05)

    def start(self) -> None:
        """Start the stopped server again on the same data directory and port."""
        argv = [
            str(self.bindir / "pg_ctl"),
            "start",
            "-D",
            str(self.data),
            "-l",
            str(self.data.parent / "server.log"),
            "-w",
            "-t",
            "30",
            "-s",
            "-o",
            f"-p {self.port}",
        ]
        if os.geteuid() == 0 and self.uid != 0:
            argv = [
                "setpriv",
                f"--reuid={self.uid}",
                f"--regid={self.gid}",
                "--clear-groups",
                "--",
                *argv,
            ]
        subprocess.run(  # a fixed argv, no shell
            argv, cwd=self.data.parent, check=True, capture_output=True, timeout=60
        )
        self.postmaster = int((self.data / "postmaster.pid").read_text().split()[0])

    @contextlib.contextmanager
    def stopped(self) -> Iterator[None]:
        """The server shut down for the ``with`` block, and started again after it."""
        self.stop()
        try:
            yield
        finally:
            self.start()


def controllable(url: str) -> str | None:
    """None when this process can hang and stop the server behind ``url``, else why not."""
    try:
        server = PgServer(url)
    except Exception as exc:  # any reason is a reason to skip
        return f"cannot find the PostgreSQL server's processes: {exc}"
    try:
        os.kill(server.postmaster, 0)
    except PermissionError:
        return "not allowed to signal the PostgreSQL server (run as its user or root)"
    if not (server.bindir / "pg_ctl").exists():
        return f"no pg_ctl next to {server.bindir / 'postgres'}"
    return None
