"""Report triage: a reporter sees their own open report at once and nobody else does;
security confirms it (its sender, Reply-To, look-alike domain, account and phone number
become indicators for everyone) or dismisses it (nothing does); and the indicators reach
another service instance on the same database within seconds."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from caveat.knowledge.shared import account_ref
from caveat.storage.audit import AuditLog
from caveat.storage.indicators import IndicatorStore
from caveat.storage.store import Store
from tests.identity_app import OURS, as_, make_app, two_apps
from tests.identity_issuer import LocalIssuer

from .test_contract import check_response
from .test_intel_api import finding, raw

SENDER = "Accounts <accounts@partner-examp1e.com>"
MESSAGE_ID = "<Invoice-42.7f3a@partner-examp1e.com>"
IBAN = "GB29NWBK60161331926819"


@pytest.fixture
def app(issuer: LocalIssuer, tmp_path: Path) -> Flask:
    return make_app({**OURS, **issuer.settings()}, tmp_path / "instance")


def the_message(body: str = "Please see the attached invoice.") -> dict[str, str]:
    return raw(SENDER, body, Reply_To="payments@freemail-example.com", Message_ID=MESSAGE_ID)


def report_body(store: Store) -> dict[str, Any]:
    """What the add-in sends: the sender and ids, and what the analysis showed."""
    ref = account_ref(IndicatorStore(store).key(), IBAN)
    return {
        "from": {"name": "Accounts", "address": "accounts@partner-examp1e.com"},
        "internet_message_id": MESSAGE_ID,
        "level": "danger",
        "finding_ids": ["REPLYTO_FREEMAIL"],
        "indicators": {
            "reply_to": ["payments@freemail-example.com"],
            "domains": ["partner-examp1e.com"],
            "accounts": [{"account_ref": ref, "masked": "GB29 **** 6819"}],
            "phones": ["+44 20 7946 0958"],
        },
    }


def ids(rv: Any) -> set[str]:
    return {f["id"] for f in rv.get_json()["findings"]}


def test_the_reporter_alone_sees_their_open_report(
    client: FlaskClient, issuer: LocalIssuer, app: Flask
) -> None:
    ana, fin = as_(issuer, "ana"), as_(issuer, "fin")
    store = app.extensions["caveat"].store
    assert "REPORTED_BY_YOU" not in ids(
        client.post("/api/v1/analyze", json=the_message(), headers=ana)
    )
    rv = client.post("/api/v1/reports", json=report_body(store), headers=ana)
    assert rv.status_code == 201, rv.get_json()
    mine = client.post("/api/v1/analyze", json=the_message(), headers=ana)
    f = finding(mine, "REPORTED_BY_YOU")
    assert f is not None and "you reported this message as fraud" in f["evidence"][0]["value"]
    # a later message from the same sender too, for the reporter
    later = raw(SENDER, "Reminder.", Message_ID="<later@partner-examp1e.com>")
    assert "REPORTED_BY_YOU" in ids(client.post("/api/v1/analyze", json=later, headers=ana))
    # nobody else
    theirs = client.post("/api/v1/analyze", json=the_message(), headers=fin)
    assert not {i for i in ids(theirs) if i.startswith("REPORTED_")}


@pytest.mark.parametrize(
    ("indicators", "says"),
    [
        ({"reply_to": ["not an address"]}, "indicators.reply_to"),
        ({"domains": ["com"]}, "indicators.domains"),
        ({"phones": ["12"]}, "indicators.phones"),
        ({"accounts": [{"account_ref": "GB29NWBK60161331926819", "masked": "x"}]}, "account_ref"),
        ({"accounts": [{"account_ref": "a" * 64, "masked": "GB29NWBK60161331926819"}]}, "masked"),
    ],
)
def test_a_report_with_a_bad_indicator_is_a_400_and_no_report(
    client: FlaskClient, issuer: LocalIssuer, app: Flask, indicators: dict[str, Any], says: str
) -> None:
    body = {**report_body(app.extensions["caveat"].store), "indicators": indicators}
    rv = client.post("/api/v1/reports", json=body, headers=as_(issuer, "ana"))
    assert rv.status_code == 400 and says in rv.get_json()["error"]["message"]
    listed = client.get("/api/v1/reports", headers=as_(issuer, "sec")).get_json()["reports"]
    assert listed == []


def test_a_confirmed_report_warns_everyone_else(
    client: FlaskClient, issuer: LocalIssuer, app: Flask
) -> None:
    ana, fin, sec = as_(issuer, "ana"), as_(issuer, "fin"), as_(issuer, "sec")
    store = app.extensions["caveat"].store
    rid = client.post("/api/v1/reports", json=report_body(store), headers=ana).get_json()["id"]

    rv = client.get("/api/v1/reports?status=open", headers=sec)
    check_response("/api/v1/reports", "get", rv)
    [queued] = rv.get_json()["reports"]
    assert queued["id"] == rid and queued["status"] == "open"
    assert queued["indicators"]["accounts"] == ["GB29 **** 6819"]
    assert queued["reporter"] == "ana@example.org"

    assert client.post(f"/api/v1/reports/{rid}/confirm", headers=ana).status_code == 403
    assert client.post(f"/api/v1/reports/{rid}/confirm", headers=fin).status_code == 403
    rv = client.post(f"/api/v1/reports/{rid}/confirm", headers=sec)
    check_response("/api/v1/reports/{report_id}/confirm", "post", rv)
    done = rv.get_json()
    assert done["report"]["status"] == "confirmed"
    assert done["report"]["triaged_by"] == "Sam Shield <sec@example.com>"
    assert sorted((i["kind"], i["value"]) for i in done["indicators"]) == [
        ("account", "GB29 **** 6819"),
        ("address", "accounts@partner-examp1e.com"),
        ("address", "payments@freemail-example.com"),
        ("domain", "partner-examp1e.com"),
        ("phone", "+442079460958"),
    ]
    rv = client.post(f"/api/v1/reports/{rid}/confirm", headers=sec)
    check_response("/api/v1/reports/{report_id}/confirm", "post", rv)
    assert rv.status_code == 409 and rv.get_json()["error"]["code"] == "already_triaged"
    assert client.post("/api/v1/reports/999/dismiss", headers=sec).status_code == 404
    assert client.get("/api/v1/reports?status=open", headers=sec).get_json()["reports"] == []
    assert client.get("/api/v1/reports?status=maybe", headers=sec).status_code == 400

    # a later message from the fraudster, to a colleague
    body = "New bank details: IBAN GB29 NWBK 6016 1331 9268 19. Questions? +44 20 7946 0958"
    later = raw("Accounts <accounts@partner-examp1e.com>", body, Message_ID="<n@x>")
    rv = client.post("/api/v1/analyze", json=later, headers=fin)
    assert rv.get_json()["level"] == "danger"
    assert {"REPORTED_ADDRESS", "REPORTED_ACCOUNT", "REPORTED_PHONE"} <= ids(rv)
    reported = finding(rv, "REPORTED_ADDRESS")["evidence"][1]["value"]
    assert "confirmed from a colleague's report" in reported
    assert "Sam Shield <sec@example.com>" in reported
    assert f"reported by ana@example.org, {queued['reported_at'][:10]}" in reported
    # the reporter's own note gave way to the finding everyone sees
    mine = client.post("/api/v1/analyze", json=the_message(), headers=ana)
    assert "REPORTED_BY_YOU" not in ids(mine) and "REPORTED_ADDRESS" in ids(mine)
    # a later draft to the Reply-To the fraudster used
    draft = {
        "from": {"address": "fin@example.org"},
        "to": [{"address": "payments@freemail-example.com"}],
    }
    rv = client.post("/api/v1/recipients", json=draft, headers=fin)
    assert rv.get_json()["level"] == "danger"
    assert rv.get_json()["recipients"][0]["findings"] == ["REPORTED_ADDRESS"]

    actions = [(e.action, e.actor) for e in AuditLog(store).entries(action="report.")]
    assert actions == [("report.confirm", "Sam Shield <sec@example.com>")]
    assert len(AuditLog(store).entries(action="indicator.add")) == 5


def test_a_dismissed_report_makes_no_indicator(
    client: FlaskClient, issuer: LocalIssuer, app: Flask
) -> None:
    ana, fin, sec = as_(issuer, "ana"), as_(issuer, "fin"), as_(issuer, "sec")
    store = app.extensions["caveat"].store
    rid = client.post("/api/v1/reports", json=report_body(store), headers=ana).get_json()["id"]
    rv = client.post(f"/api/v1/reports/{rid}/dismiss", headers=sec)
    check_response("/api/v1/reports/{report_id}/dismiss", "post", rv)
    assert rv.get_json()["report"]["status"] == "dismissed" and rv.get_json()["indicators"] == []
    for who in (ana, fin):
        rv = client.post("/api/v1/analyze", json=the_message(), headers=who)
        assert not {i for i in ids(rv) if i.startswith("REPORTED_")}
    assert client.get("/api/v1/indicators?all=true", headers=sec).get_json()["indicators"] == []
    assert [e.action for e in AuditLog(store).entries()] == ["report.dismiss"]


@pytest.mark.parametrize("backend", ["sqlite-file", "postgresql"])
def test_a_confirmation_on_one_instance_reaches_another_within_seconds(
    issuer: LocalIssuer, tmp_path: Path, request: pytest.FixtureRequest, backend: str
) -> None:
    with two_apps(issuer, tmp_path, request, backend) as (first, second):
        exchange(issuer, first, second)


def exchange(issuer: LocalIssuer, first: Flask, second: Flask) -> None:
    a, b = first.test_client(), second.test_client()
    ana, fin, sec = as_(issuer, "ana"), as_(issuer, "fin"), as_(issuer, "sec")
    later = raw("Accounts <accounts@partner-examp1e.com>", "Hello", Message_ID="<z@x>")
    # the second instance has read its snapshot before the report exists
    assert not {
        i for i in ids(b.post("/api/v1/analyze", json=later, headers=fin)) if "REPORTED" in i
    }
    store = first.extensions["caveat"].store
    rid = a.post("/api/v1/reports", json=report_body(store), headers=ana).get_json()["id"]
    # the reporter's own note reaches the other instance too
    deadline = time.monotonic() + 10
    while "REPORTED_BY_YOU" not in ids(b.post("/api/v1/analyze", json=the_message(), headers=ana)):
        assert time.monotonic() < deadline, "the open report never reached the second instance"
        time.sleep(0.2)
    assert a.post(f"/api/v1/reports/{rid}/confirm", headers=sec).status_code == 200
    started = time.monotonic()
    while "REPORTED_ADDRESS" not in ids(b.post("/api/v1/analyze", json=later, headers=fin)):
        assert time.monotonic() - started < 10, "the indicator never reached the second instance"
        time.sleep(0.2)
    rv = b.post("/api/v1/analyze", json=later, headers=fin)
    assert "Sam Shield <sec@example.com>" in finding(rv, "REPORTED_ADDRESS")["evidence"][1]["value"]
    # a removal on the second reaches the first
    indicators = b.get("/api/v1/indicators?kind=address", headers=sec).get_json()["indicators"]
    for i in indicators:
        assert b.delete(f"/api/v1/indicators/{i['id']}", headers=sec).status_code == 200
    started = time.monotonic()
    while "REPORTED_ADDRESS" in ids(a.post("/api/v1/analyze", json=later, headers=fin)):
        assert time.monotonic() - started < 10, "the removal never reached the first instance"
        time.sleep(0.2)


def test_a_report_through_a_service_key_is_nobodys_own(tmp_path: Path) -> None:
    """One key may serve many people (a demo add-in's, without sign-in): what it reports is
    shown to no one as their own."""
    app = make_app(OURS, tmp_path / "keys")
    client = app.test_client()
    store = app.extensions["caveat"].store
    _, key = store.create_key("demo", scopes=["analyze", "report"])
    demo = {"Authorization": f"Bearer {key}"}
    assert client.post("/api/v1/reports", json=report_body(store), headers=demo).status_code == 201
    rv = client.post("/api/v1/analyze", json=the_message(), headers=demo)
    assert "REPORTED_BY_YOU" not in ids(rv)


PARTNERS = (
    "organization,domain,contact_name,contact_email,contact_phone,bank_accounts,require_auth\n"
    "Partner Example,partner-example.com,Anna Berg,anna@partner-example.com,+44 20 7946 0001,,\n"
)


def test_a_partners_forged_address_is_never_made_an_indicator(
    client: FlaskClient, issuer: LocalIssuer, app: Flask
) -> None:
    """The seed's fraud keeps the partner's own From: an indicator on it would warn about
    every genuine message of the partner. Security may leave out more."""
    adm, ana, sec = as_(issuer, "adm"), as_(issuer, "ana"), as_(issuer, "sec")
    rv = client.put("/api/v1/partners", data=PARTNERS, content_type="text/csv", headers=adm)
    assert rv.status_code == 200
    store = app.extensions["caveat"].store
    body = report_body(store)
    body["from"] = {"name": "Anna Berg", "address": "anna@partner-example.com"}
    body["indicators"]["domains"] = ["partner-example.com", "partner-examp1e.com"]
    rid = client.post("/api/v1/reports", json=body, headers=ana).get_json()["id"]
    assert (
        client.post(
            f"/api/v1/reports/{rid}/confirm", json={"leave_out": ["everything"]}, headers=sec
        ).status_code
        == 400
    )
    rv = client.post(f"/api/v1/reports/{rid}/confirm", json={"leave_out": ["phones"]}, headers=sec)
    check_response("/api/v1/reports/{report_id}/confirm", "post", rv)
    done = rv.get_json()
    assert sorted((i["kind"], i["value"]) for i in done["indicators"]) == [
        ("account", "GB29 **** 6819"),
        ("address", "payments@freemail-example.com"),
        ("domain", "partner-examp1e.com"),
    ]
    partners = "a domain of Partner Example, a partner (a forged message can use it)"
    assert {x["value"]: x["reason"] for x in done["left_out"]} == {
        "anna@partner-example.com": partners,
        "partner-example.com": partners,
        "+442079460958": "left out by the person who confirmed it",
    }
    genuine = raw("Anna Berg <anna@partner-example.com>", "Hello", Message_ID="<g@x>")
    rv = client.post("/api/v1/analyze", json=genuine, headers=as_(issuer, "fin"))
    assert not {i for i in ids(rv) if i.startswith("REPORTED_")}
    [audit] = AuditLog(store).entries(action="report.confirm")
    assert len(audit.after["left_out"]) == 3
