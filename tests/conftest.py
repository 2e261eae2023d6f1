"""Fixtures shared by every test folder. Add fixtures here; do not remove others'."""

from __future__ import annotations

import contextlib
import os
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from sqlalchemy import Engine, text
from sqlalchemy.exc import SQLAlchemyError

from caveat.storage.store import Store, make_engine

if TYPE_CHECKING:
    from tests.identity_issuer import LocalIssuer


@pytest.fixture
def caveat_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A clean configuration: no ``CAVEAT_`` variable from the developer's shell, and a
    fresh, empty instance folder (returned; not created)."""
    for name in list(os.environ):
        if name.startswith("CAVEAT_"):
            monkeypatch.delenv(name)
    instance = tmp_path / "instance"
    monkeypatch.setenv("CAVEAT_INSTANCE_PATH", str(instance))
    return instance


# ----------------------------------------------------------------- databases
#
# `db_url` runs a test once per backend: SQLite in memory, a SQLite file and PostgreSQL.
# PostgreSQL comes from the environment (`scripts/with-postgres CMD` starts a throw-away
# server and sets CAVEAT_TEST_POSTGRES_URL; `make test` does that): without it those
# tests are skipped, unless CAVEAT_TEST_POSTGRES=required, which makes them fail instead.
# Every PostgreSQL test gets a schema of its own, named in the URL's search_path, and the
# schema is dropped afterwards.
#
# Read once, at import: `caveat_env` removes every CAVEAT_ variable for the test it serves.
POSTGRES_URL = os.environ.get("CAVEAT_TEST_POSTGRES_URL", "").strip()
POSTGRES_REQUIRED = os.environ.get("CAVEAT_TEST_POSTGRES", "").strip().lower() == "required"


class FakeClock:
    """A clock that stands still until a test moves it (``advance``)."""

    def __init__(self) -> None:
        self.now = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture(scope="session")
def postgres_admin() -> Iterator[Engine]:
    """An engine on the PostgreSQL test database, for creating and dropping schemas."""
    if not POSTGRES_URL:
        message = (
            "PostgreSQL: CAVEAT_TEST_POSTGRES_URL is not set (run the tests under "
            "scripts/with-postgres, as `make test` does)"
        )
        if POSTGRES_REQUIRED:
            pytest.fail(f"CAVEAT_TEST_POSTGRES=required, but {message}", pytrace=False)
        pytest.skip(message)
    engine = make_engine(POSTGRES_URL)
    try:
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
    except SQLAlchemyError as exc:
        engine.dispose()
        pytest.fail(
            f"cannot connect to CAVEAT_TEST_POSTGRES_URL={engine.url!r}: {exc}", pytrace=False
        )
    yield engine
    engine.dispose()


@contextlib.contextmanager
def postgres_schema(admin: Engine) -> Iterator[str]:
    """A new, empty schema; yields the URL whose connections use it, and drops it after."""
    schema = f"test_{uuid.uuid4().hex[:16]}"
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    url = admin.url.update_query_dict({"options": f"-csearch_path={schema}"})
    try:
        yield url.render_as_string(hide_password=False)
    finally:
        with admin.begin() as conn:
            # a connection left inside a transaction must not hang the run
            conn.execute(text("SET LOCAL lock_timeout = '10s'"))
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))


@pytest.fixture(params=["sqlite-memory", "sqlite-file", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A database URL for an empty database, once per backend."""
    if request.param == "sqlite-memory":
        yield "sqlite://"
    elif request.param == "sqlite-file":
        yield f"sqlite:///{tmp_path / 'caveat.db'}"
    elif request.param == "postgresql":
        with postgres_schema(request.getfixturevalue("postgres_admin")) as url:
            yield url
    else:
        raise ValueError(f"unknown database backend {request.param!r}")


@pytest.fixture
def store(db_url: str, clock: FakeClock) -> Iterator[Store]:
    """A migrated, empty store on each backend, whose clock the test moves (``clock``)."""
    s = Store.from_url(db_url, clock=clock)
    try:
        s.upgrade()
        yield s
    finally:
        s.dispose()


@pytest.fixture(scope="module")
def issuer() -> Iterator[LocalIssuer]:
    """The local identity provider on loopback (tests/identity_issuer.py), one per module,
    for the apps of tests/identity_app.py; a module that needs another defines its own."""
    from tests.identity_app import CLIENT_ID, TENANT  # it imports this module
    from tests.identity_issuer import LocalIssuer

    with LocalIssuer(tenant=TENANT, client_id=CLIENT_ID) as it:
        yield it
