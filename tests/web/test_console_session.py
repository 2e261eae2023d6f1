"""The console's foundation: sessions and their cookie, CSRF, the CSP, sign-in with the
identity provider (code + PKCE, state, nonce) against the local issuer, first-run links,
expiry, the gate every /admin route must pass, error pages, body limits and the kit's
helpers."""

from __future__ import annotations

import io
import re
import urllib.error
import urllib.request
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit, urlunsplit

import pytest
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.exceptions import HTTPException

from caveat.cli import main as caveat_main
from caveat.identity.permissions import CONSOLE_PERMISSIONS, PERMISSIONS, check_permissions
from caveat.storage.audit import Actor, AuditLog
from caveat.web.console import kit
from caveat.web.console.session import CONSOLE_CSP, COOKIE, safe_next
from caveat.web.limits import body_limit
from tests.console_app import console_app, console_of, csrf, https_client, session_of, signed_in
from tests.identity_issuer import LocalIssuer

CALLBACK = "https://localhost/admin/signin/callback"


class Clock:
    def __init__(self, app: Flask) -> None:
        self.console = console_of(app)
        self.start = self.console.now()
        self.offset = timedelta()
        self.console.clock = lambda: self.start + self.offset

    def advance(self, **delta: float) -> None:
        self.offset += timedelta(**delta)


@pytest.fixture
def app(tmp_path: Path) -> Flask:
    return console_app(tmp_path)


@pytest.fixture
def oidc_app(issuer: LocalIssuer, tmp_path: Path) -> Iterator[Flask]:
    issuer.redirect_uris.add(CALLBACK)
    issuer.interactive = False
    yield console_app(tmp_path, **issuer.settings())


def _no_redirect_get(url: str) -> tuple[int, str]:
    """GET ``url`` at the issuer without following its redirect: (status, Location)."""

    class Stop(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args: Any, **kwargs: Any) -> None:
            return None

    opener = urllib.request.build_opener(Stop)
    try:
        with opener.open(url, timeout=10) as answer:
            return answer.status, answer.headers.get("Location", "")
    except urllib.error.HTTPError as exc:
        return exc.code, exc.headers.get("Location", "")


def start(client: FlaskClient, next_path: str = "") -> str:
    """Begin a sign-in: the URL of the issuer's /authorize the console sends to."""
    rv = client.get("/admin/signin/start" + (f"?next={next_path}" if next_path else ""))
    assert rv.status_code == 303, rv.get_data(as_text=True)
    return rv.headers["Location"]


def authorize(url: str, **change: str) -> str:
    """Follow /authorize (changing query parameters first): the callback path and query."""
    parts = urlsplit(url)
    query = {k: v[0] for k, v in parse_qs(parts.query).items()}
    query.update(change)
    status, location = _no_redirect_get(urlunsplit(parts._replace(query=urlencode(query))))
    assert status == 302, (status, location)
    back = urlsplit(location)
    assert f"https://{back.netloc}{back.path}" == CALLBACK
    return f"{back.path}?{back.query}"


def sign_in_as(client: FlaskClient, issuer: LocalIssuer, user: str, **change: str) -> Any:
    issuer.login_as(user)
    return client.get(authorize(start(client), **change))


def text(rv: Any) -> str:
    return str(rv.get_data(as_text=True))


# ----------------------------------------------------------------- cookie, CSP


def test_a_link_session_sets_a_host_only_secure_cookie(app: Flask) -> None:
    client = https_client(app)
    with app.app_context():
        token = console_of(app).store.create_link(
            created_by=Actor.command_line("ops"),
            now=console_of(app).now(),
            lifetime=timedelta(minutes=15),
        )
    rv = client.post(f"/admin/link/{token}")
    assert rv.status_code == 303
    cookie = rv.headers["Set-Cookie"]
    assert cookie.startswith(f"{COOKIE}=")
    flags = {part.strip().split("=")[0].lower() for part in cookie.split(";")[1:]}
    assert {"secure", "httponly", "path"} <= flags
    assert "samesite=lax" in cookie.lower()
    assert "Path=/;" in cookie or cookie.endswith("Path=/")
    assert "domain" not in flags
    # the row keeps the token's hash only
    value = cookie.split(";")[0].split("=", 1)[1]
    assert value not in repr(session_of(client))


