// @ts-check
/**
 * The Thunderbird adapter: the background's logic, apart from the `messenger` global so
 * that the tests can hand it a stand-in.
 *
 * For each message Thunderbird displays on its own, it reads the raw header block, a
 * plain-text snippet of the body, the HTML part, the attachments the service reads (within
 * its limits), the subject and the Message-ID, asks the service once,
 * and shows the answer three ways: the badge and title of the message display action (per
 * tab), the banner the display script puts at the top of the message, and the popup. It
 * decides nothing itself, and it keeps no message content beyond the one request.
 *
 * The display script, the popup and this module talk through one runtime.onMessage
 * dispatcher keyed on a `command` field:
 *
 *   {command: "banner"}                        (display script) -> {show: false} | ShownBanner & {lang, dir}
 *   {command: "shown", level, shown, text}     (display script) -> {ok: true}
 *   {command: "details"}                       (popup) -> Details
 *   {command: "verify", messageId?}            (popup) -> {ok: true, contact} | {ok: false, message, forbidden?}
 *   {command: "verifications", messageId?, organization, account_ref?}
 *                                              (popup) -> {ok: true, list} | {ok: false, message}
 *   {command: "recordVerification", messageId?, body}
 *                                              (popup) -> {ok: true, recorded} | {ok: false, message}
 *   {command: "askOnFile", messageId?, organization, account_ref, account_masked}
 *                                              (popup) -> {ok: true, approval} | {ok: false, message}
 *   {command: "report", messageId?}            (popup) -> {ok: true} | {ok: false, message}
 *   {command: "account"}                       (options, popup) -> Account
 *   {command: "signIn"}                        (options) -> {ok: true, account} | {ok: false, message}
 *   {command: "signOut"}                       (options) -> {ok: true, account}
 *
 * How it proves who asks: when the service says people sign in (GET /api/v1/identity), with
 * the person's access token from signin.js (and no key at all); otherwise, as in the local
 * demo, with the deployment's or the user's API key.
 *
 * Any other command, or a message from anywhere but this extension, is refused (the promise
 * rejects).
 */

import { ATTACHMENT_LIMITS, CaveatError, MAX_HTML_CHARS, attachmentKind, base64FromBytes, chooseAttachments, createClient } from "../shared/api.js";
import { couldNotCheck, couldNotCheckBecause, failureBanner, fit, notificationFor } from "../shared/banner.js";
import { accountCandidates, accountsIn, contactRef, replyToIn } from "../shared/verify.js";
import { direction, language, t } from "../shared/i18n.js";
import { LANGUAGE_KEY, speakChosen } from "./language.js";
import { SIGNED_OUT_KEY, SignInError, createSession, fetchIdentity, whoLabel } from "./signin.js";

/** @typedef {import("../shared/api.js").Verdict} Verdict */
/** @typedef {import("../shared/api.js").AttachmentContent} AttachmentContent */
/** @typedef {import("../shared/api.js").SenderContact} SenderContact */
/** @typedef {import("../shared/banner.js").ShownBanner} ShownBanner */
/** @typedef {ReturnType<typeof createClient>} Client */
/**
 * The deployment's settings (thunderbird/deployment.json). `test_actions` (test builds
 * only, honoured only with `display_report_url`): popup commands run for a message, by
 * Message-ID, when its banner is shown, as the end-to-end tests cannot click.
 * @typedef {{base_url?: string, api_key?: string, display_report_url?: string, test_actions?: Record<string, string[]>}} Deployment
 */
/** @typedef {{verdict: Verdict} | {failure: ShownBanner, signIn?: boolean}} Outcome */
/** @typedef {import("./signin.js").Identity} Identity */
/** @typedef {import("./signin.js").SignInIdentity} SignInIdentity */
/**
 * What the options page shows: whether people sign in to this service, who is signed in.
 * @typedef {{signIn: false, problem?: string}
 *   | {signIn: true, signedIn: boolean, label: string, tokenOrigin: string, tokenAllowed: boolean}} Account
 */
/**
 * @typedef {{client: Client | null, problem: Error | null, reportUrl: string, baseUrl: string,
 *   identity: SignInIdentity | null, readAt: number}} Config
 */
/** @typedef {{name: string, address: string}} Mailbox */
/**
 * @typedef {{state: "none"}
 *   | {state: "verdict", messageId: number, verdict: Verdict, from: Mailbox | null, subject: string}
 *   | {state: "failure", messageId: number, banner: ShownBanner, from: Mailbox | null, subject: string, signIn: boolean}} Details
 */

/** Where the builder writes the deployment's settings, from the XPI's root. */
export const DEPLOYMENT_PATH = "thunderbird/deployment.json";
/** The display script, registered once (the registration outlives restarts). */
export const DISPLAY_SCRIPT = {
  id: "caveat-banner",
  js: ["thunderbird/display.js"],
  css: ["thunderbird/display.css"],
  runAt: "document_end",
};
/** The service's limits: 256 KiB of headers in UTF-8; the body snippet is kept well under its 64 KiB. */
export const MAX_HEADER_BYTES = 256 * 1024;
export const MAX_BODY_CHARS = 20_000;
/** Verify sender takes an address of up to 320 characters and a name of up to 256. */
export const MAX_ADDRESS_CHARS = 320;
export const MAX_NAME_CHARS = 256;
/** A report's Message-ID is at most 998 characters (RFC 5322's line length). */
const MAX_MESSAGE_ID_CHARS = 998;
/** Answers kept, newest last; an old message displayed again is simply checked again. */
export const CACHE_SIZE = 100;
/** A failure is shared by the display event and the banner request, then retried. */
export const FAILURE_TTL_MS = 30_000;

/** Badge of each state on the message display action. */
export const BADGES = {
  danger: { text: "!", color: "#b3261e" },
  caution: { text: "!", color: "#a15c00" },
  info: { text: "i", color: "#0b57d0" },
  unknown: { text: "?", color: "#a15c00" },
  none: { text: "", color: null },
};

/**
 * The words of a state in the action's title, in the language spoken.
 * @param {keyof typeof BADGES} level
 */
export function badgeWords(level) {
  const words = {
    danger: t("tb_badge_danger"),
    caution: t("tb_badge_caution"),
    info: t("tb_badge_info"),
    unknown: t("tb_badge_unknown"),
    none: t("tb_badge_none"),
  };
  return words[level] ?? words.unknown;
}

