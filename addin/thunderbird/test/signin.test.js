// @ts-check
// Signing in from Thunderbird: PKCE and the redirect's checks (signin.js alone), then the
// background against the messenger stand-in, a service that wants tokens and a provider
// stand-in: silent sign-in, the token on every call and never the key, refresh before
// expiry and after a refusal, sign-out, and the "sign-in needed" state in banner and popup.
import { test } from "node:test";
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { JSDOM } from "jsdom";

import { COULD_NOT_CHECK, MAX_TEXT } from "../../shared/banner.js";
import { createCaveat } from "../caveat.js";
import { startOptions } from "../options.js";
import { startPopup } from "../popup.js";
import {
  ACCESS_KEY,
  REFRESH_KEY,
  REFRESH_MARGIN_MS,
  SIGNED_OUT_KEY,
  SILENT_RETRY_MS,
  SignInError,
  authorizeUrl,
  base64url,
  challengeOf,
  cleanIdentity,
  codeFromRedirect,
  createSession,
  pkcePair,
  refreshAt,
  refreshDelay,
  requestScopes,
  whoFrom,
} from "../signin.js";
import { AUTHORIZE, CLIENT_ID, IDENTITY, ISSUER, SCOPE, TOKEN, createIssuer } from "./issuer-standin.js";
import { REDIRECT_URL, createStandin } from "./messenger-standin.js";
import { DANGER, KEY, NONE, SERVICE, createService } from "./service-standin.js";

const EML = readFileSync(new URL("../../../tests/fixtures/seed/02-fake-reply-via-relay.eml", import.meta.url), "utf8");
const OPTIONS_HTML = readFileSync(new URL("../options.html", import.meta.url), "utf8");
const POPUP_HTML = readFileSync(new URL("../popup.html", import.meta.url), "utf8");
const FAKE_REPLY = {
  id: 11,
  subject: "RE: Invoice 2024-1187 - payment reminder",
  author: "Finance Person <finance-person@partnerb.example>",
  headerMessageId: "20241106123140.8f3a1c2b@relay.mailrelay-host.example",
};
const OTHER = { ...FAKE_REPLY, id: 12, headerMessageId: "other@example.org" };
const THIRD = { ...FAKE_REPLY, id: 13, headerMessageId: "third@example.org" };
/** @type {import("../signin.js").SignInIdentity} */
const SIGN_IN = /** @type {any} */ (cleanIdentity(IDENTITY));

// ---------------------------------------------------------------- signin.js alone

test("PKCE: the S256 challenge of RFC 7636's example verifier", async () => {
  assert.equal(await challengeOf("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"), "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM");
});

test("PKCE: a fresh 43-character verifier each time, and its challenge", async () => {
  const a = await pkcePair();
  const b = await pkcePair();
  assert.match(a.verifier, /^[A-Za-z0-9\-_]{43}$/);
  assert.notEqual(a.verifier, b.verifier);
  assert.equal(a.challenge, createHash("sha256").update(a.verifier).digest("base64url"));
  assert.equal(base64url(new Uint8Array([0xfb, 0xff, 0xfe])), "-__-");
});

test("the authorization request: code, PKCE S256, the redirect, the scopes plus openid and offline_access", () => {
  const url = new URL(authorizeUrl(SIGN_IN, { redirectUri: REDIRECT_URL, state: "st4te", challenge: "ch", silent: false }));
  assert.equal(url.origin + url.pathname, AUTHORIZE);
  const p = Object.fromEntries(url.searchParams);
  assert.deepEqual(p, {
    client_id: CLIENT_ID,
    response_type: "code",
    redirect_uri: REDIRECT_URL,
    scope: `${SCOPE} openid profile offline_access`,
    state: "st4te",
    code_challenge: "ch",
    code_challenge_method: "S256",
  });
  const silent = new URL(authorizeUrl(SIGN_IN, { redirectUri: REDIRECT_URL, state: "s", challenge: "c", silent: true }));
  assert.equal(silent.searchParams.get("prompt"), "none");
  assert.deepEqual(requestScopes(["openid", "x"]), ["openid", "x", "profile", "offline_access"]);
});

