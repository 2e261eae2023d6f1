// @ts-check
// The task pane's token source (signin.js) against an MSAL nestable client and Office.js
// stand-ins, and the pane's "sign-in needed" state with its Sign in button.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import vm from "node:vm";
import { JSDOM } from "jsdom";

import { CaveatError, SIGN_IN_NEEDED } from "../../shared/api.js";
import { VERIFY_NOT_ALLOWED, startPane } from "../outlook.js";
import { t } from "../../shared/i18n.js";
import { createTokenSource, needsInteraction, tokenExpiry, tokenRoute } from "../signin.js";

const IDENTITY = /** @type {const} */ ({
  sign_in: true,
  client_id: "0c8f5e52-3b7d-4a61-8e2f-9d4c1b0a7e36",
  authority: "https://login.example/organizations",
  scopes: ["api://0c8f5e52-3b7d-4a61-8e2f-9d4c1b0a7e36/access_as_user"],
});

class InteractionRequiredAuthError extends Error {
  constructor(code = "interaction_required") {
    super(`${code}: the user must sign in`);
    this.name = "InteractionRequiredAuthError";
    this.errorCode = code;
  }
}

/**
 * An MSAL nestable client: silent answers from `silentTokens` in turn (none left: an
 * InteractionRequiredAuthError); the popup from `popupTokens`; every call recorded.
 * @param {{silentTokens?: string[], popupTokens?: (string | Error)[], expiresInMs?: number}} options
 */
function fakeMsal({ silentTokens = [], popupTokens = [], expiresInMs = 3600_000 } = {}) {
  /** @type {any[]} */
  const calls = [];
  /** @type {any} */
  let active = null;
  const account = { username: "ana@example.org", name: "Ana Example", homeAccountId: "ana.tid" };
  const result = (/** @type {string} */ token) => ({ accessToken: token, expiresOn: new Date(Date.now() + expiresInMs), account });
  const msal = {
    InteractionRequiredAuthError,
    async createNestablePublicClientApplication(/** @type {any} */ config) {
      calls.push(["create", config]);
      return {
        getActiveAccount: () => active,
        getAllAccounts: () => (active ? [active] : []),
        setActiveAccount: (/** @type {any} */ a) => (active = a),
        async acquireTokenSilent(/** @type {any} */ request) {
          calls.push(["silent", request]);
          const next = silentTokens.shift();
          if (!next) throw new InteractionRequiredAuthError();
          return result(next);
        },
        acquireTokenPopup(/** @type {any} */ request) {
          calls.push(["popup", request]);
          const next = popupTokens.shift();
          if (!next || next instanceof Error) return Promise.reject(next ?? Object.assign(new Error("user_cancelled"), { errorCode: "user_cancelled" }));
          return Promise.resolve(result(next));
        },
      };
    },
  };
  return { msal, calls };
}

/**
 * @param {{naa?: boolean, sso?: (options: any) => Promise<string>}} options
 */
function fakeOffice({ naa = true, sso } = {}) {
  return {
    context: { requirements: { isSetSupported: (/** @type {string} */ name, /** @type {string} */ v) => name === "NestedAppAuth" && naa && v === "1.1" } },
    ...(sso ? { auth: { getAccessToken: sso } } : {}),
  };
}

/** An unsigned JWT-shaped token with this expiry (seconds). */
function jwtWithExp(/** @type {number} */ exp) {
  const b64 = (/** @type {object} */ o) => Buffer.from(JSON.stringify(o)).toString("base64url");
  return `${b64({ alg: "RS256" })}.${b64({ exp, sub: "x" })}.sig`;
}

test("the route: NAA where Outlook has NestedAppAuth 1.1 and MSAL is loaded, else Office SSO, else none", () => {
  const { msal } = fakeMsal();
  assert.equal(tokenRoute(fakeOffice(), msal), "naa");
  assert.equal(tokenRoute(fakeOffice({ naa: false, sso: async () => "t" }), msal), "sso");
  assert.equal(tokenRoute(fakeOffice({ sso: async () => "t" }), undefined), "sso");
  assert.equal(tokenRoute(fakeOffice({ naa: false }), msal), "none");
  const throwing = { context: { requirements: { isSetSupported: () => { throw new Error("old Office"); } } } };
  assert.equal(tokenRoute(throwing, msal), "none");
});

test("silent first, with the account MSAL knows; the token is kept until a minute before it expires", async () => {
  const { msal, calls } = fakeMsal({ silentTokens: ["t1", "t2"], expiresInMs: 30 * 60_000 });
  let now = Date.now();
  const source = createTokenSource({ Office: fakeOffice(), msal, identity: IDENTITY, now: () => now });
  await source.init();
  assert.deepEqual(calls[0], ["create", { auth: { clientId: IDENTITY.client_id, authority: IDENTITY.authority } }]);
  assert.equal(await source.getToken(), "t1");
  assert.deepEqual(calls[1], ["silent", { scopes: IDENTITY.scopes }]);
  assert.deepEqual(source.signedIn(), { name: "Ana Example", username: "ana@example.org" });
  assert.equal(await source.getToken(), "t1");
  assert.equal(calls.length, 2);
  now += 29.5 * 60_000; // within the last minute
  assert.equal(await source.getToken(), "t2");
  assert.equal(calls[2][1].account.username, "ana@example.org");
});

