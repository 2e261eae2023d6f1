// @ts-check
/**
 * The person's access token for the Caveat service, in the task pane.
 *
 * Where Outlook supports nested app authentication (the NestedAppAuth 1.1 requirement set),
 * MSAL.js's nestable public client asks Outlook, which signs in with the account the
 * mailbox belongs to: acquireTokenSilent first (no window); when that needs the person
 * (InteractionRequiredAuthError, or no token without asking), the pane shows "could not
 * check: sign-in needed" with a Sign in button, whose click calls acquireTokenPopup (a
 * window may only open from a click). Where NAA is not supported, Office's own single
 * sign-on (Office.auth.getAccessToken) is the fallback, allowed to show Office's sign-in
 * and consent prompts. Neither: sign-in needed, never a silent nothing.
 *
 * Tokens are kept in memory only, until a minute before they expire; MSAL keeps its own
 * cache. Office and msal are passed in (Office.js and MSAL's browser bundle in Outlook,
 * stand-ins in the tests).
 */
import { CaveatError } from "../shared/api.js";
import { t } from "../shared/i18n.js";

/** @typedef {import("../shared/api.js").IdentityConfig} IdentityConfig */
/** @typedef {"naa" | "sso" | "none"} TokenRoute */
/** @typedef {{name: string, username: string}} SignedIn */

/** A token this close to its expiry is not used again. */
export const EXPIRY_MARGIN_MS = 60_000;

/**
 * Whether this Outlook offers nested app authentication.
 * @param {any} Office
 */
export function supportsNestedAppAuth(Office) {
  try {
    return Boolean(Office?.context?.requirements?.isSetSupported?.("NestedAppAuth", "1.1"));
  } catch {
    return false;
  }
}

/**
 * Which way a token is had here.
 * @param {any} Office
 * @param {any} msal
 * @returns {TokenRoute}
 */
export function tokenRoute(Office, msal) {
  if (supportsNestedAppAuth(Office) && msal && typeof msal.createNestablePublicClientApplication === "function") return "naa";
  if (Office?.auth && typeof Office.auth.getAccessToken === "function") return "sso";
  return "none";
}

/**
 * Whether an MSAL error means the person must act (sign in, consent, pick an account).
 * @param {any} msal
 * @param {unknown} error
 */
export function needsInteraction(msal, error) {
  if (!error || typeof error !== "object") return false;
  const e = /** @type {any} */ (error);
  if (msal && typeof msal.InteractionRequiredAuthError === "function" && error instanceof msal.InteractionRequiredAuthError) return true;
  if (e.name === "InteractionRequiredAuthError") return true;
  return ["interaction_required", "consent_required", "login_required", "no_account_error", "no_tokens_found"].includes(String(e.errorCode ?? ""));
}

/**
 * The expiry of a JWT access token in milliseconds since the epoch, read from its payload
 * without checking it (the service checks it); null when it cannot be read.
 * @param {string} token
 */
export function tokenExpiry(token) {
  const part = String(token).split(".")[1];
  if (!part) return null;
  try {
    const json = atob(part.replace(/-/g, "+").replace(/_/g, "/") + "===".slice((part.length + 3) % 4));
    const exp = JSON.parse(json).exp;
    return typeof exp === "number" && Number.isFinite(exp) ? exp * 1000 : null;
  } catch {
    return null;
  }
}

/**
 * Words for why a sign-in failed, from an MSAL or Office error; never the token.
 * @param {unknown} error
 */
function reason(error) {
  const e = /** @type {any} */ (error);
  const code = e && (e.errorCode || e.code || e.name);
  return code ? t("outlook_sign_in_needed_code", String(code).slice(0, 80)) : t("sign_in_needed");
}

/**
 * The token source of one pane.
 * @param {{Office: any, msal?: any, identity: IdentityConfig & {sign_in: true}, now?: () => number}} deps
 */
