"""Retention: rows past their time go on their own, one process sweeps per interval, in
bounded batches; on SQLite and PostgreSQL."""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import event, func, select, text

from caveat.knowledge.memory import observe
from caveat.mail.normalise import from_raw
from caveat.storage.indicators import knowledge_version
from caveat.storage.memory_store import MemoryStore
from caveat.storage.records import (
    ContactRow,
    ConversationKeyRow,
    ConversationPersonRow,
    ConversationRow,
    ConversationTextRow,
)
from caveat.storage.reports import ReportRow, ReportStore
from caveat.storage.retention import Retention, Sweeper, claim, last_run, run, sweep
from caveat.storage.store import ApiKey, Store
from tests.conftest import FakeClock

DAY = timedelta(days=1)


def message(n: int, *, extra: str = "") -> bytes:
    return (
        f"From: Felix Brandt <felix{n}@acme.example>\n"
        f"To: Anna Keller <anna.keller@ours.example>\n"
        f"Subject: Invoice 2026-{n:03d} for the March deliveries\n"
        f"Message-ID: <m{n}@acme.example>\n{extra}\n"
        "Please find the invoice attached. It is due at the end of the month.\n\n"
        "The amount is the one we agreed on the phone last week.\n"
    ).encode()


def remember(memory: MemoryStore, raw: bytes, store: Store) -> None:
    facts = from_raw(raw)
    snap = memory.snapshot(facts)
    ours = [a.address for a in facts.recipients if a.domain == "ours.example"]
    memory.record(observe(facts, at=store.clock(), authenticated=False, internal=ours), snap)


def count(store: Store, model: type[Any]) -> int:
    with store.session() as s:
        return int(s.scalar(select(func.count()).select_from(model)) or 0)


def report(store: Store, n: int) -> None:
    ReportStore(store).add(
        sender=f"fraud{n}@evil.example",
        message_id=f"<r{n}@evil.example>",
        conversation_id=None,
        level="danger",
        finding_ids=["FAKE_REPLY"],
        reporter="anna.keller@ours.example",
        key_id=None,
        at=store.clock(),
    )


# ----------------------------------------------------------------- what goes, what stays


def test_each_kind_of_row_goes_after_its_retention(store: Store, clock: FakeClock) -> None:
    memory = MemoryStore(store)
    retention = Retention(memory_days=400, report_days=730, revoked_key_days=90)
    remember(memory, message(1), store)  # T0: an old conversation
    report(store, 1)
    revoked, _ = store.create_key("old client")
    store.revoke_key(revoked.id)
    active, _ = store.create_key("outlook")
    clock.advance(days=300)
    remember(memory, message(2), store)  # T0 + 300 days: a recent one
    assert count(store, ConversationRow) == 2
    assert count(store, ConversationTextRow) > 0

    clock.advance(days=101)  # T0 + 401 days
    result = run(store, retention)
    assert result is not None and result.complete
    assert result.deleted["conversations"] == 1
    assert result.deleted["contacts"] == 1  # felix1; Anna (a colleague) and felix2 were seen since
    assert result.deleted["api_keys"] == 1
    assert result.deleted["reports"] == 0
    assert count(store, ConversationRow) == 1
    with store.session() as s:
        left = set(s.scalars(select(ContactRow.address)))
        keys = {k.id for k in s.scalars(select(ApiKey))}
        # nothing of the old conversation is left behind
        conv = s.scalar(select(ConversationRow.id))
        for model in (ConversationKeyRow, ConversationPersonRow, ConversationTextRow):
            ids = set(s.scalars(select(model.conversation_id)))
            assert ids == {conv}, model
    assert left == {"felix2@acme.example", "anna.keller@ours.example"}
    assert keys == {active.id}  # an active key is never deleted, however old
    assert MemoryStore(store).snapshot(from_raw(message(1))).conversation is None
    assert MemoryStore(store).snapshot(from_raw(message(2))).conversation is not None

    clock.advance(days=330)  # T0 + 731 days: the report's time is up too
    with store.session() as s:
        version = knowledge_version(s)
    result = run(store, retention)
    assert result is not None and result.deleted["reports"] == 1
    assert count(store, ReportRow) == 0
    # an open report was shared knowledge (its reporter's note): its going is a change
    with store.session() as s:
        assert knowledge_version(s) == version + 1


