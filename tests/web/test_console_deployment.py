"""The console's deployment pages: downloads for this instance, the settings' health, the
alert test, and the paste-headers helper (Flask's test client; the browser tests are in
tests/e2e/test_console_deployment.py)."""

from __future__ import annotations

import io
import json
import logging
import socket
import xml.etree.ElementTree as ET
import zipfile
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy
from flask import Flask
from flask.testing import FlaskClient

from caveat.clients.outlook_manifest import IDENTITY_FILE, check_manifest
from caveat.service.alerts import verify_signature
from caveat.storage.audit import AuditLog
from caveat.web.alerting import alerts
from caveat.web.api.services import services
from caveat.web.console import deployment
from tests.console_app import console_app, csrf, session_of, signed_in
from tests.corpus import CORPUS
from tests.service.alert_receivers import SyslogListener, WebhookReceiver

PUBLIC = "https://caveat.example.com"
TENANT = "5f0b2c1d-7e8a-4b3c-9d2e-1a0f6e5d4c3b"
CLIENT_ID = "3c9e7a15-2d4f-4c8b-a6e1-0b7d5f9c2e48"
SIGN_IN: dict[str, Any] = {
    "PUBLIC_URL": PUBLIC,
    "IDENTITY_ISSUER": f"https://login.microsoftonline.com/{TENANT}/v2.0",
    "IDENTITY_CLIENT_ID": CLIENT_ID,
    "IDENTITY_TENANTS": TENANT,
    "IDENTITY_ROLES": "admin=Caveat.Admin,security=Caveat.Security",
}
SECRET = "s3cret-for-the-webhook-tests-0123456789"
GOOGLE = "authres_vectors/rspamd_functional_messages/good_dkim_rspamd.eml"

GETS = (
    "/admin/deployment",
    "/admin/deployment/outlook-manifest.xml",
    "/admin/deployment/thunderbird.xpi",
    "/admin/deployment/headers",
)
POSTS = (
    "/admin/deployment/outlook-manifest-demo",
    "/admin/deployment/alerts/test",
    "/admin/deployment/headers",
)


def page_text(rv: Any) -> str:
    text: str = rv.get_data(as_text=True)
    return text


def main_of(rv: Any) -> str:
    text = page_text(rv)
    return text[text.index("<main") : text.index("</main>")]


@pytest.fixture
def app(tmp_path: Path) -> Flask:
    return console_app(tmp_path, PUBLIC_URL=PUBLIC)


@pytest.fixture
def admin(app: Flask) -> FlaskClient:
    return signed_in(app, "admin")


# ------------------------------------------------------------------ who may


@pytest.mark.parametrize("roles", [(), ("finance",), ("security",), ("finance", "security")])
def test_only_administrators_reach_the_deployment_pages(app: Flask, roles: tuple[str, ...]) -> None:
    client = signed_in(app, *roles)
    for path in GETS:
        rv = client.get(path)
        assert rv.status_code == 403, path
        assert "admin" in page_text(rv)  # the roles to ask for
    for path in POSTS:
        rv = client.post(path, data={"csrf_token": csrf(client), "headers": "From: a@b.test"})
        assert rv.status_code == 403, path
    assert services_keys(app) == []  # no key was made


def test_the_navigation_names_the_page_for_administrators_only(app: Flask) -> None:
    assert 'href="/admin/deployment"' in page_text(signed_in(app, "admin").get("/admin/keys"))
    assert 'href="/admin/deployment"' not in page_text(
        signed_in(app, "security").get("/admin/reports")
    )


def test_signed_out_goes_to_sign_in_and_a_post_without_its_token_is_refused(
    app: Flask, admin: FlaskClient
) -> None:
    anonymous = app.test_client()
    rv = anonymous.get("/admin/deployment")
    assert rv.status_code == 303 and "/admin/signin" in rv.headers["Location"]
    rv = admin.post("/admin/deployment/headers", data={"headers": "From: a@b.test"})
    assert rv.status_code == 403
    assert "security token" in page_text(rv)


# ------------------------------------------------------------------ downloads


