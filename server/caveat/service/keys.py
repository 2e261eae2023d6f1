"""Service keys made and revoked by a person (the admin console) or an operator (``caveat
keys``), with the audit row that names them.

The store does the work (:meth:`Store.create_key`, :meth:`Store.revoke_key`); this module
adds what a person's action needs: the scopes checked against :data:`PERMISSIONS` (never
the console's own permissions, which are for people), an expiry from the choices the
console offers, the day limits both the console and the command line keep to, and an
audit row (``key.create``, ``key.revoke``) written in the same transaction as the change.
The row holds the key's id, name, prefix, scopes and expiry, never the key or its hash.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy.orm import Session

from caveat.identity.permissions import PERMISSIONS
from caveat.identity.principal import Principal
from caveat.storage.audit import Actor, AuditLog
from caveat.storage.store import KeyRecord, Store

#: How long a key works when nothing else is chosen (the console and ``caveat keys create``).
DEFAULT_EXPIRY_DAYS = 365
#: The furthest expiry accepted; beyond it, choose never (the console and ``caveat keys
#: create``).
MAX_EXPIRY_DAYS = 3650
#: The lifetimes offered as choices, in days.
EXPIRY_DAYS = (30, 90, 365)

_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


class KeyRequestError(ValueError):
    """What a person asked for cannot be done; the message says why, in their words."""


def expiry(choice: str, on: str, now: datetime) -> datetime | None:
    """When a key made at ``now`` stops working: ``choice`` is a number of days from
    :data:`EXPIRY_DAYS`, ``date`` (then ``on``, ``YYYY-MM-DD``: at the start of that day,
    UTC) or ``never`` (None)."""
    choice = choice.strip()
    if choice == "never":
        return None
    if choice.isdigit() and int(choice) in EXPIRY_DAYS:
        return now + timedelta(days=int(choice))
    if choice != "date":
        days = ", ".join(f"{n} days" for n in EXPIRY_DAYS)
        raise KeyRequestError(f"choose when the key expires: after {days}, on a date, or never")
    text = on.strip()
    if not text:
        raise KeyRequestError("give the date the key expires on (YYYY-MM-DD)")
    try:
        if not _DATE.fullmatch(text):
            raise ValueError
        day = date.fromisoformat(text)
    except ValueError:
        raise KeyRequestError(
            "the expiry date must be a date written YYYY-MM-DD, e.g. 2027-06-30"
        ) from None
    moment = datetime(day.year, day.month, day.day, tzinfo=UTC)
    if moment <= now:
        raise KeyRequestError(f"{text} has begun or passed (UTC): choose a later day")
    if moment - now > timedelta(days=MAX_EXPIRY_DAYS):
        raise KeyRequestError(
            f"a key expires at most {MAX_EXPIRY_DAYS} days ahead; choose an earlier day or never"
        )
    return moment


def check_scopes(names: Iterable[str]) -> frozenset[str]:
    """``names`` as a set of permissions a key may grant, or :class:`KeyRequestError`."""
    chosen = frozenset(names)
    unknown = sorted(chosen - frozenset(PERMISSIONS))
    if unknown:
        raise KeyRequestError(
            f"a service key cannot be given {unknown[0]!r}; choose among: " + ", ".join(PERMISSIONS)
        )
    if not chosen:
        raise KeyRequestError("choose at least one thing the key may do")
    return chosen


def state(record: KeyRecord, now: datetime) -> str:
    """``revoked``, ``expired`` or ``active``."""
    if not record.active:
        return "revoked"
    return "expired" if record.expired(now) else "active"


def _audit_state(record: KeyRecord) -> dict[str, Any]:
    return {
        "name": record.name,
        "prefix": record.prefix,
        "scopes": sorted(record.scopes),
        "expires_at": record.expires_at.isoformat() if record.expires_at else None,
    }


def create(
    store: Store,
    who: Principal | Actor,
    name: str,
    scopes: Iterable[str],
    expires_at: datetime | None,
    *,
    admin: bool = False,
    also: Callable[[Session, KeyRecord], None] | None = None,
) -> tuple[KeyRecord, str]:
    """Make a key for ``who``: its record and the key itself (shown once, never kept).
    ``admin`` (the command line's ``--admin`` only): every permission, whatever ``scopes``
    says. ``also``: called in the key's transaction after its audit row (the console uses
    its one-time form id there); what it raises undoes the key and reaches the caller.

    :class:`KeyRequestError` for a bad name, scope or expiry; nothing is stored then.
    """
    granted = frozenset(PERMISSIONS) if admin else check_scopes(scopes)

    def audit(s: Session, record: KeyRecord) -> None:
        AuditLog.append(s, who, "key.create", str(record.id), after=_audit_state(record))
        if also is not None:
            also(s, record)

    try:
        return store.create_key(
            name, scopes=granted, admin=admin, expires_at=expires_at, also=audit
        )
    except ValueError as exc:  # the store's checks of the name and the expiry
        raise KeyRequestError(str(exc)) from None


def revoke(store: Store, who: Principal | Actor, key: int | str) -> tuple[KeyRecord, bool]:
    """Revoke the key with id or prefix ``key`` for ``who``: its record, and whether this
    call revoked it (False: it was revoked already; nothing is written then). The store's
    :class:`KeyNotFound` when there is no such key, :class:`AmbiguousKey` when a prefix
    names several."""
    changed: list[bool] = []

    def audit(s: Session, record: KeyRecord) -> None:
        changed.append(True)
        AuditLog.append(
            s,
            who,
            "key.revoke",
            str(record.id),
            before={**_audit_state(record), "revoked": False},
            after={**_audit_state(record), "revoked": True},
        )

    record = store.revoke_key(key, also=audit)
    return record, bool(changed)
