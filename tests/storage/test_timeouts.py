"""Bounded database calls: the watchdog, the engine's limits, and a PostgreSQL server that
runs slow statements, hangs (every process stopped) or is shut down.

The PostgreSQL tests need the throw-away server of ``scripts/with-postgres`` and the right
to signal it (its user, or root); they are skipped otherwise.
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, make_url, text

from caveat.service.settings import SettingsError, load_settings
from caveat.storage.deadline import Outage, Watchdog, shut_socket
from caveat.storage.store import StorageError, Store, _postgres_limits, make_engine

from ..conftest import POSTGRES_URL, postgres_schema
from ..pg_server import PgServer, controllable

# ----------------------------------------------------------------- the watchdog


class Conn:
    """A stand-in for a DB-API connection; the watchdog's ``cut`` records it."""

    def __init__(self, name: str) -> None:
        self.name = name


class Recorder:
    def __init__(self) -> None:
        self.cut: list[str] = []
        self.event = threading.Event()

    def __call__(self, conn: Any) -> None:
        self.cut.append(conn.name)
        self.event.set()


def test_a_deadline_that_passes_cuts_the_connections_its_thread_holds() -> None:
    rec = Recorder()
    dog = Watchdog(cut=rec)
    with dog.armed(0.1) as deadline:
        dog.attach(Conn("held"))
        other = Conn("returned")
        dog.attach(other)
        dog.detach(other)
        assert rec.event.wait(2)
        assert deadline.expired
        assert dog.expired()
    assert rec.cut == ["held"]
    assert not dog.expired()  # the block ended: the thread starts afresh


def test_a_block_that_ends_in_time_cuts_nothing() -> None:
    rec = Recorder()
    dog = Watchdog(cut=rec)
    for _ in range(50):
        with dog.armed(1.0) as deadline:
            dog.attach(Conn("quick"))
        assert not deadline.expired
    time.sleep(1.2)
    assert rec.cut == []


def test_a_deadline_runs_again_from_each_answer() -> None:
    rec = Recorder()
    dog = Watchdog(cut=rec)
    with dog.armed(1.0) as deadline:
        dog.attach(Conn("busy"))
        for _ in range(10):  # 2 s in all, never 1 s without news
            time.sleep(0.2)
            dog.touch()
        assert not deadline.expired
        assert rec.event.wait(3)  # and then silence
        assert deadline.expired
    assert rec.cut == ["busy"]


def test_a_connection_checked_out_after_the_deadline_is_cut_at_once() -> None:
    rec = Recorder()
    dog = Watchdog(cut=rec)
    with dog.armed(0.05) as deadline:
        time.sleep(0.3)
        assert deadline.expired
        dog.attach(Conn("late"))
        assert rec.cut == ["late"]


def test_deadlines_belong_to_the_thread_that_armed_them() -> None:
    rec = Recorder()
    dog = Watchdog(cut=rec)
    other_done = threading.Event()

    def other() -> None:
        with dog.armed(5):
            dog.attach(Conn("other thread"))
            other_done.wait(3)

    t = threading.Thread(target=other)
    t.start()
    with dog.armed(0.1):
        dog.attach(Conn("this thread"))
        assert rec.event.wait(2)
    other_done.set()
    t.join()
    assert rec.cut == ["this thread"]


def test_an_earlier_deadline_armed_later_wakes_the_watchdog() -> None:
    rec = Recorder()
    dog = Watchdog(cut=rec)
    started = time.monotonic()
    ready = threading.Event()
    release = threading.Event()

    def long_one() -> None:
        with dog.armed(30):
            ready.set()
            release.wait(5)

    t = threading.Thread(target=long_one)
    t.start()
    ready.wait(2)
    with dog.armed(0.1):
        dog.attach(Conn("short"))
        assert rec.event.wait(2)
    release.set()
    t.join()
    assert time.monotonic() - started < 1.5
    assert rec.cut == ["short"]


