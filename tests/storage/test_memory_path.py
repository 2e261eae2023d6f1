"""The conversation memory on the analyze path (issue 15), on every backend: what the
snapshot reads and how (a few statements, one transaction, nothing looked up twice), no
write for a message seen again, re-opens not counted as messages, and the write-behind
queue (read-your-writes, back-pressure, batches, a graceful close)."""

from __future__ import annotations

import logging
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from unittest import mock

import pytest
from sqlalchemy import event, func, select

from caveat.knowledge.memory import observe
from caveat.mail.facts import Facts
from caveat.mail.normalise import from_raw
from caveat.storage import memory_store
from caveat.storage.memory_store import REFRESH_AFTER, MemoryStore
from caveat.storage.memory_writer import MemoryWriter
from caveat.storage.records import ContactRow, ConversationPersonRow, ConversationRow
from caveat.storage.store import StorageError, Store

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)

FIRST = """\
From: Felix Brandt <felix.brandt@acme.example>
To: Anna Keller <anna.keller@ours.example>
Cc: Eva Lind <eva.lind@ours.example>
Subject: Invoice 88 for the March deliveries
Message-ID: <m1@acme.example>
Date: Mon, 2 Mar 2026 09:00:00 +0000
"""
REPLY = """\
From: Anna Keller <anna.keller@ours.example>
To: Felix Brandt <felix.brandt@acme.example>
Cc: Eva Lind <eva.lind@ours.example>
Subject: RE: Invoice 88 for the March deliveries
Message-ID: <m2@ours.example>
In-Reply-To: <m1@acme.example>
References: <m1@acme.example>
Date: Mon, 2 Mar 2026 10:00:00 +0000
"""
SECOND_FROM_FELIX = """\
From: Felix Brandt <felix.brandt@acme.example>
To: Anna Keller <anna.keller@ours.example>
Cc: Eva Lind <eva.lind@ours.example>
Subject: RE: Invoice 88 for the March deliveries
Message-ID: <m3@acme.example>
In-Reply-To: <m2@ours.example>
References: <m1@acme.example> <m2@ours.example>
Date: Mon, 2 Mar 2026 11:00:00 +0000
"""
UNRELATED = """\
From: Zed Zhou <zed@else.example>
To: Yan Yu <yan@ours.example>
Subject: Quarterly figures for the board
Message-ID: <x1@else.example>
Date: Mon, 2 Mar 2026 12:00:00 +0000
"""


def facts_of(raw: str) -> Facts:
    return from_raw((raw.strip() + "\n\nHello,\nthe invoice is attached.\n").encode())


def analyse(memory: MemoryStore, raw: str, at: datetime, **kw: Any) -> None:
    """Snapshot and record, as the analyser does."""
    facts = facts_of(raw)
    snap = memory.snapshot(facts)
    internal = [a.address for a in facts.recipients + facts.from_ if a.domain == "ours.example"]
    memory.record(observe(facts, at=at, authenticated=False, internal=internal, **kw), snap)


@contextmanager
def statements(store: Store) -> Iterator[list[str]]:
    """The SQL statements run on the store's engine (any thread) inside the block: those
    SQLAlchemy executes, and the snapshot's, which run on the driver's cursor."""
    seen: list[str] = []

    def count(_c: Any, _cur: Any, statement: str, *_a: Any) -> None:
        seen.append(" ".join(statement.split()))

    fetch = memory_store._fetch

    def fetched(c: Any, sql: str, params: tuple[Any, ...]) -> list[Any]:
        count(c, None, sql)
        return fetch(c, sql, params)

    event.listen(store.engine, "before_cursor_execute", count)
    try:
        with mock.patch.object(memory_store, "_fetch", fetched):
            yield seen
    finally:
        event.remove(store.engine, "before_cursor_execute", count)


def writes(sql: list[str]) -> list[str]:
    return [s for s in sql if s.split()[0].upper() in ("INSERT", "UPDATE", "DELETE")]


def rows(store: Store, model: type) -> int:
    with store.session() as s:
        return int(s.scalar(select(func.count()).select_from(model)) or 0)


