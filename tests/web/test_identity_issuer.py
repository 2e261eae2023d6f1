"""The local issuer of tests/identity_issuer.py does what a real one does: discovery, JWKS,
tokens that verify with its published key, the code flow with PKCE, refresh, CORS."""

from __future__ import annotations

import json
import secrets
import urllib.error
import urllib.request
from collections.abc import Iterator
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

import jwt
import pytest

from tests.identity_issuer import LocalIssuer, s256

REDIRECT = "https://localhost:9999/auth/done"


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


_OPENER = urllib.request.build_opener(_NoRedirect)


def _call(
    url: str,
    form: dict[str, str] | None = None,
    headers: dict[str, str] | None = None,
    method: str | None = None,
) -> tuple[int, dict[str, str], bytes]:
    data = urlencode(form).encode() if form is not None else None
    req = urllib.request.Request(  # noqa: S310 - loopback
        url, data=data, headers=headers or {}, method=method
    )
    try:
        with _OPENER.open(req, timeout=10) as resp:
            return resp.status, dict(resp.headers), resp.read()
    except urllib.error.HTTPError as exc:
        return exc.code, dict(exc.headers), exc.read()


@pytest.fixture(scope="module")
def issuer() -> Iterator[LocalIssuer]:
    with LocalIssuer(tenant="contoso-tenant", client_id="caveat-client") as it:
        it.redirect_uris.add(REDIRECT)
        yield it


def _verify(issuer: LocalIssuer, token: str, **kw: Any) -> dict[str, Any]:
    key = jwt.PyJWKClient(issuer.jwks_url).get_signing_key_from_jwt(token)
    out: dict[str, Any] = jwt.decode(
        token, key, algorithms=["RS256"], audience=issuer.client_id, issuer=issuer.url, **kw
    )
    return out


def test_discovery_names_its_endpoints(issuer: LocalIssuer) -> None:
    status, _, body = _call(issuer.url + "/.well-known/openid-configuration")
    doc = json.loads(body)
    assert status == 200
    assert doc["issuer"] == issuer.url == f"{issuer.base}/contoso-tenant/v2.0"
    assert doc["jwks_uri"] == issuer.jwks_url
    assert doc["code_challenge_methods_supported"] == ["S256"]


def test_minted_tokens_verify_with_the_published_key(issuer: LocalIssuer) -> None:
    claims = _verify(issuer, issuer.mint(user="fin"))
    assert claims["tid"] == "contoso-tenant"
    assert claims["scp"] == "access_as_user"
    assert claims["roles"] == ["Caveat.Finance"]
    assert claims["preferred_username"] == "fin@example.org"
    assert claims["oid"] == issuer.users["fin"].oid


def test_forged_tokens_do_not_verify(issuer: LocalIssuer) -> None:
    for token in (
        issuer.mint(alg="none"),
        issuer.mint(alg="HS256", key=issuer.public_pem),
    ):
        with pytest.raises(jwt.PyJWTError):
            _verify(issuer, token)
    assert jwt.get_unverified_header(issuer.mint(alg="none"))["alg"] == "none"
    with pytest.raises(jwt.ExpiredSignatureError):
        _verify(issuer, issuer.mint(exp_in=-10))
    claims = jwt.decode(
        issuer.mint(extra_claims={"scp": None}), options={"verify_signature": False}
    )
    assert "scp" not in claims


def test_rotation_replaces_the_published_key(issuer: LocalIssuer) -> None:
    old_kid = issuer.kid
    before = issuer.jwks_fetches
    issuer.rotate()
    _, _, body = _call(issuer.jwks_url)
    assert [k["kid"] for k in json.loads(body)["keys"]] == [issuer.kid]
    assert issuer.kid != old_kid
    assert issuer.jwks_fetches == before + 1
    _verify(issuer, issuer.mint())


def _authorize(issuer: LocalIssuer, verifier: str, **extra: str) -> tuple[int, str]:
    params = {
        "client_id": issuer.client_id,
        "response_type": "code",
        "redirect_uri": REDIRECT,
        "scope": f"api://{issuer.client_id}/access_as_user openid offline_access",
        "state": "s1",
        "nonce": "n1",
        "code_challenge": s256(verifier),
        "code_challenge_method": "S256",
        **extra,
    }
    status, headers, _ = _call(issuer.authorization_endpoint + "?" + urlencode(params))
    return status, headers.get("Location", "")