def test_a_closed_connection_is_never_cut() -> None:
    rec = Recorder()
    dog = Watchdog(cut=rec)
    with dog.armed(0.05) as deadline:
        conn = Conn("closed")
        dog.attach(conn)
        dog.forget(conn)
        time.sleep(0.3)
        assert deadline.expired
    assert rec.cut == []


def test_shutting_the_socket_ends_a_blocked_read_and_leaves_the_descriptor() -> None:
    a, b = socket.socketpair()
    got: list[bytes] = []
    reader = threading.Thread(target=lambda: got.append(a.recv(10)))
    reader.start()
    time.sleep(0.1)
    assert shut_socket(a)
    reader.join(2)
    assert not reader.is_alive()
    assert got == [b""]
    assert a.fileno() >= 0  # still the driver's to close
    a.close()
    b.close()
    assert not shut_socket(a)  # closed: nothing to shut


def test_an_outage_lasts_until_a_probe_answers() -> None:
    answers = iter([False, False, True])
    probed = threading.Event()

    def probe() -> None:
        if not next(answers):
            raise OSError("no answer")
        probed.set()

    outage = Outage(probe, pause=0.01)
    assert outage.since() is None
    outage.begin()
    assert outage.since() is not None
    outage.begin()  # one outage, one probing thread
    assert probed.wait(2)
    deadline = time.monotonic() + 2
    while outage.since() is not None and time.monotonic() < deadline:
        time.sleep(0.01)
    assert outage.since() is None


def test_a_closed_outage_stops_probing() -> None:
    calls: list[int] = []

    def probe() -> None:
        calls.append(1)
        raise OSError("no answer")

    outage = Outage(probe, pause=0.01)
    outage.begin()
    time.sleep(0.1)
    outage.close()
    time.sleep(0.3)  # a probe under way finishes
    seen = len(calls)
    time.sleep(0.1)
    assert len(calls) == seen
    assert outage.since() is None


# ----------------------------------------------------------------- settings and engines


def test_database_limits_are_settings(tmp_path: Path) -> None:
    env = {"CAVEAT_INSTANCE_PATH": str(tmp_path)}
    s = load_settings(environ=env)
    assert s["DATABASE_TIMEOUT_SECONDS"] == 2.0
    assert s["DATABASE_POOL_SIZE"] == 2
    s = load_settings(
        environ={
            **env,
            "CAVEAT_DATABASE_TIMEOUT_SECONDS": "0.5",
            "CAVEAT_DATABASE_POOL_SIZE": "4",
        }
    )
    assert s["DATABASE_TIMEOUT_SECONDS"] == 0.5
    assert s["DATABASE_POOL_SIZE"] == 4
    for bad in ("0", "-1", "soon", "86400"):
        with pytest.raises(SettingsError, match="CAVEAT_DATABASE_TIMEOUT_SECONDS"):
            load_settings(environ={**env, "CAVEAT_DATABASE_TIMEOUT_SECONDS": bad})
    with pytest.raises(SettingsError, match="DATABASE_TIMEOUT_SECONDS"):
        load_settings({"DATABASE_TIMEOUT_SECONDS": True}, environ=env)


def test_sqlite_waits_for_a_lock_as_long_as_the_timeout(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'c.db'}"
    for timeout, expected in ((1.5, 1500), (None, 30000)):
        engine = make_engine(url, timeout=timeout)
        with engine.connect() as c:
            assert c.execute(text("PRAGMA busy_timeout")).scalar() == expected
        engine.dispose()


def test_sqlite_gives_up_on_a_held_write_lock_within_the_timeout(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'c.db'}"
    holder = make_engine(url)
    store = Store.from_url(url, timeout=0.5)
    store.upgrade()
    try:
        with holder.connect() as conn:
            conn.execute(text("BEGIN IMMEDIATE"))
            started = time.monotonic()
            with pytest.raises(StorageError, match="locked"):
                store.create_key("blocked")
            assert 0.4 < time.monotonic() - started < 2
            conn.execute(text("ROLLBACK"))
        store.create_key("free again")
    finally:
        store.dispose()
        holder.dispose()


