// @ts-check
/**
 * The Caveat API client both add-ins use: one call per displayed message, a time limit, and
 * every way of failing turned into a CaveatError the host shows as "could not check".
 *
 * Host-free: the host passes `fetch` and a credential provider. Today the credential is the
 * deployment's API key; an Entra ID token from nested app authentication (MSAL) is another
 * provider returning a different string, with no change here.
 */

/** @typedef {"none" | "info" | "caution" | "danger"} Level */
/** @typedef {{header: string, value: string}} Evidence */
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
 * @typedef {{level: Level, score: number, banner: Banner | null, findings: Finding[], message_id?: string, checked_at?: string, notices?: Notice[]}} Verdict
 */
/** @typedef {{name?: string, email?: string, phone?: string}} Contact */
/** @typedef {{known: false} | {known: true, organization: string, matched_by: string, contacts: Contact[], note?: string}} SenderContact */
/** @typedef {"unreachable" | "timeout" | "refused" | "rejected" | "server" | "invalid_answer"} FailureKind */

export const DEFAULT_TIMEOUT_MS = 8000;
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
 * @param {{
 *   baseUrl: string,
 *   getCredential: () => Promise<string> | string,
 *   fetchImpl?: typeof fetch,
 *   timeoutMs?: number,
 * }} options
 */
export function createClient({ baseUrl, getCredential, fetchImpl, timeoutMs = DEFAULT_TIMEOUT_MS }) {
  const base = baseUrl.replace(/\/+$/, "");
  if (!/^https:\/\/|^http:\/\/(127\.0\.0\.1|localhost|\[::1\])(:|\/|$)/.test(base)) {
    throw new CaveatError("refused", "the service URL must use https (plain http only on loopback)");
  }
  const doFetch = fetchImpl ?? globalThis.fetch.bind(globalThis);

  /**
   * @param {"GET" | "POST"} method
   * @param {string} path
   * @param {unknown} [body]
   * @returns {Promise<any>}
   */
  async function call(method, path, body) {
    const credential = await getCredential();
    if (!credential) {
      throw new CaveatError("refused", "no API key or token is configured");
    }
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), timeoutMs);
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
        throw new CaveatError("timeout", `the service did not answer within ${timeoutMs} ms`);
      }
      throw new CaveatError("unreachable", "the service could not be reached");
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
    if (response.status === 401 || response.status === 403) {
      throw new CaveatError("refused", errorMessage(data, "the service refused the key"), response.status);
    }
    if (response.status >= 500) {
      throw new CaveatError("server", "the service failed to answer", response.status);
    }
    if (!response.ok) {
      throw new CaveatError("rejected", errorMessage(data, "the service rejected the request"), response.status);
    }
    return data;
  }

  return {
    /**
     * Ask for the verdict on one message.
     * @param {Record<string, unknown>} payload the fields of POST /api/v1/analyze
     * @returns {Promise<Verdict>}
     */
    async analyze(payload) {
      const data = await call("POST", "/api/v1/analyze", payload);
      if (!isVerdict(data)) {
        throw new CaveatError("invalid_answer", "the service's answer was not a verdict");
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
        throw new CaveatError("invalid_answer", "the service's answer was not a directory entry");
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
