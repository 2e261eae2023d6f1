"""POST /api/v1/reports (the pane's Report action) and GET /api/v1/reports (admins)."""

from __future__ import annotations

from typing import Any

import pytest
from flask.testing import FlaskClient

from caveat.storage.store import Store

from .test_contract import check_response

REPORT = {
    "from": {"name": "Finance Person", "address": "finance-person@partnerb.example"},
    "internet_message_id": "<20241106123140.8f3a1c2b@relay.mailrelay-host.example>",
    "conversation_id": "AAQkADconv",
    "level": "danger",
    "finding_ids": ["FAKE_REPLY", "REPLYTO_FREEMAIL"],
    "reporter": "anna.keller@partnera.example",
}


@pytest.fixture
def admin(store: Store) -> dict[str, str]:
    _, key = store.create_key("admin", admin=True)
    return {"Authorization": f"Bearer {key}"}


def test_a_report_is_recorded_once_per_user_and_message(
    client: FlaskClient, auth: dict[str, str], admin: dict[str, str]
) -> None:
    first = client.post("/api/v1/reports", json=REPORT, headers=auth)
    assert first.status_code == 201
    check_response("/api/v1/reports", "post", first)
    assert first.json["created"] is True
    assert first.headers["Cache-Control"] == "no-store"

    again = client.post("/api/v1/reports", json=REPORT, headers=auth)
    assert again.status_code == 200
    check_response("/api/v1/reports", "post", again)
    assert again.json["id"] == first.json["id"]
    assert again.json["created"] is False

    listed = client.get("/api/v1/reports", headers=admin)
    assert listed.status_code == 200
    check_response("/api/v1/reports", "get", listed)
    (only,) = listed.json["reports"]
    assert only["sender"] == "finance-person@partnerb.example"
    assert only["finding_ids"] == ["FAKE_REPLY", "REPLYTO_FREEMAIL"]
    # Who reported is who called (here a service key), never the body's "reporter".
    assert only["reporter"] == "service key tests"
    assert "20241106123140" not in listed.get_data(as_text=True)  # the id is kept hashed


def test_a_minimal_report_needs_only_the_sender(client: FlaskClient, auth: dict[str, str]) -> None:
    r = client.post("/api/v1/reports", json={"from": {"address": "x@example.com"}}, headers=auth)
    assert r.status_code == 201
    check_response("/api/v1/reports", "post", r)


def test_control_and_direction_characters_of_a_sender_are_not_kept(
    client: FlaskClient, auth: dict[str, str], admin: dict[str, str]
) -> None:
    sender = "billing\x1b[2J\u202e@evil.example"
    r = client.post("/api/v1/reports", json={"from": {"address": sender}}, headers=auth)
    assert r.status_code == 201
    listed = client.get("/api/v1/reports", headers=admin).get_json()["reports"]
    assert [x["sender"] for x in listed] == ["billing\ufffd[2j\ufffd@evil.example"]  # lower-cased


@pytest.mark.parametrize(
    ("body", "code"),
    [
        ({}, "invalid_field"),
        ({"from": None}, "invalid_field"),
        ({"from": {"address": "no-at-sign"}}, "invalid_field"),
        ({**REPORT, "subject": "Invoice"}, "unknown_field"),
        ({**REPORT, "body": "text"}, "unknown_field"),
        ({**REPORT, "level": "severe"}, "invalid_field"),
        ({**REPORT, "finding_ids": ["<script>"]}, "invalid_field"),
        ({**REPORT, "finding_ids": ["A"] * 101}, "invalid_field"),
        ({**REPORT, "reporter": "r" * 400}, "invalid_field"),
        ({**REPORT, "internet_message_id": 7}, "invalid_field"),
        ([REPORT], "invalid_payload"),
    ],
)
def test_bad_reports_are_refused_and_nothing_is_stored(
    client: FlaskClient, auth: dict[str, str], admin: dict[str, str], body: Any, code: str
) -> None:
    r = client.post("/api/v1/reports", json=body, headers=auth)
    assert r.status_code == 400, r.json
    check_response("/api/v1/reports", "post", r)
    assert r.json["error"]["code"] == code
    assert "(required)" not in r.json["error"]["message"]
    assert client.get("/api/v1/reports", headers=admin).json["reports"] == []


def test_a_missing_sender_is_named(client: FlaskClient, auth: dict[str, str]) -> None:
    r = client.post("/api/v1/reports", json={"level": "danger"}, headers=auth)
    assert r.json["error"]["message"] == "from is required"


def test_reporting_needs_a_key_and_listing_an_admin_key(
    client: FlaskClient, auth: dict[str, str]
) -> None:
    r = client.post("/api/v1/reports", json=REPORT)
    assert r.status_code == 401
    check_response("/api/v1/reports", "post", r)
    listed = client.get("/api/v1/reports", headers=auth)
    assert listed.status_code == 403
    check_response("/api/v1/reports", "get", listed)
    assert "'reports.read'" in listed.json["error"]["message"]


@pytest.mark.parametrize("limit", ["0", "1001", "ten", "-1", "1e3"])
def test_a_bad_limit_is_a_clear_400(
    client: FlaskClient, admin: dict[str, str], limit: str
) -> None:
    r = client.get(f"/api/v1/reports?limit={limit}", headers=admin)
    assert r.status_code == 400
    check_response("/api/v1/reports", "get", r)


def test_the_limit_keeps_the_newest(
    client: FlaskClient, auth: dict[str, str], admin: dict[str, str]
) -> None:
    for n in range(3):
        client.post(
            "/api/v1/reports",
            json={**REPORT, "internet_message_id": f"<m{n}@example.com>"},
            headers=auth,
        )
    r = client.get("/api/v1/reports?limit=2", headers=admin)
    assert [x["id"] for x in r.json["reports"]] == [3, 2]
