// @ts-check
/**
 * An OAuth 2.0 provider for the node tests of the Thunderbird sign-in: the authorization
 * endpoint as the messenger stand-in's launchWebAuthFlow reaches it, and the token endpoint
 * behind `fetch`. It checks what a real provider checks: the client id, the redirect URI
 * (registered, and the same at the token endpoint), PKCE with S256 (the verifier's hash
 * must be the challenge), a code used once, a refresh token it issued and did not revoke.
 * Access tokens are JWT-shaped (claims readable, signature part left unsigned): the service
 * stand-in asks `valid(token)` instead of checking a signature.
 */
import { createHash, randomBytes } from "node:crypto";

import { NeedsWindow, REDIRECT_URL } from "./messenger-standin.js";

export const ISSUER = "https://login.example.org/tenant-1/v2.0";
export const CLIENT_ID = "5f1c0a52-6c1e-4c07-9f59-0d9e2b3c4a11";
export const AUTHORIZE = "https://login.example.org/tenant-1/oauth2/v2.0/authorize";
export const TOKEN = "https://login.example.org/tenant-1/oauth2/v2.0/token";
export const SCOPE = `api://${CLIENT_ID}/access_as_user`;

/** GET /api/v1/identity as a service with sign-in answers it. */
export const IDENTITY = {
  sign_in: true,
  issuer: ISSUER,
  authority: "https://login.example.org/organizations",
  client_id: CLIENT_ID,
  scopes: [SCOPE],
  authorization_endpoint: AUTHORIZE,
  token_endpoint: TOKEN,
};

export const PEOPLE = {
  ana: { name: "Ana Example", preferred_username: "ana@example.org" },
  fin: { name: "Fin Example", preferred_username: "fin@example.org" },
};

/** @param {Buffer} bytes */
const b64url = (bytes) => bytes.toString("base64url");

/**
 * @param {Record<string, unknown>} claims
 */
function jwt(claims) {
  return `${b64url(Buffer.from(JSON.stringify({ alg: "RS256", typ: "JWT" })))}.${b64url(Buffer.from(JSON.stringify(claims)))}.c2lnbmF0dXJl`;
}

/**
 * @param {{now?: () => number, expiresIn?: number, signedIn?: keyof typeof PEOPLE | null}} [options]
 */
