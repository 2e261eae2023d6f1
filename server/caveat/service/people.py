"""The people directory snapshot a process serves from.

The people directory is small (an organisation's staff: thousands, not the partner
directory's hundreds of thousands), so it is read in the foreground: at most every
:data:`PEOPLE_CHECK_SECONDS` a request asks :meth:`PeopleStore.version` (one small query),
and reads the directory again when it changed. An import in this process reads it at once
(:meth:`PeopleSnapshots.refresh`). A failed read is logged; the old snapshot stays.

:class:`SignedInPeople` adds the people who sign in with the identity provider.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable

from caveat.identity.principal import Principal
from caveat.knowledge.people import EMPTY_PEOPLE, People
from caveat.knowledge.people_csv import group_of
from caveat.mail.domains import parse_address
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


#: How long a process remembers that a signed-in person was looked at (no second write).
LEARN_AFTER_SECONDS = 24 * 3600.0
_LEARNT_MAX = 10_000


class SignedInPeople:
    """Keeps the people who sign in with the identity provider in the people directory:
    their name and address from the token, and what the IDENTITY_CLAIM_* and
    IDENTITY_*_GROUPS settings read from it (title, department, group, executive flag; the
    group is also implied by the finance role, or read from the title and department as
    the CSV's is). Only addresses at our own domains, never a guest account, never over a
    row an administrator imported (the CSV wins), never over another person's row. What a
    process saw of a person is remembered for a day, so a request pays a dictionary lookup;
    a token that says something new is looked at again at once."""

    def __init__(
        self,
        store: Store | None,
        is_internal: Callable[[str], bool],
        *,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self._store = PeopleStore(store) if store is not None else None
        self._is_internal = is_internal
        self._monotonic = monotonic
        self._seen: dict[str, tuple[float, tuple[object, ...]]] = {}
        self._lock = threading.Lock()

    def saw(self, principal: Principal) -> bool:
        """Look at a signed-in person; True when the directory changed."""
        if self._store is None or not principal.is_person:
            return False
        address = normalised_address(principal.username)
        if not address or "#ext#" in address:
            return False  # a guest of the tenant is not one of our people
        if not self._is_internal(address.rpartition("@")[2]):
            return False
        profile = principal.profile
        group = (
            profile.group
            or ("finance" if "finance" in principal.roles else "")
            or group_of(profile.title, profile.department)
        )
        name = principal.name or address
        said = (
            principal.counter,
            name,
            profile.title,
            profile.department,
            group,
            profile.executive,
        )
        now = self._monotonic()
        with self._lock:
            until, before = self._seen.get(address, (float("-inf"), ()))
            if now < until and before == said:
                return False
            if len(self._seen) >= _LEARNT_MAX:
                self._seen.clear()
            self._seen[address] = (now + LEARN_AFTER_SECONDS, said)
        try:
            return self._store.learn_signed_in(
                name=name,
                address=address,
                subject=principal.counter,
                title=profile.title,
                department=profile.department,
                group=group,
                executive=profile.executive,
                who=principal,
            )
        except StorageError:
            log.warning("a signed-in person could not be added to the people directory")
            return False


def normalised_address(value: str) -> str:
    """``value`` as the directory keeps addresses (lower case, IDNA domain), or ""."""
    parsed = parse_address(value.strip())
    return parsed.address if parsed.valid and "@" in parsed.address else ""