export function createTokenSource({ Office, msal, identity, now = Date.now }) {
  const route = tokenRoute(Office, msal);
  const scopes = identity.scopes.slice();
  /** @type {any} */
  let client = null;
  /** @type {{token: string, expires: number} | null} */
  let held = null;
  /** @type {SignedIn | null} */
  let who = null;

  /** @param {any} result an MSAL AuthenticationResult */
  function keep(result) {
    const token = result && typeof result.accessToken === "string" ? result.accessToken : "";
    if (!token) throw new CaveatError("signin", t("sign_in_needed"));
    const expires = result.expiresOn instanceof Date ? result.expiresOn.getTime() : tokenExpiry(token) ?? now() + 5 * 60_000;
    held = { token, expires };
    if (result.account) {
      who = { name: String(result.account.name ?? ""), username: String(result.account.username ?? "") };
      try {
        client?.setActiveAccount?.(result.account);
      } catch {
        // the account is remembered for the next silent call only; nothing else depends on it
      }
    }
    return token;
  }

  /** @param {string} token */
  function keepSso(token) {
    if (typeof token !== "string" || !token) throw new CaveatError("signin", t("sign_in_needed"));
    held = { token, expires: tokenExpiry(token) ?? now() + 5 * 60_000 };
    return token;
  }

  /** The account MSAL already knows (NAA's account discovery), for a silent request. */
  function account() {
    try {
      return client.getActiveAccount?.() ?? client.getAllAccounts?.()?.[0] ?? null;
    } catch {
      return null;
    }
  }

  /**
   * @param {boolean} forceRefresh
   * @returns {Promise<string>}
   */
  async function silent(forceRefresh) {
    if (route === "naa") {
      if (!client) throw new CaveatError("signin", t("sign_in_needed"));
      /** @type {Record<string, unknown>} */
      const request = { scopes };
      const known = account();
      if (known) request.account = known;
      if (forceRefresh) request.forceRefresh = true;
      try {
        return keep(await client.acquireTokenSilent(request));
      } catch (error) {
        if (error instanceof CaveatError) throw error;
        throw new CaveatError("signin", needsInteraction(msal, error) ? t("sign_in_needed") : reason(error));
      }
    }
    if (route === "sso") {
      try {
        return keepSso(await Office.auth.getAccessToken({ allowSignInPrompt: true, allowConsentPrompt: true, forMSGraphAccess: false }));
      } catch (error) {
        if (error instanceof CaveatError) throw error;
        throw new CaveatError("signin", reason(error));
      }
    }
    throw new CaveatError("signin", t("outlook_no_sign_in_here"));
  }

  return {
    route,

    /** Create MSAL's nestable client; call once before the first token. Never rejects. */
    async init() {
      if (route !== "naa" || client) return;
      try {
        client = await msal.createNestablePublicClientApplication({
          auth: { clientId: identity.client_id, authority: identity.authority },
        });
      } catch {
        client = null; // every token then fails as "sign-in needed", visibly
      }
    },

    /** A token for the next call: the one held while it lasts, else a silent one. */
    async getToken() {
      if (held && held.expires - EXPIRY_MARGIN_MS > now()) return held.token;
      held = null;
      return silent(false);
    },

    /** After the service refused the token: forget it and ask again, silently. */
    async renew() {
      held = null;
      return silent(true);
    },

    /**
     * Sign in with a window, from a click: the popup is opened before anything is awaited,
     * so the browser lets it open. Resolves with a token, or rejects with a "signin"
     * CaveatError saying why.
     * @returns {Promise<string>}
     */
    signIn() {
      held = null;
      if (route === "naa" && client) {
        /** @type {Promise<any>} */
        let popup;
        try {
          popup = client.acquireTokenPopup({ scopes });
        } catch (error) {
          return Promise.reject(new CaveatError("signin", reason(error)));
        }
        return popup.then(keep, (error) => {
          throw error instanceof CaveatError ? error : new CaveatError("signin", reason(error));
        });
      }
      return silent(false);
    },

    /** Who the last token was given for, when MSAL said. */
    signedIn() {
      return who;
    },
  };
}

/** @typedef {ReturnType<typeof createTokenSource>} TokenSource */
