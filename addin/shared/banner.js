// @ts-check
/**
 * What the host shows for a verdict, decided once for both add-ins: whether there is a
 * banner, how loud it is, and its text within Outlook's 150 characters. Never decides on
 * the message itself: the level comes from the service.
 */

/** @typedef {import("./api.js").Verdict} Verdict */
/** @typedef {import("./api.js").CaveatError} CaveatError */
/** @typedef {{show: true, key: string, tone: "error" | "informational", level: string, title: string, text: string}} ShownBanner */
/** @typedef {{show: false, key: string} | ShownBanner} BannerModel */

/** Outlook's limit for a notification message. */
export const MAX_TEXT = 150;
/** One notification per message, replaced on each verdict. */
export const NOTIFICATION_KEY = "caveat-verdict";
export const COULD_NOT_CHECK = "Caveat could not check this message";

/**
 * @param {string} text
 * @param {number} [max]
 */
export function fit(text, max = MAX_TEXT) {
  const clean = String(text).replace(/\s+/g, " ").trim();
  if (clean.length <= max) return clean;
  return clean.slice(0, max - 1).trimEnd() + "\u2026";
}

/**
 * @param {Verdict} verdict
 * @returns {BannerModel}
 */
export function bannerFor(verdict) {
  if (verdict.level === "none" || !verdict.banner) {
    return { show: false, key: NOTIFICATION_KEY };
  }
  return {
    show: true,
    key: NOTIFICATION_KEY,
    tone: verdict.level === "danger" ? "error" : "informational",
    level: verdict.level,
    title: fit(verdict.banner.title, 80),
    text: fit(verdict.banner.text),
  };
}

/** Why the check failed, in words a reader can act on. */
const REASONS = {
  unreachable: "the Caveat service could not be reached.",
  timeout: "the Caveat service did not answer in time.",
  refused: "the Caveat service refused this add-in's key. Ask your administrator.",
  signin: "sign-in needed. Open the Caveat pane and choose Sign in.",
  forbidden: "your role does not allow this. Ask your administrator.",
  rejected: "the Caveat service could not read this message.",
  server: "the Caveat service had an internal error.",
  invalid_answer: "the Caveat service gave an answer this add-in does not understand.",
};

/**
 * The banner when no verdict could be had: never silence, which would read as "safe".
 * @param {{kind?: string} | unknown} error
 * @returns {ShownBanner}
 */
export function failureBanner(error) {
  const kind = error && typeof error === "object" && "kind" in error ? String(error.kind) : "";
  const reason = REASONS[/** @type {keyof typeof REASONS} */ (kind)] ?? "an unexpected error occurred.";
  return {
    show: true,
    key: NOTIFICATION_KEY,
    tone: "informational",
    level: "unknown",
    title: COULD_NOT_CHECK,
    text: fit(`${COULD_NOT_CHECK}: ${reason} Treat it with care.`),
  };
}
