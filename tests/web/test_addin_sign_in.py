"""The add-in's pages with sign-in on: MSAL.js served by the service, the identity
provider's origin in the pages' connect-src, and the send-time guard's configuration (the
sign-in settings, public; never a key unless one is given and valid)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask.testing import FlaskClient

from caveat.web.app import create_app
from tests.identity_issuer import LocalIssuer

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def issuer() -> Iterator[LocalIssuer]:
    with LocalIssuer() as running:
        yield running


@pytest.fixture
def signed(caveat_env: object, issuer: LocalIssuer) -> FlaskClient:
    app = create_app({"TESTING": True, "DATABASE_URL": "sqlite://", **issuer.settings()})
    return app.test_client()


def _csp(header: str) -> dict[str, list[str]]:
    return {part.split()[0]: part.split()[1:] for part in header.split(";")}


def _deployment(text: str) -> dict[str, object] | None:
    first = text.split("\n", 1)[0]
    if not first.startswith("var CAVEAT_DEPLOYMENT = "):
        return None
    found: dict[str, object] = json.loads(
        first.removeprefix("var CAVEAT_DEPLOYMENT = ").removesuffix(";")
    )
    return found


def test_msal_is_served_from_the_service_with_its_licence(client: FlaskClient) -> None:
    r = client.get("/addin/vendor/msal-browser.min.js")
    assert r.status_code == 200
    assert r.mimetype == "text/javascript"
    assert r.headers["Cache-Control"] == "no-cache"
    assert r.data == (ROOT / "addin" / "vendor" / "msal-browser.min.js").read_bytes()
    assert r.data.startswith(b"/*! @azure/msal-browser v")
    licence = client.get("/addin/vendor/msal-browser.LICENSE")
    assert licence.status_code == 200 and b"MIT License" in licence.data
    for other in ("package.json", "../package.json", "msal-browser.js", ".hidden.js"):
        assert client.get(f"/addin/vendor/{other}").status_code == 404


def test_without_sign_in_the_pages_call_only_the_service(client: FlaskClient) -> None:
    csp = _csp(client.get("/addin/outlook/taskpane.html").headers["Content-Security-Policy"])
    assert csp["connect-src"] == ["'self'"]
    assert _deployment(client.get("/addin/outlook/launchevent.js").get_data(as_text=True)) is None


def test_with_sign_in_the_pages_may_call_the_identity_provider(
    signed: FlaskClient, issuer: LocalIssuer
) -> None:
    for page in ("taskpane.html", "commands.html"):
        r = signed.get(f"/addin/outlook/{page}")
        csp = _csp(r.headers["Content-Security-Policy"])
        assert csp["connect-src"] == ["'self'", issuer.base]
        assert csp["script-src"] == ["'self'", "https://appsforoffice.microsoft.com"]


def test_with_sign_in_the_guard_is_told_how_to_get_a_token_and_no_key(
    signed: FlaskClient, issuer: LocalIssuer
) -> None:
    r = signed.get("/addin/outlook/launchevent.js")
    assert r.headers["Cache-Control"] == "no-store"
    config = _deployment(r.get_data(as_text=True))
    public = signed.get("/api/v1/identity").json
    assert config == {
        "baseUrl": "http://localhost",
        "identity": {
            "client_id": issuer.client_id,
            "authority": public["authority"],
            "scopes": public["scopes"],
        },
    }
    # A key that is not valid adds nothing.
    other = signed.get("/addin/outlook/launchevent.js?key=cav_nope").get_data(as_text=True)
    assert _deployment(other) == config
