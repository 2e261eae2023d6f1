"""Shared knowledge in Thunderbird, against the real service with sign-in on (the local
identity provider, tests/identity_issuer.py).

In a real Thunderbird (Debian's ESR, headless), a plain user's profile: a message from a
sender that is not known yet gets no danger banner; once an administrator has imported the
sender's address as an indicator (``POST /api/v1/indicators/import``, as a bank's or an
ISAC's list comes in), the next message from that sender gets the danger banner saying the
address was reported as fraud, read back from the message's page by the display script.

Headless Thunderbird takes no pictures, so the same verdict is also drawn in Chromium: the
real display.js banner on a message page (its model made by the shared banner.js from the
service's answer), at desktop width and at 360 pixels, and the real popup with what the
organisation knows (who imported the address, and when). Screenshots go to
``test-artifacts/thunderbird/knowledge-*.png``.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from caveat.clients.thunderbird_xpi import Deployment, build_xpi, redirect_url
from tests.identity_issuer import LocalIssuer

from .conftest import ROOT, Service, start_service
from .test_outlook_knowledge import call, message
from .test_thunderbird import (
    artifacts,
    calls_for,
    events_for,
    make_profile,
    open_in_thunderbird,
    thunderbird,
)

__all__ = ["artifacts", "thunderbird"]  # fixtures shared with test_thunderbird.py

SENDER = "treasury@tb-settle-fraud.example"
BEFORE = "kn-tb-0001@tb-settle-fraud.example"
AFTER = "kn-tb-0002@tb-settle-fraud.example"
KNOWN_FRAUD = f"{SENDER} was reported as fraud"
DISPLAY_JS = ROOT / "addin" / "thunderbird" / "display.js"
ORIGIN = "http://popup.caveat.test"
_TYPES = {
    ".html": "text/html",
    ".js": "text/javascript",
    ".css": "text/css",
    ".json": "application/json",
}

PAGE = """<!doctype html><html><head><meta charset="utf-8">
<style>body { margin: 8px; font-family: serif; }</style></head>
<body><p id="first">Hello Anna,</p><p>our remittance desk has moved; please settle the open
invoices with the details below.</p><p>Treasury</p></body></html>"""


def _eml(folder: Path, mid: str, subject: str) -> Path:
    path = folder / f"{mid.split('@', 1)[0]}.eml"
    body = "Hello Anna,\n\nour remittance desk has moved; please settle the open invoices.\n"
    path.write_bytes(message(mid, SENDER, subject, body, name="Treasury"))
    return path


@pytest.fixture(scope="module")
def issuer() -> Iterator[LocalIssuer]:
    with LocalIssuer() as found:
        found.redirect_uris.add(redirect_url())
        yield found


@pytest.fixture(scope="module")
def service(tmp_path_factory: pytest.TempPathFactory, issuer: LocalIssuer) -> Iterator[Service]:
    svc = start_service(
        tmp_path_factory.mktemp("tb-knowledge-service"),
        extra_env={"CAVEAT_TEST_ENDPOINTS": "true", **issuer.environ()},
    )
    yield svc
    svc.stop()


def _display(
    binary: str, profile: Path, eml: Path, mid: str, service: Service, artifacts: Path
) -> dict[str, Any]:
    shown = open_in_thunderbird(
        binary, profile, eml, artifacts / "thunderbird.log", lambda: bool(events_for(service, mid))
    )
    assert shown, f"no display report for {eml.name}; see {artifacts / 'thunderbird.log'}"
    event: dict[str, Any] = events_for(service, mid)[-1]
    name = f"knowledge-{eml.stem}-display.json"
    (artifacts / name).write_text(json.dumps(event, indent=2), "utf-8")
    return event


def test_after_an_indicator_is_imported_the_senders_next_message_gets_the_danger_banner(
    thunderbird: str,
    service: Service,
    issuer: LocalIssuer,
    artifacts: Path,
    tmp_path: Path,
) -> None:
    xpi = build_xpi(
        Deployment(base_url=service.url, display_report_url=f"{service.url}/test/display-events")
    )
    issuer.login_as("ana")
    profile = make_profile(tmp_path / "ana", xpi)

    # Before: the sender is unknown; no danger, no known-fraud wording.
    event = _display(
        thunderbird, profile, _eml(tmp_path, BEFORE, "Open invoices"), BEFORE, service, artifacts
    )
    assert event["level"] in ("none", "info", "caution"), event
    assert "reported as fraud" not in event["text"]

    status, imported = call(
        service,
        "POST",
        "/api/v1/indicators/import",
        issuer.mint(user="adm"),
        f"kind,value,note\naddress,{SENDER},on the bank's list of fraud senders\n",
        content_type="text/csv",
    )
    assert status == 200 and imported["added"] == 1, imported

    # After: the next message from that sender.
    event = _display(
        thunderbird, profile, _eml(tmp_path, AFTER, "Open invoices, reminder"), AFTER, service,
        artifacts,
    )  # fmt: skip
    assert event["level"] == "danger", event
    assert event["shown"] is True
    assert KNOWN_FRAUD in event["text"], event["text"]
    assert "Do not pay or reply" in event["text"], event["text"]
    [answered] = calls_for(service, AFTER)
    assert answered["level"] == "danger"


def _serve(route: Any) -> None:
    """The add-in's files as the XPI packs them (thunderbird/ and shared/ from addin/), and
    a message page at /message.html."""
    path = route.request.url.split("popup.caveat.test/", 1)[1].split("?", 1)[0]
    if path == "message.html":
        route.fulfill(status=200, content_type="text/html", body=PAGE)
        return
    file = (ROOT / "addin" / path).resolve()
    if not file.is_relative_to(ROOT / "addin") or not file.is_file():
        route.fulfill(status=404, body="")
        return
    route.fulfill(status=200, content_type=_TYPES[file.suffix], body=file.read_bytes())


STANDIN = """
window.__caveatShown = [];
window.browser = { runtime: { sendMessage: async (message) => {
  if (message.command === "banner") return window.__caveatModel;
  if (message.command === "shown") { window.__caveatShown.push(message); return { ok: true }; }
  throw new Error("unknown command");
} } };
"""


def test_the_known_fraud_banner_and_popup_drawn_in_chromium(
    browser: Any, service: Service, issuer: LocalIssuer, artifacts: Path
) -> None:
    """The real display.js and popup.js with the service's real answer (see the module)."""
    adm = issuer.mint(user="adm")
    drawn = "drawn.desk@tb-drawn-fraud.example"
    status, added = call(
        service, "POST", "/api/v1/indicators", adm,
        {"kind": "address", "value": drawn, "note": "on the bank's list of fraud senders"},
    )  # fmt: skip
    assert status == 201, added
    raw = message("kn-tb-0100@tb-drawn-fraud.example", drawn, "Open invoices", "Hello Anna,\n")
    status, verdict = call(
        service, "POST", "/api/v1/analyze", issuer.mint(user="ana"), {"raw": raw.decode()}
    )
    assert status == 200 and verdict["level"] == "danger", verdict

    for width, name in ((900, "desktop"), (360, "360")):
        page = browser.new_page(viewport={"width": width, "height": 420})
        try:
            page.route(f"{ORIGIN}/**", _serve)
            page.goto(f"{ORIGIN}/message.html")
            page.evaluate(STANDIN)
            model = page.evaluate(
                "v => import('/shared/banner.js').then((m) => m.bannerFor(v))", verdict
            )
            assert model["show"] is True and model["tone"] == "error", model
            page.evaluate("m => { window.__caveatModel = m; }", model)
            page.add_script_tag(content=DISPLAY_JS.read_text("utf-8"))
            page.wait_for_function("window.__caveatShown.length === 1")
            shown = page.evaluate("window.__caveatShown[0]")
            assert shown["level"] == "danger" and shown["shown"] is True
            assert f"{drawn} was reported as fraud" in shown["text"], shown
            banner = page.locator("caveat-banner").bounding_box()
            first = page.locator("#first").bounding_box()
            assert banner is not None and first is not None
            assert banner["y"] + banner["height"] <= first["y"]
            page.screenshot(path=str(artifacts / f"knowledge-banner-{name}.png"))
        finally:
            page.close()

    details = {
        "state": "verdict",
        "messageId": 1,
        "verdict": verdict,
        "from": {"name": "Accounts", "address": drawn},
        "subject": "Open invoices",
    }
    page = browser.new_page(viewport={"width": 360, "height": 640})
    try:
        page.route(f"{ORIGIN}/**", _serve)
        page.add_init_script(
            "window.messenger = { runtime: { sendMessage: async (m) => "
            f"m.command === 'details' ? {json.dumps(details)} : {{ ok: false }} }} }};"
        )
        page.goto(f"{ORIGIN}/thunderbird/popup.html")
        page.wait_for_function("() => document.getElementById('caveat').dataset.level === 'danger'")
        known = page.wait_for_selector(".knowledge [data-finding-id=REPORTED_ADDRESS]")
        assert known is not None
        said = known.inner_text()
        assert drawn in said and "Ada Admin" in said and "added by security" in said, said
        assert "on the bank's list of fraud senders" in said
        page.screenshot(path=str(artifacts / "knowledge-popup-360.png"), full_page=True)
    finally:
        page.close()
