"""How the Thunderbird display script's banner looks, in Debian's Chromium: the real
``display.js`` on a message page, with a stand-in for the one extension call it makes
(``browser.runtime.sendMessage``). Thunderbird itself runs headless in
test_thunderbird.py, where no picture can be taken; here each level is drawn and saved to
``test-artifacts/thunderbird/banner-<level>.png``, and its placement is checked: at the very
top of the message, the full width, and above the message's own first line. The popup of the
message display action is drawn too, by the real popup.js and shared render.js from the
service's answer on the seed's fake reply (``popup-danger.png``)."""

from __future__ import annotations

import json
import urllib.request
from pathlib import Path
from typing import Any

import pytest

from .conftest import ROOT, Service

DISPLAY_JS = ROOT / "addin" / "thunderbird" / "display.js"

MESSAGE = """<!doctype html><html><head><meta charset="utf-8">
<style>body { margin: 8px; font-family: serif; }</style></head>
<body><p id="first">Hello Anna,</p><p>our bank details have changed; the updated account is
attached. Kindly use it for this and future payments.</p><p>Best regards,<br>Finance</p>
</body></html>"""

STANDIN = """
window.__caveatShown = [];
window.browser = { runtime: { sendMessage: async (message) => {
  if (message.command === "banner") return window.__caveatModel;
  if (message.command === "shown") { window.__caveatShown.push(message); return { ok: true }; }
  throw new Error("unknown command");
} } };
"""

MODELS: dict[str, dict[str, Any]] = {
    "danger": {
        "show": True,
        "level": "danger",
        "tone": "error",
        "title": "This message may not be from who it claims",
        "text": "Partner B asks you to pay a new account, not the account on file. "
        "Do not pay before you confirm it by phone.",
    },
    "caution": {
        "show": True,
        "level": "caution",
        "tone": "informational",
        "title": "Replies to this message go elsewhere",
        "text": "Reply-To is a free-mail address, not the sender's organisation.",
    },
    "unknown": {
        "show": True,
        "level": "unknown",
        "tone": "informational",
        "title": "Caveat could not check this message",
        "text": "Caveat could not check this message: the Caveat service could not be "
        "reached. Treat it with care.",
    },
    "hostile": {
        "show": True,
        "level": "danger",
        "tone": "error",
        "title": "<img src=x onerror=window.__pwned=1>\u202eyap\u202c",
        "text": "<script>window.__pwned=1</script> " + "W" * 10_000,
    },
}


@pytest.mark.parametrize("name", list(MODELS))
def test_the_banner_sits_on_top_of_the_message(browser: Any, artifacts: Path, name: str) -> None:
    page = browser.new_page(viewport={"width": 900, "height": 400})
    try:
        page.set_content(MESSAGE)
        page.evaluate(STANDIN)
        page.evaluate(f"window.__caveatModel = {json.dumps(MODELS[name])}")
        page.add_script_tag(content=DISPLAY_JS.read_text("utf-8"))
        page.wait_for_function("window.__caveatShown.length === 1")
        shown = page.evaluate("window.__caveatShown[0]")
        folder = artifacts.parent / "thunderbird"
        folder.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(folder / f"banner-{name}.png"))

        assert shown["shown"] is True
        assert shown["level"] == MODELS[name]["level"]
        banner = page.locator("caveat-banner").bounding_box()
        first = page.locator("#first").bounding_box()
        assert banner is not None and first is not None
        assert banner["y"] <= 10
        assert banner["y"] + banner["height"] <= first["y"]
        assert banner["width"] >= 800
        assert page.evaluate("window.__pwned === undefined")
        if name == "hostile":
            # Cut to a few hundred characters, shown as text: no element came from it.
            assert len(shown["text"]) < 700
            assert "<img" in shown["text"]
    finally:
        page.close()


POPUP = "http://popup.caveat.test/thunderbird/popup.html"
_TYPES = {
    ".html": "text/html",
    ".js": "text/javascript",
    ".css": "text/css",
    ".json": "application/json",
}


def _serve_addin(route: Any) -> None:
    """The popup's files as the XPI packs them: thunderbird/ and shared/ from addin/."""
    path = route.request.url.split("popup.caveat.test/", 1)[1].split("?", 1)[0]
    file = (ROOT / "addin" / path).resolve()
    if not file.is_relative_to(ROOT / "addin") or not file.is_file():
        route.fulfill(status=404, body="")
        return
    route.fulfill(status=200, content_type=_TYPES[file.suffix], body=file.read_bytes())


def test_the_popup_shows_the_seed_fake_reply_folded(
    browser: Any, service: Service, artifacts: Path
) -> None:
    """The message display action's popup, drawn by the real popup.js and shared render.js
    from the service's real answer on the seed's fake reply: what to do and the actions in
    the popup's first view, the findings folded with composites holding their parts."""
    raw = (ROOT / "tests" / "fixtures" / "seed" / "02-fake-reply-via-relay.eml").read_text("utf-8")
    request = urllib.request.Request(  # noqa: S310 - the service on loopback
        f"{service.url}/api/v1/analyze",
        data=json.dumps({"raw": raw}).encode(),
        headers={"Content-Type": "application/json", "Authorization": f"Bearer {service.key}"},
    )
    with urllib.request.urlopen(request, timeout=20) as answer:  # noqa: S310 - loopback
        verdict = json.load(answer)
    assert verdict["level"] == "danger"
    details = {
        "state": "verdict",
        "messageId": 1,
        "verdict": verdict,
        "from": {"name": "Finance Person", "address": "finance-person@partnerb.example"},
        "subject": "RE: Invoice 2024-1187 - payment reminder",
    }
    page = browser.new_page(viewport={"width": 380, "height": 560})
    try:
        page.route("http://popup.caveat.test/**", _serve_addin)
        page.add_init_script(
            "window.messenger = { runtime: { sendMessage: async (m) => "
            f"m.command === 'details' ? {json.dumps(details)} : {{ ok: false }} }} }};"
        )
        page.goto(POPUP)
        page.wait_for_function("() => document.getElementById('caveat').dataset.level === 'danger'")
        folder = artifacts.parent / "thunderbird"
        folder.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(folder / "popup-danger.png"), full_page=True)
        for selector in (".advice", "button.verify", "button.report"):
            bottom = page.eval_on_selector(selector, "e => e.getBoundingClientRect().bottom")
            assert bottom <= 560, f"{selector} is below the popup's first view"
        top = page.eval_on_selector_all(
            ".findings > ul > li.finding", "els => els.map(e => e.dataset.findingId)"
        )
        nested = page.eval_on_selector_all(
            ".parts > li.finding", "els => els.map(e => e.dataset.findingId)"
        )
        assert top[0].startswith("BEC_") and "BANK_DETAILS_CHANGED" in nested
        assert not set(nested) & set(top)
        assert page.evaluate("[...document.querySelectorAll('details')].some(d => d.open)") is False
    finally:
        page.close()
