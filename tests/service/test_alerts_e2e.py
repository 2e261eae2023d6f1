"""End to end through the API: security confirms a report, a finance user records a denied
call, a message breaks a partner's policy; a real webhook on loopback (failing its first
requests) and a real syslog listener get fraud.confirmed, verification.denied and
policy.violation, signed, with ids and addresses and never the message's text."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from caveat.service.alerts import verify_signature
from caveat.web.alerting import alerts
from caveat.web.metrics import DEAD_ALERTS
from tests.identity_app import OURS, as_, make_app, with_partners
from tests.identity_issuer import LocalIssuer

from .alert_receivers import SyslogListener, WebhookReceiver, parse_syslog

SECRET = "e2e-secret-0123456789abcdef"
PARTNERS = (
    "organization,domain,contact_name,contact_email,contact_phone,bank_accounts,require_auth\n"
    "Acme Supplies,acme.example,Pat Payables,pat@acme.example,+44 20 7946 0001,"
    "GB29NWBK60161331926819,spf;dkim;dmarc\n"
)
REF = "ab" * 32


@pytest.fixture
def hook() -> Iterator[WebhookReceiver]:
    with WebhookReceiver(plan=[503, 500]) as r:  # the first two requests fail
        yield r


@pytest.fixture
def syslog() -> Iterator[SyslogListener]:
    with SyslogListener("udp") as s:
        yield s


@pytest.fixture
def app(
    issuer: LocalIssuer, tmp_path: Path, hook: WebhookReceiver, syslog: SyslogListener
) -> Iterator[Flask]:
    app = make_app(
        {
            **OURS,
            "ALERT_WEBHOOK_URL": hook.url,
            "ALERT_WEBHOOK_SECRET": SECRET,
            "ALERT_SYSLOG": syslog.url,
            "ALERT_DEPLOYMENT": "caveat-e2e",
            **issuer.settings(),
        },
        tmp_path / "instance",
    )
    webhook = alerts(app).destinations[0]
    webhook.first_delay = 0.05  # type: ignore[attr-defined]  # the retries, quickly
    yield app
    alerts(app).close(2)


@pytest.fixture
def client(app: Flask, issuer: LocalIssuer) -> FlaskClient:
    return with_partners(app, issuer, PARTNERS)


def delivered(app: Flask, hook: WebhookReceiver, kind: str) -> list[dict[str, Any]]:
    assert alerts(app).flush(30)
    out = []
    for r in hook.requests:
        if r.status == 204 and r.headers["Caveat-Event"] == kind:
            assert verify_signature(SECRET, r.body, r.headers["Caveat-Signature"])
            out.append(r.json())
    return out


def logged(syslog: SyslogListener, kind: str, n: int = 1) -> list[dict[str, Any]]:
    lines = syslog.wait_for(n)
    return [p for p in map(parse_syslog, lines) if p["msgid"] == kind]


def test_a_confirmed_report_reaches_the_webhook_after_retries_and_syslog(
    app: Flask, client: FlaskClient, issuer: LocalIssuer, hook: WebhookReceiver,
    syslog: SyslogListener,
) -> None:  # fmt: skip
    report = {
        "from": {"name": "Billing", "address": "billing@fraud-example.com"},
        "internet_message_id": "<m-1@fraud-example.com>",
        "level": "danger",
        "finding_ids": ["REPLYTO_FREEMAIL"],
        "indicators": {
            "reply_to": ["pay.billing@freemail.example"],
            "accounts": [{"account_ref": REF, "masked": "DE02 **** 2051"}],
        },
    }
    rv = client.post("/api/v1/reports", json=report, headers=as_(issuer, "ana"))
    assert rv.status_code == 201, rv.get_json()
    report_id = rv.get_json()["id"]
    assert hook.requests == []  # a report alone alerts nobody
    rv = client.post(f"/api/v1/reports/{report_id}/confirm", headers=as_(issuer, "sec"))
    assert rv.status_code == 200, rv.get_json()

    [event] = delivered(app, hook, "fraud.confirmed")
    assert [r.status for r in hook.requests] == [503, 500, 204]  # retried, then delivered
    assert event["deployment"] == "caveat-e2e"
    assert event["actor"]["label"] == issuer.users["sec"].name + f" <{issuer.users['sec'].email}>"
    data = event["data"]
    assert data["report_id"] == report_id and data["sender"] == "billing@fraud-example.com"
    assert data["reply_to"] == ["pay.billing@freemail.example"]
    assert data["accounts"] == ["DE02 **** 2051"]
    assert data["finding_ids"] == ["REPLYTO_FREEMAIL"]
    kinds = sorted(i["kind"] for i in data["indicators"])
    assert kinds == ["account", "address", "address"]

    [line] = logged(syslog, "fraud.confirmed")
    assert line["params"]["report_id"] == [str(report_id)]
    assert line["json"]["id"] == event["id"]

    # dismissing alerts nobody
    rv = client.post("/api/v1/reports", json={**report, "internet_message_id": "<m-2@x>"},
                     headers=as_(issuer, "ana"))  # fmt: skip
    client.post(f"/api/v1/reports/{rv.get_json()['id']}/dismiss", headers=as_(issuer, "sec"))
    assert len(delivered(app, hook, "fraud.confirmed")) == 1


def test_a_denied_verification_reaches_both(
    app: Flask, client: FlaskClient, issuer: LocalIssuer, hook: WebhookReceiver,
    syslog: SyslogListener,
) -> None:  # fmt: skip
    body = {
        "organization": "Acme Supplies",
        "contact": {"index": 0},
        "account_ref": REF,
        "account_masked": "DE02 **** 2051",
        "outcome": "unreachable",
        "note": "PRIVATE-NOTE-77",
        "message": {"from": "pat@acme-payments.example", "reply_to": "pat.acme@freemail.example"},
    }
    rv = client.post("/api/v1/verifications", json=body, headers=as_(issuer, "fin"))
    assert rv.status_code == 201, rv.get_json()
    assert alerts(app).flush(10) and hook.requests == []  # unreachable alerts nobody
    rv = client.post(
        "/api/v1/verifications", json={**body, "outcome": "denied"}, headers=as_(issuer, "fin")
    )
    assert rv.status_code == 201, rv.get_json()
    [event] = delivered(app, hook, "verification.denied")
    data = event["data"]
    assert data["organization"] == "Acme Supplies" and data["account"] == "DE02 **** 2051"
    assert data["contact"]["email"] == "pat@acme.example"
    values = {i["value"] for i in data["indicators"]}
    assert {"pat@acme-payments.example", "pat.acme@freemail.example"} <= values
    assert event["actor"]["subject"] == issuer.users["fin"].oid
    assert "PRIVATE-NOTE-77" not in hook.requests[-1].body.decode()
    [line] = logged(syslog, "verification.denied")
    assert line["pri"] == str(4 * 8 + 2)


def test_a_policy_violation_at_danger_reaches_both_once_per_message(
    app: Flask, client: FlaskClient, issuer: LocalIssuer, hook: WebhookReceiver,
    syslog: SyslogListener,
) -> None:  # fmt: skip
    message = {
        "headers": "From: Pat Payables <pat@acme.example>\r\nTo: ap@ours.example\r\n"
        "Subject: TOPSECRET-SUBJECT\r\nMessage-ID: <inv-118@acme.example>\r\n",
        "from": {"name": "Pat Payables", "address": "pat@acme.example"},
        "subject": "TOPSECRET-SUBJECT",
        "body": "TOPSECRET-BODY: the invoice is attached.",
    }
    for _ in range(3):  # the pane analyses the message each time it is opened
        rv = client.post("/api/v1/analyze", json=message, headers=as_(issuer, "ana"))
        assert rv.status_code == 200
    result = rv.get_json()
    assert result["level"] == "danger", result
    assert any(f["check"] == "policy_violation" for f in result["findings"])
    [event] = delivered(app, hook, "policy.violation")
    data = event["data"]
    assert data["message_id"] == "inv-118@acme.example"
    assert data["from"] == "pat@acme.example" and data["organization"] == "Acme Supplies"
    assert "POLICY_AUTH_REQUIRED" in data["policy_findings"]
    assert event["actor"]["subject"] == issuer.users["ana"].oid
    text = b"".join(r.body for r in hook.requests).decode()
    assert "TOPSECRET" not in text
    [line] = logged(syslog, "policy.violation")
    assert "TOPSECRET" not in str(line)

    # a quiet message from the same partner, properly authenticated or not a partner's: none
    other = {**message, "headers": message["headers"].replace("acme.example", "elsewhere.example")}
    other["from"] = {"name": "Someone", "address": "someone@elsewhere.example"}
    client.post("/api/v1/analyze", json=other, headers=as_(issuer, "ana"))
    assert len(delivered(app, hook, "policy.violation")) == 1


def test_an_undeliverable_alert_is_counted_and_the_request_is_answered(
    app: Flask, client: FlaskClient, issuer: LocalIssuer, hook: WebhookReceiver
) -> None:
    hook.plan = [400]
    before = DEAD_ALERTS.labels("fraud.confirmed", "webhook")._value.get()
    rv = client.post("/api/v1/reports", json={"from": {"address": "x@fraud-example.com"}},
                     headers=as_(issuer, "ana"))  # fmt: skip
    rv = client.post(f"/api/v1/reports/{rv.get_json()['id']}/confirm", headers=as_(issuer, "sec"))
    assert rv.status_code == 200
    assert alerts(app).flush(10)
    assert DEAD_ALERTS.labels("fraud.confirmed", "webhook")._value.get() == before + 1
