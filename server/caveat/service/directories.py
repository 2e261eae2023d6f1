"""The partner directory snapshot a process serves from, kept current without a request
ever waiting for it to be built.

A snapshot (:class:`~caveat.knowledge.directory.Directory` with its look-alike index) of a
100k directory takes seconds to read and index. So:

* **Before the fork.** gunicorn preloads the application; its ``when_ready`` hook calls
  :meth:`Directories.prepare` in the master, which builds the snapshot and every index it
  would otherwise build on first use, then freezes the garbage collector's view of
  everything built so far (``gc.freeze``). The workers are forked with the snapshot in
  pages they share with the master (copy-on-write) and that their own collections never
  walk, so a worker neither builds on its first request nor copies the directory.
* **In the background.** At most every :data:`DIRECTORY_CHECK_SECONDS`, a request starts a
  check on a thread of its own: one small query for ``directory_state.version``, and when
  it changed, a new snapshot is read and indexed on that thread while requests keep using
  the one they have; it is swapped in (one reference assignment) when complete. A failed
  check or build is logged and tried again at the next interval; the old snapshot stays.
* **After an import in this process** (:meth:`Directories.refresh`: ``PUT
  /api/v1/partners``) the same background rebuild starts at once; the importing request
  does not wait for it, and this process uses the new directory a build's time later.
* **In the foreground** only when there is nothing to serve yet: a process without the
  pre-fork build (the CLI, the test client, a master whose database could not be read);
  and for a throw-away in-memory store (``sqlite://``: one connection, which a second
  thread must not use, and which no other process can change).
"""

from __future__ import annotations

import gc
import logging
import threading
import time
from collections.abc import Callable

from caveat.knowledge.context import EngineConfig
from caveat.knowledge.directory import Directory, IndexListener
from caveat.storage.directory_store import DirectoryStore
from caveat.storage.store import StorageError, Store, is_memory_url

log = logging.getLogger(__name__)

#: How often a long-running process asks whether the directory changed (one small query,
#: on a background thread).
DIRECTORY_CHECK_SECONDS = 5.0


class Directories:
    """The current directory snapshot of one process (see the module's description)."""

    def __init__(
        self,
        store: Store | None,
        config: EngineConfig,
        *,
        monotonic: Callable[[], float] = time.monotonic,
        index_listener: IndexListener | None = None,
        check_seconds: float | None = None,
    ) -> None:
        """``index_listener`` is told of every snapshot built (how many partners, how long
        reading and indexing took) and of its look-alike index."""
        self.store = DirectoryStore(store) if store is not None else None
        #: a throw-away in-memory database is one connection that a second thread must not
        #: share, and no other process can change it: checked and rebuilt in the foreground
        self._background = store is not None and not is_memory_url(store.engine.url)
        self.config = config
        self.check_seconds = DIRECTORY_CHECK_SECONDS if check_seconds is None else check_seconds
        self._monotonic = monotonic
        self._listener = index_listener
        self._current: Directory | None = None
        self._checked_at = float("-inf")
        #: held while a snapshot is built in the foreground, and to start a background check
        self._lock = threading.RLock()
        self._worker: threading.Thread | None = None
        #: asked to check again (a refresh) while a check was running
        self._again = False

    # ------------------------------------------------------------------ reading

    def current(self) -> Directory:
        """The snapshot to use now; never waits for a build unless there is none yet."""
        directory = self._current
        if directory is None:
            with self._lock:
                if self._current is None:
                    self._current = self._build()
                    self._checked_at = self._monotonic()
                return self._current
        if self.store is not None and self._monotonic() - self._checked_at >= self.check_seconds:
            if not self._background:
                with self._lock:
                    self._checked_at = self._monotonic()
                    self._check_once()
                return self._current or directory
            self._start_check()
        return directory

    def prepare(self) -> Directory:
        """Build the snapshot now, with every index it builds on first use, and freeze the
        collector's view of the process (the master, before it forks its workers)."""
        with self._lock:
            directory = self._build()
            directory.warm()
            self._current = directory
            self._checked_at = self._monotonic()
        gc.collect()
        gc.freeze()
        return directory

    def refresh(self) -> None:
        """The stored directory changed in this process (an import): rebuild now rather
        than at the next check. In the background, like any rebuild, when a snapshot is in
        use (the importing request does not wait for it either); otherwise the next use
        builds the first one."""
        if self._current is None:
            return
        if not self._background:
            with self._lock:
                self._checked_at = self._monotonic()
                self._check_once()
            return
        with self._lock:
            self._again = True
            if not self.building:
                self._checked_at = self._monotonic()
                self._worker = threading.Thread(
                    target=self._check, name="caveat-directory", daemon=True
                )
                self._worker.start()

    def wait(self, timeout: float | None = None) -> bool:
        """Wait for the background checks and builds to end; False if one still runs."""
        worker = self._worker
        if worker is not None:
            worker.join(timeout)
            return not worker.is_alive()
        return True

    @property
    def building(self) -> bool:
        """A background check or build is running."""
        worker = self._worker
        return worker is not None and worker.is_alive()

    # ------------------------------------------------------------------ building

    def _start_check(self) -> None:
        if not self._lock.acquire(blocking=False):
            return  # a foreground build is running
        try:
            if self.building or self._monotonic() - self._checked_at < self.check_seconds:
                return
            self._checked_at = self._monotonic()
            self._worker = threading.Thread(
                target=self._check, name="caveat-directory", daemon=True
            )
            self._worker.start()
        finally:
            self._lock.release()

    def _check(self) -> None:
        """On the background thread: rebuild if the stored directory changed, and again
        if a refresh came meanwhile."""
        while True:
            with self._lock:
                self._again = False
            self._check_once()
            with self._lock:
                if not self._again:
                    self._worker = None
                    return

    def _check_once(self) -> None:
        assert self.store is not None
        try:
            current = self._current
            if current is not None and self.store.version() == current.version:
                return
            directory = self._build()
            directory.warm()
        except StorageError as exc:
            log.warning("partner directory not reloaded: %s", exc)
            return
        except Exception:
            log.exception("partner directory not reloaded")
            return
        with self._lock:
            current = self._current
            if current is None or current.version <= directory.version:
                self._current = directory

    def _build(self) -> Directory:
        started = time.perf_counter()
        if self.store is None:
            directory = Directory(
                internal_domains=self.config.internal_domains, freemail=self.config.freemail
            )
        else:
            directory = self.store.load(
                internal_domains=self.config.internal_domains, freemail=self.config.freemail
            )
        seconds = time.perf_counter() - started
        log.info(
            "partner directory snapshot %d read: %d organisations in %.2f s",
            directory.version,
            len(directory),
            seconds,
        )
        if self._listener is not None:
            self._listener("directory", len(directory), seconds)
            directory.listener = self._listener
        return directory
