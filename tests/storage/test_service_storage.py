"""The service on each database: retention runs on its own as requests come in, and text
PostgreSQL refuses (NUL, lone surrogates) never reaches it."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select, update

from caveat.storage.records import ContactRow, ConversationPersonRow, ConversationRow
from caveat.storage.reports import ReportRow
from caveat.storage.store import Store
from caveat.web.app import create_app
from caveat.web.retention import sweeper
from tests.conftest import FakeClock

HEADERS = (
    "From: Felix Brandt <felix.brandt@acme.example>\r\n"
    "To: Anna Keller <anna.keller@ours.example>\r\n"
    "Subject: Invoice 2026-118 for the March deliveries\r\n"
    "Message-ID: <m1@acme.example>\r\n"
)


def analyze_payload(name: str = "Felix Brandt", *, message_id: str = "m1@acme.example") -> dict:
    return {
        "headers": HEADERS.replace("<m1@acme.example>", f"<{message_id}>"),
        "from": {"name": name, "address": "felix.brandt@acme.example"},
        "to": [{"name": "Anna Keller", "address": "anna.keller@ours.example"}],
        "subject": "Invoice 2026-118 for the March deliveries",
        "internet_message_id": f"<{message_id}>",
        "body": "Please find the invoice attached.",
    }


def make_app(url: str, clock: FakeClock) -> Flask:
    app = create_app({"TESTING": True, "DATABASE_URL": url, "INTERNAL_DOMAINS": ["ours.example"]})
    services = app.extensions["caveat"]
    services.store.clock = clock
    app.extensions["caveat"] = dataclasses.replace(services, clock=clock)
    return app


@pytest.fixture
def app(db_url: str, clock: FakeClock, caveat_env: Path) -> Iterator[Flask]:
    app = make_app(db_url, clock)
    try:
        yield app
    finally:
        sweeper(app).join(30)
        app.extensions["caveat"].store.dispose()


def store_of(app: Flask) -> Store:
    s: Store = app.extensions["caveat"].store
    return s


@pytest.fixture
def auth(app: Flask) -> dict[str, str]:
    _, key = store_of(app).create_key("tests")
    return {"Authorization": f"Bearer {key}"}


def rows(app: Flask, model: type[Any]) -> int:
    settle(app)
    with store_of(app).session() as s:
        return int(s.scalar(select(func.count()).select_from(model)) or 0)


def settle(app: Flask) -> None:
    """Wait for a sweep a request may have started in the background, and write the
    memory's queued records."""
    app.extensions["caveat"].analyzer.flush()
    sweeper(app).join(30)


# ----------------------------------------------------------------- retention


def test_rows_past_their_retention_go_as_the_service_handles_requests(
    app: Flask, auth: dict[str, str], clock: FakeClock
) -> None:
    client = app.test_client()
    assert client.post("/api/v1/analyze", json=analyze_payload(), headers=auth).status_code == 200
    report = {"from": {"address": "felix.brandt@acme.example"}, "internet_message_id": "<m1@x>"}
    assert client.post("/api/v1/reports", json=report, headers=auth).status_code == 201
    settle(app)
    assert rows(app, ConversationRow) == 1 and rows(app, ReportRow) == 1

    clock.advance(days=401)
    # the first request after the interval starts the sweep; it answers as usual
    assert client.get("/healthz").status_code == 200
    settle(app)
    assert rows(app, ConversationRow) == 0
    assert rows(app, ConversationPersonRow) == 0
    assert rows(app, ContactRow) == 0
    assert rows(app, ReportRow) == 1  # reports are kept 730 days

    clock.advance(days=330)
    assert client.get("/healthz").status_code == 200
    settle(app)
    assert rows(app, ReportRow) == 0


def test_within_the_interval_no_request_sweeps(
    app: Flask, auth: dict[str, str], clock: FakeClock
) -> None:
    client = app.test_client()
    assert client.post("/api/v1/analyze", json=analyze_payload(), headers=auth).status_code == 200
    settle(app)  # that request swept this interval (nothing was due)
    with store_of(app).session() as s:  # the conversation is made old at once
        s.execute(update(ConversationRow).values(last_seen_at=clock.now - timedelta(days=500)))
    for _ in range(5):
        clock.advance(minutes=10)
        assert client.get("/healthz").status_code == 200
        settle(app)
    assert rows(app, ConversationRow) == 1  # 50 minutes: not swept again
    clock.advance(minutes=10)
    client.get("/healthz")
    settle(app)
    assert rows(app, ConversationRow) == 0


# ----------------------------------------------------------------- text PostgreSQL refuses


def verdict(client: FlaskClient, auth: dict[str, str], payload: dict) -> tuple[Any, ...]:
    # json.dumps writes a lone surrogate as the escape "\\ud800", as a client would
    body = json.dumps(payload)
    rv = client.post(
        "/api/v1/analyze", data=body, headers={**auth, "Content-Type": "application/json"}
    )
    assert rv.status_code == 200, rv.get_data(as_text=True)
    data = rv.get_json()
    return data["level"], sorted(f["id"] for f in data["findings"])


@pytest.mark.parametrize("name", ["Felix\x00 Brandt", "Felix Brandt\ud800", "\x00\udfff"])
def test_a_name_with_nul_or_a_lone_surrogate_is_analysed_and_recorded_alike_everywhere(
    app: Flask, auth: dict[str, str], clock: FakeClock, caveat_env: Path, name: str
) -> None:
    reference = make_app("sqlite://", clock)
    _, key = store_of(reference).create_key("tests")
    ref_auth = {"Authorization": f"Bearer {key}"}
    client, ref_client = app.test_client(), reference.test_client()
    # the first message records the name; the second (a reply) is judged with it on file
    reply = analyze_payload(name, message_id="m2@acme.example")
    reply["headers"] += "In-Reply-To: <m1@acme.example>\r\n"
    for payload in (analyze_payload(name), reply):
        got = verdict(client, auth, payload)
        assert got == verdict(ref_client, ref_auth, payload)
        clock.advance(minutes=1)
    settle(app)
    with store_of(app).session() as s:
        names = set(s.scalars(select(ConversationPersonRow.name)))
    assert any("\ufffd" in n for n in names)
    assert not any("\x00" in n or any(0xD800 <= ord(c) <= 0xDFFF for c in n) for n in names)
    sweeper(reference).join(30)
    store_of(reference).dispose()


def test_a_report_with_nul_in_every_field_is_stored(app: Flask, auth: dict[str, str]) -> None:
    report = {
        "from": {"name": "F\x00", "address": "felix\x00@acme.example"},
        "internet_message_id": "<m\x00\ud800@acme.example>",
        "conversation_id": "conv\x00",
        "reporter": "anna\x00@ours.example",
    }
    rv = app.test_client().post(
        "/api/v1/reports",
        data=json.dumps(report),
        headers={**auth, "Content-Type": "application/json"},
    )
    assert rv.status_code == 201, rv.get_data(as_text=True)
    with store_of(app).session() as s:
        stored = s.scalars(select(ReportRow)).one()
    assert stored.sender == "felix\ufffd@acme.example"
    # the reporter is the caller (here the service key), never the body's field
    assert stored.reporter == "service key tests"
