"""The API while PostgreSQL hangs (every server process stopped) or is shut down: /healthz
and analyze answer 503 in the API's error shape within the database budget (the default
DATABASE_TIMEOUT_SECONDS), again and again, and work again once the server is back.

Needs the throw-away server of ``scripts/with-postgres`` and the right to signal it;
skipped otherwise.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import Engine

from caveat.web.app import create_app

from ..conftest import POSTGRES_URL, postgres_schema
from ..pg_server import PgServer, controllable
from .conftest import SMALL_PAYLOAD
from .test_contract import check_response

#: The default budget is 2 s; a request may also wait for a fresh connection (libpq's
#: connect_timeout, 2 s) instead, never for both.
ANSWER_WITHIN = 3.0


@pytest.fixture
def server(postgres_admin: Engine) -> PgServer:
    reason = controllable(POSTGRES_URL)
    if reason:
        pytest.skip(reason)
    return PgServer(POSTGRES_URL)


@pytest.fixture
def pg_app(caveat_env: Path, postgres_admin: Engine) -> Iterator[Flask]:
    with postgres_schema(postgres_admin) as url:
        app = create_app({"TESTING": True, "DATABASE_URL": url})
        try:
            yield app
        finally:
            # background work ends before the schema is dropped (see test_two_instances)
            services = app.extensions["caveat"]
            services.analyzer.close()
            services.analyzer.directories.wait(30)
            services.store.dispose()


@pytest.fixture
def pg_client(pg_app: Flask) -> FlaskClient:
    return pg_app.test_client()


@pytest.fixture
def pg_auth(pg_app: Flask) -> dict[str, str]:
    _, key = pg_app.extensions["caveat"].store.create_key("faults")
    return {"Authorization": f"Bearer {key}"}


def answers(client: FlaskClient, auth: dict[str, str]) -> list[tuple[str, int, float]]:
    """One /healthz and one analyze: (path, status, seconds), each checked against the
    OpenAPI document."""
    out = []
    for path in ("/healthz", "/api/v1/analyze"):
        started = time.monotonic()
        if path == "/healthz":
            rv = client.get(path)
        else:
            rv = client.post(path, json=SMALL_PAYLOAD, headers=auth)
        took = time.monotonic() - started
        check_response(path, "get" if path == "/healthz" else "post", rv)
        if rv.status_code == 503:
            assert rv.get_json()["error"]["code"] == "service_unavailable"
        out.append((path, rv.status_code, took))
    return out


def test_a_hung_database_is_a_prompt_503_and_the_service_recovers(
    pg_client: FlaskClient, pg_auth: dict[str, str], server: PgServer
) -> None:
    assert [status for _, status, _ in answers(pg_client, pg_auth)] == [200, 200]
    with server.hung(at_most=40):
        first = True
        for _ in range(3):
            for path, status, took in answers(pg_client, pg_auth):
                assert status == 503, path
                # The first waits out the budget; the process then knows the database
                # is not answering and the others fail at once.
                assert took < (ANSWER_WITHIN if first else 0.2), (path, took)
                first = False
    recovered = time.monotonic()
    while [s for _, s, _ in answers(pg_client, pg_auth)] != [200, 200]:
        assert time.monotonic() - recovered < ANSWER_WITHIN
        time.sleep(0.05)
    assert [status for _, status, _ in answers(pg_client, pg_auth)] == [200, 200]


def test_a_stopped_database_is_a_prompt_503_and_the_service_recovers(
    pg_client: FlaskClient, pg_auth: dict[str, str], server: PgServer
) -> None:
    assert [status for _, status, _ in answers(pg_client, pg_auth)] == [200, 200]
    with server.stopped():
        for _ in range(2):
            for path, status, took in answers(pg_client, pg_auth):
                assert status == 503, path
                assert took < 1.0, (path, took)
    assert [status for _, status, _ in answers(pg_client, pg_auth)] == [200, 200]
