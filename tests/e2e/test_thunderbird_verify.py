"""Verify sender from the Thunderbird extension, against the real service with sign-in on
(the local identity provider, tests/identity_issuer.py) and VERIFY_CONFIRMATIONS=2.

In a real Thunderbird (Debian's ESR, headless), one profile per person, each signed in
silently as that person: the test build's ``verify_confirmed`` action does what a finance
person does in the popup (the partner's contacts from the directory, then a confirmed call
to a contact on file about the account the message names, by its ref). A finance person,
then a second one, confirm; a plain user's attempt is refused (403) and records nothing;
the plain user's next analysis of the message shows BANK_DETAILS_VERIFIED, naming who
confirmed it: an info note, which the badge and the popup show and no bar over the message
(the display script reports that it put none there).

Headless Thunderbird takes no pictures, so the popup is also drawn in Chromium, by the real
popup.js and shared code, with the service's real answers for a finance person (its
commands to the background answered by calling the service): the form, a recorded call,
the standing, and the next analysis' note of who confirmed it. Screenshots go to
``test-artifacts/thunderbird/popup-verify-*.png``, at the popup's width (380 pixels) and at
360 pixels.
"""

from __future__ import annotations

import json
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from caveat.clients.thunderbird_xpi import Deployment, build_xpi, redirect_url
from tests.identity_issuer import LocalIssuer

from .conftest import ROOT, Service, start_service
from .test_outlook_verify import SECOND, bank_change_eml
from .test_thunderbird import (
    artifacts,
    calls_for,
    events_for,
    make_profile,
    open_in_thunderbird,
    thunderbird,
)

__all__ = ["artifacts", "thunderbird"]  # fixtures shared with test_thunderbird.py

MID = "verify-tb-0001@partnerb.example"
POPUP = "http://popup.caveat.test/thunderbird/popup.html"
_TYPES = {
    ".html": "text/html",
    ".js": "text/javascript",
    ".css": "text/css",
    ".json": "application/json",
}


@pytest.fixture(scope="module")
def issuer() -> Iterator[LocalIssuer]:
    with LocalIssuer() as found:
        found.redirect_uris.add(redirect_url())
        found.users[SECOND.login] = SECOND
        yield found


@pytest.fixture(scope="module")
def service(tmp_path_factory: pytest.TempPathFactory, issuer: LocalIssuer) -> Iterator[Service]:
    svc = start_service(
        tmp_path_factory.mktemp("tb-verify-service"),
        extra_env={
            "CAVEAT_TEST_ENDPOINTS": "true",
            "CAVEAT_VERIFY_CONFIRMATIONS": "2",
            **issuer.environ(),
        },
    )
    yield svc
    svc.stop()


def _xpi(service: Service) -> bytes:
    return build_xpi(
        Deployment(
            base_url=service.url,
            display_report_url=f"{service.url}/test/display-events",
            test_actions=((MID, ("verify_confirmed",)),),
        )
    )


def _call(service: Service, method: str, path: str, token: str, body: Any = None) -> Any:
    request = urllib.request.Request(  # noqa: S310 - loopback
        f"{service.url}{path}",
        method=method,
        data=None if body is None else json.dumps(body).encode(),
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
    )
    try:
        with urllib.request.urlopen(request, timeout=20) as r:  # noqa: S310 - loopback
            return json.load(r)
    except urllib.error.HTTPError as refused:
        return json.load(refused)


def _display(
    binary: str, profile: Path, eml: Path, service: Service, artifacts: Path, name: str
) -> dict[str, Any]:
    """Open ``eml`` in Thunderbird until its display script reports once more than before
    (earlier runs of the same message reported already); that report, also saved."""
    before = len(events_for(service, MID))
    shown = open_in_thunderbird(
        binary,
        profile,
        eml,
        artifacts / "thunderbird.log",
        lambda: len(events_for(service, MID)) > before,
    )
    assert shown, f"no display report for {name}; see {artifacts / 'thunderbird.log'}"
    event: dict[str, Any] = events_for(service, MID)[-1]
    (artifacts / f"{name}-display.json").write_text(json.dumps(event, indent=2), "utf-8")
    return event


