"""The add-in's pages and assets as the service serves them: what is served and what is not,
the pane's Content-Security-Policy, caching, the launch-event script's configuration, and
CORS answered only for the add-in's own origin."""

from __future__ import annotations

import json
from html.parser import HTMLParser
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient

from caveat.web.addin import PAGE_CSP
from caveat.web.app import create_app

from .conftest import SMALL_PAYLOAD


def _csp(header: str) -> dict[str, list[str]]:
    out = {}
    for part in header.split(";"):
        name, *values = part.split()
        out[name] = values
    return out


def test_task_pane_is_served_with_a_strict_policy(client: FlaskClient) -> None:
    r = client.get("/addin/outlook/taskpane.html?key=anything")
    assert r.status_code == 200
    assert r.mimetype == "text/html"
    assert b'<main id="caveat"' in r.data
    csp = _csp(r.headers["Content-Security-Policy"])
    assert csp["default-src"] == ["'none'"]
    assert csp["script-src"] == ["'self'", "https://appsforoffice.microsoft.com"]
    assert "'unsafe-inline'" not in r.headers["Content-Security-Policy"]
    assert "'unsafe-eval'" not in r.headers["Content-Security-Policy"]
    assert csp["connect-src"] == ["'self'"]
    assert "https://outlook.office.com" in csp["frame-ancestors"]
    assert r.headers["Cache-Control"] == "no-cache"
    assert r.headers["X-Content-Type-Options"] == "nosniff"


class _Inline(HTMLParser):
    """Collects what a strict policy would block: inline scripts, styles and handlers."""

    def __init__(self) -> None:
        super().__init__()
        self.problems: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        names = {name for name, _ in attrs}
        if tag == "script":
            self._in_script = True
            if "src" not in names:
                self.problems.append("script without src")
        if tag == "style":
            self.problems.append("style element")
        self.problems += [f"{tag} {n}" for n in names if n.startswith("on") or n == "style"]

    def handle_endtag(self, tag: str) -> None:
        self._in_script = self._in_script and tag != "script"

    def handle_data(self, data: str) -> None:
        if self._in_script and data.strip():
            self.problems.append("inline script text")


@pytest.mark.parametrize("page", ["taskpane.html", "commands.html"])
def test_pages_have_no_inline_script_or_style(client: FlaskClient, page: str) -> None:
    """What the policy forbids must not be needed: every script and style is a file."""
    r = client.get(f"/addin/outlook/{page}")
    assert r.status_code == 200
    parser = _Inline()
    parser.feed(r.get_data(as_text=True))
    assert parser.problems == []
    assert "https://appsforoffice.microsoft.com/lib/1/hosted/office.js" in r.get_data(as_text=True)


@pytest.mark.parametrize(
    ("path", "mimetype"),
    [
        ("/addin/outlook/taskpane.js", "text/javascript"),
        ("/addin/outlook/outlook.js", "text/javascript"),
        ("/addin/outlook/taskpane.css", "text/css"),
        ("/addin/shared/api.js", "text/javascript"),
        ("/addin/shared/banner.js", "text/javascript"),
        ("/addin/shared/render.js", "text/javascript"),
    ],
)
def test_scripts_and_styles_are_served_revalidated(
    client: FlaskClient, path: str, mimetype: str
) -> None:
    r = client.get(path)
    assert r.status_code == 200
    assert r.mimetype == mimetype
    assert r.headers["Cache-Control"] == "no-cache"
    assert r.headers.get("ETag")
    again = client.get(path, headers={"If-None-Match": r.headers["ETag"]})
    assert again.status_code == 304


@pytest.mark.parametrize(
    "path",
    [
        "/addin/outlook/test/office-standin.js",
        "/addin/package.json",
        "/addin/outlook/../../pyproject.toml",
        "/addin/outlook/%2e%2e%2fpyproject.toml",
        "/addin/shared/test/api.test.js",
        "/addin/thunderbird/manifest.json",
        "/addin/outlook/.hidden.js",
        "/addin/outlook/missing.js",
        "/addin/shared/README.md",
        "/static/../pyproject.toml",
    ],
)
def test_nothing_else_is_served(client: FlaskClient, path: str) -> None:
    assert client.get(path).status_code == 404


