"""The audit log: rows written with the change they record, read back filtered and in
order, never changed, and bounded."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from caveat.identity.principal import Principal
from caveat.storage.audit import STATE_MAX, Actor, AuditLog, AuditRow
from caveat.storage.store import Store

T0 = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
CLERK = Principal.person(
    subject="oid-clerk", tenant="t1", name="Clerk Example", username="clerk@ours.example",
    roles=["finance"],
)  # fmt: skip


def test_a_change_and_its_row_are_one_transaction(store: Store) -> None:
    log = AuditLog(store)
    with store.session() as s:
        log.append(s, CLERK, "verification.record", "Acme Ltd",
                   after={"outcome": "confirmed", "account": "DE89 **** 3000"}, at=T0)  # fmt: skip
    with pytest.raises(RuntimeError), store.session() as s:
        log.append(s, CLERK, "verification.record", "Other Ltd", at=T0)
        raise RuntimeError("the change failed")
    [entry] = log.entries()
    assert entry.actor == "Clerk Example <clerk@ours.example>"
    assert entry.actor_subject == "oid-clerk"
    assert entry.action == "verification.record" and entry.target == "Acme Ltd"
    assert entry.before is None
    assert entry.after == {"outcome": "confirmed", "account": "DE89 **** 3000"}
    assert entry.as_json()["at"] == "2026-12-01T09:00:00Z"


def test_rows_are_filtered_by_action_prefix_actor_and_time_and_paged(store: Store) -> None:
    log = AuditLog(store)
    admin = Actor.command_line("root")
    with store.session() as s:
        for i in range(5):
            log.append(s, admin, "partner.import", f"file {i}", at=T0 + timedelta(hours=i))
        log.append(s, CLERK, "indicator.add", "address", at=T0 + timedelta(hours=6))
    assert [e.target for e in log.entries(action="partner.")] == [f"file {i}" for i in range(5)]
    assert [e.action for e in log.entries(actor="oid-clerk")] == ["indicator.add"]
    assert [e.target for e in log.entries(since=T0 + timedelta(hours=3), action="partner")] == [
        "file 3",
        "file 4",
    ]
    first = log.entries(limit=2)
    assert [e.target for e in log.entries(after_id=first[-1].id, limit=2)] == ["file 2", "file 3"]
    assert len(list(log.every())) == 6
    # a prefix is a prefix, not a pattern
    assert log.entries(action="partner%") == []
    assert admin.label == "root at the command line" and admin.subject == "cli:root"


def test_a_large_state_is_cut_and_says_so(store: Store) -> None:
    log = AuditLog(store)
    with store.session() as s:
        log.append(s, CLERK, "partner.import", "big", after={"rows": ["x" * 100] * 1000})
    [entry] = log.entries()
    assert entry.after["cut"] is True and len(entry.after["start"]) == STATE_MAX // 2
    with store.session() as s:
        assert s.scalar(select(func.count()).select_from(AuditRow)) == 1


def test_the_log_offers_no_way_to_change_a_row() -> None:
    assert not [n for n in dir(AuditLog) if n.startswith(("update", "delete", "remove", "edit"))]
