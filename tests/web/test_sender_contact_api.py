"""GET /api/v1/senders/contact, Verify sender: the partner a message is from, or claims to
be from, with its contacts from the directory (never from the mail, never its bank
accounts); any API key; bad input is a 400 in the JSON error shape."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from caveat.knowledge.partners_csv import parse_partners_csv
from caveat.storage.directory_store import DirectoryStore
from caveat.storage.store import Store
from caveat.web.app import create_app

from .test_contract import ERROR_SCHEMA, check_response, validate

PATH = "/api/v1/senders/contact"
PARTNERS = """\
organization,domain,contact_name,contact_email,contact_phone,bank_accounts,require_auth
Acme Supplies,acme.example,Ben Ortiz,ben.ortiz@acme.example,+49 30 1111,DE89 3704 0044 0532 0130 00,
Acme Supplies,acme.example,Felix Brandt,felix.brandt@acme.example,+49 30 2222,,
Solo Supplier,,Sam Solo,sam.solo@gmail.com,+49 89 3333,GB29 NWBK 6016 1331 9268 19,
"""
ACCOUNTS = ("DE89", "3704", "0532", "0130", "GB29", "NWBK", "9268")


@pytest.fixture
def app(caveat_env: Path) -> Flask:
    app = create_app(
        {"TESTING": True, "DATABASE_URL": "sqlite://", "INTERNAL_DOMAINS": ["ours.example"]}
    )
    services = app.extensions["caveat"]
    DirectoryStore(services.store).import_partners(parse_partners_csv(PARTNERS).partners)
    services.analyzer.refresh()
    return app


def ask(client: FlaskClient, auth: dict[str, str], **query: str) -> TestResponse:
    return client.get(PATH, headers=auth, query_string=query)


def contact(client: FlaskClient, auth: dict[str, str], **query: str) -> dict[str, Any]:
    rv = ask(client, auth, **query)
    assert rv.status_code == 200, rv.get_json()
    check_response(PATH, "get", rv)
    assert rv.headers["Cache-Control"] == "no-store"
    text = rv.get_data(as_text=True)
    for piece in ACCOUNTS:
        assert piece not in text
    assert "bank" not in text.lower()
    answer: dict[str, Any] = rv.get_json()
    return answer


def test_the_address_on_file(client: FlaskClient, auth: dict[str, str]) -> None:
    answer = contact(client, auth, address="Felix.Brandt@acme.example", name="Felix Brandt")
    assert answer == {
        "known": True,
        "organization": "Acme Supplies",
        "matched_by": "address",
        "contacts": [
            {"name": "Felix Brandt", "email": "felix.brandt@acme.example", "phone": "+49 30 2222"},
            {"name": "Ben Ortiz", "email": "ben.ortiz@acme.example", "phone": "+49 30 1111"},
        ],
        "note": answer["note"],
    }
    assert "number on file" in answer["note"]


def test_a_partner_on_free_mail_is_found_by_its_address(
    client: FlaskClient, auth: dict[str, str]
) -> None:
    answer = contact(client, auth, address="sam.solo@gmail.com")
    assert (answer["organization"], answer["matched_by"]) == ("Solo Supplier", "address")
    assert answer["contacts"] == [
        {"name": "Sam Solo", "email": "sam.solo@gmail.com", "phone": "+49 89 3333"}
    ]


def test_the_partners_domain(client: FlaskClient, auth: dict[str, str]) -> None:
    answer = contact(client, auth, address="ada.lang@mail.acme.example", name="Ada Lang")
    assert (answer["organization"], answer["matched_by"]) == ("Acme Supplies", "domain")
    assert len(answer["contacts"]) == 2


def test_a_domain_that_imitates_the_partners(client: FlaskClient, auth: dict[str, str]) -> None:
    answer = contact(client, auth, address="ben.ortiz@acrne.example", name="Ben Ortiz")
    assert (answer["organization"], answer["matched_by"]) == ("Acme Supplies", "lookalike")
    assert answer["note"] == (
        "The sender's domain imitates acme.example, the domain of Acme Supplies; "
        "call the number on file, not one from the message."
    )
    assert answer["contacts"][0]["email"] == "ben.ortiz@acme.example"


@pytest.mark.parametrize(
    ("name", "first"),
    [("Ben Ortiz", "Ben Ortiz"), ("ortiz, ben", "Ben Ortiz"), ("ACME  supplies", "Ben Ortiz")],
)
def test_a_free_mail_sender_using_a_partners_name(
    client: FlaskClient, auth: dict[str, str], name: str, first: str
) -> None:
    answer = contact(client, auth, address="acme.payments@gmail.com", name=name)
    assert (answer["organization"], answer["matched_by"]) == ("Acme Supplies", "name")
    assert answer["contacts"][0]["name"] == first
    assert "not on file" in answer["note"]


@pytest.mark.parametrize(
    ("address", "name"),
    [
        ("stranger@unknown.example", "Some One"),
        ("stranger@gmail.com", ""),
        ("cleo.park@ours.example", "Ben Ortiz"),  # a colleague, whatever the name
        ("it@0urs.example", "IT Desk"),  # imitates us: no partner's number helps
        ("ben.ortiz@gmail.com", "Ben"),  # one word is not a name
    ],
)
def test_unknown_senders(
    client: FlaskClient, auth: dict[str, str], address: str, name: str
) -> None:
    assert contact(client, auth, address=address, name=name) == {"known": False}


def test_any_key_may_ask_and_a_key_is_needed(
    client: FlaskClient, auth: dict[str, str], store: Store
) -> None:
    _, admin_key = store.create_key("admin-tool", admin=True)
    for headers in (auth, {"Authorization": f"Bearer {admin_key}"}):
        assert ask(client, headers, address="ben.ortiz@acme.example").status_code == 200
    for headers in ({}, {"Authorization": "Bearer cav_not-a-key"}):
        rv = ask(client, headers, address="ben.ortiz@acme.example")
        assert rv.status_code == 401
        check_response(PATH, "get", rv)


@pytest.mark.parametrize(
    "query",
    [
        {},
        {"address": ""},
        {"address": "   "},
        {"name": "Ben Ortiz"},
        {"address": "no-at-sign"},
        {"address": "@acme.example"},
        {"address": "ben@"},
        {"address": "a" * 308 + "@acme.example"},
        {"address": "ben.ortiz@acme.example", "name": "n" * 257},
    ],
)
def test_bad_queries_are_400(
    client: FlaskClient, auth: dict[str, str], query: dict[str, str]
) -> None:
    rv = ask(client, auth, **query)
    assert rv.status_code == 400, rv.get_data(as_text=True)
    validate(rv.get_json(), ERROR_SCHEMA)
    assert rv.get_json()["error"]["code"] == "invalid_field"
    check_response(PATH, "get", rv)


def test_a_parameter_given_twice_is_400(client: FlaskClient, auth: dict[str, str]) -> None:
    rv = client.get(PATH + "?address=ben.ortiz@acme.example&address=x@evil.example", headers=auth)
    assert rv.status_code == 400
    check_response(PATH, "get", rv)


def test_the_limits_are_those_of_the_document(client: FlaskClient, auth: dict[str, str]) -> None:
    address = "a" * (320 - len("@acme.example")) + "@acme.example"
    assert contact(client, auth, address=address, name="n" * 256)["matched_by"] == "domain"


@pytest.mark.parametrize(
    "query",
    [
        {"address": "\x00@acme.example"},
        {"address": "a@[192.0.2.1]"},
        {"address": "a@xn--.example", "name": "\u202eBen Ortiz"},
        {"address": "a@" + "b." * 100 + "example"},
        {"address": "ben.ortiz@acme.example", "name": "<script>alert(1)</script>"},
    ],
)
def test_odd_input_is_never_a_5xx(
    client: FlaskClient, auth: dict[str, str], query: dict[str, str]
) -> None:
    rv = ask(client, auth, **query)
    assert rv.status_code in (200, 400)
    check_response(PATH, "get", rv)


def test_bytes_that_are_not_utf8_are_never_a_5xx(client: FlaskClient, auth: dict[str, str]) -> None:
    rv = client.get(PATH + "?address=a%40%ED%A0%80.example&name=%FF%FE", headers=auth)
    assert rv.status_code in (200, 400)
    check_response(PATH, "get", rv)


def test_other_methods_are_405(client: FlaskClient, auth: dict[str, str]) -> None:
    rv = client.post(PATH, headers=auth, json={"address": "ben.ortiz@acme.example"})
    assert rv.status_code == 405
    validate(rv.get_json(), ERROR_SCHEMA)


def test_the_document_states_the_limits_the_view_applies() -> None:
    from caveat.web.api import v1
    from caveat.web.api.schema import openapi_document

    params = openapi_document()["paths"][PATH]["get"]["parameters"]
    limits = {p["name"]: (p["required"], p["schema"]["maxLength"]) for p in params}
    assert limits == {"address": (True, v1.ADDRESS_MAX), "name": (False, v1.NAME_MAX)}
