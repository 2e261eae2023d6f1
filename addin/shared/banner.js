// @ts-check
/**
 * What the host shows for a verdict, decided once for both add-ins: whether there is a
 * banner, how loud it is, and its text within Outlook's 150 characters. Never decides on
 * the message itself: the level comes from the service.
 */

import { t } from "./i18n.js";

/** @typedef {import("./api.js").Verdict} Verdict */
/** @typedef {import("./api.js").CaveatError} CaveatError */
/**
 * `detail`, on the "could not check" banner only: why, as the pane says it under the title.
 * @typedef {{show: true, key: string, tone: "error" | "informational", level: string, title: string, text: string, reason?: string, detail?: string}} ShownBanner
 */
/** @typedef {{show: false, key: string} | ShownBanner} BannerModel */

/** Outlook's limit for a notification message. */
export const MAX_TEXT = 150;
/** One notification per message, replaced on each verdict. */
export const NOTIFICATION_KEY = "caveat-verdict";
/**
 * The English title of the "could not check" banner, for tests written in English. What a
 * reader sees comes from couldNotCheck(), in their language.
 */
export const COULD_NOT_CHECK = "Caveat could not check this message";

/** The title of the "could not check" banner, in the reader's language. */
export function couldNotCheck() {
  return t("could_not_check");
}

/**
 * The "could not check" sentence with a reason of the host's own (a clause such as
 * failureReason() gives), within the banner's length.
 * @param {string} reason
 */
export function couldNotCheckBecause(reason) {
  return fit(t("could_not_check_because", reason));
}

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

/**
 * What Outlook's notification bar shows for a verdict: bannerFor's banner for caution and
 * danger only. An info note is a detail worth knowing, not a warning: only the pane shows it,
 * so that the bar stays rare enough to be read (the warning budget).
 * @param {Verdict} verdict
 * @returns {BannerModel}
 */
export function notificationFor(verdict) {
  if (verdict.level !== "caution" && verdict.level !== "danger") return { show: false, key: NOTIFICATION_KEY };
  return bannerFor(verdict);
}

/** Why the check failed, in words a reader can act on: message ids by failure kind. */
const REASONS = {
  unreachable: "failure_unreachable",
  timeout: "failure_timeout",
  refused: "failure_refused",
  signin: "failure_signin",
  forbidden: "failure_forbidden",
  rejected: "failure_rejected",
  server: "failure_server",
  invalid_answer: "failure_invalid_answer",
};

/**
 * Why the check failed, as a clause ("the Caveat service could not be reached."), in the
 * reader's language.
 * @param {{kind?: string} | unknown} error
 */
export function failureReason(error) {
  const kind = error && typeof error === "object" && "kind" in error ? String(error.kind) : "";
  return t(REASONS[/** @type {keyof typeof REASONS} */ (kind)] ?? "failure_unexpected");
}

/**
 * The banner when no verdict could be had: never silence, which would read as "safe".
 * `reason` is the clause alone, `detail` what the pane says under the title.
 * @param {{kind?: string} | unknown} error
 * @returns {ShownBanner}
 */
export function failureBanner(error) {
  const reason = failureReason(error);
  return {
    show: true,
    key: NOTIFICATION_KEY,
    tone: "informational",
    level: "unknown",
    title: couldNotCheck(),
    text: couldNotCheckBecause(reason),
    reason,
    detail: t("could_not_check_detail", reason),
  };
}
