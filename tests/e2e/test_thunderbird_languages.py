"""The Thunderbird extension in each of its languages.

* In a real Thunderbird (test_thunderbird.py's headless ESR and throw-away profile, which
  runs in English): the language chosen in the extension's settings, German, Arabic and
  Japanese, one Thunderbird start each. The settings page keeps the choice in
  storage.local under "language"; the profile is given that choice before Thunderbird
  starts, as Thunderbird's own data file of the extension's storage.local
  (``browser-extension-data/<id>/storage.js``, which Thunderbird moves into its storage at
  the extension's first start; the test checks that it did). The seed's fake reply is
  opened, and the display script's report of what it showed (the test build's display
  report URL, here a recorder of the test's own, which keeps the banner's language and
  direction) must be the service's danger banner in that language, with the language's tag
  and direction on the banner as drawn.
* In Chromium, for every language, at the popup's width (380 pixels, popup.css) and at
  360 pixels: the real display.js drawing the banner of a danger and of a caution with the
  service's words in that language; the real popup on the service's answer to the seed's
  fake reply in that language (what to do and both actions in its first view); the real
  settings page, with an API key and with a signed-in person. Each must carry the
  language's tag and direction, speak the language's messages.json and the service's words
  (but in English, not English's: no three English words in a row in the service's
  banner), show no message id in place of its text and draw nothing beyond the page's
  sides. The pictures go to ``test-artifacts/thunderbird/<lang>-banner-danger.png``,
  ``<lang>-banner-caution.png``, ``<lang>-popup.png`` (``<lang>-popup-open.png`` with every
  finding unfolded), ``<lang>-options.png``, ``<lang>-options-account.png``, and ``-360``
  of each; the language whose popup is tallest is named in ``languages-longest.txt``.

The popup is 380 pixels wide in Thunderbird (popup.css sets it); at 360 its body is given
360 pixels, as a narrower panel would.
"""

from __future__ import annotations

import json
import re
import threading
import urllib.request
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from caveat.clients.thunderbird_xpi import EXTENSION_ID, Deployment, build_xpi
from caveat.engine.catalogue import Catalogue
from caveat.i18n import LANGUAGES, SOURCE, translator

from .conftest import ROOT, Service, start_service
from .test_outlook_languages import RAW_IDS, _caution_from
from .test_thunderbird import (
    FAKE_REPLY,
    artifacts,
    calls_for,
    make_profile,
    message_id,
    open_in_thunderbird,
    thunderbird,
)

__all__ = ["artifacts", "thunderbird"]  # fixtures shared with test_thunderbird.py

LOCALES = ROOT / "addin" / "_locales"
DISPLAY_JS = ROOT / "addin" / "thunderbird" / "display.js"
CATALOGUE = Catalogue.load()
#: The languages set in a real Thunderbird: one start each.
IN_THUNDERBIRD = ("de", "ar", "ja")
#: The popup's width in Thunderbird (popup.css), and the narrowest width drawn.
POPUP_WIDTH = 380
WIDTHS = (POPUP_WIDTH, 360)
#: The popup's first view (test_thunderbird_banner.py's bound).
FIRST_VIEW = 560
#: Outlook's and the banner's limits (shared/banner.js): the title, the text.
TITLE_MAX, TEXT_MAX = 80, 150
#: display.js's own limit on each of them.
SHOWN_MAX = 300
ORIGIN = "http://popup.caveat.test"
_TYPES = {
    ".html": "text/html",
    ".js": "text/javascript",
    ".css": "text/css",
    ".json": "application/json",
}
#: What the tallest popup's language is found from: lang -> popup height at 380 px.
MEASURED: dict[str, int] = {}


def rtl(lang: str) -> bool:
    return lang == "ar"


def client_words(lang: str) -> dict[str, str]:
    """The extension's messages in `lang`, as its message file holds them."""
    path = LOCALES / lang / "messages.json"
    assert path.is_file(), f"{path.relative_to(ROOT)} is not there"
    data = json.loads(path.read_text("utf-8"))
    return {key: entry["message"] for key, entry in data.items()}


