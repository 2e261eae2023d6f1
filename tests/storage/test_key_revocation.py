"""Revocation: at once through the store that revokes, within KEY_CACHE_SECONDS through any
other store on the same database (another gunicorn worker, another node, the CLI's)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from caveat.storage.store import KEY_CACHE_SECONDS, Store

from ..conftest import FakeClock


@pytest.fixture
def other(store: Store, db_url: str, clock: FakeClock) -> Iterator[Store]:
    """A second store on the database of ``store``, as another process would open it."""
    if db_url == "sqlite://":
        pytest.skip("an in-memory SQLite database belongs to one engine")
    s = Store.from_url(db_url, clock=clock)
    try:
        yield s
    finally:
        s.dispose()


def test_the_bound_is_seconds() -> None:
    assert 0 < KEY_CACHE_SECONDS <= 2


def test_revoked_here_is_refused_at_once(store: Store) -> None:
    record, key = store.create_key("a")
    assert store.verify_key(key) is not None  # now remembered
    store.revoke_key(record.id)
    assert store.verify_key(key) is None


def test_revoked_elsewhere_is_refused_within_the_cache_time(
    store: Store, other: Store, clock: FakeClock
) -> None:
    record, key = store.create_key("a")
    assert other.verify_key(key) is not None  # the other process remembers it
    store.revoke_key(record.id)
    assert store.verify_key(key) is None
    clock.advance(seconds=KEY_CACHE_SECONDS - 0.5)
    assert other.verify_key(key) is not None
    clock.advance(seconds=0.5)
    assert other.verify_key(key) is None


def test_a_key_is_not_remembered_past_the_cache_time_however_busy(
    store: Store, other: Store, clock: FakeClock
) -> None:
    """Using a key does not extend how long it is remembered: a busy key is checked against
    the database again every KEY_CACHE_SECONDS."""
    record, key = store.create_key("a")
    assert other.verify_key(key) is not None
    for _ in range(3):
        clock.advance(seconds=KEY_CACHE_SECONDS / 4)
        assert other.verify_key(key) is not None
    store.revoke_key(record.id)
    clock.advance(seconds=KEY_CACHE_SECONDS / 4)
    assert other.verify_key(key) is None
