// @ts-check
/**
 * A stand-in for the Caveat service behind `fetch`, for the node tests: real Request
 * details recorded, real Response objects returned, a stopped service as Firefox reports
 * it (a TypeError), and the abort signal honoured (the client's time limit).
 */

export const SERVICE = "https://caveat.example.com";
export const KEY = "k3y-standin-0123456789";

export const DANGER = {
  level: "danger",
  score: 30,
  banner: { title: "Possible fraud", text: "Replies to this message go to a free-mail address. Do not pay before you confirm by phone." },
  findings: [
    {
      id: "REPLYTO_FREEMAIL",
      check: "reply_to_mismatch",
      severity: "danger",
      title: "Replies go to a free-mail address",
      explanation: "The sender's organisation is partnerb.example but replies go to gmail.com.",
      evidence: [{ header: "Reply-To", value: "Finance Person <finance.person.partnerb@gmail.com>" }],
      techniques: ["T1566"],
    },
    {
      id: "AUTH_DMARC_FAIL",
      check: "auth_failure",
      severity: "caution",
      title: "DMARC failed",
      explanation: "The sender's domain did not authenticate this message.",
      evidence: [],
      techniques: [],
    },
  ],
  checked_at: "2026-11-25T10:00:00Z",
};
export const CAUTION = {
  ...DANGER,
  level: "caution",
  banner: { title: "Check before you act", text: "This message claims to be a reply but starts a new conversation." },
};
export const INFO = { level: "info", score: 1, banner: { title: "First message", text: "First message from this sender." }, findings: [], checked_at: "2026-11-25T10:00:00Z" };
export const NONE = { level: "none", score: 0, banner: null, findings: [], checked_at: "2026-11-25T10:00:01Z" };
export const CONTACT = {
  known: true,
  organization: "Partner B",
  matched_by: "domain",
  contacts: [{ name: "Accounts Desk", email: "accounts@partnerb.example", phone: "+44 20 7946 0001" }],
  note: "Call the number on file.",
};

/**
 * @typedef {{url: string, method: string, headers: Record<string, string>, body: any, credentials?: string}} Recorded
 */

/**
 * The service's answer to GET /api/v1/identity (no credential), when `identity` is given;
 * without it the service has no such endpoint (404, a service older than sign-in), which
 * the extension reads as "sign-in off". Verify sender's calls are kept in `verifications`
 * (an account counts as verified after two people, or at once with `verified`); with
 * `forbidden` the contacts and verification calls are refused (403), and with
 * `clearAccount` an approval request naming any other account is refused as the service
 * refuses one that does not hash to its ref. Those requests are kept apart (`identityRequests`),
 * so that `requests` stays the calls that need a credential.
 *
 * With sign-in, `acceptToken(token)` says whether a bearer token is valid (the key is
 * refused then, as a service does when service keys may not act for people), and each
 * report records the token it was made with (`reporters`).
 * @param {{
 *   analyze?: (payload: any) => any,
 *   down?: boolean,
 *   hang?: boolean,
 *   identity?: Record<string, unknown> | (() => Response),
 *   acceptToken?: (token: string) => boolean,
 *   fallback?: (url: string, init: RequestInit) => Promise<Response> | null,
 *   forbidden?: boolean,
 *   verified?: boolean,
 *   clearAccount?: string,
 * }} [behaviour]
 */
