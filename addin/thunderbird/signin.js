// @ts-check
/**
 * Signing a person in to their organisation's identity provider from Thunderbird: OAuth 2.0
 * authorization code with PKCE (RFC 7636, S256), tokens kept and refreshed here.
 *
 * Why this flow: Thunderbird's ESR (128 and later; 153 is tested) has
 * `browser.identity.launchWebAuthFlow` and `getRedirectURL` (the "identity" permission,
 * granted without a prompt). launchWebAuthFlow first requests the authorization URL without
 * a window and catches a redirect to the extension's redirect URL
 * (`https://<sha1 of the extension id>.extensions.allizom.org/`), whose page is never
 * loaded; only when the provider wants the person to act does it open its own window, and
 * only when asked with `interactive: true`. So the same code signs in silently when the
 * provider already has a session (`prompt=none`, as OpenID Connect defines it) and through
 * the provider's own pages when it has not. The device authorization grant (RFC 8628)
 * would be the fallback for a host without launchWebAuthFlow; Thunderbird has it, so it is
 * not built.
 *
 * The service says which provider to use: `GET /api/v1/identity` on the configured service
 * address gives the client id, the scopes and the two endpoints. Nothing of the provider is
 * in the XPI.
 *
 * Where tokens live: the refresh token (and who is signed in) in storage.local, so that a
 * restart needs no new sign-in; the access token only in storage.session (memory that
 * Thunderbird clears on quit; a plain variable where that area is missing). The access token
 * is used until REFRESH_MARGIN_MS before it expires (half its life, for a token that lives
 * less than twice that), refreshed then (by a timer while the background is awake, and on
 * use otherwise), and once more when the service refuses it.
 * Signing out removes both and stops the silent sign-in until the person signs in again.
 *
 * The claims of the ID token are read (never checked: the service checks the access token
 * it is given) only to say who is signed in.
 */

import { t } from "../shared/i18n.js";
import { CaveatError } from "../shared/api.js";

/**
 * What the service says about sign-in (GET /api/v1/identity), checked.
 * @typedef {{signIn: false}
 *   | {signIn: true, issuer: string, clientId: string, scopes: string[], authorizationEndpoint: string, tokenEndpoint: string}} Identity
 */
/** @typedef {Extract<Identity, {signIn: true}>} SignInIdentity */
/** @typedef {{name: string, username: string}} Who */
/**
 * @typedef {{token: string, issuedAt: number, expiresAt: number, binding: string}} AccessToken
 * @typedef {{token: string, binding: string, name: string, username: string}} RefreshToken
 */
/** @typedef {"sign_in_needed" | "sign_in_failed" | "sign_in_unreachable" | "identity_invalid"} SignInFailure */

/** Refresh this long before the access token expires. */
export const REFRESH_MARGIN_MS = 120_000;
/** After a silent sign-in that did not work, wait this long before trying silently again. */
export const SILENT_RETRY_MS = 5 * 60_000;
/** The time limit of a call to the service's identity endpoint or the provider's token endpoint. */
export const SIGN_IN_TIMEOUT_MS = 10_000;
/** Scopes added to what the service asks for: an ID token (who) and a refresh token. */
export const EXTRA_SCOPES = ["openid", "profile", "offline_access"];
/** storage.local keys. */
export const REFRESH_KEY = "signInRefresh";
export const SIGNED_OUT_KEY = "signedOut";
/** storage.session key. */
export const ACCESS_KEY = "signInAccess";

const LOOPBACK = /^http:\/\/(127\.0\.0\.1|localhost|\[::1\])(:\d+)?(\/|$)/;

export class SignInError extends Error {
  /**
   * @param {SignInFailure} kind
   * @param {string} message
   */
  constructor(kind, message) {
    super(message);
    this.name = "SignInError";
    this.kind = kind;
  }
}

/**
 * Bytes as base64url without padding (RFC 7636, appendix A).
 * @param {Uint8Array} bytes
 */
