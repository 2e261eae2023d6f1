"""Storage: engines for SQLite and PostgreSQL URLs, migrations, and the API key lifecycle."""

from __future__ import annotations

import multiprocessing
import threading
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import inspect, text

from caveat.storage.store import (
    KEY_PREFIX,
    AmbiguousKey,
    Base,
    KeyNotFound,
    StorageError,
    Store,
    alembic_config,
    hash_key,
    make_engine,
    normalise_url,
    upgrade,
)

if TYPE_CHECKING:
    from multiprocessing.queues import Queue
    from multiprocessing.synchronize import Barrier

    from ..conftest import FakeClock


# `store` (tests/conftest.py) is a migrated, empty store on SQLite in memory, on a SQLite
# file and on PostgreSQL, with a clock that stands still until the test moves it.


# ----------------------------------------------------------------- engines


def test_in_memory_sessions_share_one_database() -> None:
    engine = make_engine("sqlite://")
    with engine.begin() as a:
        a.execute(text("CREATE TABLE t (x INTEGER)"))
        a.execute(text("INSERT INTO t VALUES (1)"))
    with engine.connect() as b:
        assert b.execute(text("SELECT x FROM t")).scalar() == 1
    engine.dispose()


def test_sqlite_file_is_set_up_for_several_workers(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'c.db'}")
    with engine.connect() as c:
        assert c.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert c.execute(text("PRAGMA foreign_keys")).scalar() == 1
        assert c.execute(text("PRAGMA busy_timeout")).scalar() >= 5000
    engine.dispose()


@pytest.mark.parametrize(
    ("url", "driver"),
    [
        ("postgresql://u:p@db.example/caveat", "postgresql+psycopg"),
        ("postgres://u:p@db.example/caveat", "postgresql+psycopg"),
        ("postgresql+psycopg://u@db.example/caveat", "postgresql+psycopg"),
        ("sqlite:///x.db", "sqlite"),
    ],
)
def test_postgresql_urls_use_psycopg_3(url: str, driver: str) -> None:
    assert normalise_url(url).drivername == driver


def test_a_postgresql_engine_is_made_without_connecting() -> None:
    engine = make_engine("postgresql://u:secret@db.invalid/caveat")
    assert engine.dialect.driver == "psycopg"
    engine.dispose()


@pytest.mark.parametrize(
    ("url", "words"),
    [
        ("mysql://u:hunter2@db.example/caveat", "unsupported database"),
        ("not a url", "not a database URL"),
        ("", "not a database URL"),
    ],
)
def test_unusable_urls_are_refused_without_the_password(url: str, words: str) -> None:
    with pytest.raises(StorageError, match=words) as err:
        make_engine(url)
    assert "hunter2" not in str(err.value)


def test_a_sqlite_file_in_a_missing_folder_is_refused(tmp_path: Path) -> None:
    with pytest.raises(StorageError, match="does not exist"):
        make_engine(f"sqlite:///{tmp_path / 'nope' / 'c.db'}")


def test_a_file_that_is_not_a_database_is_a_storage_error(tmp_path: Path) -> None:
    path = tmp_path / "c.db"
    path.write_bytes(b"this is not sqlite" * 100)
    with pytest.raises(StorageError, match="cannot migrate"):
        upgrade(make_engine(f"sqlite:///{path}"))


# ----------------------------------------------------------------- migrations


def test_migrations_create_the_schema_and_are_idempotent(store: Store) -> None:
    store.upgrade()
    store.upgrade()
    with store.engine.connect() as c:
        head = ScriptDirectory.from_config(alembic_config()).get_current_head()
        assert head is not None and len(head) == 4 and head.isdigit()
        assert c.execute(text("SELECT version_num FROM alembic_version")).scalar() == head
        assert "api_keys" in inspect(c).get_table_names()


def test_the_migrated_schema_matches_the_models(store: Store) -> None:
    with store.engine.connect() as c:
        ctx = MigrationContext.configure(c, opts={"compare_type": True})
        assert compare_metadata(ctx, Base.metadata) == []


