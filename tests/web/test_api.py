"""The /api/v1 endpoints through Flask's test client: authentication, the happy path, and
every way a request can be wrong. None of them may answer with a 5xx."""

from __future__ import annotations

import io
import json
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from caveat.checks.findings import LEVELS
from caveat.storage.store import Store
from caveat.web.app import create_app

from .conftest import SMALL_PAYLOAD

ANALYZE = "/api/v1/analyze"


def post(client: FlaskClient, auth: dict[str, str], body: Any, **kw: Any) -> TestResponse:
    return client.post(ANALYZE, headers=auth, json=body, **kw)


def assert_error(rv: TestResponse, status: int, code: str) -> str:
    assert rv.status_code == status, rv.get_data(as_text=True)
    assert rv.mimetype == "application/json"
    body = rv.get_json()
    assert set(body) == {"error"}
    assert set(body["error"]) == {"code", "message"}
    assert body["error"]["code"] == code
    assert body["error"]["message"]
    message: str = body["error"]["message"]
    return message


# ----------------------------------------------------------------- happy paths


def test_analyze_answers_with_the_verdict_shape(client: FlaskClient, auth: dict[str, str]) -> None:
    rv = post(client, auth, SMALL_PAYLOAD)
    assert rv.status_code == 200
    body = rv.get_json()
    assert set(body) == {
        "level", "score", "banner", "findings", "message_id", "checked_at", "notices",
        "language",
    }
    assert body["language"] == "en" and rv.headers["Content-Language"] == "en"
    assert body["level"] in LEVELS
    assert isinstance(body["score"], int | float)
    assert (body["banner"] is None) == (body["level"] == "none")
    for f in body["findings"]:
        assert {"id", "check", "severity", "title", "explanation", "evidence", "techniques"} <= set(
            f
        )
    assert body["checked_at"].endswith("Z")
    assert rv.headers["Cache-Control"] == "no-store"
    assert rv.headers["X-Content-Type-Options"] == "nosniff"
    assert "default-src 'none'" in rv.headers["Content-Security-Policy"]


def test_analyze_reports_the_message_id(client: FlaskClient, auth: dict[str, str]) -> None:
    body = {**SMALL_PAYLOAD, "internet_message_id": "<ABC@mail.example.com>"}
    assert post(client, auth, body).get_json()["message_id"] == "abc@mail.example.com"


def test_analyze_takes_a_raw_message(client: FlaskClient, auth: dict[str, str]) -> None:
    raw = (
        "From: A <a@example.com>\r\nTo: b@example.org\r\nMessage-ID: <m1@example.com>\r\n\r\nHi\r\n"
    )
    rv = post(client, auth, {"raw": raw, "conversation_id": "c1", "headers": None, "to": []})
    assert rv.status_code == 200
    assert rv.get_json()["message_id"] == "m1@example.com"


def test_analyze_accepts_every_documented_field(client: FlaskClient, auth: dict[str, str]) -> None:
    body = {
        **SMALL_PAYLOAD,
        "sender": {"name": "A", "address": "a@example.com"},
        "reply_to": [{"name": "A", "address": "a@example.com"}],
        "to": [{"name": "B", "address": "b@example.org"}],
        "cc": [{"name": None, "address": "c@example.org"}, {"address": "d@example.org"}],
        "subject": "hello",
        "body": "See you",
        "conversation_id": "AAQk",
        "internet_message_id": "m2@example.com",
        "date": "2026-01-05T09:00:00Z",
    }
    assert post(client, auth, body).status_code == 200


def test_charset_parameter_is_fine(client: FlaskClient, auth: dict[str, str]) -> None:
    rv = client.post(
        ANALYZE,
        headers=auth,
        data=json.dumps(SMALL_PAYLOAD),
        content_type="application/json; charset=utf-8",
    )
    assert rv.status_code == 200


