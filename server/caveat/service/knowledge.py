"""The shared-knowledge snapshot a process serves from: fraud indicators, open reports and
verified accounts (:class:`~caveat.knowledge.shared.SharedKnowledge`), kept current across
workers and nodes without a request ever reading them from the database.

* **Between changes.** At most every :data:`KNOWLEDGE_CHECK_SECONDS`, a request starts a
  check on a thread of its own: one small query for ``knowledge_state.version``; when it
  moved, the snapshot is read on that thread and swapped in (one reference assignment)
  while requests keep using the one they have. A failed check is logged and tried again
  at the next interval; the old snapshot stays. So a change made by another worker or
  node reaches this one within the interval plus a read's time.
* **After a change in this process** (an indicator added or removed, a report made,
  confirmed or dismissed, a verification recorded): :meth:`Knowledge.refresh` reads the
  new snapshot at once, in the writing request, so its effect is seen by the next
  request this process serves (the reporter's own next analysis, say).
* **In the foreground** only when there is nothing to serve yet (the first request) and for
  a throw-away in-memory store (one connection a second thread must not use).

An analysis never waits for the database because of this module, apart from that first
read: the snapshot is a few thousand small rows at most.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime

from caveat.knowledge.shared import EMPTY_KNOWLEDGE, SharedKnowledge
from caveat.storage.indicators import IndicatorStore
from caveat.storage.reports import ReportStore
from caveat.storage.store import StorageError, Store, is_memory_url

from .verifications import with_verified_accounts

log = logging.getLogger(__name__)

#: How often a long-running process asks whether the shared knowledge changed.
KNOWLEDGE_CHECK_SECONDS = 2.0


class Knowledge:
    """The current shared-knowledge snapshot of one process (see the module)."""

    def __init__(
        self,
        store: Store | None,
        *,
        monotonic: Callable[[], float] = time.monotonic,
        clock: Callable[[], datetime] | None = None,
        check_seconds: float | None = None,
    ) -> None:
        self.store = store
        self.indicators = IndicatorStore(store) if store is not None else None
        self.reports = ReportStore(store) if store is not None else None
        self._background = store is not None and not is_memory_url(store.engine.url)
        self.check_seconds = KNOWLEDGE_CHECK_SECONDS if check_seconds is None else check_seconds
        self._monotonic = monotonic
        self._clock = clock or (store.clock if store is not None else lambda: datetime.now(UTC))
        self._current: SharedKnowledge | None = None if store is not None else EMPTY_KNOWLEDGE
        self._checked_at = float("-inf")
        self._lock = threading.RLock()
        self._worker: threading.Thread | None = None

    def current(self) -> SharedKnowledge:
        """The snapshot to use now; reads in the foreground only when there is none yet."""
        known = self._current
        if known is None:
            with self._lock:
                if self._current is None:
                    # (an empty snapshot is falsy, yet carries the keys refs need)
                    found = self._read()
                    self._current = found if found is not None else EMPTY_KNOWLEDGE
                    self._checked_at = self._monotonic()
                return self._current
        if self.store is not None and self._monotonic() - self._checked_at >= self.check_seconds:
            if not self._background:
                with self._lock:
                    self._checked_at = self._monotonic()
                    self._check_once()
                return self._current or known
            self._start_check()
        return known

    def refresh(self) -> None:
        """The shared knowledge changed in this process: read it now."""
        if self.store is None:
            return
        with self._lock:
            found = self._read()
            if found is not None:
                self._swap(found)
            self._checked_at = self._monotonic()

    def wait(self, timeout: float | None = None) -> bool:
        worker = self._worker
        if worker is not None:
            worker.join(timeout)
            return not worker.is_alive()
        return True

    def _start_check(self) -> None:
        if not self._lock.acquire(blocking=False):
            return
        try:
            worker = self._worker
            if (worker is not None and worker.is_alive()) or (
                self._monotonic() - self._checked_at < self.check_seconds
            ):
                return
            self._checked_at = self._monotonic()
            self._worker = threading.Thread(
                target=self._check_once, name="caveat-knowledge", daemon=True
            )
            self._worker.start()
        finally:
            self._lock.release()

    def _check_once(self) -> None:
        assert self.indicators is not None
        try:
            current = self._current
            if current is not None and self.indicators.version() == current.version:
                return
        except StorageError as exc:
            log.warning("shared knowledge not checked: %s", exc)
            return
        except Exception:
            log.exception("shared knowledge not checked")
            return
        found = self._read()
        if found is not None:
            with self._lock:
                self._swap(found)

    def _swap(self, found: SharedKnowledge) -> None:
        current = self._current
        if current is None or current.version <= found.version:
            self._current = found

    def _read(self) -> SharedKnowledge | None:
        assert self.indicators is not None and self.reports is not None
        started = time.perf_counter()
        try:
            found = self.indicators.load(self._clock())
            found = replace(
                found,
                pending_reports=self.reports.pending(),
                message_key=self.reports.key(),
            )
            found = _with_verified_accounts(self.store, found)
        except StorageError as exc:
            log.warning("shared knowledge not read: %s", exc)
            return None
        except Exception:
            log.exception("shared knowledge not read")
            return None
        log.info(
            "shared knowledge %d read: %d indicator values in %.3f s",
            found.version,
            sum(len(v) for v in found.indicators.values()),
            time.perf_counter() - started,
        )
        return found


def _with_verified_accounts(store: Store | None, found: SharedKnowledge) -> SharedKnowledge:
    """The snapshot with the verified accounts of the verification store (issue 17's
    verify-sender outcomes fill ``verified_accounts`` here)."""
    return with_verified_accounts(store, found)