def test_csp_and_no_store_on_every_kind_of_console_response(app: Flask) -> None:
    anon = https_client(app)
    admin = signed_in(app, "admin")
    answers = {
        "sign-in page": anon.get("/admin/signin"),
        "redirect to sign-in": anon.get("/admin/keys"),
        "stylesheet": anon.get("/admin/static/console.css"),
        "404": admin.get("/admin/no-such-page"),
        "405": admin.get("/admin/signout"),
        "403 csrf": admin.post("/admin/signout"),
        "unknown link": anon.get("/admin/link/nothing"),
    }
    answers["stylesheet"].close()
    for name, rv in answers.items():
        assert rv.headers.get("Content-Security-Policy") == CONSOLE_CSP, name
        assert rv.headers.get("X-Frame-Options") == "DENY", name
        if name != "stylesheet":
            assert rv.headers.get("Cache-Control") == "no-store", name
    assert answers["404"].status_code == 404 and "text/html" in answers["404"].content_type
    assert answers["405"].status_code == 405
    assert "'unsafe-inline'" not in CONSOLE_CSP and "script-src 'self'" in CONSOLE_CSP


def test_no_inline_script_or_style_in_the_console_templates() -> None:
    folder = Path(kit.__file__).parent / "templates"
    for path in folder.rglob("*.html"):
        body = path.read_text("utf-8")
        # scripts come from files; a JSON data block (|tojson) is data, not script
        assert not re.search(r"<script(?![^>]*\b(src=|type=\"application/json\"))[^>]*>", body), (
            path
        )
        assert " style=" not in body and "<style" not in body, path
        assert not re.search(r"\bon[a-z]+=", body), path
        assert "|safe" not in body.replace(" ", ""), path


# ----------------------------------------------------------------- CSRF


def test_a_post_without_the_csrf_token_is_refused_and_does_nothing(app: Flask) -> None:
    client = signed_in(app, "admin")
    other = signed_in(app, "admin", subject="someone-else")
    cookie = _token(client)
    for data in ({}, {"csrf_token": "wrong"}, {"csrf_token": csrf(other)}):
        rv = client.post("/admin/signout", data=data)
        assert rv.status_code == 403, data
        assert "security token" in text(rv)
        assert not session_of(client).revoked
    before = session_of(client)
    rv = client.post("/admin/signout", data={"csrf_token": csrf(client)})
    assert rv.status_code == 303
    assert console_of(app).store.find_session(cookie) is None or _revoked(app, before.id)


def _revoked(app: Flask, session_id: int) -> bool:
    from caveat.storage.console import ConsoleSessionRow

    with console_of(app).store.store.session() as s:
        row = s.get(ConsoleSessionRow, session_id)
        return row is not None and row.revoked


def test_the_csrf_header_serves_scripts(app: Flask) -> None:
    client = signed_in(app, "admin")
    rv = client.post("/admin/signout", headers={"X-CSRF-Token": csrf(client)})
    assert rv.status_code == 303


def test_a_post_without_a_session_gets_the_403_page(app: Flask) -> None:
    rv = https_client(app).post("/admin/signout", data={"csrf_token": "x"})
    assert rv.status_code == 403 and "session has ended" in text(rv)


# ----------------------------------------------------------------- sign-in (OIDC)


def test_each_person_signs_in_with_their_roles(oidc_app: Flask, issuer: LocalIssuer) -> None:
    for user, role in (("sec", "security"), ("fin", "finance"), ("adm", "admin")):
        client = https_client(oidc_app)
        rv = sign_in_as(client, issuer, user)
        assert rv.status_code == 303, text(rv)
        assert rv.headers["Location"].startswith("/admin/")
        session = session_of(client)
        assert role in session.roles and session.via == "oidc"
        assert session.username == issuer.users[user].email
        page = client.get(rv.headers["Location"])
        assert page.status_code == 200
        assert issuer.users[user].name in text(page)


def test_the_authorization_request_uses_pkce_state_and_nonce(
    oidc_app: Flask, issuer: LocalIssuer
) -> None:
    url = start(https_client(oidc_app))
    query = parse_qs(urlsplit(url).query)
    assert query["code_challenge_method"] == ["S256"]
    assert len(query["code_challenge"][0]) == 43
    assert len(query["state"][0]) >= 32 and len(query["nonce"][0]) >= 16
    assert query["redirect_uri"] == [CALLBACK]
    assert "openid" in query["scope"][0].split()
    # each sign-in its own state
    assert parse_qs(urlsplit(start(https_client(oidc_app))).query)["state"] != query["state"]