def test_checks_lists_the_catalogue(client: FlaskClient, auth: dict[str, str], app: Flask) -> None:
    rv = client.get("/api/v1/checks", headers=auth)
    assert rv.status_code == 200
    body = rv.get_json()
    catalogue = app.extensions["caveat"].catalogue
    assert [lv["name"] for lv in body["levels"]] == ["info", "caution", "danger"]
    assert {f["id"] for f in body["findings"]} == set(catalogue.findings)
    assert {c["id"] for c in body["composites"]} == {c.entry.id for c in catalogue.composites}
    for c in body["composites"]:
        assert c["expression"]
    for f in body["findings"]:
        assert {
            "check",
            "severity",
            "weight",
            "title",
            "explanation",
            "techniques",
            "false_positives",
        } <= set(f)


def test_openapi_needs_no_key(client: FlaskClient) -> None:
    rv = client.get("/api/v1/openapi.json")
    assert rv.status_code == 200
    assert rv.get_json()["openapi"].startswith("3.1")


def test_healthz_needs_no_key(client: FlaskClient) -> None:
    rv = client.get("/healthz")
    assert rv.status_code == 200
    assert rv.get_json()["status"] == "ok"


# ----------------------------------------------------------------- authentication


@pytest.mark.parametrize("path", [ANALYZE, "/api/v1/checks"])
def test_no_key_is_401_with_a_challenge(client: FlaskClient, path: str) -> None:
    rv = client.post(path, json=SMALL_PAYLOAD) if path == ANALYZE else client.get(path)
    assert_error(rv, 401, "unauthorized")
    assert rv.headers["WWW-Authenticate"] == 'Bearer realm="caveat"'


@pytest.mark.parametrize(
    "header",
    [
        "Bearer cav_not-a-real-key-at-all-xxxxxxxxxxxxxxxxxxxxxxxx",
        "Bearer nonsense",
        "Bearer",
        "Basic dXNlcjpwYXNz",
        "cav_abc",
    ],
)
def test_a_bad_key_is_401(client: FlaskClient, header: str) -> None:
    rv = client.post(ANALYZE, json=SMALL_PAYLOAD, headers={"Authorization": header})
    assert_error(rv, 401, "unauthorized")
    assert rv.headers["WWW-Authenticate"].startswith("Bearer")


def test_a_revoked_key_is_401(client: FlaskClient, store: Store) -> None:
    record, key = store.create_key("gone")
    headers = {"Authorization": f"Bearer {key}"}
    assert post(client, headers, SMALL_PAYLOAD).status_code == 200
    store.revoke_key(record.id)
    rv = post(client, headers, SMALL_PAYLOAD)
    assert_error(rv, 401, "unauthorized")
    assert 'error="invalid_token"' in rv.headers["WWW-Authenticate"]


def test_the_scheme_is_case_insensitive(client: FlaskClient, api_key: str) -> None:
    rv = post(client, {"Authorization": f"bearer {api_key}"}, SMALL_PAYLOAD)
    assert rv.status_code == 200


# ----------------------------------------------------------------- bad requests


@pytest.mark.parametrize(
    "content_type",
    [None, "text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x"],
)
def test_wrong_content_type_is_415(
    client: FlaskClient, auth: dict[str, str], content_type: str | None
) -> None:
    rv = client.post(
        ANALYZE, headers=auth, data=json.dumps(SMALL_PAYLOAD), content_type=content_type
    )
    assert_error(rv, 415, "unsupported_media_type")


@pytest.mark.parametrize(
    "data",
    [
        b"",
        b"{",
        b"not json",
        b'{"headers": "x",}',
        b"NaN",
        b'{"a": Infinity}',
        b"\xff\xfe{\x00}\x00",
        b"[" * 100_000,
        b"1" * 5000,
    ],
)
def test_malformed_json_is_400(client: FlaskClient, auth: dict[str, str], data: bytes) -> None:
    rv = client.post(ANALYZE, headers=auth, data=data, content_type="application/json")
    assert_error(rv, 400, "invalid_json")


@pytest.mark.parametrize("body", [[SMALL_PAYLOAD], "text", 3, None, True])
def test_a_body_that_is_not_an_object_is_400(
    client: FlaskClient, auth: dict[str, str], body: Any
) -> None:
    rv = client.post(ANALYZE, headers=auth, data=json.dumps(body), content_type="application/json")
    assert "must be a JSON object" in assert_error(rv, 400, "invalid_payload")


