"""The audit log read newest first, paged backwards, and filtered by target (the admin
console's view of it)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from caveat.storage.audit import Actor, AuditLog
from caveat.storage.store import Store

T0 = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)


def test_newest_first_pages_backwards_and_filters_by_exact_target(store: Store) -> None:
    log = AuditLog(store)
    with store.session() as s:
        for i in range(7):
            log.append(s, Actor.command_line("root"), "partner.update", f"Org {i % 3}",
                       at=T0 + timedelta(minutes=i))  # fmt: skip
    first = log.entries(newest_first=True, limit=3)
    assert [e.target for e in first] == ["Org 0", "Org 2", "Org 1"]
    assert first[0].id > first[1].id > first[2].id
    second = log.entries(newest_first=True, before_id=first[-1].id, limit=3)
    assert [e.id for e in second] == [first[-1].id - 1, first[-1].id - 2, first[-1].id - 3]
    org0 = log.entries(target="Org 0", newest_first=True)
    assert [e.at for e in org0] == [T0 + timedelta(minutes=m) for m in (6, 3, 0)]
    assert log.entries(target="Org") == []  # exact, not a prefix
    assert [e.target for e in log.every(target="Org 1")] == ["Org 1", "Org 1"]


def test_the_actions_the_log_holds(store: Store) -> None:
    log = AuditLog(store)
    assert log.actions() == []
    with store.session() as s:
        for action in ("partner.update", "key.create", "partner.update", "indicator.add"):
            log.append(s, Actor.command_line("root"), action, at=T0)
    assert log.actions() == ["indicator.add", "key.create", "partner.update"]
