// @ts-check
// The display script in a message document (jsdom): the banner sits at the very top, in a
// closed shadow root, with hostile text left as text, and what it shows is reported back.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { JSDOM } from "jsdom";

import { COULD_NOT_CHECK } from "../../shared/banner.js";
import { createCaveat } from "../caveat.js";
import { ENGLISH, createStandin } from "./messenger-standin.js";
import { DANGER, KEY, SERVICE, createService } from "./service-standin.js";

const DISPLAY = readFileSync(new URL("../display.js", import.meta.url), "utf8");
const MESSAGE = '<!doctype html><html><head></head><body><div class="moz-text-plain"><pre>Hello,\nour bank details have changed.</pre></div></body></html>';

const HOSTILE = [
  "<script>window.__pwned = 1</script>",
  '<img src=x onerror="window.__pwned=1">',
  '"><svg onload=window.__pwned=1>',
  '<a href="javascript:window.__pwned=1">click</a>',
  "Invoice \u202Efdp.exe",
  "&lt;b&gt;entity&lt;/b&gt; &amp;",
  "N".repeat(10 * 1024),
];

/**
 * A message document with the display script run in it.
 * @param {(message: any) => Promise<any>} answer how the background answers each message
 * @param {string} [html]
 * @param {{uiLanguage?: string, messages?: Record<string, {message: string}>}} [ui] Thunderbird's language and message file
 */
function display(answer, html = MESSAGE, ui = {}) {
  const dom = new JSDOM(html, { runScripts: "outside-only" });
  const window = /** @type {any} */ (dom.window);
  /** @type {any[]} */
  const sent = [];
  /** @type {{host: Element, root: ShadowRoot, mode: string}[]} */
  const shadows = [];
  const attach = window.Element.prototype.attachShadow;
  // The root is closed: the test keeps a reference to read it, as the script does.
  window.Element.prototype.attachShadow = function (/** @type {ShadowRootInit} */ init) {
    const root = attach.call(this, init);
    shadows.push({ host: this, root, mode: init.mode });
    return root;
  };
  window.browser = {
    runtime: {
      sendMessage: (/** @type {any} */ message) => {
        sent.push(structuredClone(message));
        return answer(message);
      },
    },
    i18n: {
      getUILanguage: () => ui.uiLanguage ?? "en-US",
      getMessage: (/** @type {string} */ id) => (ui.messages ?? ENGLISH)[id]?.message ?? "",
    },
  };
  const run = () => window.eval(DISPLAY);
  run();
  return { window, document: /** @type {Document} */ (window.document), sent, shadows, run };
}

/** @param {any[]} sent */
async function shown(sent, count = 1) {
  for (let i = 0; i < 200; i++) {
    const reports = sent.filter((m) => m.command === "shown");
    if (reports.length >= count) return reports[count - 1];
    await new Promise((r) => setTimeout(r, 5));
  }
  assert.fail("the display script never reported what it showed");
}

/** @param {any} model */
const answering = (model) => async (/** @type {any} */ message) => (message.command === "banner" ? structuredClone(model) : { ok: true });

const DANGER_MODEL = {
  show: true,
  key: "caveat-verdict",
  tone: "error",
  level: "danger",
  title: "Possible fraud",
  text: "Replies to this message go to a free-mail address. Do not pay before you confirm by phone.",
};