test("renew asks again with forceRefresh; interaction required is 'sign-in needed'", async () => {
  const { msal, calls } = fakeMsal({ silentTokens: ["t1"] });
  const source = createTokenSource({ Office: fakeOffice(), msal, identity: IDENTITY });
  await source.init();
  await source.getToken();
  await assert.rejects(source.renew(), (error) => {
    assert.ok(error instanceof CaveatError);
    assert.equal(error.kind, "signin");
    assert.equal(error.message, SIGN_IN_NEEDED);
    return true;
  });
  assert.equal(calls[2][1].forceRefresh, true);
});

test("Sign in opens the popup at once, before anything is awaited, and its token is used after", async () => {
  const { msal, calls } = fakeMsal({ popupTokens: ["from-popup"] });
  const source = createTokenSource({ Office: fakeOffice(), msal, identity: IDENTITY });
  await source.init();
  await assert.rejects(source.getToken(), { kind: "signin" });
  const pending = source.signIn();
  assert.deepEqual(calls.at(-1), ["popup", { scopes: IDENTITY.scopes }], "the popup was asked for synchronously");
  assert.equal(await pending, "from-popup");
  assert.equal(await source.getToken(), "from-popup");
});

test("a popup closed or refused is 'sign-in needed' with MSAL's error code, never the token", async () => {
  const { msal } = fakeMsal({ popupTokens: [Object.assign(new Error("secret-ish details"), { errorCode: "user_cancelled" })] });
  const source = createTokenSource({ Office: fakeOffice(), msal, identity: IDENTITY });
  await source.init();
  await assert.rejects(source.signIn(), { kind: "signin", message: "sign-in needed (user_cancelled)" });
});

test("Office SSO where NAA is missing: prompts allowed, the JWT's own expiry kept", async () => {
  /** @type {any[]} */
  const asked = [];
  const token = jwtWithExp(Math.floor(Date.now() / 1000) + 600);
  const source = createTokenSource({
    Office: fakeOffice({ naa: false, sso: async (options) => (asked.push(options), token) }),
    msal: fakeMsal().msal,
    identity: IDENTITY,
  });
  await source.init();
  assert.equal(source.route, "sso");
  assert.equal(await source.getToken(), token);
  assert.equal(await source.getToken(), token);
  assert.deepEqual(asked, [{ allowSignInPrompt: true, allowConsentPrompt: true, forMSGraphAccess: false }]);
  const failing = createTokenSource({
    Office: fakeOffice({ naa: false, sso: async () => Promise.reject({ code: 13001 }) }),
    identity: IDENTITY,
  });
  await assert.rejects(failing.getToken(), { kind: "signin", message: "sign-in needed (13001)" });
  const none = createTokenSource({ Office: fakeOffice({ naa: false }), identity: IDENTITY });
  await assert.rejects(none.getToken(), { kind: "signin" });
});

test("helpers: needsInteraction and tokenExpiry", () => {
  assert.equal(needsInteraction({ InteractionRequiredAuthError }, new InteractionRequiredAuthError()), true);
  assert.equal(needsInteraction(undefined, { errorCode: "consent_required" }), true);
  assert.equal(needsInteraction(undefined, { errorCode: "network_error" }), false);
  assert.equal(tokenExpiry(jwtWithExp(1_900_000_000)), 1_900_000_000_000);
  assert.equal(tokenExpiry("cav_not_a_jwt"), null);
  assert.equal(tokenExpiry("a.!!!.c"), null);
});

// ------------------------------------------------------------------ the pane

const STANDIN = readFileSync(new URL("./office-standin.js", import.meta.url), "utf8");

function office() {
  /** @type {any} */
  const context = { setTimeout, Promise, Map, Date, parseFloat };
  vm.runInNewContext(STANDIN, context);
  return context.Office;
}

function pane() {
  const dom = new JSDOM('<!doctype html><main id="caveat"></main>');
  return /** @type {Element} */ (dom.window.document.getElementById("caveat"));
}

async function until(/** @type {() => boolean} */ predicate, what = "condition") {
  for (let i = 0; i < 200; i++) {
    if (predicate()) return;
    await new Promise((r) => setTimeout(r, 5));
  }
  assert.fail(`timed out waiting for ${what}`);
}

