"""The console's deployment pages in Chromium. Administrators download the Outlook
manifest (XML naming this instance and its app registration, no key) and the Thunderbird
extension (a zip naming this instance), send a test event to the webhook and read the
answer, and paste a received message's headers to learn which Authentication-Results to
trust, all by keyboard; plain users, finance and security staff get the 403 page and see no
Deployment link. Each state is checked with axe-core and photographed at both widths
(test-artifacts/console/deployment-*).

Outlook loads add-ins over https only, so this module runs its own service with the
self-signed certificate ``caveat serve`` makes for localhost (the console fixture's runs
plain http), and opens its pages in a browser context that accepts that certificate.
"""

from __future__ import annotations

import io
import json
import ssl
import subprocess
import sys
import time
import urllib.request
import xml.etree.ElementTree as ET
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from caveat.cli import main as caveat_main
from caveat.clients.outlook_manifest import check_manifest
from caveat.service.alerts import verify_signature
from tests.corpus import CORPUS
from tests.e2e.conftest import FIXTURES
from tests.e2e.console_kit import WIDE, check_page, sign_in, tab_to
from tests.identity_issuer import LocalIssuer
from tests.live_service import Service, clean_env, free_port, migrated_key
from tests.service.alert_receivers import WebhookReceiver

SECRET = "e2e-webhook-secret-0123456789abcdef"
GOOGLE = CORPUS / "authres_vectors/rspamd_functional_messages/good_dkim_rspamd.eml"


@dataclass
class Deployed:
    service: Service
    issuer: LocalIssuer
    browser: Any
    receiver: WebhookReceiver
    contexts: list[Any]

    @property
    def url(self) -> str:
        return self.service.url

    def new_page(self) -> Any:
        """A page in a fresh context that accepts the service's self-signed certificate."""
        context = self.browser.new_context(
            viewport=WIDE, base_url=self.url, ignore_https_errors=True, accept_downloads=True
        )
        self.contexts.append(context)
        page = context.new_page()
        page.csp_violations = []
        page.console_issuer = self.issuer

        def on_console(message: Any) -> None:
            if "Content Security Policy" in message.text:
                page.csp_violations.append(message.text)

        page.on("console", on_console)
        return page


def _serve_tls(folder: Path, db: str, key: str, env: dict[str, str]) -> Service:
    """``caveat serve`` with its generated certificate on a free loopback port."""
    port = free_port()
    caveat = Path(sys.executable).parent / "caveat"
    log_path = folder / "service.log"
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            [str(caveat), "serve", "--host", "127.0.0.1", "--port", str(port), "--db", db],
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            cwd=folder,
        )
    url = f"https://localhost:{port}"
    unverified = ssl.create_default_context()
    unverified.check_hostname = False
    unverified.verify_mode = ssl.CERT_NONE  # the generated certificate, on loopback
    deadline = time.monotonic() + 60
    while True:
        try:
            with urllib.request.urlopen(f"{url}/healthz", timeout=2, context=unverified) as r:  # noqa: S310
                if r.status == 200:
                    break
        except OSError:
            pass
        if process.poll() is not None or time.monotonic() > deadline:
            process.kill()
            raise RuntimeError(log_path.read_text("utf-8", "replace"))
        time.sleep(0.2)
    return Service(url=url, key=key, process=process, port=port, log=log_path)


@pytest.fixture(scope="module")
def deployed(tmp_path_factory: pytest.TempPathFactory, browser: Any) -> Iterator[Deployed]:
    folder = tmp_path_factory.mktemp("deployment")
    instance = folder / "instance"
    instance.mkdir()
    db = f"sqlite:///{instance / 'caveat.db'}"
    key = migrated_key(db, "e2e-admin")
    assert (
        caveat_main(
            ["partners", "import", "--db", db, str(FIXTURES / "directory" / "seed-partners.csv")]
        )
        == 0
    )
    with LocalIssuer() as issuer, WebhookReceiver() as receiver:
        env = clean_env(
            instance,
            CAVEAT_INTERNAL_DOMAINS="partnera.example",
            CAVEAT_ALERT_WEBHOOK_URL=receiver.url,
            CAVEAT_ALERT_WEBHOOK_SECRET=SECRET,
            **issuer.environ(),
        )
        service = _serve_tls(folder, db, key, env)
        issuer.redirect_uris.add(f"{service.url}/admin/signin/callback")
        found = Deployed(service, issuer, browser, receiver, [])
        try:
            yield found
        finally:
            for context in found.contexts:
                try:
                    context.close()
                except Exception:  # noqa: S110 - closed with its browser already
                    pass
            service.stop()


# ------------------------------------------------------------------ who may


