// @ts-check
// The API client with a person's token (one silent renewal after a 401, then "signin"), and
// the service's sign-in settings (GET /api/v1/identity), against a real server on loopback.
import { test } from "node:test";
import assert from "node:assert/strict";
import { createServer } from "node:http";

import { CaveatError, SIGN_IN_NEEDED, createClient, loadIdentity } from "../api.js";

const VERDICT = { level: "none", score: 0, banner: null, findings: [] };

/**
 * @param {import("node:test").TestContext} t
 * @param {(req: import("node:http").IncomingMessage, res: import("node:http").ServerResponse) => void} handler
 */
async function serve(t, handler) {
  const server = createServer((req, res) => {
    req.resume();
    req.on("end", () => handler(req, res));
  });
  await new Promise((resolve) => server.listen(0, "127.0.0.1", () => resolve(undefined)));
  t.after(() => new Promise((resolve) => server.close(() => resolve(undefined))));
  const address = /** @type {import("node:net").AddressInfo} */ (server.address());
  return `http://127.0.0.1:${address.port}`;
}

/** @param {import("node:http").ServerResponse} res @param {number} status @param {unknown} data */
function json(res, status, data) {
  res.writeHead(status, { "Content-Type": "application/json" });
  res.end(JSON.stringify(data));
}

/** Tokens handed out in turn, and how often each provider was asked. */
function tokens(/** @type {string[]} */ list) {
  const asked = { get: 0, renew: 0 };
  return {
    asked,
    getCredential: async () => (asked.get++, list.shift() ?? ""),
    renewCredential: async () => (asked.renew++, list.shift() ?? ""),
  };
}

test("a refused token is renewed once and the call made again", async (t) => {
  /** @type {(string | undefined)[]} */
  const seen = [];
  const base = await serve(t, (req, res) => {
    seen.push(req.headers.authorization);
    if (seen.length === 1) json(res, 401, { error: { code: "invalid_token", message: "the token has expired" } });
    else json(res, 200, VERDICT);
  });
  const source = tokens(["old", "new"]);
  const client = createClient({ baseUrl: base, ...source });
  assert.deepEqual(await client.analyze({}), VERDICT);
  assert.deepEqual(seen, ["Bearer old", "Bearer new"]);
  assert.deepEqual(source.asked, { get: 1, renew: 1 });
});

test("refused again after the renewal: sign-in needed, after two requests", async (t) => {
  let requests = 0;
  const base = await serve(t, (_req, res) => {
    requests++;
    json(res, 401, { error: { code: "invalid_token", message: "the token's audience is not this service" } });
  });
  const client = createClient({ baseUrl: base, ...tokens(["a", "b", "c"]) });
  await assert.rejects(client.analyze({}), (error) => {
    assert.ok(error instanceof CaveatError);
    assert.equal(error.kind, "signin");
    assert.equal(error.status, 401);
    assert.match(error.message, /^sign-in needed: the token's audience/);
    return true;
  });
  assert.equal(requests, 2);
});

test("no token at all is sign-in needed and nothing is sent", async (t) => {
  let requests = 0;
  const base = await serve(t, (_req, res) => (requests++, json(res, 200, VERDICT)));
  const client = createClient({ baseUrl: base, ...tokens([]) });
  await assert.rejects(client.analyze({}), { kind: "signin", message: SIGN_IN_NEEDED });
  const failing = createClient({
    baseUrl: base,
    getCredential: async () => {
      throw new CaveatError("signin", SIGN_IN_NEEDED);
    },
    renewCredential: async () => "x",
  });
  await assert.rejects(failing.analyze({}), { kind: "signin" });
  assert.equal(requests, 0);
});

test("a 403 to a token is 'forbidden' (the role), not renewed; a 401 to a key is 'refused', not renewed", async (t) => {
  let requests = 0;
  const base = await serve(t, (req, res) => {
    requests++;
    if (req.url?.startsWith("/api/v1/senders")) json(res, 403, { error: { code: "forbidden", message: "the permission contacts is needed" } });
    else json(res, 401, { error: { code: "invalid_key", message: "the key is revoked" } });
  });
  const person = tokens(["t1", "t2"]);
  const withToken = createClient({ baseUrl: base, ...person });
  await assert.rejects(withToken.senderContact({ address: "a@b.example" }), { kind: "forbidden", message: "the permission contacts is needed" });
  assert.equal(person.asked.renew, 0);
  const withKey = createClient({ baseUrl: base, getCredential: () => "cav_k" });
  await assert.rejects(withKey.analyze({}), { kind: "refused", message: "the key is revoked" });
  assert.equal(requests, 2);
});

test("loadIdentity: on with what a client needs, off, an older service, and what is refused", async (t) => {
  /** @type {any} */
  let answer = null;
  let status = 200;
  /** @type {(string | undefined)[]} */
  const auth = [];
  const base = await serve(t, (req, res) => {
    auth.push(req.headers.authorization);
    assert.equal(req.url, "/api/v1/identity");
    json(res, status, answer);
  });
  answer = { sign_in: true, client_id: "cid", authority: "https://login.example/organizations", scopes: ["api://cid/access_as_user", 7], issuer: "https://login.example/t/v2.0", authorization_endpoint: null, token_endpoint: "https://login.example/token" };
  assert.deepEqual(await loadIdentity({ baseUrl: base }), {
    sign_in: true,
    client_id: "cid",
    authority: "https://login.example/organizations",
    scopes: ["api://cid/access_as_user"],
    issuer: "https://login.example/t/v2.0",
    authorization_endpoint: null,
    token_endpoint: "https://login.example/token",
  });
  assert.deepEqual(auth, [undefined], "no credential is sent");
  answer = { sign_in: false };
  assert.deepEqual(await loadIdentity({ baseUrl: base }), { sign_in: false });
  status = 404;
  answer = { error: { code: "not_found", message: "no such route" } };
  assert.deepEqual(await loadIdentity({ baseUrl: base }), { sign_in: false });
  status = 200;
  for (const broken of [{ sign_in: true, client_id: "cid", authority: "https://x", scopes: [] }, { sign_in: "yes" }, null]) {
    answer = broken;
    await assert.rejects(loadIdentity({ baseUrl: base }), { kind: "invalid_answer" });
  }
  status = 503;
  await assert.rejects(loadIdentity({ baseUrl: base }), { kind: "server" });
  await assert.rejects(loadIdentity({ baseUrl: "http://example.com" }), { kind: "refused" });
});
