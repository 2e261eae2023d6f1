// @ts-check
/**
 * The add-ins' words: i18n.js itself, and the message files against the sources.
 *
 * Which ids the sources use. The scan reads addin/shared, addin/outlook and
 * addin/thunderbird (their *.js and *.html, tests and i18n.js itself left out),
 * Thunderbird's manifest.json and the service's Outlook manifest writer
 * (server/caveat/clients/outlook_manifest.py, a literal id map):
 *   - t("id"), tn("id", n) (ids `id_one`, `id_other`, … by plural category) and
 *     tParts("id", …): the id must be in English (for tn, its `_one` and `_other`);
 *   - data-i18n="id" and data-i18n-attr="attr:id,attr:id" in HTML: the id must be in English;
 *   - `__MSG_id__` (WebExtension manifests): the id must be in English;
 *   - any other string literal equal to an id counts as a use of it: that is how a message
 *     chosen at run time is written, as a literal map ({danger: "level_danger_title"}) or a
 *     literal choice (t(on ? "a_id" : "b_id")); a literal equal to the stem of counted ids
 *     (`"x"` where `x_other` exists) uses every `x_<category>`. Ids are never built from
 *     pieces ("failure_" + kind), or the scan would call them unused.
 * English must hold every id used and no id that nothing uses, each with a description.
 *
 * Every other language's file (addin/_locales/<lang>/messages.json) must hold the same ids as
 * English, except that counted messages have exactly the plural categories the language has
 * (Intl.PluralRules), each message non-empty, with the same $1 … $9 as the English message
 * (a counted message's form may leave out $1, the count, as English "one" forms do).
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync, readdirSync, statSync } from "node:fs";
import { JSDOM } from "jsdom";
import {
  LANGUAGES,
  direction,
  fill,
  has,
  language,
  languageOf,
  load,
  localisePage,
  messagesUrl,
  pick,
  t,
  tParts,
  tn,
  use,
} from "../i18n.js";

const ADDIN = new URL("../../", import.meta.url);
const LOCALES = new URL("_locales/", ADDIN);
/** @type {Record<string, {message: string, description?: string}>} */
const ENGLISH = JSON.parse(readFileSync(new URL("en/messages.json", LOCALES), "utf8"));
const CATEGORY = /_(zero|one|two|few|many|other)$/;

/** The files the scan reads. */
function sources() {
  /** @type {{name: string, text: string}[]} */
  const out = [];
  for (const folder of ["shared", "outlook", "thunderbird"]) {
    const dir = new URL(`${folder}/`, ADDIN);
    for (const name of readdirSync(dir)) {
      const url = new URL(name, dir);
      if (!statSync(url).isFile() || !/\.(js|html)$/.test(name)) continue;
      if (`${folder}/${name}` === "shared/i18n.js") continue; // it says how ids are used; it uses none
      out.push({ name: `${folder}/${name}`, text: readFileSync(url, "utf8") });
    }
  }
  out.push({ name: "thunderbird/manifest.json", text: readFileSync(new URL("thunderbird/manifest.json", ADDIN), "utf8") });
  // The service words the Outlook manifest from these files too (its literal id map).
  const writer = new URL("../server/caveat/clients/outlook_manifest.py", ADDIN);
  out.push({ name: "server/caveat/clients/outlook_manifest.py", text: readFileSync(writer, "utf8") });
  return out;
}

/** The stems of counted ids: "finding_signs" for finding_signs_one, finding_signs_other. */
function stems(ids) {
  return new Set([...ids].filter((id) => CATEGORY.test(id)).map((id) => id.replace(CATEGORY, "")));
}

/**
 * @param {{name: string, text: string}[]} files
 * @param {Set<string>} known ids of the English file
 */