test("the redirect: the code only with our state, at our address; the provider's errors in words", () => {
  const ok = `${REDIRECT_URL}?code=abc&state=s1`;
  assert.equal(codeFromRedirect(ok, { redirectUri: REDIRECT_URL, state: "s1" }), "abc");
  /** @param {string} url @param {string} kind @param {RegExp} words */
  const refused = (url, kind, words) =>
    assert.throws(
      () => codeFromRedirect(url, { redirectUri: REDIRECT_URL, state: "s1" }),
      (/** @type {any} */ e) => e instanceof SignInError && e.kind === kind && words.test(e.message),
    );
  refused(`${REDIRECT_URL}?code=abc&state=s2`, "sign_in_failed", /state differs/);
  refused(`${REDIRECT_URL}?code=abc`, "sign_in_failed", /state differs/);
  refused(`https://attacker.example/?code=abc&state=s1`, "sign_in_failed", /another address/);
  refused(`${REDIRECT_URL}?error=login_required&state=s1`, "sign_in_needed", /login_required/);
  refused(`${REDIRECT_URL}?error=interaction_required&state=s1`, "sign_in_needed", /sign in/);
  refused(`${REDIRECT_URL}?error=access_denied&error_description=no&state=s1`, "sign_in_failed", /access_denied \(no\)/);
  refused(`${REDIRECT_URL}?state=s1`, "sign_in_failed", /no authorization code/);
  refused("not a url", "sign_in_failed", /not an address/);
});

test("the service's sign-in settings are checked: https endpoints (http on loopback only), a client id", () => {
  assert.deepEqual(cleanIdentity({ sign_in: false }), { signIn: false });
  assert.deepEqual(cleanIdentity({ sign_in: true, client_id: "c", issuer: "http://127.0.0.1:9/t/v2.0", scopes: ["a b", "ok"], authorization_endpoint: "http://127.0.0.1:9/a", token_endpoint: "http://localhost:9/t" }), {
    signIn: true,
    issuer: "http://127.0.0.1:9/t/v2.0",
    clientId: "c",
    scopes: ["ok"],
    authorizationEndpoint: "http://127.0.0.1:9/a",
    tokenEndpoint: "http://localhost:9/t",
  });
  for (const bad of [
    { ...IDENTITY, client_id: "" },
    { ...IDENTITY, token_endpoint: "http://login.example.org/token" },
    { ...IDENTITY, authorization_endpoint: "javascript:alert(1)" },
    { ...IDENTITY, authorization_endpoint: undefined },
    null,
  ]) {
    assert.throws(() => cleanIdentity(bad), (/** @type {any} */ e) => e.kind === "identity_invalid");
  }
});

test("refresh is due REFRESH_MARGIN_MS before expiry, half way for a short-lived token, never in the past", () => {
  assert.equal(refreshDelay({ issuedAt: 0, expiresAt: 3_600_000 }, 0), 3_600_000 - REFRESH_MARGIN_MS);
  assert.equal(refreshDelay({ issuedAt: 0, expiresAt: 3_600_000 }, 1000), 3_600_000 - REFRESH_MARGIN_MS - 1000);
  // A token of 100 s: due after 50 s, not at once (which would refresh without end).
  assert.equal(refreshAt({ issuedAt: 0, expiresAt: 100_000 }), 50_000);
  assert.equal(refreshDelay({ issuedAt: 0, expiresAt: 100_000 }, 0), 50_000);
  assert.equal(refreshDelay({ issuedAt: 0, expiresAt: 100_000 }, 80_000), 0);
  assert.equal(refreshDelay({ issuedAt: 0, expiresAt: 0 }, 50), 0);
});

