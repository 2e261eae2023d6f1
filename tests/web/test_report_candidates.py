"""A report may carry the reported message itself (the analyze request's body): the
service reads from it the Reply-To addresses, look-alike domains, bank accounts and phone
numbers a confirmation makes indicators of, instead of trusting the client to pick them,
and keeps nothing of the message's text. Our own and partners' addresses, domains, accounts
and phone numbers never become indicators."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from caveat.knowledge.shared import account_ref
from caveat.storage.indicators import IndicatorStore
from caveat.storage.reports import ReportRow
from tests.identity_app import as_, make_app
from tests.identity_issuer import LocalIssuer

from .test_contract import check_response

FIXTURES = Path(__file__).parent.parent / "fixtures"
SEED = FIXTURES / "seed" / "02-fake-reply-via-relay.eml"
PARTNERS = (FIXTURES / "directory" / "seed-partners.csv").read_text()
#: The seed's organisation: the attack is addressed to its people.
OURS = {"INTERNAL_DOMAINS": ["partnera.example"]}
NEW_IBAN = "GB29 NWBK 6016 1331 9268 19"
ON_FILE_IBAN = "DE89 3704 0044 0532 0130 00"  # Partner B's account on file
REPLY_TO = "finance.person.partnerb@gmail.com"
SENDER = "finance-person@partnerb.example"


@pytest.fixture
def app(issuer: LocalIssuer, tmp_path: Path) -> Flask:
    return make_app({**OURS, **issuer.settings()}, tmp_path / "instance")


@pytest.fixture
def directory(client: FlaskClient, issuer: LocalIssuer) -> None:
    rv = client.put(
        "/api/v1/partners", data=PARTNERS, content_type="text/csv", headers=as_(issuer, "adm")
    )
    assert rv.status_code == 200, rv.get_json()


def seed_attack(extra: str = "") -> str:
    """The seed's fake reply through the relay (diverted Reply-To), its new bank details in
    the body rather than "attached"."""
    text = SEED.read_text()
    head, _, body = text.partition("\n\n")
    body = body.replace(
        "the\nupdated account is attached.",
        f"the\nupdated account is IBAN {NEW_IBAN}.{extra}",
    )
    return head + "\n\n" + body


def report(message: dict[str, Any] | None, sender: str = SENDER, **more: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "from": {"name": "Finance Person", "address": sender},
        "internet_message_id": "<20241106123140.8f3a1c2b@relay.mailrelay-host.example>",
        "level": "danger",
        "finding_ids": ["REPLYTO_FREEMAIL"],
        **more,
    }
    if message is not None:
        body["message"] = message
    return body


def open_reports(client: FlaskClient, issuer: LocalIssuer) -> list[dict[str, Any]]:
    rv = client.get("/api/v1/reports?status=open", headers=as_(issuer, "sec"))
    check_response("/api/v1/reports", "get", rv)
    reports: list[dict[str, Any]] = rv.get_json()["reports"]
    return reports


def ids(rv: Any) -> dict[str, dict[str, Any]]:
    return {f["id"]: f for f in rv.get_json()["findings"]}


def parts(sender: str, body: str, **more: Any) -> dict[str, Any]:
    """An analyze payload in parts, as the add-ins send it."""
    return {
        "from": {"name": "Someone", "address": sender},
        "to": [{"name": "Anna Keller", "address": "anna.keller@partnera.example"}],
        "subject": "Invoice",
        "body": body,
        **more,
    }


def test_the_seed_attack_is_reported_confirmed_and_warns_everyone(
    client: FlaskClient, issuer: LocalIssuer, app: Flask, directory: None
) -> None:
    ana, sec, fin = as_(issuer, "ana"), as_(issuer, "sec"), as_(issuer, "fin")
    message = {"raw": seed_attack()}
    analysed = client.post("/api/v1/analyze", json=message, headers=ana)
    assert analysed.status_code == 200
    [bank] = [e for f in analysed.get_json()["findings"] for e in f["evidence"] if e.get("ref")][:1]

    rv = client.post("/api/v1/reports", json=report(message), headers=ana)
    assert rv.status_code == 201, rv.get_json()
    check_response("/api/v1/reports", "post", rv)
    rid = rv.get_json()["id"]

    # The triage queue shows what the service found, accounts masked.
    [listed] = open_reports(client, issuer)
    assert listed["id"] == rid
    assert listed["indicators"] == {
        "reply_to": [REPLY_TO],
        "domains": [],
        "accounts": ["GB29 **** 6819"],
        "phones": [],
    }
    # Stored: the account's reference the analysis showed, its masked form; no text.
    store = app.extensions["caveat"].store
    with store.session() as s:
        row = s.get(ReportRow, rid)
        assert row is not None and row.refs is not None
        stored = json.loads(row.refs)
    assert stored["accounts"] == [[bank["ref"], "GB29 **** 6819"]]
    assert stored["accounts"][0][0] == account_ref(
        IndicatorStore(store).key(), "GB29NWBK60161331926819"
    )
    assert "NWBK" not in row.refs and "Invoice" not in row.refs and "1331" not in row.refs

    rv = client.post(f"/api/v1/reports/{rid}/confirm", headers=sec)
    check_response("/api/v1/reports/{report_id}/confirm", "post", rv)
    done = rv.get_json()
    assert sorted((i["kind"], i["value"]) for i in done["indicators"]) == [
        ("account", "GB29 **** 6819"),
        ("address", REPLY_TO),
    ]
    # The partner's own From, forged by the relay, is never made an indicator.
    assert [x["value"] for x in done["left_out"]] == [SENDER]

    # A later message with only the account, from somebody else entirely.
    only_account = parts("billing@elsewhere.example", f"Please pay to {NEW_IBAN} today.")
    rv = client.post("/api/v1/analyze", json=only_account, headers=fin)
    assert rv.get_json()["level"] == "danger"
    assert ids(rv)["REPORTED_ACCOUNT"]["severity"] == "danger"
    # The same British account written as sort code and account number.
    domestic = parts(
        "billing@elsewhere.example",
        "Please pay to sort code 60-16-13, account number 31926819 from now on.",
    )
    rv = client.post("/api/v1/analyze", json=domestic, headers=fin)
    assert ids(rv)["REPORTED_ACCOUNT"]["severity"] == "danger"
    # A later message with only the Reply-To.
    only_reply_to = parts(
        "someone@elsewhere.example", "Hello.", reply_to=[{"name": "", "address": REPLY_TO}]
    )
    rv = client.post("/api/v1/analyze", json=only_reply_to, headers=fin)
    assert rv.get_json()["level"] == "danger"
    assert ids(rv)["REPORTED_ADDRESS"]["severity"] == "danger"
    # The partner's genuine mail stays as it was.
    genuine = parts(SENDER, "The invoice is attached.")
    rv = client.post("/api/v1/analyze", json=genuine, headers=fin)
    assert not [i for i in ids(rv) if i.startswith("REPORTED_")]


def test_leave_out_keeps_what_security_chose_out_of_the_indicators(
    client: FlaskClient, issuer: LocalIssuer, directory: None
) -> None:
    ana, sec, fin = as_(issuer, "ana"), as_(issuer, "sec"), as_(issuer, "fin")
    rid = client.post(
        "/api/v1/reports", json=report({"raw": seed_attack()}), headers=ana
    ).get_json()["id"]
    rv = client.post(
        f"/api/v1/reports/{rid}/confirm", json={"leave_out": ["accounts"]}, headers=sec
    )
    assert rv.status_code == 200
    assert [(i["kind"], i["value"]) for i in rv.get_json()["indicators"]] == [("address", REPLY_TO)]
    rv = client.post(
        "/api/v1/analyze",
        json=parts("billing@elsewhere.example", f"Please pay to {NEW_IBAN} today."),
        headers=fin,
    )
    assert "REPORTED_ACCOUNT" not in ids(rv)


def test_a_look_alike_domain_is_found_and_ours_and_partners_are_not(
    client: FlaskClient, issuer: LocalIssuer, directory: None
) -> None:
    ana, sec = as_(issuer, "ana"), as_(issuer, "sec")
    message = parts(
        "finance-person@partnerb.example",
        # Partner B's account on file and a contact's phone number: never candidates.
        f"New account: {NEW_IBAN} (was {ON_FILE_IBAN}). Call +49 30 1234567 or +44 20 7946 0958.",
        reply_to=[
            {"name": "Finance Person", "address": "finance-person@partnerb-example.example"},
            {"name": "Anna Keller", "address": "anna.keller@partnera.example"},
        ],
    )
    analysed = client.post("/api/v1/analyze", json=message, headers=ana)
    assert "LOOKALIKE_DOMAIN" in ids(analysed) or "LOOKALIKE_DOMAIN_VARIANT" in ids(analysed)
    rv = client.post("/api/v1/reports", json=report(message), headers=ana)
    assert rv.status_code == 201, rv.get_json()
    [listed] = open_reports(client, issuer)
    assert listed["indicators"] == {
        "reply_to": [
            "finance-person@partnerb-example.example",
            "anna.keller@partnera.example",
        ],
        "domains": ["partnerb-example.example"],
        "accounts": ["GB29 **** 6819"],
        "phones": ["+442079460958"],
    }
    done = client.post(f"/api/v1/reports/{listed['id']}/confirm", headers=sec).get_json()
    made = {(i["kind"], i["value"]) for i in done["indicators"]}
    assert ("domain", "partnerb-example.example") in made
    assert ("address", "finance-person@partnerb-example.example") in made
    assert not {v for _k, v in made if "partnera.example" in v or v.endswith("partnerb.example")}
    assert {x["value"] for x in done["left_out"]} == {SENDER, "anna.keller@partnera.example"}


def test_phone_numbers_come_from_the_senders_own_words_only(
    client: FlaskClient, issuer: LocalIssuer, directory: None
) -> None:
    """A quoted earlier message may carry our own signature's number."""
    body = (
        "Please call me on +44 20 7946 0958.\n\n"
        "On Tue, Anna Keller wrote:\n"
        "> Regards, Anna Keller, +44 20 7946 0123\n"
    )
    rv = client.post(
        "/api/v1/reports", json=report(parts(SENDER, body)), headers=as_(issuer, "ana")
    )
    assert rv.status_code == 201
    [listed] = open_reports(client, issuer)
    assert listed["indicators"]["phones"] == ["+442079460958"]