def fit(text: str, limit: int) -> str:
    """shared/banner.js's fit(): one line, cut with an ellipsis."""
    clean = re.sub(r"\s+", " ", text).strip()
    return clean if len(clean) <= limit else clean[: limit - 1].rstrip() + "\u2026"


def shown_text(title: str, text: str) -> str:
    """What display.js draws for a banner model's title and text."""

    def limited(value: str) -> str:
        clean = re.sub(r"\s+", " ", value).strip()
        return clean if len(clean) <= SHOWN_MAX else clean[: SHOWN_MAX - 1] + "\u2026"

    return f"{limited(title)} {limited(text)}"


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


_ANSWERS: dict[tuple[str, str], dict[str, Any]] = {}


def fake_reply_answer(service: Service, lang: str) -> dict[str, Any]:
    """The service's answer on the seed's fake reply, asked in `lang`."""
    key = ("danger", lang)
    if key not in _ANSWERS:
        raw = FAKE_REPLY.read_text("utf-8")
        _ANSWERS[key] = post(service, "/api/v1/analyze", {"raw": raw, "language": lang})
    return _ANSWERS[key]


def caution_answer(service: Service, lang: str) -> dict[str, Any]:
    """The service's answer on a new invoice whose replies go to free mail (a sender of the
    language's own: a name the service has seen would make free mail a danger)."""
    key = ("caution", lang)
    if key not in _ANSWERS:
        item = _caution_from(lang)
        body = {
            "headers": item["headers"],
            "body": item["body"],
            "subject": item["subject"],
            "internet_message_id": item["internetMessageId"],
            "language": lang,
        }
        _ANSWERS[key] = post(service, "/api/v1/analyze", body)
    return _ANSWERS[key]


def level_title(lang: str, level: str) -> str:
    return translator(lang).text(f"level.{level}.title", CATALOGUE.levels[level].title)


#: Names, written alike in every language: a run of words with one is not English's.
NAMES = frozenset({"Caveat", "Partner", "B"})


def english_left(text: str, english: str) -> list[str]:
    """Runs of three words of the English `english` (names aside) that `text` still holds."""
    clean = re.sub(r"\s+", " ", re.sub("[\u200e\u200f\u2066-\u2069]", "", text))
    words = re.findall(r"[A-Za-z][A-Za-z']*", english)
    runs = (
        " ".join(words[i : i + 3])
        for i in range(len(words) - 2)
        if not NAMES.intersection(words[i : i + 3])
    )
    return [r for r in runs if re.search(r"(?<![A-Za-z])" + re.escape(r) + r"(?![A-Za-z])", clean)]


def check_service_words(
    answer: dict[str, Any], english: dict[str, Any], lang: str, level: str
) -> None:
    """The answer's banner is the level's, worded in `lang`: but in English, neither its
    title nor any three words in a row of its text are English's."""
    assert answer["level"] == level, answer
    assert answer["banner"]["title"] == level_title(lang, level)
    if lang != SOURCE:
        assert answer["banner"]["title"] != CATALOGUE.levels[level].title
        text = answer["banner"]["text"]
        left = english_left(text, english["banner"]["text"])
        assert left == [], f"{lang}: English in the service's banner: {left} in {text!r}"


@pytest.fixture(scope="module")
def service(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Service]:
    svc = start_service(
        tmp_path_factory.mktemp("tb-lang-service"), extra_env={"CAVEAT_TEST_ENDPOINTS": "true"}
    )
    yield svc
    svc.stop()


# ------------------------------------------------------------------ a real Thunderbird


