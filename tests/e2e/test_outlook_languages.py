"""The Outlook add-in in each of its languages, in headless Chromium with the Office.js
stand-ins, on the real service.

* The task pane at Outlook's narrowest (360 pixels), Office.context.displayLanguage set to a
  regional tag of the language: the seed's fake reply (danger) and a new invoice whose
  replies go to free mail (caution). The page takes the language's lang and direction, the
  headline is the service's wording for that language, the pane's own labels are those of
  ``addin/_locales/<lang>/messages.json``, nothing runs off the side, nothing breaks the
  Content-Security-Policy and no message id shows in place of its text. Screenshots of
  each (``languages/<lang>-danger-360.png``, the first screen; ``-full``, the whole page
  folded; ``-open``, every finding unfolded) go to the artefacts folder, and those of the
  language whose danger pane is tallest again as ``longest-<lang>-…``.
* The send-time guard (launchevent.js loaded by commands.html, as Outlook on the web loads
  it, with the service's messages written in front of it): a recipient swapped for free
  mail in a conversation the service has seen stops the send with a Smart Alerts text in
  the display language that names the address and keeps to Outlook's limits.
"""

from __future__ import annotations

import json
import re
import shutil
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from caveat.engine.catalogue import Catalogue
from caveat.engine.guard import GuardTexts, guard_banner
from caveat.i18n import LANGUAGES, SOURCE, translator

from .conftest import OFFICE_JS, ROOT, STANDIN, Service
from .test_outlook_pane import (
    _LEFT_EDGES,
    FAKE_REPLY,
    FIRST_SCREEN,
    WIDTH,
    Pane,
    _caution_item,
)

LOCALES = ROOT / "addin" / "_locales"
COMPOSE_STANDIN = STANDIN.parent / "compose-standin.js"
CATALOGUE = Catalogue.load()
GUARD_TEXTS = GuardTexts.load()
#: Outlook's display language for each: regional tags, as Outlook gives them.
DISPLAY = {
    "en": "en-US", "de": "de-DE", "fr": "fr-FR", "es": "es-ES", "it": "it-IT", "nl": "nl-NL",
    "pt": "pt-BR", "pl": "pl-PL", "cs": "cs-CZ", "sv": "sv-SE", "tr": "tr-TR", "ja": "ja-JP",
    "zh": "zh-CN", "ar": "ar-SA",
}  # fmt: skip


def joined(a: str, b: str) -> str:
    """Two sentences as launchevent.js joins them: no space after a full-width stop."""
    return a + b if a[-1:] in "\u3002\uff01\uff1f\uff1a" else f"{a} {b}"


#: Smart Alerts: the dialog's text at most 500 characters, a notification's at most 150.
MAX_DIALOG, MAX_NOTIFICATION = 500, 150

#: Elements drawn beyond the pane's sides (1 px of rounding allowed), and the page's width.
OVERFLOW = """(width) => {
    const out = [];
    for (const e of document.querySelectorAll('body *')) {
        const r = e.getBoundingClientRect();
        if (r.width === 0 || r.height === 0) continue;
        if (r.right > width + 1 || r.left < -1) {
            out.push(`${e.tagName.toLowerCase()}.${e.className} [${Math.round(r.left)}, `
                + `${Math.round(r.right)}] ${(e.textContent || '').slice(0, 60)}`);
        }
    }
    return {scrollWidth: document.documentElement.scrollWidth, outside: out};
}"""

#: Visible text nodes that are nothing but a message id ("advice_heading").
RAW_IDS = r"""() => {
    const id = /^[a-z]+(_[a-z0-9]+)+$/;
    const found = [];
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
        const text = node.textContent.trim();
        const parent = node.parentElement;
        if (!text || !parent || !parent.checkVisibility()) continue;
        if (id.test(text)) found.push(text);
    }
    for (const e of document.querySelectorAll('[title], [aria-label], [placeholder]')) {
        for (const a of ['title', 'aria-label', 'placeholder']) {
            const v = (e.getAttribute(a) || '').trim();
            if (id.test(v)) found.push(`${a}=${v}`);
        }
    }
    return found;
}"""