@pytest.mark.parametrize("size", [16, 32, 64, 80, 128])
def test_icons_are_cacheable(client: FlaskClient, size: int) -> None:
    r = client.get(f"/static/icons/icon-{size}.png")
    assert r.status_code == 200
    assert r.mimetype == "image/png"
    assert r.headers["Cache-Control"] == "public, max-age=604800"
    assert r.data[:8] == b"\x89PNG\r\n\x1a\n"


def test_launch_event_script_carries_the_deployment_only_for_a_valid_key(
    client: FlaskClient, api_key: str
) -> None:
    with_key = client.get(f"/addin/outlook/launchevent.js?key={api_key}")
    assert with_key.status_code == 200
    assert with_key.mimetype == "text/javascript"
    assert with_key.headers["Cache-Control"] == "no-store"
    first, _, rest = with_key.get_data(as_text=True).partition("\n")
    assert first.startswith("var CAVEAT_DEPLOYMENT = ") and first.endswith(";")
    config = json.loads(first.removeprefix("var CAVEAT_DEPLOYMENT = ").removesuffix(";"))
    assert config == {"baseUrl": "http://localhost", "key": api_key}
    assert "onMessageSendHandler" in rest

    for bad in ("cav_not-a-key", "", "x" * 500):
        r = client.get(f"/addin/outlook/launchevent.js?key={bad}")
        assert r.status_code == 200
        assert "CAVEAT_DEPLOYMENT =" not in r.get_data(as_text=True).split("\n", 1)[0]
        assert bad not in r.get_data(as_text=True) or not bad


def test_the_event_script_is_listed_in_the_well_known_file(client: FlaskClient) -> None:
    r = client.get("/.well-known/microsoft-officeaddins-allowed.json")
    assert r.status_code == 200
    assert r.json == {"allowed": ["http://localhost/addin/outlook/launchevent.js"]}


def test_a_path_prefix_reaches_the_event_script_and_the_well_known_file(
    client: FlaskClient, api_key: str
) -> None:
    base = "http://localhost/caveat/"  # a proxy passing the prefix as SCRIPT_NAME
    r = client.get(f"/addin/outlook/launchevent.js?key={api_key}", base_url=base)
    assert '"baseUrl": "http://localhost/caveat"' in r.get_data(as_text=True).split("\n", 1)[0]
    allowed = client.get("/.well-known/microsoft-officeaddins-allowed.json", base_url=base)
    assert allowed.json == {"allowed": ["http://localhost/caveat/addin/outlook/launchevent.js"]}


def test_public_url_sets_the_origin(caveat_env: object) -> None:
    app = create_app(
        {"TESTING": True, "DATABASE_URL": "sqlite://", "PUBLIC_URL": "https://caveat.example.com/"}
    )
    _, key = app.extensions["caveat"].store.create_key("t")
    client = app.test_client()
    first = client.get(f"/addin/outlook/launchevent.js?key={key}").get_data(as_text=True)
    assert '"baseUrl": "https://caveat.example.com"' in first.split("\n", 1)[0]
    own = client.post(
        "/api/v1/analyze",
        json=SMALL_PAYLOAD,
        headers={"Authorization": f"Bearer {key}", "Origin": "https://caveat.example.com"},
    )
    assert own.headers["Access-Control-Allow-Origin"] == "https://caveat.example.com"


# ------------------------------------------------------------------------------ CORS


def test_cors_is_granted_to_the_services_own_origin(
    client: FlaskClient, auth: dict[str, str]
) -> None:
    r = client.post(
        "/api/v1/analyze", json=SMALL_PAYLOAD, headers={**auth, "Origin": "http://localhost"}
    )
    assert r.status_code == 200
    assert r.headers["Access-Control-Allow-Origin"] == "http://localhost"
    assert "Origin" in r.headers["Vary"]