test("a short-lived token is used, and refreshed half way, not on every call", async () => {
  const { tb, issuer, clock, analyzeCalls, timers } = await signedService({ expiresIn: 100 });
  await tb.display(7, [FAKE_REPLY.id]);
  await tb.display(7, [OTHER.id]);
  assert.deepEqual(issuer.grants.map((g) => g.grant), ["authorization_code"]);
  assert.deepEqual(timers.map((t) => t.ms), [50_000]);
  assert.equal(analyzeCalls()[0].headers.authorization, analyzeCalls()[1].headers.authorization);
  clock.now += 50_001;
  tb.openTab({ id: 9 });
  await tb.display(9, [THIRD.id]);
  assert.deepEqual(issuer.grants.map((g) => g.grant), ["authorization_code", "refresh_token"]);
});

test("who is signed in: the ID token's name and user name, else the access token's", () => {
  const claims = (/** @type {object} */ c) => `e30.${Buffer.from(JSON.stringify(c)).toString("base64url")}.x`;
  assert.deepEqual(whoFrom(claims({ name: "Ana", preferred_username: "ana@example.org" }), ""), { name: "Ana", username: "ana@example.org" });
  assert.deepEqual(whoFrom("garbage", claims({ email: "e@example.org" })), { name: "", username: "e@example.org" });
  assert.deepEqual(whoFrom("a.b", "x.%%%.y"), { name: "", username: "" });
});

// ---------------------------------------------------------------- the background

/**
 * A started background whose service signs people in.
 * @param {{
 *   signedIn?: "ana" | "fin" | null,
 *   stored?: Record<string, unknown>,
 *   deployment?: Record<string, unknown>,
 *   analyze?: (p: any) => any,
 *   accept?: (token: string, issuer: ReturnType<typeof createIssuer>) => boolean,
 *   noSession?: boolean,
 *   expiresIn?: number,
 * }} [options]
 */
async function signedService(options = {}) {
  const clock = { now: 1_800_000_000_000 };
  const now = () => clock.now;
  const tb = createStandin();
  tb.control.noSession = options.noSession ?? false;
  if (options.stored) Object.assign(tb.storageData, options.stored);
  tb.addMessage(FAKE_REPLY, { raw: EML, parts: [{ contentType: "text/plain", content: "Hello" }] });
  tb.addMessage(OTHER, { raw: EML, parts: [{ contentType: "text/plain", content: "Hello" }] });
  tb.addMessage(THIRD, { raw: EML, parts: [{ contentType: "text/plain", content: "Hello" }] });
  const issuer = createIssuer({ now, expiresIn: options.expiresIn, signedIn: options.signedIn === undefined ? "ana" : options.signedIn });
  tb.control.provider = issuer.authorize;
  const service = createService({
    identity: IDENTITY,
    analyze: options.analyze ?? ((p) => (p.internet_message_id === FAKE_REPLY.headerMessageId ? DANGER : NONE)),
    acceptToken: (token) => (options.accept ? options.accept(token, issuer) : issuer.valid(token)),
    fallback: issuer.fetchToken,
  });
  /** @type {{fn: () => void, ms: number}[]} */
  const timers = [];
  const session = createSession({
    messenger: tb.messenger,
    fetchImpl: service.fetch,
    now,
    setTimer: (fn, ms) => {
      const t = { fn, ms };
      timers.push(t);
      return t;
    },
    clearTimer: (t) => {
      const at = timers.indexOf(t);
      if (at >= 0) timers.splice(at, 1);
    },
  });
  const caveat = createCaveat({
    messenger: tb.messenger,
    fetchImpl: service.fetch,
    loadDeployment: async () => /** @type {any} */ (options.deployment ?? { base_url: SERVICE }),
    timeoutMs: 200,
    now,
    session,
  });
  await caveat.start();
  const analyzeCalls = () => service.to("/api/v1/analyze");
  const banner = () => tb.send({ command: "banner" }, tb.displaySender(7));
  return { tb, issuer, service, caveat, clock, timers, analyzeCalls, banner, session };
}

