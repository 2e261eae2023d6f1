"""Rate limits: per client address, per API key and on failed authentications; 429 in the
API's error shape with Retry-After; counters shared through Redis between instances."""

from __future__ import annotations

import logging
import socket
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from caveat.storage.store import Store
from caveat.web.api.ratelimit import STORE_TIMEOUT_SECONDS
from caveat.web.app import create_app

from ..redis_server import redis_server
from .test_contract import DOC, check_response

OFF = {
    "RATE_LIMIT_PER_KEY": "off",
    "RATE_LIMIT_PER_ADDRESS": "off",
    "RATE_LIMIT_AUTH_FAILURES": "off",
}
OPENAPI = "/api/v1/openapi.json"
CHECKS = "/api/v1/checks"


def make_app(**settings: Any) -> Flask:
    return create_app({"TESTING": True, "DATABASE_URL": "sqlite://", **OFF, **settings})


def store_of(app: Flask) -> Store:
    s: Store = app.extensions["caveat"].store
    return s


def bearer(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


def from_address(client: FlaskClient, address: str, path: str, **kw: Any) -> TestResponse:
    return client.get(path, environ_base={"REMOTE_ADDR": address}, **kw)


def assert_limited(rv: TestResponse, says: str, path: str = CHECKS) -> int:
    """A 429 in the documented shape; returns its Retry-After."""
    assert rv.status_code == 429
    check_response(path, "get", rv)
    body = rv.get_json()
    assert body["error"]["code"] == "rate_limited"
    assert says in body["error"]["message"]
    retry = int(rv.headers["Retry-After"])
    assert 1 <= retry <= 3601  # the tests' limits are per hour
    assert f"try again in {retry} s" in body["error"]["message"]
    return retry


# ----------------------------------------------------------------- per address


def test_one_address_is_limited_on_every_path_but_healthz(caveat_env: Path) -> None:
    c = make_app(RATE_LIMIT_PER_ADDRESS="3/hour").test_client()
    assert [c.get(OPENAPI).status_code for _ in range(3)] == [200, 200, 200]
    assert_limited(c.get(OPENAPI), "from this address", OPENAPI)
    # with or without a key, whatever the path: the address is over its limit
    assert_limited(c.get(CHECKS), "from this address")
    assert c.get("/").status_code == 429
    # the health check is never limited (load balancers probe it from one address)
    assert {c.get("/healthz").status_code for _ in range(10)} == {200}


def test_other_addresses_keep_their_own_count(caveat_env: Path) -> None:
    c = make_app(RATE_LIMIT_PER_ADDRESS="2/hour").test_client()
    for _ in range(2):
        assert from_address(c, "192.0.2.1", OPENAPI).status_code == 200
    assert from_address(c, "192.0.2.1", OPENAPI).status_code == 429
    assert from_address(c, "192.0.2.2", OPENAPI).status_code == 200
    # the same host as an IPv4-mapped IPv6 address is the same address
    assert from_address(c, "::ffff:192.0.2.1", OPENAPI).status_code == 429


def test_an_ipv6_address_counts_by_its_64_block(caveat_env: Path) -> None:
    c = make_app(RATE_LIMIT_PER_ADDRESS="2/hour").test_client()
    assert from_address(c, "2001:db8:1:2::1", OPENAPI).status_code == 200
    assert from_address(c, "2001:db8:1:2:ffff::9", OPENAPI).status_code == 200
    # rotating the interface identifier inside the /64 gains nothing
    assert from_address(c, "2001:db8:1:2::abcd", OPENAPI).status_code == 429
    assert from_address(c, "2001:db8:1:3::1", OPENAPI).status_code == 200


def test_x_forwarded_for_is_not_believed(caveat_env: Path) -> None:
    c = make_app(RATE_LIMIT_PER_ADDRESS="2/hour").test_client()
    for i in range(2):
        assert c.get(OPENAPI, headers={"X-Forwarded-For": f"198.51.100.{i}"}).status_code == 200
    assert c.get(OPENAPI, headers={"X-Forwarded-For": "198.51.100.77"}).status_code == 429


def test_waiting_as_long_as_retry_after_says_is_enough(caveat_env: Path) -> None:
    c = make_app(RATE_LIMIT_PER_ADDRESS="2/second").test_client()
    statuses = [c.get(OPENAPI).status_code for _ in range(3)]
    assert statuses[:2] == [200, 200]
    if statuses[2] == 200:  # the three straddled a second's edge: one more is refused
        statuses.append(c.get(OPENAPI).status_code)
    rv = c.get(OPENAPI)
    assert rv.status_code == 429
    retry = int(rv.headers["Retry-After"])
    assert 1 <= retry <= 2
    time.sleep(retry + 1)
    assert c.get(OPENAPI).status_code == 200


def test_the_defaults_do_not_limit_ordinary_use(caveat_env: Path) -> None:
    app = create_app({"TESTING": True, "DATABASE_URL": "sqlite://"})
    _, key = store_of(app).create_key("tenant")
    c = app.test_client()
    assert {c.get(CHECKS, headers=bearer(key)).status_code for _ in range(90)} == {200}


# ----------------------------------------------------------------- per key


def test_one_key_is_limited_and_another_is_not(caveat_env: Path) -> None:
    app = make_app(RATE_LIMIT_PER_KEY="3/hour")
    _, busy = store_of(app).create_key("busy")
    _, other = store_of(app).create_key("other")
    c = app.test_client()
    assert [c.get(CHECKS, headers=bearer(busy)).status_code for _ in range(3)] == [200] * 3
    assert_limited(c.get(CHECKS, headers=bearer(busy)), "with this API key")
    # from another address too: the limit follows the key
    assert from_address(c, "192.0.2.9", CHECKS, headers=bearer(busy)).status_code == 429
    assert c.get(CHECKS, headers=bearer(other)).status_code == 200


def test_every_api_operation_documents_429() -> None:
    for path, ops in DOC["paths"].items():
        for method, op in ops.items():
            if path.startswith("/api/"):
                assert "429" in op["responses"], f"{method} {path}"
    header = DOC["components"]["responses"]["TooManyRequests"]["headers"]
    assert "Retry-After" in header
    # /healthz is never limited, and says so by not listing 429
    assert "429" not in DOC["paths"]["/healthz"]["get"]["responses"]


def test_a_post_beyond_the_key_limit_is_429_before_its_body_is_read(caveat_env: Path) -> None:
    app = make_app(RATE_LIMIT_PER_KEY="1/hour")
    _, key = store_of(app).create_key("poster")
    c = app.test_client()
    payload = {"headers": "From: a@example.com\r\n", "from": {"address": "a@example.com"}}
    assert c.post("/api/v1/analyze", json=payload, headers=bearer(key)).status_code == 200
    rv = c.post("/api/v1/analyze", data=b"not json", headers=bearer(key))
    assert rv.status_code == 429
    check_response("/api/v1/analyze", "post", rv)


# ----------------------------------------------------------------- failed authentication


def test_failed_authentications_are_limited_per_address(
    caveat_env: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = make_app(RATE_LIMIT_AUTH_FAILURES="3/hour")
    store = store_of(app)
    _, known = store.create_key("in use")
    _, unused = store.create_key("not used yet from here")
    c = app.test_client()
    assert c.get(CHECKS, headers=bearer(known)).status_code == 200

    guesses = [f"cav_guess{i:040d}" for i in range(6)]
    statuses = [c.get(CHECKS, headers=bearer(g)).status_code for g in guesses[:3]]
    assert statuses == [401, 401, 401]
    lookups: list[str] = []
    real_verify = store.check_key
    monkeypatch.setattr(store, "check_key", lambda k: lookups.append(k) or real_verify(k))

    # beyond the limit a guess is refused unread: no database lookup, nothing learnt
    assert_limited(c.get(CHECKS, headers=bearer(guesses[3])), "without a valid API key")
    assert_limited(c.get(CHECKS), "without a valid API key")
    assert_limited(c.get(CHECKS, headers=bearer(unused)), "without a valid API key")
    assert lookups == []
    # a key accepted before still works from that address (a NAT shared with the guesser)
    assert c.get(CHECKS, headers=bearer(known)).status_code == 200
    assert lookups == [known]
    # other addresses are not affected
    assert from_address(c, "192.0.2.50", CHECKS, headers=bearer(guesses[4])).status_code == 401
    assert from_address(c, "192.0.2.50", CHECKS, headers=bearer(unused)).status_code == 200


def test_an_accepted_key_that_is_revoked_is_refused(caveat_env: Path) -> None:
    app = make_app(RATE_LIMIT_AUTH_FAILURES="2/hour")
    store = store_of(app)
    record, key = store.create_key("rotated")
    c = app.test_client()
    assert c.get(CHECKS, headers=bearer(key)).status_code == 200
    store.revoke_key(record.id)
    assert c.get(CHECKS, headers=bearer(key)).status_code == 401
    assert c.get(CHECKS, headers=bearer(key)).status_code == 401
    # a third failure crosses the limit: 429, never a 200
    assert c.get(CHECKS, headers=bearer(key)).status_code == 429


# ----------------------------------------------------------------- the counters' store


def test_memory_counters_are_per_process(caveat_env: Path) -> None:
    """memory:// (the default): two instances (two gunicorn workers) count apart, so the
    effective limit is the number of workers times the limit, as the docs say."""
    a = make_app(RATE_LIMIT_PER_ADDRESS="2/hour").test_client()
    b = make_app(RATE_LIMIT_PER_ADDRESS="2/hour").test_client()
    assert [a.get(OPENAPI).status_code for _ in range(3)] == [200, 200, 429]
    assert [b.get(OPENAPI).status_code for _ in range(3)] == [200, 200, 429]


@pytest.fixture
def redis_uri() -> Iterator[str]:
    with redis_server() as uri:
        yield uri


def test_instances_on_one_redis_share_their_counters(caveat_env: Path, redis_uri: str) -> None:
    """Two instances (two nodes) on one database and one Redis: one key's and one address's
    requests are counted together."""
    db = f"sqlite:///{caveat_env.parent / 'shared.db'}"
    settings = {
        "DATABASE_URL": db,
        "RATE_LIMIT_STORAGE_URI": redis_uri,
        "RATE_LIMIT_PER_KEY": "4/hour",
        "RATE_LIMIT_PER_ADDRESS": "6/hour",
    }
    a, b = make_app(**settings), make_app(**settings)
    _, key = store_of(a).create_key("tenant")
    ca, cb = a.test_client(), b.test_client()
    assert [ca.get(CHECKS, headers=bearer(key)).status_code for _ in range(2)] == [200, 200]
    assert [cb.get(CHECKS, headers=bearer(key)).status_code for _ in range(2)] == [200, 200]
    assert_limited(ca.get(CHECKS, headers=bearer(key)), "with this API key")
    assert_limited(cb.get(CHECKS, headers=bearer(key)), "with this API key")
    # the address's count is shared too: 6 requests so far between the two
    assert_limited(cb.get(OPENAPI), "from this address", OPENAPI)
    assert_limited(ca.get(OPENAPI), "from this address", OPENAPI)


@pytest.mark.parametrize("per_address", ["off", "1000/hour"])
def test_a_store_that_does_not_answer_costs_no_request_and_still_limits(
    caveat_env: Path, tmp_path: Path, caplog: pytest.LogCaptureFixture, per_address: str
) -> None:
    """No Redis at the URI: never a 5xx; the process counts in its own memory meanwhile
    (Flask-Limiter's fallback, and the same for the per-key limit when no per-address limit
    touched the store first), and says so in the log."""
    missing = f"redis+unix://{tmp_path / 'no-such.sock'}"
    app = make_app(
        RATE_LIMIT_STORAGE_URI=missing,
        RATE_LIMIT_PER_KEY="3/hour",
        RATE_LIMIT_PER_ADDRESS=per_address,
    )
    _, key = store_of(app).create_key("tenant")
    c = app.test_client()
    with caplog.at_level(logging.WARNING):
        statuses = [c.get(CHECKS, headers=bearer(key)).status_code for _ in range(5)]
    assert statuses == [200, 200, 200, 429, 429]
    warnings = [r.getMessage().lower() for r in caplog.records if r.levelno == logging.WARNING]
    assert any("storage unreachable" in m or "store unavailable" in m for m in warnings)


def test_a_hung_store_costs_a_request_half_a_second_at_most(
    caveat_env: Path, tmp_path: Path
) -> None:
    """A Redis that takes connections and never answers: the first request waits for the
    store's timeout, the next ones count in memory at once."""
    path = tmp_path / "hung.sock"
    hung = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    hung.bind(str(path))
    hung.listen(64)  # connections queue up and are never read
    try:
        app = make_app(RATE_LIMIT_STORAGE_URI=f"redis+unix://{path}", RATE_LIMIT_PER_KEY="3/hour")
        _, key = store_of(app).create_key("tenant")
        c = app.test_client()
        took, statuses = [], []
        for _ in range(5):
            started = time.monotonic()
            statuses.append(c.get(CHECKS, headers=bearer(key)).status_code)
            took.append(time.monotonic() - started)
    finally:
        hung.close()
    assert statuses == [200, 200, 200, 429, 429]
    assert took[0] < 2 * STORE_TIMEOUT_SECONDS + 0.5
    assert max(took[1:]) < 0.2


# ----------------------------------------------------------------- revocation across instances


def test_a_key_revoked_through_one_instance_stops_at_once_there_and_soon_on_the_other(
    caveat_env: Path, clock: Any
) -> None:
    """Two instances on one database (two workers or two nodes): the one that revokes
    refuses the key at once, the other within KEY_CACHE_SECONDS (2 s)."""
    db = f"sqlite:///{caveat_env.parent / 'shared.db'}"
    a, b = make_app(DATABASE_URL=db), make_app(DATABASE_URL=db)
    store_of(b).clock = clock
    record, key = store_of(a).create_key("leaked")
    ca, cb = a.test_client(), b.test_client()
    assert ca.get(CHECKS, headers=bearer(key)).status_code == 200
    assert cb.get(CHECKS, headers=bearer(key)).status_code == 200

    store_of(a).revoke_key(record.id)
    assert ca.get(CHECKS, headers=bearer(key)).status_code == 401
    clock.advance(seconds=1.5)
    assert cb.get(CHECKS, headers=bearer(key)).status_code == 200  # still in b's cache
    clock.advance(seconds=0.5)
    assert cb.get(CHECKS, headers=bearer(key)).status_code == 401