# ------------------------------------------------------------------ reading


def test_a_snapshot_is_a_handful_of_statements_and_the_record_looks_nothing_up(
    store: Store,
) -> None:
    memory = MemoryStore(store)
    analyse(memory, FIRST, T0)  # also makes the deployment's secret
    facts = facts_of(REPLY)
    with statements(store) as sql:
        snap = memory.snapshot(facts)
    assert snap.conversation is not None and len(snap.conversation.people) == 3
    assert 2 <= len(sql) <= 5, sql  # (the snapshot is seen: its statements are counted)
    assert not writes(sql)
    with statements(store) as sql:
        memory.record(observe(facts, at=T0 + timedelta(hours=1), authenticated=False,
                              internal=["anna.keller@ours.example", "eva.lind@ours.example"]),
                      snap)  # fmt: skip
    # No search for the conversation again: the only read checks it still exists.
    reads = [s for s in sql if s.upper().startswith("SELECT")]
    assert all("conversation_keys" not in s and "conversation_people" not in s for s in reads)
    assert len(reads) <= 2, reads  # the conversation still there; its text's size


def test_a_snapshot_answers_as_before(store: Store) -> None:
    memory = MemoryStore(store)
    analyse(memory, FIRST, T0)
    analyse(memory, REPLY, T0 + timedelta(hours=1))
    snap = memory.snapshot(facts_of(SECOND_FROM_FELIX))
    assert snap.available and snap.conversation is not None
    assert snap.conversation.messages == 2
    assert {s.address for s in snap.conversation.people} == {
        "felix.brandt@acme.example",
        "anna.keller@ours.example",
        "eva.lind@ours.example",
    }
    assert snap.sender is not None and snap.sender.messages == 1
    # Anna and Eva are colleagues (our domain): known by name
    assert {k: [p.source for p in v] for k, v in snap.known.items()} == {
        "anna keller": ["colleague"],
        "eva lind": ["colleague"],
    }
    assert memory.snapshot(facts_of(UNRELATED)).conversation is None


# ------------------------------------------------------------------ the same message again


def test_a_message_analysed_again_writes_nothing_and_is_not_counted_again(store: Store) -> None:
    memory = MemoryStore(store)
    analyse(memory, FIRST, T0)
    for i in range(1, 5):  # the user opens it four more times; the pane re-analyses
        with statements(store) as sql:
            analyse(memory, FIRST, T0 + timedelta(minutes=i))
        assert writes(sql) == []
    snap = memory.snapshot(facts_of(REPLY))
    assert snap.conversation is not None and snap.conversation.messages == 1
    first = memory.snapshot(facts_of(SECOND_FROM_FELIX))
    assert first.sender is not None and first.sender.messages == 1


def test_an_old_message_opened_again_refreshes_but_still_counts_once(store: Store) -> None:
    memory = MemoryStore(store)
    analyse(memory, FIRST, T0)
    later = T0 + REFRESH_AFTER + timedelta(minutes=1)
    with statements(store) as sql:
        analyse(memory, FIRST, later)
    assert writes(sql)  # the conversation and its sender are seen again: retention counts
    with store.session() as s:
        conv = s.execute(select(ConversationRow.messages, ConversationRow.last_seen_at)).one()
        sent = s.scalar(select(ContactRow.sent).where(ContactRow.address.like("felix%")))
    assert conv == (1, later) and sent == 1


def test_the_same_message_id_with_other_people_is_written(store: Store) -> None:
    memory = MemoryStore(store)
    analyse(memory, FIRST, T0)
    cc = "Cc: Eva Lind <eva.lind@ours.example>"
    added = FIRST.replace(cc, cc + ", Bo Berg <bo@acme.example>")
    analyse(memory, added, T0 + timedelta(minutes=1))
    assert rows(store, ConversationPersonRow) == 4
    # the same message: still one message of the conversation
    snap = memory.snapshot(facts_of(REPLY))
    assert snap.conversation is not None and snap.conversation.messages == 1


