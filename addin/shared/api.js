// @ts-check
/**
 * The Caveat API client both add-ins use: one call per displayed message, a time limit, and
 * every way of failing turned into a CaveatError the host shows as "could not check".
 *
 * Host-free: the host passes `fetch` and a credential provider: a person's access token from
 * the organisation's identity provider (the Outlook add-in gets it through MSAL's nested app
 * authentication), or the deployment's API key in the local demo. With a token, the host
 * also passes `renewCredential`: a refused token (401) is renewed once, silently, and the
 * call tried again; refused again, the call fails as "signin" (sign-in needed).
 */

/** @typedef {"none" | "info" | "caution" | "danger"} Level */
/**
 * One item of evidence. `ref`: an account's opaque reference (its keyed hash), on the
 * Account items of bank findings; Verify sender records calls against it.
 * @typedef {{header: string, value: string, ref?: string}} Evidence
 */
/**
 * A finding; a composite's `parts` are the ids of the findings in the same verdict that made
 * it, and carry its evidence (empty, or absent from an older service, for the others).
 * @typedef {{id: string, check: string, severity: string, title: string, explanation: string, evidence: Evidence[], techniques: string[], parts?: string[]}} Finding
 */
/** @typedef {{title: string, text: string}} Banner */
/**
 * A note about the service's own set-up (say, no internal domain configured), not about the
 * message: shown apart from the findings, never changing the level.
 * @typedef {{code: string, message: string}} Notice
 */
/**
 * The answer of POST /api/v1/analyze. `notices` is absent from services that do not send it
 * (absent means none).
 * @typedef {{level: Level, score: number, banner: Banner | null, findings: Finding[], message_id?: string, checked_at?: string, notices?: Notice[], partial?: string[]}} Verdict
 */
/** @typedef {{name?: string, email?: string, phone?: string}} Contact */
/** @typedef {{known: false} | {known: true, organization: string, matched_by: string, contacts: Contact[], note?: string}} SenderContact */
/** @typedef {{name: string | null, email: string | null, phone: string | null}} CalledContact */
/**
 * One recorded Verify sender call (GET/POST /api/v1/verifications).
 * @typedef {{id: number, at: string, organization: string, account_ref: string, account_masked: string, contact: CalledContact, outcome: "confirmed" | "denied" | "unreachable", note: string, recorded_by: string, cleared_at: string | null, cleared_by: string | null}} Verification
 */
/**
 * Where one account of one partner stands: who confirmed it (distinct people), how many
 * confirmations make it verified, whether someone denied it.
 * @typedef {{organization: string, account_ref: string, account_masked: string, confirmations: {by: string, at: string}[], confirmations_needed: number, denied: boolean, verified: boolean}} AccountStatus
 */
/** @typedef {{verifications: Verification[], account_status?: AccountStatus | null, confirmations_needed: number}} VerificationList */
/**
 * The answer to a recorded call: the call, the account's standing after it and, for a
 * denial, the indicators it made.
 * @typedef {Verification & {account_status: AccountStatus, indicators?: {kind: string, value: string}[], not_indicators?: {value: string, reason: string}[]}} RecordedVerification
 */
/** @typedef {{id: number, requested_at: string, organization: string, account_ref: string, account_masked: string, status: string, note: string, requested_by: string, decided_at: string | null, decided_by: string | null}} Approval */
/**
 * Why a call failed. "signin": no token could be had without the person signing in, or the
 * service refused the token even after a silent renewal. "forbidden": the service knows the
 * person and their role does not allow the call (403 to a token).
 * @typedef {"unreachable" | "timeout" | "refused" | "rejected" | "server" | "invalid_answer" | "signin" | "forbidden"} FailureKind
 */
/**
 * What a service says of its sign-in (GET /api/v1/identity, no credential needed): off (the
 * local demo, with an API key), or on with what a client needs to get a token.
 * @typedef {{sign_in: false} | {sign_in: true, client_id: string, authority: string, scopes: string[], issuer?: string, authorization_endpoint?: string | null, token_endpoint?: string | null}} IdentityConfig
 */
