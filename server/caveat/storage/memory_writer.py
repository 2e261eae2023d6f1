"""A bounded write-behind queue for the conversation memory: records leave the request's
critical path and are written by one background thread, in batches.

One queue per process (gunicorn worker). :meth:`MemoryWriter.put` appends an item with
the *tokens* it touches (hashed conversation keys, a conversation, an address, a name key:
see :mod:`caveat.storage.memory_store`); the thread wakes, waits at most ``linger``
seconds for more, and hands up to ``batch`` items to ``write`` (one transaction). What a
crash can lose is what is queued: at most ``capacity`` items, and in practice the items of
the last ``linger`` seconds plus the batch being written.

* Back-pressure, never loss: when ``capacity`` items are queued, :meth:`put` writes the
  whole queue on the calling thread before returning.
* Read-your-writes: :meth:`settle` (before a read) and :meth:`pending` tell whether a
  queued item touches what the read is about to look at; the reader then calls
  :meth:`flush`, which writes everything queued on the calling thread. Or it merges:
  read inside :meth:`paused` and add what :meth:`count` says is queued. An item's tokens
  are dropped only after its batch committed (or failed), so a read that finds no pending
  token cannot miss a batch being written.
* Graceful stop: :meth:`close` writes what is left and stops the thread; it runs at
  interpreter exit too (``atexit``), and gunicorn's ``worker_exit`` hook calls it.
* A batch that fails is logged (its size and the error's kind, never its content) and
  dropped: the memory then knows a little less, which only makes later mail look less
  familiar.

After ``fork`` the child starts with an empty queue and its own thread.
"""

from __future__ import annotations

import atexit
import collections
import contextlib
import logging
import os
import threading
import time
import weakref
from collections.abc import Callable, Iterable, Iterator
from typing import Any, Generic, TypeVar

log = logging.getLogger(__name__)

T = TypeVar("T")

#: Items queued at most per process; one more is written on the caller's thread.
CAPACITY = 256
#: Items per transaction.
BATCH = 64
#: How long the thread waits for more items after the first one (seconds).
LINGER = 0.05
#: How long the thread waits for a first item before it ends (seconds).
IDLE = 10.0


class MemoryWriter(Generic[T]):
    def __init__(
        self,
        write: Callable[[list[T]], None],
        *,
        capacity: int = CAPACITY,
        batch: int = BATCH,
        linger: float = LINGER,
    ) -> None:
        if capacity < 1 or batch < 1 or linger < 0:
            raise ValueError("capacity and batch must be positive, linger not negative")
        self._write = write
        self.capacity = capacity
        self.batch = batch
        self.linger = linger
        self._reset()
        ref = weakref.ref(self)
        atexit.register(_close_if_alive, ref)

    def _reset(self) -> None:
        self._pid = os.getpid()
        self._lock = threading.Lock()
        self._wake = threading.Condition(self._lock)
        #: held while a batch is written, by the thread or by a flushing caller
        self._writing = threading.Lock()
        self._queue: collections.deque[tuple[T, frozenset[str]]] = collections.deque()
        self._tokens: collections.Counter[str] = collections.Counter()
        self._thread: threading.Thread | None = None
        self._closed = False
        #: batches written and items dropped by failed batches (for tests and benches)
        self.batches = 0
        self.dropped = 0

    def _check_process(self) -> None:
        if self._pid != os.getpid():
            self._reset()  # a forked child: nothing of the parent's queue is ours

    # ------------------------------------------------------------- producers

    def put(self, item: T, tokens: Iterable[str]) -> None:
        """Queue ``item``; write the queue on this thread when it is full."""
        self._check_process()
        toks = frozenset(tokens)
        with self._lock:
            self._queue.append((item, toks))
            self._tokens.update(toks)
            full = len(self._queue) >= self.capacity or self._closed
            if not full:
                self._ensure_thread()
                self._wake.notify()
        if full:
            self.flush()

    def settle(self, tokens: Iterable[str]) -> bool:
        """Write the queue now when an item in it touches any of ``tokens``; whether it did."""
        if not self._tokens:
            return False
        self._check_process()
        with self._lock:
            hit = any(t in self._tokens for t in tokens)
        if hit:
            self.flush()
        return hit

    def pending(self, token: str) -> bool:
        """An item queued or being written touches ``token``."""
        with self._lock:
            return token in self._tokens

    def count(self, token: str) -> int:
        """How many items queued or being written touch ``token``."""
        with self._lock:
            return self._tokens[token]

    @contextlib.contextmanager
    def paused(self) -> Iterator[None]:
        """No batch is being written inside the block (one being written finishes first):
        what is read from the database and what :meth:`count` answers then add up."""
        self._check_process()
        with self._writing:
            yield

    def __len__(self) -> int:
        with self._lock:
            return len(self._queue)

    def flush(self) -> None:
        """Write everything queued (after the batch being written, if any), on this thread."""
        self._check_process()
        while True:
            with self._lock:
                if not self._queue and not self._tokens:
                    return
            self._drain(len(self._queue) or 1)

    def close(self) -> None:
        """Write what is queued and stop the thread. Later items are written at once."""
        self._check_process()
        with self._lock:
            self._closed = True
            self._wake.notify_all()
            thread = self._thread
        if thread is not None and thread is not threading.current_thread():
            thread.join(timeout=30)
        self.flush()

    # ------------------------------------------------------------- the thread

    def _ensure_thread(self) -> None:
        # with self._lock held
        if self._thread is None or not self._thread.is_alive():
            self._thread = threading.Thread(
                target=self._run, name="caveat-memory-writer", daemon=True
            )
            self._thread.start()

    def _run(self) -> None:
        while True:
            with self._lock:
                while not self._queue and not self._closed:
                    if not self._wake.wait(IDLE) and not self._queue:
                        # Idle: the thread goes (the next record starts another), so a
                        # writer nobody uses any more holds no thread and no connection.
                        self._thread = None
                        return
                if not self._queue and self._closed:
                    return
                # Wait a little for more, unless a batch is full already.
                deadline = time.monotonic() + self.linger
                while len(self._queue) < self.batch and not self._closed:
                    left = deadline - time.monotonic()
                    if left <= 0:
                        break
                    self._wake.wait(left)
            self._drain(self.batch)

    def _drain(self, most: int) -> None:
        with self._writing:
            with self._lock:
                taken = [self._queue.popleft() for _ in range(min(most, len(self._queue)))]
            if not taken:
                return
            try:
                self._write([item for item, _ in taken])
                self.batches += 1
            except Exception as exc:  # a failed batch must not stop the thread
                self.dropped += len(taken)
                log.warning(
                    "conversation memory: a batch of %d records was not written (%s)",
                    len(taken),
                    type(exc).__name__,
                )
            finally:
                with self._lock:
                    for _, toks in taken:
                        self._tokens.subtract(toks)
                    self._tokens = +self._tokens  # drop the zero counts


def _close_if_alive(ref: weakref.ref[MemoryWriter[Any]]) -> None:
    writer = ref()
    if writer is not None:
        writer.close()