def services_keys(app: Flask) -> list[Any]:
    with app.app_context():
        return list(services().store.list_keys())


def test_the_outlook_manifest_names_this_instance_and_carries_no_key(tmp_path: Path) -> None:
    app = console_app(tmp_path, **SIGN_IN)
    client = signed_in(app, "admin")
    rv = client.get("/admin/deployment/outlook-manifest.xml")
    assert rv.status_code == 200
    assert rv.headers["Content-Type"].startswith("application/xml")
    assert "attachment" in rv.headers["Content-Disposition"]
    assert rv.headers["Cache-Control"] == "no-store"
    xml = rv.data
    assert check_manifest(xml) == []
    root = ET.fromstring(xml)  # noqa: S314 (our own output)
    text = xml.decode()
    assert f"{PUBLIC}/" in text and "key=" not in text
    assert root.find(".//{*}WebApplicationInfo/{*}Id").text == CLIENT_ID  # type: ignore[union-attr]
    # recorded as `caveat manifest --out` records it; the same content keeps its version
    assert (Path(app.instance_path) / IDENTITY_FILE).is_file()
    assert client.get("/admin/deployment/outlook-manifest.xml").data == xml
    assert services_keys(app) == []


def test_without_sign_in_the_manifest_link_is_refused_and_the_demo_form_shown(
    app: Flask, admin: FlaskClient
) -> None:
    rv = admin.get("/admin/deployment/outlook-manifest.xml")
    assert rv.status_code == 409
    assert "Sign-in is not configured" in page_text(rv)
    page = main_of(admin.get("/admin/deployment"))
    assert "/admin/deployment/outlook-manifest-demo" in page
    assert "outlook-manifest.xml" not in page
    assert not (Path(app.instance_path) / IDENTITY_FILE).exists()


def test_a_demo_manifest_needs_the_person_to_confirm(app: Flask, admin: FlaskClient) -> None:
    rv = admin.post("/admin/deployment/outlook-manifest-demo", data={"csrf_token": csrf(admin)})
    assert rv.status_code == 400
    assert "every mailbox" in page_text(rv)
    assert services_keys(app) == []
    rv = admin.post(
        "/admin/deployment/outlook-manifest-demo",
        data={"csrf_token": csrf(admin), "understood": "yes"},
    )
    assert rv.status_code == 200
    assert check_manifest(rv.data) == []
    [key] = services_keys(app)
    assert key.name == "outlook-addin" and not key.admin
    assert key.scopes == frozenset({"analyze", "report", "contacts"})
    assert key.expires_at is not None
    text = rv.data.decode()
    assert f"key={key.prefix}" in text and "local demo only" in text
    with app.app_context():
        [row] = AuditLog(services().store).entries(action="key.create")
    assert row.actor_subject == admin.principal.subject  # type: ignore[attr-defined]
    assert row.target == str(key.id)


def test_no_demo_manifest_when_people_sign_in(tmp_path: Path) -> None:
    app = console_app(tmp_path, **SIGN_IN)
    client = signed_in(app, "admin")
    rv = client.post(
        "/admin/deployment/outlook-manifest-demo",
        data={"csrf_token": csrf(client), "understood": "yes"},
    )
    assert rv.status_code == 400 and services_keys(app) == []
    assert "/admin/deployment/outlook-manifest.xml" in main_of(client.get("/admin/deployment"))


