"""Two service instances on one PostgreSQL database, requests spread between them as any
load balancer would, give the verdicts one instance gives: the conversation memory, the
partner directory, reports and keys live in the database, not in an instance."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from sqlalchemy.engine import Engine

from caveat.service import analysis
from caveat.storage.store import Store
from caveat.web.app import create_app
from caveat.web.retention import sweeper
from tests.conftest import postgres_schema

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
PARTNERS = FIXTURES / "directory" / "seed-partners.csv"
#: The seed's thread from Partner A's side (the swaps are caught only with the memory of
#: the earlier messages), then the seed's own messages.
MESSAGES = sorted((FIXTURES / "thread").glob("*.eml")) + sorted((FIXTURES / "seed").glob("*.eml"))
CONFIG = {"TESTING": True, "INTERNAL_DOMAINS": ["partnera.example"], "TRUST_MICROSOFT": True}


def instance(url: str, caveat_env: Path, name: str, started: list[Flask]) -> Flask:
    folder = caveat_env / name
    folder.mkdir(parents=True, exist_ok=True)
    app = create_app({**CONFIG, "DATABASE_URL": url, "INSTANCE_PATH": str(folder)})
    started.append(app)
    return app


def keys(app: Flask) -> tuple[dict[str, str], dict[str, str]]:
    store: Store = app.extensions["caveat"].store
    _, user = store.create_key("user")
    _, admin = store.create_key("admin", admin=True)
    return {"Authorization": f"Bearer {user}"}, {"Authorization": f"Bearer {admin}"}


def run(apps: list[Flask], auth: dict[str, str], admin: dict[str, str]) -> list[tuple[Any, ...]]:
    """Import the directory through the first instance, then analyse every message on the
    instances in turn; each message's level and finding ids."""
    clients = [a.test_client() for a in apps]
    r = clients[0].put(
        "/api/v1/partners", data=PARTNERS.read_bytes(), content_type="text/csv", headers=admin
    )
    assert r.status_code == 200, r.get_json()
    out = []
    for i, path in enumerate(MESSAGES):
        raw = path.read_text("utf-8", "replace")
        r = clients[i % len(clients)].post("/api/v1/analyze", json={"raw": raw}, headers=auth)
        assert r.status_code == 200, (path.name, r.get_json())
        # written now, not within the write-behind queue's 50 ms: the next message goes to
        # the other instance, which reads the database (messages of one thread arrive
        # seconds apart, not milliseconds)
        apps[i % len(apps)].extensions["caveat"].analyzer.flush()
        body = r.get_json()
        out.append((path.name, body["level"], sorted(f["id"] for f in body["findings"])))
    return out


@pytest.fixture
def two_databases(postgres_admin: Engine) -> Iterator[tuple[str, str]]:
    with postgres_schema(postgres_admin) as one, postgres_schema(postgres_admin) as two:
        yield one, two


@pytest.fixture
def started(two_databases: tuple[str, str]) -> Iterator[list[Flask]]:
    """The instances a test starts. Each one's background work (the memory's queued
    records, a directory rebuild after the import, a retention sweep) ends before the
    schemas are dropped: dropping one under a running transaction deadlocks."""
    apps: list[Flask] = []
    yield apps
    for app in apps:
        stop(app)


def stop(app: Flask) -> None:
    services = app.extensions["caveat"]
    services.analyzer.close()
    assert services.analyzer.directories.wait(30), "a directory build did not end"
    sweeper(app).join(30)
    services.store.dispose()


def test_two_instances_give_the_verdicts_of_one(
    two_databases: tuple[str, str],
    started: list[Flask],
    caveat_env: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Each instance asks the database whether the directory changed at most every few
    # seconds (DIRECTORY_CHECK_SECONDS); here at every message, so that the directory
    # imported through one instance is read by the other at once.
    monkeypatch.setattr(analysis, "DIRECTORY_CHECK_SECONDS", 0.0)
    one_url, two_url = two_databases

    single = instance(one_url, caveat_env, "single", started)
    expected = run([single], *keys(single))

    a = instance(two_url, caveat_env, "a", started)
    b = instance(two_url, caveat_env, "b", started)
    got = run([a, b], *keys(a))

    assert got == expected
    verdicts = {name: level for name, level, _ in got}
    # the memory one instance wrote reached the other: the swaps are caught
    assert verdicts["03-fake-reply-one-cc-swapped.eml"] == "danger"
    assert verdicts["04-partner-b-reply-five-of-six-swapped.eml"] in ("caution", "danger")
    assert verdicts["01-reminder.eml"] in ("none", "info")


def test_a_report_and_a_revoked_key_reach_the_other_instance(
    two_databases: tuple[str, str], started: list[Flask], caveat_env: Path
) -> None:
    a = instance(two_databases[0], caveat_env, "a", started)
    b = instance(two_databases[0], caveat_env, "b", started)
    auth, admin = keys(a)
    r = a.test_client().post(
        "/api/v1/reports", json={"from": {"address": "fraud@example.net"}}, headers=auth
    )
    assert r.status_code == 201
    listed = b.test_client().get("/api/v1/reports", headers=admin).get_json()
    assert [x["sender"] for x in listed["reports"]] == ["fraud@example.net"]

    # The key, never seen by B before, is revoked through A: B refuses it.
    store_a: Store = a.extensions["caveat"].store
    key_id = store_a.list_keys()[0].id
    store_a.revoke_key(key_id)
    r = b.test_client().post(
        "/api/v1/analyze", json={"headers": "From: a@b.example\r\n"}, headers=auth
    )
    assert r.status_code == 401