#: The tallest danger pane's language is found from the languages' measurements.
MEASURED: dict[str, dict[str, int]] = {}


def client_words(lang: str) -> dict[str, str]:
    """The add-in's messages in `lang`, as its message file holds them."""
    path = LOCALES / lang / "messages.json"
    assert path.is_file(), f"{path.relative_to(ROOT)} is not there"
    data = json.loads(path.read_text("utf-8"))
    return {key: entry["message"] for key, entry in data.items()}


def post(service: Service, path: str, body: dict[str, Any]) -> dict[str, Any]:
    request = urllib.request.Request(  # noqa: S310 - loopback
        service.url + path,
        data=json.dumps(body).encode("utf-8"),
        headers={"Authorization": f"Bearer {service.key}", "Content-Type": "application/json"},
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=20) as response:  # noqa: S310 - loopback
        answer: dict[str, Any] = json.loads(response.read())
        return answer


@pytest.fixture
def folder(artifacts: Path) -> Path:
    out = artifacts / "languages"
    out.mkdir(parents=True, exist_ok=True)
    return out


class LanguagePane(Pane):
    """The pane with Outlook's display language set, its analyze requests kept."""

    def __init__(self, browser: Any, service: Service, artifacts: Path, display: str) -> None:
        super().__init__(browser, service, artifacts)
        self.display = display
        self.analyzed: list[dict[str, Any]] = []

        def keep(request: Any) -> None:
            if request.url.endswith("/api/v1/analyze") and request.method == "POST":
                self.analyzed.append(json.loads(request.post_data))

        self.page.on("request", keep)

    def open(self, item: dict[str, Any]) -> None:
        self.page.goto(f"{self.service.url}/addin/outlook/taskpane.html?key={self.service.key}")
        self.page.wait_for_function("typeof Office !== 'undefined' && !!Office.__standin")
        self.page.evaluate(
            "([tag, item]) => {"
            " Office.context.displayLanguage = tag; Office.__standin.start(item); }",
            [self.display, item],
        )

    def check_layout(self, state: str) -> None:
        box = self.page.evaluate(OVERFLOW, WIDTH)
        assert box["scrollWidth"] <= WIDTH, f"{state}: the page is {box['scrollWidth']} px wide"
        assert box["outside"] == [], f"{state}: drawn outside the pane: {box['outside']}"
        assert self.page.evaluate(RAW_IDS) == [], f"{state}: message ids shown"

    def shots(self, folder: Path, name: str) -> None:
        self.page.evaluate("window.scrollTo(0, 0)")
        self.page.screenshot(path=str(folder / f"{name}.png"))
        self.page.screenshot(path=str(folder / f"{name}-full.png"), full_page=True)


@pytest.fixture
def open_pane(browser: Any, service: Service, artifacts: Path) -> Iterator[Any]:
    made: list[LanguagePane] = []

    def make(lang: str) -> LanguagePane:
        p = LanguagePane(browser, service, artifacts, DISPLAY[lang])
        made.append(p)
        return p

    yield make
    for p in made:
        p.close()


def _replayed(service: Service, sent: dict[str, Any], lang: str) -> dict[str, Any]:
    """What the service answers to the pane's own request, asked in `lang`."""
    return post(service, "/api/v1/analyze", {**sent, "language": lang})


def _page_language(pane: LanguagePane, lang: str) -> None:
    html = pane.page.evaluate(
        "({lang: document.documentElement.lang, dir: document.documentElement.dir,"
        " computed: getComputedStyle(document.body).direction})"
    )
    rtl = lang == "ar"
    assert html["lang"] == lang
    assert html["dir"] == ("rtl" if rtl else "ltr")
    assert html["computed"] == ("rtl" if rtl else "ltr")


