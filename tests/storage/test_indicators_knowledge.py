"""The shared-knowledge snapshot of a process (caveat.service.knowledge): no statement on
the request's path between checks, one small version query at most every interval off the
request thread, a reload only when the version moved, an immediate read after a change in
this process, and the old snapshot kept when the database cannot be read."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import event

from caveat.knowledge.indicators_csv import check_indicator
from caveat.service.knowledge import KNOWLEDGE_CHECK_SECONDS, Knowledge
from caveat.storage.audit import Actor
from caveat.storage.indicators import IndicatorStore
from caveat.storage.store import StorageError, Store

ROOT = Actor.command_line("root")


class Ticks:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def file_store(tmp_path: Path) -> Iterator[Store]:
    s = Store.from_url(f"sqlite:///{tmp_path / 'k.db'}")
    s.upgrade()
    yield s
    s.dispose()


def statements(store: Store) -> list[str]:
    seen: list[str] = []

    def record(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        if any(t in statement for t in ("knowledge_state", "indicators", "reports")):
            seen.append(statement)

    event.listen(store.engine, "before_cursor_execute", record)
    return seen


def add(store: Store, address: str) -> None:
    indicators = IndicatorStore(store)
    indicators.add(ROOT, indicators.prepare([check_indicator("address", address)]), source="api")


def test_between_checks_a_request_runs_no_statement(file_store: Store) -> None:
    ticks = Ticks()
    knowledge = Knowledge(file_store, monotonic=ticks)
    add(file_store, "a@fraud-example.com")
    first = knowledge.current()
    assert first.has("address")
    seen = statements(file_store)
    for _ in range(50):
        ticks.now += KNOWLEDGE_CHECK_SECONDS / 100
        assert knowledge.current() is first
    assert seen == []
    assert KNOWLEDGE_CHECK_SECONDS <= 2.0


def test_a_check_asks_the_version_and_reloads_only_when_it_moved(file_store: Store) -> None:
    ticks = Ticks()
    knowledge = Knowledge(file_store, monotonic=ticks)
    first = knowledge.current()
    seen = statements(file_store)
    ticks.now += KNOWLEDGE_CHECK_SECONDS
    assert knowledge.current() is first  # the check runs on its own thread
    assert knowledge.wait(10)
    assert len(seen) == 1 and "knowledge_state" in seen[0]
    assert knowledge.current() is first

    add(file_store, "b@fraud-example.com")  # another process's change
    seen.clear()
    ticks.now += KNOWLEDGE_CHECK_SECONDS
    knowledge.current()
    assert knowledge.wait(10)
    fresh = knowledge.current()
    assert fresh is not first and fresh.version > first.version
    assert fresh.matching("address", "b@fraud-example.com", file_store.clock())


def test_a_change_in_this_process_is_read_at_once(file_store: Store) -> None:
    ticks = Ticks()
    knowledge = Knowledge(file_store, monotonic=ticks)
    assert not knowledge.current()
    add(file_store, "c@fraud-example.com")
    assert not knowledge.current().has("address")  # not yet time to check
    knowledge.refresh()
    assert knowledge.current().has("address")


def test_a_database_that_cannot_be_read_keeps_the_old_snapshot(
    file_store: Store, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    ticks = Ticks()
    knowledge = Knowledge(file_store, monotonic=ticks)
    add(file_store, "d@fraud-example.com")
    first = knowledge.current()
    add(file_store, "e@fraud-example.com")

    def down(*_: Any, **__: Any) -> Any:
        raise StorageError("database unavailable")

    assert knowledge.indicators is not None
    monkeypatch.setattr(knowledge.indicators, "load", down)
    knowledge.refresh()
    ticks.now += KNOWLEDGE_CHECK_SECONDS
    knowledge.current()
    assert knowledge.wait(10)
    assert knowledge.current() is first
    assert "shared knowledge not read: database unavailable" in caplog.text
    monkeypatch.undo()
    ticks.now += KNOWLEDGE_CHECK_SECONDS
    knowledge.current()
    assert knowledge.wait(10)
    assert knowledge.current().has("address")
    assert len(knowledge.current().indicators["address"]) == 2


def test_without_a_store_nothing_is_known() -> None:
    knowledge = Knowledge(None)
    assert not knowledge.current()
    knowledge.refresh()
    assert not knowledge.current()
