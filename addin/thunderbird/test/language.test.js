// @ts-check
// The extension in another language: the one chosen in the settings, else Thunderbird's;
// the background asks the service in it and words the badge's title and its own banners in
// it, the banner carries its language and direction into the message, the popup and the
// settings page speak it, and Arabic is right to left everywhere. The second language here
// is a small made-up file over the real English one.
import { afterEach, test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { JSDOM } from "jsdom";

import { LANGUAGES, direction, language, localisePage, use } from "../../shared/i18n.js";
import { createCaveat } from "../caveat.js";
import { LANGUAGE_KEY, LANGUAGE_NAMES, speakChosen } from "../language.js";
import { startOptions } from "../options.js";
import { startPopup } from "../popup.js";
import { ENGLISH, createStandin } from "./messenger-standin.js";
import { DANGER, KEY, SERVICE, createService } from "./service-standin.js";

const POPUP_HTML = readFileSync(new URL("../popup.html", import.meta.url), "utf8");
const OPTIONS_HTML = readFileSync(new URL("../options.html", import.meta.url), "utf8");
const DISPLAY = readFileSync(new URL("../display.js", import.meta.url), "utf8");
const EML = readFileSync(new URL("../../../tests/fixtures/seed/02-fake-reply-via-relay.eml", import.meta.url), "utf8");
const HEADER = { id: 11, subject: "RE: Invoice", author: "Finance Person <finance-person@partnerb.example>", headerMessageId: "m11@example" };

/** @param {Record<string, string>} words */
const messages = (words) => Object.fromEntries(Object.entries(words).map(([id, message]) => [id, { message, description: "test" }]));

const GERMAN = messages({
  could_not_check: "Caveat konnte diese Nachricht nicht pr\u00fcfen",
  tb_badge_danger: "Gefahr",
  tb_badge_unknown: "nicht gepr\u00fcft",
  tb_action_title_about: "Caveat: $1 \u2014 $2",
  tb_action_checking: "Caveat: pr\u00fcft diese Nachricht\u2026",
  tb_unanswered_text: "Das Caveat-Add-on hat nicht geantwortet. Seien Sie vorsichtig.",
  tb_popup_checking: "Diese Nachricht wird gepr\u00fcft\u2026",
  tb_options_title: "Caveat-Einstellungen",
  tb_options_language: "Sprache",
  tb_options_language_default: "Sprache von Thunderbird",
});
const ARABIC = messages({
  could_not_check: "\u062a\u0639\u0630\u0651\u0631 \u0639\u0644\u0649 Caveat \u0641\u062d\u0635 \u0647\u0630\u0647 \u0627\u0644\u0631\u0633\u0627\u0644\u0629",
  tb_unanswered_text: "\u0644\u0645 \u062a\u064f\u062c\u0628 \u0625\u0636\u0627\u0641\u0629 Caveat.",
  tb_options_title: "\u0625\u0639\u062f\u0627\u062f\u0627\u062a Caveat",
  tb_options_language: "\u0627\u0644\u0644\u063a\u0629",
});

/**
 * Reads the message files as the extension does, with the made-up ones for de and ar.
 * @param {string} url
 */
async function read(url) {
  if (url.endsWith("/_locales/en/messages.json")) return ENGLISH;
  if (url.endsWith("/_locales/de/messages.json")) return GERMAN;
  if (url.endsWith("/_locales/ar/messages.json")) return ARABIC;
  throw new Error(`${url}: 404`);
}

afterEach(() => use("en", ENGLISH));

/** @param {() => boolean} predicate */
async function until(predicate, what = "condition") {
  for (let i = 0; i < 300; i++) {
    if (predicate()) return;
    await new Promise((r) => setTimeout(r, 5));
  }
  assert.fail(`timed out waiting for ${what}`);
}

/**
 * The background with one message, the language stored and Thunderbird's given.
 * @param {{stored?: string, ui?: string, down?: boolean}} [options]
 */
async function background(options = {}) {
  const tb = createStandin();
  if (options.stored) tb.storageData[LANGUAGE_KEY] = options.stored;
  if (options.ui) tb.control.uiLanguage = options.ui;
  tb.addMessage(HEADER, { raw: EML, parts: [{ contentType: "text/plain", content: "Hello" }] });
  const service = createService({ analyze: () => DANGER, down: options.down });
  const caveat = createCaveat({
    messenger: tb.messenger,
    fetchImpl: service.fetch,
    loadDeployment: async () => ({ base_url: SERVICE, api_key: KEY }),
    readMessages: read,
    timeoutMs: 100,
  });
  await caveat.start();
  const languages = () => service.to("/api/v1/analyze").map((r) => r.body.language);
  return { tb, service, caveat, languages };
}

/**
 * Run the display script in a message with the model the background gives.
 * @param {(message: any) => Promise<any>} answer
 * @param {{uiLanguage?: string, messages?: Record<string, {message: string}>}} [ui]
 */
async function displayed(answer, ui = {}) {
  const dom = new JSDOM("<!doctype html><html><body><p>Hello</p></body></html>", { runScripts: "outside-only" });
  const window = /** @type {any} */ (dom.window);
  /** @type {ShadowRoot[]} */
  const roots = [];
  const attach = window.Element.prototype.attachShadow;
  window.Element.prototype.attachShadow = function (/** @type {ShadowRootInit} */ init) {
    const root = attach.call(this, init);
    roots.push(root);
    return root;
  };
  /** @type {any[]} */
  const sent = [];
  window.browser = {
    runtime: {
      sendMessage: (/** @type {any} */ message) => {
        sent.push(message);
        return answer(message);
      },
    },
    i18n: {
      getUILanguage: () => ui.uiLanguage ?? "en-US",
      getMessage: (/** @type {string} */ id) => (ui.messages ?? ENGLISH)[id]?.message ?? "",
    },
  };
  window.eval(DISPLAY);
  await until(() => sent.some((m) => m.command === "shown"), "the banner's report");
  const bar = /** @type {HTMLElement} */ (roots[0].querySelector(".bar"));
  return { bar, style: roots[0].querySelector("style")?.textContent ?? "", report: sent.find((m) => m.command === "shown") };
}

test("the language chosen in the settings: analyze asks in it, the badge's title and the banner speak it", async () => {
  const { tb, languages } = await background({ stored: "de", ui: "en-US" });
  await tb.display(7, [HEADER.id]);
  assert.equal(language(), "de");
  assert.deepEqual(languages(), ["de"]);
  assert.equal(tb.badge(7).title, `Caveat: Gefahr \u2014 ${DANGER.banner.title}`);
  const banner = await tb.send({ command: "banner" }, tb.displaySender(7));
  assert.equal(banner.lang, "de");
  assert.equal(banner.dir, "ltr");
  // A message missing in the made-up file falls back to English.
  assert.equal(tb.badge(7).text, "!");
});

for (const [ui, expected] of [
  ["de-AT", "de"],
  ["ar-EG", "ar"],
  ["pt-BR", "en"], // a language whose file cannot be read (none here) is spoken in English
  ["ko-KR", "en"],
  ["", "en"],
]) {
  test(`no choice in the settings: Thunderbird's ${JSON.stringify(ui)} gives ${expected}`, async () => {
    const { tb, languages } = await background({ ui });
    await tb.display(7, [HEADER.id]);
    assert.deepEqual(languages(), [expected]);
  });
}

test("a stored language Caveat does not speak counts as no choice", async () => {
  const tb = createStandin();
  tb.storageData[LANGUAGE_KEY] = "ko";
  tb.control.uiLanguage = "de-DE";
  assert.equal(await speakChosen(tb.messenger, read), "de");
});

test("Arabic: the could-not-check banner is right to left, in Arabic, inside the message", async () => {
  const { tb } = await background({ stored: "ar", down: true });
  await tb.display(7, [HEADER.id]);
  const model = await tb.send({ command: "banner" }, tb.displaySender(7));
  assert.equal(model.level, "unknown");
  assert.equal(model.lang, "ar");
  assert.equal(model.dir, "rtl");
  assert.equal(model.title, ARABIC.could_not_check.message);
  const { bar, style, report } = await displayed(async (m) => (m.command === "banner" ? model : { ok: true }));
  assert.equal(bar.getAttribute("dir"), "rtl");
  assert.equal(bar.getAttribute("lang"), "ar");
  assert.match(style, /border-inline-start: 6px solid/);
  assert.doesNotMatch(style, /border-left|direction: ltr/);
  assert.ok(report.text.startsWith(ARABIC.could_not_check.message));
});

test("a banner's language and direction are taken only when well formed", async () => {
  const model = { show: true, level: "danger", title: "Possible fraud", text: "Do not pay.", lang: '"><x', dir: "sideways" };
  const { bar } = await displayed(async (m) => (m.command === "banner" ? model : { ok: true }));
  assert.equal(bar.getAttribute("dir"), "ltr");
  assert.equal(bar.getAttribute("lang"), null);
});

test("no answer from the background: the display script words the banner in Thunderbird's language, right to left for Arabic", async () => {
  const failing = async (/** @type {any} */ m) => {
    if (m.command === "banner") throw new Error("Receiving end does not exist.");
    return { ok: true };
  };
  const arabic = await displayed(failing, { uiLanguage: "ar", messages: { ...ENGLISH, ...ARABIC } });
  assert.equal(arabic.bar.getAttribute("dir"), "rtl");
  assert.equal(arabic.bar.getAttribute("lang"), "ar");
  assert.equal(arabic.report.text, `${ARABIC.could_not_check.message} ${ARABIC.tb_unanswered_text.message}`);
  const english = await displayed(failing);
  assert.equal(english.bar.getAttribute("dir"), "ltr");
  assert.equal(english.report.text, `${ENGLISH.could_not_check.message} ${ENGLISH.tb_unanswered_text.message}`);
});

for (const [lang, words, dir] of /** @type {const} */ ([
  ["de", GERMAN, "ltr"],
  ["ar", ARABIC, "rtl"],
])) {
  test(`the popup in ${lang}: its page and its failure words, ${dir}`, async () => {
    use(lang, words, ENGLISH);
    const dom = new JSDOM(POPUP_HTML, { runScripts: "outside-only" });
    const document = dom.window.document;
    localisePage(document);
    assert.equal(document.documentElement.lang, lang);
    assert.equal(document.documentElement.dir, dir);
    const root = /** @type {Element} */ (document.getElementById("caveat"));
    if (lang === "de") assert.equal(root.textContent?.trim(), GERMAN.tb_popup_checking.message);
    await startPopup({
      root,
      send: async () => {
        throw new Error("Receiving end does not exist.");
      },
    });
    const text = root.textContent ?? "";
    assert.ok(text.includes(words.could_not_check.message), text);
    assert.ok(text.includes(words.tb_unanswered_text.message), text);
  });
}

test("the settings list Thunderbird's language first, then each language by its own name", async () => {
  const tb = createStandin();
  const dom = new JSDOM(OPTIONS_HTML, { runScripts: "outside-only" });
  const document = dom.window.document;
  await startOptions({ document, messenger: tb.messenger, loadDeployment: async () => ({}), readMessages: read });
  const select = /** @type {HTMLSelectElement} */ (document.getElementById("language"));
  assert.equal(document.querySelector('label[for="language"]')?.textContent, ENGLISH.tb_options_language.message);
  assert.deepEqual(
    [...select.options].map((o) => [o.value, o.textContent, o.lang]),
    [["", ENGLISH.tb_options_language_default.message, ""], ...LANGUAGES.map((l) => [l, LANGUAGE_NAMES[/** @type {keyof typeof LANGUAGE_NAMES} */ (l)], l])],
  );
  assert.equal(select.value, "");
  assert.deepEqual(Object.keys(LANGUAGE_NAMES), [...LANGUAGES]);
  assert.equal(LANGUAGE_NAMES.cs, "\u010ce\u0161tina");
  assert.equal(LANGUAGE_NAMES.ja, "\u65e5\u672c\u8a9e");
});

test("the settings page opens in the language stored, right to left for Arabic", async () => {
  const tb = createStandin();
  tb.storageData[LANGUAGE_KEY] = "ar";
  const dom = new JSDOM(OPTIONS_HTML, { runScripts: "outside-only" });
  const document = dom.window.document;
  await startOptions({ document, messenger: tb.messenger, loadDeployment: async () => ({}), readMessages: read });
  assert.equal(document.documentElement.lang, "ar");
  assert.equal(document.documentElement.dir, "rtl");
  assert.equal(document.querySelector("h1")?.textContent, ARABIC.tb_options_title.message);
  assert.equal(document.title, ARABIC.tb_options_title.message);
  assert.equal(/** @type {HTMLSelectElement} */ (document.getElementById("language")).value, "ar");
  // Words the made-up file lacks are English.
  assert.equal(document.getElementById("base-url-source")?.textContent, ENGLISH.tb_options_url_none.message);
});

test("choosing a language: stored at once, the page speaks it, the background asks the service again in it", async () => {
  const { tb, languages } = await background({ ui: "en-US" });
  await tb.display(7, [HEADER.id]);
  assert.deepEqual(languages(), ["en"]);
  const dom = new JSDOM(OPTIONS_HTML, { runScripts: "outside-only" });
  const document = dom.window.document;
  await startOptions({
    document,
    messenger: tb.messenger,
    loadDeployment: async () => ({ base_url: SERVICE, api_key: KEY }),
    send: (m) => tb.send(m, tb.popupSender()),
    readMessages: read,
  });
  const select = /** @type {HTMLSelectElement} */ (document.getElementById("language"));
  const choose = async (/** @type {string} */ value) => {
    select.value = value;
    select.dispatchEvent(new dom.window.Event("change"));
    await until(() => (value ? tb.storageData[LANGUAGE_KEY] === value : !(LANGUAGE_KEY in tb.storageData)), "the choice stored");
    await until(() => document.documentElement.lang === (value || "en"), "the page in the new language");
  };

  await choose("ar");
  assert.equal(document.documentElement.dir, "rtl");
  assert.equal(document.querySelector("h1")?.textContent, ARABIC.tb_options_title.message);
  assert.equal(direction(), "rtl");
  // The background heard the change: the message is asked for again, in Arabic.
  await tb.display(7, [HEADER.id]);
  await until(() => languages().length === 2, "a second analyze");
  assert.deepEqual(languages(), ["en", "ar"]);

  await choose("de");
  assert.equal(document.documentElement.dir, "ltr");
  assert.equal(document.querySelector("h1")?.textContent, GERMAN.tb_options_title.message);

  await choose("");
  assert.equal(document.querySelector("h1")?.textContent, ENGLISH.tb_options_title.message);
  assert.equal(document.documentElement.dir, "ltr");
  await tb.display(7, [HEADER.id]);
  await until(() => languages().length === 3, "a third analyze");
  assert.equal(languages()[2], "en");
});