export function base64url(bytes) {
  let text = "";
  for (const b of bytes) text += String.fromCharCode(b);
  return btoa(text).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

/**
 * A random value of `size` bytes, base64url (43 characters for 32 bytes).
 * @param {Crypto} cryptoImpl
 * @param {number} [size]
 */
export function randomValue(cryptoImpl, size = 32) {
  return base64url(cryptoImpl.getRandomValues(new Uint8Array(size)));
}

/**
 * A PKCE verifier (32 random bytes: 43 characters of the unreserved set) and its S256
 * challenge, BASE64URL(SHA-256(verifier)).
 * @param {Crypto} [cryptoImpl]
 * @returns {Promise<{verifier: string, challenge: string}>}
 */
export async function pkcePair(cryptoImpl = globalThis.crypto) {
  const verifier = randomValue(cryptoImpl, 32);
  return { verifier, challenge: await challengeOf(verifier, cryptoImpl) };
}

/**
 * The S256 code challenge of a verifier: BASE64URL(SHA-256(ASCII(verifier))).
 * @param {string} verifier
 * @param {Crypto} [cryptoImpl]
 */
export async function challengeOf(verifier, cryptoImpl = globalThis.crypto) {
  const digest = await cryptoImpl.subtle.digest("SHA-256", new TextEncoder().encode(verifier));
  return base64url(new Uint8Array(digest));
}

/**
 * An address the extension may send a secret to: https, or plain http on loopback.
 * @param {unknown} value
 */
function safeUrl(value) {
  if (typeof value !== "string" || !value) return false;
  try {
    const url = new URL(value);
    return url.protocol === "https:" || LOOPBACK.test(url.href);
  } catch {
    return false;
  }
}

/**
 * The service's answer about sign-in, checked; throws SignInError("identity_invalid") when it
 * cannot be used.
 * @param {unknown} data
 * @returns {Identity}
 */
export function cleanIdentity(data) {
  if (!data || typeof data !== "object") throw new SignInError("identity_invalid", "the service's sign-in settings are not an object");
  const record = /** @type {Record<string, unknown>} */ (data);
  if (record.sign_in !== true) return { signIn: false };
  const clientId = typeof record.client_id === "string" ? record.client_id.trim() : "";
  const issuer = typeof record.issuer === "string" ? record.issuer.trim() : "";
  const scopes = Array.isArray(record.scopes) ? record.scopes.filter((s) => typeof s === "string" && /^[\x21\x23-\x5b\x5d-\x7e]+$/.test(s)) : [];
  if (!clientId) throw new SignInError("identity_invalid", "the service names no client id for sign-in");
  for (const key of ["authorization_endpoint", "token_endpoint"]) {
    if (!safeUrl(record[key])) throw new SignInError("identity_invalid", `the service's ${key} is not an https address`);
  }
  return {
    signIn: true,
    issuer,
    clientId,
    scopes,
    authorizationEndpoint: String(record.authorization_endpoint),
    tokenEndpoint: String(record.token_endpoint),
  };
}

/**
 * Ask the service how its users sign in. Throws a CaveatError when it does not answer (or
 * fails), SignInError("identity_invalid") when its answer cannot be used; a service without
 * the endpoint (404: older than sign-in) is a service without sign-in.
 * @param {string} baseUrl
 * @param {typeof fetch} fetchImpl
 * @param {number} [timeoutMs]
 * @returns {Promise<Identity>}
 */
export async function fetchIdentity(baseUrl, fetchImpl, timeoutMs = SIGN_IN_TIMEOUT_MS) {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), timeoutMs);
  /** @type {Response} */
  let response;
  try {
    response = await fetchImpl(`${baseUrl.replace(/\/+$/, "")}/api/v1/identity`, {
      headers: { Accept: "application/json" },
      credentials: "omit",
      signal: controller.signal,
    });
  } catch {
    throw new CaveatError(controller.signal.aborted ? "timeout" : "unreachable", "the service could not be reached");
  } finally {
    clearTimeout(timer);
  }
  if (response.status === 404) return { signIn: false };
  if (response.status >= 500) throw new CaveatError("server", "the service failed to say how to sign in", response.status);
  if (!response.ok) throw new SignInError("identity_invalid", `the service answered ${response.status} about sign-in`);
  /** @type {unknown} */
  let data;
  try {
    data = await response.json();
  } catch {
    throw new SignInError("identity_invalid", "the service's sign-in settings are not JSON");
  }
  return cleanIdentity(data);
}

/**
 * The scopes to ask for: the service's, then openid, profile and offline_access when absent.
 * @param {string[]} scopes
 */
export function requestScopes(scopes) {
  const out = [...scopes];
  for (const extra of EXTRA_SCOPES) if (!out.includes(extra)) out.push(extra);
  return out;
}

