"""Client-side deadlines for database calls.

A PostgreSQL server whose processes are stopped (SIGSTOP, a frozen VM, a network path that
drops packets) still completes TCP handshakes and accepts sends: the kernel answers for it.
Nothing on the server can then act (``statement_timeout`` runs in the stopped process, and
so would a cancel request), and psycopg has no client-side query timeout, so a request that
touches the database would wait for as long as the server stays stopped.

This module bounds that wait from the client's side. :meth:`Watchdog.armed` gives the
calling thread a deadline; the engine's pool hooks (:mod:`caveat.storage.store`) attach
every connection the thread checks out to its armed deadlines and detach it on return, and
its statement hooks move the deadline on (:meth:`Watchdog.touch`) before and after every
statement, so it bounds each wait for the server rather than a whole session. One daemon
thread per process sleeps until the earliest deadline; when a deadline passes while its
thread still holds connections, it shuts down their sockets (on a duplicate of the
descriptor, so libpq keeps owning its own). The blocked driver call then fails at once with
"server closed the connection", SQLAlchemy invalidates the connection, and the store turns
the error into :class:`~caveat.storage.store.StorageError` (a 503 for the API). Connections
opened after the deadline has passed are refused (:meth:`Watchdog.expired`), so a failed
liveness check cannot start a fresh, equally slow connection attempt.

The thread starts on first use in each process and is replaced after ``fork``: gunicorn's
workers each get their own.
"""

from __future__ import annotations

import contextlib
import heapq
import itertools
import logging
import os
import socket
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

log = logging.getLogger(__name__)


class Deadline:
    """One armed deadline: when it passes, the connections attached to it are cut."""

    __slots__ = ("at", "connections", "done", "expired", "seconds")

    def __init__(self, at: float, seconds: float) -> None:
        self.at = at
        self.seconds = seconds
        #: set (by the watchdog thread) when the deadline passed before it was disarmed
        self.expired = False
        #: set when the block that armed it has ended
        self.done = False
        #: the DB-API connections the arming thread holds, keyed by id
        self.connections: dict[int, Any] = {}


def shut_socket(dbapi_connection: Any) -> bool:
    """Shut down the socket under a DB-API connection (psycopg's ``fileno()``) in both
    directions, so that a call blocked on it returns with an error at once. The descriptor
    stays open and owned by the driver, which closes it as it discards the connection.
    False when the connection has no usable socket (already closed)."""
    try:
        fd = dbapi_connection.fileno()
    except Exception:  # closed or broken connections raise driver errors
        return False
    if not isinstance(fd, int) or fd < 0:
        return False
    try:
        dup = os.dup(fd)
    except OSError:
        return False
    try:
        sock = socket.socket(fileno=dup)
    except OSError:
        os.close(dup)
        return False
    with sock:
        try:
            sock.shutdown(socket.SHUT_RDWR)
        except OSError:  # not connected any more
            return False
    return True