/** Verify sender asked by someone whose role may not read partners' contacts (403). */
export function verifyNotAllowed() {
  return t("tb_verify_not_allowed");
}
/** Recording a call refused for the person's role (403). */
export function recordNotAllowed() {
  return t("tb_record_not_allowed");
}

/**
 * Why a failure happened, without the "could not check" title its text starts with.
 * @param {ShownBanner} banner
 */
function reasonOf(banner) {
  if (banner.reason) return banner.reason;
  const prefix = `${couldNotCheck()}: `;
  return banner.text.startsWith(prefix) ? banner.text.slice(prefix.length) : banner.text;
}

/**
 * A string field of a popup command, trimmed, or "" when it is not a string or too long.
 * @param {unknown} value
 * @param {number} most
 */
function text(value, most) {
  return typeof value === "string" && value.trim().length <= most ? value.trim() : "";
}

/** The failures this adapter finds itself, before or around a request. */
const OWN_KINDS = /** @type {const} */ ([
  "not_configured",
  "bad_url",
  "unreadable",
  "sign_in_needed",
  "sign_in_failed",
  "sign_in_unreachable",
  "sign_in_refused",
  "forbidden",
  "identity_invalid",
]);

/**
 * Why the check could not be made, for a failure this adapter finds, in the language
 * spoken; undefined for the others.
 * @param {string} kind
 * @returns {string | undefined}
 */
function ownReason(kind) {
  /** @type {Record<(typeof OWN_KINDS)[number], string>} */
  const reasons = {
    not_configured: t("tb_reason_not_configured"),
    bad_url: t("tb_reason_bad_url"),
    unreadable: t("tb_reason_unreadable"),
    sign_in_needed: t("tb_reason_sign_in_needed"),
    sign_in_failed: t("tb_reason_sign_in_failed"),
    sign_in_unreachable: t("tb_reason_sign_in_unreachable"),
    sign_in_refused: t("tb_reason_sign_in_refused"),
    forbidden: t("tb_reason_forbidden"),
    identity_invalid: t("tb_reason_identity_invalid"),
  };
  return Object.hasOwn(reasons, kind) ? reasons[/** @type {(typeof OWN_KINDS)[number]} */ (kind)] : undefined;
}

/**
 * Why signing in did not work, by the SignInError's kind, in the language spoken.
 * @param {unknown} error
 */
function signInWhy(error) {
  const kind = error instanceof SignInError ? error.kind : "";
  const why = {
    sign_in_needed: t("tb_signin_why_needed"),
    sign_in_failed: t("tb_signin_why_failed"),
    sign_in_unreachable: t("tb_signin_why_unreachable"),
    identity_invalid: t("tb_signin_why_identity_invalid"),
  };
  return Object.hasOwn(why, kind) ? why[/** @type {keyof typeof why} */ (kind)] : t("tb_unexpected_error");
}
/** The failures that a sign-in (the options page) may cure. */
const SIGN_IN_KINDS = new Set(["sign_in_needed", "sign_in_failed", "sign_in_refused"]);

const LEVELS = new Set(["none", "info", "caution", "danger", "unknown"]);
/** What a test build may ask the background to do once a banner is shown. */
const TEST_ACTIONS = new Set(["report", "sign_out", "verify_confirmed"]);

export class AdapterError extends Error {
  /**
   * @param {(typeof OWN_KINDS)[number]} kind
   * @param {string} message
   */
  constructor(kind, message) {
    super(message);
    this.name = "AdapterError";
    this.kind = kind;
  }
}

/**
 * Whether signing in may cure this failure.
 * @param {unknown} error
 */
export function needsSignIn(error) {
  return Boolean(error && typeof error === "object" && "kind" in error && SIGN_IN_KINDS.has(String(error.kind)));
}

/**
 * The "could not check" banner, with this adapter's own reasons added to the shared ones.
 * @param {unknown} error
 * @returns {ShownBanner}
 */
export function failureFor(error) {
  const banner = failureBanner(error);
  const kind = error && typeof error === "object" && "kind" in error ? String(error.kind) : "";
  const own = ownReason(kind);
  return own ? { ...banner, text: couldNotCheckBecause(own), reason: own, detail: t("could_not_check_detail", own) } : banner;
}

/**
 * The deployment's settings from the XPI; {} when there are none or they cannot be read.
 * @param {any} messenger
 * @param {typeof fetch} [fetchImpl]
 * @returns {Promise<Deployment>}
 */
export async function fetchDeployment(messenger, fetchImpl) {
  const doFetch = fetchImpl ?? globalThis.fetch.bind(globalThis);
  try {
    const response = await doFetch(messenger.runtime.getURL(DEPLOYMENT_PATH));
    return cleanDeployment(await response.json());
  } catch {
    return {};
  }
}

/**
 * Only the known keys, and only when they are non-empty strings.
 * @param {unknown} data
 * @returns {Deployment}
 */
export function cleanDeployment(data) {
  /** @type {Deployment} */
  const out = {};
  if (!data || typeof data !== "object") return out;
  const record = /** @type {Record<string, unknown>} */ (data);
  for (const key of /** @type {const} */ (["base_url", "api_key", "display_report_url"])) {
    const value = record[key];
    if (typeof value === "string" && value.trim()) out[key] = value.trim();
  }
  const actions = record.test_actions;
  if (out.display_report_url && actions && typeof actions === "object" && !Array.isArray(actions)) {
    /** @type {Record<string, string[]>} */
    const clean = {};
    for (const [id, list] of Object.entries(actions)) {
      if (Array.isArray(list)) clean[id.trim().replace(/^<|>$/g, "").toLowerCase()] = list.filter((a) => TEST_ACTIONS.has(a));
    }
    out.test_actions = clean;
  }
  return out;
}

/**
 * The header block of a raw message: its bytes up to the first empty line, at most
 * MAX_HEADER_BYTES of UTF-8 once decoded (undecodable bytes become U+FFFD). Reads a slice
 * of the file, never the whole message.
 * @param {Blob | string} raw a File (data_format "File"), or a binary string (older hosts)
 * @returns {Promise<string>}
 */