test("a first message: a silent sign-in (prompt=none, no window), then the check with the person's token", async () => {
  const { tb, issuer, analyzeCalls, banner } = await signedService();
  await tb.display(7, [FAKE_REPLY.id]);
  assert.deepEqual(
    tb.authFlows.map((f) => [f.interactive, new URL(f.url).searchParams.get("prompt")]),
    [[false, "none"]],
  );
  assert.deepEqual(issuer.grants, [{ grant: "authorization_code", ok: true }]);
  const [call] = analyzeCalls();
  const token = call.headers.authorization.replace(/^Bearer /, "");
  assert.equal(issuer.userOf(token), "ana");
  assert.equal(((await banner()) ?? {}).level, "danger");
  // The access token only in session storage; the refresh token and who in local storage.
  assert.equal(/** @type {any} */ (tb.sessionData[ACCESS_KEY]).token, token);
  assert.ok(!JSON.stringify(tb.storageData).includes(token));
  const kept = /** @type {any} */ (tb.storageData[REFRESH_KEY]);
  assert.match(kept.token, /^rt-/);
  assert.equal(kept.name, "Ana Example");
  assert.equal(kept.username, "ana@example.org");
});

test("with sign-in on the key is never sent, even when the deployment carries one", async () => {
  const { tb, service, analyzeCalls } = await signedService({ deployment: { base_url: SERVICE, api_key: KEY } });
  await tb.display(7, [FAKE_REPLY.id]);
  assert.equal(analyzeCalls().length, 1);
  for (const r of service.requests) assert.notEqual(r.headers.authorization, `Bearer ${KEY}`);
});

test("the token is reused while it lives, and refreshed (not signed in again) once it is near expiry", async () => {
  const { tb, issuer, clock, analyzeCalls, timers } = await signedService();
  await tb.display(7, [FAKE_REPLY.id]);
  await tb.display(7, [OTHER.id]);
  const [first, second] = analyzeCalls().map((c) => c.headers.authorization);
  assert.equal(first, second);
  // A timer to refresh REFRESH_MARGIN_MS before the hour is up.
  assert.deepEqual(timers.map((t) => t.ms), [3600_000 - REFRESH_MARGIN_MS]);
  clock.now += 3600_000 - REFRESH_MARGIN_MS + 1; // the background slept through its timer
  tb.openTab({ id: 9 });
  await tb.display(9, [THIRD.id]);
  assert.deepEqual(issuer.grants.map((g) => g.grant), ["authorization_code", "refresh_token"]);
  assert.equal(tb.authFlows.length, 1, "no new authorization");
  const third = analyzeCalls()[2].headers.authorization;
  assert.notEqual(third, first);
  assert.ok(issuer.valid(third.replace("Bearer ", "")));
});

test("the timer refreshes before expiry while the background is awake", async () => {
  const { tb, issuer, timers, clock } = await signedService();
  await tb.display(7, [FAKE_REPLY.id]);
  assert.equal(timers.length, 1);
  clock.now += timers[0].ms;
  timers[0].fn();
  for (let i = 0; i < 50 && issuer.grants.length < 2; i++) await new Promise((r) => setTimeout(r, 2));
  assert.deepEqual(issuer.grants.map((g) => g.grant), ["authorization_code", "refresh_token"]);
  assert.equal(timers.length, 1, "the next refresh is scheduled");
});

test("after a restart: no access token (session storage is gone), the refresh token gets one silently", async () => {
  const first = await signedService();
  await first.tb.display(7, [FAKE_REPLY.id]);
  // A new Thunderbird session: storage.local kept, storage.session empty.
  const tb = createStandin();
  Object.assign(tb.storageData, structuredClone(first.tb.storageData));
  tb.addMessage(OTHER, { raw: EML, parts: [] });
  tb.control.provider = first.issuer.authorize;
  first.issuer.state.session = null;
  const service = createService({ identity: IDENTITY, acceptToken: first.issuer.valid, fallback: first.issuer.fetchToken, analyze: () => NONE });
  const now = () => first.clock.now;
  const session = createSession({ messenger: tb.messenger, fetchImpl: service.fetch, now, setTimer: () => null, clearTimer: () => undefined });
  const caveat = createCaveat({ messenger: tb.messenger, fetchImpl: service.fetch, loadDeployment: async () => ({ base_url: SERVICE }), now, session });
  await caveat.start();
  await tb.display(7, [OTHER.id]);
  assert.deepEqual(first.issuer.grants.map((g) => g.grant), ["authorization_code", "refresh_token"]);
  assert.equal(tb.authFlows.length, 0);
  const [call] = service.to("/api/v1/analyze");
  assert.equal(first.issuer.userOf(call.headers.authorization.replace("Bearer ", "")), "ana");
});