@pytest.mark.parametrize("user", ["ana", "fin", "sec"])
def test_only_administrators_reach_the_deployment_pages(deployed: Deployed, user: str) -> None:
    page = deployed.new_page()
    sign_in(page, user)
    nav = page.locator("nav.nav")
    if nav.count():
        assert not nav.get_by_role("link", name="Deployment").count()
    for path in (
        "/admin/deployment",
        "/admin/deployment/headers",
        "/admin/deployment/outlook-manifest.xml",
    ):
        response = page.goto(path)
        assert response is not None and response.status == 403, path
        assert page.get_by_role("heading", name="Not for your role").is_visible()
        assert "admin" in page.locator("main").inner_text()
    if user != "ana":
        check_page(page, f"deployment-403-{user}")


# ------------------------------------------------------------------ downloads


def download(page: Any, selector: str) -> bytes:
    """Reach a download link by keyboard, press Enter, and read what arrives."""
    link = tab_to(page, selector)
    with page.expect_download() as caught:
        link.press("Enter")
    path = caught.value.path()
    return Path(path).read_bytes()


def test_an_administrator_downloads_both_add_ins(deployed: Deployed) -> None:
    page = deployed.new_page()
    sign_in(page, "adm")
    page.goto("/admin/deployment")
    assert page.get_by_role("heading", name="Deployment", exact=True).is_visible()
    assert page.locator("nav.nav a[aria-current=page]").inner_text() == "Deployment"
    check_page(page, "deployment")

    xml = download(page, "a[href='/admin/deployment/outlook-manifest.xml']")
    assert check_manifest(xml) == []
    root = ET.fromstring(xml)  # noqa: S314 - our own output
    text = xml.decode("utf-8")
    assert f"{deployed.url}/" in text  # this instance
    assert "key=" not in text
    client = root.find(".//{*}WebApplicationInfo/{*}Id")
    assert client is not None and client.text == deployed.issuer.client_id

    xpi = download(page, "a[href='/admin/deployment/thunderbird.xpi']")
    with zipfile.ZipFile(io.BytesIO(xpi)) as z:
        assert z.testzip() is None
        settings = json.loads(z.read("thunderbird/deployment.json"))
        manifest = json.loads(z.read("manifest.json"))
    assert settings == {"base_url": deployed.url}
    assert "https://localhost/*" in manifest["host_permissions"]


def test_the_health_page_shows_sign_in_and_the_boundary(deployed: Deployed) -> None:
    page = deployed.new_page()
    sign_in(page, "adm")
    page.goto("/admin/deployment")
    main = page.locator("main").inner_text()
    assert "partnera.example" in main
    assert f"{deployed.url}/admin/signin/callback" in main
    assert deployed.issuer.url in main
    assert "SQLite" in main
    assert "Webhook" in main and "hooks/caveat" not in main  # the path stays out


def test_send_test_by_keyboard(deployed: Deployed) -> None:
    page = deployed.new_page()
    sign_in(page, "adm")
    page.goto("/admin/deployment")
    before = len(deployed.receiver.requests)
    button = tab_to(page, "button[aria-label='Send a test event to the webhook']")
    with page.expect_navigation():
        button.press("Enter")
    status = page.get_by_role("status").filter(has_text="test event delivered")
    assert status.is_visible()
    assert "HTTP 204" in status.inner_text()
    got = deployed.receiver.wait_for(before + 1)[before]
    assert got.headers["Caveat-Event"] == "alert.test"
    assert verify_signature(SECRET, got.body, got.headers["Caveat-Signature"])
    check_page(page, "deployment-alert-sent")


# ------------------------------------------------------------------ paste headers


def test_paste_headers_by_keyboard(deployed: Deployed) -> None:
    if not GOOGLE.is_file():
        pytest.skip("the shared corpus is not beside the project")
    page = deployed.new_page()
    sign_in(page, "adm")
    page.goto("/admin/deployment")
    tab_to(page, "a[href='/admin/deployment/headers']").press("Enter")
    page.wait_for_url("**/admin/deployment/headers")
    check_page(page, "deployment-headers")

    tab_to(page, "#headers")
    page.keyboard.insert_text(GOOGLE.read_bytes().decode("utf-8", "replace"))
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    page.wait_for_load_state()
    advice = page.locator("section[aria-labelledby=advice]")
    assert "mx.google.com" in advice.inner_text()
    assert page.locator("tr.row-suggested").count() == 1
    assert page.get_by_role("heading", name="Trusting mx.google.com: none").is_visible()
    check_page(page, "deployment-headers-result")


def test_pasted_text_that_is_not_headers(deployed: Deployed) -> None:
    page = deployed.new_page()
    sign_in(page, "adm")
    page.goto("/admin/deployment/headers")
    tab_to(page, "#headers")
    page.keyboard.insert_text("this is not a header\nnor this <b>one</b>")
    page.keyboard.press("Tab")
    with page.expect_response(lambda r: r.url.endswith("/admin/deployment/headers")) as caught:
        page.keyboard.press("Enter")
    assert caught.value.status == 400
    page.wait_for_load_state()
    error = page.get_by_role("alert")
    assert "No header could be read" in error.inner_text()
    assert page.locator("main b").count() == 0  # shown as text, never as markup
    check_page(page, "deployment-headers-error")
