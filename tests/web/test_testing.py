"""The read-back endpoints of the add-ins' end-to-end tests: absent unless TEST_ENDPOINTS is
on, bounded, strict about what they take, and never holding a message's body."""

from __future__ import annotations

from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient

from caveat.web.app import create_app
from caveat.web.testing import MAX_KEPT

from .conftest import SMALL_PAYLOAD

EVENT = {"internet_message_id": "abc@example.org", "level": "danger", "shown": True, "text": "x"}


@pytest.fixture
def test_app(caveat_env: Path) -> Flask:
    # test_the_lists_are_bounded posts faster than one address may (RATE_LIMIT_PER_ADDRESS)
    return create_app(
        {
            "TESTING": True,
            "DATABASE_URL": "sqlite://",
            "TEST_ENDPOINTS": True,
            "RATE_LIMIT_PER_ADDRESS": "off",
        }
    )


def test_the_endpoints_do_not_exist_by_default(client: FlaskClient) -> None:
    assert client.get("/test/display-events").status_code == 404
    assert client.post("/test/display-events", json=EVENT).status_code == 404
    assert client.get("/test/analyze-calls").status_code == 404


def test_the_environment_turns_them_on(caveat_env: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CAVEAT_TEST_ENDPOINTS", "true")
    app = create_app({"TESTING": True, "DATABASE_URL": "sqlite://"})
    assert app.test_client().get("/test/display-events").status_code == 200


def test_display_events_are_kept_in_order(test_app: Flask) -> None:
    c = test_app.test_client()
    second = {**EVENT, "level": "none", "shown": False, "text": ""}
    assert c.post("/test/display-events", json=EVENT).status_code == 204
    assert c.post("/test/display-events", json=second).status_code == 204
    assert c.get("/test/display-events").json == {"events": [EVENT, second]}


@pytest.mark.parametrize(
    "body",
    [
        {**EVENT, "level": "severe"},
        {**EVENT, "shown": "yes"},
        {**EVENT, "text": 5},
        ["not", "an", "object"],
    ],
)
def test_a_bad_display_event_is_refused(test_app: Flask, body: object) -> None:
    c = test_app.test_client()
    r = c.post("/test/display-events", json=body)
    assert r.status_code == 400
    assert r.json is not None and r.json["error"]["code"] in {"invalid_field", "invalid_json"}
    assert c.get("/test/display-events").json == {"events": []}


def test_an_oversized_display_event_is_refused_before_reading(test_app: Flask) -> None:
    r = test_app.test_client().post("/test/display-events", json={**EVENT, "text": "x" * 20_000})
    assert r.status_code == 413


def test_the_lists_are_bounded(test_app: Flask) -> None:
    c = test_app.test_client()
    for i in range(MAX_KEPT + 5):
        c.post("/test/display-events", json={**EVENT, "internet_message_id": f"{i}@x"})
    events = c.get("/test/display-events").json["events"]
    assert len(events) == MAX_KEPT
    assert events[0]["internet_message_id"] == "5@x"


def test_analyze_calls_are_summarised_without_the_body(test_app: Flask) -> None:
    _, key = test_app.extensions["caveat"].store.create_key("t")
    c = test_app.test_client()
    payload = {
        **SMALL_PAYLOAD,
        "headers": "Message-ID: <Call-1@Example.org>\r\nFrom: A <a@partner.example>\r\n"
        "Received: from x by y\r\nSubject: hello\r\n",
        "body": "a secret body line",
    }
    payload.pop("from", None)
    r = c.post("/api/v1/analyze", json=payload, headers={"Authorization": f"Bearer {key}"})
    assert r.status_code == 200
    calls = c.get("/test/analyze-calls").json["calls"]
    assert calls == [
        {
            "message_id": "call-1@example.org",
            "from": "a@partner.example",
            "header_names": ["from", "message-id", "received", "subject"],
            "level": r.json["level"],
        }
    ]
    assert "secret" not in c.get("/test/analyze-calls").get_data(as_text=True)


def test_only_loopback_clients_are_answered(test_app: Flask) -> None:
    c = test_app.test_client()
    remote = {"REMOTE_ADDR": "192.0.2.10"}
    assert c.get("/test/display-events", environ_base=remote).status_code == 404
    assert c.post("/test/display-events", json=EVENT, environ_base=remote).status_code == 404
    assert c.get("/test/analyze-calls", environ_base=remote).status_code == 404
    ipv6 = {"REMOTE_ADDR": "::1"}
    assert c.get("/test/analyze-calls", environ_base=ipv6).status_code == 200