/**
 * One attachment as POST /api/v1/analyze takes it: its name and MIME type as the message
 * gives them, and its bytes in base64 (no line breaks).
 * @typedef {{name: string, content_type: string, content: string}} AttachmentContent
 */
/** @typedef {"pdf" | "docx" | "image" | "text" | "message"} AttachmentKind */
/** An attachment as a host describes it before its content is fetched. @typedef {{name: string, contentType: string, size: number}} AttachmentInfo */

import { language, t } from "./i18n.js";

export const DEFAULT_TIMEOUT_MS = 8000;
/**
 * How long to wait for a verdict when attachments travel with the message: the service
 * reads them in at most 12 seconds, and a few megabytes take time to send.
 */
export const ATTACHMENT_TIMEOUT_MS = 20000;
/**
 * What the add-ins send of a message's attachments, within the service's default limits:
 * at most 10, each at most 5 MiB, together at most 12 MiB; only kinds the service reads.
 */
export const ATTACHMENT_LIMITS = Object.freeze({ count: 10, bytes: 5 * 1024 * 1024, totalBytes: 12 * 1024 * 1024 });
/** The service keeps 512 KiB of the HTML body; a longer one is cut by the add-in first. */
export const MAX_HTML_CHARS = 512 * 1024;

const EXTENSION_KINDS = /** @type {Record<string, AttachmentKind>} */ ({
  pdf: "pdf",
  docx: "docx",
  docm: "docx",
  png: "image",
  jpg: "image",
  jpeg: "image",
  gif: "image",
  tif: "image",
  tiff: "image",
  txt: "text",
  csv: "text",
  htm: "text",
  html: "text",
  eml: "message",
});
const TYPE_KINDS = /** @type {Record<string, AttachmentKind>} */ ({
  "application/pdf": "pdf",
  "application/vnd.openxmlformats-officedocument.wordprocessingml.document": "docx",
  "image/png": "image",
  "image/jpeg": "image",
  "image/gif": "image",
  "image/tiff": "image",
  "text/plain": "text",
  "text/csv": "text",
  "text/html": "text",
  "message/rfc822": "message",
});

/**
 * The kind of an attachment the service reads, from its type or its name, or null for one
 * it does not read (the service decides again from the content; this only saves sending
 * what it would not read).
 * @param {string} name
 * @param {string} contentType
 * @returns {AttachmentKind | null}
 */
export function attachmentKind(name, contentType) {
  const type = String(contentType || "").toLowerCase().split(";")[0].trim();
  if (TYPE_KINDS[type]) return TYPE_KINDS[type];
  const dot = String(name || "").lastIndexOf(".");
  const extension = dot >= 0 ? String(name).slice(dot + 1).toLowerCase().trim() : "";
  return EXTENSION_KINDS[extension] ?? null;
}

/**
 * The attachments to fetch: those the service reads, each within the size limit,
 * documents before images, until the count or the total is reached.
 * @template T
 * @param {T[]} list
 * @param {(item: T) => AttachmentInfo} describe
 * @returns {T[]}
 */
export function chooseAttachments(list, describe) {
  const rank = { pdf: 0, docx: 0, text: 0, message: 0, image: 1 };
  const candidates = [];
  for (const [index, item] of list.entries()) {
    const info = describe(item);
    const kind = attachmentKind(info.name, info.contentType);
    const size = Number(info.size);
    if (!kind || !Number.isFinite(size) || size < 0 || size > ATTACHMENT_LIMITS.bytes) continue;
    candidates.push({ item, index, size, rank: rank[kind] });
  }
  candidates.sort((a, b) => a.rank - b.rank || a.index - b.index);
  const chosen = [];
  let total = 0;
  for (const c of candidates) {
    if (chosen.length >= ATTACHMENT_LIMITS.count) break;
    if (total + c.size > ATTACHMENT_LIMITS.totalBytes) continue;
    total += c.size;
    chosen.push(c);
  }
  return chosen.sort((a, b) => a.index - b.index).map((c) => c.item);
}