test("a token the service refuses (401) is refreshed once and the call made again", async () => {
  let refuseNext = false;
  const { tb, issuer, analyzeCalls, banner } = await signedService({
    accept: (token, iss) => {
      if (refuseNext) {
        refuseNext = false;
        return false;
      }
      return iss.valid(token);
    },
  });
  await tb.display(7, [OTHER.id]);
  refuseNext = true;
  await tb.display(7, [FAKE_REPLY.id]);
  const calls = analyzeCalls();
  assert.equal(calls.length, 3);
  assert.equal(calls[1].headers.authorization, calls[0].headers.authorization);
  assert.notEqual(calls[2].headers.authorization, calls[1].headers.authorization);
  assert.deepEqual(issuer.grants.map((g) => g.grant), ["authorization_code", "refresh_token"]);
  assert.equal(((await banner()) ?? {}).level, "danger");
});

test("a service that refuses every token: one retry, then 'could not check' saying so", async () => {
  const { tb, analyzeCalls, banner } = await signedService({ accept: () => false });
  await tb.display(7, [FAKE_REPLY.id]);
  assert.equal(analyzeCalls().length, 2);
  const shown = /** @type {any} */ (await banner());
  assert.equal(shown.level, "unknown");
  assert.match(shown.text, /refused your sign-in/);
});

test("no session at the provider: 'could not check: sign-in needed' in banner, badge and popup; no window opened", async () => {
  const { tb, analyzeCalls, banner, issuer, clock } = await signedService({ signedIn: null });
  await tb.display(7, [FAKE_REPLY.id]);
  assert.equal(analyzeCalls().length, 0);
  assert.deepEqual(tb.authFlows.map((f) => f.interactive), [false]);
  const shown = /** @type {any} */ (await banner());
  assert.equal(shown.level, "unknown");
  assert.equal(shown.text, `${COULD_NOT_CHECK}: sign-in needed. Open Caveat's settings and sign in. Treat it with care.`);
  assert.ok(shown.text.length <= MAX_TEXT);
  assert.match(String(tb.badge(7).title), /sign-in needed/);

  // The popup offers Sign in, which opens the settings page.
  const dom = new JSDOM(POPUP_HTML, { runScripts: "outside-only" });
  const root = /** @type {Element} */ (dom.window.document.getElementById("caveat"));
  await startPopup({ root, send: (m) => tb.send(m, tb.popupSender()), openOptions: () => tb.messenger.runtime.openOptionsPage() });
  assert.equal(root.getAttribute("data-level"), "unknown");
  assert.match(root.textContent ?? "", /Sign-in needed/);
  const button = /** @type {HTMLButtonElement} */ (root.querySelector("button.signin"));
  button.click();
  for (let i = 0; i < 20 && !tb.optionsOpened(); i++) await new Promise((r) => setTimeout(r, 2));
  assert.equal(tb.optionsOpened(), 1);

  // Another message soon after: no new silent attempt at the provider.
  clock.now += 60_000;
  tb.openTab({ id: 9 });
  await tb.display(9, [OTHER.id]);
  assert.equal(tb.authFlows.length, 1);
  // Later, another silent try.
  clock.now += SILENT_RETRY_MS;
  issuer.state.session = "ana";
  tb.openTab({ id: 10 });
  await tb.display(10, [OTHER.id]);
  assert.equal(tb.authFlows.length, 2);
  assert.equal(analyzeCalls().length, 1);
});