def test_an_unknown_field_is_named(client: FlaskClient, auth: dict[str, str]) -> None:
    rv = post(client, auth, {**SMALL_PAYLOAD, "importance": "high", "bcc": []})
    assert assert_error(rv, 400, "unknown_field") == "unknown fields: bcc, importance"


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"headers": 5}, "headers must be a string"),
        ({"headers": "x", "from": "a@example.com"}, "from must be an object"),
        ({"headers": "x", "to": {"address": "b@example.org"}}, "to must be an array"),
        ({"headers": "x", "to": ["b@example.org"]}, "to[0] must be an object"),
        ({"headers": "x", "cc": [{"address": 7}]}, "cc[0].address must be a string"),
        ({"headers": "x", "from": {"name": ["A"]}}, "from.name must be a string"),
        ({"headers": "x", "subject": {"text": "hi"}}, "subject must be a string"),
        ({"headers": "x", "date": 1767600000}, "date must be a string"),
        ({"headers": "x", "date": "yesterday"}, "date must be an ISO 8601 date-time"),
        ({"headers": "x", "from": {"name": "n" * 1025}}, "from.name is too long"),
        (
            {"headers": "x", "sender": {"emailAddress": "a@example.com"}},
            "sender: unknown field emailAddress",
        ),
    ],
)
def test_a_wrong_field_is_named(
    client: FlaskClient, auth: dict[str, str], body: dict[str, Any], message: str
) -> None:
    assert assert_error(post(client, auth, body), 400, "invalid_field").startswith(message)


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({}, "send at least the headers or the From address"),
        ({"subject": "hi", "body": "text"}, "send at least the headers or the From address"),
        ({"headers": "", "from": {}}, "send at least the headers or the From address"),
        (
            {"raw": "From: a@example.com\r\n\r\nx", "headers": "From: a@example.com"},
            "send either a raw message or its parts",
        ),
        (
            {"raw": "From: a@example.com\r\n\r\nx", "to": [{"address": "b@example.org"}]},
            "send either a raw message or its parts",
        ),
    ],
)
def test_inconsistent_payloads_are_400(
    client: FlaskClient, auth: dict[str, str], body: dict[str, Any], message: str
) -> None:
    assert assert_error(post(client, auth, body), 400, "invalid_payload").startswith(message)


def test_a_raw_message_without_headers_is_400(client: FlaskClient, auth: dict[str, str]) -> None:
    rv = post(client, auth, {"raw": "just some words"})
    assert_error(rv, 400, "invalid_message")


def test_error_messages_never_quote_the_values(client: FlaskClient, auth: dict[str, str]) -> None:
    secret = "IBAN DE89370400440532013000 " * 10
    for body in ({"headers": "x", "to": secret}, {"headers": "x", "from": {"name": secret * 5}}):
        rv = post(client, auth, body)
        assert rv.status_code == 400
        assert "DE89" not in rv.get_data(as_text=True)


# ----------------------------------------------------------------- sizes


def test_a_body_over_the_limit_is_413_before_it_is_read(caveat_env: Any) -> None:
    app = create_app({"TESTING": True, "DATABASE_URL": "sqlite://", "MAX_REQUEST_BYTES": 1024})
    _, key = app.extensions["caveat"].store.create_key("t")
    client = app.test_client()
    body = {**SMALL_PAYLOAD, "body": "x" * 2000}
    rv = client.post(ANALYZE, json=body, headers={"Authorization": f"Bearer {key}"})
    assert "1024 bytes" in assert_error(rv, 413, "request_too_large")


def test_a_chunked_body_over_the_limit_is_413(caveat_env: Any) -> None:
    app = create_app({"TESTING": True, "DATABASE_URL": "sqlite://", "MAX_REQUEST_BYTES": 1024})
    _, key = app.extensions["caveat"].store.create_key("t")
    data = json.dumps({**SMALL_PAYLOAD, "body": "x" * 2000}).encode()
    rv = app.test_client().post(
        ANALYZE,
        input_stream=io.BytesIO(data),
        headers={
            "Authorization": f"Bearer {key}",
            "Content-Type": "application/json",
            "Transfer-Encoding": "chunked",
        },
        # what gunicorn says of a chunked body it de-chunks: read it to its end
        environ_overrides={"wsgi.input_terminated": True},
    )
    assert_error(rv, 413, "request_too_large")