def test_sign_in_goes_back_to_the_page_asked_for(oidc_app: Flask, issuer: LocalIssuer) -> None:
    client = https_client(oidc_app)
    rv = client.get("/admin/audit?since=2026-01-01")
    assert rv.status_code == 303
    signin = rv.headers["Location"]
    assert signin.startswith("/admin/signin?next=")
    nxt = parse_qs(urlsplit(signin).query)["next"][0]
    issuer.login_as("adm")
    rv = client.get(authorize(start(client, nxt)))
    assert rv.headers["Location"] == "/admin/audit?since=2026-01-01"


@pytest.mark.parametrize(
    "value",
    [
        "//evil.example/admin/",
        "https://evil.example/",
        "/admin/\\evil",
        "/admin//evil.example",
        "/elsewhere",
        "/admin/signin",
        "/admin/link/x",
        "/admin/x\r\nSet-Cookie: a=b",
    ],
)
def test_next_never_leaves_the_console(value: str) -> None:
    assert safe_next(value) == ""


def test_a_state_not_begun_here_is_refused(oidc_app: Flask, issuer: LocalIssuer) -> None:
    client = https_client(oidc_app)
    issuer.login_as("adm")
    callback = authorize(start(client), state="forged-state")
    rv = client.get(callback)
    assert rv.status_code == 400 and "unknown" in text(rv)
    assert client.get_cookie(COOKIE) is None


def test_a_nonce_other_than_the_one_sent_is_refused(oidc_app: Flask, issuer: LocalIssuer) -> None:
    client = https_client(oidc_app)
    rv = sign_in_as(client, issuer, "adm", nonce="another-nonce")
    assert rv.status_code == 403 and "nonce" in text(rv)
    assert client.get_cookie(COOKIE) is None


def test_a_replayed_code_is_refused(oidc_app: Flask, issuer: LocalIssuer) -> None:
    client = https_client(oidc_app)
    issuer.login_as("adm")
    callback = authorize(start(client))
    assert client.get(callback).status_code == 303
    # the same state and code again: the state was taken
    again = https_client(oidc_app)
    rv = again.get(callback)
    assert rv.status_code == 400 and "already completed" in text(rv)
    # the used code under a fresh state: the provider refuses it
    code = parse_qs(urlsplit(callback).query)["code"][0]
    fresh = authorize(start(again))
    state = parse_qs(urlsplit(fresh).query)["state"][0]
    rv = again.get("/admin/signin/callback?" + urlencode({"code": code, "state": state}))
    assert rv.status_code == 400 and "invalid_grant" in text(rv)
    assert again.get_cookie(COOKIE) is None


def test_an_access_token_for_another_audience_is_refused(
    issuer: LocalIssuer, tmp_path: Path
) -> None:
    issuer.redirect_uris.add(CALLBACK)
    app = console_app(tmp_path, **issuer.settings(IDENTITY_AUDIENCE=["api://another-api"]))
    client = https_client(app)
    rv = sign_in_as(client, issuer, "adm")
    assert rv.status_code == 403
    assert "another audience" in text(rv)
    assert client.get_cookie(COOKIE) is None


def test_the_providers_error_is_shown_as_text(oidc_app: Flask, issuer: LocalIssuer) -> None:
    client = https_client(oidc_app)
    url = start(client)
    state = parse_qs(urlsplit(url).query)["state"][0]
    rv = client.get(
        "/admin/signin/callback?"
        + urlencode(
            {
                "state": state,
                "error": "access_denied",
                "error_description": "<script>alert(1)</script>",
            }
        )
    )
    assert rv.status_code == 400
    assert "access_denied" in text(rv)
    assert "<script>alert" not in text(rv) and "&lt;script&gt;" in text(rv)


def test_sign_in_start_without_a_provider_says_so(app: Flask) -> None:
    rv = https_client(app).get("/admin/signin/start")
    assert rv.status_code == 400 and "caveat console link" in text(rv)
    page = text(https_client(app).get("/admin/signin"))
    assert "caveat console link" in page and "signin-start" not in page