class Reports:
    """The display report URL of the test builds: keeps every report, whole, as sent."""

    def __init__(self) -> None:
        self.reports: list[dict[str, Any]] = []
        self.lock = threading.Lock()
        reports = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                size = int(self.headers.get("Content-Length") or 0)
                try:
                    data = json.loads(self.rfile.read(size))
                except ValueError:
                    data = {"unreadable": True}
                with reports.lock:
                    reports.reports.append(data)
                self.send_response(204)
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                return

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/display-events"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def about(self, mid: str) -> list[dict[str, Any]]:
        with self.lock:
            return [
                r
                for r in self.reports
                if str(r.get("internet_message_id", "")).strip("<>").lower() == mid
            ]

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture(scope="module")
def reports() -> Iterator[Reports]:
    recorder = Reports()
    yield recorder
    recorder.close()


def storage_dir(profile: Path) -> Path:
    return profile / "browser-extension-data" / EXTENSION_ID


def choose_language(profile: Path, lang: str) -> None:
    """The extension's storage.local holds {"language": lang}, as the settings page's
    choice leaves it, before Thunderbird first starts the extension.

    Thunderbird takes a newly installed extension's storage.local to be empty, unless the
    profile keeps extensions' data across installations (keepStorageOnUninstall, as when an
    extension is installed again); with that, it moves the data file into storage.local at
    the extension's first start."""
    folder = storage_dir(profile)
    folder.mkdir(parents=True)
    (folder / "storage.js").write_text(json.dumps({"language": lang}), "utf-8")
    with (profile / "user.js").open("a", encoding="utf-8") as prefs:
        prefs.write('user_pref("extensions.webextensions.keepStorageOnUninstall", true);\n')


@pytest.mark.parametrize("lang", IN_THUNDERBIRD)
def test_the_language_chosen_in_the_settings_words_the_banner_in_thunderbird(
    thunderbird: str,
    service: Service,
    reports: Reports,
    artifacts: Path,
    tmp_path: Path,
    lang: str,
) -> None:
    xpi = build_xpi(
        Deployment(base_url=service.url, api_key=service.key, display_report_url=reports.url)
    )
    profile = make_profile(tmp_path, xpi)
    choose_language(profile, lang)
    mid = message_id(FAKE_REPLY)
    before = len(reports.about(mid))
    log = artifacts / "thunderbird-languages.log"
    done = open_in_thunderbird(
        thunderbird, profile, FAKE_REPLY, log, lambda: len(reports.about(mid)) > before
    )
    assert done, f"no display report for {FAKE_REPLY.name} in {lang}; see {log}"
    event = reports.about(mid)[-1]
    (artifacts / f"{lang}-thunderbird-display.json").write_text(
        json.dumps(event, indent=2, ensure_ascii=False), "utf-8"
    )

    # Thunderbird took the choice into the extension's storage.local.
    folder = storage_dir(profile)
    assert not (folder / "storage.js").exists(), "Thunderbird never read storage.local"
    assert list(folder.glob("storage.js.migrated*")), sorted(p.name for p in folder.iterdir())
    assert calls_for(service, mid), "the service was not asked"

    # The banner as drawn in the message: danger, in the language and its direction.
    assert event["level"] == "danger"
    assert event["shown"] is True
    assert event.get("lang") == lang, event
    assert event.get("dir") == ("rtl" if rtl(lang) else "ltr"), event

    # Its words are the service's in that language.
    worded = fake_reply_answer(service, lang)
    english = fake_reply_answer(service, SOURCE)
    check_service_words(worded, english, lang, "danger")
    title, text = worded["banner"]["title"], worded["banner"]["text"]
    assert event["text"] == shown_text(fit(title, TITLE_MAX), fit(text, TEXT_MAX))
    assert english["banner"]["title"] not in event["text"]


# ------------------------------------------------------------------------- Chromium

MESSAGE = """<!doctype html><html><head><meta charset="utf-8">
<style>body { margin: 8px; font-family: serif; }</style></head>
<body><p id="first">Hello Anna,</p><p>our bank details have changed; the updated account is
attached. Kindly use it for this and future payments.</p><p>Best regards,<br>Finance</p>
</body></html>"""