export async function headerBlock(raw) {
  /** @type {Uint8Array} */
  let bytes;
  if (typeof raw === "string") {
    const part = raw.slice(0, MAX_HEADER_BYTES + 4);
    bytes = Uint8Array.from(part, (c) => c.charCodeAt(0) & 0xff);
  } else {
    bytes = new Uint8Array(await raw.slice(0, MAX_HEADER_BYTES + 4).arrayBuffer());
  }
  const blank = blankLine(bytes);
  let end;
  if (blank >= 0 && blank <= MAX_HEADER_BYTES) {
    end = blank;
  } else {
    // No end of the header block within the limit: keep whole lines only.
    const limit = Math.min(bytes.length, MAX_HEADER_BYTES);
    const lastBreak = bytes.lastIndexOf(0x0a, limit - 1);
    end = bytes.length <= MAX_HEADER_BYTES ? bytes.length : lastBreak >= 0 ? lastBreak + 1 : limit;
  }
  let text = new TextDecoder("utf-8", { fatal: false }).decode(bytes.subarray(0, end));
  // A replaced byte grows from one to three bytes: cut whole lines until the text fits.
  const encoder = new TextEncoder();
  while (encoder.encode(text).length > MAX_HEADER_BYTES) {
    const at = text.lastIndexOf("\n", text.length - 2);
    text = at >= 0 ? text.slice(0, at + 1) : "";
  }
  return text;
}

/**
 * Where the header block ends: the index just after the line break that precedes the first
 * empty line (LF LF or LF CR LF), or -1.
 * @param {Uint8Array} bytes
 */
function blankLine(bytes) {
  if (bytes[0] === 0x0a || (bytes[0] === 0x0d && bytes[1] === 0x0a)) return 0;
  for (let i = bytes.indexOf(0x0a); i >= 0; i = bytes.indexOf(0x0a, i + 1)) {
    if (bytes[i + 1] === 0x0a || (bytes[i + 1] === 0x0d && bytes[i + 2] === 0x0a)) return i + 1;
  }
  return -1;
}

/**
 * Cut text to `max` UTF-16 units without splitting a surrogate pair.
 * @param {string} text
 * @param {number} max
 */
export function cut(text, max) {
  if (text.length <= max) return text;
  const code = text.charCodeAt(max - 1);
  return text.slice(0, code >= 0xd800 && code <= 0xdbff ? max - 1 : max);
}

/**
 * A plain-text snippet of the body: the text/plain parts, or else the text/html parts
 * turned into text. Undefined when there is none.
 * @param {any} messenger
 * @param {number} messageId
 * @returns {Promise<string | undefined>}
 */
export async function bodySnippet(messenger, messageId) {
  return snippetOf(messenger, await inlineParts(messenger, messageId));
}

/**
 * The message's inline text parts, or [] when Thunderbird will not give them.
 * @param {any} messenger
 * @param {number} messageId
 * @returns {Promise<{contentType?: string, content?: string}[]>}
 */
async function inlineParts(messenger, messageId) {
  try {
    const parts = await messenger.messages.listInlineTextParts(messageId);
    return Array.isArray(parts) ? parts : [];
  } catch {
    return [];
  }
}

/**
 * The markup of the first text/html part, cut to what the service keeps; undefined when
 * there is none.
 * @param {{contentType?: string, content?: string}[]} parts
 * @returns {string | undefined}
 */
export function htmlOf(parts) {
  const html = parts.find(
    (p) => typeof p.content === "string" && p.content && String(p.contentType ?? "").toLowerCase().split(";")[0].trim() === "text/html",
  );
  return html ? cut(/** @type {string} */ (html.content), MAX_HTML_CHARS) : undefined;
}

/**
 * @param {any} messenger
 * @param {{contentType?: string, content?: string}[]} parts
 * @returns {Promise<string | undefined>}
 */
async function snippetOf(messenger, parts) {
  if (!parts.length) return undefined;
  /** @param {string} type */
  const ofType = (type) =>
    parts
      .filter((p) => typeof p.content === "string" && String(p.contentType ?? "").toLowerCase().split(";")[0].trim() === type)
      .map((p) => /** @type {string} */ (p.content));
  const plain = ofType("text/plain");
  if (plain.length) return cut(plain.join("\n\n"), MAX_BODY_CHARS) || undefined;
  const html = ofType("text/html");
  if (!html.length) return undefined;
  const text = [];
  for (const part of html) {
    const converted = await htmlToText(messenger, part);
    if (converted) text.push(converted);
    if (text.join("\n\n").length >= MAX_BODY_CHARS) break;
  }
  return cut(text.join("\n\n"), MAX_BODY_CHARS) || undefined;
}

/**
 * @param {any} messenger
 * @param {string} html
 * @returns {Promise<string>}
 */
async function htmlToText(messenger, html) {
  const utilities = messenger.messengerUtilities;
  if (utilities && typeof utilities.convertToPlainText === "function") {
    try {
      const text = await utilities.convertToPlainText(html);
      return typeof text === "string" ? text : "";
    } catch {
      return "";
    }
  }
  // Older hosts: an inert parse (no script runs, nothing loads) and its text.
  if (typeof DOMParser === "function") {
    const doc = new DOMParser().parseFromString(html, "text/html");
    doc.querySelectorAll("script, style, template").forEach((node) => node.remove());
    return (doc.body?.textContent ?? "").replace(/[ \t]+\n/g, "\n").trim();
  }
  return "";
}

/**
 * The mailbox in a From value ("Name <a@b>"), with Thunderbird's parser when it has one.
 * @param {any} messenger
 * @param {unknown} author
 * @returns {Promise<Mailbox | null>}
 */
export async function parseAuthor(messenger, author) {
  if (typeof author !== "string" || !author.trim()) return null;
  const utilities = messenger.messengerUtilities;
  if (utilities && typeof utilities.parseMailboxString === "function") {
    try {
      const parsed = await utilities.parseMailboxString(author);
      const first = Array.isArray(parsed) ? flatten(parsed).find((m) => m.email) : undefined;
      return first ? mailbox(first.name ?? "", first.email ?? "") : null;
    } catch {
      // fall through to the local parser
    }
  }
  return parseMailboxFallback(author);
}

/**
 * @param {{name?: string, email?: string, group?: any[]}[]} list
 * @returns {{name?: string, email?: string}[]}
 */
function flatten(list) {
  return list.flatMap((m) => (Array.isArray(m.group) ? flatten(m.group) : [m]));
}