function scan(files, known) {
  const counted = stems(known);
  /** @type {Map<string, string>} id wanted -> where */
  const wanted = new Map();
  /** @type {Set<string>} */
  const used = new Set();
  const want = (/** @type {string} */ id, /** @type {string} */ where) => {
    if (!wanted.has(id)) wanted.set(id, where);
    used.add(id);
  };
  for (const { name, text } of files) {
    for (const m of text.matchAll(/\b(t|tn|tParts)\(\s*["'`]([A-Za-z0-9_]+)["'`]/g)) {
      if (m[1] === "tn") {
        want(`${m[2]}_one`, name);
        want(`${m[2]}_other`, name);
        counted.add(m[2]);
      } else {
        want(m[2], name);
      }
    }
    for (const m of text.matchAll(/data-i18n="([^"]*)"/g)) want(m[1], name);
    for (const m of text.matchAll(/data-i18n-attr="([^"]*)"/g)) {
      for (const pair of m[1].split(",")) {
        const id = pair.split(":")[1]?.trim();
        if (id) want(id, name);
      }
    }
    for (const m of text.matchAll(/__MSG_([A-Za-z0-9_]+)__/g)) want(m[1], name);
    for (const m of text.matchAll(/["'`]([A-Za-z][A-Za-z0-9_]*)["'`]/g)) {
      const literal = m[1];
      if (known.has(literal)) used.add(literal);
      if (counted.has(literal)) for (const id of known) if (id.replace(CATEGORY, "") === literal && CATEGORY.test(id)) used.add(id);
    }
  }
  for (const stem of counted) for (const id of known) if (CATEGORY.test(id) && id.replace(CATEGORY, "") === stem) used.add(id);
  return { wanted, used };
}

/** @param {string} message */
function substitutions(message) {
  return [...new Set([...message.replace(/\$\$/g, "").matchAll(/\$([1-9])/g)].map((m) => m[1]))].sort();
}

test("every id the sources use is in English, and every English id is used", () => {
  const known = new Set(Object.keys(ENGLISH));
  const { wanted, used } = scan(sources(), known);
  const missing = [...wanted].filter(([id]) => !known.has(id)).map(([id, where]) => `${id} (${where})`);
  assert.deepEqual(missing, [], "used but missing from _locales/en/messages.json");
  const unused = [...known].filter((id) => !used.has(id));
  assert.deepEqual(unused, [], "in _locales/en/messages.json but used nowhere");
});

test("every English message has words and a description for the translator, and a well-formed id", () => {
  for (const [id, entry] of Object.entries(ENGLISH)) {
    assert.match(id, /^[A-Za-z0-9_]+$/, id);
    assert.ok(typeof entry.message === "string" && entry.message.trim(), `${id}: message`);
    assert.ok(typeof entry.description === "string" && entry.description.trim(), `${id}: description`);
  }
});

test("the scan sees literal maps, counted stems and HTML, and misses nothing it is shown", () => {
  const known = new Set(["a_title", "b_title", "c_one", "c_other", "d_x", "e_attr", "unused_id"]);
  const files = [
    { name: "x.js", text: 'const M = {a: "a_title"}; t(M.a); t("b_title"); tn("c", 2); t("gone_id");' },
    { name: "x.html", text: '<p data-i18n="d_x"></p><b data-i18n-attr="title:e_attr,aria-label:e_attr"></b>' },
  ];
  const { wanted, used } = scan(files, known);
  assert.deepEqual([...known].filter((id) => !used.has(id)), ["unused_id"]);
  assert.deepEqual([...wanted.keys()].filter((id) => !known.has(id)), ["gone_id"]);
});

/** The other languages' files present now (translations come later). */
function otherLanguages() {
  return readdirSync(LOCALES).filter((name) => name !== "en" && statSync(new URL(name, LOCALES)).isDirectory());
}

test("every other language has English's ids (plural forms by its own rules), words and substitutions", () => {
  const counted = stems(new Set(Object.keys(ENGLISH)));
  const plain = Object.keys(ENGLISH).filter((id) => !(CATEGORY.test(id) && counted.has(id.replace(CATEGORY, ""))));
  for (const lang of otherLanguages()) {
    const file = new URL(`${lang}/messages.json`, LOCALES);
    /** @type {Record<string, {message: string}>} */
    const messages = JSON.parse(readFileSync(file, "utf8"));
    const categories = new Intl.PluralRules(lang.replace("_", "-")).resolvedOptions().pluralCategories;
    const expected = new Set([...plain, ...[...counted].flatMap((stem) => categories.map((c) => `${stem}_${c}`))]);
    const ids = new Set(Object.keys(messages));
    assert.deepEqual([...expected].filter((id) => !ids.has(id)), [], `${lang}: missing`);
    assert.deepEqual([...ids].filter((id) => !expected.has(id)), [], `${lang}: not in English (or a plural form ${lang} does not have)`);
    for (const [id, entry] of Object.entries(messages)) {
      assert.ok(entry && typeof entry.message === "string" && entry.message.trim(), `${lang}: ${id} is empty`);
      const stem = id.replace(CATEGORY, "");
      if (CATEGORY.test(id) && counted.has(stem)) {
        const source = substitutions(ENGLISH[`${stem}_other`].message);
        const own = substitutions(entry.message);
        assert.deepEqual(own.filter((d) => d !== "1"), source.filter((d) => d !== "1"), `${lang}: ${id} substitutions`);
      } else {
        assert.deepEqual(substitutions(entry.message), substitutions(ENGLISH[id].message), `${lang}: ${id} substitutions`);
      }
    }
  }
});

// ------------------------------------------------------------------ i18n.js

/** @param {Record<string, string>} words */
function file(words) {
  return Object.fromEntries(Object.entries(words).map(([id, message]) => [id, { message }]));
}

test("languageOf and pick: the add-ins' languages from host tags, else English", () => {
  assert.equal(languageOf("de-DE"), "de");
  assert.equal(languageOf("pt_BR"), "pt");
  assert.equal(languageOf(" ZH-hans-CN "), "zh");
  assert.equal(languageOf("xx"), "");
  assert.equal(languageOf("de DE"), "");
  assert.equal(languageOf(42), "");
  assert.equal(pick(undefined, "fr-CA", "de"), "fr");
  assert.equal(pick("xx-YY", "", null, "ar-EG"), "ar");
  assert.equal(pick("tlh"), "en");
  assert.equal(pick(), "en");
  assert.equal(LANGUAGES.length, 14);
});

test("fill puts $1 … $9 in place, $$ is a dollar, a missing value is empty", () => {
  assert.equal(fill("$2 before $1", ["a", "b"]), "b before a");
  assert.equal(fill("costs $$5 for $1", [3]), "costs $5 for 3");
  assert.equal(fill("[$3]", ["a"]), "[]");
  assert.equal(fill("$1 and $1", ["x"]), "x and x");
});

test("t falls back to English, then to the id; has says which", () => {
  const english = file({ only_en: "English only", both: "Both $1" });
  use("de", file({ both: "Beide $1" }), english);
  try {
    assert.equal(language(), "de");
    assert.equal(t("both", "x"), "Beide x");
    assert.equal(t("only_en"), "English only");
    assert.equal(t("nowhere_id"), "nowhere_id");
    assert.ok(has("only_en") && !has("nowhere_id"));
  } finally {
    use("en", ENGLISH);
  }
});

test("tn picks the plural category of the language: Polish one/few/many, Arabic's six", () => {
  const pl = file({ n_one: "$1 plik", n_few: "$1 pliki", n_many: "$1 plików", n_other: "$1 pliku" });
  use("pl", pl, file({ n_one: "$1 file", n_other: "$1 files" }));
  try {
    assert.deepEqual([1, 2, 5, 22, 1.5].map((n) => tn("n", n)), ["1 plik", "2 pliki", "5 plików", "22 pliki", "1,5 pliku"]);
    use("ar", file({ n_zero: "z$1", n_one: "o$1", n_two: "t$1", n_few: "f$1", n_many: "m$1", n_other: "x$1" }));
    assert.equal(direction(), "rtl");
    assert.deepEqual(
      [0, 1, 2, 3, 11, 100].map((n) => tn("n", n)[0]),
      ["z", "o", "t", "f", "m", "x"],
    );
    // the count as Arabic writes numbers
    assert.equal(tn("n", 3), `f${(3).toLocaleString("ar")}`);
    // a category the language's file lacks falls back to its "other"
    use("pl", file({ n_other: "$1 pliku" }), file({ n_one: "$1 file", n_other: "$1 files" }));
    assert.equal(tn("n", 1), "1 pliku");
    assert.equal(tn("n", 3, "x"), "3 pliku");
  } finally {
    use("en", ENGLISH);
  }
  assert.equal(direction(), "ltr");
  assert.equal(tn("finding_signs", 1), "1 sign");
  assert.equal(tn("finding_signs", 1000), "1,000 signs");
});

test("tParts cuts a message at its substitutions, in the message's order", () => {
  const b = { b: 1 };
  const c = { c: 2 };
  use("de", file({ x: "Wählen Sie $2, dann $1 ($$)." }), ENGLISH);
  try {
    assert.deepEqual(tParts("x", b, c), ["Wählen Sie ", c, ", dann ", b, " ($)."]);
    assert.deepEqual(tParts("missing_id", b), ["missing_id"]);
  } finally {
    use("en", ENGLISH);
  }
  assert.deepEqual(tParts("verify_history_called", b), ["called ", b]);
});

test("load reads the language's file beside the module and English's; a missing file is English", async () => {
  /** @type {string[]} */
  const asked = [];
  const files = {
    [messagesUrl("en")]: file({ a_id: "A", b_id: "B" }),
    [messagesUrl("de")]: file({ a_id: "A-de" }),
  };
  const read = async (/** @type {string} */ url) => {
    asked.push(url);
    if (!files[url]) throw new Error(`${url}: 404`);
    return files[url];
  };
  try {
    assert.equal(await load("de-CH", read), "de");
    assert.equal(t("a_id"), "A-de");
    assert.equal(t("b_id"), "B");
    assert.ok(asked.every((url) => url.endsWith("/_locales/en/messages.json") || url.endsWith("/_locales/de/messages.json")));
    assert.equal(await load("fr", read), "en");
    assert.equal(language(), "en");
    assert.equal(t("a_id"), "A");
    assert.equal(await load("xx", read), "en");
    // Not even English: ids, never a failure
    assert.equal(await load("de", async () => Promise.reject(new Error("offline"))), "en");
    assert.equal(t("a_id"), "a_id");
  } finally {
    use("en", ENGLISH);
  }
});

test("localisePage fills data-i18n and data-i18n-attr and sets lang and dir", () => {
  const dom = new JSDOM('<!doctype html><html lang="en"><body><p data-i18n="x_id">old</p><button data-i18n-attr="title:y_id, aria-label:x_id"></button></body></html>');
  const doc = dom.window.document;
  use("ar", file({ x_id: "مرحبا", y_id: "<b>not markup</b>" }), ENGLISH);
  try {
    localisePage(doc);
    assert.equal(doc.documentElement.lang, "ar");
    assert.equal(doc.documentElement.dir, "rtl");
    assert.equal(doc.querySelector("p")?.textContent, "مرحبا");
    assert.equal(doc.querySelector("p")?.children.length, 0);
    assert.equal(doc.querySelector("button")?.getAttribute("title"), "<b>not markup</b>");
    assert.equal(doc.querySelector("button")?.getAttribute("aria-label"), "مرحبا");
  } finally {
    use("en", ENGLISH);
  }
});