def test_a_conversation_seen_again_is_kept(store: Store, clock: FakeClock) -> None:
    memory = MemoryStore(store)
    remember(memory, message(1), store)
    clock.advance(days=390)
    # a reply: the conversation is seen again, so its 400 days start again
    remember(memory, message(3, extra="In-Reply-To: <m1@acme.example>"), store)
    clock.advance(days=20)
    result = run(store, Retention())
    assert result is not None and result.deleted["conversations"] == 0
    snap = memory.snapshot(from_raw(message(4, extra="In-Reply-To: <m1@acme.example>")))
    assert snap.conversation is not None and snap.conversation.messages == 2


# ----------------------------------------------------------------- one sweep per interval


def test_a_sweep_is_claimed_once_per_interval(store: Store, clock: FakeClock) -> None:
    hour = timedelta(hours=1)
    assert claim(store, hour)
    assert not claim(store, hour)
    clock.advance(minutes=59)
    assert not claim(store, hour)
    clock.advance(minutes=1)
    assert claim(store, hour)
    # the command line sweeps whatever the lease says, and moves it on
    assert claim(store, hour, force=True)
    assert not claim(store, hour)
    started, _finished, due = last_run(store)
    assert started == clock.now and due == clock.now + hour


@pytest.fixture
def shared_url(db_url: str) -> str:
    if db_url == "sqlite://":
        pytest.skip("each in-memory SQLite store is a database of its own")
    return db_url


@pytest.fixture
def two_stores(shared_url: str, clock: FakeClock) -> Iterator[tuple[Store, Store]]:
    a = Store.from_url(shared_url, clock=clock)
    b = Store.from_url(shared_url, clock=clock)
    a.upgrade()
    try:
        yield a, b
    finally:
        a.dispose()
        b.dispose()


def test_two_stores_on_one_database_do_not_both_sweep(
    two_stores: tuple[Store, Store], clock: FakeClock
) -> None:
    a, b = two_stores
    retention = Retention()
    remember(MemoryStore(a), message(1), a)
    clock.advance(days=500)
    first = run(a, retention)
    assert first is not None and first.deleted["conversations"] == 1
    assert run(b, retention) is None  # a claimed this interval
    clock.advance(hours=1)
    assert run(b, retention) is not None
    assert run(a, retention) is None


def test_racing_claims_have_one_winner(two_stores: tuple[Store, Store], clock: FakeClock) -> None:
    a, b = two_stores
    assert claim(a, timedelta(seconds=1))
    clock.advance(seconds=2)  # due again: eight contenders, four through each store
    won: list[bool] = []
    barrier = threading.Barrier(8)

    def attempt(store: Store) -> None:
        barrier.wait()
        won.append(claim(store, timedelta(hours=1)))

    threads = [threading.Thread(target=attempt, args=(s,)) for s in [a, b] * 4]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert sorted(won) == [False] * 7 + [True]


# ----------------------------------------------------------------- bounded batches


def test_deletes_go_in_bounded_batches(store: Store, clock: FakeClock) -> None:
    memory = MemoryStore(store)
    for n in range(12):
        remember(memory, message(n), store)
    for n in range(7):
        report(store, n)
    texts = count(store, ConversationTextRow)
    assert texts >= 12
    clock.advance(days=800)
    deletes: list[int] = []

    def watch(conn: Any, cursor: Any, statement: str, *_: Any) -> None:
        if statement.lstrip().upper().startswith("DELETE"):
            deletes.append(cursor.rowcount)

    event.listen(store.engine, "after_cursor_execute", watch)
    try:
        result = sweep(store, Retention(batch=5))
    finally:
        event.remove(store.engine, "after_cursor_execute", watch)
    assert result.complete
    assert deletes and max(deletes) <= 5
    assert result.deleted["conversations"] == 12 and result.deleted["reports"] == 7
    assert result.deleted["conversation_text"] == texts
    assert len(deletes) >= texts // 5 + 12 // 5 + 7 // 5
    assert count(store, ConversationRow) == count(store, ReportRow) == 0