def test_a_manifest_is_not_made_for_a_plain_http_address(
    app: Flask, admin: FlaskClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(deployment, "_base_url", lambda: "http://caveat.example.com")
    rv = admin.post(
        "/admin/deployment/outlook-manifest-demo",
        data={"csrf_token": csrf(admin), "understood": "yes"},
    )
    assert rv.status_code == 400 and "must use https" in page_text(rv)
    assert services_keys(app) == []  # refused before any key was made


def xpi_files(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        return {name: z.read(name) for name in z.namelist()}


def test_the_thunderbird_extension_names_this_instance(app: Flask, admin: FlaskClient) -> None:
    rv = admin.get("/admin/deployment/thunderbird.xpi")
    assert rv.status_code == 200
    assert rv.headers["Content-Type"] == "application/x-xpinstall"
    files = xpi_files(rv.data)
    assert json.loads(files["thunderbird/deployment.json"]) == {"base_url": PUBLIC}
    manifest = json.loads(files["manifest.json"])
    assert manifest["host_permissions"] == ["https://caveat.example.com/*"]


def test_the_thunderbird_extension_asks_for_the_identity_provider_too(tmp_path: Path) -> None:
    app = console_app(tmp_path, **SIGN_IN)
    files = xpi_files(signed_in(app, "admin").get("/admin/deployment/thunderbird.xpi").data)
    assert "api_key" not in json.loads(files["thunderbird/deployment.json"])
    assert (
        "https://login.microsoftonline.com/*"
        in json.loads(files["manifest.json"])["host_permissions"]
    )


# ------------------------------------------------------------------ settings health


def test_the_health_page_shows_the_settings(tmp_path: Path) -> None:
    app = console_app(
        tmp_path,
        **SIGN_IN,
        INTERNAL_DOMAINS=["ours.example"],
        TRUSTED_AUTHSERV_IDS=["mx.ours.example", "mx.google.com"],
        TRUST_MICROSOFT=True,
        REPORT_RETENTION_DAYS=365,
        ALERT_WEBHOOK_URL="https://siem.example.com/hooks/tok-in-the-path-0123456789",
        ALERT_WEBHOOK_SECRET=SECRET,
        ALERT_SYSLOG="udp://127.0.0.1:5514",
    )
    page = main_of(signed_in(app, "admin").get("/admin/deployment"))
    assert "No set-up notice" in page
    assert "<code>ours.example</code>" in page
    assert "<code>mx.google.com</code>, <code>mx.ours.example</code>" in page
    assert "any authserv-id under an internal domain" in page
    assert "trusted</span> (<code>TRUST_MICROSOFT</code>)" in page
    assert SIGN_IN["IDENTITY_ISSUER"] in page and CLIENT_ID in page
    assert f"{PUBLIC}/admin/signin/callback" in page
    assert "Caveat.Admin" in page
    assert "IDENTITY_CONSOLE_CLIENT_SECRET" in page  # Entra needs one for the console
    assert "SQLite" in page and "in memory" in page
    assert '<td class="num">365</td>' in page
    assert "https://siem.example.com" in page and "udp://127.0.0.1:5514" in page
    assert "tok-in-the-path" not in page  # a webhook's path may hold a token
    assert SECRET not in page


def test_the_health_page_names_the_gaps(app: Flask, admin: FlaskClient) -> None:
    page = main_of(admin.get("/admin/deployment"))
    assert "No internal domain is configured" in page  # the set-up notice
    assert "People do not sign in" in page
    assert "No alert destination is configured" in page


def test_console_sign_in_without_an_admin_role_is_flagged(tmp_path: Path) -> None:
    app = console_app(
        tmp_path,
        **{**SIGN_IN, "IDENTITY_ROLES": "security=Caveat.Security"},
        IDENTITY_CONSOLE_CLIENT_SECRET="a-client-secret-of-the-console",
    )
    page = main_of(signed_in(app, "admin").get("/admin/deployment"))
    assert "No token value grants the admin role" in page
    assert "needs attention" in page
    assert "a-client-secret-of-the-console" not in page


# ------------------------------------------------------------------ alert test


def send_test(client: FlaskClient, destination: str) -> str:
    rv = client.post(
        "/admin/deployment/alerts/test",
        data={"csrf_token": csrf(client), "destination": destination},
    )
    assert rv.status_code == 303 and rv.headers["Location"].endswith("/admin/deployment")
    return main_of(client.get("/admin/deployment"))


def test_send_test_reaches_the_webhook_and_says_so(tmp_path: Path) -> None:
    with WebhookReceiver() as receiver:
        app = console_app(
            tmp_path, PUBLIC_URL=PUBLIC, ALERT_WEBHOOK_URL=receiver.url, ALERT_WEBHOOK_SECRET=SECRET
        )
        client = signed_in(app, "admin")
        page = send_test(client, "webhook")
        [got] = receiver.wait_for(1)
    assert "test event delivered (HTTP 204)" in page
    assert 'role="status"' in page
    assert got.headers["Caveat-Event"] == "alert.test"
    assert verify_signature(SECRET, got.body, got.headers["Caveat-Signature"])
    event = got.json()
    assert event["type"] == "alert.test" and "test" in event["data"]["message"]
    assert event["actor"]["subject"] == client.principal.subject  # type: ignore[attr-defined]
    # the notice is shown once
    assert "test event delivered" not in main_of(client.get("/admin/deployment"))


def test_send_test_says_what_the_webhook_refused(tmp_path: Path) -> None:
    with WebhookReceiver(plan=[401, 401, 401]) as receiver:
        app = console_app(
            tmp_path, PUBLIC_URL=PUBLIC, ALERT_WEBHOOK_URL=receiver.url, ALERT_WEBHOOK_SECRET=SECRET
        )
        page = send_test(signed_in(app, "admin"), "webhook")
        assert len(receiver.wait_for(1)) == 1  # one attempt: no retries
    assert "NOT delivered (HTTP 401)" in page and 'role="alert"' in page


def test_send_test_says_when_nothing_listens(tmp_path: Path) -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    app = console_app(
        tmp_path,
        PUBLIC_URL=PUBLIC,
        ALERT_WEBHOOK_URL=f"http://127.0.0.1:{port}/hook",
        ALERT_WEBHOOK_SECRET=SECRET,
    )
    page = send_test(signed_in(app, "admin"), "webhook")
    assert "NOT delivered (ConnectionRefusedError)" in page


def test_send_test_to_syslog(tmp_path: Path) -> None:
    with SyslogListener("tcp") as listener:
        app = console_app(tmp_path, PUBLIC_URL=PUBLIC, ALERT_SYSLOG=listener.url)
        page = send_test(signed_in(app, "admin"), "syslog")
        [line] = listener.wait_for(1)
        alerts(app).close(0)  # the destination's connection
    assert "Syslog tcp://127.0.0.1" in page and "test event sent" in page
    assert b"alert.test" in line


def test_send_test_reaches_only_the_destination_chosen(tmp_path: Path) -> None:
    """With a webhook and syslog both configured, testing one sends nothing to the other
    (and goes through the service's own alert sender, not a second one made per click)."""
    with WebhookReceiver() as receiver, SyslogListener("tcp") as listener:
        app = console_app(
            tmp_path,
            PUBLIC_URL=PUBLIC,
            ALERT_WEBHOOK_URL=receiver.url,
            ALERT_WEBHOOK_SECRET=SECRET,
            ALERT_SYSLOG=listener.url,
        )
        page = send_test(signed_in(app, "admin"), "syslog")
        [line] = listener.wait_for(1)
        alerts(app).close(0)
        assert receiver.requests == []
    assert "test event sent" in page and b"alert.test" in line


def test_send_test_refuses_a_destination_that_is_not_configured(
    app: Flask, admin: FlaskClient
) -> None:
    rv = admin.post(
        "/admin/deployment/alerts/test",
        data={"csrf_token": csrf(admin), "destination": "webhook"},
    )
    assert rv.status_code == 400 and "No alert destination is configured" in page_text(rv)


def test_send_test_refuses_an_unknown_destination(tmp_path: Path) -> None:
    with SyslogListener("udp") as listener:
        app = console_app(tmp_path, PUBLIC_URL=PUBLIC, ALERT_SYSLOG=listener.url)
        client = signed_in(app, "admin")
        rv = client.post(
            "/admin/deployment/alerts/test",
            data={"csrf_token": csrf(client), "destination": "<b>pager</b>"},
        )
        assert rv.status_code == 400
        assert "must be one of syslog" in page_text(rv)
        assert "<b>pager" not in page_text(rv)
        assert listener.wait_for(1, timeout=0.3) == []


# ------------------------------------------------------------------ paste headers


def probe(client: FlaskClient, text: str) -> Any:
    return client.post(
        "/admin/deployment/headers",
        data={"csrf_token": csrf(client), "headers": text},
        content_type="multipart/form-data",
    )


def corpus(relative: str) -> str:
    path = CORPUS / relative
    if not path.is_file():
        pytest.skip(f"corpus message {relative} not found (only beside ../shared)")
    return path.read_bytes().decode("utf-8", "replace")


def test_the_headers_form(admin: FlaskClient) -> None:
    rv = admin.get("/admin/deployment/headers")
    assert rv.status_code == 200
    page = main_of(rv)
    assert 'enctype="multipart/form-data"' in page
    assert f'maxlength="{deployment.PROBE_BYTES}"' in page


def test_pasted_google_headers_say_what_to_trust(admin: FlaskClient) -> None:
    rv = probe(admin, corpus(GOOGLE))
    assert rv.status_code == 200
    page = main_of(rv)
    assert "Trust <strong>Authentication-Results</strong> by <code><bdi>mx.google.com" in page
    assert "caveat configure --trust-authserv-id <bdi>mx.google.com" in page
    assert "Trusting mx.google.com" in page
    assert "SPF pass (rspamd.com)" in page
    assert "the server the message came from" in page  # the sender's own results
    upstream = page[page.index("Trusting mail.highsecure.ru") :]
    assert "Written upstream, not by your boundary" in upstream[:600]
    trusted = page[page.index("Trusting mx.google.com") :]
    assert "Written upstream" not in trusted[: trusted.index("</div>")]


def test_pasted_headers_of_a_trusted_boundary(tmp_path: Path) -> None:
    app = console_app(tmp_path, PUBLIC_URL=PUBLIC, TRUSTED_AUTHSERV_IDS=["mx.google.com"])
    page = main_of(probe(signed_in(app, "admin"), corpus(GOOGLE)))
    assert "trusted already" in page and "yes, read for this message" in page


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("", "the field is empty"),
        ("PK\x03\x04\x00\x00binary", "control character"),
        ("just some words\nand more\n", "No header could be read"),
        ("X: " + "a" * (deployment.PROBE_BYTES + 10), "at most"),
    ],
)
def test_pasted_text_that_is_not_headers_gets_a_clear_400(
    admin: FlaskClient, text: str, says: str
) -> None:
    rv = probe(admin, text)
    assert rv.status_code == 400
    assert says in page_text(rv)
    assert 'role="alert"' in page_text(rv)