def test_concurrent_upgrades_of_one_file_take_turns(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'c.db'}"
    errors: list[BaseException] = []

    def migrate() -> None:
        engine = make_engine(url)
        try:
            upgrade(engine)
        except BaseException as exc:  # collected and asserted below
            errors.append(exc)
        finally:
            engine.dispose()

    threads = [threading.Thread(target=migrate) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []


def _create_keys_in_a_process(
    url: str, worker: int, count: int, start: Barrier, results: Queue[tuple[int, int, str | None]]
) -> None:
    """One gunicorn worker's share: its own Store (engine, pool, connections) on the shared
    database, started together with the others, creating ``count`` keys."""
    created = 0
    try:
        store = Store.from_url(url)
        try:
            store.upgrade()  # every worker migrates at start; all but one find nothing to do
            start.wait(timeout=60)
            for i in range(count):
                store.create_key(f"worker {worker} key {i}")
                created += 1
        finally:
            store.dispose()
    except BaseException as exc:  # reported to the parent, which asserts
        results.put((worker, created, f"{type(exc).__name__}: {exc}"))
    else:
        results.put((worker, created, None))


@pytest.mark.parametrize("db_url", ["sqlite-file", "postgresql"], indirect=True)
def test_several_processes_write_to_one_database(db_url: str) -> None:
    """Four processes (like four gunicorn workers) writing at once all succeed: on SQLite,
    WAL and the busy timeout make a writer wait its turn instead of failing with
    "database is locked"."""
    workers, per_worker = 4, 25
    store = Store.from_url(db_url)
    try:
        store.upgrade()
        ctx = multiprocessing.get_context("spawn")  # no fork of a process holding connections
        start = ctx.Barrier(workers)
        results: Queue[tuple[int, int, str | None]] = ctx.Queue()
        procs = [
            ctx.Process(
                target=_create_keys_in_a_process, args=(db_url, n, per_worker, start, results)
            )
            for n in range(workers)
        ]
        for p in procs:
            p.start()
        try:
            outcomes = sorted(results.get(timeout=120) for _ in procs)
            for p in procs:
                p.join(timeout=30)
        finally:
            for p in procs:
                if p.is_alive():
                    p.kill()
                    p.join()
        assert outcomes == [(n, per_worker, None) for n in range(workers)]
        assert [p.exitcode for p in procs] == [0] * workers
        keys = store.list_keys()
    finally:
        store.dispose()
    assert len(keys) == workers * per_worker
    assert len({k.id for k in keys}) == workers * per_worker
    assert {k.name for k in keys} == {
        f"worker {n} key {i}" for n in range(workers) for i in range(per_worker)
    }


# ----------------------------------------------------------------- API keys


def test_a_key_is_returned_once_and_only_its_hash_is_kept(store: Store) -> None:
    record, key = store.create_key("outlook-addin")
    assert key.startswith(KEY_PREFIX)
    assert len(key) == len(KEY_PREFIX) + 43  # token_urlsafe(32)
    assert record.prefix == key[:8]
    assert record.name == "outlook-addin"
    assert record.active and record.last_used_at is None
    assert record.created_at.tzinfo is not None
    with store.engine.connect() as c:
        rows = c.execute(text("SELECT * FROM api_keys")).all()
    assert len(rows) == 1
    assert key not in [str(v) for v in rows[0]]
    assert hash_key(key) in [str(v) for v in rows[0]]


def test_keys_are_different_every_time(store: Store) -> None:
    keys = {store.create_key("k")[1] for _ in range(20)}
    assert len(keys) == 20


def test_verify_finds_the_active_key(store: Store) -> None:
    record, key = store.create_key("a")
    store.create_key("b")
    found = store.verify_key(key)
    assert found is not None and found.id == record.id


@pytest.mark.parametrize(
    "candidate",
    ["", "cav_", "Bearer x", "cav_" + "A" * 43, "cav_é" + "a" * 40, "cav_" + "a" * 500],
)
def test_verify_refuses_what_is_not_a_key(store: Store, candidate: str) -> None:
    store.create_key("a")
    assert store.verify_key(candidate) is None


def test_a_revoked_key_is_refused(store: Store) -> None:
    record, key = store.create_key("a")
    revoked = store.revoke_key(record.id)
    assert revoked.revoked_at == store.clock()
    assert not revoked.active
    assert store.verify_key(key) is None
    assert not store.list_keys()[0].active
    assert store.list_keys(include_revoked=False) == []


def test_revoke_by_prefix_or_by_the_whole_key(store: Store) -> None:
    r1, k1 = store.create_key("a")
    r2, k2 = store.create_key("b")
    assert store.revoke_key(r1.prefix).id == r1.id
    assert store.revoke_key(k2).id == r2.id
    assert store.verify_key(k1) is None and store.verify_key(k2) is None


def test_revoking_twice_keeps_the_first_time(store: Store) -> None:
    record, _ = store.create_key("a")
    first = store.revoke_key(record.id).revoked_at
    store.clock.advance(hours=1)  # type: ignore[attr-defined]
    assert store.revoke_key(str(record.id)).revoked_at == first


def test_unknown_and_ambiguous_references(store: Store) -> None:
    with pytest.raises(KeyNotFound, match="id 42"):
        store.revoke_key(42)
    with pytest.raises(KeyNotFound, match="prefix"):
        store.revoke_key("cav_zzzz")
    with pytest.raises(KeyNotFound):
        store.revoke_key("")
    r1, _ = store.create_key("a")
    r2, _ = store.create_key("b")
    with store.session() as s:  # force two keys to share a prefix
        s.execute(text("UPDATE api_keys SET prefix = 'cav_same'"))
    with pytest.raises(AmbiguousKey, match=f"ids {r1.id}, {r2.id}"):
        store.revoke_key("cav_same")
    with pytest.raises(KeyNotFound):  # a whole key that is not one of them
        store.revoke_key("cav_same" + "x" * 39)


def test_use_is_recorded_at_most_once_a_minute(store: Store, clock: FakeClock) -> None:
    record, key = store.create_key("a")
    store.verify_key(key)
    first = store.find_key(record.id).last_used_at
    assert first == clock.now
    clock.advance(seconds=30)
    store.verify_key(key)
    assert store.find_key(record.id).last_used_at == first
    clock.advance(seconds=31)
    store.verify_key(key)
    assert store.find_key(record.id).last_used_at == clock.now


def test_a_failed_use_record_does_not_fail_the_request(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    _, key = store.create_key("a")
    real = store.session
    calls = 0

    def flaky():  # type: ignore[no-untyped-def]
        nonlocal calls
        calls += 1
        if calls == 2:  # the write that records the use
            raise StorageError("database is locked")
        return real()

    monkeypatch.setattr(store, "session", flaky)
    assert store.verify_key(key) is not None


def test_keys_named(store: Store) -> None:
    a, _ = store.create_key("demo")
    b, _ = store.create_key("demo")
    store.create_key("other")
    store.revoke_key(a.id)
    assert [r.id for r in store.active_keys_named("demo")] == [b.id]


@pytest.mark.parametrize(
    ("name", "words"),
    [("", "empty"), ("  ", "empty"), ("x" * 101, "at most"), ("a\x00b", "printable")],
)
def test_key_names_are_checked(store: Store, name: str, words: str) -> None:
    with pytest.raises(ValueError, match=words):
        store.create_key(name)


def test_key_names_are_tidied(store: Store) -> None:
    record, _ = store.create_key("  outlook   add-in ")
    assert record.name == "outlook add-in"


def test_times_come_back_as_aware_utc(store: Store) -> None:
    record, _ = store.create_key("a")
    listed = store.list_keys()[0]
    assert listed.created_at == record.created_at
    assert listed.created_at.utcoffset() == timedelta(0)


def test_ping(store: Store) -> None:
    store.ping()