def test_an_accepted_reply_address_is_written_for_a_message_seen_before(store: Store) -> None:
    memory = MemoryStore(store)
    with_reply_to = FIRST.replace("Subject:", "Reply-To: ap@acme-billing.example\nSubject:")
    analyse(memory, with_reply_to, T0)  # judged remarkable: its Reply-To is not accepted
    reply = REPLY.replace("To: Felix Brandt <felix.brandt@acme.example>",
                          "To: ap@acme-billing.example")  # fmt: skip
    assert memory.snapshot(facts_of(reply)).accepted_reply_to == frozenset()
    analyse(memory, with_reply_to, T0 + timedelta(minutes=1), unremarkable=True)
    assert memory.snapshot(facts_of(reply)).accepted_reply_to == {"ap@acme-billing.example"}


# ------------------------------------------------------------------ write-behind


@pytest.fixture
def queued(store: Store) -> Iterator[MemoryStore]:
    if store.engine.url.database in (None, "", ":memory:"):
        pytest.skip("a database in memory is written at once (one shared connection)")
    memory = MemoryStore(store, write_behind=True)
    assert memory.writer is not None
    memory.writer.linger = 60.0  # the thread would wait a minute: the tests decide
    memory.writer.batch = 1000
    yield memory
    memory.close()


def test_the_record_is_queued_and_a_reply_reads_it(store: Store, queued: MemoryStore) -> None:
    assert queued.writer is not None
    analyse(queued, FIRST, T0)
    assert len(queued.writer) == 1 and rows(store, ConversationRow) == 0
    # A message unrelated to what is queued reads without writing it ...
    assert queued.snapshot(facts_of(UNRELATED)).conversation is None
    assert len(queued.writer) == 1
    # ... the reply is judged with it, exactly as if written at once.
    snap = queued.snapshot(facts_of(REPLY))
    assert snap.conversation is not None and len(snap.conversation.people) == 3
    assert len(queued.writer) == 0 and rows(store, ConversationRow) == 1


def test_a_new_sender_queued_is_known_to_the_next_message_from_it(
    store: Store, queued: MemoryStore
) -> None:
    analyse(queued, FIRST, T0)
    other = UNRELATED.replace("Zed Zhou <zed@else.example>",
                              "Felix Brandt <felix.brandt@acme.example>")  # fmt: skip
    snap = queued.snapshot(facts_of(other))
    assert snap.sender is not None and snap.sender.messages == 1
    # A known sender's count of messages (lookalike_domain's established_sender reads it)
    # counts the one queued, which stays queued.
    queued.record(observe(facts_of(other), at=T0, authenticated=False, internal=[]), snap)
    third = other.replace("<x1@else.example>", "<x2@else.example>").replace("Quarterly", "Annual")
    assert queued.writer is not None and len(queued.writer) == 1
    again = queued.snapshot(facts_of(third))
    assert again.sender is not None and again.sender.messages == 2
    assert len(queued.writer) == 1  # merged, not written: nothing else of it bears on this
    queued.flush()
    assert queued.snapshot(facts_of(third)).sender == again.sender


def test_queued_records_of_one_thread_are_written_in_one_batch_as_one_by_one(
    store: Store, queued: MemoryStore
) -> None:
    assert queued.writer is not None
    analyse(queued, FIRST, T0)
    queued.flush()
    # Both read before either is recorded: one batch holds two messages of one
    # conversation, from one sender, with the same people.
    a = facts_of(SECOND_FROM_FELIX)
    b = facts_of(SECOND_FROM_FELIX.replace("<m3@acme.example>", "<m4@acme.example>"))
    snaps = [queued.snapshot(a), queued.snapshot(b)]
    internal = ["anna.keller@ours.example", "eva.lind@ours.example"]
    for i, (f, s) in enumerate(zip((a, b), snaps, strict=True)):
        obs = observe(f, at=T0 + timedelta(hours=i + 1), authenticated=True, internal=internal)
        queued.record(obs, s)
    batches = queued.writer.batches
    queued.flush()
    assert queued.writer.batches == batches + 1
    snap = queued.snapshot(facts_of(REPLY))
    assert snap.conversation is not None and snap.conversation.messages == 3
    assert len(snap.conversation.people) == 3
    felix = queued.snapshot(a).sender
    assert felix is not None and felix.messages == 3 and felix.authenticated


