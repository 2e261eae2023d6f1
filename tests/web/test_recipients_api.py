"""POST /api/v1/recipients, the send-time guard: a recipient swapped in this conversation,
on a look-alike domain or on free mail under a known name is flagged before sending; the
people of the thread, colleagues and partners are not; the conversation memory is read and
never written; bad input is a 4xx, never a 5xx."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select
from werkzeug.test import TestResponse

from caveat.knowledge.partners_csv import parse_partners_csv
from caveat.storage.directory_store import DirectoryStore
from caveat.storage.records import (
    ContactRow,
    ConversationKeyRow,
    ConversationPersonRow,
    ConversationRow,
)
from caveat.storage.store import Store
from caveat.web.app import create_app

from .conftest import NO_RATE_LIMITS
from .test_contract import ERROR_SCHEMA, check_response, validate

PATH = "/api/v1/recipients"
PARTNERS = """\
organization,domain,contact_name,contact_email,contact_phone,bank_accounts,require_auth
Acme,acme.example,Ben Ortiz,ben.ortiz@acme.example,+49 1,DE89 3704 0044 0532 0130 00,
Solo Supplier,,Sam Solo,sam.solo@gmail.com,+49 3,,
"""
USER = {"name": "Bo Lind", "address": "bo@ours.example"}
JANE = {"name": "Jane Roe", "address": "jane@partner.example"}
COLLEAGUE = {"name": "Cleo Park", "address": "cleo.park@ours.example"}
THREAD = "AAQkAGI2TG93AAA="


@pytest.fixture
def app(caveat_env: Path) -> Flask:
    app = create_app(
        {
            "TESTING": True,
            "DATABASE_URL": "sqlite://",
            "INTERNAL_DOMAINS": ["ours.example"],
            **NO_RATE_LIMITS,  # the fuzz test below sends hundreds of requests a second
        }
    )
    services = app.extensions["caveat"]
    DirectoryStore(services.store).import_partners(parse_partners_csv(PARTNERS).partners)
    services.analyzer.refresh()
    return app


@pytest.fixture
def thread(client: FlaskClient, auth: dict[str, str]) -> None:
    """Jane Roe of partner.example (not in the directory) wrote to Bo, copying Cleo."""
    rv = client.post(
        "/api/v1/analyze",
        headers=auth,
        json={
            "headers": (
                "From: Jane Roe <jane@partner.example>\r\n"
                "To: Bo Lind <bo@ours.example>\r\n"
                "Cc: Cleo Park <cleo.park@ours.example>\r\n"
                "Subject: Invoice 1042\r\n"
                "Message-ID: <m1@partner.example>\r\n"
            ),
            "conversation_id": THREAD,
        },
    )
    assert rv.status_code == 200


def guard(client: FlaskClient, auth: dict[str, str], **body: Any) -> dict[str, Any]:
    rv = client.post(PATH, headers=auth, json=body)
    assert rv.status_code == 200, rv.get_json()
    check_response(PATH, "post", rv)
    assert rv.headers["Cache-Control"] == "no-store"
    answer: dict[str, Any] = rv.get_json()
    return answer


def reply(client: FlaskClient, auth: dict[str, str], *to: dict[str, str], **more: Any) -> Any:
    return guard(
        client,
        auth,
        **{"from": USER, "to": list(to), "conversation_id": THREAD, "subject": "RE: Invoice 1042"},
        **more,
    )


def line(answer: dict[str, Any], address: str) -> dict[str, Any]:
    found: dict[str, Any] = next(r for r in answer["recipients"] if r["address"] == address)
    return found


def finding(answer: dict[str, Any], fid: str) -> dict[str, Any]:
    found: dict[str, Any] = next(f for f in answer["findings"] if f["id"] == fid)
    return found


# ----------------------------------------------------------------- swaps in the conversation


@pytest.mark.usefixtures("thread")
def test_jane_swapped_for_free_mail_is_danger_naming_the_address(
    client: FlaskClient, auth: dict[str, str]
) -> None:
    answer = reply(client, auth, {"name": "Jane Roe", "address": "jane.roe@gmail.com"})
    assert answer["level"] == "danger"
    ids = {f["id"] for f in answer["findings"]}
    assert {"RECIPIENT_SWAP_FREEMAIL", "FREEMAIL_KNOWN_NAME"} <= ids
    assert {f["check"] for f in answer["findings"]} <= {"recipient_swap", "freemail_impersonation"}
    swap = finding(answer, "RECIPIENT_SWAP_FREEMAIL")
    assert swap["evidence"][0]["header"] == "To"
    assert "jane.roe@gmail.com" in swap["evidence"][0]["value"]
    assert "jane@partner.example" in swap["evidence"][0]["value"]
    banner = answer["banner"]
    assert "jane.roe@gmail.com" in banner["text"]
    assert len(banner["text"]) <= 150
    assert line(answer, "jane.roe@gmail.com") == {
        "address": "jane.roe@gmail.com",
        "level": "danger",
        "findings": ["RECIPIENT_SWAP_FREEMAIL", "FREEMAIL_KNOWN_NAME"],
    }


@pytest.mark.usefixtures("thread")
@pytest.mark.parametrize(
    "to",
    [
        {"address": "jane@partner-example.com"},
        {"name": "Jane Roe", "address": "jane@partner-example.com"},
        {"name": "jane@partner-example.com", "address": "jane@partner-example.com"},
        {"name": "Jane Roe", "address": "Jane@Partner-Example.com"},
    ],
)
def test_jane_swapped_for_a_look_alike_is_danger(
    client: FlaskClient, auth: dict[str, str], to: dict[str, str]
) -> None:
    answer = reply(client, auth, to, cc=[COLLEAGUE])
    assert answer["level"] == "danger"
    swap = finding(answer, "RECIPIENT_SWAP_LOOKALIKE")
    # evidence and banner show the address as written; the per-recipient line is normalised
    assert f"now {to['address']} (" in swap["evidence"][0]["value"]
    assert to["address"] in answer["banner"]["text"]
    assert line(answer, "jane@partner-example.com")["level"] == "danger"
    assert line(answer, "cleo.park@ours.example") == {
        "address": "cleo.park@ours.example",
        "level": "none",
        "findings": [],
    }


@pytest.mark.usefixtures("thread")
def test_a_swap_is_found_by_subject_and_people_without_a_conversation_id(
    client: FlaskClient, auth: dict[str, str]
) -> None:
    answer = guard(
        client,
        auth,
        **{
            "from": USER,
            "to": [{"name": "Jane Roe", "address": "jane.roe@gmail.com"}],
            "cc": [COLLEAGUE],
            "subject": "Re: Invoice 1042",
        },
    )
    assert "RECIPIENT_SWAP_FREEMAIL" in {f["id"] for f in answer["findings"]}


@pytest.mark.usefixtures("thread")
def test_a_swapped_blind_copy_is_reported_as_bcc(client: FlaskClient, auth: dict[str, str]) -> None:
    answer = reply(
        client, auth, COLLEAGUE, bcc=[{"name": "Jane Roe", "address": "jane.roe@gmail.com"}]
    )
    assert answer["level"] == "danger"
    headers = {e["header"] for f in answer["findings"] for e in f["evidence"]}
    assert "Bcc" in headers
    assert "Cc" not in headers
    assert line(answer, "cleo.park@ours.example")["level"] == "none"
    assert line(answer, "jane.roe@gmail.com")["level"] == "danger"


@pytest.mark.usefixtures("thread")
def test_jane_at_both_addresses_is_two_people_not_a_swap(
    client: FlaskClient, auth: dict[str, str]
) -> None:
    """As for an arriving message: with the old address present too, a shared name is not
    a swap; the free-mail address under a known name still asks for a look."""
    answer = reply(client, auth, JANE, bcc=[{"name": "Jane Roe", "address": "jane.roe@gmail.com"}])
    assert [f["id"] for f in answer["findings"]] == ["FREEMAIL_KNOWN_NAME"]
    assert finding(answer, "FREEMAIL_KNOWN_NAME")["evidence"][0]["header"] == "Bcc"
    assert line(answer, "jane@partner.example")["level"] == "none"
    assert line(answer, "jane.roe@gmail.com")["level"] == "caution"


# ----------------------------------------------------------------- the directory


def test_a_look_alike_of_a_partner_domain(client: FlaskClient, auth: dict[str, str]) -> None:
    answer = guard(
        client,
        auth,
        **{"from": USER, "to": [{"name": "Ben Ortiz", "address": "ben.ortiz@acrne.example"}]},
    )
    assert answer["level"] == "danger"
    lookalike = finding(answer, "LOOKALIKE_DOMAIN")
    assert lookalike["evidence"][0] == {
        "header": "To",
        "value": "Ben Ortiz <ben.ortiz@acrne.example>",
    }
    assert "acrne.example" in answer["banner"]["text"]


def test_a_look_alike_of_our_own_domain_in_cc(client: FlaskClient, auth: dict[str, str]) -> None:
    answer = guard(
        client,
        auth,
        **{
            "from": USER,
            "to": [{"name": "Ben Ortiz", "address": "ben.ortiz@acme.example"}],
            "cc": [{"name": "Cleo Park", "address": "cleo.park@0urs.example"}],
        },
    )
    assert answer["level"] == "danger"
    assert line(answer, "cleo.park@0urs.example")["findings"] == ["LOOKALIKE_DOMAIN"]
    assert line(answer, "ben.ortiz@acme.example")["level"] == "none"
    assert finding(answer, "LOOKALIKE_DOMAIN")["evidence"][0]["header"] == "Cc"


def test_a_look_alike_in_bcc_is_explained_as_bcc(client: FlaskClient, auth: dict[str, str]) -> None:
    answer = guard(client, auth, to=[COLLEAGUE], bcc=[{"address": "accounts@acrne.example"}])
    lookalike = finding(answer, "LOOKALIKE_DOMAIN")
    assert lookalike["evidence"][0] == {"header": "Bcc", "value": "accounts@acrne.example"}
    assert lookalike["explanation"].startswith("The Bcc address")


def test_free_mail_under_a_partner_contacts_name(client: FlaskClient, auth: dict[str, str]) -> None:
    answer = guard(
        client,
        auth,
        **{"from": USER, "to": [{"name": "Ben Ortiz", "address": "ben.ortiz.acme@gmail.com"}]},
    )
    assert answer["level"] == "caution"
    assert "FREEMAIL_KNOWN_NAME" in {f["id"] for f in answer["findings"]}
    assert "ben.ortiz.acme@gmail.com" in answer["banner"]["text"]
    assert answer["banner"]["title"] == "Check the recipients before you send"


# ----------------------------------------------------------------- quiet on normal mail


@pytest.mark.usefixtures("thread")
def test_replying_to_the_people_of_the_thread_is_quiet(
    client: FlaskClient, auth: dict[str, str]
) -> None:
    answer = reply(client, auth, JANE, cc=[COLLEAGUE])
    assert answer["level"] == "none"
    assert answer["banner"] is None
    assert answer["findings"] == []
    assert [r["level"] for r in answer["recipients"]] == ["none", "none"]


def test_replying_to_the_real_address_after_a_fake_message_is_quiet(
    client: FlaskClient, auth: dict[str, str]
) -> None:
    """The thread began with a fraudster's message from a free-mail copy of Ben; the user
    answers Ben at the address on file: that is the fix, not a swap. The other way round
    is still a warning."""
    rv = client.post(
        "/api/v1/analyze",
        headers=auth,
        json={
            "headers": "From: Ben Ortiz <ben.ortiz.acme@gmail.com>\r\nTo: bo@ours.example\r\n",
            "conversation_id": "FAKE-FIRST",
        },
    )
    assert rv.status_code == 200
    real = {"name": "Ben Ortiz", "address": "ben.ortiz@acme.example"}
    answer = guard(client, auth, **{"from": USER, "to": [real], "conversation_id": "FAKE-FIRST"})
    assert answer["level"] == "none", answer["findings"]


@pytest.mark.parametrize(
    "to",
    [
        [COLLEAGUE],  # a colleague
        [{"name": "Ben Ortiz", "address": "ben.ortiz@acme.example"}],  # a partner contact
        [{"name": "Ada Lang", "address": "ada.lang@acme.example"}],  # a partner's domain
        [{"name": "Sam Solo", "address": "sam.solo@gmail.com"}],  # a partner on free mail
        [{"name": "Jane Roe", "address": "jane@partner.example"}],  # a new message to Jane
        [{"name": "Mum", "address": "mum@gmail.com"}],  # a private friend
        [{"name": "", "address": "orders@unrelated.example"}],  # someone new
    ],
)
def test_a_new_message_to_known_people_is_quiet(
    client: FlaskClient, auth: dict[str, str], to: list[dict[str, str]]
) -> None:
    answer = guard(client, auth, **{"from": USER, "to": to, "subject": "Hello"})
    assert answer["level"] == "none", answer["findings"]
    assert answer["banner"] is None


def test_the_user_is_optional_and_every_recipient_is_listed_once(
    client: FlaskClient, auth: dict[str, str]
) -> None:
    answer = guard(
        client,
        auth,
        to=[COLLEAGUE, {"name": "", "address": "CLEO.PARK@ours.example"}],
        cc=[{"address": "ben.ortiz@acme.example"}],
        bcc=[COLLEAGUE, {"address": "x@ours.example"}],
        conversation_id=None,
        subject=None,
    )
    assert [r["address"] for r in answer["recipients"]] == [
        "cleo.park@ours.example",
        "ben.ortiz@acme.example",
        "x@ours.example",
    ]


# ----------------------------------------------------------------- the memory is not written


def memory_rows(store: Store) -> list[tuple[Any, ...]]:
    rows: list[tuple[Any, ...]] = []
    with store.session() as s:
        for model in (ConversationRow, ConversationKeyRow, ConversationPersonRow, ContactRow):
            for row in s.scalars(select(model)):
                rows.append(
                    (model.__tablename__, *(getattr(row, c.key) for c in model.__table__.columns))
                )
    return sorted(rows, key=repr)


@pytest.mark.usefixtures("thread")
def test_checking_recipients_writes_nothing_to_the_memory(
    client: FlaskClient, auth: dict[str, str], store: Store
) -> None:
    before = memory_rows(store)
    assert before
    bcc = [{"name": "Hidden Person", "address": "hidden.person@elsewhere.example"}]
    first = reply(client, auth, {"name": "Jane Roe", "address": "jane.roe@gmail.com"}, bcc=bcc)
    again = reply(client, auth, {"name": "Jane Roe", "address": "jane.roe@gmail.com"}, bcc=bcc)
    assert memory_rows(store) == before
    assert "hidden.person@elsewhere.example" not in repr(memory_rows(store))
    first.pop("checked_at")
    again.pop("checked_at")
    assert first == again


def test_a_draft_does_not_teach_the_memory_an_address(
    client: FlaskClient, auth: dict[str, str], store: Store
) -> None:
    """Had the draft to Jane's free-mail address been recorded, Jane's real address in the
    next message of that conversation would look like a swap."""
    draft = {"name": "Jane Roe", "address": "jane.roe@gmail.com"}
    guard(client, auth, **{"from": USER, "to": [draft], "conversation_id": "NEW-THREAD"})
    assert memory_rows(store) == []
    rv = client.post(
        "/api/v1/analyze",
        headers=auth,
        json={
            "headers": "From: Jane Roe <jane@partner.example>\r\nTo: bo@ours.example\r\n",
            "conversation_id": "NEW-THREAD",
        },
    )
    assert rv.status_code == 200
    assert not {f["check"] for f in rv.get_json()["findings"]} & {"recipient_swap"}


# ----------------------------------------------------------------- authentication


def test_an_api_key_is_required(client: FlaskClient) -> None:
    for headers in ({}, {"Authorization": "Bearer cav_not-a-key"}):
        rv = client.post(PATH, headers=headers, json={"to": [COLLEAGUE]})
        assert rv.status_code == 401
        assert rv.headers["WWW-Authenticate"].startswith("Bearer")
        check_response(PATH, "post", rv)


# ----------------------------------------------------------------- bad input


def assert_refused(rv: TestResponse, status: int, code: str) -> None:
    assert rv.status_code == status, rv.get_data(as_text=True)
    validate(rv.get_json(), ERROR_SCHEMA)
    assert rv.get_json()["error"]["code"] == code
    check_response(PATH, "post", rv)


@pytest.mark.parametrize(
    ("body", "code"),
    [
        ([COLLEAGUE], "invalid_payload"),
        ("to", "invalid_payload"),
        ({}, "invalid_payload"),
        ({"to": []}, "invalid_payload"),
        ({"to": None, "cc": [], "bcc": None}, "invalid_payload"),
        ({"to": [{"name": "Nobody", "address": ""}]}, "invalid_payload"),
        ({"to": [COLLEAGUE], "reply_to": []}, "unknown_field"),
        ({"to": [COLLEAGUE], "headers": "From: a@b.example"}, "unknown_field"),
        ({"to": "cleo.park@ours.example"}, "invalid_field"),
        ({"to": [1]}, "invalid_field"),
        ({"to": [["cleo.park@ours.example"]]}, "invalid_field"),
        ({"to": [{"address": 5}]}, "invalid_field"),
        ({"to": [{"emailAddress": "cleo.park@ours.example"}]}, "invalid_field"),
        ({"to": [{"address": "a@" + "b" * 1030 + ".example"}]}, "invalid_field"),
        ({"to": [COLLEAGUE], "bcc": {}}, "invalid_field"),
        ({"to": [COLLEAGUE], "from": "bo@ours.example"}, "invalid_field"),
        ({"to": [COLLEAGUE], "from": [USER]}, "invalid_field"),
        ({"to": [COLLEAGUE], "subject": 5}, "invalid_field"),
        ({"to": [COLLEAGUE], "conversation_id": False}, "invalid_field"),
    ],
)
def test_bad_bodies_are_400(
    client: FlaskClient, auth: dict[str, str], body: Any, code: str
) -> None:
    assert_refused(client.post(PATH, headers=auth, json=body), 400, code)


def test_too_many_recipients_is_413(client: FlaskClient, auth: dict[str, str]) -> None:
    many = [{"address": f"p{i}@ours.example"} for i in range(501)]
    body = {"to": many[:300], "cc": many[300:450], "bcc": many[450:]}
    assert_refused(client.post(PATH, headers=auth, json=body), 413, "too_many_recipients")
    body["bcc"] = many[450:500]
    assert client.post(PATH, headers=auth, json=body).status_code == 200


def test_the_recipient_limit_is_a_setting(caveat_env: Path) -> None:
    app = create_app({"TESTING": True, "DATABASE_URL": "sqlite://", "MAX_RECIPIENTS": 2})
    _, key = app.extensions["caveat"].store.create_key("tests")
    rv = app.test_client().post(
        PATH,
        headers={"Authorization": f"Bearer {key}"},
        json={"to": [COLLEAGUE], "cc": [COLLEAGUE], "bcc": [COLLEAGUE]},
    )
    assert_refused(rv, 413, "too_many_recipients")


def test_an_oversized_body_is_413_before_it_is_read(
    client: FlaskClient, auth: dict[str, str]
) -> None:
    rv = client.post(
        PATH,
        headers=auth,
        data="{}",
        content_type="application/json",
        environ_overrides={"CONTENT_LENGTH": str(27 * 2**20)},
    )
    assert_refused(rv, 413, "request_too_large")


def test_not_json_is_refused(client: FlaskClient, auth: dict[str, str]) -> None:
    assert_refused(
        client.post(PATH, headers=auth, data="to=x", content_type="text/plain"),
        415,
        "unsupported_media_type",
    )
    assert_refused(
        client.post(PATH, headers=auth, data="{", content_type="application/json"),
        400,
        "invalid_json",
    )
    assert_refused(
        client.post(PATH, headers=auth, data=b"\xff\xfe", content_type="application/json"),
        400,
        "invalid_json",
    )


def test_other_methods_are_405(client: FlaskClient, auth: dict[str, str]) -> None:
    rv = client.get(PATH, headers=auth)
    assert rv.status_code == 405
    validate(rv.get_json(), ERROR_SCHEMA)


SCALAR = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-2, 2),
    st.sampled_from(["", "x", "a@ours.example", "Jane Roe", "\ud800@x.example", "b@acrne.example"]),
)
ADDRESS = st.fixed_dictionaries({}, optional={"name": SCALAR, "address": SCALAR})
VALUE = st.one_of(SCALAR, ADDRESS, st.lists(st.one_of(ADDRESS, SCALAR), max_size=3))
BODY = st.dictionaries(
    st.sampled_from(["from", "to", "cc", "bcc", "conversation_id", "subject", "stranger"]),
    VALUE,
    max_size=5,
)


@settings(
    max_examples=150,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(body=BODY)
def test_any_body_is_answered_without_a_5xx(
    client: FlaskClient, auth: dict[str, str], body: dict[str, Any]
) -> None:
    rv = client.post(PATH, headers=auth, json=body)
    assert rv.status_code in (200, 400), rv.get_data(as_text=True)
    check_response(PATH, "post", rv)


def test_the_schema_names_exactly_the_fields_the_guard_reads() -> None:
    from caveat.engine.guard import _PAYLOAD_FIELDS
    from caveat.web.api.schema import openapi_document

    schema = openapi_document()["components"]["schemas"]["RecipientsRequest"]
    assert set(schema["properties"]) == set(_PAYLOAD_FIELDS)
    assert schema["additionalProperties"] is False