def _headline(pane: LanguagePane, lang: str, level: str) -> dict[str, str]:
    """The headline is the service's, in `lang`, and (but in English) not English."""
    assert pane.analyzed, "the pane asked nothing"
    sent = pane.analyzed[-1]
    assert sent["language"] == lang
    title, text = pane.text(".level h1"), pane.text(".level .level-text")
    entry = CATALOGUE.levels[level]
    t = translator(lang)
    assert title == t.text(f"level.{level}.title", entry.title)
    if lang != SOURCE:
        assert title != entry.title
    if level == "caution":
        # No finding of the caution message has a banner of its own: the level's text.
        assert text == t.text(f"level.{level}.text", entry.text)
        if lang != SOURCE:
            assert text != entry.text
    else:
        # A finding's banner speaks for the message: the service's, asked again.
        worded = _replayed(pane.service, sent, lang)
        assert worded["level"] == level
        assert (title, text) == (worded["banner"]["title"], worded["banner"]["text"])
        if lang != SOURCE:
            assert text != _replayed(pane.service, sent, SOURCE)["banner"]["text"]
    return {"title": title, "text": text}


@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_fake_reply_in_every_language(open_pane: Any, folder: Path, lang: str) -> None:
    words = client_words(lang)
    pane = open_pane(lang)
    pane.open(FAKE_REPLY)
    assert pane.wait_level("danger") == "danger"
    _page_language(pane, lang)
    banner = _headline(pane, lang, "danger")

    # The pane's own words are the language's file's.
    assert pane.text(".advice h2") == words["advice_heading"]
    assert pane.text("button.verify") == words["button_verify_sender"]
    assert pane.text("button.report") == words["button_report"]
    assert pane.text(".findings h2") == words["findings_heading_danger"]
    assert pane.text(".advice .why .label").strip() == words["advice_why_label"].strip()

    # Outlook's notification bar: the service's words, within Outlook's 150 characters.
    calls = pane.wait_calls(1)
    assert calls[0]["status"] == "succeeded"
    assert 0 < len(calls[0]["message"]) <= MAX_NOTIFICATION
    assert calls[0]["message"] == banner["text"]

    # What to do and both actions on the first screen, in every language.
    for selector in (".level", ".advice", "button.verify", "button.report"):
        assert pane.bottom(selector) <= FIRST_SCREEN, f"{lang}: {selector} below the first screen"
    pane.check_layout(f"{lang} danger folded")
    pane.shots(folder, f"{lang}-danger-360")
    MEASURED[lang] = {
        "height": pane.height(),
        "banner": len(banner["title"]) + len(banner["text"]),
    }

    pane.fold_all(True)
    pane.check_layout(f"{lang} danger unfolded")
    pane.page.screenshot(path=str(folder / f"{lang}-danger-360-open.png"), full_page=True)
    MEASURED[lang]["open"] = pane.height()
    pane.assert_clean()


#: One sender per language: once the service has seen a sender's name, free mail under it
#: is a known name's, a danger, not the caution this test is about.
SENDERS = {
    "en": "Dana Whitfield", "de": "Jonas Berger", "fr": "Claire Dubois", "es": "Lucia Romero",
    "it": "Marco Ricci", "nl": "Sanne de Vries", "pt": "Joana Costa", "pl": "Piotr Nowak",
    "cs": "Tereza Novakova", "sv": "Erik Lindqvist", "tr": "Elif Yilmaz", "ja": "Haruto Sato",
    "zh": "Wei Zhang", "ar": "Layla Haddad",
}  # fmt: skip


