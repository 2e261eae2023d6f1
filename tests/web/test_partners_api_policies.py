"""Partner policies through the API: the two optional CSV columns in PUT/GET /partners,
GET/PATCH /partners/<organization>/policy, the audit rows, and the next analysis."""

from __future__ import annotations

from typing import Any

from flask.testing import FlaskClient

from caveat.knowledge.partners_csv import COLUMNS
from caveat.storage.audit import AuditLog
from caveat.storage.store import Store

SEVEN = (
    "organization,domain,contact_name,contact_email,contact_phone,bank_accounts,require_auth\n"
    "Acme,acme.example,Ben Ortiz,ben.ortiz@acme.example,+49 1,,\n"
)
NINE = (
    ",".join(COLUMNS) + "\n"
    'Acme,acme.example,Ben Ortiz,ben.ortiz@acme.example,+49 1,,spf;dkim,"Only by signed '
    'letter, confirmed by phone",yes\n'
)
PROCEDURE = "Only by signed letter, confirmed by phone"


def admin(store: Store) -> dict[str, str]:
    _, key = store.create_key("admin-tool", admin=True)
    return {"Authorization": f"Bearer {key}"}


def put(client: FlaskClient, h: dict[str, str], data: str) -> dict[str, Any]:
    r = client.put("/api/v1/partners", headers={**h, "Content-Type": "text/csv"}, data=data)
    assert r.status_code == 200, r.get_json()
    body: dict[str, Any] = r.get_json()
    return body


def policy(client: FlaskClient, h: dict[str, str], org: str = "Acme") -> dict[str, Any]:
    r = client.get(f"/api/v1/partners/{org}/policy", headers=h)
    assert r.status_code == 200, r.get_json()
    assert r.headers["Cache-Control"] == "no-store"
    body: dict[str, Any] = r.get_json()
    return body


def test_the_nine_columns_round_trip_and_seven_keep_what_is_on_file(
    client: FlaskClient, store: Store
) -> None:
    h = admin(store)
    put(client, h, NINE)
    assert policy(client, h) == {
        "organization": "Acme",
        "policy": {
            "require_auth": ["spf", "dkim"],
            "bank_change_procedure": PROCEDURE,
            "pay_only_on_file": True,
        },
    }
    export = client.get("/api/v1/partners", headers=h).get_data(as_text=True)
    assert export.splitlines()[0] == ",".join(COLUMNS)
    assert f'spf;dkim,"{PROCEDURE}",yes' in export
    # the contract's seven columns: the two policies stay as they are on file
    put(client, h, SEVEN)
    after = policy(client, h)["policy"]
    assert after["bank_change_procedure"] == PROCEDURE and after["pay_only_on_file"] is True
    assert after["require_auth"] == []  # the seven columns do say require_auth (empty)
    # the export, imported again, changes nothing
    put(client, h, client.get("/api/v1/partners", headers=h).get_data(as_text=True))
    assert policy(client, h)["policy"] == after


def test_patch_changes_what_it_names_and_writes_an_audit_row(
    client: FlaskClient, store: Store
) -> None:
    h = admin(store)
    put(client, h, SEVEN)
    r = client.patch(
        "/api/v1/partners/acme/policy",  # matched as CSV rows merge: case ignored
        headers=h,
        json={"require_auth": ["DMARC", "spf"], "bank_change_procedure": f"  {PROCEDURE}\n"},
    )
    assert r.status_code == 200, r.get_json()
    body = r.get_json()
    assert body == {
        "organization": "Acme",
        "policy": {
            "require_auth": ["spf", "dmarc"],
            "bank_change_procedure": PROCEDURE,
            "pay_only_on_file": False,
        },
        "changed": True,
    }
    rows = AuditLog(store).entries(action="partner.policy")
    assert len(rows) == 1
    row = rows[0]
    assert row.target == "Acme"
    assert row.actor_subject.startswith("key:")
    assert row.before == {
        "require_auth": [],
        "bank_change_procedure": "",
        "pay_only_on_file": False,
    }
    assert row.after == body["policy"]
    # the same again changes nothing and writes nothing
    again = client.patch(
        "/api/v1/partners/Acme/policy", headers=h, json={"require_auth": "spf;dmarc"}
    )
    assert again.get_json()["changed"] is False
    assert len(AuditLog(store).entries(action="partner.policy")) == 1
    # clearing
    cleared = client.patch(
        "/api/v1/partners/Acme/policy",
        headers=h,
        json={"require_auth": [], "bank_change_procedure": "", "pay_only_on_file": True},
    ).get_json()["policy"]
    assert cleared == {"require_auth": [], "bank_change_procedure": "", "pay_only_on_file": True}


