"""Verify sender in the Outlook pane, in headless Chromium, against the real service with
sign-in on (the local identity provider, tests/identity_issuer.py) and
VERIFY_CONFIRMATIONS=2:

- a finance person opens a message from a partner that names a new account, presses
  Verify sender, sees the partner's contacts on file and the account (masked), and records
  a confirmed call: the account is confirmed by one of the two people needed;
- a second finance person records a confirmed call: the account is verified, and they ask
  an administrator to put it on file (the account in clear read from the message for that
  request only);
- the next analysis of the message shows BANK_DETAILS_VERIFIED, and the pane says who
  confirmed it and when;
- a plain user's Verify sender says their role does not include it, and shows no form;
  once they report the message, their next look at it says they reported it, and when
  (REPORTED_BY_YOU).

Screenshots at 360 pixels (Outlook's narrowest pane) and at desktop width go to
``test-artifacts/outlook/verify-*.png``.
"""

from __future__ import annotations

import email
import json
import urllib.request
import uuid
from collections.abc import Iterator
from email import policy
from pathlib import Path
from typing import Any

import pytest

from tests.identity_issuer import LocalIssuer, Person

from .conftest import FIXTURES, Service, start_service
from .test_outlook_pane import WIDTH
from .test_outlook_signin import REDIRECT_PATH, SignedPane

#: A second finance person: four-eyes needs two distinct people.
SECOND = Person(
    "fia", "Fia Numbers", "fia@example.org", ("finance",),
    str(uuid.uuid5(uuid.NAMESPACE_URL, "fia@example.org")),
)  # fmt: skip
NEW_IBAN = "DE02 1203 0000 0000 2020 51"
DESKTOP = 1280


def bank_change_eml(message_id: str = "verify-e2e-0001@partnerb.example") -> bytes:
    """The seed's authenticated reply from Partner B, turned into a message that names a
    new account (not the one on file) and starts its own conversation."""
    raw = (FIXTURES / "seed" / "05-real-reply-partner-b.eml").read_bytes()
    head = raw.split(b"\r\n\r\n", 1)[0] if b"\r\n\r\n" in raw else raw.split(b"\n\n", 1)[0]
    lines = head.decode("ascii").replace("\r\n", "\n").split("\n")
    kept: list[str] = []
    skip = False
    for line in lines:
        if line[:1] in (" ", "\t"):
            if not skip:
                kept.append(line)
            continue
        name = line.split(":", 1)[0].lower()
        skip = name in ("message-id", "in-reply-to", "references", "subject", "thread-index")
        if not skip:
            kept.append(line)
    kept += [
        "Subject: Invoice 2024-1201",
        f"Message-ID: <{message_id}>",
    ]
    body = (
        "Hi Anna,\n\nplease note that our bank details have changed. "
        f"New IBAN: {NEW_IBAN}, BIC BYLADEM1001.\nPlease use it for invoice 2024-1201.\n\n"
        "Kind regards,\nBen Ortiz\n"
    )
    return ("\r\n".join(kept) + "\r\n\r\n" + body.replace("\n", "\r\n")).encode("ascii")


def item_of(raw: bytes) -> dict[str, Any]:
    msg = email.message_from_bytes(raw, policy=policy.default)
    head = raw.split(b"\r\n\r\n", 1)[0].decode("ascii")

    def people(header: str) -> list[dict[str, str]]:
        return [
            {"displayName": n, "emailAddress": a}
            for n, a in email.utils.getaddresses(msg.get_all(header, []))
        ]

    part = msg.get_body(("plain",))
    return {
        "subject": str(msg["Subject"]),
        "from": people("From")[0],
        "to": people("To"),
        "cc": people("Cc"),
        "headers": head,
        "body": part.get_content() if part is not None else "",
        "conversationId": "AAQkADverify-e2e",
        "internetMessageId": str(msg["Message-ID"]),
    }


