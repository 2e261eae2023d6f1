"""A service app for tests that call the API as people: the local identity provider
(tests/identity_issuer.py) on loopback, an app that trusts it on a throw-away database in an
instance folder of its own, and the ``Authorization`` header of a user's token.

The ``issuer`` fixture (tests/conftest.py) runs the provider with :data:`TENANT` and
:data:`CLIENT_ID`; a test module defines its ``app`` with :func:`make_app` and the settings
it needs (tests/web/conftest.py's ``client`` then calls it)."""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from caveat.web.app import create_app
from tests.conftest import postgres_schema
from tests.identity_issuer import LocalIssuer
from tests.web.conftest import NO_RATE_LIMITS
from tests.web.test_two_instances import stop

TENANT = "5f0b2c1d-7e8a-4b3c-9d2e-1a0f6e5d4c3b"
CLIENT_ID = "3c9e7a15-2d4f-4c8b-a6e1-0b7d5f9c2e48"
#: The organisation's own mail domain, as the tests' messages address it.
OURS: dict[str, Any] = {"INTERNAL_DOMAINS": ["ours.example"]}


def make_app(settings: dict[str, Any], instance: Path, url: str = "sqlite://") -> Flask:
    """A testing app on ``url`` (in memory by default) with ``settings`` (the issuer's, and
    any others), no rate limits, and ``instance`` as its folder; the environment's
    ``CAVEAT_*`` variables are set aside while it is made, so the machine's cannot leak in."""
    saved = {k: v for k, v in os.environ.items() if k.startswith("CAVEAT_")}
    for name in saved:
        del os.environ[name]
    os.environ["CAVEAT_INSTANCE_PATH"] = str(instance)
    try:
        return create_app({"TESTING": True, "DATABASE_URL": url, **NO_RATE_LIMITS, **settings})
    finally:
        del os.environ["CAVEAT_INSTANCE_PATH"]
        os.environ.update(saved)


@contextlib.contextmanager
def two_apps(
    issuer: LocalIssuer, tmp_path: Path, request: pytest.FixtureRequest, backend: str
) -> Iterator[tuple[Flask, Flask]]:
    """Two service instances (with :data:`OURS`) sharing one database: a SQLite file, or
    for ``backend`` ``postgresql`` a schema of their own on the test server. Each is
    stopped at the end, once its knowledge reloads have ended."""
    with contextlib.ExitStack() as stack:
        if backend == "postgresql":
            admin = request.getfixturevalue("postgres_admin")
            url = stack.enter_context(postgres_schema(admin))
        else:
            url = f"sqlite:///{tmp_path / 'shared.db'}"
        first = make_app({**OURS, **issuer.settings()}, tmp_path / "a", url)
        second = make_app({**OURS, **issuer.settings()}, tmp_path / "b", url)
        try:
            yield first, second
        finally:
            for app in (first, second):
                assert app.extensions["caveat"].analyzer.knowledge.wait(30)
                stop(app)


def as_(issuer: LocalIssuer, user: str, *roles: str) -> dict[str, str]:
    """The headers of a request by ``user`` (one of the issuer's people), with ``roles``."""
    return {"Authorization": f"Bearer {issuer.mint(user=user, roles=roles)}"}


def with_partners(app: Flask, issuer: LocalIssuer, partners_csv: str) -> FlaskClient:
    """A client of ``app`` whose directory an administrator loaded from ``partners_csv``."""
    client = app.test_client()
    rv = client.put(
        "/api/v1/partners", data=partners_csv, content_type="text/csv", headers=as_(issuer, "adm")
    )
    assert rv.status_code == 200, rv.get_json()
    return client
