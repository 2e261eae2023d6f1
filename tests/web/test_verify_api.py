"""Verify sender through the API, with people's tokens from the local issuer: a finance
user records a call to a contact on file, two people make the account verified, a later
message from the partner says so (and a diverted one stays danger), a denial makes
indicators, and an account goes on file only when an administrator who did not ask for it
approves."""

from __future__ import annotations

import csv
import io
import time
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from caveat.storage.audit import AuditLog
from caveat.web.api.services import services
from tests.identity_app import as_, make_app, two_apps, with_partners
from tests.identity_issuer import LocalIssuer

from .test_contract import DOC, check_response

NEW = "DE89 3704 0044 0532 0130 00"
FRAUD = "DE02 1203 0000 0000 2020 51"
PARTNERS = (
    "organization,domain,contact_name,contact_email,contact_phone,bank_accounts,require_auth\n"
    "Acme Supplies,acme.example,Pat Payables,pat@acme.example,+44 20 7946 0001,"
    "GB29NWBK60161331926819,\n"
)


@pytest.fixture
def app(issuer: LocalIssuer, tmp_path: Path) -> Flask:
    return make_app(issuer.settings(), tmp_path / "instance")


@pytest.fixture
def client(app: Flask, issuer: LocalIssuer) -> FlaskClient:
    return with_partners(app, issuer, PARTNERS)


def template(path: str) -> str:
    import re

    for documented in DOC["paths"]:
        if re.fullmatch(re.sub(r"\{\w+\}", "[^/]+", documented), path):
            return str(documented)
    return path


def send(client: FlaskClient, method: str, path: str, headers: dict[str, str], **kw: Any) -> Any:
    rv = client.open(path, method=method, headers=headers, **kw)
    if rv.mimetype == "application/json":
        check_response(template(path.partition("?")[0]), method, rv)
    return rv


def message(account: str, extra_headers: str = "", reply_to: str | None = None) -> dict[str, Any]:
    body: dict[str, Any] = {
        "headers": "From: Pat Payables <pat@acme.example>\r\nTo: ap@ours.example\r\n"
        "Subject: Invoice 118\r\nMessage-ID: <m118@acme.example>\r\n" + extra_headers,
        "from": {"name": "Pat Payables", "address": "pat@acme.example"},
        "subject": "Invoice 118",
        "body": f"Please note that our bank details have changed. New IBAN: {account}.",
    }
    if reply_to:
        body["reply_to"] = [{"name": "Pat Payables", "address": reply_to}]
    return body


def analyze(client: FlaskClient, issuer: LocalIssuer, payload: dict[str, Any]) -> dict[str, Any]:
    rv = send(client, "POST", "/api/v1/analyze", as_(issuer, "ana"), json=payload)
    assert rv.status_code == 200, rv.get_json()
    result: dict[str, Any] = rv.get_json()
    return result


def account_ref(result: dict[str, Any]) -> tuple[str, str]:
    """The ref and masked form of the first account of the bank finding."""
    for f in result["findings"]:
        if f["check"] == "bank_details_change":
            for e in f["evidence"]:
                if e["header"] == "Account" and "ref" in e:
                    return e["ref"], e["value"].split(":")[0]
    raise AssertionError(f"no account ref in {result['findings']}")


def record(
    client: FlaskClient, headers: dict[str, str], ref: str, masked: str, **changes: Any
) -> Any:
    body = {
        "organization": "Acme Supplies",
        "contact": {"index": 0},
        "account_ref": ref,
        "account_masked": masked,
        "outcome": "confirmed",
        **changes,
    }
    return send(client, "POST", "/api/v1/verifications", headers, json=body)


