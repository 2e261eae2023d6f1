"""PUT/GET /api/v1/partners: admin keys only; bad rows reported, good rows stored; the
analysis sees the new directory at once."""

from __future__ import annotations

from flask.testing import FlaskClient

from caveat.storage.store import Store

CSV = (
    "organization,domain,contact_name,contact_email,contact_phone,bank_accounts,require_auth\n"
    "Acme,acme.example,Ben Ortiz,ben.ortiz@acme.example,+49 1,,\n"
    "Broken,not a domain,,,,,\n"
)


def admin(store: Store) -> dict[str, str]:
    _, key = store.create_key("admin-tool", admin=True)
    return {"Authorization": f"Bearer {key}"}


def test_a_mail_client_key_may_not_touch_the_directory(
    client: FlaskClient, auth: dict[str, str]
) -> None:
    for method in (client.get, client.put):
        r = method("/api/v1/partners", headers={**auth, "Content-Type": "text/csv"}, data=CSV)
        assert r.status_code == 403
        assert r.get_json()["error"]["code"] == "forbidden"


def test_import_reports_bad_rows_and_stores_good_ones(client: FlaskClient, store: Store) -> None:
    h = {**admin(store), "Content-Type": "text/csv"}
    r = client.put("/api/v1/partners", headers=h, data=CSV)
    assert r.status_code == 200, r.get_json()
    body = r.get_json()
    assert (body["rows"], body["created"], body["updated"]) == (2, 1, 0)
    assert [e["line"] for e in body["errors"]] == [3]
    again = client.put("/api/v1/partners", headers=h, data=CSV).get_json()
    assert (again["created"], again["updated"]) == (0, 1)
    export = client.get("/api/v1/partners", headers=h)
    assert export.mimetype == "text/csv"
    assert "Acme,acme.example,Ben Ortiz" in export.get_data(as_text=True)


def test_the_next_analysis_uses_the_imported_directory(
    client: FlaskClient, store: Store, auth: dict[str, str]
) -> None:
    client.put("/api/v1/partners", headers={**admin(store), "Content-Type": "text/csv"}, data=CSV)
    r = client.post(
        "/api/v1/analyze",
        headers=auth,
        json={
            "headers": "From: Ben Ortiz <ben.ortiz.acme@gmail.com>\r\nSubject: hi\r\n",
            "from": {"name": "Ben Ortiz", "address": "ben.ortiz.acme@gmail.com"},
        },
    )
    assert r.status_code == 200
    assert "FREEMAIL_KNOWN_NAME" in {f["id"] for f in r.get_json()["findings"]}


def test_bad_files_and_types_are_4xx(client: FlaskClient, store: Store) -> None:
    h = admin(store)
    r = client.put("/api/v1/partners", headers={**h, "Content-Type": "application/json"}, data="{}")
    assert r.status_code == 415
    r = client.put("/api/v1/partners", headers={**h, "Content-Type": "text/csv"}, data="a;b;c\n")
    assert r.status_code == 400
    assert r.get_json()["error"]["code"] == "invalid_directory"


def test_new_bank_details_from_a_partner_name_the_masked_account_in_the_banner(
    client: FlaskClient, store: Store, auth: dict[str, str]
) -> None:
    """The add-in's payload (plain-text body snippet) against the directory's account."""
    csv = CSV.replace(
        "Acme,acme.example,Ben Ortiz,ben.ortiz@acme.example,+49 1,,",
        "Acme,acme.example,Ben Ortiz,ben.ortiz@acme.example,+49 1,DE89 3704 0044 0532 0130 00,",
    )
    client.put("/api/v1/partners", headers={**admin(store), "Content-Type": "text/csv"}, data=csv)

    def analyse(body: str) -> dict:
        r = client.post(
            "/api/v1/analyze",
            headers=auth,
            json={
                "headers": "From: Ben Ortiz <ben.ortiz@acme.example>\r\nSubject: Invoice 7\r\n",
                "from": {"name": "Ben Ortiz", "address": "ben.ortiz@acme.example"},
                "body": body,
            },
        )
        assert r.status_code == 200
        return r.get_json()

    changed = analyse("Our bank details have changed. New IBAN: GB29 NWBK 6016 1331 9268 19")
    assert changed["level"] == "danger"
    assert "GB29 **** 6819" in changed["banner"]["text"]
    assert len(changed["banner"]["text"]) <= 150
    assert "GB29NWBK60161331926819" not in str(changed)
    usual = analyse("Invoice 7 attached; please pay to DE89370400440532013000 as usual.")
    assert usual["level"] == "info"
    assert [f["id"] for f in usual["findings"]] == ["BANK_DETAILS_ON_FILE"]