/**
 * @param {string} name
 * @param {string} address
 * @returns {Mailbox | null}
 */
function mailbox(name, address) {
  const clean = address.trim();
  if (!/^[^\s@<>]+@[^\s@<>]+$/.test(clean) || clean.length > MAX_ADDRESS_CHARS) return null;
  return { name: cut(name.trim(), MAX_NAME_CHARS), address: clean };
}

/**
 * One mailbox, read without Thunderbird's parser: `Name <addr>`, `"Last, First" <addr>`,
 * or a bare address. Anything else is no address rather than a guess.
 * @param {string} text
 * @returns {Mailbox | null}
 */
export function parseMailboxFallback(text) {
  const value = text.trim();
  const angle = /<([^<>]*)>\s*$/.exec(value);
  if (angle) {
    let name = value.slice(0, angle.index).trim();
    if (name.length >= 2 && name.startsWith('"') && name.endsWith('"')) {
      name = name.slice(1, -1).replace(/\\(.)/g, "$1");
    }
    return mailbox(name, angle[1]);
  }
  return mailbox("", value);
}

/**
 * What POST /api/v1/analyze gets for one message. A part Thunderbird will not give is left
 * out, not guessed; a message whose raw source cannot be read is not checked at all.
 * @param {any} messenger
 * @param {any} header a MessageHeader
 * @returns {Promise<Record<string, unknown>>}
 */
export async function collectMessage(messenger, header) {
  /** @type {Blob | string} */
  let raw;
  try {
    raw = await messenger.messages.getRaw(header.id, { data_format: "File" });
  } catch {
    throw new AdapterError("unreadable", "the raw message could not be read");
  }
  const headers = await headerBlock(raw);
  /** @type {Record<string, unknown>} */
  const payload = {};
  if (headers.trim()) {
    payload.headers = headers;
  } else {
    // No header block in the source: From as Thunderbird shows it is the one fact left.
    const from = await parseAuthor(messenger, header.author);
    if (from) payload.from = from;
  }
  const parts = await inlineParts(messenger, header.id);
  const body = await snippetOf(messenger, parts);
  if (body) payload.body = body;
  const html = htmlOf(parts);
  if (html) payload.body_html = html;
  const attachments = await collectAttachments(messenger, header.id);
  if (attachments.length) payload.attachments = attachments;
  if (typeof header.subject === "string") payload.subject = header.subject;
  if (typeof header.headerMessageId === "string" && header.headerMessageId) {
    payload.internet_message_id = header.headerMessageId;
  }
  return payload;
}

/**
 * The content of the attachments the service reads (PDF, Word, images, text, attached
 * messages), within its limits, base64. One Thunderbird will not give, or that turns out
 * larger than listed, is left out; without listAttachments none are sent.
 * @param {any} messenger
 * @param {number} messageId
 * @returns {Promise<AttachmentContent[]>}
 */
export async function collectAttachments(messenger, messageId) {
  const api = messenger.messages;
  if (typeof api.listAttachments !== "function" || typeof api.getAttachmentFile !== "function") return [];
  /** @type {any[]} */
  let listed;
  try {
    listed = await api.listAttachments(messageId);
  } catch {
    return [];
  }
  if (!Array.isArray(listed)) return [];
  const chosen = chooseAttachments(
    listed.filter((a) => a && typeof a.partName === "string"),
    (a) => ({ name: String(a.name || ""), contentType: String(a.contentType || ""), size: Number(a.size) }),
  );
  /** @type {AttachmentContent[]} */
  const out = [];
  let total = 0;
  for (const a of chosen) {
    /** @type {Blob} */
    let file;
    try {
      file = await api.getAttachmentFile(messageId, a.partName);
    } catch {
      continue;
    }
    if (!file || typeof file.size !== "number" || file.size > ATTACHMENT_LIMITS.bytes) continue;
    if (total + file.size > ATTACHMENT_LIMITS.totalBytes) continue;
    total += file.size;
    const bytes = new Uint8Array(await file.arrayBuffer());
    const kind = attachmentKind(String(a.name || ""), String(a.contentType || ""));
    const type = kind === "message" ? "message/rfc822" : String(a.contentType || "").slice(0, 255);
    out.push({ name: String(a.name || "").slice(0, 1024), content_type: type, content: base64FromBytes(bytes) });
  }
  return out;
}

/**
 * The one message a tab shows, or null when it shows none or several. MV3 has only
 * getDisplayedMessages (a MessageList); MV2 also had getDisplayedMessage.
 * @param {any} messenger
 * @param {number} tabId
 * @returns {Promise<any | null>}
 */
export async function displayedMessage(messenger, tabId) {
  const display = messenger.messageDisplay;
  if (typeof display.getDisplayedMessages === "function") {
    return single(await display.getDisplayedMessages(tabId));
  }
  return (await display.getDisplayedMessage(tabId)) ?? null;
}

/**
 * The only message of an event's or a call's list (an array in MV2, a MessageList in MV3).
 * @param {any} list
 * @returns {any | null}
 */
export function single(list) {
  if (Array.isArray(list)) return list.length === 1 ? list[0] : null;
  if (list && Array.isArray(list.messages)) {
    // A MessageList with an id has further pages: more than one message.
    return list.messages.length === 1 && !list.id ? list.messages[0] : null;
  }
  return null;
}

/**
 * The background's logic, to be started once.
 * @param {{
 *   messenger: any,
 *   fetchImpl?: typeof fetch,
 *   loadDeployment?: () => Promise<Deployment>,
 *   now?: () => number,
 *   timeoutMs?: number,
 *   session?: ReturnType<typeof createSession>,
 *   readMessages?: (url: string) => Promise<any>,
 * }} options
 */