def test_a_sweep_stops_at_its_time_budget_and_the_next_one_goes_on(
    store: Store, clock: FakeClock
) -> None:
    memory = MemoryStore(store)
    for n in range(6):
        remember(memory, message(n), store)
    clock.advance(days=500)
    ticks = iter(range(1000))
    result = sweep(store, Retention(batch=2, budget_seconds=3), monotonic=lambda: next(ticks))
    assert not result.complete
    # three batches of two rows fit the budget: some text went, no conversation yet
    assert result.deleted["conversation_text"] == 6
    assert count(store, ConversationRow) == 6
    rest = sweep(store, Retention(batch=2, budget_seconds=None))
    assert rest.complete
    assert count(store, ConversationRow) == 0


# ----------------------------------------------------------------- in a process


def test_the_sweeper_checks_at_most_once_per_interval(store: Store, clock: FakeClock) -> None:
    sweeper = Sweeper(store, Retention(), background=False)
    calls: list[str] = []
    statements = lambda *_: calls.append("sql")  # noqa: E731
    event.listen(store.engine, "before_cursor_execute", statements)
    try:
        sweeper.poke()
        swept = len(calls)
        assert swept > 0 and sweeper.last is not None
        for _ in range(50):
            clock.advance(seconds=60)
            sweeper.poke()
        assert len(calls) == swept  # 50 minutes: not one statement more
        clock.advance(minutes=10)
        sweeper.poke()
        assert len(calls) > swept
    finally:
        event.remove(store.engine, "before_cursor_execute", statements)


def test_a_failing_sweep_is_logged_without_content_and_raises_nothing(
    store: Store, clock: FakeClock, caplog: pytest.LogCaptureFixture
) -> None:
    remember(MemoryStore(store), message(1, extra="X-Secret-Note: do not log me"), store)
    clock.advance(days=500)
    sweeper = Sweeper(store, Retention(), background=True)
    with store.engine.begin() as c:
        c.execute(text("DROP TABLE maintenance"))
    with caplog.at_level(logging.WARNING, logger="caveat.storage.retention"):
        sweeper.poke()
        sweeper.join(30)
    assert "retention sweep failed" in caplog.text
    assert "Felix" not in caplog.text and "felix" not in caplog.text
    assert count(store, ConversationRow) == 1  # nothing was swept, nothing broke


def test_retention_settings_are_checked() -> None:
    with pytest.raises(ValueError):
        Retention(memory_days=0)
    with pytest.raises(ValueError):
        Retention(interval=timedelta(0))


# ----------------------------------------------------------------- migration 0005


def test_migration_0005_deletes_the_unkeyed_conversation_memory(db_url: str) -> None:
    from alembic import command

    from caveat.storage.store import alembic_config, make_engine, upgrade

    engine = make_engine(db_url)
    try:
        with engine.begin() as c:
            command.upgrade(alembic_config(c), "0004")
        with engine.begin() as c:
            c.execute(
                text(
                    "INSERT INTO conversations (id, created_at, last_seen_at, messages) "
                    "VALUES (1, :t, :t, 1)"
                ),
                {"t": datetime(2026, 1, 1)},
            )
            c.execute(
                text("INSERT INTO conversation_keys (key_hash, conversation_id) VALUES (:k, 1)"),
                {"k": "0" * 64},
            )
            c.execute(
                text(
                    "INSERT INTO contacts (address, name, name_key, first_seen, last_seen, sent,"
                    " colleague) VALUES ('a@b.example', 'A', 'a', :t, :t, 1, false)"
                ),
                {"t": datetime(2026, 1, 1)},
            )
        upgrade(engine)
        with engine.connect() as c:
            assert c.execute(text("SELECT count(*) FROM conversation_keys")).scalar() == 0
            assert c.execute(text("SELECT count(*) FROM conversations")).scalar() == 0
            assert c.execute(text("SELECT count(*) FROM contacts")).scalar() == 1
            assert c.execute(text("SELECT count(*) FROM maintenance")).scalar() == 0
    finally:
        engine.dispose()


# ----------------------------------------------------------------- the console's rows


