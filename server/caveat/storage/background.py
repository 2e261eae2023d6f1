"""One background writer per process: what requests gather is written to the database by a
daemon thread, off the request's path.

:class:`BackgroundWriter` holds what every such writer shares; a subclass holds what it
gathers (a queue of records, a dictionary of counts), under :attr:`~BackgroundWriter._lock`,
and says how it is written:

* *The thread*: a producer that gathered something calls :meth:`~BackgroundWriter._signal`
  (lock held). The thread is started then, if none runs; it waits ``linger`` seconds for
  more (less when :meth:`~BackgroundWriter._full` says a batch is ready), writes one batch
  (:meth:`~BackgroundWriter._write_batch`), and goes on while there is more. With nothing
  gathered for ``idle`` seconds it ends, so a writer nobody uses holds no thread and no
  connection; the next producer starts another.
  A batch that failed and was gathered again is tried after ``linger``.
* *Back-pressure*: a subclass whose bound is reached writes on the producer's thread
  (:meth:`flush`), and so does a producer after :meth:`close`.
* *Graceful stop*: :meth:`close` stops the thread and writes what is left; it runs at
  interpreter exit too (``atexit``), and gunicorn's ``worker_exit`` hook calls the
  service's.
* *Fork*: a forked child (a gunicorn worker) starts empty, with new locks and no thread;
  what the parent gathered is the parent's to write. Every public method checks the
  process first (:meth:`~BackgroundWriter._check_process`).
* With ``background`` false there is no thread: what is gathered waits for :meth:`flush`
  or :meth:`close` (a database in memory, whose one connection threads must not share).

What a failed write does (drop, keep for the next) is the subclass's; neither may raise
into the thread, which would end it.
"""

from __future__ import annotations

import atexit
import os
import threading
import time
import weakref
from abc import ABC, abstractmethod
from typing import ClassVar


class BackgroundWriter(ABC):
    """What a per-process writer thread needs: locks, the thread's life, close and fork
    (see the module's docstring). Subclasses set :attr:`thread_name` and implement
    :meth:`_clear`, :meth:`_gathered`, :meth:`_write_batch` and :meth:`flush`."""

    #: the thread's name (seen in stack dumps and py-spy)
    thread_name: ClassVar[str] = "caveat-writer"

    def __init__(self, *, linger: float, idle: float, background: bool = True) -> None:
        if linger < 0 or idle <= 0:
            raise ValueError("linger must not be negative, idle must be positive")
        #: how long the thread waits for more after the first item (seconds)
        self.linger = linger
        #: how long the thread waits for a first item before it ends (seconds)
        self.idle = idle
        #: whether a thread writes (else only flush and close do)
        self.background = background
        self._reset()
        atexit.register(_close_if_alive, weakref.ref(self))

    def _reset(self) -> None:
        """A new process's state: new locks, nothing gathered, no thread."""
        self._pid = os.getpid()
        self._lock = threading.Lock()
        self._wake = threading.Condition(self._lock)
        #: held while a batch is written, by the thread or by a flushing caller
        self._writing = threading.Lock()
        self._thread: threading.Thread | None = None
        self._closed = False
        self._clear()

    def _check_process(self) -> None:
        if self._pid != os.getpid():
            self._reset()  # a forked child: nothing the parent gathered is ours

    # ------------------------------------------------------------- for subclasses

    @abstractmethod
    def _clear(self) -> None:
        """Start with nothing gathered (called by :meth:`_reset`, no lock needed)."""

    @abstractmethod
    def _gathered(self) -> bool:
        """Something waits to be written (called with :attr:`_lock` held)."""

    def _full(self) -> bool:
        """Enough waits for a batch: the thread writes without lingering (lock held)."""
        return False

    @abstractmethod
    def _write_batch(self) -> bool:
        """Write one batch of what is gathered, on the calling thread; never raises.
        False when what it took is gathered again to be tried later (the thread then
        waits ``linger`` before it tries, and after :meth:`close` leaves it to close)."""

    @abstractmethod
    def flush(self) -> None:
        """Write everything gathered now, on this thread."""

    def _signal(self) -> None:
        """A producer gathered something (call with :attr:`_lock` held): make sure a thread
        will write it."""
        if not self.background:
            return
        if self._thread is None or not self._thread.is_alive():
            self._thread = threading.Thread(target=self._run, name=self.thread_name, daemon=True)
            self._thread.start()
        self._wake.notify()

    # ------------------------------------------------------------- close and the thread

    @property
    def closed(self) -> bool:
        """:meth:`close` was called: producers write on their own thread."""
        return self._closed

    def close(self) -> None:
        """Write what is gathered and stop the thread. Later items are written at once
        (a subclass's producers check :attr:`closed`)."""
        self._check_process()
        with self._lock:
            self._closed = True
            self._wake.notify_all()
            thread = self._thread
        if thread is not None and thread is not threading.current_thread():
            thread.join(timeout=30)
        self.flush()

    def _run(self) -> None:
        while True:
            with self._lock:
                while not self._gathered() and not self._closed:
                    if not self._wake.wait(self.idle) and not self._gathered():
                        # Idle: the thread goes (the next producer starts another).
                        self._thread = None
                        return
                if self._closed and not self._gathered():
                    return
                # Wait a little for more, unless a batch is full already.
                deadline = time.monotonic() + self.linger
                while not self._full() and not self._closed:
                    left = deadline - time.monotonic()
                    if left <= 0:
                        break
                    self._wake.wait(left)
            if not self._write_batch() and self._closed:
                return  # close writes what is left, or keeps it, on its own thread


def _close_if_alive(ref: weakref.ref[BackgroundWriter]) -> None:
    writer = ref()
    if writer is not None:
        writer.close()