def test_a_batch_of_one_sender_s_messages_is_one_upsert_and_leaves_what_one_by_one_does(
    store: Store, queued: MemoryStore
) -> None:
    """Four unrelated messages of one sender (names and authentication changing, one
    colleague in each), queued and written in one batch, leave the contacts and the
    conversations' people as the same four written one by one do (another sender and
    colleague, so the two sets of rows stand side by side), in one upsert per table."""
    assert queued.writer is not None
    forms = [("Felix Brandt ", False), ("", True), ("F. Brandt ", False), ("", False)]

    def msg(sender: str, colleague: str, i: int) -> str:
        name, _ = forms[i]
        return (
            f"From: {name}<{sender}>\nTo: Anna Keller <{colleague}>\n"
            f"Subject: Order {sender[0]}{i} for the deliveries\n"
            f"Message-ID: <{sender[0]}{i}@acme.example>\n"
            "Date: Mon, 2 Mar 2026 09:00:00 +0000\n"
        )

    def record(sender: str, colleague: str, i: int, snap: Any) -> None:
        facts = facts_of(msg(sender, colleague, i))
        obs = observe(facts, at=T0 + timedelta(hours=i), authenticated=forms[i][1],
                      internal=[colleague])  # fmt: skip
        queued.record(obs, snap)

    for i in range(len(forms)):  # one by one
        snap = queued.snapshot(facts_of(msg("felix@acme.example", "anna@ours.example", i)))
        record("felix@acme.example", "anna@ours.example", i, snap)
        queued.flush()
    snaps = [  # all read before any is recorded: one batch
        queued.snapshot(facts_of(msg("gero@acme.example", "anke@ours.example", i)))
        for i in range(len(forms))
    ]
    for i, snap in enumerate(snaps):
        record("gero@acme.example", "anke@ours.example", i, snap)
    with statements(store) as sql:
        queued.flush()
    assert len([s for s in sql if s.startswith("INSERT INTO contacts")]) == 2, sql
    assert len([s for s in sql if s.startswith("INSERT INTO conversation_people")]) == 1, sql

    def contact(address: str) -> tuple[Any, ...]:
        with store.session() as s:
            row = s.execute(select(ContactRow).where(ContactRow.address == address)).scalar_one()
            return (row.name, row.name_key, row.first_seen, row.last_seen, row.sent,
                    row.authenticated_at, row.colleague)  # fmt: skip

    felix = contact("felix@acme.example")
    assert felix == contact("gero@acme.example")
    assert felix[0] == "F. Brandt" and felix[2:6] == (T0, T0 + timedelta(hours=3), 4,
                                                        T0 + timedelta(hours=1))  # fmt: skip
    assert contact("anna@ours.example")[2:] == contact("anke@ours.example")[2:]

    def people(address: str) -> list[tuple[Any, ...]]:
        with store.session() as s:
            return [
                (r.name, r.name_key, r.first_seen, r.last_seen)
                for r in s.execute(
                    select(ConversationPersonRow)
                    .where(ConversationPersonRow.address == address)
                    .order_by(ConversationPersonRow.first_seen, ConversationPersonRow.id)
                ).scalars()
            ]

    assert people("felix@acme.example") == people("gero@acme.example")
    assert len(people("felix@acme.example")) == len(forms)


def test_a_full_queue_is_written_by_the_caller(store: Store, queued: MemoryStore) -> None:
    assert queued.writer is not None
    queued.writer.capacity = 2
    analyse(queued, FIRST, T0)
    assert len(queued.writer) == 1
    analyse(queued, UNRELATED, T0)  # the second fills it: written before record returns
    assert len(queued.writer) == 0 and rows(store, ConversationRow) == 2


def test_close_writes_what_is_queued(store: Store, queued: MemoryStore) -> None:
    analyse(queued, FIRST, T0)
    analyse(queued, UNRELATED, T0)
    queued.close()
    assert rows(store, ConversationRow) == 2
    analyse(queued, REPLY, T0 + timedelta(hours=1))  # after close: written at once
    assert queued.writer is not None and len(queued.writer) == 0


