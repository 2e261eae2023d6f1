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
  dropped (:attr:`MemoryWriter.dropped` counts its items): the memory then knows a little
  less, which only makes later mail look less familiar.

After ``fork`` the child starts with an empty queue and its own thread. The thread, close
and fork are :class:`caveat.storage.background.BackgroundWriter`'s, shared with the
overview's warning tally.
"""

from __future__ import annotations

import collections
import contextlib
import logging
from collections.abc import Callable, Iterable, Iterator
from typing import Generic, TypeVar

from .background import BackgroundWriter

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


class MemoryWriter(BackgroundWriter, Generic[T]):
    thread_name = "caveat-memory-writer"

    def __init__(
        self,
        write: Callable[[list[T]], None],
        *,
        capacity: int = CAPACITY,
        batch: int = BATCH,
        linger: float = LINGER,
        idle: float | None = None,
    ) -> None:
        if capacity < 1 or batch < 1:
            raise ValueError("capacity and batch must be positive")
        self._write = write
        self.capacity = capacity
        self.batch = batch
        super().__init__(linger=linger, idle=IDLE if idle is None else idle)

    def _clear(self) -> None:
        self._queue: collections.deque[tuple[T, frozenset[str]]] = collections.deque()
        self._tokens: collections.Counter[str] = collections.Counter()
        #: batches written and items dropped by failed batches (for tests and benches)
        self.batches = 0
        self.dropped = 0

    def _gathered(self) -> bool:
        return bool(self._queue)

    def _full(self) -> bool:
        return len(self._queue) >= self.batch

    def _write_batch(self) -> bool:
        self._drain(self.batch)
        return True  # a failed batch is dropped, never tried again

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
                self._signal()
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

    # ------------------------------------------------------------- writing

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
