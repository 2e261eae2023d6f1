"""How the Thunderbird display script's banner looks, in Debian's Chromium: the real
``display.js`` on a message page, with a stand-in for the one extension call it makes
(``browser.runtime.sendMessage``). Thunderbird itself runs headless in
test_thunderbird.py, where no picture can be taken; here each level is drawn and saved to
``test-artifacts/thunderbird/banner-<level>.png``, and its placement is checked: at the very
top of the message, the full width, and above the message's own first line."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from .conftest import ROOT

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