def test_a_state_lapses(oidc_app: Flask, issuer: LocalIssuer) -> None:
    clock = Clock(oidc_app)
    client = https_client(oidc_app)
    issuer.login_as("adm")
    callback = authorize(start(client))
    clock.advance(minutes=11)
    assert client.get(callback).status_code == 400


# ----------------------------------------------------------------- first-run links


def _link(app: Flask, minutes: int = 15) -> str:
    out = io.StringIO()
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr("sys.stdout", out)
        db = app.config["DATABASE_URL"]
        assert db != "sqlite://"
        assert (
            caveat_main(
                [
                    "console",
                    "link",
                    "--db",
                    db,
                    "--url",
                    "https://localhost",
                    "--minutes",
                    str(minutes),
                ]
            )
            == 0
        )
    found = re.search(r"https://localhost(/admin/link/[A-Za-z0-9_-]+)", out.getvalue())
    assert found, out.getvalue()
    return found.group(1)


@pytest.fixture
def file_app(tmp_path: Path) -> Flask:
    from tests.identity_app import make_app

    return make_app({}, tmp_path / "instance", f"sqlite:///{tmp_path / 'console.db'}")


def test_a_link_works_once_and_a_get_does_not_use_it(file_app: Flask) -> None:
    path = _link(file_app)
    client = https_client(file_app)
    for _ in range(2):  # link previews GET it: nothing is used up
        rv = client.get(path)
        assert rv.status_code == 200 and "Sign in as administrator" in text(rv)
        assert client.get_cookie(COOKIE) is None
    rv = client.post(path)
    assert rv.status_code == 303
    session = session_of(client)
    assert session.via == "link" and session.name == "first-run link"
    assert "admin" in session.roles
    again = https_client(file_app)
    assert again.post(path).status_code == 400
    assert "used already" in text(again.post(path))
    assert again.get(path).status_code == 400
    with file_app.app_context():
        actions = [e.action for e in AuditLog(console_of(file_app).store.store).entries()]
    assert "console.link" in actions and "console.link_used" in actions


def test_a_link_expires(file_app: Flask) -> None:
    path = _link(file_app, minutes=1)
    clock = Clock(file_app)
    clock.advance(minutes=2)
    rv = https_client(file_app).post(path)
    assert rv.status_code == 400 and "expired" in text(rv)


def test_an_unknown_link_is_refused(app: Flask) -> None:
    client = https_client(app)
    assert client.post("/admin/link/" + "x" * 43).status_code == 400
    assert client.post("/admin/link/" + "x" * 500).status_code == 400


