// @ts-check
/**
 * The add-ins' words in the reader's language. The texts are WebExtension message files,
 * `addin/_locales/<lang>/messages.json` ({"id": {"message": "…", "description": "…"}}):
 * Thunderbird reads them as its own `_locales` (the manifest's name and description), and
 * both add-ins read them through this module, so that one file serves Outlook and
 * Thunderbird alike.
 *
 * Substitutions are `$1` … `$9` in a message, filled in order; `$$` is a dollar sign. A
 * message that depends on a count has one id per CLDR plural category (`id_one`,
 * `id_other`, and `id_few`, `id_many`… where the language has them), chosen by
 * Intl.PluralRules. A message missing in a language falls back to English, and an id
 * missing in English shows as itself (the tests fail on both).
 *
 * The language is the host's display language (Office.context.displayLanguage, or
 * Thunderbird's UI language), or the one chosen in Thunderbird's options; any language
 * the add-ins do not speak falls back to English.
 */

/** The languages the add-ins speak; English, the first, is the source. */
export const LANGUAGES = Object.freeze([
  "en", "de", "fr", "es", "it", "nl", "pt", "pl", "cs", "sv", "tr", "ja", "zh", "ar",
]);
export const SOURCE = "en";
/** Languages written right to left. */
const RTL = new Set(["ar"]);

/** @typedef {Record<string, {message: string, description?: string}>} Messages */

/** @type {{language: string, messages: Messages, fallback: Messages, plural: Intl.PluralRules}} */
let state = {
  language: SOURCE,
  messages: {},
  fallback: {},
  plural: new Intl.PluralRules(SOURCE),
};

/**
 * The supported language a tag names ("de-AT" → "de", "pt_BR" → "pt"), or "".
 * @param {unknown} tag
 */
export function languageOf(tag) {
  if (typeof tag !== "string") return "";
  const m = /^\s*([A-Za-z]{2,3})(?:[-_][A-Za-z0-9]{1,8})*\s*$/.exec(tag);
  if (!m) return "";
  const primary = m[1].toLowerCase();
  return LANGUAGES.includes(primary) ? primary : "";
}

/**
 * The first of the tags the add-ins speak, else English.
 * @param {...unknown} tags
 */
export function pick(...tags) {
  for (const tag of tags) {
    const lang = languageOf(tag);
    if (lang) return lang;
  }
  return SOURCE;
}

/**
 * Speak `language` with these messages (English's as the fallback).
 * @param {string} language
 * @param {Messages} messages
 * @param {Messages} [fallback]
 */
export function use(language, messages, fallback = messages) {
  const lang = languageOf(language) || SOURCE;
  state = { language: lang, messages, fallback, plural: new Intl.PluralRules(lang) };
}

/** The language spoken now. */
export function language() {
  return state.language;
}

/** "rtl" or "ltr", for the page's dir attribute. */
export function direction() {
  return RTL.has(state.language) ? "rtl" : "ltr";
}

/**
 * The URL of a language's message file, beside this module's folder.
 * @param {string} lang
 */
export function messagesUrl(lang) {
  return new URL(`../_locales/${lang}/messages.json`, import.meta.url).href;
}

/**
 * Load a language's messages (and English's) and speak it. A language whose file cannot
 * be read is spoken in English: words must never stop a verdict from showing.
 * @param {string} wanted  a language tag
 * @param {(url: string) => Promise<Messages>} [read]
 */
export async function load(wanted, read = readJson) {
  const lang = languageOf(wanted) || SOURCE;
  const english = await read(messagesUrl(SOURCE)).catch(() => /** @type {Messages} */ ({}));
  let messages = english;
  if (lang !== SOURCE) {
    try {
      messages = await read(messagesUrl(lang));
    } catch {
      use(SOURCE, english);
      return SOURCE;
    }
  }
  use(lang, messages, english);
  return lang;
}

/** @param {string} url */
async function readJson(url) {
  const response = await fetch(url);
  if (!response.ok) throw new Error(`${url}: ${response.status}`);
  return /** @type {Promise<Messages>} */ (response.json());
}

/**
 * The message `id`, with `$1` … `$9` filled from `subs`.
 * @param {string} id
 * @param {...(string | number)} subs
 */
export function t(id, ...subs) {
  const entry = state.messages[id] ?? state.fallback[id];
  if (!entry) return id;
  return fill(entry.message, subs);
}

/**
 * The message for `count` things: `id_<category>` by the language's plural rules, with
 * `$1` the count as the language writes numbers and `$2` … from `subs`.
 * @param {string} id
 * @param {number} count
 * @param {...(string | number)} subs
 */
export function tn(id, count, ...subs) {
  const category = state.plural.select(count);
  const key = state.messages[`${id}_${category}`] ? `${id}_${category}` : `${id}_other`;
  return t(key, count.toLocaleString(state.language), ...subs);
}

/**
 * @param {string} message
 * @param {ReadonlyArray<string | number>} subs
 */
export function fill(message, subs) {
  return message.replace(/\$(\$|[1-9])/g, (_, d) => (d === "$" ? "$" : String(subs[Number(d) - 1] ?? "")));
}

/**
 * The message `id` cut at its substitutions, for text that holds elements (a name in a
 * `<bdi>`, a command in a `<code>`): plain strings and, in the message's order, the subs
 * named by `$1` … `$9`, which the caller appends as they are (an element stays an element).
 * @template S
 * @param {string} id
 * @param {...S} subs
 * @returns {(string | S)[]}
 */
export function tParts(id, ...subs) {
  const entry = state.messages[id] ?? state.fallback[id];
  if (!entry) return [id];
  /** @type {(string | S)[]} */
  const out = [];
  let text = "";
  const re = /\$(\$|[1-9])/g;
  let at = 0;
  for (let m = re.exec(entry.message); m; m = re.exec(entry.message)) {
    text += entry.message.slice(at, m.index);
    at = m.index + m[0].length;
    if (m[1] === "$") {
      text += "$";
      continue;
    }
    if (text) out.push(text);
    text = "";
    const sub = subs[Number(m[1]) - 1];
    if (sub !== undefined) out.push(sub);
  }
  text += entry.message.slice(at);
  if (text) out.push(text);
  return out;
}

/**
 * Whether the language spoken (or English) has a message `id`.
 * @param {string} id
 */
export function has(id) {
  return Boolean(state.messages[id] ?? state.fallback[id]);
}

/**
 * Put the page's words in place: every element with `data-i18n="id"` gets that message as
 * its text, `data-i18n-attr="attr:id,attr:id"` sets attributes; the root gets lang and dir.
 * @param {Document} doc
 */
export function localisePage(doc) {
  doc.documentElement.lang = state.language;
  doc.documentElement.dir = direction();
  for (const el of Array.from(doc.querySelectorAll("[data-i18n]"))) {
    el.textContent = t(/** @type {string} */ (el.getAttribute("data-i18n")));
  }
  for (const el of Array.from(doc.querySelectorAll("[data-i18n-attr]"))) {
    for (const pair of /** @type {string} */ (el.getAttribute("data-i18n-attr")).split(",")) {
      const [attr, id] = pair.split(":").map((s) => s.trim());
      if (attr && id) el.setAttribute(attr, t(id));
    }
  }
}