def test_code_flow_with_pkce_and_refresh(issuer: LocalIssuer) -> None:
    issuer.login_as("sec")
    verifier = secrets.token_urlsafe(40)
    status, location = _authorize(issuer, verifier)
    assert status == 302 and location.startswith(REDIRECT + "?")
    query = parse_qs(urlsplit(location).query)
    assert query["state"] == ["s1"]
    code = query["code"][0]
    form = {
        "grant_type": "authorization_code",
        "client_id": issuer.client_id,
        "code": code,
        "redirect_uri": REDIRECT,
        "code_verifier": verifier,
    }
    status, headers, body = _call(issuer.token_endpoint, form, {"Origin": "https://localhost:9999"})
    assert status == 200, body
    assert headers["Access-Control-Allow-Origin"] == "https://localhost:9999"
    tokens = json.loads(body)
    assert tokens["scope"] == f"api://{issuer.client_id}/access_as_user"
    claims = _verify(issuer, tokens["access_token"])
    assert claims["preferred_username"] == "sec@example.com"
    assert claims["roles"] == ["Caveat.Security"]
    id_claims = jwt.decode(
        tokens["id_token"], options={"verify_signature": False}, audience=issuer.client_id
    )
    assert id_claims["nonce"] == "n1"
    # The code is single use.
    status, _, body = _call(issuer.token_endpoint, form)
    assert status == 400 and json.loads(body)["error"] == "invalid_grant"
    # The refresh token gives a new access token once (it is rotated).
    refresh = {"grant_type": "refresh_token", "client_id": issuer.client_id,
               "refresh_token": tokens["refresh_token"]}  # fmt: skip
    status, _, body = _call(issuer.token_endpoint, refresh)
    assert status == 200
    assert _verify(issuer, json.loads(body)["access_token"])["oid"] == issuer.users["sec"].oid
    status, _, _ = _call(issuer.token_endpoint, refresh)
    assert status == 400
    issuer.login_as("ana")


def test_pkce_is_required_and_checked(issuer: LocalIssuer) -> None:
    verifier = secrets.token_urlsafe(40)
    status, location = _authorize(issuer, verifier, code_challenge_method="plain")
    assert status == 302 and "error=invalid_request" in location
    status, location = _authorize(issuer, verifier)
    code = parse_qs(urlsplit(location).query)["code"][0]
    status, _, body = _call(
        issuer.token_endpoint,
        {"grant_type": "authorization_code", "client_id": issuer.client_id, "code": code,
         "redirect_uri": REDIRECT, "code_verifier": "not-the-verifier"},
    )  # fmt: skip
    assert status == 400 and json.loads(body)["error"] == "invalid_grant"


def test_unregistered_redirect_is_shown_not_followed(issuer: LocalIssuer) -> None:
    status, location = _authorize(issuer, "v" * 43, redirect_uri="https://evil.example/cb")
    assert status == 400 and location == ""


def test_client_credentials_are_refused(issuer: LocalIssuer) -> None:
    status, _, body = _call(
        issuer.token_endpoint, {"grant_type": "client_credentials", "client_id": issuer.client_id}
    )
    assert status == 400 and json.loads(body)["error"] == "unauthorized_client"


def test_cors_only_for_loopback_origins(issuer: LocalIssuer) -> None:
    _, headers, _ = _call(
        issuer.token_endpoint, headers={"Origin": "http://127.0.0.1:8080",
        "Access-Control-Request-Method": "POST"}, method="OPTIONS",
    )  # fmt: skip
    assert headers["Access-Control-Allow-Origin"] == "http://127.0.0.1:8080"
    _, headers, _ = _call(issuer.jwks_url, headers={"Origin": "https://evil.example"})
    assert "Access-Control-Allow-Origin" not in headers


def test_interactive_shows_a_sign_in_button(issuer: LocalIssuer) -> None:
    status, location = _authorize(issuer, secrets.token_urlsafe(40), prompt="none")
    assert status == 302 and "code=" in location  # a session: no page needed
    issuer.interactive = True
    try:
        verifier = secrets.token_urlsafe(40)
        status, _ = _authorize(issuer, verifier)
        assert status == 200
        params = {"client_id": issuer.client_id, "response_type": "code", "redirect_uri": REDIRECT,
                  "code_challenge": s256(verifier), "code_challenge_method": "S256"}  # fmt: skip
        status, headers, _ = _call(issuer.authorization_endpoint, params)
        assert status == 302 and "code=" in headers["Location"]
        status, location = _authorize(issuer, verifier, prompt="none")
        assert status == 302 and "error=interaction_required" in location
    finally:
        issuer.interactive = False


def test_keycloak_flavour() -> None:
    with LocalIssuer(tenant="acme", client_id="caveat", flavour="oidc") as issuer:
        assert issuer.url.endswith("/realms/acme")
        claims = _verify(issuer, issuer.mint(user="adm"))
        assert claims["realm_access"]["roles"] == ["default-roles", "caveat-admin"]
        assert "access_as_user" in claims["scope"].split()
        assert issuer.settings()["IDENTITY_ROLE_CLAIMS"] == "realm_access.roles"