@pytest.fixture(scope="module")
def issuer() -> Iterator[LocalIssuer]:
    with LocalIssuer() as running:
        running.redirect_uris.add(f"{running.base}/keys")  # the stand-in's silent broker
        running.users[SECOND.login] = SECOND
        yield running


@pytest.fixture(scope="module")
def verify_service(
    tmp_path_factory: pytest.TempPathFactory, issuer: LocalIssuer
) -> Iterator[Service]:
    svc = start_service(
        tmp_path_factory.mktemp("verify"),
        {**issuer.environ(), "CAVEAT_VERIFY_CONFIRMATIONS": "2"},
    )
    issuer.redirect_uris.add(svc.url + REDIRECT_PATH)
    yield svc
    svc.stop()


def _get(service: Service, path: str, token: str) -> Any:
    request = urllib.request.Request(  # noqa: S310 - loopback
        f"{service.url}{path}", headers={"Authorization": f"Bearer {token}"}
    )
    with urllib.request.urlopen(request, timeout=10) as r:  # noqa: S310 - loopback
        return json.load(r)


def _pane(browser: Any, service: Service, issuer: LocalIssuer, who: str) -> SignedPane:
    issuer.login_as(who)
    pane = SignedPane(browser, service, issuer, "taskpane.html")
    pane.open()
    return pane


def _select_again(pane: SignedPane, item: dict[str, Any]) -> None:
    """Select the message again (Outlook's ItemChanged) and wait for its new verdict."""
    seen = len([a for a in pane.api if a[0] == "analyze"])
    pane.page.evaluate("item => Office.__standin.select(item)", item)
    for _ in range(100):
        if len([a for a in pane.api if a[0] == "analyze"]) > seen:
            break
        pane.page.wait_for_timeout(100)
    pane.page.wait_for_function(
        "() => !['pending', undefined].includes(document.getElementById('caveat').dataset.level)"
    )


def _record(pane: SignedPane, note: str) -> str:
    page = pane.page
    page.click("button.verify")
    page.wait_for_selector(".verify-form", timeout=15000)
    page.wait_for_selector(".verify-history h3", timeout=15000)
    # keyboard: the outcome is chosen and the form sent without the mouse
    page.focus("input[value=confirmed]")
    page.keyboard.press("Space")
    page.fill(".verify-form textarea", note)
    page.focus(".verify-form button[type=submit]")
    page.keyboard.press("Enter")
    page.wait_for_function(
        "() => /^Recorded/.test(document.querySelector('.verify-result')?.textContent || '')",
        timeout=15000,
    )
    page.wait_for_selector(".verify-history .call", timeout=15000)
    return str(page.inner_text(".verify-standing"))