const ITEM = {
  subject: "Invoice 77",
  from: { displayName: "Dana", emailAddress: "dana@northwind.example" },
  to: [{ displayName: "Anna Keller", emailAddress: "anna.keller@partnera.example" }],
  headers: "From: Dana <dana@northwind.example>\r\n",
  body: "Please pay.",
  conversationId: "AAQkADsignin",
  internetMessageId: "<signin-1@northwind.example>",
};
const NONE = { level: "none", score: 0, banner: null, findings: [], checked_at: "2026-12-06T10:00:00Z" };

test("sign-in needed: the pane and the bar say so, Sign in checks again once signed in, the report names no reporter", async () => {
  const Office = office();
  const root = pane();
  let signedIn = false;
  /** @type {any[]} */
  const calls = [];
  const client = {
    async analyze(/** @type {any} */ payload) {
      calls.push(["analyze", payload]);
      if (!signedIn) throw new CaveatError("signin", SIGN_IN_NEEDED);
      return NONE;
    },
    async senderContact() {
      return { known: false };
    },
    async report(/** @type {any} */ report) {
      calls.push(["report", report]);
      return {};
    },
  };
  let clicks = 0;
  const auth = {
    signIn: () => {
      clicks++;
      signedIn = true;
      return Promise.resolve("token");
    },
    active: () => true,
  };
  Office.__standin.start(ITEM);
  startPane({ Office, root, client: /** @type {any} */ (client), auth });
  await until(() => root.getAttribute("data-level") === "unknown", "the failure state");
  assert.match(root.textContent ?? "", /Caveat could not check this message/);
  assert.match(root.textContent ?? "", /Sign-in needed\. Choose Sign in to check it/);
  assert.equal(root.querySelector("button.verify"), null, "Verify sender would need the same sign-in");
  assert.equal(root.querySelector("button.report"), null);
  const bar = Office.__standin.calls[0];
  assert.match(bar.message, /^Caveat could not check this message: sign-in needed\./);
  assert.ok(bar.message.length <= 150);
  const button = /** @type {HTMLButtonElement} */ (root.querySelector("button.signin"));
  assert.ok(button, "a Sign in button");
  assert.equal(button.textContent, "Sign in");
  button.click();
  assert.equal(clicks, 1, "the click signs in at once");
  await until(() => root.getAttribute("data-level") === "none", "the verdict after signing in");
  assert.equal(calls.filter((c) => c[0] === "analyze").length, 2);
  assert.equal(root.querySelector("button.signin"), null);
  /** @type {HTMLButtonElement} */ (root.querySelector("button.report")).click();
  await until(() => calls.some((c) => c[0] === "report"), "the report");
  assert.equal("reporter" in calls.find((c) => c[0] === "report")[1], false);
});

test("a sign-in that fails says so and keeps the button; other failures get no Sign in button", async () => {
  const Office = office();
  const root = pane();
  const client = {
    analyze: async () => {
      throw new CaveatError("signin", SIGN_IN_NEEDED);
    },
  };
  const auth = { signIn: () => Promise.reject(new CaveatError("signin", "sign-in needed (user_cancelled)")), active: () => true };
  Office.__standin.start(ITEM);
  startPane({ Office, root, client: /** @type {any} */ (client), auth });
  await until(() => root.querySelector("button.signin") !== null, "the button");
  /** @type {HTMLButtonElement} */ (root.querySelector("button.signin")).click();
  await until(() => root.querySelector(".action-message.error") !== null, "the failure");
  assert.match(root.querySelector(".action-message.error")?.textContent ?? "", /^Not signed in: sign-in needed \(user_cancelled\)/);
  assert.ok(root.querySelector("button.signin"));

  const other = pane();
  const office2 = office();
  office2.__standin.start(ITEM);
  const down = { analyze: async () => { throw new CaveatError("unreachable", "the service could not be reached"); } };
  startPane({ Office: office2, root: other, client: /** @type {any} */ (down), auth });
  await until(() => other.getAttribute("data-level") === "unknown", "the failure state");
  assert.equal(other.querySelector("button.signin"), null);
});

test("Verify sender refused for the person's role says so, not 'could not be reached'", async () => {
  const Office = office();
  const root = pane();
  const client = {
    analyze: async () => NONE,
    senderContact: async () => {
      throw new CaveatError("forbidden", "the permission contacts is needed", 403);
    },
    report: async () => ({}),
  };
  Office.__standin.start(ITEM);
  startPane({ Office, root, client: /** @type {any} */ (client), auth: { signIn: async () => "t", active: () => true } });
  await until(() => root.getAttribute("data-level") === "none", "the verdict");
  /** @type {HTMLButtonElement} */ (root.querySelector("button.verify")).click();
  await until(() => root.querySelector(".action-message.error") !== null, "the answer");
  assert.equal(root.querySelector(".action-message.error")?.textContent, t(VERIFY_NOT_ALLOWED));
});