/**
 * Bytes as base64, without line breaks.
 * @param {Uint8Array} bytes
 * @returns {string}
 */
export function base64FromBytes(bytes) {
  let out = "";
  for (let i = 0; i < bytes.length; i += 0x8000) {
    out += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  }
  return btoa(out);
}

/**
 * The decoded size of base64 text, without decoding it.
 * @param {string} text
 */
export function base64Size(text) {
  const padding = text.endsWith("==") ? 2 : text.endsWith("=") ? 1 : 0;
  return Math.floor((text.length * 3) / 4) - padding;
}
const LEVELS = ["none", "info", "caution", "danger"];

export class CaveatError extends Error {
  /**
   * @param {FailureKind} kind what went wrong, for the host to choose its words
   * @param {string} message
   * @param {number} [status] the HTTP status, when there was an answer
   */
  constructor(kind, message, status) {
    super(message);
    this.name = "CaveatError";
    this.kind = kind;
    this.status = status;
  }
}

/**
 * The English of a "signin" failure's message (tests); what a reader sees is
 * t("sign_in_needed"), in their language.
 */
export const SIGN_IN_NEEDED = "sign-in needed";

/**
 * Whether `base` may be called: https, or plain http on loopback (tests).
 * @param {string} base
 */
export function isAllowedBase(base) {
  return /^https:\/\/|^http:\/\/(127\.0\.0\.1|localhost|\[::1\])(:|\/|$)/.test(base);
}

/**
 * Ask the service how its users sign in (GET /api/v1/identity, no credential). Anything
 * but a well-formed answer is a CaveatError; an older service without the endpoint (404)
 * has sign-in off.
 * @param {{baseUrl: string, fetchImpl?: typeof fetch, timeoutMs?: number}} options
 * @returns {Promise<IdentityConfig>}
 */
export async function loadIdentity({ baseUrl, fetchImpl, timeoutMs = DEFAULT_TIMEOUT_MS }) {
  const base = baseUrl.replace(/\/+$/, "");
  if (!isAllowedBase(base)) {
    throw new CaveatError("refused", t("error_insecure_url"));
  }
  const doFetch = fetchImpl ?? globalThis.fetch.bind(globalThis);
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), timeoutMs);
  /** @type {Response} */
  let response;
  try {
    response = await doFetch(`${base}/api/v1/identity`, {
      headers: { Accept: "application/json" },
      signal: controller.signal,
      credentials: "omit",
    });
  } catch {
    if (controller.signal.aborted) throw new CaveatError("timeout", t("error_timeout", timeoutMs));
    throw new CaveatError("unreachable", t("error_unreachable"));
  } finally {
    clearTimeout(timer);
  }
  if (response.status === 404) return { sign_in: false };
  if (response.status >= 500) throw new CaveatError("server", t("error_server"), response.status);
  /** @type {any} */
  let data = null;
  try {
    data = await response.json();
  } catch {
    data = null;
  }
  if (!response.ok || !data || typeof data !== "object" || typeof data.sign_in !== "boolean") {
    throw new CaveatError("invalid_answer", t("error_identity_unreadable"), response.status);
  }
  if (!data.sign_in) return { sign_in: false };
  const scopes = Array.isArray(data.scopes) ? data.scopes.filter((/** @type {unknown} */ x) => typeof x === "string" && x) : [];
  if (typeof data.client_id !== "string" || !data.client_id || typeof data.authority !== "string" || !data.authority || !scopes.length) {
    throw new CaveatError("invalid_answer", t("error_identity_incomplete"));
  }
  return {
    sign_in: true,
    client_id: data.client_id,
    authority: data.authority,
    scopes,
    issuer: typeof data.issuer === "string" ? data.issuer : undefined,
    authorization_endpoint: typeof data.authorization_endpoint === "string" ? data.authorization_endpoint : null,
    token_endpoint: typeof data.token_endpoint === "string" ? data.token_endpoint : null,
  };
}