def test_two_finance_people_verify_an_account_and_the_next_message_says_so(
    client: FlaskClient, issuer: LocalIssuer, app: Flask
) -> None:
    first = analyze(client, issuer, message(NEW))
    assert first["level"] == "danger"
    ref, masked = account_ref(first)
    assert len(ref) == 64 and masked == "DE89 **** 3000"
    assert NEW.replace(" ", "") not in str(first)

    # a user without `verify` may not record; a contact not on file is refused
    rv = record(client, as_(issuer, "ana"), ref, masked)
    assert rv.status_code == 403 and "'verify'" in rv.get_json()["error"]["message"]
    rv = record(client, as_(issuer, "fin"), ref, masked, contact={"email": "pat@acme-pay.example"})
    assert rv.status_code == 400 and rv.get_json()["error"]["code"] == "invalid_field"
    assert "never one from the message" in rv.get_json()["error"]["message"]
    rv = record(client, as_(issuer, "fin"), ref, masked, organization="Someone Else Ltd")
    assert rv.status_code == 400

    rv = record(client, as_(issuer, "fin"), ref, masked, note="called Pat")
    assert rv.status_code == 201, rv.get_json()
    done = rv.get_json()
    assert done["recorded_by"] == "Finn Ledger <fin@example.org>"  # from the token
    assert done["contact"] == {
        "name": "Pat Payables", "email": "pat@acme.example", "phone": "+44 20 7946 0001",
    }  # fmt: skip
    assert done["account_status"]["verified"] is False
    # the same person again counts once
    rv = record(client, as_(issuer, "fin"), ref, masked)
    assert rv.get_json()["account_status"]["confirmations_needed"] == 2
    assert len(rv.get_json()["account_status"]["confirmations"]) == 1
    assert analyze(client, issuer, message(NEW))["level"] == "danger"

    rv = record(client, as_(issuer, "ana", "finance"), ref, masked)
    assert rv.status_code == 201 and rv.get_json()["account_status"]["verified"] is True

    later = analyze(client, issuer, message(NEW))
    assert later["level"] == "info", later["findings"]
    [verified] = [f for f in later["findings"] if f["id"] == "BANK_DETAILS_VERIFIED"]
    assert "Finn Ledger" in verified["explanation"] and "Ana Example" in verified["explanation"]
    assert not any(f["id"] == "BANK_DETAILS_CHANGED" for f in later["findings"])

    # a diverted Reply-To in the same message stays danger
    diverted = analyze(client, issuer, message(NEW, reply_to="pat.payables@gmail.com"))
    assert diverted["level"] == "danger"
    assert {"REPLYTO_FREEMAIL", "BEC_BANK_VERIFIED_UNTRUSTED"} <= {
        f["id"] for f in diverted["findings"]
    }

    rv = send(
        client,
        "GET",
        f"/api/v1/verifications?organization=acme%20supplies&account_ref={ref}",
        as_(issuer, "fin"),
    )
    assert rv.status_code == 200
    listed = rv.get_json()
    assert [v["recorded_by"] for v in listed["verifications"]] == [
        "Ana Example <ana@example.org>",
        "Finn Ledger <fin@example.org>",
        "Finn Ledger <fin@example.org>",
    ]
    assert listed["account_status"]["verified"] is True
    assert send(client, "GET", "/api/v1/verifications", as_(issuer, "ana")).status_code == 403
    bad = send(client, "GET", "/api/v1/verifications?account_ref=xyz", as_(issuer, "fin"))
    assert bad.status_code == 400

    with app.app_context():
        actions = [e.action for e in AuditLog(services().store).entries(action="verification.")]
    assert actions == ["verification.confirmed"] * 3


def _verified(client: FlaskClient, issuer: LocalIssuer, account: str) -> tuple[str, str]:
    ref, masked = account_ref(analyze(client, issuer, message(account)))
    assert record(client, as_(issuer, "fin"), ref, masked).status_code == 201
    assert record(client, as_(issuer, "ana", "finance"), ref, masked).status_code == 201
    return ref, masked