export function createCaveat({ messenger, fetchImpl, loadDeployment, now = Date.now, timeoutMs, session: givenSession, readMessages }) {
  const doFetch = fetchImpl ?? globalThis.fetch.bind(globalThis);
  const session = givenSession ?? createSession({ messenger, fetchImpl: doFetch, now });
  /** @type {Promise<Deployment>} */
  let deployment = Promise.resolve({});
  /** @type {Promise<Config>} */
  let config = Promise.resolve({
    client: null,
    problem: new AdapterError("not_configured", "not started"),
    reportUrl: "",
    baseUrl: "",
    identity: null,
    readAt: 0,
  });
  /** @type {Map<number, {promise: Promise<Outcome>, failedAt: number}>} */
  const cache = new Map();
  /** Which message each tab shows, so that a late answer does not badge the wrong one. */
  /** @type {Map<number, number>} */
  const shownIn = new Map();
  /** Tabs whose display script has asked for its banner (it runs there). */
  /** @type {Set<number>} */
  const bannerAsked = new Set();
  /** The language spoken, loaded at start and again when the settings change it. */
  /** @type {Promise<unknown>} */
  let speaking = Promise.resolve();

  /**
   * The service's address and how to prove who asks: the person's token when the service
   * says people sign in, else the API key.
   * @returns {Promise<Config>}
   */
  async function readConfig() {
    const fixed = await deployment;
    /** @type {Record<string, unknown>} */
    let stored = {};
    try {
      stored = (await messenger.storage.local.get(["baseUrl", "apiKey"])) ?? {};
    } catch {
      stored = {};
    }
    const text = (/** @type {unknown} */ v) => (typeof v === "string" ? v.trim() : "");
    const baseUrl = text(stored.baseUrl) || fixed.base_url || "";
    const apiKey = text(stored.apiKey) || fixed.api_key || "";
    const reportUrl = fixed.display_report_url ?? "";
    const readAt = now();
    /** @param {Error} problem */
    const broken = (problem) => ({ client: null, problem, reportUrl, baseUrl, identity: null, readAt });
    if (!baseUrl) return broken(new AdapterError("not_configured", "no service URL"));
    /** @type {Client} */
    let keyClient;
    try {
      keyClient = createClient({ baseUrl, getCredential: () => apiKey, fetchImpl: doFetch, timeoutMs });
    } catch {
      return broken(new AdapterError("bad_url", "the service URL is not valid"));
    }
    /** @type {Identity} */
    let identity;
    try {
      identity = await fetchIdentity(baseUrl, doFetch, timeoutMs);
    } catch (error) {
      // An API key still works with a service that cannot say (the local demo's way);
      // without one, why the service could not be asked.
      if (!apiKey) return broken(/** @type {Error} */ (error));
      identity = { signIn: false };
    }
    if (identity.signIn) {
      return { client: keyClient, problem: null, reportUrl, baseUrl, identity, readAt };
    }
    if (!apiKey) return broken(new AdapterError("not_configured", "no API key"));
    return { client: keyClient, problem: null, reportUrl, baseUrl, identity: null, readAt };
  }

  /**
   * The current settings; read again when the last reading failed FAILURE_TTL_MS ago (the
   * service may be back).
   * @returns {Promise<Config>}
   */
  async function currentConfig() {
    const current = await config;
    if (!current.client && now() - current.readAt > FAILURE_TTL_MS) {
      config = readConfig();
      return config;
    }
    return current;
  }

  /**
   * Call the service with the current credential. With sign-in, a token the service
   * refuses (401) is forgotten and the call made once more with a fresh one.
   * @template T
   * @param {(client: Client) => Promise<T>} call
   * @returns {Promise<T>}
   */
  async function withService(call) {
    const current = await currentConfig();
    if (!current.client) throw current.problem;
    const identity = current.identity;
    if (!identity) return call(current.client);
    const refusedOnce = new Error("refused once");
    const attempt = async () => {
      let used = "";
      const client = createClient({
        baseUrl: current.baseUrl,
        getCredential: async () => (used = await session.token(identity)),
        fetchImpl: doFetch,
        timeoutMs,
      });
      try {
        return await call(client);
      } catch (error) {
        if (error instanceof CaveatError && error.status === 401 && used) {
          await session.refused(used);
          throw refusedOnce;
        }
        if (error instanceof CaveatError && error.status === 403) {
          throw new AdapterError("forbidden", error.message);
        }
        throw error;
      }
    };
    try {
      return await attempt();
    } catch (error) {
      if (error !== refusedOnce) throw error;
    }
    try {
      return await attempt();
    } catch (error) {
      if (error === refusedOnce) throw new AdapterError("sign_in_refused", "the service refused a fresh token too");
      throw error;
    }
  }

  /**
   * @param {any} header
   * @returns {Promise<Verdict>}
   */
  async function check(header) {
    const current = await currentConfig();
    if (!current.client) throw current.problem;
    const payload = await collectMessage(messenger, header);
    return withService((client) => client.analyze(payload));
  }

  /**
   * What the options page shows about signing in.
   * @returns {Promise<Account>}
   */
  async function account() {
    const current = await currentConfig();
    const identity = current.identity;
    if (!identity) {
      return current.problem ? { signIn: false, problem: failureFor(current.problem).text } : { signIn: false };
    }
    const who = await session.who(identity);
    // A match pattern takes no port: the host on every port.
    const endpoint = new URL(identity.tokenEndpoint);
    const tokenOrigin = `${endpoint.protocol}//${endpoint.hostname}/*`;
    let tokenAllowed = true;
    try {
      tokenAllowed = Boolean(await messenger.permissions.contains({ origins: [tokenOrigin] }));
    } catch {
      tokenAllowed = true;
    }
    return { signIn: true, signedIn: who !== null, label: who ? whoLabel(who) : "", tokenOrigin, tokenAllowed };
  }

  /**
   * The outcome for one message: asked once, shared by whoever asks.
   * @param {any} header
   * @returns {Promise<Outcome>}
   */
  function analysisFor(header) {
    const key = header.id;
    const hit = cache.get(key);
    if (hit && !(hit.failedAt && now() - hit.failedAt > FAILURE_TTL_MS)) {
      // Most recently used last.
      cache.delete(key);
      cache.set(key, hit);
      return hit.promise;
    }
    /** @type {{promise: Promise<Outcome>, failedAt: number}} */
    const entry = {
      failedAt: 0,
      promise: check(header).then(
        (verdict) => ({ verdict }),
        (error) => {
          entry.failedAt = now();
          return needsSignIn(error) ? { failure: failureFor(error), signIn: true } : { failure: failureFor(error) };
        },
      ),
    };
    cache.delete(key);
    cache.set(key, entry);
    while (cache.size > CACHE_SIZE) {
      const oldest = cache.keys().next().value;
      if (oldest === undefined) break;
      cache.delete(oldest);
    }
    return entry.promise;
  }

  /**
   * Badge, colour and title of the message display action in one tab.
   * @param {number} tabId
   * @param {{text: string, color: string | null, title: string}} state
   */
  async function setAction(tabId, state) {
    const action = messenger.messageDisplayAction;
    try {
      await Promise.all([
        action.setBadgeText({ tabId, text: state.text }),
        action.setBadgeBackgroundColor({ tabId, color: state.color }),
        action.setTitle({ tabId, title: state.title }),
      ]);
    } catch {
      // The tab closed meanwhile.
    }
  }

  /**
   * @param {Outcome} outcome
   */
  function actionState(outcome) {
    if ("verdict" in outcome) {
      const { verdict } = outcome;
      const badge = BADGES[verdict.level];
      const words = badgeWords(verdict.level);
      const about = verdict.level !== "none" && verdict.banner?.title ? verdict.banner.title : "";
      const title = about ? t("tb_action_title_about", words, about) : t("tb_action_title", words);
      return { text: badge.text, color: badge.color, title: fit(title, 200) };
    }
    const reason = reasonOf(outcome.failure);
    return { text: BADGES.unknown.text, color: BADGES.unknown.color, title: fit(t("tb_action_title_about", badgeWords("unknown"), reason), 200) };
  }

  /**
   * @param {any} tab
   * @param {any} list
   */
  async function onDisplayed(tab, list) {
    const tabId = tab && tab.id;
    if (typeof tabId !== "number") return;
    const header = single(list);
    if (!header) {
      shownIn.delete(tabId);
      await speaking;
      await setAction(tabId, { text: "", color: null, title: t("extensionName") });
      return;
    }
    shownIn.set(tabId, header.id);
    await speaking;
    await setAction(tabId, { text: "", color: null, title: t("tb_action_checking") });
    const outcome = await analysisFor(header);
    if (shownIn.get(tabId) !== header.id) return;
    await setAction(tabId, actionState(outcome));
  }

  /** The message the reader is looking at, for the popup. */
  async function activeMessage() {
    const tabs = await messenger.tabs.query({ active: true, currentWindow: true });
    const tab = Array.isArray(tabs) ? tabs[0] : null;
    if (!tab || typeof tab.id !== "number") return null;
    return displayedMessage(messenger, tab.id);
  }

  /**
   * What the popup's Verify sender and Report act on: the open message and its sender, or
   * the words why there is none. Throws when the command does not come from the popup.
   * @param {any} message
   * @param {any} sender
   * @param {"verify" | "verifications" | "recordVerification" | "askOnFile" | "report"} command
   * @returns {Promise<{header: any, from: Mailbox} | {ok: false, message: string}>}
   */
  async function actionTarget(message, sender, command) {
    if (!fromExtensionPage(sender)) throw new Error(`${command} is asked by the popup`);
    const header = await popupMessage(message);
    if (!header) return { ok: false, message: t("tb_message_gone") };
    const from = await parseAuthor(messenger, header.author);
    if (!from) {
      // What is done with the sender's address, for the refusal.
      const noSender = {
        verify: t("tb_no_sender_look_up"),
        verifications: t("tb_no_sender_look_up"),
        recordVerification: t("tb_no_sender_record"),
        askOnFile: t("tb_no_sender_ask"),
        report: t("tb_no_sender_report"),
      };
      return { ok: false, message: noSender[command] };
    }
    return { header, from };
  }

  /**
   * The popup's message, refusing to act on another one than the popup shows.
   * @param {any} message
   */
  async function popupMessage(message) {
    const header = await activeMessage();
    if (!header) return null;
    if (message.messageId !== undefined && message.messageId !== header.id) return null;
    return header;
  }

  /**
   * @param {any} sender
   */
  function fromDisplayScript(sender) {
    return sender && sender.tab && typeof sender.tab.id === "number";
  }

  /**
   * An extension page (the popup): its URL is inside this extension; a content script's
   * is the message's.
   * @param {any} sender
   */
  function fromExtensionPage(sender) {
    if (typeof sender.url === "string") return sender.url.startsWith(messenger.runtime.getURL(""));
    return !sender.tab;
  }

  /** @type {Record<string, (message: any, sender: any) => Promise<unknown>>} */
  const commands = {
    async banner(_message, sender) {
      if (!fromDisplayScript(sender)) throw new Error("banner is asked by the display script");
      bannerAsked.add(sender.tab.id);
      const header = await displayedMessage(messenger, sender.tab.id);
      if (!header) return { show: false };
      const outcome = await analysisFor(header);
      const words = { lang: language(), dir: direction() };
      if ("failure" in outcome) return { ...outcome.failure, ...words };
      // caution and danger only: an info note waits in the pop-up (the badge says "i"),
      // so that the bar over a message stays rare enough to be read (the warning budget)
      const model = notificationFor(outcome.verdict);
      return model.show ? { ...model, ...words } : { show: false };
    },

    async shown(message, sender) {
      if (!fromDisplayScript(sender)) throw new Error("shown is sent by the display script");
      const { reportUrl } = await config;
      if (!reportUrl) return { ok: true };
      const header = await displayedMessage(messenger, sender.tab.id);
      await runTestActions(header);
      /** @type {{internet_message_id: string, level: string | null, shown: boolean, text: string, lang?: string, dir?: string}} */
      const report = {
        internet_message_id: header && header.headerMessageId ? String(header.headerMessageId) : "",
        level: LEVELS.has(message.level) ? message.level : null,
        shown: message.shown === true,
        text: typeof message.text === "string" ? message.text.slice(0, 1000) : "",
      };
      // The language and direction the banner was drawn in, when the display script says.
      if (typeof message.lang === "string" && /^[A-Za-z]{2,3}([-_][A-Za-z0-9]{1,8})*$/.test(message.lang)) {
        report.lang = message.lang;
        report.dir = message.dir === "rtl" ? "rtl" : "ltr";
      }
      try {
        await doFetch(reportUrl, {
          method: "POST",
          headers: { "Content-Type": "application/json" },
          body: JSON.stringify(report),
          credentials: "omit",
        });
      } catch {
        // A test-only diagnostic: its failure changes nothing for the reader.
      }
      return { ok: true };
    },

    async details(_message, sender) {
      if (!fromExtensionPage(sender)) throw new Error("details is asked by the popup");
      const header = await activeMessage();
      if (!header) return /** @type {Details} */ ({ state: "none" });
      const outcome = await analysisFor(header);
      const from = await parseAuthor(messenger, header.author);
      const subject = typeof header.subject === "string" ? header.subject : "";
      if ("verdict" in outcome) {
        return /** @type {Details} */ ({ state: "verdict", messageId: header.id, verdict: outcome.verdict, from, subject });
      }
      return /** @type {Details} */ ({ state: "failure", messageId: header.id, banner: outcome.failure, from, subject, signIn: outcome.signIn === true });
    },

    async verify(message, sender) {
      const target = await actionTarget(message, sender, "verify");
      if (!("header" in target)) return target;
      try {
        const contact = await withService((client) => client.senderContact(target.from));
        return { ok: true, contact };
      } catch (error) {
        if (error instanceof AdapterError && error.kind === "forbidden") return { ok: false, forbidden: true, message: verifyNotAllowed() };
        return { ok: false, message: t("tb_directory_unreachable", failureFor(error).text) };
      }
    },

    async verifications(message, sender) {
      const target = await actionTarget(message, sender, "verifications");
      if (!("header" in target)) return target;
      const organization = text(message.organization, 300);
      if (!organization) return { ok: false, message: t("tb_no_partner") };
      const ref = text(message.account_ref, 64);
      return verifyCall(async (client) => ({ list: await client.verifications(ref ? { organization, account_ref: ref } : { organization }) }));
    },

    async recordVerification(message, sender) {
      const target = await actionTarget(message, sender, "recordVerification");
      if (!("header" in target)) return target;
      const given = message.body;
      if (!given || typeof given !== "object" || Array.isArray(given)) return { ok: false, message: t("tb_nothing_to_record") };
      /** @type {Record<string, unknown>} */
      const body = { ...given };
      delete body.message;
      if (body.outcome === "denied") {
        // The addresses a denial turns into indicators come from the message itself.
        const replyTo = await replyToOf(target.header);
        body.message = replyTo ? { from: target.from.address, reply_to: replyTo } : { from: target.from.address };
      }
      return verifyCall(async (client) => ({ recorded: await client.recordVerification(/** @type {any} */ (body)) }));
    },

    async askOnFile(message, sender) {
      const target = await actionTarget(message, sender, "askOnFile");
      if (!("header" in target)) return target;
      const organization = text(message.organization, 300);
      const ref = text(message.account_ref, 64);
      const masked = text(message.account_masked, 64);
      if (!organization || !ref || !masked) return { ok: false, message: t("tb_no_account_named") };
      // The account in clear, read again from the message for this request only.
      const body = (await bodySnippet(messenger, target.header.id)) ?? "";
      const candidates = accountCandidates(masked, body);
      if (!candidates.length) return { ok: false, message: t("tb_account_not_in_message", masked) };
      return verifyCall(async (client) => {
        let last = null;
        for (const account of candidates) {
          try {
            return { approval: await client.requestApproval({ organization, account_ref: ref, account }) };
          } catch (error) {
            last = error;
            if (!(error instanceof CaveatError && error.status === 400 && /does not match/.test(error.message))) throw error;
          }
        }
        throw last;
      });
    },

    async report(message, sender) {
      const target = await actionTarget(message, sender, "report");
      if (!("header" in target)) return target;
      return reportMessage(target.header, target.from);
    },

    async account(_message, sender) {
      if (!fromExtensionPage(sender)) throw new Error("account is asked by an extension page");
      // Read afresh: the settings page may have saved another address a moment ago.
      config = readConfig();
      return account();
    },

    async signIn(_message, sender) {
      if (!fromExtensionPage(sender)) throw new Error("signIn is asked by the settings page");
      const current = await currentConfig();
      if (!current.identity) {
        return { ok: false, message: t("tb_signin_not_offered") };
      }
      try {
        await session.signIn(current.identity);
      } catch (error) {
        return { ok: false, message: t("tb_signin_failed", signInWhy(error)) };
      }
      cache.clear();
      return { ok: true, account: await account() };
    },

    async signOut(_message, sender) {
      if (!fromExtensionPage(sender)) throw new Error("signOut is asked by the settings page");
      await session.signOut();
      cache.clear();
      return { ok: true, account: await account() };
    },
  };

  /**
   * A Verify sender call to the service: its answer, or its failure in words the popup shows
   * as they are (the service's own for a refused request).
   * @param {(client: Client) => Promise<Record<string, unknown>>} call
   */
  async function verifyCall(call) {
    try {
      return { ok: true, ...(await withService(call)) };
    } catch (error) {
      if (error instanceof AdapterError && error.kind === "forbidden") return { ok: false, message: recordNotAllowed() };
      if (error instanceof CaveatError && (error.kind === "rejected" || error.kind === "invalid_answer")) return { ok: false, message: error.message };
      return { ok: false, message: reasonOf(failureFor(error)) };
    }
  }

  /**
   * The first Reply-To address of a message, from its raw header block, or "".
   * @param {any} header
   */
  async function replyToOf(header) {
    try {
      return replyToIn(await headerBlock(await messenger.messages.getRaw(header.id, { data_format: "File" })));
    } catch {
      return "";
    }
  }

  /**
   * Report a message's sender as fraud; the service takes the reporter from the token (or
   * the key), never from here. The message goes along as analyze gets it, for the service
   * to read the Reply-To, look-alike domains, accounts and phone numbers from it itself;
   * one it refuses (too large with the report around it, say) is left out and the sender
   * reported all the same.
   * @param {any} header
   * @param {Mailbox} from
   */
  async function reportMessage(header, from) {
    const outcome = await analysisFor(header);
    const verdict = "verdict" in outcome ? outcome.verdict : null;
    const messageId = typeof header.headerMessageId === "string" ? header.headerMessageId : "";
    /** @type {Record<string, unknown> | null} */
    let message = null;
    try {
      message = await collectMessage(messenger, header);
    } catch {
      message = null; // the source cannot be read: the sender is reported without it
    }
    const body = {
      from,
      internet_message_id: messageId && messageId.length <= MAX_MESSAGE_ID_CHARS ? messageId : null,
      level: verdict ? verdict.level : null,
      finding_ids: verdict ? verdict.findings.map((f) => f.id) : [],
      reporter: null,
    };
    try {
      await withService(async (client) => {
        if (!message) return client.report(body);
        try {
          return await client.report({ ...body, message });
        } catch (error) {
          if (!(error instanceof CaveatError && (error.status === 400 || error.status === 413))) throw error;
          return client.report(body);
        }
      });
      return { ok: true };
    } catch (error) {
      return { ok: false, message: t("tb_report_failed", failureFor(error).text) };
    }
  }

  /**
   * A test build's actions for a message whose banner was just shown (see Deployment).
   * @param {any} header
   */
  async function runTestActions(header) {
    const fixed = await deployment;
    if (!fixed.display_report_url || !fixed.test_actions || !header) return;
    const id = String(header.headerMessageId ?? "").trim().replace(/^<|>$/g, "").toLowerCase();
    for (const action of fixed.test_actions[id] ?? []) {
      if (action === "report") {
        const from = await parseAuthor(messenger, header.author);
        if (from) await reportMessage(header, from);
      } else if (action === "sign_out") {
        await session.signOut();
        cache.clear();
      } else if (action === "verify_confirmed") {
        await testVerify(header);
      }
    }
  }

  /**
   * A test build's Verify sender, as a finance person does it in the popup: the sender's
   * partner and contacts from the directory, then a confirmed call to the first contact on
   * file about the first account the message names. A refusal (a role without it) records
   * nothing; the service's own log says what was asked.
   * @param {any} header
   */
  async function testVerify(header) {
    const outcome = await analysisFor(header);
    const accounts = "verdict" in outcome ? accountsIn(outcome.verdict) : [];
    const from = await parseAuthor(messenger, header.author);
    if (!from || !accounts.length) return;
    try {
      const contact = await withService((client) => client.senderContact(from));
      if (!contact.known) return;
      const called = contact.contacts.map(contactRef).find((ref) => ref !== null);
      if (!called) return;
      await withService((client) =>
        client.recordVerification({
          organization: contact.organization,
          contact: called,
          account_ref: accounts[0].ref,
          account_masked: accounts[0].masked,
          outcome: "confirmed",
          note: "test build",
        }),
      );
    } catch {
      // A test-only action: what the service answered is read from the service.
    }
  }

  /**
   * The one runtime.onMessage dispatcher.
   * @param {any} message
   * @param {any} sender
   * @returns {Promise<unknown>}
   */
  function handleMessage(message, sender) {
    if (!sender || sender.id !== messenger.runtime.id) {
      return Promise.reject(new Error("messages are taken only from this extension"));
    }
    const command = message && typeof message === "object" ? message.command : undefined;
    if (typeof command !== "string" || !Object.hasOwn(commands, command)) {
      return Promise.reject(new Error(`unknown command: ${String(command).slice(0, 40)}`));
    }
    return speaking.then(() => commands[command](message, sender));
  }

  /**
   * Make sure the display script is registered; it stays registered across restarts.
   * @returns {Promise<boolean>} whether it was registered just now
   */
  async function ensureDisplayScript() {
    const scripting = messenger.scripting.messageDisplay;
    const existing = await scripting.getRegisteredScripts({ ids: [DISPLAY_SCRIPT.id] });
    if (Array.isArray(existing) && existing.some((s) => s && s.id === DISPLAY_SCRIPT.id)) return false;
    try {
      await scripting.registerScripts([{ ...DISPLAY_SCRIPT, js: [...DISPLAY_SCRIPT.js], css: [...DISPLAY_SCRIPT.css] }]);
    } catch (error) {
      // Registered meanwhile by another start of the background: that is what we wanted.
      if (!/already|duplicate/i.test(String(error && /** @type {any} */ (error).message))) throw error;
      return false;
    }
    return true;
  }

  /**
   * A script registered now applies only to messages opened from now on. A message already
   * open (the one Thunderbird was started with, at installation) gets it injected, as
   * Thunderbird documents; where that is refused, the badge still tells.
   */
  async function injectIntoOpenMessages() {
    /** @type {any[]} */
    let tabs = [];
    try {
      tabs = (await messenger.tabs.query({})) ?? [];
    } catch {
      return;
    }
    for (const tab of tabs) {
      if (!tab || typeof tab.id !== "number" || bannerAsked.has(tab.id)) continue;
      if (tab.type && tab.type !== "mail" && tab.type !== "messageDisplay") continue;
      try {
        if (!(await displayedMessage(messenger, tab.id))) continue;
        if (bannerAsked.has(tab.id)) continue;
        const target = { tabId: tab.id };
        await messenger.scripting.insertCSS({ target, files: [...DISPLAY_SCRIPT.css] });
        await messenger.scripting.executeScript({ target, files: [...DISPLAY_SCRIPT.js] });
      } catch {
        // Not a message, closed meanwhile, or not allowed: nothing more to do here.
      }
    }
  }

  /**
   * @param {Record<string, unknown>} changes
   * @param {string} area
   */
  function onStorageChanged(changes, area) {
    if (area !== "local" || !changes) return;
    if (SIGNED_OUT_KEY in changes) cache.clear();
    if (LANGUAGE_KEY in changes) {
      // The service words its findings in the language asked: ask again.
      speaking = speakChosen(messenger, readMessages).catch(() => undefined);
      cache.clear();
    }
    if (!("baseUrl" in changes) && !("apiKey" in changes)) return;
    config = readConfig();
    cache.clear();
  }

  /** @param {number} tabId */
  function onTabRemoved(tabId) {
    shownIn.delete(tabId);
    bannerAsked.delete(tabId);
  }

  /**
   * Add every listener now (an event page must have them before its first await), then
   * register the display script and read the configuration.
   */
  function start() {
    messenger.runtime.onMessage.addListener(handleMessage);
    messenger.messageDisplay.onMessagesDisplayed.addListener(onDisplayed);
    messenger.storage.onChanged.addListener(onStorageChanged);
    if (messenger.tabs.onRemoved) messenger.tabs.onRemoved.addListener(onTabRemoved);
    speaking = speakChosen(messenger, readMessages).catch(() => undefined);
    deployment = (loadDeployment ?? (() => fetchDeployment(messenger, doFetch)))().then(cleanDeployment, () => ({}));
    config = readConfig();
    const registered = ensureDisplayScript().then(
      (fresh) => (fresh ? injectIntoOpenMessages() : undefined),
      () => undefined,
    );
    return Promise.all([registered, config, speaking]).then(() => undefined);
  }

  return { start, handleMessage, analysisFor, onDisplayed };
}