def _caution_from(lang: str) -> dict[str, Any]:
    """test_outlook_pane's caution message, from this language's own sender."""
    item = _caution_item()
    name = SENDERS[lang]
    local = name.lower().replace(" ", ".")
    old = item["from"]["displayName"]
    old_local = old.lower().replace(" ", ".")
    item["from"] = {"displayName": name, "emailAddress": f"{local}@northwind.example"}
    item["headers"] = item["headers"].replace(old, name).replace(old_local, local)
    item["headers"] = item["headers"].replace("caution-1@", f"caution-{lang}@")
    item["body"] = item["body"].replace("Dana", name.split()[0])
    item["conversationId"] = f"AAQkADcaution-{lang}"
    item["internetMessageId"] = f"<caution-{lang}@northwind.example>"
    return item


@pytest.mark.parametrize("lang", LANGUAGES)
def test_a_caution_in_every_language(open_pane: Any, folder: Path, lang: str) -> None:
    words = client_words(lang)
    pane = open_pane(lang)
    pane.open(_caution_from(lang))
    assert pane.wait_level("caution", "danger") == "caution"
    _page_language(pane, lang)
    _headline(pane, lang, "caution")
    assert pane.page.query_selector(".advice") is None
    assert pane.text("button.verify") == words["button_verify_sender"]
    assert pane.text(".findings h2") == words["findings_heading"]
    assert pane.bottom("button.verify") <= FIRST_SCREEN
    calls = pane.wait_calls(1)
    assert calls[0]["status"] == "succeeded"
    assert 0 < len(calls[0]["message"]) <= MAX_NOTIFICATION
    pane.check_layout(f"{lang} caution folded")
    pane.shots(folder, f"{lang}-caution-360")
    pane.fold_all(True)
    pane.check_layout(f"{lang} caution unfolded")
    pane.assert_clean()


