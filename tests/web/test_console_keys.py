"""The console's service keys: only administrators see or act; a key is made with scopes
from PERMISSIONS only, shown once on the answer to the POST and never again, audited with
the person, and refused by the API the moment it is revoked."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from caveat.identity.permissions import CONSOLE_PERMISSIONS, PERMISSIONS
from caveat.storage.audit import AuditLog
from caveat.storage.store import Store
from caveat.web.api.services import services
from tests.console_app import console_app, csrf, https_client, session_of, signed_in

KEY = re.compile(r"cav_[A-Za-z0-9_-]{20,}")


@pytest.fixture
def app(tmp_path: Path) -> Flask:
    return console_app(tmp_path)


def store_of(app: Flask) -> Store:
    with app.app_context():
        return services().store


FORM_ID = re.compile(r'name="form_id" value="([^"]+)"')


def form_id(client: FlaskClient) -> str:
    """The one-time id of a new-key form opened now (as a browser sends it back); ""
    for someone the form is refused to."""
    found = FORM_ID.findall(client.get("/admin/keys/new").get_data(as_text=True))
    assert len(found) <= 1
    return str(found[0]) if found else ""


def make(client: FlaskClient, **form: object) -> TestResponse:
    data = {"name": "siem export", "scope": ["audit"], "expires": "90", **form}
    data.setdefault("csrf_token", csrf(client))
    data.setdefault("form_id", form_id(client))
    return client.post("/admin/keys/new", data=data)


def made_key(client: FlaskClient, **form: object) -> str:
    rv = make(client, **form)
    assert rv.status_code == 200, rv.get_data(as_text=True)
    found = KEY.findall(rv.get_data(as_text=True))
    assert len(set(found)) == 1
    return found[0]


@pytest.mark.parametrize("roles", [(), ("finance",), ("security",)])
def test_only_administrators_see_or_make_keys(app: Flask, roles: tuple[str, ...]) -> None:
    client = signed_in(app, *roles)
    for path in ("/admin/keys", "/admin/keys/new", "/admin/keys/1/revoke"):
        rv = client.get(path)
        assert rv.status_code == 403, path
        assert "admin" in rv.get_data(as_text=True)  # the role to ask for
    rv = make(client)
    assert rv.status_code == 403
    assert store_of(app).list_keys() == []
    nav = client.get("/admin/audit").get_data(as_text=True)
    assert 'href="/admin/keys"' not in nav


def test_signed_out_goes_to_sign_in(app: Flask) -> None:
    rv = app.test_client().get("/admin/keys", base_url="https://localhost")
    assert rv.status_code in (302, 303) and "/admin/signin" in rv.headers["Location"]


def test_a_service_key_opens_no_console_page(app: Flask) -> None:
    key = made_key(signed_in(app, "admin"), scope=list(PERMISSIONS))
    rv = https_client(app).get("/admin/keys", headers={"Authorization": f"Bearer {key}"})
    assert rv.status_code == 303 and "/admin/signin" in rv.headers["Location"]
    rv = https_client(app).post(
        "/admin/keys/new",
        data={"name": "x", "scope": "audit", "expires": "30"},
        headers={"Authorization": f"Bearer {key}"},
    )
    assert rv.status_code == 403
    assert len(store_of(app).list_keys()) == 1


def test_a_key_is_shown_once_on_the_answer_and_never_again(app: Flask) -> None:
    client = signed_in(app, "admin")
    rv = make(client, scope=["audit", "reports.read"])
    assert rv.status_code == 200
    assert "Location" not in rv.headers
    assert rv.headers["Cache-Control"] == "no-store"
    assert "script-src 'self'" in rv.headers["Content-Security-Policy"]
    page = rv.get_data(as_text=True)
    [key] = set(KEY.findall(page))
    assert "console-keys.js" in page and 'data-copy="new-key"' in page
    [record] = store_of(app).list_keys()
    assert record.scopes == {"audit", "reports.read"}
    kept = session_of(client)  # nothing of the key waits in the session for a later page
    assert key not in repr(kept) and record.prefix not in (kept.notice or "")
    assert key.startswith(record.prefix)
    # nowhere else: the listing, the revoke page, the audit page, the export
    for path in ("/admin/keys", f"/admin/keys/{record.id}/revoke", "/admin/audit",
                 "/admin/audit/export"):  # fmt: skip
        text = client.get(path).get_data(as_text=True)
        assert key not in text and key[len(record.prefix) :] not in text, path
        assert record.prefix in text or path == "/admin/audit/export"
    # the key works on the API with what it was given, and only that
    api = app.test_client()
    assert api.get("/api/v1/audit", headers={"Authorization": f"Bearer {key}"}).status_code == 200
    rv = api.get("/api/v1/partners", headers={"Authorization": f"Bearer {key}"})
    assert rv.status_code == 403


def test_making_a_key_is_audited_with_the_person(app: Flask) -> None:
    client = signed_in(app, "admin")
    made_key(client)
    [entry] = AuditLog(store_of(app)).entries(action="key.")
    assert entry.action == "key.create"
    assert entry.actor_subject != "" and not entry.actor_subject.startswith(("key:", "cli:"))
    assert entry.after["name"] == "siem export" and entry.after["scopes"] == ["audit"]


def test_the_form_offers_every_permission_with_its_description_and_nothing_else(
    app: Flask,
) -> None:
    page = signed_in(app, "admin").get("/admin/keys/new").get_data(as_text=True)
    offered = re.findall(r'name="scope" value="([^"]+)"', page)
    assert offered == list(PERMISSIONS)
    for what in PERMISSIONS.values():
        assert str(what).replace("'", "&#39;") in page
    for console_only in CONSOLE_PERMISSIONS:
        assert f'value="{console_only}"' not in page


@pytest.mark.parametrize(
    "scopes", [["keys"], ["settings"], ["audit", "keys"], ["admin"], [], ["audit "]]
)
def test_scopes_outside_the_permissions_are_refused(app: Flask, scopes: list[str]) -> None:
    client = signed_in(app, "admin")
    rv = make(client, scope=scopes, name="kept name")
    assert rv.status_code == 400
    page = rv.get_data(as_text=True)
    assert "cannot be given" in page or "at least one" in page
    assert 'value="kept name"' in page  # the form comes back as it was filled
    assert not KEY.search(page)
    assert store_of(app).list_keys() == []


@pytest.mark.parametrize(
    ("form", "says"),
    [
        ({"expires": "7"}, "choose when the key expires"),
        ({"expires": ""}, "choose when the key expires"),
        ({"expires": "date", "on": ""}, "give the date"),
        ({"expires": "date", "on": "31/12/2027"}, "YYYY-MM-DD"),
        ({"expires": "date", "on": "2001-01-01"}, "begun or passed"),
        ({"name": "   "}, "must not be empty"),
        ({"name": "x" * 101}, "at most 100 characters"),
    ],
)
def test_bad_input_is_a_400_page_in_words(app: Flask, form: dict[str, str], says: str) -> None:
    rv = make(signed_in(app, "admin"), **form)
    assert rv.status_code == 400
    assert says in rv.get_data(as_text=True)
    assert store_of(app).list_keys() == []


def test_expiry_choices(app: Flask) -> None:
    client = signed_in(app, "admin")
    store = store_of(app)
    made_key(client, name="a", expires="never")
    made_key(client, name="b", expires="date", on="2030-06-30")
    made_key(client, name="c", expires="365")
    a, b, c = store.list_keys()
    assert a.expires_at is None
    assert b.expires_at == datetime(2030, 6, 30, tzinfo=UTC)
    assert c.expires_at is not None
    assert abs(c.expires_at - (c.created_at + timedelta(days=365))) < timedelta(seconds=1)
    listing = client.get("/admin/keys").get_data(as_text=True)
    assert "2030-06-30 00:00 UTC" in listing and "never" in listing
    rv = make(client, name="d", expires="date", on="2099-01-01")
    assert rv.status_code == 400
    assert "at most 3650 days" in rv.get_data(as_text=True)


def test_a_form_without_its_csrf_token_makes_nothing(app: Flask) -> None:
    rv = make(signed_in(app, "admin"), csrf_token="")
    assert rv.status_code == 403
    assert store_of(app).list_keys() == []


def test_revoking_asks_then_the_api_refuses_the_key_at_once(app: Flask) -> None:
    client = signed_in(app, "admin")
    key = made_key(client)
    auth = {"Authorization": f"Bearer {key}"}
    api = app.test_client()
    assert api.get("/api/v1/audit", headers=auth).status_code == 200  # and cached
    [record] = store_of(app).list_keys()
    listing = client.get("/admin/keys").get_data(as_text=True)
    assert f'href="/admin/keys/{record.id}/revoke"' in listing
    ask = client.get(f"/admin/keys/{record.id}/revoke")
    assert ask.status_code == 200 and "cannot be undone" in ask.get_data(as_text=True)
    assert store_of(app).find_key(record.id).active  # asking changes nothing

    rv = client.post(f"/admin/keys/{record.id}/revoke", data={"csrf_token": csrf(client)})
    assert rv.status_code == 303 and rv.headers["Location"].endswith("/admin/keys")
    assert api.get("/api/v1/audit", headers=auth).status_code == 401
    listing = client.get("/admin/keys").get_data(as_text=True)
    assert "Revoked the key siem export" in listing
    assert f'href="/admin/keys/{record.id}/revoke"' not in listing
    assert "revoked" in listing
    entries = AuditLog(store_of(app)).entries(action="key.")
    assert [e.action for e in entries] == ["key.create", "key.revoke"]
    assert entries[1].actor_subject == entries[0].actor_subject

    again = client.post(f"/admin/keys/{record.id}/revoke", data={"csrf_token": csrf(client)})
    assert again.status_code == 303
    assert "already revoked" in client.get("/admin/keys").get_data(as_text=True)
    assert len(AuditLog(store_of(app)).entries(action="key.")) == 2


def test_revoking_needs_the_csrf_token_and_a_key_that_exists(app: Flask) -> None:
    client = signed_in(app, "admin")
    made_key(client)
    [record] = store_of(app).list_keys()
    assert client.post(f"/admin/keys/{record.id}/revoke", data={}).status_code == 403
    assert store_of(app).find_key(record.id).active
    assert client.get("/admin/keys/999/revoke").status_code == 404
    rv = client.post("/admin/keys/999/revoke", data={"csrf_token": csrf(client)})
    assert rv.status_code == 404 and "no service key 999" in rv.get_data(as_text=True)
    assert client.get("/admin/keys/x/revoke").status_code == 404


def test_a_hostile_name_is_text(app: Flask) -> None:
    client = signed_in(app, "admin")
    rv = make(client, name='<img src=x onerror="alert(1)">')
    assert "<img src=x" not in rv.get_data(as_text=True)
    listing = client.get("/admin/keys").get_data(as_text=True)
    assert "&lt;img src=x onerror=&#34;alert(1)&#34;&gt;" in listing
    assert "<img src=x" not in listing
