// @ts-check
/**
 * Which language the extension speaks: the one chosen in its settings ("language" in
 * storage.local, one of i18n.LANGUAGES), else Thunderbird's own (i18n.getUILanguage()), and
 * English for any language it does not speak. The background, the popup and the settings
 * page each load it for themselves; the display script gets its banner's words, with the
 * language and direction, from the background.
 */
import { LANGUAGES, languageOf, load, pick } from "../shared/i18n.js";

/** Where the choice is kept; absent means Thunderbird's language. */
export const LANGUAGE_KEY = "language";

/** Each language by its own name, as the settings page lists them (never translated). */
export const LANGUAGE_NAMES = Object.freeze({
  en: "English",
  de: "Deutsch",
  fr: "Fran\u00e7ais",
  es: "Espa\u00f1ol",
  it: "Italiano",
  nl: "Nederlands",
  pt: "Portugu\u00eas",
  pl: "Polski",
  cs: "\u010ce\u0161tina",
  sv: "Svenska",
  tr: "T\u00fcrk\u00e7e",
  ja: "\u65e5\u672c\u8a9e",
  zh: "\u4e2d\u6587",
  ar: "\u0627\u0644\u0639\u0631\u0628\u064a\u0629",
});

/**
 * The language chosen in the settings, or "" for Thunderbird's.
 * @param {any} messenger
 * @returns {Promise<string>}
 */
export async function chosenLanguage(messenger) {
  try {
    const stored = (await messenger.storage.local.get(LANGUAGE_KEY)) ?? {};
    const lang = languageOf(stored[LANGUAGE_KEY]);
    return LANGUAGES.includes(lang) ? lang : "";
  } catch {
    return "";
  }
}

/**
 * Thunderbird's display language, or "".
 * @param {any} messenger
 */
export function interfaceLanguage(messenger) {
  try {
    const tag = messenger.i18n?.getUILanguage?.();
    return typeof tag === "string" ? tag : "";
  } catch {
    return "";
  }
}

/**
 * Load and speak the language the reader wants; resolves to it.
 * @param {any} messenger
 * @param {Parameters<typeof load>[1]} [read]  how a message file is read (tests)
 * @returns {Promise<string>}
 */
export async function speakChosen(messenger, read) {
  const wanted = pick(await chosenLanguage(messenger), interfaceLanguage(messenger));
  return read ? load(wanted, read) : load(wanted);
}
