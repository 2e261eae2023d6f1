"""PUT /api/v1/partners while the service has a directory snapshot in use: the import
answers without building one; the analyses go on with the old snapshot and use the new one
once it is built in the background."""

from __future__ import annotations

from flask import Flask
from flask.testing import FlaskClient

from caveat.storage.store import Store

CSV = (
    "organization,domain,contact_name,contact_email,contact_phone,bank_accounts,require_auth\n"
    "Acme,acme.example,Ben Ortiz,ben.ortiz@acme.example,+49 1,,\n"
)
QUESTION = {
    "headers": "From: Ben Ortiz <ben.ortiz.acme@gmail.com>\r\nSubject: hi\r\n",
    "from": {"name": "Ben Ortiz", "address": "ben.ortiz.acme@gmail.com"},
}


def ids(client: FlaskClient, auth: dict[str, str]) -> set[str]:
    r = client.post("/api/v1/analyze", headers=auth, json=QUESTION)
    assert r.status_code == 200, r.get_json()
    return {f["id"] for f in r.get_json()["findings"]}


def test_an_import_swaps_the_directory_in_the_background(
    app: Flask, client: FlaskClient, store: Store, auth: dict[str, str]
) -> None:
    directories = app.extensions["caveat"].analyzer.directories
    assert "FREEMAIL_KNOWN_NAME" not in ids(client, auth)  # the (empty) snapshot in use
    before = directories.current()
    _, key = store.create_key("admin-tool", admin=True)
    r = client.put(
        "/api/v1/partners",
        headers={"Authorization": f"Bearer {key}", "Content-Type": "text/csv"},
        data=CSV,
    )
    assert r.status_code == 200, r.get_json()
    assert directories.wait(30)
    after = directories.current()
    assert after is not before and after.version > before.version
    assert "FREEMAIL_KNOWN_NAME" in ids(client, auth)
