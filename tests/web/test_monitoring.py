"""GET /metrics and X-Request-Id: the metrics token guards the metrics, the counters move
with the requests, labels never carry what a client wrote, and every answer names its
request."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from prometheus_client.parser import text_string_to_metric_families

from caveat.checks.findings import LEVELS
from caveat.service.settings import SettingsError
from caveat.storage.store import StorageError, Store
from caveat.web.app import create_app

from .conftest import SMALL_PAYLOAD
from .test_contract import DOC, check_response

TOKEN = "metrics-token-for-the-tests-0123456789"
SCRAPE = {"Authorization": f"Bearer {TOKEN}"}


@pytest.fixture
def app(caveat_env: Path) -> Flask:
    return create_app({"TESTING": True, "DATABASE_URL": "sqlite://", "METRICS_TOKEN": TOKEN})


def scrape(client: FlaskClient) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    """Every sample of GET /metrics, keyed by name and sorted labels."""
    rv = client.get("/metrics", headers=SCRAPE)
    assert rv.status_code == 200, rv.get_data(as_text=True)
    out = {}
    for family in text_string_to_metric_families(rv.get_data(as_text=True)):
        for s in family.samples:
            out[(s.name, tuple(sorted(s.labels.items())))] = s.value
    return out


def value(samples: dict, name: str, **labels: str) -> float:
    return samples.get((name, tuple(sorted(labels.items()))), 0.0)


# ----------------------------------------------------------------- the token


def test_metrics_are_off_without_a_token(caveat_env: Path) -> None:
    client = create_app({"TESTING": True, "DATABASE_URL": "sqlite://"}).test_client()
    rv = client.get("/metrics", headers=SCRAPE)
    assert rv.status_code == 404
    assert rv.get_json()["error"]["code"] == "not_found"
    assert "METRICS_TOKEN" in rv.get_json()["error"]["message"]
    check_response("/metrics", "get", rv)


def test_metrics_need_the_metrics_token(client: FlaskClient, store: Store) -> None:
    _, admin_key = store.create_key("admin", admin=True)
    for headers in (
        {},
        {"Authorization": "Bearer"},
        {"Authorization": f"Bearer {TOKEN}x"},
        {"Authorization": f"Bearer {TOKEN[:-1]}"},
        {"Authorization": f"Basic {TOKEN}"},
        {"Authorization": f"Bearer {admin_key}"},  # an API key, even an admin's, is not it
    ):
        rv = client.get("/metrics", headers=headers)
        assert rv.status_code == 401, headers
        assert rv.headers["WWW-Authenticate"] == 'Bearer realm="caveat-metrics"'
        assert rv.get_json()["error"]["code"] == "unauthorized"
        check_response("/metrics", "get", rv)
    assert "caveat_http_requests" not in rv.get_data(as_text=True)


def test_the_token_opens_the_metrics_in_prometheus_text(client: FlaskClient) -> None:
    rv = client.get("/metrics", headers=SCRAPE)
    assert rv.status_code == 200
    assert rv.mimetype == "text/plain"
    assert rv.mimetype in DOC["paths"]["/metrics"]["get"]["responses"]["200"]["content"]
    assert rv.headers["Cache-Control"] == "no-store"
    text = rv.get_data(as_text=True)
    assert "# TYPE caveat_http_requests_total counter" in text
    assert "# TYPE caveat_http_request_duration_seconds histogram" in text


def test_openmetrics_when_the_scraper_asks_for_it(client: FlaskClient) -> None:
    rv = client.get(
        "/metrics", headers={**SCRAPE, "Accept": "application/openmetrics-text; version=1.0.0"}
    )
    assert rv.status_code == 200
    assert rv.mimetype == "application/openmetrics-text"
    assert rv.mimetype in DOC["paths"]["/metrics"]["get"]["responses"]["200"]["content"]
    assert rv.get_data(as_text=True).rstrip().endswith("# EOF")


@pytest.mark.parametrize(
    "token", ["short-token", "a token with spaces in it!", "tökenwithumlauts1234"]
)
def test_a_weak_or_unsendable_token_stops_the_app(caveat_env: Path, token: str) -> None:
    with pytest.raises(SettingsError, match="METRICS_TOKEN") as info:
        create_app({"DATABASE_URL": "sqlite://", "METRICS_TOKEN": token})
    assert token not in str(info.value)  # a secret is never echoed


def test_the_token_comes_from_the_environment(
    caveat_env: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CAVEAT_METRICS_TOKEN", TOKEN)
    client = create_app({"TESTING": True, "DATABASE_URL": "sqlite://"}).test_client()
    assert client.get("/metrics", headers=SCRAPE).status_code == 200


# ----------------------------------------------------------------- the counters


def test_requests_are_counted_by_url_rule_method_and_status(
    client: FlaskClient, auth: dict[str, str]
) -> None:
    before = scrape(client)
    for _ in range(2):
        assert client.post("/api/v1/analyze", json=SMALL_PAYLOAD, headers=auth).status_code == 200
    assert client.post("/api/v1/analyze", json={"x": 1}, headers=auth).status_code == 400
    assert client.get("/api/v1/senders/contact?address=a%40b.example", headers=auth).status_code
    client.get("/healthz")
    after = scrape(client)

    def moved(name: str, **labels: str) -> float:
        return value(after, name, **labels) - value(before, name, **labels)

    total = "caveat_http_requests_total"
    analyze = {"endpoint": "/api/v1/analyze", "method": "POST"}
    assert moved(total, **analyze, status="200") == 2
    assert moved(total, **analyze, status="400") == 1
    assert moved(total, endpoint="/api/v1/senders/contact", method="GET", status="200") == 1
    assert moved(total, endpoint="/healthz", method="GET", status="200") == 1
    assert moved(total, endpoint="/metrics", method="GET", status="200") == 1  # the first scrape
    hist = "caveat_http_request_duration_seconds"
    assert moved(f"{hist}_count", endpoint="/api/v1/analyze") == 3
    assert moved(f"{hist}_sum", endpoint="/api/v1/analyze") > 0
    assert moved(f"{hist}_bucket", endpoint="/api/v1/analyze", le="+Inf") == 3
    assert sum(moved("caveat_verdicts_total", level=lv) for lv in LEVELS) == 2


def test_labels_never_carry_what_a_client_wrote(client: FlaskClient, auth: dict[str, str]) -> None:
    before = scrape(client)
    client.get("/no-such-page-Zebrafinch?q=Marmalade")
    client.open("/healthz", method="BREW")
    client.get("/api/v1/senders/contact?address=Quokka%40example.com", headers=auth)
    after = scrape(client)
    text = client.get("/metrics", headers=SCRAPE).get_data(as_text=True)
    for written in ("Zebrafinch", "Marmalade", "BREW", "Quokka", "example.com"):
        assert written not in text
    unmatched = {"endpoint": "(unmatched)", "method": "GET", "status": "404"}
    assert (
        value(after, "caveat_http_requests_total", **unmatched)
        - value(before, "caveat_http_requests_total", **unmatched)
        == 1
    )
    brewed = {"endpoint": "(unmatched)", "method": "other", "status": "405"}
    assert value(after, "caveat_http_requests_total", **brewed) == 1 + value(
        before, "caveat_http_requests_total", **brewed
    )


def test_database_errors_are_counted_and_metrics_still_answer(
    app: Flask, client: FlaskClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = scrape(client)

    def down(*args: object) -> None:
        raise StorageError("database error on sqlite://: disk I/O error")

    monkeypatch.setattr(app.extensions["caveat"].store, "ping", down)
    monkeypatch.setattr(app.extensions["caveat"].store, "check_key", down)
    assert client.get("/healthz").status_code == 503
    assert (
        client.get("/api/v1/checks", headers={"Authorization": "Bearer cav_x"}).status_code == 503
    )
    after = scrape(client)  # needs no database
    assert (
        value(after, "caveat_database_errors_total") - value(before, "caveat_database_errors_total")
        == 2
    )
    assert (
        value(after, "caveat_http_requests_total", endpoint="/healthz", method="GET", status="503")
        >= 1
    )


CSV = (
    "organization,domain,contact_name,contact_email,contact_phone,bank_accounts,require_auth\n"
    "Acme,acme.example;acme-group.example,,,,,\n"
    "Globex,globex.example,,,,,\n"
    "Initech,initech.example,,,,,\n"
)


def test_directory_size_and_index_build_times(
    caveat_env: Path, client: FlaskClient, store: Store, auth: dict[str, str]
) -> None:
    before = scrape(client)
    _, admin_key = store.create_key("admin", admin=True)
    rv = client.put(
        "/api/v1/partners",
        data=CSV,
        headers={"Authorization": f"Bearer {admin_key}", "Content-Type": "text/csv"},
    )
    assert rv.status_code == 200, rv.get_json()
    payload = {
        "headers": "From: A <a@acrne.example>\r\nTo: b@example.org\r\nSubject: hi\r\n",
        "from": {"name": "A", "address": "a@acrne.example"},
    }
    assert client.post("/api/v1/analyze", json=payload, headers=auth).status_code == 200
    after = scrape(client)
    assert value(after, "caveat_index_entries", index="directory") == 3
    assert value(after, "caveat_index_entries", index="lookalikes") == 4  # no domain of ours
    for index in ("directory", "lookalikes"):
        count = "caveat_index_build_seconds_count"
        assert value(after, count, index=index) - value(before, count, index=index) == 1


def test_partial_verdicts_and_attachments_are_counted(
    client: FlaskClient, auth: dict[str, str]
) -> None:
    raw = (
        "From: A <a@example.com>\r\nTo: b@example.org\r\nSubject: files\r\n"
        "MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n"
        "--b\r\nContent-Type: text/plain\r\n\r\nsee attached\r\n"
        "--b\r\nContent-Type: text/plain\r\nContent-Disposition: attachment; filename=a.txt\r\n"
        "\r\nhello\r\n"
        "--b\r\nContent-Type: application/x-thing\r\n"
        "Content-Disposition: attachment; filename=b.bin\r\n\r\nxx\r\n--b--\r\n"
    )
    before = scrape(client)
    rv = client.post("/api/v1/analyze", json={"raw": raw}, headers=auth)
    assert rv.status_code == 200, rv.get_json()
    long_body = "From: a@example.com\r\nSubject: long\r\n\r\n" + "word " * 20_000
    rv = client.post("/api/v1/analyze", json={"raw": long_body}, headers=auth)  # over 64 KiB
    assert rv.status_code == 200, rv.get_json()
    after = scrape(client)

    def moved(name: str, **labels: str) -> float:
        return value(after, name, **labels) - value(before, name, **labels)

    assert moved("caveat_attachments_total", kind="text", outcome="read") == 1
    assert moved("caveat_attachments_total", kind="other", outcome="not_read") == 1
    assert moved("caveat_partial_verdicts_total") == 1
    assert sum(moved("caveat_verdicts_total", level=lv) for lv in LEVELS) == 2


# ----------------------------------------------------------------- request ids


def test_a_plain_request_id_is_echoed(client: FlaskClient, auth: dict[str, str]) -> None:
    for rid in ("abc-123", "a" * 64, "trace.Id_9"):
        rv = client.post(
            "/api/v1/analyze", json=SMALL_PAYLOAD, headers={**auth, "X-Request-Id": rid}
        )
        assert rv.headers["X-Request-Id"] == rid


@pytest.mark.parametrize(
    "sent", ["", "a" * 65, "has space", "<script>", "x\u00e9", "a/b", "id;drop", "a,b"]
)
def test_any_other_request_id_is_replaced(client: FlaskClient, sent: str) -> None:
    rv = client.get("/healthz", headers={"X-Request-Id": sent})
    assert re.fullmatch(r"[0-9a-f]{32}", rv.headers["X-Request-Id"])


def test_every_answer_gets_its_own_request_id(client: FlaskClient) -> None:
    answers = [
        client.get("/healthz"),
        client.get("/healthz"),
        client.get("/nowhere"),
        client.post("/api/v1/analyze"),
        client.get("/metrics"),
    ]
    ids = [rv.headers["X-Request-Id"] for rv in answers]
    assert all(re.fullmatch(r"[0-9a-f]{32}", i) for i in ids)
    assert len(set(ids)) == len(ids)