/**
 * Tokens belong to one provider and client: a change of either forgets them.
 * @param {SignInIdentity} identity
 */
export function bindingOf(identity) {
  return JSON.stringify([identity.issuer, identity.clientId, identity.tokenEndpoint]);
}

/**
 * The authorization request (RFC 6749 4.1.1 with RFC 7636's challenge).
 * @param {SignInIdentity} identity
 * @param {{redirectUri: string, state: string, challenge: string, silent: boolean}} request
 */
export function authorizeUrl(identity, { redirectUri, state, challenge, silent }) {
  const url = new URL(identity.authorizationEndpoint);
  const params = url.searchParams;
  params.set("client_id", identity.clientId);
  params.set("response_type", "code");
  params.set("redirect_uri", redirectUri);
  params.set("scope", requestScopes(identity.scopes).join(" "));
  params.set("state", state);
  params.set("code_challenge", challenge);
  params.set("code_challenge_method", "S256");
  if (silent) params.set("prompt", "none");
  return url.href;
}

/**
 * The authorization code from the URL the provider redirected to. Throws SignInError:
 * "sign_in_needed" when the provider wants the person to act (OpenID Connect's
 * login_required and its kin, or a silent request that needed a window), "sign_in_failed"
 * for a refusal, a state that is not ours, or a redirect elsewhere.
 * @param {string} responseUrl
 * @param {{redirectUri: string, state: string}} expected
 */
export function codeFromRedirect(responseUrl, { redirectUri, state }) {
  /** @type {URL} */
  let url;
  try {
    url = new URL(responseUrl);
  } catch {
    throw new SignInError("sign_in_failed", "the provider's answer is not an address");
  }
  const target = new URL(redirectUri);
  if (url.origin !== target.origin || url.pathname !== target.pathname) {
    throw new SignInError("sign_in_failed", "the provider sent the answer to another address");
  }
  // The answer is in the query (response_mode=query, the default for the code flow).
  const params = url.searchParams;
  if (params.get("state") !== state) {
    throw new SignInError("sign_in_failed", "the provider's answer is not for this sign-in (state differs)");
  }
  const error = params.get("error");
  if (error) {
    if (/^(login_required|interaction_required|consent_required|account_selection_required)$/.test(error)) {
      throw new SignInError("sign_in_needed", `the provider needs you to sign in (${error})`);
    }
    const description = (params.get("error_description") ?? "").slice(0, 200);
    throw new SignInError("sign_in_failed", `the provider refused the sign-in: ${error.slice(0, 60)}${description ? ` (${description})` : ""}`);
  }
  const code = params.get("code");
  if (!code) throw new SignInError("sign_in_failed", "the provider's answer has no authorization code");
  return code;
}

/**
 * The claims of a JWT, unchecked (only to show who is signed in); null when it is not one.
 * @param {unknown} token
 * @returns {Record<string, unknown> | null}
 */
export function jwtClaims(token) {
  if (typeof token !== "string") return null;
  const parts = token.split(".");
  if (parts.length !== 3) return null;
  try {
    const text = atob(parts[1].replace(/-/g, "+").replace(/_/g, "/").padEnd(Math.ceil(parts[1].length / 4) * 4, "="));
    const bytes = Uint8Array.from(text, (c) => c.charCodeAt(0));
    const value = JSON.parse(new TextDecoder().decode(bytes));
    return value && typeof value === "object" && !Array.isArray(value) ? value : null;
  } catch {
    return null;
  }
}

/**
 * Who the tokens are for: a name and a user name from the ID token, else the access token.
 * @param {unknown} idToken
 * @param {unknown} accessToken
 * @returns {Who}
 */
export function whoFrom(idToken, accessToken) {
  for (const claims of [jwtClaims(idToken), jwtClaims(accessToken)]) {
    if (!claims) continue;
    const text = (/** @type {unknown} */ v) => (typeof v === "string" ? v.trim().slice(0, 256) : "");
    const username = text(claims.preferred_username) || text(claims.email) || text(claims.upn);
    const name = text(claims.name);
    if (name || username) return { name, username };
  }
  return { name: "", username: "" };
}

/**
 * How a signed-in person is shown: "Name <user>", or either alone.
 * @param {Who} who
 */
