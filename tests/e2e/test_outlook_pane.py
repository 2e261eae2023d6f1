"""The real task pane, served by the running service, in headless Chromium with the
Office.js stand-in: the seed's fake reply, then the legitimate reply, Verify sender, hostile
text, the service's set-up notes, the "could not check" state once the service is stopped,
and the page opened outside Outlook. The pane is 360 pixels wide and the first screen 640
high, as in Outlook's narrowest task pane; screenshots of each state, of the first screen
and of the whole page, are saved as test artefacts."""

from __future__ import annotations

import email
import email.policy
import email.utils
import json
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from .conftest import OFFICE_JS, STANDIN, Service, start_service

SEED = Path(__file__).resolve().parents[1] / "fixtures" / "seed"
COULD_NOT_CHECK = "Caveat could not check this message"
#: Outlook's task pane at its narrowest, and what a reader sees of it without scrolling.
WIDTH, FIRST_SCREEN = 360, 640
#: The seed's fake reply drew a 2,900-pixel pane when every finding and its evidence were
#: unfolded; folded, with composites holding their parts, it must stay far below that.
FOLDED_MAX = 1300
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
        self.context = browser.new_context(viewport={"width": WIDTH, "height": FIRST_SCREEN})
        self.page = self.context.new_page()
        self.errors: list[str] = []
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))
        self.page.on("dialog", lambda d: (self.errors.append("dialog " + d.message), d.dismiss()))
        self.page.add_init_script(WATCH)
        standin = STANDIN.read_text("utf-8")
        self.page.route(
            OFFICE_JS,
            lambda route: route.fulfill(status=200, content_type="text/javascript", body=standin),
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
        """The whole page, and the first screen when the page is taller than one."""
        self.page.screenshot(path=str(self.artifacts / f"{name}.png"), full_page=True)
        if self.height() > FIRST_SCREEN:
            self.page.screenshot(path=str(self.artifacts / f"{name}-first-screen.png"))

    def height(self) -> int:
        return int(self.page.evaluate("document.documentElement.scrollHeight"))

    def bottom(self, selector: str) -> float:
        """Where the element ends, in page pixels from the top (the page is not scrolled)."""
        return float(
            self.page.eval_on_selector(
                selector, "e => e.getBoundingClientRect().bottom + window.scrollY"
            )
        )

    def fold_all(self, open_: bool) -> None:
        self.page.evaluate(
            "open => document.querySelectorAll('#caveat details').forEach(d => d.open = open)",
            open_,
        )

    def any_open(self) -> bool:
        folds = "[...document.querySelectorAll('#caveat details')]"
        return bool(self.page.evaluate(f"{folds}.some(d => d.open)"))

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

    # The first screen says what to do and why, and has both actions, without scrolling.
    advice = pane.text(".advice")
    assert "Do not pay" in advice and "do not reply" in advice
    assert "Verify sender" in advice and "partner directory" in advice
    assert pane.text(".advice .why").startswith("Why: ")
    for selector in (".level", ".advice", ".advice .why", "button.verify", "button.report"):
        assert pane.bottom(selector) <= FIRST_SCREEN, f"{selector} is below the first screen"

    # Composites first, their parts inside them and not beside them; everything folded.
    top = pane.page.eval_on_selector_all(
        ".findings > ul > li.finding", "els => els.map(e => e.dataset.findingId)"
    )
    composites = pane.page.eval_on_selector_all(
        ".findings > ul > li.composite", "els => els.map(e => e.dataset.findingId)"
    )
    assert composites and top[: len(composites)] == composites
    assert all(c.startswith("BEC_") for c in composites)
    nested = set(
        pane.page.eval_on_selector_all(
            ".parts > li.finding", "els => els.map(e => e.dataset.findingId)"
        )
    )
    assert {"FAKE_REPLY", "REPLYTO_FREEMAIL", "BANK_DETAILS_CHANGED"} <= nested
    assert not nested & set(top), "a part is repeated at the top level"
    assert not pane.any_open()
    folded = pane.height()
    assert folded < FOLDED_MAX, f"the folded pane is {folded} px tall"
    pane.shot("01-fake-reply-danger")

    # The folds open from the keyboard; the evidence is inside the finding it proves.
    diversion = 'li.composite[data-finding-id="BEC_REPLY_DIVERSION"]'
    pane.page.focus(f"{diversion} > details > summary")
    pane.page.keyboard.press("Enter")
    replyto = f'{diversion} li.finding[data-finding-id="REPLYTO_FREEMAIL"] > details'
    pane.page.focus(f"{replyto} > summary")
    pane.page.keyboard.press("Enter")
    assert "finance.person.partnerb@gmail.com" in pane.text(f"{replyto} dl.evidence")
    pane.shot("01b-fake-reply-one-sign-open")
    pane.fold_all(True)
    print(f"\nseed fake reply at {WIDTH} px: folded {folded} px, all open {pane.height()} px")
    pane.fold_all(False)

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
    # Short and calm: no instructions, one screen.
    assert pane.page.query_selector(".advice") is None
    assert pane.height() <= FIRST_SCREEN
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
    pane.fold_all(True)
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


#: Where each character of ``part`` is drawn, left edges in page pixels, in the order the
#: text holds them: increasing when it reads left to right as written.
_LEFT_EDGES = """([selector, part]) => {
    for (const el of document.querySelectorAll(selector)) {
        const walker = document.createTreeWalker(el, NodeFilter.SHOW_TEXT);
        for (let node = walker.nextNode(); node; node = walker.nextNode()) {
            const at = node.textContent.indexOf(part);
            if (at < 0) continue;
            const edges = [];
            for (let i = at; i < at + part.length; i++) {
                const r = document.createRange();
                r.setStart(node, i);
                r.setEnd(node, i + 1);
                edges.push(r.getBoundingClientRect().left);
            }
            return edges;
        }
    }
    return null;
}"""


def test_an_override_in_the_senders_name_cannot_turn_the_address(pane: Pane) -> None:
    # "Ann Lee" + RIGHT-TO-LEFT OVERRIDE: in one run with the address, the override would
    # draw the address backwards; the name and the address are two isolates.
    name = "Ann Lee\u202e"
    headers = (
        "From: =?utf-8?b?QW5uIExlZeKArg==?= <ann@evil.example>\r\n"
        "To: Anna Keller <anna.keller@partnera.example>\r\n"
        "Subject: Invoice 77\r\n"
        "Message-ID: <rlo-1@evil.example>\r\n"
    )
    pane.open(
        {
            "subject": "Invoice 77",
            "from": {"displayName": name, "emailAddress": "ann@evil.example"},
            "to": [{"displayName": "Anna Keller", "emailAddress": "anna.keller@partnera.example"}],
            "headers": headers,
            "body": "Please pay invoice 77.",
            "conversationId": "AAQkADrlo",
            "internetMessageId": "<rlo-1@evil.example>",
        }
    )
    assert pane.wait_level("caution", "danger") in ("caution", "danger")
    pane.fold_all(True)
    line = pane.page.evaluate(
        """() => {
            const [name, address] = document.querySelectorAll('#caveat .message .mailbox bdi');
            return {name: name.textContent, address: address.textContent,
                    nameRight: name.getBoundingClientRect().right,
                    addressLeft: address.getBoundingClientRect().left,
                    top: [name.getBoundingClientRect().top, address.getBoundingClientRect().top]};
        }"""
    )
    assert (line["name"], line["address"]) == (name, "ann@evil.example")
    assert line["top"][0] == line["top"][1]  # one line, so left and right can be compared
    assert line["addressLeft"] > line["nameRight"]
    edges = pane.page.evaluate(_LEFT_EDGES, [".message .mailbox", "ann@evil.example"])
    assert edges == sorted(edges) and len(set(edges)) == len(edges), edges
    # The service's evidence line ("Ann Lee <ann@evil.example>", the name isolated) too.
    assert "DISPLAY_NAME_CONTROLS" in pane.page.evaluate(
        "[...document.querySelectorAll('#caveat .finding')].map(f => f.dataset.findingId)"
    )
    edges = pane.page.evaluate(_LEFT_EDGES, [".evidence dd", "<ann@evil.example>"])
    assert edges == sorted(edges) and len(set(edges)) == len(edges), edges
    pane.shot("05b-override-in-name")
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


def _caution_item() -> dict[str, Any]:
    """A new invoice whose replies would go to free mail, and nothing else wrong."""
    headers = (
        "Received: from mail.northwind.example by mx.partnera.example;\r\n"
        " Thu, 7 Nov 2024 09:12:00 +0000\r\n"
        "From: Dana Whitfield <dana.whitfield@northwind.example>\r\n"
        "Reply-To: Dana Whitfield <dana.whitfield.billing@gmail.com>\r\n"
        "To: Anna Keller <anna.keller@partnera.example>\r\n"
        "Subject: Invoice 2024-1203\r\n"
        "Message-ID: <caution-1@northwind.example>\r\n"
    )
    return {
        "subject": "Invoice 2024-1203",
        "from": {
            "displayName": "Dana Whitfield",
            "emailAddress": "dana.whitfield@northwind.example",
        },
        "to": [{"displayName": "Anna Keller", "emailAddress": "anna.keller@partnera.example"}],
        "headers": headers,
        "body": "Hello Anna, please find invoice 2024-1203 attached. Kind regards, Dana",
        "conversationId": "AAQkADcaution",
        "internetMessageId": "<caution-1@northwind.example>",
    }


def test_a_caution_pane_stays_short_and_calm(pane: Pane) -> None:
    pane.open(_caution_item())
    assert pane.wait_level("caution", "danger") == "caution"
    assert pane.page.query_selector(".advice") is None
    assert not pane.any_open()
    assert pane.height() <= FIRST_SCREEN
    assert pane.bottom("button.verify") <= FIRST_SCREEN
    pane.shot("10-caution")
    pane.assert_clean()


def test_an_unconfigured_service_says_so_in_a_muted_set_up_note(
    browser: Any, tmp_path: Path, artifacts: Path
) -> None:
    """A service started without internal domains (as a fresh `make run` is) sends its
    set-up notice with every answer; the pane shows it apart, never as a finding."""
    bare = start_service(tmp_path, {"CAVEAT_INTERNAL_DOMAINS": "", "CAVEAT_TRUST_MICROSOFT": ""})
    pane = Pane(browser, bare, artifacts)
    try:
        pane.open(REAL_REPLY)
        # Whatever the verdict (unconfigured, our own partnera.example may even pass for a
        # look-alike of the partner's partnerb.example), the note comes with it.
        level = pane.wait_level("none", "info", "caution", "danger")
        box = pane.page.wait_for_selector("aside.notices", timeout=15000)
        assert box is not None
        assert pane.text("aside.notices h2") == "Service set-up"
        note = pane.text("aside.notices")
        assert "No internal domain is configured" in note
        assert "caveat configure --internal-domain" in note
        assert pane.page.query_selector("aside.notices .finding") is None
        assert pane.page.get_attribute("#caveat", "data-level") == level
        assert "Service set-up" not in pane.text("header")
        # Muted: the note's text is grey, not the colour of a warning.
        colour = pane.page.eval_on_selector(
            "aside.notices .notice", "e => getComputedStyle(e).color"
        )
        assert colour == "rgb(87, 96, 106)"
        calls = pane.wait_calls(1)
        assert "internal domain" not in (calls[0].get("message") or "")
        pane.shot("08-service-set-up-note")
        pane.assert_clean()
    finally:
        pane.close()
        bare.stop()


OUTSIDE = "Caveat runs inside Outlook"


def _outside(browser: Any, service: Service, office_js: str) -> tuple[Any, Any, float]:
    """The pane page in a plain browser tab: Office.js `absent` (nothing external loads,
    as here), `blocked` (refused at once) or `silent` (loads but is never ready)."""
    context = browser.new_context(viewport={"width": WIDTH, "height": FIRST_SCREEN})
    page = context.new_page()
    page.add_init_script(WATCH)
    if office_js == "blocked":
        page.route(OFFICE_JS, lambda route: route.abort())
    elif office_js == "silent":
        page.route(
            OFFICE_JS,
            lambda route: route.fulfill(
                status=200,
                content_type="text/javascript",
                body="window.Office = { onReady: () => new Promise(() => {}) };",
            ),
        )
    started = time.monotonic()
    page.goto(f"{service.url}/addin/outlook/taskpane.html?key={service.key}")
    # A function, not a string: the page's CSP forbids evaluating strings while polling.
    page.wait_for_function(
        "() => document.getElementById('caveat').dataset.level === 'outside'", timeout=10000
    )
    return context, page, time.monotonic() - started


@pytest.mark.parametrize("office_js", ["absent", "blocked", "silent"])
def test_outside_outlook_the_page_says_where_it_runs_and_how_to_sideload_it(
    browser: Any, service: Service, artifacts: Path, office_js: str
) -> None:
    context, page, took = _outside(browser, service, office_js)
    try:
        # The pane gives Office.js 3 s; the rest is the browser giving up on Microsoft's
        # host, which a busy CI machine slows. A few seconds, not "Starting Caveat" for ever.
        assert took < 8.0, f"the explanation took {took:.1f} s"
        text = page.inner_text("#caveat")
        assert OUTSIDE in text
        assert "Starting Caveat" not in text
        for step in ("aka.ms/olksideload", "My add-ins", "Add a custom add-in", "Add from File"):
            assert step in text
        command = f"caveat manifest --base-url {service.url} --new-key --out caveat-manifest.xml"
        assert command in text
        assert "docs/deploy-outlook.md" in text
        assert page.evaluate("window.__csp") == []
        if office_js == "absent":
            page.screenshot(path=str(artifacts / "09-outside-outlook.png"), full_page=True)
    finally:
        context.close()
