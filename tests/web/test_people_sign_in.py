"""People who sign in with the identity provider join the people directory (name, address,
the finance group from the finance role), only at our own domains, never over an
administrator's row; a service key adds nobody."""

from __future__ import annotations

from pathlib import Path

import pytest
from flask import Flask

from caveat.storage.audit import AuditLog
from caveat.storage.people import PeopleStore
from caveat.storage.store import Store
from tests.identity_app import make_app
from tests.identity_issuer import LocalIssuer
from tests.web.test_people_claims import put_people


@pytest.fixture
def app(issuer: LocalIssuer, tmp_path: Path) -> Flask:
    return make_app(
        {**issuer.settings(), "INTERNAL_DOMAINS": ["example.org"]}, tmp_path / "instance"
    )


def store_of(app: Flask) -> Store:
    s: Store = app.extensions["caveat"].store
    return s


def test_signed_in_people_at_our_domains_are_added(app: Flask, issuer: LocalIssuer) -> None:
    client = app.test_client()
    for user in ("ana", "fin", "sec", "fin"):
        token = issuer.mint(user=user)
        r = client.get("/api/v1/checks", headers={"Authorization": f"Bearer {token}"})
        assert r.status_code == 200
    people = {p.email: p for p in PeopleStore(store_of(app)).records()}
    # sec@example.com is not at an internal domain: not one of our people
    assert set(people) == {"ana@example.org", "fin@example.org"}
    assert people["fin@example.org"].group == "finance" and people["ana@example.org"].group == ""
    assert people["ana@example.org"].name == "Ana Example"
    assert not any(p.executive for p in people.values())
    rows = AuditLog(store_of(app)).entries(action="people.sign_in")
    assert sorted(e.target for e in rows) == ["ana@example.org", "fin@example.org"]


def test_an_imported_row_is_never_changed_from_a_token(app: Flask, issuer: LocalIssuer) -> None:
    client = app.test_client()
    put_people(
        client,
        issuer,
        "name,email,title,executive\nAna Example,ana@example.org,Chief Executive Officer,yes\n",
    )
    client.get("/api/v1/checks", headers={"Authorization": f"Bearer {issuer.mint(user='ana')}"})
    (ana,) = [p for p in PeopleStore(store_of(app)).records() if p.email == "ana@example.org"]
    assert ana.executive and ana.title == "Chief Executive Officer"
