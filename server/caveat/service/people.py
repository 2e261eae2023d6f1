"""The people directory snapshot a process serves from.

The people directory is small (an organisation's staff: thousands, not the partner
directory's hundreds of thousands), so it is read in the foreground: at most every
:data:`PEOPLE_CHECK_SECONDS` a request asks :meth:`PeopleStore.version` (one small query),
and reads the directory again when it changed. An import in this process reads it at once
(:meth:`PeopleSnapshots.refresh`). A failed read is logged; the old snapshot stays.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable

from caveat.knowledge.people import EMPTY_PEOPLE, People
from caveat.storage.people import PeopleStore
from caveat.storage.store import StorageError, Store

log = logging.getLogger(__name__)

PEOPLE_CHECK_SECONDS = 5.0


class PeopleSnapshots:
    def __init__(
        self,
        store: Store | None,
        *,
        monotonic: Callable[[], float] = time.monotonic,
        check_seconds: float = PEOPLE_CHECK_SECONDS,
    ) -> None:
        self._store = PeopleStore(store) if store is not None else None
        self._monotonic = monotonic
        self._check_seconds = check_seconds
        self._people: People = EMPTY_PEOPLE
        self._version: tuple[int, str] | None = None
        self._next = float("-inf")
        self._lock = threading.Lock()

    def current(self) -> People:
        if self._store is None:
            return self._people
        now = self._monotonic()
        if now < self._next:
            return self._people
        with self._lock:
            if now < self._next:
                return self._people
            self._next = now + self._check_seconds
            try:
                version = self._store.version()
                if version != self._version:
                    self._people = self._store.snapshot()
                    self._version = version
            except StorageError:
                log.warning("the people directory could not be read; the last one stays")
        return self._people

    def refresh(self) -> None:
        """Read the directory at the next request (after an import in this process)."""
        self._next = float("-inf")