def test_imports_write_an_audit_row_with_the_policies_they_changed(
    client: FlaskClient, store: Store
) -> None:
    h = admin(store)
    put(client, h, NINE)
    put(client, h, NINE.replace(",yes\n", ",no\n"))
    rows = AuditLog(store).entries(action="partner.import")
    assert len(rows) == 2
    first, second = rows
    assert first.after["created"] == 1 and first.after["rows"] == 1
    assert first.after["source"] == "PUT /api/v1/partners"
    assert first.after["policies"]["Acme"]["pay_only_on_file"] is True
    assert second.before["policies"]["Acme"]["pay_only_on_file"] is True
    assert second.after["policies"]["Acme"]["pay_only_on_file"] is False
    # nothing of a contact or an account goes into the log
    text = repr([r.as_json() for r in rows])
    assert "ben.ortiz" not in text and "+49 1" not in text


def test_bad_requests_are_4xx_with_a_message(client: FlaskClient, store: Store) -> None:
    h = admin(store)
    put(client, h, SEVEN)
    cases: list[tuple[Any, str]] = [
        ({"require_auth": ["spf", "arc"]}, "not one of spf, dkim, dmarc"),
        ({"require_auth": 3}, "require_auth must be a list"),
        ({"bank_change_procedure": "x" * 301}, "at most 300"),
        ({"bank_change_procedure": 5}, "must be text"),
        ({"pay_only_on_file": "yes"}, "true or false"),
        ({"pay_only_on_file": None}, "leave it out"),
        ({"colour": "red"}, "unknown field 'colour'"),
        ({}, "nothing to change"),
        (["spf"], "JSON object"),
    ]
    for body, said in cases:
        r = client.patch("/api/v1/partners/Acme/policy", headers=h, json=body)
        assert r.status_code == 400, (body, r.get_json())
        assert said in r.get_json()["error"]["message"], (body, r.get_json())
    r = client.patch("/api/v1/partners/Nobody/policy", headers=h, json={"pay_only_on_file": True})
    assert r.status_code == 404
    assert client.get("/api/v1/partners/Nobody/policy", headers=h).status_code == 404
    r = client.patch(
        "/api/v1/partners/Acme/policy",
        headers={**h, "Content-Type": "text/plain"},
        data="pay_only_on_file=true",
    )
    assert r.status_code == 415
    assert AuditLog(store).entries(action="partner.policy") == []


def test_a_mail_client_key_may_not_read_or_change_policies(
    client: FlaskClient, store: Store, auth: dict[str, str]
) -> None:
    put(client, admin(store), SEVEN)
    assert client.get("/api/v1/partners/Acme/policy", headers=auth).status_code == 403
    r = client.patch("/api/v1/partners/Acme/policy", headers=auth, json={"require_auth": []})
    assert r.status_code == 403


def test_the_next_analysis_applies_the_changed_policy(
    client: FlaskClient, store: Store, auth: dict[str, str]
) -> None:
    h = admin(store)
    put(client, h, SEVEN)
    message = {
        "headers": "From: Ben Ortiz <ben.ortiz@acme.example>\r\nSubject: hi\r\n",
        "from": {"name": "Ben Ortiz", "address": "ben.ortiz@acme.example"},
    }

    def found() -> set[str]:
        r = client.post("/api/v1/analyze", headers=auth, json=message)
        assert r.status_code == 200
        return {f["id"] for f in r.get_json()["findings"]}

    assert "POLICY_AUTH_REQUIRED" not in found()
    client.patch("/api/v1/partners/Acme/policy", headers=h, json={"require_auth": ["dmarc"]})
    # no results from our boundary can show the agreed DMARC pass
    assert "POLICY_AUTH_REQUIRED" in found()
    client.patch("/api/v1/partners/Acme/policy", headers=h, json={"require_auth": []})
    assert "POLICY_AUTH_REQUIRED" not in found()


def test_an_organisation_with_a_slash_or_accents_is_named_in_the_path(
    client: FlaskClient, store: Store
) -> None:
    h = admin(store)
    put(client, h, SEVEN + "Smith A/S Ærø,smith.example,,,,,\n")
    r = client.patch(
        "/api/v1/partners/smith%20a/s%20%C3%A6r%C3%B8/policy",
        headers=h,
        json={"pay_only_on_file": True},
    )
    assert r.status_code == 200, r.get_json()
    assert r.get_json()["organization"] == "Smith A/S Ærø"
    assert policy(client, h, "Smith%20A/S%20%C3%86r%C3%B8")["policy"]["pay_only_on_file"]