test("a refresh token the provider revoked: forgotten, then a silent sign-in", async () => {
  const { tb, issuer, clock, analyzeCalls } = await signedService();
  await tb.display(7, [FAKE_REPLY.id]);
  issuer.revokeAll();
  clock.now += 3600_000;
  tb.openTab({ id: 9 });
  await tb.display(9, [OTHER.id]);
  assert.deepEqual(
    issuer.grants.map((g) => [g.grant, g.ok]),
    [
      ["authorization_code", true],
      ["refresh_token", false],
      ["authorization_code", true],
    ],
  );
  assert.equal(analyzeCalls().length, 2);
});

test("a provider that cannot be reached: 'could not check', naming the sign-in service", async () => {
  const { tb, issuer, banner } = await signedService();
  issuer.state.down = true;
  await tb.display(7, [FAKE_REPLY.id]);
  const shown = /** @type {any} */ (await banner());
  assert.match(shown.text, /sign-in service could not be reached/);
});

test("report: sent with the person's token (the service names the reporter from it), never a reporter field", async () => {
  const { tb, service, issuer } = await signedService();
  await tb.display(7, [FAKE_REPLY.id]);
  const answer = await tb.send({ command: "report", messageId: FAKE_REPLY.id }, tb.popupSender());
  assert.deepEqual(answer, { ok: true });
  assert.deepEqual(service.reporters.map((t) => issuer.userOf(t)), ["ana"]);
  assert.equal(service.to("/api/v1/reports")[0].body.reporter, null);
});

test("sign out: tokens gone, no silent sign-in, 'sign-in needed'; sign in again from the settings", async () => {
  const { tb, analyzeCalls, banner, issuer } = await signedService();
  await tb.display(7, [FAKE_REPLY.id]);
  const out = /** @type {any} */ (await tb.send({ command: "signOut" }, tb.popupSender()));
  assert.equal(out.ok, true);
  assert.deepEqual(out.account, { signIn: true, signedIn: false, label: "", tokenOrigin: "https://login.example.org/*", tokenAllowed: false });
  assert.equal(tb.storageData[REFRESH_KEY], undefined);
  assert.equal(tb.sessionData[ACCESS_KEY], undefined);
  assert.equal(tb.storageData[SIGNED_OUT_KEY], true);
  tb.openTab({ id: 9 });
  await tb.display(9, [OTHER.id]);
  assert.equal(tb.authFlows.length, 1, "no silent sign-in after signing out");
  assert.equal(analyzeCalls().length, 1);
  // The display script of the first tab asks again: the answer was dropped with the tokens.
  const shown = /** @type {any} */ (await banner());
  assert.match(shown.text, /sign-in needed/);

  // Sign in from the settings page: the provider's window this time, as another person.
  issuer.state.session = null;
  issuer.state.windowUser = "fin";
  const back = /** @type {any} */ (await tb.send({ command: "signIn" }, tb.popupSender()));
  assert.equal(back.ok, true);
  assert.equal(back.account.label, "Fin Example <fin@example.org>");
  assert.deepEqual(tb.authFlows.map((f) => f.interactive), [false, true]);
  assert.equal(new URL(tb.authFlows[1].url).searchParams.get("prompt"), null);
  assert.equal(tb.storageData[SIGNED_OUT_KEY], undefined);
  assert.equal(((await banner()) ?? {}).level, "danger");
});

test("a closed sign-in window says so; the commands are refused from a message's display script", async () => {
  const { tb, issuer } = await signedService({ signedIn: null });
  tb.control.provider = () => {
    throw new (class extends Error {})("closed");
  };
  const answer = /** @type {any} */ (await tb.send({ command: "signIn" }, tb.popupSender()));
  assert.equal(answer.ok, false);
  assert.match(answer.message, /^Not signed in: /);
  tb.control.provider = issuer.authorize;
  for (const command of ["signIn", "signOut", "account"]) {
    await assert.rejects(tb.send({ command }, tb.displaySender(7)));
  }
});