def test_postgres_engines_are_bounded_and_keep_the_urls_own_options() -> None:
    url = make_url("postgresql+psycopg://u@db.example/x?options=-csearch_path%3Dtenant")
    limits = _postgres_limits(url, 2.0)
    assert limits["options"] == "-c statement_timeout=1500 -csearch_path=tenant"
    assert limits["connect_timeout"] == 2
    assert _postgres_limits(url, 0.5)["connect_timeout"] == 2  # libpq's least
    assert _postgres_limits(url, 4.2)["connect_timeout"] == 5
    own = make_url("postgresql+psycopg://u@db.example/x?connect_timeout=9")
    assert "connect_timeout" not in _postgres_limits(own, 2.0)
    engine = make_engine(url, timeout=2, pool_size=3)
    assert engine.pool.size() == 3  # type: ignore[attr-defined]
    assert engine.pool.timeout() == 2  # type: ignore[attr-defined]
    assert engine.pool._max_overflow == 3  # type: ignore[attr-defined]
    engine.dispose()


# ----------------------------------------------------------------- PostgreSQL

# Skipped without CAVEAT_TEST_POSTGRES_URL (failed with CAVEAT_TEST_POSTGRES=required), by
# the `postgres_admin` fixture every one of them uses.


@pytest.fixture
def pg_url(postgres_admin: Engine) -> Iterator[str]:
    with postgres_schema(postgres_admin) as url:
        yield url


@pytest.fixture
def pg_store(pg_url: str) -> Iterator[Store]:
    """A migrated store on PostgreSQL whose calls have one second."""
    store = Store.from_url(pg_url, timeout=1.0, key_cache_seconds=0)
    store.upgrade()
    try:
        yield store
    finally:
        store.dispose()


@pytest.fixture
def server(pg_store: Store) -> PgServer:
    reason = controllable(POSTGRES_URL)
    if reason:
        pytest.skip(reason)
    return PgServer(POSTGRES_URL)


def answers_again(store: Store, within: float = 3.0) -> float:
    """Seconds until ``store`` answers again (after an outage, its probe must see the
    server first); fails the test after ``within``."""
    started = time.monotonic()
    while True:
        try:
            store.ping()
            return time.monotonic() - started
        except StorageError:
            if time.monotonic() - started > within:
                raise
            time.sleep(0.05)


def timed(call: Any) -> tuple[float, BaseException | None]:
    started = time.monotonic()
    try:
        call()
    except Exception as exc:  # the test looks at it
        return time.monotonic() - started, exc
    return time.monotonic() - started, None


def test_a_slow_statement_is_cancelled_by_the_server(pg_store: Store) -> None:
    def sleep() -> None:
        with pg_store.session() as s:
            s.execute(text("SELECT pg_sleep(10)"))

    took, exc = timed(sleep)
    assert isinstance(exc, StorageError)
    assert "statement timeout" in str(exc)
    assert 0.6 < took < 1.5  # statement_timeout is 3/4 of the 1 s
    took, exc = timed(pg_store.ping)  # the connection is still good
    assert exc is None


def test_work_known_to_be_long_asks_for_more_time(pg_store: Store) -> None:
    with pg_store.session(timeout=5) as s:
        assert s.execute(text("SELECT pg_sleep(1.2), 1")).one()[1] == 1
    with pg_store.session() as s:  # and the next session has its usual limit again
        assert s.execute(text("SHOW statement_timeout")).scalar() == "750ms"


def test_many_quick_statements_may_take_longer_than_the_timeout_together(
    pg_store: Store,
) -> None:
    started = time.monotonic()
    with pg_store.session() as s:
        for _ in range(8):
            s.execute(text("SELECT pg_sleep(0.2)"))
    assert time.monotonic() - started > 1.5
    assert pg_store.outage.since() is None


