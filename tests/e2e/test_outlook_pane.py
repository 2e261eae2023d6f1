"""The real task pane, served by the running service, in headless Chromium with the
Office.js stand-in: the seed's fake reply, then the legitimate reply, Verify sender, hostile
text, and the "could not check" state once the service is stopped. Screenshots of each
state are saved as test artefacts."""

from __future__ import annotations

import email
import email.policy
import email.utils
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from .conftest import OFFICE_JS, STANDIN, Service, start_service

SEED = Path(__file__).resolve().parents[1] / "fixtures" / "seed"
COULD_NOT_CHECK = "Caveat could not check this message"
WATCH = """
window.__csp = [];
window.__dialogs = 0;
document.addEventListener("securitypolicyviolation", (e) => window.__csp.push(e.violatedDirective));
"""


def item_from_eml(path: Path, conversation: str) -> dict[str, Any]:
    """What Outlook would show of the message in `path`, as the stand-in's item data."""
    raw = path.read_bytes()
    msg = email.message_from_bytes(raw, policy=email.policy.default)
    head = raw.split(b"\r\n\r\n", 1)[0] if b"\r\n\r\n" in raw else raw.split(b"\n\n", 1)[0]
    body = msg.get_body(("plain",))

    def people(header: str) -> list[dict[str, str]]:
        return [
            {"displayName": name, "emailAddress": addr}
            for name, addr in email.utils.getaddresses(msg.get_all(header, []))
        ]

    return {
        "subject": str(msg["Subject"]),
        "from": people("From")[0],
        "to": people("To"),
        "cc": people("Cc"),
        "headers": head.decode("utf-8", "replace").replace("\r\n", "\n").replace("\n", "\r\n"),
        "body": body.get_content() if body is not None else "",
        "conversationId": conversation,
        "internetMessageId": str(msg["Message-ID"]),
    }


FAKE_REPLY = item_from_eml(SEED / "02-fake-reply-via-relay.eml", "AAQkADseed-thread-1187")
REAL_REPLY = item_from_eml(SEED / "05-real-reply-partner-b.eml", "AAQkADseed-thread-1187")


class Pane:
    """One task pane page, pinned: messages are selected through the stand-in."""

    def __init__(self, browser: Any, service: Service, artifacts: Path) -> None:
        self.context = browser.new_context(viewport={"width": 360, "height": 900})
        self.page = self.context.new_page()
        self.errors: list[str] = []
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))
        self.page.on("dialog", lambda d: (self.errors.append("dialog " + d.message), d.dismiss()))
        self.page.add_init_script(WATCH)
        standin = STANDIN.read_text("utf-8")
        self.page.route(
            OFFICE_JS,
            lambda route: route.fulfill(
                status=200, content_type="text/javascript", body=standin
            ),
        )
        self.service = service
        self.artifacts = artifacts

    def open(self, item: dict[str, Any]) -> None:
        self.page.goto(f"{self.service.url}/addin/outlook/taskpane.html?key={self.service.key}")
        self.page.wait_for_function("typeof Office !== 'undefined' && !!Office.__standin")
        self.page.evaluate("item => Office.__standin.start(item)", item)

    def select(self, item: dict[str, Any] | None) -> None:
        self.page.evaluate("item => { Office.__standin.select(item); }", item)

    def wait_level(self, *levels: str) -> str:
        self.page.wait_for_function(
            "levels => levels.includes(document.getElementById('caveat').dataset.level)",
            arg=list(levels),
            timeout=15000,
        )
        return str(self.page.get_attribute("#caveat", "data-level"))

    def calls(self) -> list[dict[str, Any]]:
        return json.loads(self.page.evaluate("JSON.stringify(Office.__standin.calls)"))

    def wait_calls(self, n: int) -> list[dict[str, Any]]:
        self.page.wait_for_function(f"Office.__standin.calls.length >= {n}", timeout=15000)
        return self.calls()

    def text(self, selector: str = "#caveat") -> str:
        return str(self.page.inner_text(selector))

    def shot(self, name: str) -> None:
        self.page.screenshot(path=str(self.artifacts / f"{name}.png"), full_page=True)

    def assert_clean(self) -> None:
        assert self.errors == []
        assert self.page.evaluate("window.__csp") == []
        assert self.page.evaluate("window.__pwned") is None

    def close(self) -> None:
        self.context.close()


@pytest.fixture
def pane(browser: Any, service: Service, artifacts: Path) -> Iterator[Pane]:
    p = Pane(browser, service, artifacts)
    yield p
    p.close()


def test_fake_reply_then_legitimate_reply(pane: Pane) -> None:
    pane.open(FAKE_REPLY)
    assert pane.wait_level("danger") == "danger"
    calls = pane.wait_calls(1)
    assert calls[0]["method"] == "replaceAsync"
    assert calls[0]["type"] == "errorMessage"
    assert calls[0]["key"] == "caveat-verdict"
    assert calls[0]["status"] == "succeeded"
    assert calls[0]["item"] == FAKE_REPLY["subject"]
    assert 0 < len(calls[0]["message"]) <= 150
    text = pane.text()
    assert "Replies" in text or "reply" in text.lower()
    ids = pane.page.eval_on_selector_all("li.finding", "els => els.map(e => e.dataset.findingId)")
    for expected in ("FAKE_REPLY", "REPLYTO_FREEMAIL", "BANK_DETAILS_CHANGED"):
        assert expected in ids
    replyto = 'li.finding[data-finding-id="REPLYTO_FREEMAIL"] details'
    pane.page.click(f"{replyto} summary")
    assert "finance.person.partnerb@gmail.com" in pane.text(replyto)
    pane.shot("01-fake-reply-danger")

    pane.select(REAL_REPLY)
    level = pane.wait_level("none", "info")
    calls = pane.wait_calls(2)
    assert calls[1]["item"] == REAL_REPLY["subject"]
    if level == "none":
        # Nothing to show; removing the key is how a stale bar is cleared (it fails when
        # there was none on this message, which is fine).
        assert calls[1]["method"] == "removeAsync"
        assert "Nothing unusual" in pane.text()
    else:
        assert calls[1]["method"] == "replaceAsync"
        assert calls[1]["type"] == "informationalMessage"
        assert calls[1]["status"] == "succeeded"
    assert "Ben Ortiz" in pane.text(".message")
    pane.shot("02-legitimate-reply")
    pane.assert_clean()