def test_the_link_command_checks_its_arguments(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as stopped:
        caveat_main(["console", "link", "--minutes", "0"])
    assert stopped.value.code == 2
    assert "between 1 and 1440" in capsys.readouterr().err
    assert caveat_main(["console", "link", "--url", "ftp://x"]) == 2
    assert "--url must start with https://" in capsys.readouterr().err


# ----------------------------------------------------------------- expiry


def test_a_session_ends_after_its_lifetime(app: Flask) -> None:
    clock = Clock(app)
    client = signed_in(app, "admin")
    for _ in range(8):  # busy all along (7 h 20 min): idle never runs out
        clock.advance(minutes=55)
        assert client.get("/admin/signin").status_code == 303  # signed in: sent on
        client.get("/admin/no-such-page")
    clock.advance(minutes=45)  # 8 h 5 min after sign-in
    rv = client.get("/admin/keys")
    assert rv.status_code == 303 and rv.headers["Location"].startswith("/admin/signin")


def test_a_session_ends_when_idle(app: Flask) -> None:
    clock = Clock(app)
    client = signed_in(app, "admin")
    clock.advance(minutes=59)
    assert client.get("/admin/keys").status_code == 200
    clock.advance(minutes=59)  # the request above counted as activity
    assert client.get("/admin/keys").status_code == 200
    clock.advance(minutes=61)
    rv = client.get("/admin/keys")
    assert rv.status_code == 303 and rv.headers["Location"].startswith("/admin/signin")


def test_a_signed_out_session_stays_out(app: Flask) -> None:
    client = signed_in(app, "admin")
    cookie = client.get_cookie(COOKIE)
    assert cookie is not None
    rv = client.post("/admin/signout", data={"csrf_token": csrf(client)})
    assert rv.headers["Location"].startswith("/admin/signin")
    assert client.get_cookie(COOKIE) is None
    replay = https_client(app)
    replay.set_cookie(COOKIE, cookie.value)
    assert replay.get("/admin/keys").status_code == 303


# ----------------------------------------------------------------- the gate


def test_every_console_route_is_gated_or_public(app: Flask) -> None:
    public = {
        "console.static",
        "console.signin",
        "console.signin_start",
        "console.signin_callback",
        "console.link",
        "console.link_use",
    }
    seen = 0
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/admin"):
            continue
        view = app.view_functions[rule.endpoint]
        if rule.endpoint in public:
            assert rule.endpoint == "console.static" or getattr(view, "console_public", False)
            continue
        seen += 1
        assert hasattr(view, "console_page"), f"{rule.rule} ({rule.endpoint}) has no @page"
        for perm in view.console_page:
            assert perm in PERMISSIONS or perm in CONSOLE_PERMISSIONS, (rule.rule, perm)
    assert seen >= 1  # sign-out at least


def test_console_permissions_are_for_people_only() -> None:
    from caveat.identity.permissions import ROLE_PERMISSIONS, UnknownName

    assert set(CONSOLE_PERMISSIONS) <= ROLE_PERMISSIONS["admin"]
    for role in ("user", "finance", "security"):
        assert not set(CONSOLE_PERMISSIONS) & ROLE_PERMISSIONS[role]
    for perm in CONSOLE_PERMISSIONS:
        with pytest.raises(UnknownName):
            check_permissions([perm])


def test_someone_with_no_page_gets_the_403_page_naming_roles(app: Flask) -> None:
    if "console.overview" not in app.view_functions and not any(
        r.rule == "/admin/" for r in app.url_map.iter_rules()
    ):
        pytest.skip("the overview page is not registered")
    rv = signed_in(app).get("/admin/")
    assert rv.status_code == 403
    body = text(rv)
    assert "no page of the console" in body
    for role in ("security", "finance", "admin"):
        assert role in body


def test_a_page_for_other_roles_is_403_and_names_them(app: Flask) -> None:
    if not any(r.rule == "/admin/keys" for r in app.url_map.iter_rules()):
        pytest.skip("the keys page is not registered")
    rv = signed_in(app, "security").get("/admin/keys")
    assert rv.status_code == 403 and "admin" in text(rv)


def test_the_navigation_shows_only_what_the_person_may_see(app: Flask) -> None:
    with app.test_request_context("/admin/keys"):
        from caveat.identity.principal import Principal

        sec = Principal.person(subject="s", tenant=None, name="S", username="s", roles={"security"})
        adm = Principal.person(subject="a", tenant=None, name="A", username="a", roles={"admin"})
        ana = Principal.person(subject="u", tenant=None, name="U", username="u", roles=())
        sec_pages = [url for _, url in kit.visible_pages(sec)]
        adm_pages = [url for _, url in kit.visible_pages(adm)]
        assert kit.visible_pages(ana) == []
        assert set(sec_pages) < set(adm_pages)
        for url in sec_pages:
            perms = kit._view_perms(url.removeprefix("/admin"))
            assert perms is not None and (not perms or any(sec.may(p) for p in perms))


def test_the_base_layout(app: Flask) -> None:
    client = signed_in(app, "admin", name="<b>Mallory</b>")
    rv = client.get("/admin/no-such-page")
    body = text(rv)
    assert '<a class="skip-link" href="#main">' in body
    assert '<main id="main"' in body
    assert "&lt;b&gt;Mallory&lt;/b&gt;" in body and "<b>Mallory" not in body
    assert f'name="csrf_token" value="{csrf(client)}"' in body
    assert 'action="/admin/signout"' in body


# ----------------------------------------------------------------- notices


def test_a_notice_shows_once(app: Flask) -> None:
    client = signed_in(app, "admin")
    with app.test_request_context(
        "/admin/x", base_url="https://localhost", headers={"Cookie": f"{COOKIE}={_token(client)}"}
    ):
        kit.notice("Saved <ok>.")
    first = text(client.get("/admin/no-such-page"))
    assert "Saved &lt;ok&gt;." in first and 'role="status"' in first
    assert "Saved" not in text(client.get("/admin/no-such-page"))
    with pytest.raises(ValueError):
        with app.test_request_context("/admin/x"):
            kit.notice("x", kind="warning")


def _token(client: FlaskClient) -> str:
    cookie = client.get_cookie(COOKIE)
    assert cookie is not None
    return cookie.value


# ----------------------------------------------------------------- limits and input


def test_console_body_limits() -> None:
    settings = {"MAX_REQUEST_BYTES": 26 << 20, "MAX_SMALL_REQUEST_BYTES": 1 << 20}
    assert body_limit("POST", "/admin/partners/import", settings) == 2 << 20
    assert body_limit("POST", "/admin/indicators/import/preview", settings) == 2 << 20
    assert body_limit("POST", "/admin/keys/new", settings) == 64 << 10
    assert body_limit("POST", "/admin/importer", settings) == 64 << 10
    assert body_limit("POST", "/api/v1/reports", settings) == 26 << 20


def test_a_form_beyond_its_limit_gets_the_413_page(app: Flask) -> None:
    client = signed_in(app, "admin")
    rv = client.post("/admin/signout", data={"csrf_token": csrf(client), "pad": "x" * (70 << 10)})
    assert rv.status_code == 413 and "larger than this form accepts" in text(rv)
    assert rv.headers["Content-Security-Policy"] == CONSOLE_CSP
    assert not session_of(client).revoked


def _refusal(app: Flask, call: Any, **form: str) -> str | None:
    with app.test_request_context("/admin/x", method="POST", data=form):
        try:
            call()
        except HTTPException as exc:
            response = exc.get_response()
            assert response.status_code == 400
            assert response.headers["Content-Security-Policy"] == CONSOLE_CSP
            return str(response.get_data(as_text=True))
    return None


def test_form_helpers_turn_bad_input_into_400_pages(app: Flask) -> None:
    days = lambda: kit.form_int("days", label="Days", min_value=1, max_value=90)  # noqa: E731
    assert "must be a whole number" in (_refusal(app, days, days="ten") or "")
    assert "at least 1" in (_refusal(app, days, days="0") or "")
    assert "at most 90" in (_refusal(app, days, days="91") or "")
    assert "required" in (_refusal(app, days) or "")
    assert "must be a whole number" in (_refusal(app, days, days="9" * 40) or "")
    assert _refusal(app, days, days=" 7 ") is None
    name = lambda: kit.form_text("name", label="Name", max_len=5)  # noqa: E731
    assert "at most 5" in (_refusal(app, name, name="toolong") or "")
    assert "required" in (_refusal(app, name, name="   ") or "")
    choice = lambda: kit.form_choice("level", ("caution", "danger"))  # noqa: E731
    assert "must be one of caution, danger" in (_refusal(app, choice, level="<x>") or "")
    page = _refusal(app, choice, level="<x>") or ""
    assert "<x>" not in page


def test_csv_download_makes_formulas_inert(app: Flask) -> None:
    with app.test_request_context("/admin/x"):
        rv = kit.csv_download(
            "partners export.csv",
            [
                ("organisation", "count"),
                ('=HYPERLINK("http://x")', -3),
                ("@SUM(A1)", None),
                ("+1", 2),
                ("Plain", 1),
            ],
        )
    body = rv.get_data(as_text=True).splitlines()
    assert body[0] == "organisation,count"
    assert body[1].startswith("\"'=HYPERLINK") and body[1].endswith(",-3")
    assert body[2] == "'@SUM(A1),"
    assert body[3] == "'+1,2"
    assert rv.headers["Content-Disposition"] == 'attachment; filename="partners-export.csv"'
    assert rv.mimetype == "text/csv"


# ----------------------------------------------------------------- the way in


def test_the_home_page_links_to_the_console(app: Flask) -> None:
    body = text(https_client(app).get("/"))
    assert 'href="/admin/signin"' in body and "Admin console" in body


def test_serve_demo_prints_the_console_and_a_working_link(
    caveat_env: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import os

    from tests.identity_app import make_app

    monkeypatch.setattr(os, "execvp", lambda *_: None)
    saved = dict(os.environ)  # serve exports the settings for gunicorn
    db = f"sqlite:///{tmp_path / 'demo.db'}"
    try:
        assert caveat_main(["serve", "--demo", "--no-tls", "--db", db, "--port", "8999"]) == 0
    finally:
        os.environ.clear()
        os.environ.update(saved)
    out = capsys.readouterr().out
    assert "Admin console: http://127.0.0.1:8999/admin/" in out
    found = re.search(r"http://127\.0\.0\.1:8999(/admin/link/[A-Za-z0-9_-]+)", out)
    assert found, out
    app = make_app({}, tmp_path / "instance", db)
    client = https_client(app)
    assert client.post(found.group(1)).status_code == 303
    assert "admin" in session_of(client).roles


def test_lapsed_sign_ins_and_ended_sessions_are_dropped_and_a_flood_is_refused(
    oidc_app: Flask, monkeypatch: pytest.MonkeyPatch
) -> None:
    from sqlalchemy import func, select

    from caveat.storage import console as console_storage
    from caveat.storage.console import ConsoleSessionRow, ConsoleSigninRow

    def rows(model: Any) -> int:
        with console_of(oidc_app).store.store.session() as s:
            return int(s.scalar(select(func.count()).select_from(model)) or 0)

    clock = Clock(oidc_app)
    client = https_client(oidc_app)
    for _ in range(3):
        start(client)
    assert rows(ConsoleSigninRow) == 3
    clock.advance(minutes=11)
    start(client)
    assert rows(ConsoleSigninRow) == 1  # the lapsed three went
    monkeypatch.setattr(console_storage, "MAX_PENDING", 2)
    start(client)
    rv = client.get("/admin/signin/start")
    assert rv.status_code == 503 and "Too many sign-ins" in text(rv)

    old = signed_in(oidc_app, "admin")
    gone = signed_in(oidc_app, "admin", subject="gone")
    gone.post("/admin/signout", data={"csrf_token": csrf(gone)})
    clock.advance(hours=9)
    assert rows(ConsoleSessionRow) == 2
    signed_in(oidc_app, "security")
    assert rows(ConsoleSessionRow) == 1  # the ended and the signed-out one went
    assert old.get("/admin/keys").status_code == 303


def test_a_database_outage_gets_the_503_page(app: Flask, monkeypatch: pytest.MonkeyPatch) -> None:
    from caveat.storage.console import ConsoleStore
    from caveat.storage.store import StorageError

    client = signed_in(app, "admin")

    def down(*_: Any) -> None:
        raise StorageError("database unavailable on sqlite://")

    monkeypatch.setattr(ConsoleStore, "find_session", down)
    rv = client.get("/admin/keys")
    assert rv.status_code == 503 and "text/html" in rv.content_type
    assert "database does not answer" in text(rv)
    assert rv.headers["Content-Security-Policy"] == CONSOLE_CSP
    # the API keeps its JSON answer
    api = client.get("/api/v1/checks", headers={"Authorization": "Bearer x"})
    assert "application/json" in api.content_type


def test_a_defect_gets_the_500_page_without_details(
    app: Flask, monkeypatch: pytest.MonkeyPatch
) -> None:
    from caveat.web.console import signin

    app.config["PROPAGATE_EXCEPTIONS"] = False

    def broken(*_: Any, **__: Any) -> None:
        raise RuntimeError("secret detail")

    monkeypatch.setattr(signin, "render", broken)
    rv = https_client(app).get("/admin/signin")
    assert rv.status_code == 500 and "text/html" in rv.content_type
    assert "secret detail" not in text(rv) and "has been logged" in text(rv)


def test_a_callback_from_another_browser_is_refused(oidc_app: Flask, issuer: LocalIssuer) -> None:
    # An attacker's own sign-in, its callback sent to a victim: the victim's browser does
    # not hold the cookie that binds the state, so nobody is signed in.
    attacker = https_client(oidc_app)
    issuer.login_as("adm")
    callback = authorize(start(attacker))
    victim = https_client(oidc_app)
    rv = victim.get(callback)
    assert rv.status_code == 400 and "started in another browser" in text(rv)
    assert victim.get_cookie(COOKIE) is None
    assert attacker.get(callback).status_code == 400  # and the state is spent


def test_signing_in_again_ends_the_earlier_session(oidc_app: Flask, issuer: LocalIssuer) -> None:
    client = https_client(oidc_app)
    assert sign_in_as(client, issuer, "sec").status_code == 303
    first = _token(client)
    assert sign_in_as(client, issuer, "adm").status_code == 303
    assert _token(client) != first
    assert console_of(oidc_app).store.find_session(first) is None or _revoked(
        oidc_app, session_of(client).id - 1
    )
    stale = https_client(oidc_app)
    stale.set_cookie(COOKIE, first)
    assert stale.get("/admin/reports").status_code == 303
