"""Every /api/v1 route, called with people's access tokens from the local issuer
(tests/identity_issuer.py) and with service keys: what is refused, with which answer, and
who is recorded as acting."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from caveat.identity.permissions import PERMISSIONS, permissions_of
from caveat.identity.tokens import REFRESH_SECONDS, IdentityUnavailable
from caveat.storage.store import Store
from caveat.web.api import auth as auth_module
from caveat.web.api.v1 import PERMISSION_OF, PUBLIC
from tests.identity_app import CLIENT_ID, TENANT, make_app
from tests.identity_issuer import LocalIssuer

from .conftest import SMALL_PAYLOAD
from .test_contract import DOC, check_response

#: A request each route answers with 2xx for a caller who may call it.
SAMPLES: dict[str, tuple[str, str, dict[str, Any]]] = {
    "v1.analyze": ("POST", "/api/v1/analyze", {"json": SMALL_PAYLOAD}),
    "v1.recipients": (
        "POST",
        "/api/v1/recipients",
        {"json": {"from": {"address": "bo@ours.example"}, "to": [{"address": "a@example.com"}]}},
    ),
    "v1.sender_contact": ("GET", "/api/v1/senders/contact?address=a@example.com", {}),
    "v1.report_message": ("POST", "/api/v1/reports", {"json": {"from": {"address": "x@e.com"}}}),
    "v1.list_reports": ("GET", "/api/v1/reports", {}),
    "v1.checks": ("GET", "/api/v1/checks", {}),
    "v1.export_partners": ("GET", "/api/v1/partners", {}),
    "v1.export_people": ("GET", "/api/v1/people", {}),
    "v1.import_people": (
        "PUT",
        "/api/v1/people",
        {"data": "name,email\nAnna Keller,anna.keller@example.com\n", "content_type": "text/csv"},
    ),
    "v1.import_partners": (
        "PUT",
        "/api/v1/partners",
        {
            "data": "organization,domain,contact_name,contact_email,contact_phone,"
            "bank_accounts,require_auth\n",
            "content_type": "text/csv",
        },
    ),
    "v1.list_indicators": ("GET", "/api/v1/indicators", {}),
    "v1.add_indicator": (
        "POST",
        "/api/v1/indicators",
        {"json": {"kind": "domain", "value": "fraud-sample.example.com"}},
    ),
    "v1.import_indicators": (
        "POST",
        "/api/v1/indicators/import",
        {
            "data": "kind,value,note\naddress,a@fraud-sample.example.com,\n",
            "content_type": "text/csv",
        },
    ),
    "v1.remove_indicator": ("DELETE", "/api/v1/indicators/999999", {}),
    "v1.confirm_report": ("POST", "/api/v1/reports/999999/confirm", {}),
    "v1.dismiss_report": ("POST", "/api/v1/reports/999999/dismiss", {}),
    "v1.list_verifications": ("GET", "/api/v1/verifications", {}),
    "v1.record_verification": (
        "POST",
        "/api/v1/verifications",
        {
            "json": {
                "organization": "Nobody Ltd",
                "contact": {"index": 0},
                "account_ref": "0" * 64,
                "outcome": "unreachable",
            }
        },
    ),
    "v1.clear_verification": ("POST", "/api/v1/verifications/999999/clear", {}),
    "v1.list_account_approvals": ("GET", "/api/v1/accounts/approvals", {}),
    "v1.request_account_approval": (
        "POST",
        "/api/v1/accounts/approvals",
        {
            "json": {
                "organization": "Nobody Ltd",
                "account_ref": "0" * 64,
                "account": "DE89370400440532013000",
            }
        },
    ),
    "v1.approve_account": ("POST", "/api/v1/accounts/approvals/999999/approve", {}),
    "v1.reject_account": ("POST", "/api/v1/accounts/approvals/999999/reject", {}),
    "v1.list_audit": ("GET", "/api/v1/audit", {}),
    "v1.export_audit": ("GET", "/api/v1/audit/export", {}),
    "v1.partner_policy": ("GET", "/api/v1/partners/Nobody%20Ltd/policy", {}),
    "v1.change_partner_policy": (
        "PATCH",
        "/api/v1/partners/Nobody%20Ltd/policy",
        {"json": {"pay_only_on_file": True}},
    ),
}
ROUTES = sorted(SAMPLES)
#: Routes whose sample names something that is not there: a caller who may call them gets
#: 404 (the permission was granted; there was nothing to act on).
ABSENT = frozenset(
    {
        "v1.remove_indicator",
        "v1.confirm_report",
        "v1.dismiss_report",
        "v1.clear_verification",
        "v1.approve_account",
        "v1.reject_account",
        "v1.partner_policy",
        "v1.change_partner_policy",
    }
)
#: Routes whose sample names a partner the (empty) directory does not have: a caller who
#: may call them gets 400 (tests/web/test_verify_api.py has the accepted requests).
NOT_IN_DIRECTORY = frozenset({"v1.record_verification", "v1.request_account_approval"})


@pytest.fixture(scope="module")
def app(issuer: LocalIssuer, tmp_path_factory: pytest.TempPathFactory) -> Flask:
    return make_app(issuer.settings(), tmp_path_factory.mktemp("identity") / "instance")


def call(client: FlaskClient, endpoint: str, credential: str | None = None) -> Any:
    method, path, kwargs = SAMPLES[endpoint]
    headers = {"Authorization": f"Bearer {credential}"} if credential is not None else {}
    return client.open(path, method=method, headers=headers, **kwargs)


def _template(path: str) -> str:
    """The documented path of a concrete one (``/reports/7/confirm`` is
    ``/reports/{report_id}/confirm``)."""
    if path in DOC["paths"]:
        return path
    for documented in DOC["paths"]:
        if re.fullmatch(re.sub(r"\{\w+\}", "[^/]+", documented), path):
            return str(documented)
    return path


def _documented(rv: Any, endpoint: str) -> None:
    method, path, _ = SAMPLES[endpoint]
    path = _template(path.partition("?")[0])
    if rv.mimetype == "application/json":
        check_response(path, method, rv)
    else:  # the partner CSV
        assert str(rv.status_code) in DOC["paths"][path][method.lower()]["responses"]


# ------------------------------------------------------------- every route is covered


def test_every_api_route_declares_a_permission_or_is_public(app: Flask) -> None:
    endpoints = {
        rule.endpoint for rule in app.url_map.iter_rules() if rule.rule.startswith("/api/v1/")
    }
    undeclared = sorted(e for e in endpoints if e not in PERMISSION_OF and e not in PUBLIC)
    assert undeclared == [], f"routes without a permission: {undeclared}"
    assert set(PERMISSION_OF.values()) <= set(PERMISSIONS)
    # Each route that needs a permission has a sample request here, so it is tested below.
    assert endpoints - PUBLIC == set(SAMPLES)


# ------------------------------------------------------------- refused tokens

#: name -> (token maker, expected code)
Forge = Callable[[LocalIssuer], str | None]
REFUSED: dict[str, tuple[Forge, str]] = {
    "no credential": (lambda i: None, "unauthorized"),
    "alg none": (lambda i: i.mint(user="adm", alg="none"), "invalid_token"),
    "HS256 with the public key": (
        lambda i: i.mint(user="adm", alg="HS256", key=i.public_pem),
        "invalid_token",
    ),
    "unknown kid": (lambda i: i.mint(user="adm", kid="forged-kid"), "invalid_token"),
    "another key under the issuer's kid": (
        lambda i: i.mint(user="adm", key=LocalIssuer().key),
        "invalid_token",
    ),
    "wrong issuer": (
        lambda i: i.mint(user="adm", extra_claims={"iss": "https://evil.example/t/v2.0"}),
        "invalid_token",
    ),
    "wrong audience": (lambda i: i.mint(user="adm", aud="api://someone-else"), "invalid_token"),
    "wrong tenant": (lambda i: i.mint(user="adm", tid="other-tenant"), "invalid_token"),
    "wrong tenant, right issuer": (
        lambda i: i.mint(user="adm", extra_claims={"tid": "other-tenant"}),
        "invalid_token",
    ),
    "expired": (lambda i: i.mint(user="adm", exp_in=-61 - 30), "invalid_token"),
    "not yet valid": (lambda i: i.mint(user="adm", nbf_in=61 + 30), "invalid_token"),
    "no exp": (lambda i: i.mint(user="adm", extra_claims={"exp": None}), "invalid_token"),
    "missing scope": (lambda i: i.mint(user="adm", scope="User.Read"), "invalid_token"),
    "app-only token": (
        lambda i: i.mint(user="adm", extra_claims={"scp": None, "roles": ["Caveat.Admin"]}),
        "invalid_token",
    ),
    "not a JWT": (lambda i: "abc.def.ghi", "invalid_token"),
    "unknown service key": (lambda i: "cav_" + "x" * 43, "unauthorized"),
}


@pytest.fixture(scope="module")
def forged(issuer: LocalIssuer) -> dict[str, str | None]:
    return {name: make(issuer) for name, (make, _) in REFUSED.items()}


@pytest.mark.parametrize("case", sorted(REFUSED))
@pytest.mark.parametrize("endpoint", ROUTES)
def test_refused_on_every_route(
    client: FlaskClient, forged: dict[str, str | None], endpoint: str, case: str
) -> None:
    rv = call(client, endpoint, forged[case])
    assert rv.status_code == 401, (case, rv.get_json())
    _documented(rv, endpoint)
    assert rv.get_json()["error"]["code"] == REFUSED[case][1]
    assert rv.headers["WWW-Authenticate"].startswith('Bearer realm="caveat"')


def test_the_reason_says_what_is_wrong_and_nothing_of_the_key(
    client: FlaskClient, forged: dict[str, str | None], issuer: LocalIssuer
) -> None:
    expected = {
        "alg none": "'none' are not accepted",
        "HS256 with the public key": "'HS256' are not accepted",
        "unknown kid": "key the identity provider does not list",
        "another key under the issuer's kid": "signature does not verify",
        "wrong issuer": "another issuer",
        "wrong audience": "another audience",
        "wrong tenant": "tenant (tid) is not allowed",
        "expired": "expired",
        "not yet valid": "not valid yet",
        "no exp": "no exp claim",
        "missing scope": "scope access_as_user",
        "app-only token": "scope access_as_user",
    }
    pem = issuer.public_pem.decode().splitlines()[1]
    for case, words in expected.items():
        rv = call(client, "v1.checks", forged[case])
        message = rv.get_json()["error"]["message"]
        assert words in message, (case, message)
        assert words in rv.headers["WWW-Authenticate"]
        assert (
            pem[:20] not in message
            and str(issuer.key.public_key().public_numbers().n)[:20] not in message
        )


def test_clock_leeway_is_a_minute(client: FlaskClient, issuer: LocalIssuer) -> None:
    assert call(client, "v1.checks", issuer.mint(exp_in=-30)).status_code == 200
    assert call(client, "v1.checks", issuer.mint(nbf_in=30)).status_code == 200


# ------------------------------------------------------------- roles and permissions


@pytest.mark.parametrize("user", ["ana", "fin", "sec", "adm"])
@pytest.mark.parametrize("endpoint", ROUTES)
def test_each_role_reaches_exactly_its_routes(
    client: FlaskClient, issuer: LocalIssuer, endpoint: str, user: str
) -> None:
    allowed = permissions_of({"user", *issuer.users[user].roles})
    rv = call(client, endpoint, issuer.mint(user=user))
    _documented(rv, endpoint)
    if PERMISSION_OF[endpoint] in allowed and endpoint in ABSENT:
        assert rv.status_code == 404, (user, endpoint, rv.get_json())
    elif PERMISSION_OF[endpoint] in allowed and endpoint in NOT_IN_DIRECTORY:
        assert rv.status_code == 400, (user, endpoint, rv.get_json())
        assert "not a partner in the directory" in rv.get_json()["error"]["message"]
    elif PERMISSION_OF[endpoint] in allowed:
        assert 200 <= rv.status_code < 300, (user, endpoint, rv.get_json())
    else:
        assert rv.status_code == 403, (user, endpoint, rv.get_json())
        assert rv.get_json()["error"]["code"] == "forbidden"
        assert repr(PERMISSION_OF[endpoint]) in rv.get_json()["error"]["message"]


def test_a_user_token_on_admin_and_security_routes_is_403(
    client: FlaskClient, issuer: LocalIssuer
) -> None:
    token = issuer.mint(user="ana")
    for endpoint in ("v1.export_partners", "v1.import_partners", "v1.list_reports"):
        assert call(client, endpoint, token).status_code == 403
    # A role granted by the token (an app role) opens them.
    assert (
        call(client, "v1.export_partners", issuer.mint(user="ana", roles=["admin"])).status_code
        == 200
    )


def test_groups_map_to_roles_too(issuer: LocalIssuer, tmp_path: Path) -> None:
    group = "b7d1e0c2-0000-4000-8000-00000000beef"
    app = make_app(issuer.settings(IDENTITY_ROLES=f"security={group}"), tmp_path / "i")
    client = app.test_client()
    token = issuer.mint(user="ana", extra_claims={"groups": [group]})
    assert call(client, "v1.list_reports", token).status_code == 200
    # The app role Caveat.Security is not mapped in this configuration.
    assert call(client, "v1.list_reports", issuer.mint(user="sec")).status_code == 403


# ------------------------------------------------------------- who acted


def test_the_reporter_is_the_person_of_the_token(client: FlaskClient, issuer: LocalIssuer) -> None:
    body = {
        "from": {"address": "finance-person@partnerb.example"},
        "internet_message_id": "<reported-by-ana@example.com>",
        "reporter": "someone-else@example.org",
    }
    ana = {"Authorization": f"Bearer {issuer.mint(user='ana')}"}
    first = client.post("/api/v1/reports", json=body, headers=ana)
    assert first.status_code == 201
    again = client.post("/api/v1/reports", json={**body, "reporter": "x@y.example"}, headers=ana)
    assert again.status_code == 200 and again.get_json()["id"] == first.get_json()["id"]
    fin = {"Authorization": f"Bearer {issuer.mint(user='fin')}"}
    assert client.post("/api/v1/reports", json=body, headers=fin).status_code == 201
    listed = client.get(
        "/api/v1/reports", headers={"Authorization": f"Bearer {issuer.mint(user='sec')}"}
    ).get_json()["reports"]
    mine = [r["reporter"] for r in listed if r["sender"] == "finance-person@partnerb.example"]
    assert sorted(mine) == ["ana@example.org", "fin@example.org"]
    assert "someone-else@example.org" not in str(listed)


# ------------------------------------------------------------- service keys beside sign-in


def test_service_keys_work_beside_sign_in_within_their_scopes(app: Flask) -> None:
    store: Store = app.extensions["caveat"].store
    client = app.test_client()
    _, admin = store.create_key("admin-script", admin=True)
    assert call(client, "v1.export_partners", admin).status_code == 200
    _, siem = store.create_key("siem", scopes=["reports.read"])
    assert call(client, "v1.list_reports", siem).status_code == 200
    rv = call(client, "v1.analyze", siem)
    assert rv.status_code == 403 and "'analyze'" in rv.get_json()["error"]["message"]


def test_while_people_sign_in_a_key_does_not_act_for_a_person(
    app: Flask, tmp_path: Path, issuer: LocalIssuer
) -> None:
    """A key made with every permission reaches the routes of scripts, not the ones whose
    record names a person (a report) or that show partners' numbers; a demo service, whose
    people do not sign in, lets it."""
    store: Store = app.extensions["caveat"].store
    client = app.test_client()
    _, everything = store.create_key("everything", admin=True)
    assert call(client, "v1.analyze", everything).status_code == 200
    assert call(client, "v1.list_reports", everything).status_code == 200
    for endpoint in ("v1.report_message", "v1.sender_contact"):
        rv = call(client, endpoint, everything)
        assert rv.status_code == 403, endpoint
        assert "acts for a person" in rv.get_json()["error"]["message"]
    demo = make_app({**issuer.settings(), "SERVICE_KEYS_FOR_PEOPLE": True}, tmp_path / "demo")
    _, key = demo.extensions["caveat"].store.create_key("everything", admin=True)
    assert call(demo.test_client(), "v1.report_message", key).status_code == 201


def test_a_revoked_key_fails_at_once(app: Flask) -> None:
    store: Store = app.extensions["caveat"].store
    client = app.test_client()
    record, key = store.create_key("to-revoke")
    assert call(client, "v1.checks", key).status_code == 200
    store.revoke_key(str(record.id))
    rv = call(client, "v1.checks", key)
    assert rv.status_code == 401 and "revoked" in rv.get_json()["error"]["message"]


def test_an_expired_key_is_refused_as_expired(app: Flask) -> None:
    store: Store = app.extensions["caveat"].store
    _, key = store.create_key("old", expires_at=datetime.now(UTC) + timedelta(hours=1))
    client = app.test_client()
    assert call(client, "v1.checks", key).status_code == 200
    clock = store.clock
    store.clock = lambda: clock() + timedelta(hours=2)
    try:
        rv = call(client, "v1.checks", key)
    finally:
        store.clock = clock
    assert rv.status_code == 401 and "expired" in rv.get_json()["error"]["message"]


def test_a_token_without_sign_in_is_refused_clearly(tmp_path: Path, issuer: LocalIssuer) -> None:
    client = make_app({}, tmp_path / "i").test_client()
    rv = call(client, "v1.checks", issuer.mint())
    assert rv.status_code == 401
    assert rv.get_json()["error"]["code"] == "invalid_token"
    assert "sign-in is not set up" in rv.get_json()["error"]["message"]


# ------------------------------------------------------------- the key set


class _Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def _counted_app(issuer: LocalIssuer, instance: Path, **settings: Any) -> tuple[Flask, _Clock]:
    app = make_app(issuer.settings(**settings), instance)
    clock = _Clock()
    ident = app.extensions[auth_module.EXTENSION]
    app.extensions[auth_module.EXTENSION] = auth_module.Identity(
        ident.config, service_keys_for_people=False, clock=clock
    )
    return app, clock


def test_unknown_kids_refresh_the_key_set_at_most_every_five_minutes(tmp_path: Path) -> None:
    with LocalIssuer(tenant=TENANT, client_id=CLIENT_ID) as issuer:
        app, clock = _counted_app(issuer, tmp_path / "i")
        client = app.test_client()
        assert call(client, "v1.checks", issuer.mint()).status_code == 200
        assert issuer.jwks_fetches == 1
        for n in range(20):
            assert call(client, "v1.checks", issuer.mint(kid=f"forged-{n}")).status_code == 401
        assert call(client, "v1.checks", issuer.mint()).status_code == 200
        assert issuer.jwks_fetches == 1  # no fetch per forged kid

        issuer.rotate()
        clock.now += REFRESH_SECONDS
        # The new key is found with one fetch, and the tokens of the old one are refused.
        assert call(client, "v1.checks", issuer.mint()).status_code == 200
        assert issuer.jwks_fetches == 2
        assert call(client, "v1.checks", issuer.mint()).status_code == 200
        for n in range(5):
            assert call(client, "v1.checks", issuer.mint(kid=f"again-{n}")).status_code == 401
        assert issuer.jwks_fetches == 2


def test_the_key_set_is_found_through_discovery_and_fetched_once(tmp_path: Path) -> None:
    with LocalIssuer(tenant=TENANT, client_id=CLIENT_ID) as issuer:
        client = make_app(issuer.settings(), tmp_path / "i").test_client()
        for user in ("ana", "fin", "sec", "adm", "ana"):
            assert call(client, "v1.checks", issuer.mint(user=user)).status_code == 200
        assert issuer.jwks_fetches == 1
        discovery = [r for r in issuer.requests if r.endswith("/openid-configuration")]
        assert discovery == [f"GET /{TENANT}/v2.0/.well-known/openid-configuration"]


def test_an_unreachable_provider_is_503_and_not_asked_per_request(
    issuer: LocalIssuer, tmp_path: Path
) -> None:
    app = make_app(issuer.settings(), tmp_path / "i")
    asked: list[str] = []

    def down(url: str) -> dict[str, Any]:
        asked.append(url)
        raise IdentityUnavailable(f"cannot fetch {url}: ConnectionRefusedError")

    ident = app.extensions[auth_module.EXTENSION]
    app.extensions[auth_module.EXTENSION] = auth_module.Identity(
        ident.config, service_keys_for_people=False, fetch=down
    )
    client = app.test_client()
    for _ in range(5):
        rv = call(client, "v1.checks", issuer.mint())
        assert rv.status_code == 503
        _documented(rv, "v1.checks")
        assert rv.get_json()["error"]["code"] == "identity_unavailable"
        assert rv.headers["Retry-After"]
    assert len(asked) == 1
    # A forged token is still refused without asking anyone.
    assert call(client, "v1.checks", issuer.mint(alg="none")).status_code == 401


# ------------------------------------------------------------- other issuers and tenants


def test_a_keycloak_realm_by_configuration(tmp_path: Path) -> None:
    with LocalIssuer(tenant="acme", client_id="caveat", flavour="oidc") as issuer:
        client = make_app(issuer.settings(), tmp_path / "i").test_client()
        assert call(client, "v1.export_partners", issuer.mint(user="adm")).status_code == 200
        assert call(client, "v1.export_partners", issuer.mint(user="ana")).status_code == 403
        assert call(client, "v1.sender_contact", issuer.mint(user="fin")).status_code == 200
        assert call(client, "v1.checks", issuer.mint(scope="openid email")).status_code == 401
        document = client.get("/api/v1/identity").get_json()
        assert document["scopes"] == ["openid", "access_as_user"]
        assert document["authority"] == issuer.url
        assert document["token_endpoint"] == issuer.token_endpoint


def test_several_entra_tenants(tmp_path: Path) -> None:
    with LocalIssuer(tenant=TENANT, client_id=CLIENT_ID) as issuer:
        settings = issuer.settings(multi_tenant=True, IDENTITY_TENANTS=f"{TENANT},second-tenant")
        client = make_app(settings, tmp_path / "i").test_client()
        assert call(client, "v1.checks", issuer.mint(tid="second-tenant")).status_code == 200
        assert call(client, "v1.checks", issuer.mint(tid=TENANT)).status_code == 200
        rv = call(client, "v1.checks", issuer.mint(tid="third-tenant"))
        assert rv.status_code == 401 and "tenant" in rv.get_json()["error"]["message"]
        # A token of an allowed tenant whose iss names another one.
        forged = issuer.mint(tid="third-tenant", extra_claims={"tid": "second-tenant"})
        assert call(client, "v1.checks", forged).status_code == 401


# ------------------------------------------------------------- the public identity document


def test_identity_document_with_sign_in(client: FlaskClient, issuer: LocalIssuer) -> None:
    rv = client.get("/api/v1/identity")
    assert rv.status_code == 200
    check_response("/api/v1/identity", "get", rv)
    assert rv.get_json() == {
        "sign_in": True,
        "issuer": issuer.url,
        "authority": f"{issuer.base}/{TENANT}",
        "client_id": CLIENT_ID,
        "scopes": [f"api://{CLIENT_ID}/access_as_user"],
        "authorization_endpoint": issuer.authorization_endpoint,
        "token_endpoint": issuer.token_endpoint,
        "service_keys_for_people": False,
    }


def test_identity_document_without_sign_in(tmp_path: Path) -> None:
    client = make_app({}, tmp_path / "i").test_client()
    rv = client.get("/api/v1/identity")
    check_response("/api/v1/identity", "get", rv)
    assert rv.get_json() == {"sign_in": False, "service_keys_for_people": True}


def test_identity_document_for_microsoft_needs_no_fetch(tmp_path: Path) -> None:
    settings = {
        "IDENTITY_ISSUER": "https://login.microsoftonline.com/{tenantid}/v2.0",
        "IDENTITY_CLIENT_ID": CLIENT_ID,
        "IDENTITY_TENANTS": TENANT,
    }
    client = make_app(settings, tmp_path / "i").test_client()
    document = client.get("/api/v1/identity").get_json()
    base = "https://login.microsoftonline.com/organizations/oauth2/v2.0"
    assert document["authority"] == "https://login.microsoftonline.com/organizations"
    assert document["authorization_endpoint"] == f"{base}/authorize"
    assert document["token_endpoint"] == f"{base}/token"
    assert document["scopes"] == [f"api://{CLIENT_ID}/access_as_user"]


# ------------------------------------------------------------- rate limits per person


def test_a_person_is_counted_whatever_token_they_send(issuer: LocalIssuer, tmp_path: Path) -> None:
    settings = {**issuer.settings(), "RATE_LIMIT_PER_KEY": "3/minute"}
    client = make_app(settings, tmp_path / "i").test_client()
    for _ in range(3):
        assert call(client, "v1.checks", issuer.mint(user="ana")).status_code == 200
    rv = call(client, "v1.checks", issuer.mint(user="ana"))
    assert rv.status_code == 429 and "your account" in rv.get_json()["error"]["message"]
    assert call(client, "v1.checks", issuer.mint(user="fin")).status_code == 200