export function whoLabel(who) {
  if (who.name && who.username) return `${who.name} <${who.username}>`;
  return who.name || who.username || t("tb_account_unnamed");
}

/**
 * When an access token is due for a refresh: REFRESH_MARGIN_MS before it expires, or half
 * way through its life when it lives less than twice that (a refresh must not be due the
 * moment a token arrives).
 * @param {{issuedAt: number, expiresAt: number}} token
 */
export function refreshAt({ issuedAt, expiresAt }) {
  const margin = Math.min(REFRESH_MARGIN_MS, Math.max(0, expiresAt - issuedAt) / 2);
  return expiresAt - margin;
}

/**
 * How long from `now` until the token is due for a refresh; never less than 0.
 * @param {{issuedAt: number, expiresAt: number}} token
 * @param {number} now
 */
export function refreshDelay(token, now) {
  return Math.max(0, refreshAt(token) - now);
}

/**
 * One request to the token endpoint (form-encoded, a public client: no secret).
 * Throws SignInError: "sign_in_needed" when the grant is no longer good (invalid_grant),
 * "sign_in_unreachable" without an answer, "sign_in_failed" otherwise.
 * @param {typeof fetch} fetchImpl
 * @param {SignInIdentity} identity
 * @param {Record<string, string>} fields
 * @param {number} now
 * @returns {Promise<{accessToken: string, issuedAt: number, expiresAt: number, refreshToken: string, idToken: string}>}
 */
export async function tokenRequest(fetchImpl, identity, fields, now) {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), SIGN_IN_TIMEOUT_MS);
  /** @type {Response} */
  let response;
  try {
    response = await fetchImpl(identity.tokenEndpoint, {
      method: "POST",
      headers: { "Content-Type": "application/x-www-form-urlencoded", Accept: "application/json" },
      body: new URLSearchParams({ client_id: identity.clientId, ...fields }).toString(),
      credentials: "omit",
      signal: controller.signal,
    });
  } catch {
    throw new SignInError("sign_in_unreachable", "your organisation's sign-in service could not be reached");
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
  if (!response.ok) {
    const error = data && typeof data.error === "string" ? data.error.slice(0, 60) : `status ${response.status}`;
    if (error === "invalid_grant") throw new SignInError("sign_in_needed", "the sign-in has expired or was revoked");
    if (response.status >= 500) throw new SignInError("sign_in_unreachable", `your organisation's sign-in service failed (${error})`);
    throw new SignInError("sign_in_failed", `your organisation's sign-in service refused: ${error}`);
  }
  if (!data || typeof data.access_token !== "string" || !data.access_token) {
    throw new SignInError("sign_in_failed", "your organisation's sign-in service sent no access token");
  }
  if (typeof data.token_type === "string" && data.token_type.toLowerCase() !== "bearer") {
    throw new SignInError("sign_in_failed", `your organisation's sign-in service sent a ${data.token_type.slice(0, 20)} token, not a bearer token`);
  }
  const lifetime = Number(data.expires_in);
  const claims = jwtClaims(data.access_token);
  const exp = claims && typeof claims.exp === "number" ? claims.exp * 1000 : NaN;
  // expires_in is RECOMMENDED, not required: else the token's own exp, else five minutes.
  const expiresAt = Number.isFinite(lifetime) && lifetime > 0 ? now + lifetime * 1000 : Number.isFinite(exp) ? exp : now + 300_000;
  return {
    accessToken: data.access_token,
    issuedAt: now,
    expiresAt,
    refreshToken: typeof data.refresh_token === "string" ? data.refresh_token : "",
    idToken: typeof data.id_token === "string" ? data.id_token : "",
  };
}

/**
 * The tokens of the person using this Thunderbird profile.
 * @param {{
 *   messenger: any,
 *   fetchImpl: typeof fetch,
 *   now?: () => number,
 *   cryptoImpl?: Crypto,
 *   setTimer?: (fn: () => void, ms: number) => unknown,
 *   clearTimer?: (handle: any) => void,
 * }} deps
 */