test("tokens of another provider or client are not used", async () => {
  const stored = { [REFRESH_KEY]: { token: "rt-old", binding: JSON.stringify([ISSUER, "other-client", TOKEN]), name: "Old", username: "old@example.org" } };
  const { tb, issuer } = await signedService({ stored });
  await tb.display(7, [FAKE_REPLY.id]);
  assert.deepEqual(issuer.grants.map((g) => g.grant), ["authorization_code"]);
});

test("without session storage the access token stays in memory only", async () => {
  const { tb, analyzeCalls } = await signedService({ noSession: true });
  await tb.display(7, [FAKE_REPLY.id]);
  await tb.display(7, [OTHER.id]);
  const [a, b] = analyzeCalls().map((c) => c.headers.authorization);
  assert.equal(a, b);
  assert.ok(!JSON.stringify(tb.storageData).includes(a.replace("Bearer ", "")));
});

// ---------------------------------------------------------------- the settings page

/**
 * @param {Awaited<ReturnType<typeof signedService>>} world
 */
async function optionsPage(world) {
  const dom = new JSDOM(OPTIONS_HTML, { runScripts: "outside-only" });
  const document = dom.window.document;
  await startOptions({
    document,
    messenger: world.tb.messenger,
    loadDeployment: async () => ({ base_url: SERVICE }),
    send: (m) => world.tb.send(m, world.tb.popupSender()),
  });
  const $ = (/** @type {string} */ id) => /** @type {HTMLElement} */ (document.getElementById(id));
  /** @param {string} id */
  async function click(id) {
    world.tb.control.userInput = true;
    try {
      /** @type {HTMLButtonElement} */ ($(id)).click();
    } finally {
      world.tb.control.userInput = false;
    }
    for (let i = 0; i < 60; i++) await new Promise((r) => setTimeout(r, 2));
  }
  return { $, click };
}

test("the settings page: not signed in, Sign in (asking for the provider's host from the click), then who, then Sign out", async () => {
  const world = await signedService({ signedIn: null });
  const { $, click } = await optionsPage(world);
  assert.equal($("account").hidden, false);
  assert.equal($("key-fields").hidden, true, "no key field when people sign in");
  assert.match($("account-status").textContent ?? "", /^Not signed in/);
  assert.equal($("sign-in").hidden, false);
  assert.equal($("sign-out").hidden, true);

  await click("sign-in");
  assert.deepEqual(world.tb.permissionRequests, [{ origins: ["https://login.example.org/*"], userInput: true }]);
  assert.equal($("account-status").textContent, "Signed in as Ana Example <ana@example.org>.");
  assert.equal($("account-message").className, "ok");
  assert.equal($("sign-in").hidden, true);
  assert.equal($("sign-out").hidden, false);

  await click("sign-out");
  assert.match($("account-status").textContent ?? "", /^Not signed in/);
  assert.match($("account-message").textContent ?? "", /^Signed out/);
  assert.equal(world.tb.storageData[REFRESH_KEY], undefined);
});

test("the settings page: a name from the provider is shown as text", async () => {
  const world = await signedService();
  await world.tb.display(7, [FAKE_REPLY.id]);
  const kept = /** @type {any} */ (world.tb.storageData[REFRESH_KEY]);
  world.tb.storageData[REFRESH_KEY] = { ...kept, name: "<img src=x onerror=alert(1)>" };
  const { $ } = await optionsPage(world);
  assert.equal($("account-status").textContent, "Signed in as <img src=x onerror=alert(1)> <ana@example.org>.");
  assert.equal($("account").querySelectorAll("img").length, 0);
});

test("the settings page: permission refused for the provider's host, nothing signed in", async () => {
  const world = await signedService({ signedIn: null });
  world.tb.control.userAllows = false;
  const { $, click } = await optionsPage(world);
  await click("sign-in");
  assert.match($("account-message").textContent ?? "", /needs your permission/);
  assert.equal(world.tb.authFlows.length, 0, "no sign-in without the permission");
  assert.equal(/** @type {HTMLButtonElement} */ ($("sign-in")).disabled, false);
});