def test_a_paste_larger_than_the_form_limit_is_413_not_a_crash(admin: FlaskClient) -> None:
    rv = probe(admin, "X: " + "a" * (128 * 1024))
    assert rv.status_code == 413
    assert "larger than this form accepts" in page_text(rv)


def test_pasted_markup_is_shown_as_text(admin: FlaskClient) -> None:
    evil = "<script>alert(1)</script>"
    text = (
        f"Received: from {evil} by mx.ours.example; now\n"
        f"Authentication-Results: mx.ours.example{evil}; spf=pass smtp.mailfrom=a@{evil}\n"
        f"{evil}: x\n"
        "From: a@a.test\n"
    )
    rv = probe(admin, text)
    assert rv.status_code == 200
    body = page_text(rv)
    assert "<script>" not in body
    assert "&lt;script&gt;" in body


def test_pasted_headers_are_neither_logged_nor_kept(
    admin: FlaskClient, caplog: pytest.LogCaptureFixture
) -> None:
    marker = "distinctive-paste-9f3a1c"
    text = corpus(GOOGLE).replace("Subject: test", f"Subject: {marker}")
    assert marker in text
    with caplog.at_level(logging.DEBUG):
        rv = probe(admin, text)
    assert rv.status_code == 200
    assert marker not in caplog.text
    session = session_of(admin)
    assert marker not in repr(session)
    with admin.application.app_context():
        store = services().store
        services().analyzer.flush()
        with store.engine.connect() as db:
            tables = sqlalchemy.MetaData()
            tables.reflect(db)
            for table in tables.sorted_tables:
                rows = db.execute(sqlalchemy.select(table)).all()
                assert marker not in repr(rows), table.name
                assert "rspamd" not in repr(rows), table.name  # nor the sender's address