#: The one extension call display.js makes, and a window on its closed shadow root (the
#: page's scripts cannot reach it; the test must, to read the banner as drawn).
BANNER_STANDIN = """
window.__caveatShown = [];
window.__shadows = [];
const attach = Element.prototype.attachShadow;
Element.prototype.attachShadow = function (init) {
  const root = attach.call(this, init);
  window.__shadows.push(root);
  return root;
};
window.browser = { runtime: { sendMessage: async (message) => {
  if (message.command === "banner") return window.__caveatModel;
  if (message.command === "shown") { window.__caveatShown.push(message); return { ok: true }; }
  throw new Error("unknown command");
} } };
"""

#: The banner as drawn: its bar's language, direction, text, and whether it fits.
BAR = """() => {
  const bar = window.__shadows[0].querySelector('.bar');
  const ids = [];
  const id = /^[a-z]+(_[a-z0-9]+)+$/;
  for (const e of bar.querySelectorAll('*')) {
    if (id.test((e.textContent || '').trim())) ids.push(e.textContent.trim());
  }
  const r = bar.getBoundingClientRect();
  return {
    lang: bar.getAttribute('lang'), dir: bar.getAttribute('dir'),
    direction: getComputedStyle(bar).direction, text: bar.textContent,
    left: r.left, right: r.right, scrollWidth: bar.scrollWidth, clientWidth: bar.clientWidth,
    pageWidth: document.documentElement.scrollWidth, ids,
  };
}"""

#: Elements drawn beyond the page's sides (1 px of rounding allowed), and its width.
OVERFLOW = """(width) => {
    const out = [];
    for (const e of document.querySelectorAll('body *')) {
        const r = e.getBoundingClientRect();
        if (r.width === 0 || r.height === 0) continue;
        if (r.right > width + 1 || r.left < -1) {
            out.push(`${e.tagName.toLowerCase()}.${e.className} [${Math.round(r.left)}, `
                + `${Math.round(r.right)}] ${(e.textContent || '').slice(0, 60)}`);
        }
        if (e.scrollWidth > e.clientWidth + 1 && getComputedStyle(e).overflowX !== 'visible'
            && e !== document.body) {
            out.push(`${e.tagName.toLowerCase()}.${e.className} scrolls sideways`);
        }
    }
    return {scrollWidth: document.documentElement.scrollWidth, outside: out};
}"""


def shot_name(lang: str, what: str, width: int) -> str:
    return f"{lang}-{what}.png" if width == POPUP_WIDTH else f"{lang}-{what}-{width}.png"


def banner_model(answer: dict[str, Any], lang: str) -> dict[str, Any]:
    """What the background gives display.js for a verdict (shared/banner.js's bannerFor,
    with the language spoken and its direction)."""
    level = answer["level"]
    return {
        "show": True,
        "key": "caveat-verdict",
        "tone": "error" if level == "danger" else "informational",
        "level": level,
        "title": fit(answer["banner"]["title"], TITLE_MAX),
        "text": fit(answer["banner"]["text"], TEXT_MAX),
        "lang": lang,
        "dir": "rtl" if rtl(lang) else "ltr",
    }


def check_layout(page: Any, width: int, state: str) -> None:
    box = page.evaluate(OVERFLOW, width)
    assert box["scrollWidth"] <= width, f"{state}: the page is {box['scrollWidth']} px wide"
    assert box["outside"] == [], f"{state}: drawn outside the page: {box['outside']}"
    assert page.evaluate(RAW_IDS) == [], f"{state}: message ids shown"


def check_page_language(page: Any, lang: str) -> None:
    html = page.evaluate(
        "({lang: document.documentElement.lang, dir: document.documentElement.dir,"
        " computed: getComputedStyle(document.body).direction})"
    )
    want = "rtl" if rtl(lang) else "ltr"
    assert html == {"lang": lang, "dir": want, "computed": want}