def console_rows(store: Store, clock: FakeClock) -> dict[str, str]:
    """One of each kind of console row, alive and ended; returns the tokens by name."""
    from caveat.storage.audit import Actor
    from caveat.storage.console import ConsoleStore

    consoles = ConsoleStore(store)
    start = clock()

    def session(subject: str, hours: float) -> str:
        token, _ = consoles.open_session(
            subject=subject,
            tenant=None,
            name=subject,
            username=f"{subject}@ours.example",
            roles=frozenset({"admin"}),
            via="oidc",
            now=start,
            lifetime=timedelta(hours=hours),
        )
        return token

    tokens = {
        "session-ended": session("ended", 1),
        "session-signed-out": session("out", 8),
        "session-live": session("live", 8),
    }
    live = consoles.find_session(tokens["session-live"])
    assert live is not None
    tokens["form"] = consoles.issue_form(live, "key.create")
    signed_out = consoles.find_session(tokens["session-signed-out"])
    assert signed_out is not None
    consoles.revoke(signed_out.id)
    for state, minutes in (("signin-lapsed", 10), ("signin-live", 240)):
        consoles.begin_signin(
            state,
            verifier="v",
            nonce="n",
            next_path="",
            redirect_uri="https://caveat.example/admin/signin/callback",
            expires_at=start + timedelta(minutes=minutes),
        )
    ops = Actor.command_line("ops")
    for name, minutes in (("link-used", 600), ("link-lapsed", 30), ("link-live", 600)):
        tokens[name] = consoles.create_link(
            created_by=ops, now=start, lifetime=timedelta(minutes=minutes)
        )
    consoles.use_link(tokens["link-used"], start)
    clock.advance(hours=2)  # the 1-hour session, the sign-in and the 30-minute link lapsed
    return tokens


def test_the_console_rows_that_open_nothing_go_with_the_sweep(
    store: Store, clock: FakeClock
) -> None:
    from caveat.storage.console import (
        ConsoleLinkRow,
        ConsoleSessionRow,
        ConsoleSigninRow,
        ConsoleStore,
        LinkRefused,
    )

    tokens = console_rows(store, clock)
    assert count(store, ConsoleSessionRow) == 3
    result = run(store, Retention())
    assert result is not None and result.complete
    assert result.deleted["console_sessions"] == 2  # past its end; signed out
    assert result.deleted["console_signins"] == 1
    assert result.deleted["console_links"] == 1  # past its time
    assert result.deleted["console_forms"] == 0  # its session works
    consoles = ConsoleStore(store)
    assert consoles.find_session(tokens["session-live"]) is not None
    assert consoles.find_session(tokens["session-ended"]) is None
    assert consoles.find_session(tokens["session-signed-out"]) is None
    assert consoles.take_signin("signin-lapsed", clock()) is None
    assert count(store, ConsoleSigninRow) == 1
    assert consoles.link_usable(tokens["link-live"], clock())
    # a used link stays until its time is up: opened again, it says it was used
    with pytest.raises(LinkRefused, match="used already"):
        consoles.use_link(tokens["link-used"], clock())
    assert count(store, ConsoleLinkRow) == 2
    # what the console did stays in the audit log
    from caveat.storage.audit import AuditLog

    actions = [e.action for e in AuditLog(store).entries()]
    assert actions.count("console.signin") == 3 and "console.link_used" in actions
    # the next sweep finds nothing more; the live rows go once they have lapsed too
    clock.advance(hours=1)
    again = run(store, Retention())
    assert again is not None and again.total == 0
    clock.advance(hours=8)
    later = run(store, Retention())
    assert later is not None
    assert later.deleted["console_sessions"] == 1
    assert later.deleted["console_signins"] == 1
    assert later.deleted["console_links"] == 2
    assert later.deleted["console_forms"] == 1
    assert count(store, ConsoleLinkRow) == 0


def test_the_console_rows_go_in_bounded_batches(store: Store, clock: FakeClock) -> None:
    from caveat.storage.console import ConsoleSessionRow, ConsoleStore

    consoles = ConsoleStore(store)
    for n in range(7):
        consoles.open_session(
            subject=f"s{n}",
            tenant=None,
            name="",
            username="",
            roles=frozenset(),
            via="oidc",
            now=clock(),
            lifetime=timedelta(hours=1),
        )
    clock.advance(hours=2)
    assert count(store, ConsoleSessionRow) == 7
    result = sweep(store, Retention(batch=3))
    assert result.complete and result.deleted["console_sessions"] == 7
    assert count(store, ConsoleSessionRow) == 0
