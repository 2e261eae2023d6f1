"""PUT/GET /api/v1/people: the directory permission only; bad rows reported, good rows
stored; the next analysis knows the people."""

from __future__ import annotations

from flask.testing import FlaskClient

from caveat.storage.store import Store

CSV = (
    "name,email,title,department,executive\n"
    "Margaret Holloway,margaret.holloway@buyer.example,Chief Executive Officer,,yes\n"
    "Broken,not an address,,,\n"
)


def admin(store: Store) -> dict[str, str]:
    _, key = store.create_key("admin-tool", admin=True)
    return {"Authorization": f"Bearer {key}"}


def test_a_mail_client_key_may_not_touch_the_people(
    client: FlaskClient, auth: dict[str, str]
) -> None:
    for method in (client.get, client.put):
        r = method("/api/v1/people", headers={**auth, "Content-Type": "text/csv"}, data=CSV)
        assert r.status_code == 403


def test_import_reports_bad_rows_and_refuses_bad_files(client: FlaskClient, store: Store) -> None:
    h = {**admin(store), "Content-Type": "text/csv"}
    body = client.put("/api/v1/people", headers=h, data=CSV).get_json()
    assert (body["rows"], body["created"], body["updated"]) == (2, 1, 0)
    assert [e["line"] for e in body["errors"]] == [3]
    export = client.get("/api/v1/people", headers=h)
    assert export.mimetype == "text/csv"
    assert "Margaret Holloway,margaret.holloway@buyer.example" in export.get_data(as_text=True)
    bad = client.put("/api/v1/people", headers=h, data="organization\nx\n")
    assert bad.status_code == 400 and bad.get_json()["error"]["code"] == "invalid_directory"
    wrong_type = client.put(
        "/api/v1/people", headers={**admin(store), "Content-Type": "application/json"}, data="{}"
    )
    assert wrong_type.status_code == 415


def test_the_next_analysis_knows_the_people_and_a_second_message_warns_as_well(
    client: FlaskClient, store: Store, auth: dict[str, str]
) -> None:
    client.put("/api/v1/people", headers={**admin(store), "Content-Type": "text/csv"}, data=CSV)
    impostor = "ceo.mholloway@outlook.com"
    for n in range(2):
        r = client.post(
            "/api/v1/analyze",
            headers=auth,
            json={
                "headers": f"From: Margaret Holloway <{impostor}>\r\nSubject: hi {n}\r\n",
                "from": {"name": "Margaret Holloway", "address": impostor},
                "to": [{"name": "Tom", "address": "tom@buyer.example"}],
                "subject": f"Quick request {n}",
                "body": "I need you to buy some Apple gift cards for a client today.",
                "internet_message_id": f"<m{n}@outlook.com>",
            },
        )
        assert r.status_code == 200, r.get_json()
        body = r.get_json()
        assert body["level"] == "danger", n
        assert "PERSON_GIFT_CARDS" in {f["id"] for f in body["findings"]}