@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_banner_in_every_language(
    browser: Any, service: Service, artifacts: Path, lang: str
) -> None:
    answers = {"danger": fake_reply_answer(service, lang), "caution": caution_answer(service, lang)}
    english = {
        "danger": fake_reply_answer(service, SOURCE),
        "caution": caution_answer(service, SOURCE),
    }
    for level, answer in answers.items():
        check_service_words(answer, english[level], lang, level)
        model = banner_model(answer, lang)
        if level == "caution" and lang != SOURCE:
            # No finding of the caution message has a banner of its own: the level's text.
            english = CATALOGUE.levels[level].text
            assert answer["banner"]["text"] == translator(lang).text(f"level.{level}.text", english)
            assert answer["banner"]["text"] != english
        for width in WIDTHS:
            page = browser.new_page(viewport={"width": width, "height": 320})
            try:
                page.set_content(MESSAGE)
                page.evaluate(BANNER_STANDIN)
                page.evaluate(f"window.__caveatModel = {json.dumps(model)}")
                page.add_script_tag(content=DISPLAY_JS.read_text("utf-8"))
                page.wait_for_function("window.__caveatShown.length === 1")
                page.screenshot(path=str(artifacts / shot_name(lang, f"banner-{level}", width)))
                report = page.evaluate("window.__caveatShown[0]")
                bar = page.evaluate(BAR)
                state = f"{lang} {level} banner at {width} px"

                assert report["shown"] is True and report["level"] == level, state
                assert bar["lang"] == lang, state
                want = "rtl" if rtl(lang) else "ltr"
                assert (bar["dir"], bar["direction"]) == (want, want), state
                assert report.get("lang") == lang and report.get("dir") == want, report
                assert bar["text"] == shown_text(model["title"], model["text"]), state
                assert bar["ids"] == [], f"{state}: message ids shown: {bar['ids']}"
                assert bar["left"] >= 0 and bar["right"] <= width, f"{state}: {bar}"
                assert bar["scrollWidth"] <= bar["clientWidth"], f"{state}: {bar}"
                assert bar["pageWidth"] <= width, f"{state}: {bar}"
                check_layout(page, width, state)
                top = page.locator("caveat-banner").bounding_box()
                first = page.locator("#first").bounding_box()
                assert top is not None and first is not None
                assert top["y"] + top["height"] <= first["y"], f"{state}: over the message"
            finally:
                page.close()


def _serve_addin(route: Any) -> None:
    """The extension's files as the XPI packs them: thunderbird/, shared/ and _locales/
    from addin/, and a deployment.json of a deployment build."""
    path = route.request.url.split("popup.caveat.test/", 1)[1].split("?", 1)[0]
    if path == "thunderbird/deployment.json":
        body = json.dumps({"base_url": "https://caveat.example.com"})
        route.fulfill(status=200, content_type="application/json", body=body)
        return
    file = (ROOT / "addin" / path).resolve()
    if not file.is_relative_to(ROOT / "addin") or not file.is_file() or file.suffix not in _TYPES:
        route.fulfill(status=404, body="")
        return
    route.fulfill(status=200, content_type=_TYPES[file.suffix], body=file.read_bytes())


def messenger_standin(lang: str, answers: dict[str, Any]) -> str:
    """`messenger` for an extension page: storage.local holds the language chosen,
    Thunderbird speaks English, and the background answers `answers` by command."""
    return f"""
window.__stored = {{ language: {json.dumps(lang)} }};
window.messenger = {{
  runtime: {{
    id: "caveat-thunderbird@caveat.invalid",
    getURL: (path) => "{ORIGIN}/" + String(path || "").replace(/^\\//, ""),
    sendMessage: async (m) => {{
      const answers = {json.dumps(answers)};
      return Object.hasOwn(answers, m.command) ? answers[m.command] : {{ ok: false }};
    }},
    openOptionsPage: async () => undefined,
  }},
  i18n: {{ getUILanguage: () => "en-US" }},
  storage: {{ local: {{
    get: async (keys) => {{
      const out = {{}};
      for (const k of [].concat(keys ?? Object.keys(window.__stored))) {{
        if (Object.hasOwn(window.__stored, k)) out[k] = window.__stored[k];
      }}
      return out;
    }},
    set: async (values) => {{ Object.assign(window.__stored, values); }},
    remove: async (keys) => {{ for (const k of [].concat(keys)) delete window.__stored[k]; }},
  }} }},
  permissions: {{ request: async () => true }},
}};
"""