def test_the_thread_writes_within_its_linger(store: Store, queued: MemoryStore) -> None:
    assert queued.writer is not None
    queued.writer.linger = 0.01
    analyse(queued, FIRST, T0)
    for _ in range(500):  # nobody flushes: the thread must write it
        if rows(store, ConversationRow) == 1:
            break
        time.sleep(0.01)
    assert rows(store, ConversationRow) == 1 and len(queued.writer) == 0


# ------------------------------------------------------------------ the writer alone


def test_a_failed_batch_is_logged_and_dropped_and_the_writer_goes_on(
    caplog: pytest.LogCaptureFixture,
) -> None:
    written: list[list[str]] = []

    def write(items: list[str]) -> None:
        if "bad" in items:
            raise RuntimeError("secret content must not be logged")
        written.append(items)

    writer: MemoryWriter[str] = MemoryWriter(write, linger=60)
    with caplog.at_level(logging.WARNING, "caveat.storage.memory_writer"):
        writer.put("bad", {"k:1"})
        assert writer.pending("k:1")
        assert writer.settle({"k:1"})  # wrote (and failed): nothing pending after
        assert not writer.pending("k:1") and writer.dropped == 1
    assert "RuntimeError" in caplog.text and "secret" not in caplog.text
    writer.put("good", {"k:2"})
    assert not writer.settle({"k:3"}) and len(writer) == 1
    writer.close()
    assert written == [["good"]]


def test_writer_settings_are_checked() -> None:
    with pytest.raises(ValueError):
        MemoryWriter(lambda items: None, capacity=0)


def test_a_process_that_exits_writes_what_it_queued(tmp_path: Path) -> None:
    """The queue is written at interpreter exit (atexit), however long the thread would
    still have waited."""
    db = f"sqlite:///{tmp_path / 'c.db'}"
    script = f"""
import sys
sys.path.insert(0, {str(Path(__file__).resolve().parents[2])!r})
from datetime import UTC, datetime
from caveat.storage.memory_store import MemoryStore
from caveat.storage.store import Store, StorageError
from tests.storage.test_memory_path import FIRST, UNRELATED, analyse
store = Store.from_url({db!r})
store.upgrade()
memory = MemoryStore(store, write_behind=True)
memory.writer.linger = 600
analyse(memory, FIRST, datetime(2026, 3, 2, tzinfo=UTC))
analyse(memory, UNRELATED, datetime(2026, 3, 2, tzinfo=UTC))
assert len(memory.writer) == 2
"""
    subprocess.run([sys.executable, "-c", script], check=True, timeout=120)
    store = Store.from_url(db)
    try:
        assert rows(store, ConversationRow) == 2
    finally:
        store.dispose()


def test_an_idle_writer_thread_ends_and_the_next_record_starts_another(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import caveat.storage.memory_writer as module

    monkeypatch.setattr(module, "IDLE", 0.05)
    written: list[str] = []
    writer: MemoryWriter[str] = MemoryWriter(written.extend, linger=0)
    writer.put("a", ())
    deadline = time.monotonic() + 10
    while (written != ["a"] or writer._thread is not None) and time.monotonic() < deadline:
        time.sleep(0.01)
    assert written == ["a"] and writer._thread is None  # written, then the thread ended
    writer.put("b", ())
    while written != ["a", "b"] and time.monotonic() < deadline:
        time.sleep(0.01)
    assert written == ["a", "b"]
    writer.close()


def test_a_database_error_in_the_snapshot_is_a_storage_error(store: Store) -> None:
    """The snapshot's statements run on the driver's cursor; a failure there is still
    the store's StorageError (the API answers 503), never the driver's own exception."""
    memory = MemoryStore(store)
    analyse(memory, FIRST, T0)
    with store.connection() as c:
        c.exec_driver_sql("DROP TABLE conversation_people")
    with pytest.raises(StorageError, match="database error"):
        memory.snapshot(facts_of(REPLY))