def test_an_account_goes_on_file_only_with_another_administrators_approval(
    client: FlaskClient, issuer: LocalIssuer, app: Flask
) -> None:
    ref, _masked = account_ref(analyze(client, issuer, message(NEW)))
    ask = {"organization": "Acme Supplies", "account_ref": ref, "account": NEW}
    rv = send(client, "POST", "/api/v1/accounts/approvals", as_(issuer, "fin"), json=ask)
    assert rv.status_code == 409 and rv.get_json()["error"]["code"] == "not_verified"
    _verified(client, issuer, NEW)
    rv = send(
        client, "POST", "/api/v1/accounts/approvals", as_(issuer, "fin"),
        json={**ask, "account": FRAUD},
    )  # fmt: skip
    assert rv.status_code == 400 and "does not match" in rv.get_json()["error"]["message"]

    # an administrator asks; the same administrator may not approve
    rv = send(client, "POST", "/api/v1/accounts/approvals", as_(issuer, "adm"), json=ask)
    assert rv.status_code == 201, rv.get_json()
    approval = rv.get_json()
    assert (
        approval["status"] == "pending"
        and approval["requested_by"] == "Ada Admin <adm@example.com>"
    )
    assert "DE89370400440532013000" not in str(approval)
    path = f"/api/v1/accounts/approvals/{approval['id']}"
    rv = send(client, "POST", f"{path}/approve", as_(issuer, "adm"))
    assert rv.status_code == 403 and rv.get_json()["error"]["code"] == "same_person"
    # finance may not approve at all
    assert send(client, "POST", f"{path}/approve", as_(issuer, "fin")).status_code == 403
    pending = send(client, "GET", "/api/v1/accounts/approvals?status=pending", as_(issuer, "fin"))
    assert [a["id"] for a in pending.get_json()["approvals"]] == [approval["id"]]

    rv = send(client, "POST", f"{path}/approve", as_(issuer, "sec", "admin"))
    assert rv.status_code == 200, rv.get_json()
    assert rv.get_json()["status"] == "approved"
    assert rv.get_json()["decided_by"] == "Sam Shield <sec@example.com>"
    assert send(client, "POST", f"{path}/reject", as_(issuer, "adm")).status_code == 409

    exported = client.get("/api/v1/partners", headers=as_(issuer, "adm")).get_data(as_text=True)
    rows = list(csv.DictReader(io.StringIO(exported)))
    accounts = ";".join(r["bank_accounts"] for r in rows)
    assert "DE89370400440532013000" in accounts and "GB29NWBK60161331926819" in accounts
    # on file now: the next message says so, from the directory
    later = analyze(client, issuer, message(NEW))
    assert any(f["id"] == "BANK_DETAILS_ON_FILE" for f in later["findings"]), later["findings"]
    with app.app_context():
        log = AuditLog(services().store)
        approvals = [(e.action, e.actor) for e in log.entries(action="approval.")]
    assert approvals == [
        ("approval.request", "Ada Admin <adm@example.com>"),
        ("approval.approve", "Sam Shield <sec@example.com>"),
    ]
    assert (
        send(
            client, "POST", "/api/v1/accounts/approvals/99/approve", as_(issuer, "adm")
        ).status_code
        == 404
    )


def test_a_denial_blocks_the_account_and_warns_everyone_after(
    client: FlaskClient, issuer: LocalIssuer
) -> None:
    ref, masked = _verified(client, issuer, FRAUD)
    rv = record(
        client, as_(issuer, "fin"), ref, masked, outcome="denied",
        message={"from": "pat@acme.example", "reply_to": "acme.billing@gmail.com"},
    )  # fmt: skip
    assert rv.status_code == 201, rv.get_json()
    denied = rv.get_json()
    assert denied["account_status"]["denied"] is True
    assert denied["account_status"]["verified"] is False
    assert {"kind": "address", "value": "acme.billing@gmail.com"} in denied["indicators"]
    assert {"kind": "account", "value": masked} in denied["indicators"]
    assert denied["not_indicators"][0]["value"] == "pat@acme.example"
    later = analyze(client, issuer, message(FRAUD))
    assert later["level"] == "danger"
    found = {f["id"] for f in later["findings"]}
    assert "BANK_DETAILS_VERIFIED" not in found
    assert any(i.startswith("REPORTED_") for i in found), found
    # only an administrator clears a denial
    path = f"/api/v1/verifications/{denied['id']}/clear"
    assert send(client, "POST", path, as_(issuer, "fin")).status_code == 403
    rv = send(client, "POST", path, as_(issuer, "adm"))
    assert rv.status_code == 200 and rv.get_json()["cleared_by"] == "Ada Admin <adm@example.com>"
    assert send(client, "POST", path, as_(issuer, "adm")).status_code == 409