def text_of(page: Any, selector: str) -> str:
    return str(page.eval_on_selector(selector, "e => e.textContent")).strip()


@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_popup_in_every_language(
    browser: Any, service: Service, artifacts: Path, lang: str
) -> None:
    words = client_words(lang)
    english = client_words(SOURCE)
    verdict = fake_reply_answer(service, lang)
    check_service_words(verdict, fake_reply_answer(service, SOURCE), lang, "danger")
    details = {
        "state": "verdict",
        "messageId": 1,
        "verdict": verdict,
        "from": {"name": "Finance Person", "address": "finance-person@partnerb.example"},
        "subject": "RE: Invoice 2024-1187 - payment reminder",
    }
    for width in WIDTHS:
        page = browser.new_page(viewport={"width": width, "height": 600})
        errors: list[str] = []
        page.on("pageerror", lambda e, errors=errors: errors.append(str(e)))
        try:
            page.route(f"{ORIGIN}/**", _serve_addin)
            page.add_init_script(messenger_standin(lang, {"details": details}))
            page.goto(f"{ORIGIN}/thunderbird/popup.html")
            page.wait_for_function(
                "() => document.getElementById('caveat').dataset.level === 'danger'"
            )
            if width != POPUP_WIDTH:
                page.add_style_tag(content=f"body {{ width: {width}px; }}")
            state = f"{lang} popup at {width} px"
            check_page_language(page, lang)
            assert text_of(page, ".level h1") == verdict["banner"]["title"], state
            for selector, key in (
                (".advice h2", "advice_heading"),
                ("button.verify", "button_verify_sender"),
                ("button.report", "button_report"),
                (".findings h2", "findings_heading_danger"),
            ):
                assert text_of(page, selector) == words[key].strip(), f"{state}: {selector}"
            assert text_of(page, ".advice .why .label") == words["advice_why_label"].strip()
            # What to do and both actions in the popup's first view (Thunderbird's popups
            # are at most 600 pixels high).
            for selector in (".advice", "button.verify", "button.report"):
                bottom = page.eval_on_selector(selector, "e => e.getBoundingClientRect().bottom")
                assert bottom <= FIRST_VIEW, f"{state}: {selector} is below the first view"
            if lang != SOURCE:
                for key in ("advice_heading", "button_verify_sender", "findings_heading_danger"):
                    assert words[key] != english[key], f"{lang}: {key} is English"
                titles = page.eval_on_selector_all(
                    ".finding summary", "els => els.map(e => e.textContent)"
                )
                english_titles = [
                    f["title"] for f in fake_reply_answer(service, SOURCE)["findings"]
                ]
                assert titles and not any(t in english_titles for t in titles), titles
            page.screenshot(path=str(artifacts / shot_name(lang, "popup", width)), full_page=True)
            check_layout(page, width, state)
            if width == POPUP_WIDTH:
                MEASURED[lang] = int(page.evaluate("document.documentElement.scrollHeight"))
            page.evaluate("document.querySelectorAll('details').forEach(d => d.open = true)")
            check_layout(page, width, f"{state}, findings open")
            page.screenshot(
                path=str(artifacts / shot_name(lang, "popup-open", width)), full_page=True
            )
            assert errors == [], f"{state}: {errors}"
        finally:
            page.close()