@pytest.mark.parametrize(
    ("internal", "found"),
    [
        (["ours.de"], ["+49301234599"]),  # Germany's national form read for a .de company
        (["ours.example"], []),  # no country: international form only
    ],
)
def test_national_phone_numbers_are_read_for_our_own_domains_countries(
    issuer: LocalIssuer, tmp_path: Path, internal: list[str], found: list[str]
) -> None:
    app = make_app({"INTERNAL_DOMAINS": internal, **issuer.settings()}, tmp_path / "i")
    client = app.test_client()
    message = parts("x@fraud.example", "Call us on 030 1234599 today.")
    rv = client.post(
        "/api/v1/reports", json=report(message, "x@fraud.example"), headers=as_(issuer, "ana")
    )
    assert rv.status_code == 201, rv.get_json()
    [listed] = open_reports(client, issuer)
    assert listed["indicators"]["phones"] == found


def test_the_clients_indicators_are_merged_and_a_report_without_message_is_as_before(
    client: FlaskClient, issuer: LocalIssuer, app: Flask, directory: None
) -> None:
    ana = as_(issuer, "ana")
    store = app.extensions["caveat"].store
    ref = account_ref(IndicatorStore(store).key(), "GB29NWBK60161331926819")
    given = {
        "reply_to": ["other@fraud.example"],
        "accounts": [{"account_ref": ref, "masked": "GB29 **** 6819"}],
    }
    rv = client.post(
        "/api/v1/reports",
        json=report({"raw": seed_attack()}, indicators=given),
        headers=ana,
    )
    assert rv.status_code == 201
    [listed] = open_reports(client, issuer)
    assert listed["indicators"]["reply_to"] == ["other@fraud.example", REPLY_TO]
    assert listed["indicators"]["accounts"] == ["GB29 **** 6819"]

    rv = client.post(
        "/api/v1/reports",
        json=report(None, "x@fraud.example", internet_message_id="<other@x>"),
        headers=ana,
    )
    assert rv.status_code == 201
    newest = open_reports(client, issuer)[0]
    assert newest["sender"] == "x@fraud.example"
    assert newest["indicators"] == {"reply_to": [], "domains": [], "accounts": [], "phones": []}