/**
 * @param {{
 *   baseUrl: string,
 *   getCredential: () => Promise<string> | string,
 *   renewCredential?: () => Promise<string> | string,
 *   fetchImpl?: typeof fetch,
 *   timeoutMs?: number,
 * }} options `renewCredential`, given only with tokens: a fresh token after a 401
 */
export function createClient({ baseUrl, getCredential, renewCredential, fetchImpl, timeoutMs = DEFAULT_TIMEOUT_MS }) {
  const base = baseUrl.replace(/\/+$/, "");
  if (!isAllowedBase(base)) {
    throw new CaveatError("refused", t("error_insecure_url"));
  }
  const doFetch = fetchImpl ?? globalThis.fetch.bind(globalThis);
  const tokens = typeof renewCredential === "function";

  /**
   * @param {"GET" | "POST"} method
   * @param {string} path
   * @param {unknown} [body]
   * @param {number} [ms] the time limit of this call
   * @returns {Promise<any>}
   */
  async function call(method, path, body, ms = timeoutMs) {
    const credential = await getCredential();
    if (!credential) {
      throw tokens ? new CaveatError("signin", t("sign_in_needed")) : new CaveatError("refused", t("error_no_credential"));
    }
    try {
      return await send(credential, method, path, body, ms);
    } catch (error) {
      if (!tokens || !(error instanceof CaveatError) || error.status !== 401 || !renewCredential) throw error;
    }
    // The token was refused (expired early, revoked, a key rotated): one silent renewal.
    const renewed = await renewCredential();
    if (!renewed) throw new CaveatError("signin", t("sign_in_needed"));
    try {
      return await send(renewed, method, path, body, ms);
    } catch (error) {
      if (error instanceof CaveatError && error.status === 401) {
        throw new CaveatError("signin", t("error_sign_in_needed_because", error.message), 401);
      }
      throw error;
    }
  }

  /**
   * One request with one credential.
   * @param {string} credential
   * @param {"GET" | "POST"} method
   * @param {string} path
   * @param {unknown} body
   * @param {number} ms
   * @returns {Promise<any>}
   */
  async function send(credential, method, path, body, ms) {
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), ms);
    /** @type {Response} */
    let response;
    try {
      /** @type {Record<string, string>} */
      const headers = { Accept: "application/json", Authorization: `Bearer ${credential}` };
      if (body !== undefined) headers["Content-Type"] = "application/json";
      response = await doFetch(base + path, {
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: controller.signal,
        credentials: "omit",
      });
    } catch (err) {
      if (controller.signal.aborted) {
        throw new CaveatError("timeout", t("error_timeout", ms));
      }
      throw new CaveatError("unreachable", t("error_unreachable"));
    } finally {
      clearTimeout(timer);
    }
    /** @type {any} */
    let data = null;
    try {
      data = await response.json();
    } catch {
      data = null;
    }
    if (response.status === 403 && tokens) {
      throw new CaveatError("forbidden", errorMessage(data, t("error_forbidden")), 403);
    }
    if (response.status === 401 || response.status === 403) {
      throw new CaveatError("refused", errorMessage(data, t(tokens ? "error_token_refused" : "error_key_refused")), response.status);
    }
    if (response.status >= 500) {
      throw new CaveatError("server", t("error_server"), response.status);
    }
    if (!response.ok) {
      throw new CaveatError("rejected", errorMessage(data, t("error_rejected")), response.status);
    }
    return data;
  }

  return {
    /**
     * Ask for the verdict on one message, worded in the language the add-in speaks
     * (`language`, unless the payload names one). With attachments, the service is given
     * longer (ATTACHMENT_TIMEOUT_MS, or the client's own limit when that is longer).
     * @param {Record<string, unknown>} payload the fields of POST /api/v1/analyze
     * @returns {Promise<Verdict>}
     */
    async analyze(payload) {
      const reading = Array.isArray(payload.attachments) && payload.attachments.length > 0;
      const ms = reading ? Math.max(timeoutMs, ATTACHMENT_TIMEOUT_MS) : timeoutMs;
      const data = await call("POST", "/api/v1/analyze", { ...payload, language: payload.language ?? language() }, ms);
      if (!isVerdict(data)) {
        throw new CaveatError("invalid_answer", t("error_not_verdict"));
      }
      return data;
    },

    /**
     * The partner a sender is, or claims to be, with its contacts from the directory.
     * @param {{address: string, name?: string}} sender
     * @returns {Promise<SenderContact>}
     */
    async senderContact({ address, name }) {
      const query = new URLSearchParams({ address });
      if (name) query.set("name", name);
      const data = await call("GET", `/api/v1/senders/contact?${query}`);
      if (!data || typeof data !== "object" || typeof data.known !== "boolean" || (data.known && !Array.isArray(data.contacts))) {
        throw new CaveatError("invalid_answer", t("error_not_directory_entry"));
      }
      return data;
    },

    /**
     * Report a message as fraud to the service.
     * @param {Record<string, unknown>} report
     * @returns {Promise<any>}
     */
    async report(report) {
      return call("POST", "/api/v1/reports", report);
    },

    /**
     * The recorded Verify sender calls about a partner, newest first; with `account_ref`,
     * only that account's, and where it stands.
     * @param {{organization: string, account_ref?: string, limit?: number}} query
     * @returns {Promise<VerificationList>}
     */
    async verifications({ organization, account_ref, limit }) {
      const query = new URLSearchParams({ organization });
      if (account_ref) query.set("account_ref", account_ref);
      if (limit) query.set("limit", String(limit));
      const data = await call("GET", `/api/v1/verifications?${query}`);
      if (!data || typeof data !== "object" || !Array.isArray(data.verifications)) {
        throw new CaveatError("invalid_answer", t("error_not_verifications"));
      }
      return data;
    },

    /**
     * Record one Verify sender call (the person recording is the caller; the service takes
     * them from the token).
     * @param {{organization: string, contact: {email: string} | {phone: string} | {index: number}, account_ref: string, account_masked?: string, outcome: string, note?: string, message?: {from?: string, reply_to?: string}}} body
     * @returns {Promise<RecordedVerification>}
     */
    async recordVerification(body) {
      const data = await call("POST", "/api/v1/verifications", body);
      if (!data || typeof data !== "object" || !data.account_status || typeof data.account_status !== "object") {
        throw new CaveatError("invalid_answer", t("error_not_recorded_call"));
      }
      return data;
    },

    /**
     * Ask an administrator to put a verified account on the partner's accounts on file.
     * `account` is the account in clear, read from the message for this request only.
     * @param {{organization: string, account_ref: string, account: string, note?: string}} body
     * @returns {Promise<Approval>}
     */
    async requestApproval(body) {
      const data = await call("POST", "/api/v1/accounts/approvals", body);
      if (!data || typeof data !== "object" || typeof data.status !== "string") {
        throw new CaveatError("invalid_answer", t("error_not_approval"));
      }
      return data;
    },
  };
}

/**
 * @param {any} data
 * @param {string} fallback
 */
function errorMessage(data, fallback) {
  const message = data && data.error && data.error.message;
  return typeof message === "string" && message ? message : fallback;
}

/**
 * @param {any} data
 * @returns {data is Verdict}
 */
export function isVerdict(data) {
  return (
    data !== null &&
    typeof data === "object" &&
    LEVELS.includes(data.level) &&
    Array.isArray(data.findings) &&
    (data.banner === null || (typeof data.banner === "object" && typeof data.banner.text === "string"))
  );
}