def _calls(service: Service, token: str) -> list[dict[str, Any]]:
    found = _call(service, "GET", "/api/v1/verifications?organization=Partner%20B", token)
    calls: list[dict[str, Any]] = found["verifications"]
    return calls


def test_finance_people_verify_from_thunderbird_and_the_next_message_says_so(
    thunderbird: str,
    service: Service,
    issuer: LocalIssuer,
    artifacts: Path,
    tmp_path: Path,
) -> None:
    eml = tmp_path / "bank-change.eml"
    eml.write_bytes(bank_change_eml(MID))
    xpi = _xpi(service)
    finance = issuer.mint(user="fin")

    # 1. A finance person records a confirmed call.
    issuer.login_as("fin")
    first = make_profile(tmp_path / "fin", xpi)
    event = _display(thunderbird, first, eml, service, artifacts, "verify-fin")
    assert event["level"] in ("danger", "caution"), event
    calls = _calls(service, finance)
    assert [(c["recorded_by"], c["outcome"]) for c in calls] == [
        ("Finn Ledger <fin@example.org>", "confirmed")
    ]
    assert calls[0]["account_masked"] == "DE02 **** 2051"
    assert calls[0]["contact"]["phone"].startswith("+49 30 123456")  # the directory's

    # 2. A second finance person: the account is verified.
    issuer.login_as(SECOND.login)
    second = make_profile(tmp_path / "fia", xpi)
    _display(thunderbird, second, eml, service, artifacts, "verify-fia")
    calls = _calls(service, finance)
    assert {c["recorded_by"] for c in calls} == {
        "Finn Ledger <fin@example.org>",
        "Fia Numbers <fia@example.org>",
    }
    ref = calls[0]["account_ref"]
    listed = _call(
        service, "GET", f"/api/v1/verifications?organization=Partner%20B&account_ref={ref}", finance
    )
    assert listed["account_status"]["verified"] is True

    # 3. A plain user: refused, nothing recorded; their analysis says who confirmed it.
    issuer.login_as("ana")
    third = make_profile(tmp_path / "ana", xpi)
    event = _display(thunderbird, third, eml, service, artifacts, "verify-ana")
    assert len(_calls(service, finance)) == 2
    assert len(calls_for(service, MID)) == 3
    # An info note: the badge and the popup have it, no bar goes over the message.
    assert calls_for(service, MID)[-1]["level"] == "info"
    assert (event["level"], event["shown"], event["text"]) == ("none", False, ""), event
    verdict = _call(
        service, "POST", "/api/v1/analyze", issuer.mint(user="ana"), {"raw": eml.read_text()}
    )
    [verified] = [f for f in verdict["findings"] if f["id"] == "BANK_DETAILS_VERIFIED"]
    assert "Finn Ledger" in verified["explanation"] and "Fia Numbers" in verified["explanation"]


def _serve_addin(route: Any) -> None:
    """The popup's files as the XPI packs them: thunderbird/ and shared/ from addin/."""
    path = route.request.url.split("popup.caveat.test/", 1)[1].split("?", 1)[0]
    file = (ROOT / "addin" / path).resolve()
    if not file.is_relative_to(ROOT / "addin") or not file.is_file():
        route.fulfill(status=404, body="")
        return
    route.fulfill(status=200, content_type=_TYPES[file.suffix], body=file.read_bytes())


