"""The new-key form carries a one-time id: sending it again (a reload of the page that
shows the key) makes no second key and says so, with a fresh form; a form without a usable
id makes nothing; a form refused for its choices can be corrected and sent again."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import select

from caveat.storage.audit import AuditLog
from caveat.storage.console import ConsoleFormRow
from tests.console_app import console_app, console_of, csrf, session_of, signed_in
from tests.web.test_console_keys import FORM_ID, KEY, form_id, store_of

RESENT = (
    "This form was already used; the key was made then and is not shown again. Make a new "
    "one if you did not keep it."
)


@pytest.fixture
def app(tmp_path: Path) -> Flask:
    return console_app(tmp_path)


def page_text(html: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def test_a_form_sent_again_makes_no_second_key_and_says_so(app: Flask) -> None:
    client = signed_in(app, "admin")
    data = {
        "csrf_token": csrf(client),
        "form_id": form_id(client),
        "name": "siem export",
        "scope": ["audit"],
        "expires": "90",
    }
    first = client.post("/admin/keys/new", data=data)
    assert first.status_code == 200 and len(set(KEY.findall(first.get_data(as_text=True)))) == 1
    [record] = store_of(app).list_keys()

    again = client.post("/admin/keys/new", data=data)  # the browser's reload
    assert again.status_code == 409
    html = again.get_data(as_text=True)
    assert RESENT in page_text(html)
    assert f"siem export ({record.prefix})" in page_text(html)  # which key that was
    assert KEY.findall(html) == []  # no key shown, neither the old one nor a new one
    assert store_of(app).list_keys() == [record]
    assert [e.action for e in AuditLog(store_of(app)).entries(action="key.")] == ["key.create"]
    # the answer is the form again, filled in as sent, with a fresh id that works
    assert 'value="siem export"' in html
    [fresh] = FORM_ID.findall(html)
    assert fresh != data["form_id"]
    made = client.post("/admin/keys/new", data={**data, "form_id": fresh})
    assert made.status_code == 200 and len(store_of(app).list_keys()) == 2


def test_a_form_refused_for_its_choices_may_be_sent_again(app: Flask) -> None:
    client = signed_in(app, "admin")
    data = {"csrf_token": csrf(client), "form_id": form_id(client), "name": "sync"}
    refused = client.post("/admin/keys/new", data={**data, "scope": [], "expires": "90"})
    assert refused.status_code == 400 and store_of(app).list_keys() == []
    # the id of the refused sending was not used up
    made = client.post("/admin/keys/new", data={**data, "scope": ["directory"], "expires": "30"})
    assert made.status_code == 200 and len(store_of(app).list_keys()) == 1


@pytest.mark.parametrize("which", ["missing", "made up", "another session's", "too long"])
def test_a_form_without_a_usable_id_makes_nothing(app: Flask, which: str) -> None:
    client = signed_in(app, "admin")
    other = signed_in(app, "admin", subject="other-admin")
    ids = {
        "missing": None,
        "made up": "x" * 43,
        "another session's": form_id(other),
        "too long": "y" * 5000,
    }
    data: dict[str, object] = {
        "csrf_token": csrf(client),
        "name": "n",
        "scope": ["audit"],
        "expires": "90",
    }
    if ids[which] is not None:
        data["form_id"] = ids[which]
    rv = client.post("/admin/keys/new", data=data)
    assert rv.status_code == 400
    assert "This form is out of date" in page_text(rv.get_data(as_text=True))
    assert store_of(app).list_keys() == []
    assert AuditLog(store_of(app)).entries(action="key.") == []


def test_a_form_lapses_with_its_session(app: Flask) -> None:
    client = signed_in(app, "admin")
    data = {
        "csrf_token": csrf(client),
        "form_id": form_id(client),
        "name": "n",
        "scope": ["audit"],
        "expires": "90",
    }
    consoles = console_of(app).store
    with consoles.store.session() as s:
        [row] = s.scalars(select(ConsoleFormRow)).all()
        assert row.expires_at == session_of(client).expires_at
        row.expires_at = row.expires_at - timedelta(hours=9)  # as if the session had ended
    rv = client.post("/admin/keys/new", data=data)
    assert rv.status_code == 400 and store_of(app).list_keys() == []