test("the settings page of a service without sign-in keeps the key field and hides the sign-in part", async () => {
  const tb = createStandin();
  const service = createService({ identity: { sign_in: false } });
  const caveat = createCaveat({ messenger: tb.messenger, fetchImpl: service.fetch, loadDeployment: async () => ({ base_url: SERVICE, api_key: KEY }) });
  await caveat.start();
  const dom = new JSDOM(OPTIONS_HTML, { runScripts: "outside-only" });
  await startOptions({ document: dom.window.document, messenger: tb.messenger, loadDeployment: async () => ({ base_url: SERVICE, api_key: KEY }), send: (m) => tb.send(m, tb.popupSender()) });
  assert.equal(/** @type {HTMLElement} */ (dom.window.document.getElementById("account")).hidden, true);
  assert.equal(/** @type {HTMLElement} */ (dom.window.document.getElementById("key-fields")).hidden, false);
});

test("a service without sign-in still takes the key (the local demo)", async () => {
  const tb = createStandin();
  tb.addMessage(FAKE_REPLY, { raw: EML, parts: [] });
  const service = createService({ identity: { sign_in: false }, analyze: () => DANGER });
  const caveat = createCaveat({ messenger: tb.messenger, fetchImpl: service.fetch, loadDeployment: async () => ({ base_url: SERVICE, api_key: KEY }) });
  await caveat.start();
  await tb.display(7, [FAKE_REPLY.id]);
  assert.equal(service.to("/api/v1/analyze")[0].headers.authorization, `Bearer ${KEY}`);
  assert.equal(tb.authFlows.length, 0);
  assert.equal(service.identityRequests.length, 1);
});

test("a test build's actions run when the banner is shown, before the read-back is sent", async () => {
  const reportUrl = "http://127.0.0.1:5599/test/display-events";
  const world = await signedService({
    deployment: {
      base_url: SERVICE,
      display_report_url: reportUrl,
      test_actions: { [`<${FAKE_REPLY.headerMessageId.toUpperCase()}>`]: ["report", "sign_out", "rm -rf"] },
    },
  });
  world.tb.setDisplayed(7, [FAKE_REPLY.id]);
  await world.banner();
  await world.tb.send({ command: "shown", level: "danger", shown: true, text: "x" }, world.tb.displaySender(7));
  assert.deepEqual(world.service.reporters.map((t) => world.issuer.userOf(t)), ["ana"]);
  assert.equal(world.tb.storageData[SIGNED_OUT_KEY], true);
});

test("the settings page of a generic build: once the address is saved, the sign-in part shows, not the key", async () => {
  const tb = createStandin();
  const service = createService({ identity: IDENTITY });
  const caveat = createCaveat({ messenger: tb.messenger, fetchImpl: service.fetch, loadDeployment: async () => ({}) });
  await caveat.start();
  const dom = new JSDOM(OPTIONS_HTML, { runScripts: "outside-only" });
  const document = dom.window.document;
  await startOptions({ document, messenger: tb.messenger, loadDeployment: async () => ({}), send: (m) => tb.send(m, tb.popupSender()) });
  const $ = (/** @type {string} */ id) => /** @type {HTMLInputElement} */ (document.getElementById(id));
  assert.equal($("account").hidden, true);
  $("base-url").value = SERVICE;
  tb.control.userInput = true;
  try {
    $("save").click();
  } finally {
    tb.control.userInput = false;
  }
  for (let i = 0; i < 60; i++) await new Promise((r) => setTimeout(r, 2));
  assert.equal($("account").hidden, false);
  assert.equal($("key-fields").hidden, true);
  assert.match($("status").textContent ?? "", /signs you in with your organisation's account: sign in below/);
  assert.match($("account-status").textContent ?? "", /^Not signed in/);
});
