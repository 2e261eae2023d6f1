// @ts-check
/**
 * A stand-in for MSAL.js's browser bundle (the `msal` global of
 * /addin/vendor/msal-browser.min.js), for the browser tests: served in its place the way
 * office-standin.js is served in office.js's place. Never shipped.
 *
 * It keeps to the part of nested app authentication's contract the add-in uses, as
 * Microsoft documents it for Outlook: `createNestablePublicClientApplication({auth:
 * {clientId, authority}})` resolves to a client with account discovery (`getActiveAccount`,
 * `getAllAccounts`, `setActiveAccount`), `acquireTokenSilent({scopes, account?,
 * forceRefresh?})` and `acquireTokenPopup({scopes})`; what cannot be had without the person
 * is an `InteractionRequiredAuthError` (errorCode "interaction_required"), a popup that
 * cannot open or is closed a `BrowserAuthError` ("popup_window_error", "user_cancelled").
 * Results are AuthenticationResults: accessToken, idToken, expiresOn (a Date), scopes,
 * account (username, name, tenantId, homeAccountId).
 *
 * In Outlook the host is the broker and no request leaves the page. Here the broker's part
 * is played against the tests' real identity provider (tests/identity_issuer.py): every
 * token comes from a real authorization code exchange with PKCE (S256) at its /authorize and
 * /token, found through its discovery document, and refresh tokens are redeemed at /token.
 * - Silent, with no token or refresh token yet, stands for Outlook's own signed-in session:
 *   /authorize is fetched (no window) with the redirect URI `silentRedirectUri`, which the
 *   test registers on the provider's own origin so that the code can be read; a provider
 *   that wants the person (its `interactive` mode shows a page) gives no code, and the
 *   call fails with InteractionRequiredAuthError. `hostSignedIn = false` says Outlook has
 *   no session at all.
 * - The popup opens at once (a window may only open from a click), goes to /authorize with
 *   the redirect URI `popupRedirectUri` (on the page's origin, which the test serves),
 *   and is read and closed once it comes back there.
 *
 * Test controls on `msal.__standin`: `configure({silentRedirectUri, popupRedirectUri,
 * hostSignedIn})`, `calls` (every acquire, with its request), `forgetTokens()`.
 *
 * A classic script (no modules), so that a browser can load it in the bundle's place.
 */