#: The background's side of the popup's commands, answered by the real service through
#: ``caveatCall`` (Python, with the person's token).
BACKGROUND = """
window.messenger = { runtime: { sendMessage: async (m) => {
  const q = (o) => new URLSearchParams(o).toString();
  switch (m.command) {
    case "details": return window.__details;
    case "verify": {
      const who = q({ address: window.__details.from.address });
      return { ok: true, contact: await caveatCall("GET", "/api/v1/senders/contact?" + who, null) };
    }
    case "verifications": {
      const query = { organization: m.organization };
      if (m.account_ref) query.account_ref = m.account_ref;
      return { ok: true, list: await caveatCall("GET", "/api/v1/verifications?" + q(query), null) };
    }
    case "recordVerification": {
      const done = await caveatCall("POST", "/api/v1/verifications", m.body);
      return { ok: true, recorded: done };
    }
    default: return { ok: false, message: "not in this drawing" };
  }
} } };
"""


def _popup(browser: Any, service: Service, token: str, verdict: Any, width: int) -> Any:
    details = {
        "state": "verdict",
        "messageId": 1,
        "verdict": verdict,
        "from": {"name": "Ben Ortiz", "address": "ben.ortiz@partnerb.example"},
        "subject": "Invoice 2024-1201",
    }
    page = browser.new_page(viewport={"width": width, "height": 560})
    page.expose_function(
        "caveatCall", lambda method, path, body: _call(service, method, path, token, body)
    )
    page.route("http://popup.caveat.test/**", _serve_addin)
    page.add_init_script(f"window.__details = {json.dumps(details)};" + BACKGROUND)
    page.goto(POPUP)
    page.wait_for_function("() => document.getElementById('caveat').dataset.level !== 'pending'")
    return page


def test_the_popup_records_a_call_and_shows_who_confirmed(
    browser: Any, issuer: LocalIssuer, tmp_path_factory: pytest.TempPathFactory
) -> None:
    """The real popup.js in Chromium with the service's real answers (see the module)."""
    svc = start_service(
        tmp_path_factory.mktemp("tb-verify-popup"),
        {"CAVEAT_VERIFY_CONFIRMATIONS": "2", **issuer.environ()},
    )
    folder = ROOT / "test-artifacts" / "thunderbird"
    folder.mkdir(parents=True, exist_ok=True)
    raw = bank_change_eml("verify-popup-0001@partnerb.example").decode()
    try:
        fin = issuer.mint(user="fin")
        verdict = _call(svc, "POST", "/api/v1/analyze", fin, {"raw": raw})
        page = _popup(browser, svc, fin, verdict, 380)
        try:
            page.click("button.verify")
            page.wait_for_selector(".verify-form", timeout=15000)
            page.wait_for_selector(".verify-history h3", timeout=15000)
            page.check("input[value=confirmed]")
            page.fill(".verify-form textarea", "called Ben on the number on file")
            page.click(".verify-form button[type=submit]")
            page.wait_for_selector(".verify-history .call", timeout=15000)
            standing = page.inner_text(".verify-standing")
            assert "confirmed by 1 of the 2 people needed: Finn Ledger" in standing
            page.screenshot(path=str(folder / "popup-verify-recorded.png"), full_page=True)
        finally:
            page.close()
        fia = issuer.mint(user=SECOND.login)
        page = _popup(browser, svc, fia, verdict, 360)
        try:
            page.click("button.verify")
            page.wait_for_selector(".verify-form", timeout=15000)
            page.check("input[value=confirmed]")
            page.click(".verify-form button[type=submit]")
            page.wait_for_selector("button.verify-on-file", timeout=15000)
            assert page.inner_text(".verify-standing").startswith("Verified")
            page.screenshot(path=str(folder / "popup-verify-verified-360.png"), full_page=True)
        finally:
            page.close()
        ana = issuer.mint(user="ana")
        later = _call(svc, "POST", "/api/v1/analyze", ana, {"raw": raw})
        page = _popup(browser, svc, ana, later, 380)
        try:
            known = page.wait_for_selector(".knowledge [data-finding-id=BANK_DETAILS_VERIFIED]")
            assert known is not None
            said = known.inner_text()
            assert "Finn Ledger" in said and "Fia Numbers" in said
            page.screenshot(path=str(folder / "popup-verify-next.png"), full_page=True)
        finally:
            page.close()
    finally:
        svc.stop()