export function createService(behaviour = {}) {
  /** @type {Recorded[]} */
  const requests = [];
  /** @type {string[]} */
  const identityRequests = [];
  /** @type {string[]} */
  const reporters = [];
  /** @type {any[]} */
  const verifications = [];
  /** @param {string} ref where an account stands: verified after two people confirmed it */
  const accountStatus = (ref) => {
    const mine = verifications.filter((v) => v.account_ref === ref);
    const by = [...new Set(mine.filter((v) => v.outcome === "confirmed").map((v) => v.recorded_by))];
    const denied = mine.some((v) => v.outcome === "denied");
    return { organization: "Partner B", account_ref: ref, account_masked: mine[0]?.account_masked ?? "", confirmations: by.map((b) => ({ by: b, at: "2026-12-06T23:58:00+00:00" })), confirmations_needed: 2, denied, verified: !denied && (by.length >= 2 || Boolean(behaviour.verified)) };
  };
  const state = { down: behaviour.down ?? false, hang: behaviour.hang ?? false };
  const analyze = behaviour.analyze ?? (() => NONE);

  /**
   * @param {unknown} data
   * @param {number} [status]
   */
  const json = (data, status = 200) => new Response(JSON.stringify(data), { status, headers: { "Content-Type": "application/json" } });

  /**
   * @param {string | URL | Request} input
   * @param {RequestInit} [init]
   * @returns {Promise<Response>}
   */
  async function fetchImpl(input, init = {}) {
    const url = String(input);
    const other = behaviour.fallback ? behaviour.fallback(url, init) : null;
    if (other) return other;
    /** @type {Record<string, string>} */
    const headers = {};
    for (const [k, v] of new Headers(init.headers ?? {})) headers[k] = v;
    const text = typeof init.body === "string" ? init.body : undefined;
    if (url.endsWith("/api/v1/identity")) {
      identityRequests.push(url);
      await new Promise((r) => setTimeout(r, 0));
      if (state.down) throw new TypeError("NetworkError when attempting to fetch resource.");
      if (typeof behaviour.identity === "function") return behaviour.identity();
      if (behaviour.identity) return json(behaviour.identity);
      return json({ error: { code: "not_found", message: "no such endpoint" } }, 404);
    }
    requests.push({
      url,
      method: init.method ?? "GET",
      headers,
      body: text === undefined ? undefined : JSON.parse(text),
      credentials: init.credentials,
    });
    await new Promise((r) => setTimeout(r, 0));
    if (url.startsWith("moz-extension:")) throw new TypeError("NetworkError when attempting to fetch resource.");
    if (state.hang) {
      return new Promise((_resolve, reject) => {
        const signal = init.signal;
        if (signal) signal.addEventListener("abort", () => reject(new DOMException("The operation was aborted.", "AbortError")));
      });
    }
    if (state.down) throw new TypeError("NetworkError when attempting to fetch resource.");
    const parsed = new URL(url);
    if (parsed.pathname === "/test/display-events") return json({ ok: true });
    const bearer = (headers.authorization ?? "").replace(/^Bearer /, "");
    const accepted = behaviour.acceptToken ? behaviour.acceptToken(bearer) : bearer === KEY;
    if (!accepted) {
      return json({ error: { code: "unauthorized", message: "the API key is not valid (unknown or revoked)" } }, 401);
    }
    if (parsed.pathname === "/api/v1/analyze" && init.method === "POST") {
      const answer = await analyze(text === undefined ? undefined : JSON.parse(text));
      if (answer instanceof Response) return answer;
      return json(answer);
    }
    if (parsed.pathname === "/api/v1/senders/contact") {
      if (behaviour.forbidden) return json({ error: { code: "forbidden", message: "this needs the 'contacts' permission" } }, 403);
      return json(CONTACT);
    }
    if (parsed.pathname === "/api/v1/verifications") {
      if (behaviour.forbidden) return json({ error: { code: "forbidden", message: "this needs the 'verify' permission" } }, 403);
      if (init.method === "POST") {
        const body = JSON.parse(text ?? "{}");
        const done = { id: verifications.length + 1, at: "2026-12-06T23:58:00+00:00", ...body, contact: CONTACT.contacts[0], recorded_by: "Finn Ledger <fin@example.org>", note: body.note ?? "", cleared_at: null, cleared_by: null };
        delete done.message;
        verifications.unshift(done);
        return json({ ...done, account_status: accountStatus(body.account_ref), indicators: [] }, 201);
      }
      const ref = parsed.searchParams.get("account_ref");
      const found = verifications.filter((v) => !ref || v.account_ref === ref);
      return json({ verifications: found, account_status: ref && (found.length || behaviour.verified) ? accountStatus(ref) : null, confirmations_needed: 2 });
    }
    if (parsed.pathname === "/api/v1/accounts/approvals" && init.method === "POST") {
      const body = JSON.parse(text ?? "{}");
      if (behaviour.clearAccount && body.account !== behaviour.clearAccount) {
        return json({ error: { code: "invalid_field", message: "account does not match account_ref (the account that was verified)" } }, 400);
      }
      return json({ id: 9, status: "pending", organization: body.organization, account_ref: body.account_ref, account_masked: "", note: "", requested_by: "Finn Ledger <fin@example.org>", requested_at: "2026-12-06T23:59:00+00:00", decided_at: null, decided_by: null }, 201);
    }
    if (parsed.pathname === "/api/v1/reports" && init.method === "POST") {
      reporters.push(bearer);
      return json({ id: 1, reported_at: "2026-11-25T10:01:00Z", created: true }, 201);
    }
    return json({ error: { code: "not_found", message: "no such endpoint" } }, 404);
  }

  return {
    fetch: fetchImpl,
    requests,
    identityRequests,
    reporters,
    verifications,
    state,
    /** @param {string} suffix */
    to: (suffix) => requests.filter((r) => new URL(r.url).pathname === suffix),
  };
}
