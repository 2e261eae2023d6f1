"""An application on a throw-away in-memory database, its test client, and an API key."""

from __future__ import annotations

from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient

from caveat.storage.store import Store
from caveat.web.app import create_app

SMALL_PAYLOAD = {
    "headers": "From: A <a@example.com>\r\nTo: b@example.org\r\nSubject: hello\r\n",
    "from": {"name": "A", "address": "a@example.com"},
}


#: Tests of other behaviour send faster than any client (hypothesis sends hundreds of
#: requests a second with one key); tests/web/test_rate_limits.py tests the limits.
NO_RATE_LIMITS = {
    "RATE_LIMIT_PER_KEY": "off",
    "RATE_LIMIT_PER_ADDRESS": "off",
    "RATE_LIMIT_AUTH_FAILURES": "off",
}


@pytest.fixture
def app(caveat_env: Path) -> Flask:
    return create_app({"TESTING": True, "DATABASE_URL": "sqlite://", **NO_RATE_LIMITS})


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def store(app: Flask) -> Store:
    s: Store = app.extensions["caveat"].store
    return s


@pytest.fixture
def api_key(store: Store) -> str:
    _, key = store.create_key("tests")
    return key


@pytest.fixture
def auth(api_key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {api_key}"}