(function (global) {
  "use strict";

  class AuthError extends Error {
    /** @param {string} errorCode @param {string} errorMessage */
    constructor(errorCode, errorMessage) {
      super(`${errorCode}: ${errorMessage}`);
      this.name = "AuthError";
      this.errorCode = errorCode;
      this.errorMessage = errorMessage;
    }
  }
  class InteractionRequiredAuthError extends AuthError {
    /** @param {string} errorCode @param {string} errorMessage */
    constructor(errorCode, errorMessage) {
      super(errorCode, errorMessage);
      this.name = "InteractionRequiredAuthError";
    }
  }
  class BrowserAuthError extends AuthError {
    /** @param {string} errorCode @param {string} errorMessage */
    constructor(errorCode, errorMessage) {
      super(errorCode, errorMessage);
      this.name = "BrowserAuthError";
    }
  }

  const standin = {
    /** @type {{method: string, request: any, outcome?: string}[]} */
    calls: [],
    silentRedirectUri: "",
    popupRedirectUri: "",
    hostSignedIn: true,
    /** @type {Set<any>} */
    clients: new Set(),
    /** @param {{silentRedirectUri?: string, popupRedirectUri?: string, hostSignedIn?: boolean}} options */
    configure(options) {
      Object.assign(standin, options);
    },
    /** Drop every held token and refresh token (Outlook signed out). */
    forgetTokens() {
      standin.clients.forEach((c) => c.forget());
    },
  };

  /** The default scopes MSAL adds to every request. */
  const OIDC_SCOPES = ["openid", "profile", "offline_access"];

  /** @param {Uint8Array} bytes */
  function b64url(bytes) {
    let text = "";
    bytes.forEach((b) => (text += String.fromCharCode(b)));
    return btoa(text).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
  }

  async function pkce() {
    const verifier = b64url(crypto.getRandomValues(new Uint8Array(32)));
    const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(verifier));
    return { verifier, challenge: b64url(new Uint8Array(digest)) };
  }

  /** @param {string} token */
  function claimsOf(token) {
    const part = String(token || "").split(".")[1] || "";
    try {
      return JSON.parse(atob(part.replace(/-/g, "+").replace(/_/g, "/") + "===".slice((part.length + 3) % 4)));
    } catch {
      return {};
    }
  }

  /** The provider's discovery document for an MSAL authority (Entra's lacks /v2.0). */
  async function discover(/** @type {string} */ authority) {
    let base = String(authority).replace(/\/+$/, "");
    if (!/\/v2\.0$/.test(base) && !/\/realms\/[^/]+$/.test(base)) base += "/v2.0";
    let response;
    try {
      response = await fetch(`${base}/.well-known/openid-configuration`, { credentials: "omit" });
    } catch {
      throw new AuthError("endpoints_resolution_error", "the authority could not be reached");
    }
    if (!response.ok) throw new AuthError("endpoints_resolution_error", `discovery answered ${response.status}`);
    return response.json();
  }

  /**
   * @param {any} meta
   * @param {Record<string, string>} form
   */
  async function redeem(meta, form) {
    let response;
    try {
      response = await fetch(meta.token_endpoint, {
        method: "POST",
        headers: { "Content-Type": "application/x-www-form-urlencoded" },
        body: new URLSearchParams(form).toString(),
        credentials: "omit",
      });
    } catch {
      throw new BrowserAuthError("network_error", "the token endpoint could not be reached");
    }
    const data = await response.json().catch(() => ({}));
    if (!response.ok) {
      const code = String(data.error || "server_error");
      if (code === "invalid_grant") throw new InteractionRequiredAuthError("invalid_grant", String(data.error_description || ""));
      throw new AuthError(code, String(data.error_description || ""));
    }
    return data;
  }

  /**
   * @param {{auth: {clientId: string, authority: string}}} config
   * @param {any} meta
   */
  function makeClient(config, meta) {
    const clientId = config.auth.clientId;
    /** @type {any} */
    let active = null;
    /** @type {any[]} */
    const accounts = [];
    /** @type {{accessToken: string, idToken: string, expiresOn: Date, scopes: string[], refreshToken: string, account: any} | null} */
    let held = null;

    /** @param {string[]} scopes */
    function asked(scopes) {
      const all = [...(scopes || [])];
      for (const s of OIDC_SCOPES) if (!all.includes(s)) all.push(s);
      return all;
    }

    /** @param {any} data @param {string[]} scopes */
    function keep(data, scopes) {
      const id = data.id_token ? claimsOf(data.id_token) : held?.account?.idTokenClaims ?? {};
      const account = {
        homeAccountId: `${id.oid || id.sub}.${id.tid || ""}`,
        environment: new URL(meta.issuer).host,
        tenantId: id.tid || "",
        username: id.preferred_username || id.email || "",
        localAccountId: id.oid || id.sub || "",
        name: id.name || "",
        idTokenClaims: id,
      };
      if (!accounts.some((a) => a.homeAccountId === account.homeAccountId)) accounts.push(account);
      held = {
        accessToken: data.access_token,
        idToken: data.id_token || held?.idToken || "",
        expiresOn: new Date(Date.now() + Number(data.expires_in || 3600) * 1000),
        scopes,
        refreshToken: data.refresh_token || held?.refreshToken || "",
        account,
      };
      return result(false);
    }

    /** @param {boolean} fromCache */
    function result(fromCache) {
      if (!held) throw new InteractionRequiredAuthError("no_tokens_found", "nothing is held");
      return {
        accessToken: held.accessToken,
        idToken: held.idToken,
        expiresOn: held.expiresOn,
        scopes: held.scopes,
        account: held.account,
        tokenType: "Bearer",
        fromCache,
      };
    }

    /** @param {string} redirectUri @param {string[]} scopes @param {string} challenge @param {string} state */
    function authorizeUrl(redirectUri, scopes, challenge, state) {
      const query = new URLSearchParams({
        client_id: clientId,
        response_type: "code",
        redirect_uri: redirectUri,
        scope: asked(scopes).join(" "),
        code_challenge: challenge,
        code_challenge_method: "S256",
        state,
        response_mode: "query",
      });
      return `${meta.authorization_endpoint}?${query}`;
    }

    /** @param {string} href @param {string} state */
    function codeFrom(href, state) {
      const back = new URL(href);
      const error = back.searchParams.get("error");
      if (error) throw new InteractionRequiredAuthError(error, back.searchParams.get("error_description") || "");
      if (back.searchParams.get("state") !== state) throw new BrowserAuthError("state_mismatch", "the answer is not for this request");
      const code = back.searchParams.get("code");
      if (!code) throw new InteractionRequiredAuthError("interaction_required", "no code came back");
      return code;
    }

    /** The host's signed-in session, without a window (see the module's comment). */
    async function brokerSilently(/** @type {string[]} */ scopes) {
      if (!standin.hostSignedIn || !standin.silentRedirectUri) {
        throw new InteractionRequiredAuthError("interaction_required", "Outlook has no session for this account");
      }
      const { verifier, challenge } = await pkce();
      const state = b64url(crypto.getRandomValues(new Uint8Array(12)));
      let response;
      try {
        response = await fetch(authorizeUrl(standin.silentRedirectUri, scopes, challenge, state), { credentials: "omit" });
      } catch {
        throw new BrowserAuthError("network_error", "the authority could not be reached");
      }
      if (!response.url.startsWith(standin.silentRedirectUri)) {
        throw new InteractionRequiredAuthError("interaction_required", "the identity provider wants the person to sign in");
      }
      const code = codeFrom(response.url, state);
      const data = await redeem(meta, {
        grant_type: "authorization_code",
        client_id: clientId,
        code,
        redirect_uri: standin.silentRedirectUri,
        code_verifier: verifier,
        scope: asked(scopes).join(" "),
      });
      return keep(data, scopes);
    }

    const client = {
      getActiveAccount: () => active,
      setActiveAccount: (/** @type {any} */ account) => {
        active = account;
      },
      getAllAccounts: () => accounts.slice(),
      forget() {
        held = null;
        active = null;
        accounts.length = 0;
      },

      /** @param {{scopes: string[], account?: any, forceRefresh?: boolean}} request */
      async acquireTokenSilent(request) {
        const call = { method: "acquireTokenSilent", request: JSON.parse(JSON.stringify(request)), outcome: "" };
        standin.calls.push(call);
        try {
          if (!request || !Array.isArray(request.scopes) || !request.scopes.length) {
            throw new AuthError("empty_input_scopes_error", "scopes are required");
          }
          if (held && !request.forceRefresh && held.expiresOn.getTime() - 300_000 > Date.now()) {
            call.outcome = "cache";
            return result(true);
          }
          if (held && held.refreshToken) {
            const data = await redeem(meta, {
              grant_type: "refresh_token",
              client_id: clientId,
              refresh_token: held.refreshToken,
              scope: asked(request.scopes).join(" "),
            });
            call.outcome = "refresh";
            return keep(data, request.scopes);
          }
          const out = await brokerSilently(request.scopes);
          call.outcome = "broker";
          return out;
        } catch (error) {
          call.outcome = /** @type {any} */ (error).name || "error";
          throw error;
        }
      },

      /** @param {{scopes: string[]}} request */
      acquireTokenPopup(request) {
        const call = { method: "acquireTokenPopup", request: JSON.parse(JSON.stringify(request)), outcome: "" };
        standin.calls.push(call);
        // Opened before anything is awaited: a popup blocker lets a click open one window.
        const popup = window.open("about:blank", "msal-standin-popup", "popup,width=483,height=600");
        if (!popup) {
          call.outcome = "BrowserAuthError";
          return Promise.reject(new BrowserAuthError("popup_window_error", "the popup could not be opened"));
        }
        return (async () => {
          const redirectUri = standin.popupRedirectUri || `${location.origin}/msal-standin-redirect`;
          const { verifier, challenge } = await pkce();
          const state = b64url(crypto.getRandomValues(new Uint8Array(12)));
          popup.location.href = authorizeUrl(redirectUri, request.scopes, challenge, state);
          const href = await new Promise((resolve, reject) => {
            const started = Date.now();
            const timer = setInterval(() => {
              if (popup.closed) {
                clearInterval(timer);
                reject(new BrowserAuthError("user_cancelled", "the sign-in window was closed"));
                return;
              }
              let at = "";
              try {
                at = popup.location.href;
              } catch {
                at = ""; // at the provider: another origin
              }
              if (at.startsWith(redirectUri)) {
                clearInterval(timer);
                resolve(at);
              } else if (Date.now() - started > 120_000) {
                clearInterval(timer);
                reject(new BrowserAuthError("monitor_window_timeout", "the sign-in window did not come back"));
              }
            }, 50);
          });
          popup.close();
          const code = codeFrom(href, state);
          const data = await redeem(meta, {
            grant_type: "authorization_code",
            client_id: clientId,
            code,
            redirect_uri: redirectUri,
            code_verifier: verifier,
            scope: asked(request.scopes).join(" "),
          });
          call.outcome = "popup";
          return keep(data, request.scopes);
        })().catch((error) => {
          call.outcome = error.name || "error";
          try {
            popup.close();
          } catch {
            // already closed
          }
          throw error;
        });
      },
    };
    standin.clients.add(client);
    return client;
  }

  global.msal = {
    AuthError,
    InteractionRequiredAuthError,
    BrowserAuthError,
    /** @param {{auth: {clientId: string, authority: string}}} config */
    createNestablePublicClientApplication(config) {
      standin.calls.push({ method: "createNestablePublicClientApplication", request: JSON.parse(JSON.stringify(config)) });
      return discover(config.auth.authority).then((meta) => makeClient(config, meta));
    },
    __standin: standin,
  };
})(typeof window !== "undefined" ? window : globalThis);