export function createIssuer(options = {}) {
  const now = options.now ?? Date.now;
  const state = {
    /** Who has a session at the provider (a silent sign-in works), or null. */
    session: /** @type {keyof typeof PEOPLE | null} */ (options.signedIn === undefined ? "ana" : options.signedIn),
    /** Who signs in through the provider's window. */
    windowUser: /** @type {keyof typeof PEOPLE} */ ("ana"),
    /** Seconds an access token lives. */
    expiresIn: options.expiresIn ?? 3600,
    /** The token endpoint fails (as unreachable) when true. */
    down: false,
  };
  /** @type {Map<string, {user: keyof typeof PEOPLE, challenge: string, redirect: string, used: boolean}>} */
  const codes = new Map();
  /** @type {Map<string, keyof typeof PEOPLE>} */
  const refreshTokens = new Map();
  /** @type {Map<string, {user: string, exp: number}>} */
  const accessTokens = new Map();
  /** @type {{grant: string, ok: boolean, error?: string}[]} */
  const grants = [];
  /** @type {URLSearchParams[]} */
  const authorizations = [];

  /**
   * @param {keyof typeof PEOPLE} user
   */
  function issue(user) {
    const exp = Math.floor(now() / 1000) + state.expiresIn;
    const access = jwt({ iss: ISSUER, aud: CLIENT_ID, sub: user, oid: `oid-${user}`, scp: "access_as_user", exp, jti: b64url(randomBytes(8)) });
    accessTokens.set(access, { user, exp: exp * 1000 });
    const refresh = `rt-${b64url(randomBytes(16))}`;
    refreshTokens.set(refresh, user);
    const id = jwt({ iss: ISSUER, aud: CLIENT_ID, sub: user, ...PEOPLE[user], exp });
    return { access_token: access, token_type: "Bearer", expires_in: state.expiresIn, refresh_token: refresh, id_token: id, scope: SCOPE };
  }

  /**
   * The authorization endpoint: the URL it redirects to.
   * @param {string} href
   * @param {boolean} interactive
   */
  function authorize(href, interactive) {
    const params = new URL(href).searchParams;
    authorizations.push(params);
    const redirect = params.get("redirect_uri") ?? "";
    const back = new URL(redirect);
    const st = params.get("state");
    if (st !== null) back.searchParams.set("state", st);
    if (params.get("client_id") !== CLIENT_ID || redirect !== REDIRECT_URL) {
      // A real provider shows an error page, not a redirect, for these.
      throw new NeedsWindow("unknown client or redirect URI");
    }
    if (params.get("response_type") !== "code" || params.get("code_challenge_method") !== "S256" || !params.get("code_challenge")) {
      back.searchParams.set("error", "invalid_request");
      return back.href;
    }
    /** @type {keyof typeof PEOPLE | null} */
    let user = state.session;
    if (params.get("prompt") === "none") {
      if (!user) {
        back.searchParams.set("error", "login_required");
        return back.href;
      }
    } else if (!user) {
      if (!interactive) throw new NeedsWindow("the sign-in page");
      user = state.windowUser;
      state.session = user;
    }
    const code = `code-${b64url(randomBytes(12))}`;
    codes.set(code, { user, challenge: String(params.get("code_challenge")), redirect, used: false });
    back.searchParams.set("code", code);
    return back.href;
  }

  /**
   * @param {unknown} data
   * @param {number} [status]
   */
  const json = (data, status = 200) => new Response(JSON.stringify(data), { status, headers: { "Content-Type": "application/json" } });

  /**
   * @param {string} grant
   * @param {string} error
   */
  function refuse(grant, error) {
    grants.push({ grant, ok: false, error });
    return json({ error }, 400);
  }

  /**
   * The token endpoint, or null for another URL.
   * @param {string} url
   * @param {RequestInit} init
   * @returns {Promise<Response> | null}
   */
  function fetchToken(url, init) {
    if (!url.startsWith("https://login.example.org/")) return null;
    return (async () => {
      await new Promise((r) => setTimeout(r, 0));
      if (state.down) throw new TypeError("NetworkError when attempting to fetch resource.");
      if (url !== TOKEN || init.method !== "POST") return json({ error: "not_found" }, 404);
      const form = new URLSearchParams(String(init.body ?? ""));
      const grant = form.get("grant_type") ?? "";
      if (form.get("client_id") !== CLIENT_ID) return refuse(grant, "invalid_client");
      if (grant === "authorization_code") {
        const found = codes.get(form.get("code") ?? "");
        if (!found || found.used) return refuse(grant, "invalid_grant");
        found.used = true;
        if (form.get("redirect_uri") !== found.redirect) return refuse(grant, "invalid_grant");
        const verifier = form.get("code_verifier") ?? "";
        if (!/^[A-Za-z0-9\-._~]{43,128}$/.test(verifier)) return refuse(grant, "invalid_grant");
        if (b64url(createHash("sha256").update(verifier).digest()) !== found.challenge) return refuse(grant, "invalid_grant");
        grants.push({ grant, ok: true });
        return json(issue(found.user));
      }
      if (grant === "refresh_token") {
        const token = form.get("refresh_token") ?? "";
        const user = refreshTokens.get(token);
        if (!user) return refuse(grant, "invalid_grant");
        refreshTokens.delete(token); // rotated, as Entra and Keycloak may do
        grants.push({ grant, ok: true });
        return json(issue(user));
      }
      return refuse(grant, "unsupported_grant_type");
    })();
  }

  return {
    state,
    grants,
    authorizations,
    authorize,
    fetchToken,
    /** Revoke every refresh token (an administrator ended the person's sessions). */
    revokeAll() {
      refreshTokens.clear();
    },
    /**
     * Whether the service would take this access token; who it names.
     * @param {string} token
     */
    valid(token) {
      const found = accessTokens.get(token);
      return Boolean(found && found.exp > now());
    },
    /** @param {string} token */
    userOf(token) {
      return accessTokens.get(token)?.user ?? null;
    },
    /** Forget every access token issued so far (the service now refuses them). */
    refuseIssued() {
      accessTokens.clear();
    },
  };
}