export function createSession({ messenger, fetchImpl, now = Date.now, cryptoImpl = globalThis.crypto, setTimer = setTimeout, clearTimer = clearTimeout }) {
  /** @type {AccessToken | null} */
  let access = null;
  let accessRead = false;
  /** @type {Promise<string> | null} */
  let pending = null;
  let silentFailedAt = -Infinity;
  /** @type {unknown} */
  let timer = null;

  const sessionArea = () => (messenger.storage && messenger.storage.session) || null;

  /** @returns {Promise<AccessToken | null>} */
  async function readAccess() {
    if (accessRead) return access;
    accessRead = true;
    const area = sessionArea();
    if (!area) return access;
    try {
      const stored = (await area.get(ACCESS_KEY))?.[ACCESS_KEY];
      if (
        stored &&
        typeof stored.token === "string" &&
        typeof stored.issuedAt === "number" &&
        typeof stored.expiresAt === "number" &&
        typeof stored.binding === "string"
      ) {
        access = access ?? stored;
      }
    } catch {
      // No session area after all: the variable alone.
    }
    return access;
  }

  /** @param {AccessToken | null} value */
  async function writeAccess(value) {
    access = value;
    accessRead = true;
    const area = sessionArea();
    if (!area) return;
    try {
      if (value) await area.set({ [ACCESS_KEY]: value });
      else await area.remove(ACCESS_KEY);
    } catch {
      // Kept in the variable.
    }
  }

  /** @returns {Promise<{refresh: RefreshToken | null, signedOut: boolean}>} */
  async function readLocal() {
    try {
      const stored = (await messenger.storage.local.get([REFRESH_KEY, SIGNED_OUT_KEY])) ?? {};
      const r = stored[REFRESH_KEY];
      const refresh =
        r && typeof r.token === "string" && typeof r.binding === "string"
          ? { token: r.token, binding: r.binding, name: String(r.name ?? ""), username: String(r.username ?? "") }
          : null;
      return { refresh, signedOut: stored[SIGNED_OUT_KEY] === true };
    } catch {
      return { refresh: null, signedOut: false };
    }
  }

  /**
   * Keep what a token answer gave; the refresh token and who are kept unless replaced.
   * @param {SignInIdentity} identity
   * @param {Awaited<ReturnType<typeof tokenRequest>>} tokens
   * @param {RefreshToken | null} previous
   */
  async function keep(identity, tokens, previous) {
    const binding = bindingOf(identity);
    const kept = { token: tokens.accessToken, issuedAt: tokens.issuedAt, expiresAt: tokens.expiresAt, binding };
    await writeAccess(kept);
    const found = whoFrom(tokens.idToken, tokens.accessToken);
    const who = found.name || found.username ? found : { name: previous?.name ?? "", username: previous?.username ?? "" };
    const refreshToken = tokens.refreshToken || (previous && previous.binding === binding ? previous.token : "");
    if (refreshToken) {
      await messenger.storage.local.set({ [REFRESH_KEY]: { token: refreshToken, binding, ...who } });
    } else {
      await messenger.storage.local.remove(REFRESH_KEY);
    }
    await messenger.storage.local.remove(SIGNED_OUT_KEY);
    schedule(identity, kept, Boolean(refreshToken));
    return tokens.accessToken;
  }

  /**
   * While the background is awake, refresh before the access token expires.
   * @param {SignInIdentity} identity
   * @param {AccessToken} kept
   * @param {boolean} refreshable
   */
  function schedule(identity, kept, refreshable) {
    if (timer !== null) clearTimer(timer);
    timer = null;
    if (!refreshable) return;
    timer = setTimer(() => {
      timer = null;
      void refreshNow(identity).catch(() => undefined);
    }, refreshDelay(kept, now()));
  }

  /**
   * Use the refresh token now; null when there is none for this provider.
   * @param {SignInIdentity} identity
   * @returns {Promise<string | null>}
   */
  async function refreshNow(identity) {
    const { refresh } = await readLocal();
    if (!refresh || refresh.binding !== bindingOf(identity)) return null;
    try {
      const tokens = await tokenRequest(
        fetchImpl,
        identity,
        { grant_type: "refresh_token", refresh_token: refresh.token, scope: requestScopes(identity.scopes).join(" ") },
        now(),
      );
      return await keep(identity, tokens, refresh);
    } catch (error) {
      if (error instanceof SignInError && error.kind === "sign_in_needed") {
        // The provider no longer honours it: forget it, a new sign-in is needed.
        await messenger.storage.local.remove(REFRESH_KEY).catch(() => undefined);
        return null;
      }
      throw error;
    }
  }

  /**
   * The code flow through launchWebAuthFlow; `silent` asks with prompt=none and no window.
   * @param {SignInIdentity} identity
   * @param {boolean} silent
   */
  async function authorize(identity, silent) {
    const api = messenger.identity;
    if (!api || typeof api.launchWebAuthFlow !== "function" || typeof api.getRedirectURL !== "function") {
      throw new SignInError("sign_in_failed", "this Thunderbird cannot open a sign-in window (no identity API)");
    }
    const redirectUri = api.getRedirectURL();
    const state = randomValue(cryptoImpl, 16);
    const { verifier, challenge } = await pkcePair(cryptoImpl);
    /** @type {string} */
    let responseUrl;
    try {
      responseUrl = await api.launchWebAuthFlow({
        url: authorizeUrl(identity, { redirectUri, state, challenge, silent }),
        interactive: !silent,
      });
    } catch (error) {
      const message = error && typeof error === "object" && "message" in error ? String(error.message) : "";
      if (silent || /interaction/i.test(message)) throw new SignInError("sign_in_needed", "the provider needs you to sign in");
      if (/cancel|denied/i.test(message)) throw new SignInError("sign_in_failed", "the sign-in window was closed before the sign-in finished");
      throw new SignInError("sign_in_failed", "the sign-in could not be started with your organisation's provider");
    }
    const code = codeFromRedirect(responseUrl, { redirectUri, state });
    const tokens = await tokenRequest(
      fetchImpl,
      identity,
      { grant_type: "authorization_code", code, redirect_uri: redirectUri, code_verifier: verifier },
      now(),
    );
    const { refresh } = await readLocal();
    return keep(identity, tokens, refresh);
  }

  /**
   * An access token for the service, without asking the person: the one kept while it has
   * until it is due for a refresh (refreshAt), else a refreshed one, else a silent sign-in (not
   * after a sign-out, and not again within SILENT_RETRY_MS of one that did not work).
   * Throws SignInError("sign_in_needed") when only the person can help.
   * Concurrent callers share one attempt.
   * @param {SignInIdentity} identity
   * @returns {Promise<string>}
   */
  function token(identity) {
    if (pending) return pending;
    const attempt = (async () => {
      const binding = bindingOf(identity);
      const kept = await readAccess();
      if (kept && kept.binding === binding && refreshAt(kept) > now()) return kept.token;
      const refreshed = await refreshNow(identity);
      if (refreshed) return refreshed;
      const { signedOut } = await readLocal();
      if (signedOut) throw new SignInError("sign_in_needed", "you signed out of Caveat");
      if (now() - silentFailedAt < SILENT_RETRY_MS) throw new SignInError("sign_in_needed", "the provider needs you to sign in");
      try {
        return await authorize(identity, true);
      } catch (error) {
        silentFailedAt = now();
        throw error;
      }
    })();
    pending = attempt;
    const clear = () => {
      if (pending === attempt) pending = null;
    };
    attempt.then(clear, clear);
    return attempt;
  }

  /**
   * Who is signed in with this provider, or null.
   * @param {SignInIdentity} identity
   * @returns {Promise<Who | null>}
   */
  async function who(identity) {
    const binding = bindingOf(identity);
    const { refresh, signedOut } = await readLocal();
    if (signedOut) return null;
    if (refresh && refresh.binding === binding) return { name: refresh.name, username: refresh.username };
    const kept = await readAccess();
    if (kept && kept.binding === binding && kept.expiresAt > now()) return whoFrom("", kept.token);
    return null;
  }

  return {
    token,
    who,

    /**
     * The service refused `refused`: forget it, so that the next token() refreshes.
     * @param {string} refused
     */
    async refused(refused) {
      const kept = await readAccess();
      if (kept && kept.token === refused) await writeAccess(null);
    },

    /**
     * Sign in with the provider's window (from the options page's button).
     * @param {SignInIdentity} identity
     * @returns {Promise<Who>}
     */
    async signIn(identity) {
      silentFailedAt = -Infinity;
      await authorize(identity, false);
      return (await who(identity)) ?? { name: "", username: "" };
    },

    /** Forget every token, and sign in silently no more until the person signs in. */
    async signOut() {
      if (timer !== null) clearTimer(timer);
      timer = null;
      await writeAccess(null);
      await messenger.storage.local.remove(REFRESH_KEY);
      await messenger.storage.local.set({ [SIGNED_OUT_KEY]: true });
    },
  };
}
