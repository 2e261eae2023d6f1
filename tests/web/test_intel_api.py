"""The indicators API: an import refused whole naming its lines, one indicator at a time,
removal; who may; the audit rows; and a later message and a later draft carrying an
indicator getting a danger reported_sender finding that names who added it and when."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from caveat.storage.audit import AuditLog
from caveat.storage.store import Store
from tests.identity_app import OURS, as_, make_app
from tests.identity_issuer import LocalIssuer

from .test_contract import check_response

GOOD = (
    "kind,value,note\n"
    "address,billing@fraud-example.com,ISAC bulletin 7\n"
    "domain,fraud-examp1e.com,\n"
    "account,GB29 NWBK 6016 1331 9268 19,mule\n"
    "phone,+44 20 7946 0958,\n"
)


@pytest.fixture
def app(issuer: LocalIssuer, tmp_path: Path) -> Flask:
    return make_app({**OURS, **issuer.settings()}, tmp_path / "instance")


def raw(sender: str, body: str = "See you tomorrow.", **headers: str) -> dict[str, str]:
    lines = [f"From: {sender}", "To: Bo <bo@ours.example>", "Subject: Invoice 42"]
    lines += [f"{k.replace('_', '-')}: {v}" for k, v in headers.items()]
    return {"raw": "\r\n".join(lines) + "\r\n\r\n" + body + "\r\n"}


def finding(rv: Any, fid: str) -> dict[str, Any] | None:
    return next((f for f in rv.get_json()["findings"] if f["id"] == fid), None)


def import_csv(client: FlaskClient, headers: dict[str, str], text: str, query: str = "") -> Any:
    return client.post(
        f"/api/v1/indicators/import{query}", data=text, content_type="text/csv", headers=headers
    )


def test_a_bad_file_is_refused_whole_naming_its_lines(
    client: FlaskClient, issuer: LocalIssuer, app: Flask
) -> None:
    sec = as_(issuer, "sec")
    rv = import_csv(client, sec, GOOD + "bitcoin,1BoatSLRHtKNngkdXEeobR76b53LETtpyT,\nphone,12,\n")
    check_response("/api/v1/indicators/import", "post", rv)
    assert rv.status_code == 400
    error = rv.get_json()["error"]
    assert error["code"] == "invalid_indicators"
    assert "nothing was imported" in error["message"]
    assert "line 6: unknown kind 'bitcoin'" in error["message"]
    assert "line 7: phone '12'" in error["message"]
    assert client.get("/api/v1/indicators", headers=sec).get_json() == {"indicators": []}
    assert AuditLog(app.extensions["caveat"].store).entries() == []
    rv = client.post("/api/v1/indicators/import", json={"kind": "x"}, headers=sec)
    assert rv.status_code == 415


def test_imported_indicators_warn_on_a_later_message_and_a_later_draft(
    client: FlaskClient, issuer: LocalIssuer, app: Flask
) -> None:
    sec, fin = as_(issuer, "sec"), as_(issuer, "fin")
    before = client.post(
        "/api/v1/analyze", json=raw("Billing <billing@fraud-example.com>"), headers=fin
    )
    assert finding(before, "REPORTED_ADDRESS") is None

    rv = import_csv(client, sec, GOOD)
    check_response("/api/v1/indicators/import", "post", rv)
    assert rv.get_json() == {"rows": 4, "added": 4, "already_known": 0}

    rv = client.post(
        "/api/v1/analyze", json=raw("Billing <billing@fraud-example.com>"), headers=fin
    )
    check_response("/api/v1/analyze", "post", rv)
    assert rv.get_json()["level"] == "danger"
    f = finding(rv, "REPORTED_ADDRESS")
    assert f is not None and f["check"] == "reported_sender" and f["severity"] == "danger"
    reported = f["evidence"][1]["value"]
    assert "imported from a shared list" in reported and "Sam Shield <sec@example.com>" in reported
    assert "ISAC bulletin 7" in reported

    body = "Please pay IBAN GB29 NWBK 6016 1331 9268 19 or call +44 20 7946 0958."
    rv = client.post("/api/v1/analyze", json=raw("a@partner-example.com", body), headers=fin)
    assert {"REPORTED_ACCOUNT", "REPORTED_PHONE"} <= {x["id"] for x in rv.get_json()["findings"]}
    assert finding(rv, "REPORTED_ACCOUNT")["evidence"][0]["value"] == "GB29 **** 6819"

    draft = {
        "from": {"address": "fin@example.org"},
        "to": [{"name": "Anna", "address": "anna@partner-example.com"}],
        "cc": [{"name": "Billing", "address": "billing@fraud-examp1e.com"}],
    }
    rv = client.post("/api/v1/recipients", json=draft, headers=fin)
    check_response("/api/v1/recipients", "post", rv)
    body = rv.get_json()
    assert body["level"] == "danger"
    lines = {r["address"]: (r["level"], r["findings"]) for r in body["recipients"]}
    assert lines["billing@fraud-examp1e.com"] == ("danger", ["REPORTED_DOMAIN"])
    assert lines["anna@partner-example.com"] == ("none", [])
    assert "Sam Shield" in finding(rv, "REPORTED_DOMAIN")["evidence"][2]["value"]

    [entry] = AuditLog(app.extensions["caveat"].store).entries()
    assert entry.action == "indicator.import" and entry.actor == "Sam Shield <sec@example.com>"


def test_one_indicator_added_listed_and_removed(
    client: FlaskClient, issuer: LocalIssuer, app: Flask
) -> None:
    adm, ana = as_(issuer, "adm"), as_(issuer, "ana")
    body = {"kind": "address", "value": "CEO@Fraud-Example.com", "note": "seen twice"}
    rv = client.post("/api/v1/indicators", json=body, headers=adm)
    check_response("/api/v1/indicators", "post", rv)
    assert rv.status_code == 201
    made = rv.get_json()["indicator"]
    assert made["value"] == "ceo@fraud-example.com" and made["source"] == "api"
    assert made["created_by"] == "Ada Admin <adm@example.com>" and made["state"] == "active"
    rv = client.post("/api/v1/indicators", json=body, headers=adm)
    assert rv.status_code == 200 and rv.get_json()["created"] is False

    hit = client.post("/api/v1/analyze", json=raw("ceo@fraud-example.com"), headers=ana)
    assert finding(hit, "REPORTED_ADDRESS") is not None

    rv = client.get("/api/v1/indicators?kind=address", headers=adm)
    check_response("/api/v1/indicators", "get", rv)
    assert [i["id"] for i in rv.get_json()["indicators"]] == [made["id"]]

    rv = client.delete(f"/api/v1/indicators/{made['id']}", headers=adm)
    check_response("/api/v1/indicators/{indicator_id}", "delete", rv)
    assert rv.get_json()["indicator"]["state"] == "removed"
    assert client.delete(f"/api/v1/indicators/{made['id']}", headers=adm).status_code == 404
    quiet = client.post("/api/v1/analyze", json=raw("ceo@fraud-example.com"), headers=ana)
    assert finding(quiet, "REPORTED_ADDRESS") is None
    assert client.get("/api/v1/indicators", headers=adm).get_json()["indicators"] == []
    listed = client.get("/api/v1/indicators?all=true", headers=adm).get_json()["indicators"]
    assert [i["state"] for i in listed] == ["removed"]

    entries = AuditLog(app.extensions["caveat"].store).entries()
    assert [(e.action, e.actor_subject) for e in entries] == [
        ("indicator.add", issuer.users["adm"].oid),
        ("indicator.remove", issuer.users["adm"].oid),
    ]


@pytest.mark.parametrize(
    ("body", "says"),
    [
        ({"kind": "ip", "value": "192.0.2.1"}, "unknown kind"),
        ({"kind": "account", "value": "DE00 3704 0044 0532 0130 00"}, "check digits"),
        ({"kind": "domain", "value": "com"}, "domain"),
        ({"kind": "domain", "value": "gmail.com"}, "free-mail provider"),
        ({"kind": "address", "value": "x@fraud-example.com", "by": "someone"}, "unknown field"),
        ({"kind": "address"}, "required"),
        ({"kind": "address", "value": "x@fraud-example.com", "expires_at": "2001-01-01"}, "future"),
        ({"kind": "address", "value": "x@fraud-example.com", "expires_at": "soon"}, "date-time"),
        ({"kind": "address", "value": "x@fraud-example.com", "note": "n" * 301}, "note"),
    ],
)
def test_a_bad_indicator_is_a_400(
    client: FlaskClient, issuer: LocalIssuer, body: dict[str, Any], says: str
) -> None:
    rv = client.post("/api/v1/indicators", json=body, headers=as_(issuer, "sec"))
    check_response("/api/v1/indicators", "post", rv)
    assert rv.status_code == 400 and says in rv.get_json()["error"]["message"]


def test_an_expiring_indicator_stops_counting(
    client: FlaskClient, issuer: LocalIssuer, app: Flask
) -> None:
    sec = as_(issuer, "sec")
    rv = import_csv(client, sec, GOOD, "?expires_at=2999-01-01T00:00:00Z")
    assert rv.status_code == 200
    listed = client.get("/api/v1/indicators", headers=sec).get_json()["indicators"]
    assert {i["expires_at"] for i in listed} == {"2999-01-01T00:00:00Z"}
    assert import_csv(client, sec, GOOD, "?expires_at=2001-01-01").status_code == 400


@pytest.mark.parametrize("user", ["ana", "fin"])
def test_only_security_and_admins_handle_indicators(
    client: FlaskClient, issuer: LocalIssuer, user: str
) -> None:
    who = as_(issuer, user)
    assert client.get("/api/v1/indicators", headers=who).status_code == 403
    assert import_csv(client, who, GOOD).status_code == 403
    body = {"kind": "address", "value": "x@fraud-example.com"}
    assert client.post("/api/v1/indicators", json=body, headers=who).status_code == 403
    assert client.delete("/api/v1/indicators/1", headers=who).status_code == 403
    store: Store = client.application.extensions["caveat"].store
    assert AuditLog(store).entries() == []
