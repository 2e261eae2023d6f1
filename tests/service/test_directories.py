"""The directory snapshot a process serves from (caveat.service.directories): built once,
rebuilt on a background thread when the stored directory changes, swapped in when ready;
on every backend."""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator

import pytest

from caveat.knowledge.context import EngineConfig
from caveat.knowledge.directory import Directory
from caveat.knowledge.partners_csv import Contact, Partner
from caveat.service.directories import Directories
from caveat.storage.directory_store import DirectoryStore
from caveat.storage.store import StorageError, Store, is_memory_url

CONFIG = EngineConfig.build(internal_domains=["ours.example"])


class Ticks:
    """A monotonic clock the test moves."""

    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def partner(org: str, domain: str) -> Partner:
    return Partner(org, (domain,), (Contact("Ann Lee", f"ann@{domain}", "+1"),), (), frozenset())


class HeldLoads:
    """Wraps DirectoryStore.load so that a test decides when a background build finishes."""

    def __init__(self, store: DirectoryStore) -> None:
        self.real = store.load
        self.release = threading.Event()
        self.started = threading.Event()
        self.fail: Exception | None = None
        self.calls = 0

    def __call__(self, **kwargs: object) -> Directory:
        self.calls += 1
        if threading.current_thread() is not threading.main_thread():
            self.started.set()
            assert self.release.wait(30)
            if self.fail is not None:
                raise self.fail
        return self.real(**kwargs)  # type: ignore[arg-type]


@pytest.fixture
def ticks() -> Ticks:
    return Ticks()


@pytest.fixture
def held(store: Store, ticks: Ticks) -> Iterator[tuple[Directories, HeldLoads]]:
    """Directories on ``store`` with the test's clock, checking every 5 s, whose background
    builds wait for the test."""
    if is_memory_url(store.engine.url):
        pytest.skip("a throw-away in-memory store is checked and rebuilt in the foreground")
    directories = Directories(store, CONFIG, monotonic=ticks, check_seconds=5)
    assert directories.store is not None
    loads = HeldLoads(directories.store)
    directories.store.load = loads  # type: ignore[method-assign]
    yield directories, loads
    loads.release.set()
    directories.wait(30)


def test_the_first_snapshot_is_built_at_once(store: Store) -> None:
    DirectoryStore(store).import_partners([partner("Acme", "acme.example")])
    directories = Directories(store, CONFIG)
    directory = directories.current()
    assert directory.organisation_of("acme.example") == "Acme"
    assert directories.current() is directory
    assert not directories.building


def test_a_request_during_a_rebuild_gets_the_old_snapshot_then_the_new(
    store: Store, held: tuple[Directories, HeldLoads], ticks: Ticks
) -> None:
    directories, loads = held
    clock = ticks
    imports = DirectoryStore(store)
    imports.import_partners([partner("Acme", "acme.example")])
    old = directories.current()
    imports.import_partners([partner("Beta", "beta.example")])
    # within the check interval: not even asked
    clock.now += 4
    assert directories.current() is old and not directories.building
    clock.now += 2
    assert directories.current() is old  # starts the check, does not wait for it
    assert loads.started.wait(30)
    assert directories.building
    for _ in range(3):
        clock.now += 10  # more requests, later: still the old one, and one build only
        assert directories.current() is old
    assert loads.calls == 2
    loads.release.set()
    assert directories.wait(30)
    new = directories.current()
    assert new is not old and new.version > old.version
    assert new.organisation_of("beta.example") == "Beta"
    assert old.organisation_of("beta.example") is None  # the old one was never changed
    # the new snapshot comes with its indexes built (no request builds them)
    assert "lookalikes" in vars(new) and "labels" in vars(new)


def test_an_unchanged_directory_is_not_rebuilt(
    store: Store, held: tuple[Directories, HeldLoads], ticks: Ticks
) -> None:
    directories, loads = held
    clock = ticks
    DirectoryStore(store).import_partners([partner("Acme", "acme.example")])
    first = directories.current()
    clock.now += 6
    assert directories.current() is first
    assert directories.wait(30)
    assert directories.current() is first and loads.calls == 1