class Watchdog:
    """Deadlines for the threads of one process, enforced by one daemon thread.

    ``cut`` is what happens to a connection whose deadline passed (default
    :func:`shut_socket`); ``clock`` is monotonic seconds.
    """

    def __init__(
        self,
        cut: Callable[[Any], object] = shut_socket,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._cut = cut
        self._clock = clock
        self._reset()

    def _reset(self) -> None:
        """Fresh state: at start-up, and in a child process after ``fork`` (the lock may have
        been held by the parent's watchdog thread, which does not exist in the child)."""
        self._lock = threading.Lock()
        self._wake = threading.Condition(self._lock)
        self._heap: list[tuple[float, int, Deadline]] = []
        self._seq = itertools.count()
        self._local = threading.local()
        self._thread: threading.Thread | None = None
        #: when the thread will look at the heap next (inf: it waits for a notify)
        self._next_wake = float("inf")

    # ------------------------------------------------------------- arming thread

    def _stack(self) -> list[Deadline]:
        stack: list[Deadline] | None = getattr(self._local, "stack", None)
        if stack is None:
            stack = self._local.stack = []
        return stack

    @contextlib.contextmanager
    def armed(self, seconds: float) -> Iterator[Deadline]:
        """A deadline ``seconds`` from now for the calling thread, for the ``with`` block."""
        deadline = Deadline(self._clock() + seconds, seconds)
        stack = self._stack()
        with self._lock:
            heapq.heappush(self._heap, (deadline.at, next(self._seq), deadline))
            self._ensure_thread()
            if deadline.at < self._next_wake:
                self._wake.notify()
        stack.append(deadline)
        try:
            yield deadline
        finally:
            stack.remove(deadline)
            with self._lock:
                deadline.done = True
                deadline.connections.clear()
                # The block that ends is usually the one due first: drop it now, so the
                # thread does not wake for nothing.
                while self._heap and self._heap[0][2].done:
                    heapq.heappop(self._heap)

    def touch(self) -> None:
        """The calling thread heard from the database, or is about to ask it something:
        its deadlines run from now again. A deadline therefore bounds each wait for the
        server, not the sum of many quick calls (a long import)."""
        stack = self._stack()
        if not stack:
            return
        at = self._clock()
        with self._lock:
            for deadline in stack:
                if not deadline.expired:
                    deadline.at = at + deadline.seconds

    def expired(self) -> bool:
        """Whether a deadline armed by the calling thread has passed."""
        return any(d.expired for d in self._stack())

    def attach(self, dbapi_connection: Any) -> None:
        """The calling thread checked ``dbapi_connection`` out: cut it when one of the
        thread's deadlines passes (at once if one has passed already)."""
        stack = self._stack()
        if not stack:
            return
        late = False
        with self._lock:
            for deadline in stack:
                deadline.connections[id(dbapi_connection)] = dbapi_connection
                late = late or deadline.expired
            if late:
                self._cut_one(dbapi_connection)

    def detach(self, dbapi_connection: Any) -> None:
        """``dbapi_connection`` went back to the pool, or is being closed."""
        stack = self._stack()
        if not stack:
            return
        with self._lock:
            for deadline in stack:
                deadline.connections.pop(id(dbapi_connection), None)

    def forget(self, dbapi_connection: Any) -> None:
        """``dbapi_connection`` is being closed, by whichever thread: never cut it after.
        Runs under the lock so that a cut in progress finishes before the close."""
        key = id(dbapi_connection)
        with self._lock:
            for _, _, deadline in self._heap:
                deadline.connections.pop(key, None)

    # ------------------------------------------------------------- the thread

    def _ensure_thread(self) -> None:
        if self._thread is None or not self._thread.is_alive():
            self._thread = threading.Thread(
                target=self._run, name="caveat-db-watchdog", daemon=True
            )
            self._thread.start()

    def _run(self) -> None:
        with self._lock:
            while True:
                now = self._clock()
                while self._heap and (self._heap[0][2].done or self._heap[0][0] <= now):
                    _, _, deadline = heapq.heappop(self._heap)
                    if deadline.done:
                        continue
                    if deadline.at > now:  # touched since it was pushed: not due yet
                        heapq.heappush(self._heap, (deadline.at, next(self._seq), deadline))
                    else:
                        self._expire(deadline)
                self._next_wake = self._heap[0][0] if self._heap else float("inf")
                self._wake.wait(None if not self._heap else max(0.0, self._next_wake - now))

    def _expire(self, deadline: Deadline) -> None:
        deadline.expired = True
        if deadline.connections:
            log.warning(
                "database call still running after %.3g s: closing %d connection(s)",
                deadline.seconds,
                len(deadline.connections),
            )
        for conn in list(deadline.connections.values()):
            self._cut_one(conn)

    def _cut_one(self, dbapi_connection: Any) -> None:
        try:
            self._cut(dbapi_connection)
        except Exception:  # the watchdog must outlive any one connection
            log.exception("could not cut a database connection")


#: The process's watchdog.
WATCHDOG = Watchdog()

if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=WATCHDOG._reset)


class Outage:
    """A database that stopped answering: once a call ran out of time, the calls after it
    fail at once (the store raises without waiting) while a background thread calls
    ``probe`` until it returns without an exception; then calls go through again.

    Without it every request of every worker would wait out its full deadline for as long
    as the server hangs, and requests queued behind it longer still. The state belongs to
    the process that saw the failure: a child after ``fork`` starts without an outage.
    """

    def __init__(
        self,
        probe: Callable[[], object],
        *,
        pause: float = 0.25,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._probe = probe
        self._pause = pause
        self._clock = clock
        self._lock = threading.Lock()
        self._since: float | None = None
        self._pid = os.getpid()
        self._closed = False

    def since(self) -> float | None:
        """Seconds since the outage began, or None when there is none."""
        since = self._since
        if since is None or self._pid != os.getpid():
            return None
        return self._clock() - since

    def begin(self) -> None:
        """A call ran out of time: start failing calls at once, and probing."""
        if self._pid != os.getpid():  # a child after fork: the parent's lock may be held
            self._lock = threading.Lock()
            self._since = None
            self._pid = os.getpid()
        with self._lock:
            if self._closed or self._since is not None:
                return
            self._since = self._clock()
            threading.Thread(target=self._run, name="caveat-db-probe", daemon=True).start()

    def close(self) -> None:
        """Stop probing (the store is disposed of)."""
        with self._lock:
            self._closed = True
            self._since = None

    def _run(self) -> None:
        while not self._closed:
            try:
                self._probe()
            except Exception:  # still down: any error is one more failed probe
                time.sleep(self._pause)
                continue
            with self._lock:
                since, self._since = self._since, None
            if since is not None:
                log.warning("the database answers again after %.1f s", self._clock() - since)
            return