@pytest.mark.parametrize(
    ("message", "status", "says"),
    [
        ("From: x@y", 400, "message must be an object"),
        ({"raw": "x", "body": "y"}, 400, "message: send either a raw message or its parts"),
        ({"from": {"address": SENDER}, "colour": "red"}, 400, "message: unknown field: colour"),
        ({"from": {"address": SENDER}, "body": 5}, 400, "message: body must be a string"),
        ({"from": {"address": "other@partnerb.example"}, "body": "x"}, 400, "not the reported"),
        (
            {
                "from": {"address": SENDER},
                "to": [{"address": f"p{i}@partnera.example"} for i in range(5000)],
            },
            413,
            "message: the message has 5000 recipients",
        ),
    ],
)
def test_a_bad_message_is_refused_and_nothing_is_stored(
    client: FlaskClient, issuer: LocalIssuer, message: Any, status: int, says: str
) -> None:
    rv = client.post("/api/v1/reports", json=report(message), headers=as_(issuer, "ana"))
    assert rv.status_code == status, rv.get_json()
    assert says in rv.get_json()["error"]["message"]
    assert open_reports(client, issuer) == []


def test_an_oversize_report_is_a_413_before_it_is_read(issuer: LocalIssuer, tmp_path: Path) -> None:
    app = make_app({**OURS, **issuer.settings(), "MAX_REQUEST_BYTES": 4096}, tmp_path / "i")
    client = app.test_client()
    ana = as_(issuer, "ana")
    big = report(parts(SENDER, "x" * 5000))
    rv = client.post("/api/v1/reports", json=big, headers=ana)
    assert rv.status_code == 413
    assert open_reports(client, issuer) == []
    # A whole message fits where the small bodies' limit would refuse it.
    app = make_app({**OURS, **issuer.settings(), "MAX_SMALL_REQUEST_BYTES": 1024}, tmp_path / "j")
    client = app.test_client()
    rv = client.post("/api/v1/reports", json=report({"raw": seed_attack()}), headers=ana)
    assert rv.status_code == 201, rv.get_json()