def test_a_failed_rebuild_keeps_the_old_snapshot_and_is_tried_again(
    store: Store,
    held: tuple[Directories, HeldLoads],
    ticks: Ticks,
    caplog: pytest.LogCaptureFixture,
) -> None:
    directories, loads = held
    clock = ticks
    imports = DirectoryStore(store)
    imports.import_partners([partner("Acme", "acme.example")])
    old = directories.current()
    imports.import_partners([partner("Beta", "beta.example")])
    loads.fail = StorageError("database unavailable")
    loads.release.set()
    clock.now += 6
    assert directories.current() is old
    assert directories.wait(30)
    assert directories.current() is old
    assert "partner directory not reloaded: database unavailable" in caplog.text
    loads.fail = None
    clock.now += 6
    directories.current()
    assert directories.wait(30)
    assert directories.current().organisation_of("beta.example") == "Beta"


def test_refresh_rebuilds_in_the_background_at_once(
    store: Store, held: tuple[Directories, HeldLoads], ticks: Ticks
) -> None:
    directories, loads = held
    imports = DirectoryStore(store)
    imports.import_partners([partner("Acme", "acme.example")])
    old = directories.current()
    imports.import_partners([partner("Beta", "beta.example")])
    directories.refresh()  # within the check interval: the import asks for it
    assert loads.started.wait(30)
    assert directories.current() is old
    # another import while that build runs: it is built again after
    imports.import_partners([partner("Gamma", "gamma.example")])
    directories.refresh()
    loads.release.set()
    assert directories.wait(30)
    new = directories.current()
    assert new.organisation_of("beta.example") == "Beta"
    assert new.organisation_of("gamma.example") == "Gamma"
    assert "lookalikes" in vars(new)
    assert ticks.now == 100.0  # no time passed: the refresh, not the interval


def test_refresh_before_any_snapshot_leaves_the_first_build_to_the_first_use(
    store: Store,
) -> None:
    imports = DirectoryStore(store)
    directories = Directories(store, CONFIG)
    imports.import_partners([partner("Acme", "acme.example")])
    directories.refresh()
    assert not directories.building
    assert directories.current().organisation_of("acme.example") == "Acme"


def test_prepare_builds_everything_and_freezes_the_collector(store: Store) -> None:
    DirectoryStore(store).import_partners([partner("Acme", "acme.example")])
    directories = Directories(store, CONFIG)
    try:
        directory = directories.prepare()
        assert gc.get_freeze_count() > 0
    finally:
        gc.unfreeze()
    assert directories.current() is directory
    for index in ("lookalikes", "labels", "_by_organisation_key", "_by_display_org"):
        assert index in vars(directory), index


def test_without_a_store_the_directory_is_empty() -> None:
    directories = Directories(None, CONFIG)
    directory = directories.current()
    assert len(directory) == 0 and directory.is_internal("mail.ours.example")
    assert directories.current() is directory


def test_an_in_memory_store_is_checked_and_rebuilt_in_the_foreground(ticks: Ticks) -> None:
    store = Store.from_url("sqlite://")
    store.upgrade()
    try:
        imports = DirectoryStore(store)
        imports.import_partners([partner("Acme", "acme.example")])
        directories = Directories(store, CONFIG, monotonic=ticks, check_seconds=5)
        old = directories.current()
        imports.import_partners([partner("Beta", "beta.example")])
        directories.refresh()  # no thread: its one connection is not shared
        assert not directories.building
        refreshed = directories.current()
        assert refreshed is not old and refreshed.organisation_of("beta.example") == "Beta"
        imports.import_partners([partner("Gamma", "gamma.example")])
        ticks.now += 6
        assert directories.current().organisation_of("gamma.example") == "Gamma"
        assert not directories.building
    finally:
        store.dispose()