test("a danger banner goes at the very top, in a closed shadow root, as an alert", async () => {
  const { document, sent, shadows, window } = display(answering(DANGER_MODEL));
  const report = await shown(sent);
  assert.deepEqual(sent[0], { command: "banner" });
  const host = /** @type {HTMLElement} */ (document.body.firstElementChild);
  assert.equal(host.localName, "caveat-banner");
  assert.equal(shadows.length, 1);
  assert.equal(shadows[0].host, host);
  assert.equal(shadows[0].mode, "closed");
  assert.equal(host.shadowRoot, null, "the message's scripts and styles cannot reach in");
  const bar = /** @type {HTMLElement} */ (shadows[0].root.querySelector(".bar"));
  assert.equal(bar.getAttribute("role"), "alert");
  assert.equal(bar.textContent, `${DANGER_MODEL.title} ${DANGER_MODEL.text}`);
  assert.match(shadows[0].root.querySelector("style")?.textContent ?? "", /#b3261e/);
  assert.equal(document.body.children[1].className, "moz-text-plain", "the message follows the banner");
  assert.deepEqual(report, { command: "shown", level: "danger", shown: true, text: bar.textContent });
  assert.equal(window.__pwned, undefined);
});

test("the host resists the message's CSS: inline !important display, visibility, opacity, position", async () => {
  const hostile =
    "<!doctype html><html><head><style>caveat-banner, body > * { display: none !important; visibility: hidden !important; opacity: 0 !important; position: absolute !important; }</style></head><body><p>x</p></body></html>";
  const { document, sent, window } = display(answering(DANGER_MODEL), hostile);
  const report = await shown(sent);
  const host = /** @type {HTMLElement} */ (document.querySelector("caveat-banner"));
  for (const [name, value] of [["display", "block"], ["visibility", "visible"], ["opacity", "1"], ["position", "static"]]) {
    assert.equal(host.style.getPropertyValue(name), value, name);
    assert.equal(host.style.getPropertyPriority(name), "important", name);
  }
  const computed = window.getComputedStyle(host);
  assert.equal(computed.display, "block");
  assert.equal(computed.visibility, "visible");
  assert.equal(report.shown, true);
});

for (const [level, role, colour] of [
  ["caution", "status", "#a15c00"],
  ["info", "status", "#0b57d0"],
]) {
  test(`a ${level} banner is a status in its colour`, async () => {
    const { sent, shadows } = display(answering({ ...DANGER_MODEL, tone: "informational", level }));
    const report = await shown(sent);
    const bar = /** @type {HTMLElement} */ (shadows[0].root.querySelector(".bar"));
    assert.equal(bar.getAttribute("role"), role);
    assert.match(shadows[0].root.querySelector("style")?.textContent ?? "", new RegExp(colour));
    assert.equal(report.level, level);
  });
}

test("could not check: an amber status whose text says so, once", async () => {
  const failure = {
    show: true,
    key: "caveat-verdict",
    tone: "informational",
    level: "unknown",
    title: COULD_NOT_CHECK,
    text: `${COULD_NOT_CHECK}: the Caveat service could not be reached. Treat it with care.`,
  };
  const { sent, shadows } = display(answering(failure));
  const report = await shown(sent);
  const bar = /** @type {HTMLElement} */ (shadows[0].root.querySelector(".bar"));
  assert.equal(bar.getAttribute("role"), "status");
  assert.match(shadows[0].root.querySelector("style")?.textContent ?? "", /#a15c00/);
  assert.equal(report.level, "unknown");
  assert.equal(report.shown, true);
  assert.equal(report.text, `${COULD_NOT_CHECK} The Caveat service could not be reached. Treat it with care.`);
});

test("nothing to say: no banner, and the report says nothing was shown", async () => {
  const { document, sent, shadows } = display(answering({ show: false }));
  const report = await shown(sent);
  assert.equal(document.querySelector("caveat-banner"), null);
  assert.equal(shadows.length, 0);
  assert.deepEqual(report, { command: "shown", level: "none", shown: false, text: "" });
});

test("no answer from the background is not silence: the reader is told the message was not checked", async () => {
  const { sent, shadows } = display(async (message) => {
    if (message.command === "banner") throw new Error("Could not establish connection. Receiving end does not exist.");
    return { ok: true };
  });
  const report = await shown(sent);
  assert.equal(report.level, "unknown");
  assert.equal(report.shown, true);
  assert.ok(report.text.startsWith(COULD_NOT_CHECK));
  assert.equal(shadows.length, 1);
});

test("a banner already in the page (an earlier run, or an imitation in the message) is replaced", async () => {
  const imitation = '<!doctype html><html><body><caveat-banner>Caveat: this message is safe</caveat-banner><p>x</p></body></html>';
  const { document, sent, run } = display(answering(DANGER_MODEL), imitation);
  await shown(sent);
  run();
  await shown(sent, 2);
  const banners = document.querySelectorAll("caveat-banner");
  assert.equal(banners.length, 1);
  assert.equal(banners[0].textContent, "", "the imitation's text is gone; the real one is in the shadow root");
  assert.equal(document.body.firstElementChild, banners[0]);
});

for (const hostile of HOSTILE) {
  test(`hostile text stays text: ${JSON.stringify(hostile.slice(0, 40))}`, async () => {
    const { document, sent, shadows, window } = display(answering({ ...DANGER_MODEL, title: hostile, text: `Reply goes to ${hostile}` }));
    const report = await shown(sent);
    const root = shadows[0].root;
    const allowed = new Set(["STYLE", "DIV", "BDI"]);
    for (const node of root.querySelectorAll("*")) {
      assert.ok(allowed.has(node.tagName), `unexpected <${node.tagName}>`);
      for (const attr of node.getAttributeNames()) assert.ok(["class", "role", "dir", "lang"].includes(attr), `unexpected attribute ${attr}`);
    }
    assert.equal(document.querySelectorAll("script, img, svg, a").length, 0);
    const [title, text] = [...root.querySelectorAll("bdi")].map((b) => b.textContent ?? "");
    assert.ok(title.length <= 300 && text.length <= 300);
    if (hostile.length < 300) {
      assert.equal(title, hostile);
      assert.equal(text, `Reply goes to ${hostile}`);
    } else {
      assert.ok(title.endsWith("\u2026"));
    }
    // A right-to-left override stays inside its own <bdi>.
    for (const bdi of root.querySelectorAll("bdi")) assert.equal(bdi.children.length, 0);
    assert.equal(report.text, root.querySelector(".bar")?.textContent);
    await new Promise((r) => setTimeout(r, 20));
    assert.equal(window.__pwned, undefined);
  });
}

test("with the real background: the fake reply's banner is shown and reported to the test endpoint", async () => {
  const tb = createStandin();
  const eml = readFileSync(new URL("../../../tests/fixtures/seed/02-fake-reply-via-relay.eml", import.meta.url), "utf8");
  tb.addMessage({ id: 11, subject: "RE: Invoice", author: "Finance Person <finance-person@partnerb.example>", headerMessageId: "m11@example" }, { raw: eml });
  const service = createService({ analyze: () => DANGER });
  const reportUrl = "http://127.0.0.1:5599/test/display-events";
  const caveat = createCaveat({
    messenger: tb.messenger,
    fetchImpl: service.fetch,
    loadDeployment: async () => ({ base_url: SERVICE, api_key: KEY, display_report_url: reportUrl }),
  });
  await caveat.start();
  const event = tb.display(7, [11]);
  const page = display((message) => tb.send(message, tb.displaySender(7)));
  await event;
  await shown(page.sent);
  for (let i = 0; i < 100 && !service.requests.some((r) => r.url === reportUrl); i++) await new Promise((r) => setTimeout(r, 5));
  const report = service.requests.find((r) => r.url === reportUrl);
  assert.deepEqual(report?.body, {
    internet_message_id: "m11@example",
    level: "danger",
    shown: true,
    text: `${DANGER.banner.title} ${DANGER.banner.text}`,
    lang: "en",
    dir: "ltr",
  });
  assert.equal(service.to("/api/v1/analyze").length, 1);
});

test("the service's isolates and direction mark in the banner text are kept, each text in its own isolate", async () => {
  // "{organisation} asks you to pay ..." with a Hebrew organisation: the service isolates the
  // name (FSI ... PDI) and puts a left-to-right mark first; the banner must not lose them.
  const text = "\u200E\u2068\u05DB\u05D4\u05DF \u05D1\u05E2\u05F4\u05DE\u2069 asks you to pay IL62 **** 0001. Do not pay before you confirm it by phone.";
  const { sent, shadows } = display(answering({ ...DANGER_MODEL, text }));
  await shown(sent);
  const root = shadows[0].root;
  assert.equal(root.querySelector(".text")?.textContent, text);
  assert.deepEqual([...root.querySelectorAll("bdi")].map((b) => b.className), ["title", "text"]);
  assert.match(root.querySelector("style")?.textContent ?? "", /bdi \{ unicode-bidi: isolate; \}/);
});

test("the report names the language and direction the banner was drawn in (Arabic: right to left)", async () => {
  const { sent, shadows } = display(answering({ ...DANGER_MODEL, lang: "ar", dir: "rtl" }));
  const report = await shown(sent);
  const bar = /** @type {HTMLElement} */ (shadows[0].root.querySelector(".bar"));
  assert.equal(bar.getAttribute("lang"), "ar");
  assert.equal(bar.getAttribute("dir"), "rtl");
  assert.deepEqual(report, { command: "shown", level: "danger", shown: true, text: bar.textContent, lang: "ar", dir: "rtl" });
});