def test_verify_sender_shows_the_directory_not_the_mail(pane: Pane) -> None:
    pane.open(FAKE_REPLY)
    pane.wait_level("danger")
    pane.page.click("button.verify")
    pane.page.wait_for_selector(".contact", timeout=15000)
    contact = pane.text(".contact")
    assert "Partner B" in contact
    assert "+49 30 1234569" in contact  # Finance Person's number on file
    assert "Do not use a number, link or address from the message" in contact
    pane.shot("03-verify-sender")
    pane.page.click("button.report")
    pane.page.wait_for_selector(".action-message.ok", timeout=15000)
    assert "Reported" in pane.text(".action-result")
    pane.shot("04-reported")
    pane.assert_clean()


HOSTILE_NAME = '<img src=x onerror="window.__pwned=1">\u202eLtd ' + "A" * 10240
HOSTILE_SUBJECT = "RE: <script>window.__pwned=1</script> javascript:window.__pwned=1"


def _hostile_item() -> dict[str, Any]:
    headers = (
        "Received: from mail.partnerb.example by mx.partnera.example;\r\n"
        " Wed, 6 Nov 2024 12:31:40 +0000\r\n"
        'From: "<svg onload=window.__pwned=1>" <billing@partnerb.example>\r\n'
        'Reply-To: "<a href=javascript:window.__pwned=1>x</a>" <collect.payments@gmail.com>\r\n'
        "To: Anna Keller <anna.keller@partnera.example>\r\n"
        f"Subject: {HOSTILE_SUBJECT}\r\n"
        "Message-ID: <hostile-1@partnerb.example>\r\n"
    )
    return {
        "subject": HOSTILE_SUBJECT,
        "from": {"displayName": HOSTILE_NAME, "emailAddress": "billing@partnerb.example"},
        "to": [{"displayName": "Anna Keller", "emailAddress": "anna.keller@partnera.example"}],
        "headers": headers,
        "body": "Please pay the attached invoice.",
        "conversationId": "AAQkADhostile",
        "internetMessageId": "<hostile-1@partnerb.example>",
    }


def test_hostile_names_subjects_and_header_values_render_inert(pane: Pane) -> None:
    pane.open(_hostile_item())
    level = pane.wait_level("info", "caution", "danger", "none")
    assert level != "none"  # the free-mail Reply-To at least
    pane.wait_calls(1)
    for summary in pane.page.query_selector_all("li.finding details summary"):
        summary.click()
    inert = pane.page.evaluate(
        """() => {
            const root = document.getElementById('caveat');
            return {
              markup: root.querySelectorAll('script, img, svg, a, iframe, object').length,
              handlers: [...root.querySelectorAll('*')].filter(e => e.getAttributeNames()
                  .some(n => n.startsWith('on') || n === 'href' || n === 'src')).length,
              longest: Math.max(
                  ...[...root.querySelectorAll('bdi')].map(b => b.textContent.length)),
              bodyText: document.body.innerText,
            };
        }"""
    )
    assert inert["markup"] == 0
    assert inert["handlers"] == 0
    assert inert["longest"] <= 400
    assert "<script>window.__pwned=1</script>" in inert["bodyText"]
    assert '<img src=x onerror="window.__pwned=1">' in inert["bodyText"]
    assert "\u202e" in pane.page.evaluate(
        "[...document.querySelectorAll('#caveat bdi')].map(b => b.textContent).join('')"
    )
    pane.page.wait_for_timeout(200)
    pane.shot("05-hostile-text-inert")
    pane.assert_clean()


def test_could_not_check_when_the_service_is_down(
    browser: Any, artifacts: Path, tmp_path: Path
) -> None:
    own = start_service(tmp_path)
    pane = Pane(browser, own, artifacts)
    try:
        pane.open(REAL_REPLY)
        pane.wait_level("none", "info")
        own.stop()
        pane.select(FAKE_REPLY)
        assert pane.wait_level("unknown") == "unknown"
        assert COULD_NOT_CHECK in pane.text("h1")
        assert "could not be reached" in pane.text()
        calls = pane.wait_calls(2)
        last = calls[-1]
        assert last["method"] == "replaceAsync"
        assert last["type"] == "informationalMessage"
        assert last["status"] == "succeeded"
        assert last["message"].startswith(COULD_NOT_CHECK)
        assert last["item"] == FAKE_REPLY["subject"]
        pane.shot("06-could-not-check")
        assert pane.errors == []
    finally:
        pane.close()
        own.stop()


def test_a_refused_key_is_could_not_check(browser: Any, service: Service, artifacts: Path) -> None:
    wrong = Service(url=service.url, key="cav_revoked-or-unknown", process=service.process)
    pane = Pane(browser, wrong, artifacts)
    try:
        pane.open(FAKE_REPLY)
        assert pane.wait_level("unknown") == "unknown"
        assert "refused this add-in's key" in pane.text()
        assert pane.wait_calls(1)[0]["message"].startswith(COULD_NOT_CHECK)
        pane.shot("07-key-refused")
    finally:
        pane.close()