def test_two_finance_people_verify_and_the_next_analysis_says_who_and_when(
    browser: Any, verify_service: Service, issuer: LocalIssuer, artifacts: Path
) -> None:
    item = item_of(bank_change_eml())

    # 1. The first finance person.
    pane = _pane(browser, verify_service, issuer, "fin")
    try:
        pane.start(item)
        assert pane.wait_level("danger", "caution", "info", "unknown") in ("danger", "caution")
        pane.page.click("button.verify")
        pane.page.wait_for_selector(".verify-form", timeout=15000)
        contacts = pane.page.eval_on_selector_all(
            ".verify-form select[name=contact] option", "os => os.map(o => o.textContent)"
        )
        assert contacts and all("partnerb.example" in c or "+49 30" in c for c in contacts)
        assert any("+49 30 1234567" in c for c in contacts)  # the directory's number
        accounts = pane.page.eval_on_selector_all(
            ".verify-form select[name=account] option", "os => os.map(o => o.textContent)"
        )
        assert accounts == ["DE02 **** 2051"]
        labels = pane.page.evaluate(
            "[...document.querySelectorAll('.verify-form select, .verify-form input,"
            " .verify-form textarea')].every(c => c.id &&"
            ' document.querySelector(`label[for="${c.id}"]`))'
        )
        assert labels is True
        pane.page.screenshot(path=str(artifacts / "verify-form-360.png"), full_page=True)
        pane.page.reload()
        pane.open()
        pane.start(item)
        pane.wait_level("danger", "caution")
        standing = _record(pane, "called Ben on the number on file")
        assert "confirmed by 1 of the 2 people needed: Finn Ledger" in standing
        assert pane.page.query_selector("button.verify-on-file") is None
        history = pane.text(".verify-history")
        assert "Finn Ledger <fin@example.org>: confirmed" in history
        assert "called Ben on the number on file" in history
        pane.page.screenshot(path=str(artifacts / "verify-recorded-360.png"), full_page=True)
        assert pane.errors == []
        assert not [a for a in pane.api if a[2] >= 400], pane.api
    finally:
        pane.close()

    # 2. A second finance person: verified; they ask for it to go on file.
    pane = _pane(browser, verify_service, issuer, "fia")
    try:
        pane.page.set_viewport_size({"width": DESKTOP, "height": 900})
        pane.start(item)
        pane.wait_level("danger", "caution")
        standing = _record(pane, "")
        assert standing.startswith("Verified: confirmed by 2 of the 2 people needed")
        assert "Finn Ledger" in standing and "Fia Numbers" in standing
        pane.page.click("button.verify-on-file")
        pane.page.wait_for_selector(".verify-asked.ok", timeout=15000)
        assert "pending" in pane.text(".verify-asked")
        pane.page.screenshot(path=str(artifacts / "verify-verified-desktop.png"), full_page=True)
        asked = [a for a in pane.api if a[0] == "accounts/approvals"]
        assert [a[2] for a in asked] == [201]
        assert pane.errors == []
    finally:
        pane.close()
    admin = issuer.mint(user="adm")
    pending = _get(verify_service, "/api/v1/accounts/approvals?status=pending", admin)
    [approval] = pending["approvals"]
    assert approval["requested_by"] == "Fia Numbers <fia@example.org>"
    assert approval["account_masked"] == "DE02 **** 2051"

    # 3. The next analysis, for a plain user: who confirmed it and when; no form for them.
    pane = _pane(browser, verify_service, issuer, "ana")
    try:
        pane.page.set_viewport_size({"width": WIDTH, "height": 640})
        pane.start(item)
        pane.wait_level("info", "none", "caution", "danger")
        known = pane.page.wait_for_selector(
            ".knowledge [data-finding-id=BANK_DETAILS_VERIFIED]", timeout=15000
        )
        assert known is not None
        said = known.inner_text()
        assert "Finn Ledger" in said and "Fia Numbers" in said, said
        day = approval["requested_at"][:10]
        assert day in said, said
        pane.page.screenshot(path=str(artifacts / "verify-next-analysis-360.png"), full_page=True)
        pane.page.click("button.verify")
        refused = pane.page.wait_for_selector(".action-message.error", timeout=15000)
        assert refused is not None
        assert refused.inner_text().startswith("Your role does not include")
        assert pane.page.query_selector(".verify-form") is None
        pane.page.set_viewport_size({"width": DESKTOP, "height": 900})
        pane.page.screenshot(path=str(artifacts / "verify-plain-user-desktop.png"), full_page=True)

        # 4. They report it anyway: their next look at it says so, and when (for them only).
        pane.page.click("button.report")
        pane.page.wait_for_selector(".action-message.ok", timeout=15000)
        # other workers learn of the report within their next knowledge check (seconds)
        mine = None
        for _ in range(10):
            _select_again(pane, item)
            mine = pane.page.query_selector(".knowledge [data-finding-id=REPORTED_BY_YOU]")
            if mine is not None:
                break
            pane.page.wait_for_timeout(1000)
        assert mine is not None, pane.text()
        assert "you reported this message as fraud" in mine.inner_text()
        assert day in mine.inner_text()
        pane.page.screenshot(path=str(artifacts / "verify-reported-by-you-desktop.png"))
        assert pane.errors == []
    finally:
        pane.close()