def test_a_reply_to_that_is_the_sender_is_not_offered_twice(
    client: FlaskClient, issuer: LocalIssuer
) -> None:
    message = parts(
        "x@fraud.example",
        "Hello.",
        reply_to=[
            {"name": "X", "address": "X@Fraud.example"},
            {"name": "Y", "address": "y@fraud.example"},
        ],
    )
    rv = client.post(
        "/api/v1/reports", json=report(message, "x@fraud.example"), headers=as_(issuer, "ana")
    )
    assert rv.status_code == 201, rv.get_json()
    [listed] = open_reports(client, issuer)
    assert listed["indicators"]["reply_to"] == ["y@fraud.example"]


def test_outlooks_payload_with_its_headers_gives_the_reply_to(
    client: FlaskClient, issuer: LocalIssuer, directory: None
) -> None:
    """Outlook sends the parts it shows and the internet headers it reads; the diverted
    Reply-To stands in the headers only."""
    head = seed_attack().partition("\n\n")[0].replace("\n", "\r\n") + "\r\n"
    message = {
        "from": {"name": "Finance Person", "address": SENDER},
        "to": [{"name": "Anna Keller", "address": "anna.keller@partnera.example"}],
        "subject": "RE: Invoice 2024-1187 - payment reminder",
        "headers": head,
        "body": f"Our bank details have changed; the new account is IBAN {NEW_IBAN}.",
        "internet_message_id": "<20241106123140.8f3a1c2b@relay.mailrelay-host.example>",
    }
    rv = client.post("/api/v1/reports", json=report(message), headers=as_(issuer, "ana"))
    assert rv.status_code == 201, rv.get_json()
    [listed] = open_reports(client, issuer)
    assert listed["indicators"]["reply_to"] == [REPLY_TO]
    assert listed["indicators"]["accounts"] == ["GB29 **** 6819"]