#: The settings page's two faces: a deployment with an API key field, and a service that
#: signs people in (the key field hidden, who is signed in shown).
ACCOUNTS = {
    "options": {"signIn": False},
    "options-account": {"signIn": True, "signedIn": True, "label": "Anna Keller"},
}


def same_text(page: Any, selector: str, message: str, state: str) -> None:
    got = re.sub(r"\s+", " ", text_of(page, selector))
    assert got == re.sub(r"\s+", " ", message).strip(), f"{state}: {selector}"


@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_settings_page_in_every_language(browser: Any, artifacts: Path, lang: str) -> None:
    words = client_words(lang)
    english = client_words(SOURCE)
    for (name, account), width in [(a, w) for a in ACCOUNTS.items() for w in WIDTHS]:
        page = browser.new_page(viewport={"width": width, "height": 640})
        errors: list[str] = []
        page.on("pageerror", lambda e, errors=errors: errors.append(str(e)))
        try:
            page.route(f"{ORIGIN}/**", _serve_addin)
            page.add_init_script(messenger_standin(lang, {"account": account}))
            page.goto(f"{ORIGIN}/thunderbird/options.html")
            page.wait_for_function("() => !document.getElementById('save').disabled")
            state = f"{lang} {name} at {width} px"
            check_page_language(page, lang)
            for selector, key in (
                ("h1", "tb_options_title"),
                (".intro", "tb_options_intro"),
                ("label[for=language]", "tb_options_language"),
                ("#language option[value='']", "tb_options_language_default"),
                ("label[for=base-url]", "tb_options_service_url"),
                ("#save", "tb_options_save"),
            ):
                same_text(page, selector, words[key], state)
            deployed = words["tb_options_url_deployed"].replace("$1", "https://caveat.example.com")
            same_text(page, "#base-url-source", deployed, state)
            if account["signIn"]:
                same_text(page, "#account-heading", words["tb_options_account_heading"], state)
                signed = words["tb_options_signed_in_as"].replace("$1", "Anna Keller")
                same_text(page, "#account-status", signed, state)
                same_text(page, "#sign-out", words["tb_options_sign_out"], state)
                assert page.is_hidden("#key-fields") and page.is_hidden("#sign-in"), state
            else:
                same_text(page, "label[for=api-key]", words["tb_options_api_key"], state)
                same_text(page, "#api-key-source", words["tb_options_key_none"], state)
                assert page.is_hidden("#account"), state
            assert page.title() == words["tb_options_title"]
            assert page.eval_on_selector("#language", "e => e.value") == lang
            # The address and the key are typed left to right, whatever the page's direction.
            for field in ("#base-url", "#api-key"):
                direction = page.eval_on_selector(field, "e => getComputedStyle(e).direction")
                assert direction == "ltr", f"{state}: {field} is {direction}"
            if lang != SOURCE:
                for key in ("tb_options_title", "tb_options_intro", "tb_options_language_default"):
                    assert words[key] != english[key], f"{lang}: {key} is English"
            page.screenshot(path=str(artifacts / shot_name(lang, name, width)), full_page=True)
            check_layout(page, width, state)
            assert errors == [], f"{state}: {errors}"
        finally:
            page.close()


def test_the_tallest_popup_is_named(artifacts: Path) -> None:
    """The language whose popup is tallest at 380 px: the one to look at for layout."""
    if len(MEASURED) < 2:
        pytest.skip("run with the languages' popup tests")
    lang = max(MEASURED, key=lambda k: MEASURED[k])
    table = ", ".join(f"{k} {v} px" for k, v in sorted(MEASURED.items(), key=lambda kv: -kv[1]))
    summary = (
        f"popup height at {POPUP_WIDTH} px, findings folded: {table}\n"
        f"tallest: {lang}: {artifacts / f'{lang}-popup.png'}\n"
    )
    (artifacts / "languages-longest.txt").write_text(summary, "utf-8")
    print("\n" + summary)