def test_the_search_path_of_the_url_still_applies(pg_store: Store, pg_url: str) -> None:
    record, _ = pg_store.create_key("here")
    assert [k.id for k in pg_store.list_keys()] == [record.id]


def test_a_migration_may_wait_for_another_longer_than_a_statement_may(
    pg_url: str, pg_store: Store, postgres_admin: Engine
) -> None:
    engine = make_engine(pg_url)
    try:
        with engine.connect() as conn:
            conn.execute(text("SELECT pg_advisory_lock(7260814)"))

            def release() -> None:
                time.sleep(1.5)
                conn.execute(text("SELECT pg_advisory_unlock(7260814)"))

            t = threading.Thread(target=release)
            t.start()
            took, exc = timed(pg_store.upgrade)
            t.join()
            conn.commit()
    finally:
        engine.dispose()
    assert exc is None
    assert took > 1.2


def test_waiting_for_a_connection_is_bounded(pg_url: str) -> None:
    store = Store.from_url(pg_url, timeout=0.5, pool_size=1)  # 1 + 1 overflow
    store.upgrade()
    hold = threading.Event()
    entered = threading.Barrier(3)

    def holder() -> None:
        with store.session(timeout=10) as s:
            s.execute(text("SELECT 1"))
            entered.wait(5)
            hold.wait(5)

    threads = [threading.Thread(target=holder) for _ in range(2)]
    for t in threads:
        t.start()
    try:
        entered.wait(5)
        took, exc = timed(store.ping)
    finally:
        hold.set()
        for t in threads:
            t.join()
    assert isinstance(exc, StorageError)
    assert took < 1.5
    assert store.outage.since() is None  # a busy pool is no outage
    store.ping()
    store.dispose()


def test_a_hung_server_fails_every_call_within_the_budget_then_recovers(
    pg_store: Store, server: PgServer
) -> None:
    pg_store.create_key("before")  # a pooled connection that the hang will catch
    with server.hung(at_most=12):
        took, exc = timed(pg_store.ping)
        assert isinstance(exc, StorageError), exc
        assert "no answer within 1 s" in str(exc)
        assert 0.9 < took < 1.8
        # The calls after it do not wait: the store knows the server is not answering
        # and a background probe finds out when it does again.
        for call in (pg_store.ping, lambda: pg_store.create_key("during"), pg_store.ping):
            took, exc = timed(call)
            assert isinstance(exc, StorageError), exc
            assert "database unavailable" in str(exc)
            assert took < 0.1
        time.sleep(3)  # probes that time out, one after another
        took, exc = timed(pg_store.ping)
        assert isinstance(exc, StorageError)
        assert took < 0.1
    assert answers_again(pg_store) < 2.5
    assert [k.name for k in pg_store.list_keys()] == ["before"]


def test_a_server_hung_in_the_middle_of_a_session_is_cut_off(
    pg_store: Store, server: PgServer
) -> None:
    def statement_during_hang() -> None:
        with pg_store.session() as s:
            s.execute(text("SELECT 1"))
            server.freeze(at_most=10)
            s.execute(text("SELECT 2"))

    try:
        took, exc = timed(statement_during_hang)
    finally:
        server.thaw()
    assert isinstance(exc, StorageError)
    assert "no answer within 1 s" in str(exc)
    assert took < 1.8
    answers_again(pg_store)


def test_a_stopped_server_fails_at_once_and_is_used_again_after_a_restart(
    pg_store: Store, server: PgServer
) -> None:
    pg_store.ping()
    with server.stopped():
        for _ in range(2):
            took, exc = timed(pg_store.ping)
            assert isinstance(exc, StorageError)
            assert took < 1
    took, exc = timed(pg_store.ping)
    assert exc is None