@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_address_and_the_time_read_in_order(open_pane: Any, lang: str) -> None:
    """In a right-to-left sentence too, the sender's address and the time of the check are
    drawn in their own order, left to right, character after character."""
    pane = open_pane(lang)
    pane.open(FAKE_REPLY)
    pane.wait_level("danger")
    address = FAKE_REPLY["from"]["emailAddress"]
    edges = pane.page.evaluate(_LEFT_EDGES, [".message .mailbox", address[:8]])
    assert edges == sorted(edges) and len(set(edges)) == len(edges), edges
    footer = pane.text("footer")
    stamp = re.search(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", footer)
    if stamp is None:
        return  # written as the language writes dates: nothing to turn round
    edges = pane.page.evaluate(_LEFT_EDGES, ["footer", stamp.group(0)])
    assert edges == sorted(edges), f"{footer!r} is drawn out of order"


def test_the_longest_language_is_kept_apart(folder: Path) -> None:
    """The language whose danger pane is tallest (then whose headline is longest): its
    screenshots again as longest-<lang>-…, the one to look at for layout."""
    if len(MEASURED) < 2:
        pytest.skip("run with the languages' pane tests")
    lang = max(MEASURED, key=lambda k: (MEASURED[k]["height"], MEASURED[k]["banner"]))
    for old in folder.glob("longest-*.png"):
        old.unlink()
    for suffix in ("", "-full", "-open"):
        name = f"{lang}-danger-360{suffix}.png"
        shutil.copyfile(folder / name, folder / f"longest-{name}")
    for suffix in ("", "-full"):
        source = folder / f"{lang}-caution-360{suffix}.png"
        if source.is_file():
            shutil.copyfile(source, folder / f"longest-{source.name}")
    table = ", ".join(
        f"{k} {v['height']}/{v['open']} px {v['banner']} ch" for k, v in sorted(MEASURED.items())
    )
    summary = (
        f"danger pane at {WIDTH} px, folded/open height, headline length: {table}\n"
        f"longest: {lang}: {folder / f'longest-{lang}-danger-360-full.png'}\n"
    )
    (folder / "longest.txt").write_text(summary, "utf-8")
    print("\n" + summary)


# ---------------------------------------------------------------- the send-time guard

THREAD = "AAQkADlanguages-guard"
JANE_AT_WORK = "Jane Roe <jane@partner.example>"
JANE_FREE_MAIL = "jane.roe@gmail.com"
RAISE = """([name]) => new Promise((resolve) => {
  Office.__standin.handlers[name]({ completed: (options) => resolve(options || null) });
})"""


@pytest.fixture(scope="module")
def thread(service: Service) -> str:
    """Jane Roe of partner.example (not in the directory) wrote to Anna in this thread."""
    post(
        service,
        "/api/v1/analyze",
        {
            "headers": (
                f"From: {JANE_AT_WORK}\r\n"
                "To: Anna Keller <anna.keller@partnera.example>\r\n"
                "Subject: Invoice 1042\r\n"
                "Message-ID: <lang-guard-1@partner.example>\r\n"
            ),
            "conversation_id": THREAD,
        },
    )
    return THREAD


def _expected_banner(lang: str, finding: str) -> str:
    template = GUARD_TEXTS.banners[finding]
    worded = translator(lang).text(f"guard.banner.{finding}", template)
    return guard_banner(worded, JANE_FREE_MAIL, "gmail.com")


@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_send_time_guard_in_every_language(
    browser: Any, service: Service, thread: str, lang: str
) -> None:
    words = client_words(lang)
    context = browser.new_context()
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.add_init_script(
        "window.__csp = []; document.addEventListener('securitypolicyviolation',"
        " (e) => window.__csp.push(e.violatedDirective));"
    )
    compose = COMPOSE_STANDIN.read_text("utf-8")
    page.route(
        OFFICE_JS, lambda r: r.fulfill(status=200, content_type="text/javascript", body=compose)
    )
    try:
        page.goto(f"{service.url}/addin/outlook/commands.html?key={service.key}")
        page.wait_for_function("!!Office.__standin.handlers.onMessageSendHandler")
        # The service wrote every language's words in front of the script.
        assert lang in page.evaluate("Object.keys(CAVEAT_MESSAGES)")
        page.evaluate(
            "([tag, to, thread]) => { Office.context.displayLanguage = tag;"
            " Office.__standin.compose({to, conversationId: thread,"
            " subject: 'RE: Invoice 1042'}); }",
            [
                DISPLAY[lang],
                [{"displayName": "Jane Roe", "emailAddress": JANE_FREE_MAIL}],
                thread,
            ],
        )
        assert page.evaluate("CaveatSendGuard.language()") == lang

        # While writing: the notification, in the language, within 150 characters.
        page.evaluate(RAISE, ["onMessageRecipientsChangedHandler"])
        note = page.evaluate("Office.__standin.notes")[-1]
        assert note["key"] == "caveat-recipients"
        assert note["details"]["type"] == "errorMessage"
        message = note["details"]["message"]
        assert JANE_FREE_MAIL in message and len(message) <= MAX_NOTIFICATION

        # On Send: stopped, the dialog's text in the language.
        options = page.evaluate(RAISE, ["onMessageSendHandler"])
        assert options["allowEvent"] is False
        assert options["sendModeOverride"] == "promptUser"
        dialog = options["errorMessage"]
        assert len(dialog) <= MAX_DIALOG
        banners = {f: _expected_banner(lang, f) for f in GUARD_TEXTS.banners}
        finding = next(f for f, text in banners.items() if text and message == text)
        assert finding in ("RECIPIENT_SWAP_FREEMAIL", "FREEMAIL_KNOWN_NAME")
        flagged = words["outlook_event_flagged"].replace("$1", JANE_FREE_MAIL)
        hint = words["outlook_event_send_anyway_hint"]
        assert dialog == joined(joined(banners[finding], flagged), hint)
        if lang != SOURCE:
            english = _expected_banner(SOURCE, finding)
            assert banners[finding] != english
            assert hint != client_words(SOURCE)["outlook_event_send_anyway_hint"]
        print(f"\n{lang} guard ({len(dialog)} ch): {dialog}")
        assert errors == []
        assert page.evaluate("window.__csp") == []
    finally:
        context.close()