def test_the_default_request_limit_is_26_mib(client: FlaskClient, auth: dict[str, str]) -> None:
    rv = client.post(
        ANALYZE,
        headers=auth,
        data=b"{}",
        content_type="application/json",
        environ_overrides={"CONTENT_LENGTH": str(26 * 1024 * 1024 + 1)},
    )
    assert_error(rv, 413, "request_too_large")


def test_oversized_headers_are_413(client: FlaskClient, auth: dict[str, str]) -> None:
    headers = "From: a@example.com\r\n" + "X-Filler: " + "a" * (256 * 1024) + "\r\n"
    assert_error(post(client, auth, {"headers": headers}), 413, "headers_too_large")


def test_an_oversized_body_snippet_is_413(client: FlaskClient, auth: dict[str, str]) -> None:
    rv = post(client, auth, {**SMALL_PAYLOAD, "body": "é" * (40 * 1024)})  # 80 KiB in UTF-8
    assert_error(rv, 413, "body_too_large")


def test_too_many_recipients_are_413(client: FlaskClient, auth: dict[str, str]) -> None:
    to = [{"address": f"r{i}@example.org"} for i in range(300)]
    rv = post(client, auth, {**SMALL_PAYLOAD, "to": to, "cc": to})
    assert_error(rv, 413, "too_many_recipients")


def test_too_many_recipients_in_the_headers_are_413(
    client: FlaskClient, auth: dict[str, str]
) -> None:
    to = ", ".join(f"r{i}@example.org" for i in range(501))
    rv = post(client, auth, {"headers": f"From: a@example.com\r\nTo: {to}\r\n"})
    assert_error(rv, 413, "too_many_recipients")


def test_too_many_reply_to_addresses_are_413(client: FlaskClient, auth: dict[str, str]) -> None:
    rv = post(client, auth, {**SMALL_PAYLOAD, "reply_to": [{}] * 501})
    assert_error(rv, 413, "too_many_recipients")


# ----------------------------------------------------------------- routing


@pytest.mark.parametrize(
    "path", ["/api/v1/nothing", "/api/v2/analyze", "/nowhere", "/api/v1/analyze/x"]
)
def test_unknown_routes_are_404_json(client: FlaskClient, auth: dict[str, str], path: str) -> None:
    assert_error(client.get(path, headers=auth), 404, "not_found")


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", ANALYZE),
        ("PUT", ANALYZE),
        ("DELETE", "/api/v1/checks"),
        ("POST", "/api/v1/openapi.json"),
        ("POST", "/healthz"),
    ],
)
def test_wrong_methods_are_405_json(
    client: FlaskClient, auth: dict[str, str], method: str, path: str
) -> None:
    rv = client.open(path, method=method, headers=auth)
    assert_error(rv, 405, "method_not_allowed")
    assert rv.headers["Allow"]


def test_none_of_the_bad_requests_is_a_5xx(client: FlaskClient, auth: dict[str, str]) -> None:
    bodies: list[Any] = [
        None,
        [],
        {},
        {"from": {}},
        {"from": {"address": "@@@"}},
        {"headers": "\x00\r\n:"},
        {"headers": "From: \ud800@example.com\r\n"},
        {"raw": "\ud800: x\r\n\r\n"},
        {"from": {"name": "=?utf-8?b?////?=", "address": "a@[300.1.1.1]"}},
        {"headers": "From: a@example.com", "date": "2026-13-45T99:99:99"},
        {"headers": "Subject: " + "RE: " * 10000},
    ]
    for body in bodies:
        rv = client.post(
            ANALYZE, headers=auth, data=json.dumps(body), content_type="application/json"
        )
        assert rv.status_code < 500, (body, rv.get_data(as_text=True))


def test_a_chunked_body_within_the_limit_is_read_whole(
    client: FlaskClient, auth: dict[str, str]
) -> None:
    data = json.dumps(SMALL_PAYLOAD).encode()
    rv = client.post(
        ANALYZE,
        input_stream=io.BytesIO(data),
        headers={**auth, "Content-Type": "application/json", "Transfer-Encoding": "chunked"},
        environ_overrides={"wsgi.input_terminated": True},
    )
    assert rv.status_code == 200
