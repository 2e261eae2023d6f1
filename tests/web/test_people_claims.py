"""The people directory from the identity provider's token claims: the IDENTITY_CLAIM_* and
IDENTITY_*_GROUPS settings, what a validated token says of its person, and end to end from
the local issuer's tokens to people rows and the checks that read them. The people CSV wins
where both name a person, and one person's token never changes another's row."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from caveat.identity.config import IdentityConfig
from caveat.identity.principal import Profile
from caveat.identity.tokens import TokenValidator
from caveat.knowledge.people_csv import PersonRecord
from caveat.service.settings import environment, identity_config, load_settings
from caveat.storage.audit import AuditLog
from caveat.storage.people import PeopleStore
from caveat.storage.store import Store
from tests.identity_app import make_app
from tests.identity_issuer import LocalIssuer

EXEC_GROUP = "0b5e2f4c-exec"
HR_GROUP = "7d1a9c3e-hr"
EA_GROUP = "4f8b6d2a-ea"
CLAIMS: dict[str, Any] = {
    "IDENTITY_CLAIM_TITLE": "jobTitle",
    "IDENTITY_CLAIM_DEPARTMENT": "extn.department",
    "IDENTITY_EXECUTIVE_GROUPS": f"{EXEC_GROUP},Caveat.Executive",
    "IDENTITY_SENSITIVE_GROUPS": f"hr={HR_GROUP},executive_support={EA_GROUP}",
}
CEO_CLAIMS: dict[str, Any] = {
    "jobTitle": "Chief Executive Officer",
    "extn": {"department": "Management"},
    "groups": [EXEC_GROUP, "some-other-group"],
}


def _load(caveat_env: Path, **settings: Any) -> dict[str, Any]:
    return load_settings(settings, environ={"CAVEAT_INSTANCE_PATH": str(caveat_env)})


# -- settings ---------------------------------------------------------------------------


def test_claim_settings_as_text_or_table_and_through_the_environment(caveat_env: Path) -> None:
    base = {"IDENTITY_ISSUER": "https://idp.example/realms/a", "IDENTITY_CLIENT_ID": "c"}
    text = _load(caveat_env, **base, **CLAIMS)
    table = _load(
        caveat_env,
        **base,
        **{
            **CLAIMS,
            "IDENTITY_EXECUTIVE_GROUPS": [EXEC_GROUP, "Caveat.Executive"],
            "IDENTITY_SENSITIVE_GROUPS": {"HR": HR_GROUP, "executive_support": [EA_GROUP]},
        },
    )
    assert text["IDENTITY_SENSITIVE_GROUPS"] == table["IDENTITY_SENSITIVE_GROUPS"]
    assert text["IDENTITY_EXECUTIVE_GROUPS"] == table["IDENTITY_EXECUTIVE_GROUPS"]
    again = load_settings(environ={**environment(table), "CAVEAT_INSTANCE_PATH": str(caveat_env)})
    config = identity_config(again)
    assert config is not None
    assert (config.title_claim, config.department_claim) == ("jobTitle", "extn.department")
    assert config.executive_values == {EXEC_GROUP, "Caveat.Executive"}
    assert config.group_of([HR_GROUP, "x"]) == "hr"
    assert config.group_of([EA_GROUP, HR_GROUP]) == "hr"  # the order of GROUPS decides
    assert config.group_of(["x"]) == ""
    off = identity_config(_load(caveat_env, **base))
    assert off is not None and not off.title_claim and not off.group_map


# -- what a token says ------------------------------------------------------------------


@pytest.fixture(scope="module")
def issuer() -> Any:
    from tests.identity_app import CLIENT_ID, TENANT

    with LocalIssuer(tenant=TENANT, client_id=CLIENT_ID) as it:
        yield it


def _validator(issuer: LocalIssuer, **settings: Any) -> TokenValidator:
    config = IdentityConfig.build(
        issuer=issuer.url,
        client_id=issuer.client_id,
        tenants=[issuer.tenant],
        roles={"finance": ["Caveat.Finance"]},
        **settings,
    )
    return TokenValidator(config)


def test_a_token_says_title_department_group_and_executive(issuer: LocalIssuer) -> None:
    v = _validator(
        issuer,
        title_claim="jobTitle",
        department_claim="extn.department",
        executive_values=[EXEC_GROUP],
        groups={"hr": [HR_GROUP]},
    )
    ceo = v.validate(issuer.mint(user="ana", extra_claims=CEO_CLAIMS))
    assert ceo.profile == Profile("Chief Executive Officer", "Management", "", True)
    hr = v.validate(
        issuer.mint(
            user="ana",
            extra_claims={"groups": [HR_GROUP], "jobTitle": ["", " Accounts\n\t Clerk "]},
        )
    )
    assert hr.profile == Profile(title="Accounts Clerk", group="hr")
    # claims of the wrong shape, or too long, say nothing or are cut
    odd = v.validate(
        issuer.mint(
            user="ana",
            extra_claims={"jobTitle": {"x": 1}, "extn": "Management", "groups": EXEC_GROUP},
        )
    )
    assert odd.profile == Profile(executive=True)
    long = v.validate(issuer.mint(user="ana", extra_claims={"jobTitle": "T" * 5000}))
    assert long.profile.title == "T" * 300
    # without the settings, a token's claims say nothing of the person
    plain = _validator(issuer).validate(issuer.mint(user="ana", extra_claims=CEO_CLAIMS))
    assert plain.profile == Profile()


# -- end to end: tokens -> people rows -> checks ----------------------------------------


@pytest.fixture
def app(issuer: LocalIssuer, tmp_path: Path) -> Flask:
    return make_app(
        {**issuer.settings(), **CLAIMS, "INTERNAL_DOMAINS": ["example.org"]},
        tmp_path / "instance",
    )


def _store(app: Flask) -> Store:
    s: Store = app.extensions["caveat"].store
    return s


def _people(app: Flask) -> dict[str, PersonRecord]:
    return {p.email: p for p in PeopleStore(_store(app)).records()}


def put_people(client: FlaskClient, issuer: LocalIssuer, csv: str) -> None:
    """Import a people CSV as an administrator who signed in."""
    admin = issuer.mint(user="adm", roles=["admin"])
    r = client.put(
        "/api/v1/people",
        headers={"Authorization": f"Bearer {admin}", "Content-Type": "text/csv"},
        data=csv,
    )
    assert r.status_code == 200, r.get_json()


def _sign_in(client: FlaskClient, token: str) -> None:
    r = client.get("/api/v1/checks", headers={"Authorization": f"Bearer {token}"})
    assert r.status_code == 200, r.get_json()


def _person(issuer: LocalIssuer, login: str, oid: str, name: str, **claims: Any) -> str:
    """A token of another person of the tenant (the issuer knows four)."""
    return issuer.mint(
        user="ana",
        extra_claims={
            "oid": oid,
            "sub": oid,
            "name": name,
            "preferred_username": f"{login}@example.org",
            **claims,
        },
    )


def _analyze(client: FlaskClient, token: str, to: str, body: str) -> set[str]:
    impostor = "ana.example.office@gmail.com"
    r = client.post(
        "/api/v1/analyze",
        headers={"Authorization": f"Bearer {token}"},
        json={
            "headers": f"From: Ana Example <{impostor}>\r\nSubject: today\r\n",
            "from": {"name": "Ana Example", "address": impostor},
            "to": [{"name": "", "address": to}],
            "subject": "today",
            "body": body,
            "internet_message_id": "<m1@gmail.com>",
        },
    )
    assert r.status_code == 200, r.get_json()
    return {f["id"] for f in r.get_json()["findings"]}


DESK = "Are you at your desk? I need a quick favour from you, reply when you see this."


def test_claims_make_people_rows_that_the_checks_read(app: Flask, issuer: LocalIssuer) -> None:
    client = app.test_client()
    fin = issuer.mint(user="fin")
    _sign_in(client, issuer.mint(user="ana"))  # no claims yet: an employee
    assert not _people(app)["ana@example.org"].executive
    assert "EXECUTIVE_NAME_OUTSIDE" not in _analyze(client, fin, "pat@example.org", DESK)

    _sign_in(client, issuer.mint(user="ana", extra_claims=CEO_CLAIMS))
    _sign_in(client, fin)
    _sign_in(client, _person(issuer, "pat", "oid-pat", "Pat Example", groups=[HR_GROUP]))
    _sign_in(
        client,
        _person(issuer, "lee", "oid-lee", "Lee Example", jobTitle="Executive Assistant"),
    )
    people = _people(app)
    ana = people["ana@example.org"]
    assert (ana.title, ana.department, ana.executive) == (
        "Chief Executive Officer",
        "Management",
        True,
    )
    assert people["fin@example.org"].group == "finance"  # from the finance role
    assert people["pat@example.org"].group == "hr"  # from the group claim
    assert people["lee@example.org"].group == "executive_support"  # read from the title
    assert not people["pat@example.org"].executive

    found = _analyze(client, fin, "pat@example.org", DESK)
    assert {"EXECUTIVE_NAME_OUTSIDE", "PERSON_AVAILABILITY", "SENSITIVE_RECIPIENT"} <= found
    entries = AuditLog(_store(app)).entries(action="people.sign_in_update")
    assert [e.target for e in entries] == ["ana@example.org"]

    # out of the executives' group: the next token says so, and the row follows
    _sign_in(client, issuer.mint(user="ana", extra_claims={"groups": ["some-other-group"]}))
    ana = _people(app)["ana@example.org"]
    assert not ana.executive and ana.title == ""
    assert "EXECUTIVE_NAME_OUTSIDE" not in _analyze(client, fin, "pat@example.org", DESK)


def test_the_csv_wins_over_the_claims(app: Flask, issuer: LocalIssuer) -> None:
    client = app.test_client()
    _sign_in(client, issuer.mint(user="ana", extra_claims=CEO_CLAIMS))
    assert _people(app)["ana@example.org"].executive
    put_people(
        client,
        issuer,
        "name,email,title,department,executive\nAna Example,ana@example.org,Buyer,Purchasing,no\n",
    )
    # the CSV took the row over; the claims (executive, another title) change nothing now
    _sign_in(client, issuer.mint(user="ana", extra_claims={**CEO_CLAIMS, "jobTitle": "CEO"}))
    ana = _people(app)["ana@example.org"]
    assert (ana.title, ana.department, ana.executive) == ("Buyer", "Purchasing", False)
    fin = issuer.mint(user="fin")
    assert "EXECUTIVE_NAME_OUTSIDE" not in _analyze(client, fin, "fin@example.org", DESK)


def test_one_persons_token_never_changes_anothers_row(app: Flask, issuer: LocalIssuer) -> None:
    client = app.test_client()
    _sign_in(client, issuer.mint(user="ana"))
    # another account of the tenant whose sign-in name claims ana's address, with an
    # executive's claims: ana's row is not theirs
    _sign_in(
        client,
        _person(issuer, "ana", "oid-someone-else", "Someone Else", **CEO_CLAIMS),
    )
    ana = _people(app)["ana@example.org"]
    assert (ana.name, ana.title, ana.executive) == ("Ana Example", "", False)
    assert not AuditLog(_store(app)).entries(action="people.sign_in_update")


def test_a_person_whose_address_changed_keeps_one_row(app: Flask, issuer: LocalIssuer) -> None:
    client = app.test_client()
    _sign_in(client, issuer.mint(user="ana", extra_claims=CEO_CLAIMS))
    renamed = issuer.mint(
        user="ana", extra_claims={**CEO_CLAIMS, "preferred_username": "ana.new@example.org"}
    )
    _sign_in(client, renamed)
    people = _people(app)
    assert set(people) == {"ana.new@example.org"}
    assert people["ana.new@example.org"].executive


def test_a_service_key_or_a_guest_adds_nobody(app: Flask, issuer: LocalIssuer) -> None:
    client = app.test_client()
    guest = _person(issuer, "ana_example.com#ext#", "oid-guest", "Guest", **CEO_CLAIMS)
    _sign_in(client, guest)
    _, key = _store(app).create_key("tool", scopes=["analyze"])
    _sign_in(client, key)
    assert _people(app) == {}