@pytest.mark.parametrize(
    "origin",
    [
        "https://evil.example",
        "null",
        "http://localhost.evil.example",
        "http://localhost:1",
        # An extension's origin is granted only when listed (Thunderbird's needs none).
        "moz-extension://5bf3500e-eb83-4c45-a869-2e7c87503a4d",
    ],
)
def test_cors_is_not_granted_to_other_origins(
    client: FlaskClient, auth: dict[str, str], origin: str
) -> None:
    r = client.post("/api/v1/analyze", json=SMALL_PAYLOAD, headers={**auth, "Origin": origin})
    assert "Access-Control-Allow-Origin" not in r.headers
    pre = client.options(
        "/api/v1/analyze",
        headers={
            "Origin": origin,
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "authorization, content-type",
        },
    )
    assert pre.status_code == 204
    assert "Access-Control-Allow-Origin" not in pre.headers
    assert "Access-Control-Allow-Headers" not in pre.headers


def test_preflight_for_the_own_origin_needs_no_key(client: FlaskClient) -> None:
    pre = client.options(
        "/api/v1/analyze",
        headers={
            "Origin": "http://localhost",
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "authorization, content-type",
        },
    )
    assert pre.status_code == 204
    assert pre.headers["Access-Control-Allow-Origin"] == "http://localhost"
    assert set(pre.headers["Access-Control-Allow-Headers"].split(", ")) == {
        "Authorization",
        "Content-Type",
    }
    assert "POST" in pre.headers["Access-Control-Allow-Methods"]


def test_listed_addin_origins_are_granted(caveat_env: object) -> None:
    origin = "moz-extension://4e1a0c3b-1111-4000-8000-000000000000"
    app: Flask = create_app(
        {"TESTING": True, "DATABASE_URL": "sqlite://", "ADDIN_ORIGINS": [origin]}
    )
    _, key = app.extensions["caveat"].store.create_key("t")
    r = app.test_client().post(
        "/api/v1/analyze",
        json=SMALL_PAYLOAD,
        headers={"Authorization": f"Bearer {key}", "Origin": origin},
    )
    assert r.headers["Access-Control-Allow-Origin"] == origin


def test_a_plain_options_request_is_not_a_preflight(client: FlaskClient) -> None:
    r = client.options("/api/v1/analyze")
    assert r.status_code == 401  # no preflight headers: an ordinary request needing a key
    assert "Access-Control-Allow-Origin" not in r.headers


def test_page_csp_constant_has_no_wildcard_scripts() -> None:
    scripts = _csp(PAGE_CSP)["script-src"]
    assert "*" not in " ".join(scripts)
    assert "data:" not in scripts


def test_without_public_url_only_requests_for_localhost_are_served(
    client: FlaskClient, auth: dict[str, str]
) -> None:
    # The URLs the service writes (here the cacheable well-known list) would otherwise
    # come from whatever Host a client sends.
    well_known = "/.well-known/microsoft-officeaddins-allowed.json"
    for host in ("localhost:8443", "127.0.0.1", "[::1]:8443", "caveat.localhost"):
        assert client.get(well_known, headers={"Host": host}).status_code == 200, host
    for host in ("evil.example", "evil.example:8443", "10.0.0.5"):
        r = client.get(well_known, headers={"Host": host})
        assert r.status_code == 400, host
        assert r.get_json()["error"]["code"] == "unknown_host"
        r = client.post("/api/v1/analyze", json=SMALL_PAYLOAD, headers={**auth, "Host": host})
        assert r.status_code == 400
    # load balancers probe with whatever Host they have
    assert client.get("/healthz", headers={"Host": "10.0.0.5"}).status_code == 200


def test_with_public_url_the_host_header_is_never_used(caveat_env: Path) -> None:
    app = create_app(
        {"TESTING": True, "DATABASE_URL": "sqlite://", "PUBLIC_URL": "https://caveat.example.com"}
    )
    r = app.test_client().get(
        "/.well-known/microsoft-officeaddins-allowed.json", headers={"Host": "evil.example"}
    )
    assert r.status_code == 200
    assert r.get_json() == {
        "allowed": ["https://caveat.example.com/addin/outlook/launchevent.js"]
    }