@pytest.mark.parametrize(
    "body",
    [
        [],
        {"organization": "Acme Supplies"},
        {"organization": 7, "contact": {"index": 0}, "account_ref": "0" * 64,
         "outcome": "confirmed"},
        {"organization": "Acme Supplies", "contact": {"index": 0}, "account_ref": "0" * 64,
         "outcome": "confirmed", "message": {"from": ["x"]}},
        {"organization": "Acme Supplies", "contact": {"index": 10**30}, "account_ref": "0" * 64,
         "outcome": "confirmed"},
    ],
)  # fmt: skip
def test_bad_bodies_are_400_never_500(client: FlaskClient, issuer: LocalIssuer, body: Any) -> None:
    rv = client.post("/api/v1/verifications", json=body, headers=as_(issuer, "fin"))
    assert rv.status_code == 400, rv.get_json()
    assert rv.get_json()["error"]["code"] in ("invalid_field", "invalid_json")


# ------------------------------------------------------------------ several instances


@pytest.mark.parametrize("backend", ["sqlite-file", "postgresql"])
def test_a_verification_and_an_approval_on_one_instance_reach_another_within_seconds(
    issuer: LocalIssuer, tmp_path: Path, request: pytest.FixtureRequest, backend: str
) -> None:
    with two_apps(issuer, tmp_path, request, backend) as (first, second):
        a, b = first.test_client(), second.test_client()
        assert (
            a.put(
                "/api/v1/partners",
                data=PARTNERS,
                content_type="text/csv",
                headers=as_(issuer, "adm"),
            ).status_code
            == 200
        )

        def ids(c: FlaskClient) -> set[str]:
            return {f["id"] for f in analyze(c, issuer, message(NEW))["findings"]}

        wait_for(lambda: "BANK_DETAILS_CHANGED" in ids(b), "the directory never reached b")
        _verified(a, issuer, NEW)
        started = time.monotonic()
        wait_for(lambda: "BANK_DETAILS_VERIFIED" in ids(b), "the verification never reached b")
        assert time.monotonic() - started < 10
        ref, _masked = account_ref(analyze(b, issuer, message(NEW)))
        ask = {"organization": "Acme Supplies", "account_ref": ref, "account": NEW}
        rv = b.post("/api/v1/accounts/approvals", json=ask, headers=as_(issuer, "fin"))
        assert rv.status_code == 201, rv.get_json()
        path = f"/api/v1/accounts/approvals/{rv.get_json()['id']}/approve"
        assert a.post(path, headers=as_(issuer, "adm")).status_code == 200
        started = time.monotonic()
        wait_for(lambda: "BANK_DETAILS_ON_FILE" in ids(b), "the approval never reached b")
        assert time.monotonic() - started < 15


def wait_for(condition: Any, why: str, seconds: float = 15) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, why
        time.sleep(0.2)


# ------------------------------------------------------------------ any body


_SCALAR = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-2, 10**20),
    st.sampled_from(
        ["", "x", "Acme Supplies", "acme supplies", "pat@acme.example", "+44 20 7946 0001",
         "0" * 64, "confirmed", "denied", "DE89 **** 3000", "\ud800", NEW]
    ),
)  # fmt: skip
_VALUE = st.one_of(
    _SCALAR,
    st.dictionaries(st.sampled_from(["index", "email", "phone", "from", "reply_to"]), _SCALAR),
    st.lists(_SCALAR, max_size=2),
)
_BODY = st.dictionaries(
    st.sampled_from(
        ["organization", "contact", "account_ref", "account_masked", "outcome", "note",
         "message", "account", "stranger"]
    ),
    _VALUE,
    max_size=7,
)  # fmt: skip


@settings(
    max_examples=120,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(body=_BODY, path=st.sampled_from(["/api/v1/verifications", "/api/v1/accounts/approvals"]))
def test_any_body_is_answered_without_a_5xx(
    client: FlaskClient, issuer: LocalIssuer, body: dict[str, Any], path: str
) -> None:
    rv = send(client, "POST", path, as_(issuer, "adm"), json=body)
    assert rv.status_code in (201, 400, 409), rv.get_data(as_text=True)
