"""Service keys: what each may call (scopes), until when (expiry), and migration 0006, which
gives the keys made before scopes exactly what they could call then."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from alembic import command
from sqlalchemy import inspect, text

from caveat.identity.permissions import PERMISSIONS
from caveat.storage.store import (
    LEGACY_SCOPES,
    KeyRefused,
    Store,
    alembic_config,
    hash_key,
    make_engine,
    upgrade,
)

from ..conftest import FakeClock

# ----------------------------------------------------------------- scopes


def test_a_key_grants_the_scopes_it_was_made_with(store: Store) -> None:
    record, key = store.create_key("siem", scopes=["reports.read"])
    assert record.scopes == frozenset({"reports.read"})
    assert not record.admin
    found = store.verify_key(key)
    assert found is not None and found.scopes == frozenset({"reports.read"})
    assert store.list_keys()[0].scopes == frozenset({"reports.read"})


def test_scopes_are_stored_once_each_in_a_stable_order(store: Store) -> None:
    store.create_key("k", scopes=["report", "analyze", "report"])
    with store.engine.connect() as c:
        assert c.execute(text("SELECT scopes FROM api_keys")).scalar() == "analyze report"


def test_scopes_given_as_one_string_are_split(store: Store) -> None:
    record, _ = store.create_key("k", scopes="analyze report")
    assert record.scopes == frozenset({"analyze", "report"})


def test_an_unknown_scope_is_refused_naming_the_known_ones(store: Store) -> None:
    with pytest.raises(ValueError, match=r"'partners'.*analyze, report, contacts"):
        store.create_key("k", scopes=["analyze", "partners"])
    assert store.list_keys() == []


def test_no_scope_at_all_is_refused(store: Store) -> None:
    with pytest.raises(ValueError, match="at least one scope"):
        store.create_key("k", scopes=[])


def test_an_admin_key_grants_every_permission(store: Store) -> None:
    record, key = store.create_key("tools", admin=True, scopes=["analyze"])
    assert record.scopes == frozenset(PERMISSIONS)
    assert record.admin
    found = store.verify_key(key)
    assert found is not None and found.admin


def test_a_key_made_without_scopes_gets_what_keys_could_call_before(store: Store) -> None:
    record, _ = store.create_key("old-style")
    assert record.scopes == LEGACY_SCOPES == frozenset({"analyze", "report", "contacts"})
    assert not record.admin


def test_admin_means_every_permission_not_only_the_directory(store: Store) -> None:
    record, _ = store.create_key("k", scopes=["directory"])
    assert not record.admin


# ----------------------------------------------------------------- expiry


def test_a_key_works_until_it_expires(store: Store, clock: FakeClock) -> None:
    record, key = store.create_key("k", scopes=["analyze"], expires_at=clock.now + timedelta(1))
    assert record.expires_at == clock.now + timedelta(days=1)
    assert store.list_keys()[0].expires_at == record.expires_at
    clock.advance(hours=23, minutes=59)
    assert store.verify_key(key) is not None
    clock.advance(minutes=1)
    assert store.verify_key(key) is None
    with pytest.raises(KeyRefused, match="expired 2026-01-06 09:00 UTC") as refused:
        store.check_key(key)
    assert refused.value.reason == "expired"
    assert key not in str(refused.value)


def test_a_remembered_key_is_not_accepted_past_its_expiry(store: Store, clock: FakeClock) -> None:
    """The verified-key cache keeps a key for KEY_CACHE_SECONDS; its expiry still holds to
    the second."""
    _, key = store.create_key("k", scopes=["analyze"], expires_at=clock.now + timedelta(seconds=1))
    assert store.verify_key(key) is not None  # now remembered
    with store.engine.begin() as c:  # the database can no longer vouch for it
        c.execute(text("DELETE FROM api_keys"))
    clock.advance(seconds=0.5)
    assert store.verify_key(key) is not None  # from the cache
    clock.advance(seconds=0.5)
    assert store.verify_key(key) is None


def test_a_key_without_expiry_never_expires(store: Store, clock: FakeClock) -> None:
    record, key = store.create_key("k", scopes=["analyze"])
    assert record.expires_at is None
    clock.advance(days=3650)
    assert store.verify_key(key) is not None


def test_an_expiry_in_the_past_or_without_a_time_zone_is_refused(
    store: Store, clock: FakeClock
) -> None:
    with pytest.raises(ValueError, match="future"):
        store.create_key("k", scopes=["analyze"], expires_at=clock.now)
    with pytest.raises(ValueError, match="time zone"):
        store.create_key("k", scopes=["analyze"], expires_at=datetime(2030, 1, 1))
    assert store.list_keys() == []


def test_expiry_is_kept_in_utc_whatever_zone_it_was_given_in(store: Store) -> None:
    later = datetime(2027, 6, 30, 12, 0, tzinfo=UTC).astimezone()
    record, _ = store.create_key("k", scopes=["analyze"], expires_at=later)
    stored = store.find_key(record.id).expires_at
    assert stored == later and stored is not None and stored.utcoffset() == timedelta(0)


# ----------------------------------------------------------------- why a key is refused


def test_check_key_says_why(store: Store) -> None:
    record, key = store.create_key("k", scopes=["analyze"])
    assert store.check_key(key).id == record.id
    store.revoke_key(record.id)
    with pytest.raises(KeyRefused, match="revoked 2026-01-05 09:00 UTC") as refused:
        store.check_key(key)
    assert refused.value.reason == "revoked"
    for candidate in ("cav_" + "x" * 43, "not a key", ""):
        with pytest.raises(KeyRefused) as refused:
            store.check_key(candidate)
        assert refused.value.reason == "unknown"


def test_a_revoked_scoped_key_fails_at_once_on_the_node_that_revoked_it(store: Store) -> None:
    record, key = store.create_key("siem", scopes=["reports.read"], expires_at=None)
    assert store.verify_key(key) is not None  # remembered for KEY_CACHE_SECONDS
    store.revoke_key(record.prefix)
    assert store.verify_key(key) is None


# ----------------------------------------------------------------- migration 0006


def test_migration_0006_keeps_old_keys_working_with_what_they_could_call(db_url: str) -> None:
    engine = make_engine(db_url)
    try:
        with engine.begin() as c:
            command.upgrade(alembic_config(c), "0005")
        when = datetime(2026, 1, 1)
        keys = {
            "cav_admin-key-0000000000000000000000000000000000000000": True,
            "cav_addin-key-0000000000000000000000000000000000000000": False,
        }
        with engine.begin() as c:
            for key, is_admin in keys.items():
                c.execute(
                    text(
                        "INSERT INTO api_keys (name, prefix, key_hash, created_at, admin) "
                        "VALUES (:name, :prefix, :hash, :t, :admin)"
                    ),
                    {
                        "name": key[4:9],
                        "prefix": key[:8],
                        "hash": hash_key(key),
                        "t": when,
                        "admin": is_admin,
                    },
                )
        upgrade(engine)
        store = Store(engine, clock=lambda: datetime(2027, 1, 1, tzinfo=UTC))
        admin = store.verify_key("cav_admin-key-0000000000000000000000000000000000000000")
        addin = store.verify_key("cav_addin-key-0000000000000000000000000000000000000000")
        assert admin is not None and addin is not None
        assert admin.scopes == frozenset(PERMISSIONS) and admin.admin
        assert addin.scopes == frozenset({"analyze", "report", "contacts"}) and not addin.admin
        assert admin.expires_at is None and addin.expires_at is None
        columns = {col["name"] for col in inspect(engine).get_columns("api_keys")}
        assert "admin" not in columns and {"scopes", "expires_at"} <= columns
    finally:
        engine.dispose()


def test_migration_0006_downgrades_to_the_admin_flag(db_url: str) -> None:
    engine = make_engine(db_url)
    try:
        upgrade(engine)
        store = Store(engine)
        store.create_key("tools", scopes=["directory", "analyze"])
        store.create_key("siem", scopes=["reports.read"])
        store.create_key("all", admin=True)
        with engine.begin() as c:
            command.downgrade(alembic_config(c), "0005")
        with engine.connect() as c:
            rows = {r.name: r.admin for r in c.execute(text("SELECT name, admin FROM api_keys"))}
        assert {name: bool(flag) for name, flag in rows.items()} == {
            "tools": True,
            "siem": False,
            "all": True,
        }
        upgrade(engine)  # and back up: the keys that were admin keys get everything again
        assert {k.name: k.admin for k in Store(engine).list_keys()} == {
            "tools": True,
            "siem": False,
            "all": True,
        }
    finally:
        engine.dispose()
