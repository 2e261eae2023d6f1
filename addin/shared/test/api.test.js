// @ts-check
import { test } from "node:test";
import assert from "node:assert/strict";
import { createServer } from "node:http";

import { CaveatError, createClient, isVerdict } from "../api.js";

const VERDICT = { level: "danger", score: 10, banner: { title: "T", text: "Do not pay." }, findings: [] };

/**
 * A real HTTP server on loopback answering with `handler`; returns its base URL.
 * @param {(req: import("node:http").IncomingMessage, body: string, res: import("node:http").ServerResponse) => void} handler
 */
async function serve(t, handler) {
  const server = createServer((req, res) => {
    let body = "";
    req.on("data", (c) => (body += c));
    req.on("end", () => handler(req, body, res));
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

test("posts the payload with the bearer credential and returns the verdict", async (t) => {
  /** @type {any} */
  let seen = null;
  const base = await serve(t, (req, body, res) => {
    seen = { method: req.method, url: req.url, auth: req.headers.authorization, body: JSON.parse(body) };
    json(res, 200, VERDICT);
  });
  const client = createClient({ baseUrl: base + "/", getCredential: async () => "cav_key" });
  const verdict = await client.analyze({ subject: "Invoice" });
  assert.deepEqual(verdict, VERDICT);
  // The service words its verdict in the language the add-in speaks.
  assert.deepEqual(seen, { method: "POST", url: "/api/v1/analyze", auth: "Bearer cav_key", body: { subject: "Invoice", language: "en" } });
});

test("a refused key is 'refused', with the service's message", async (t) => {
  const base = await serve(t, (_req, _body, res) =>
    json(res, 401, { error: { code: "unauthorized", message: "the API key is not valid" } }),
  );
  const client = createClient({ baseUrl: base, getCredential: () => "bad" });
  await assert.rejects(client.analyze({}), (e) => e instanceof CaveatError && e.kind === "refused" && e.status === 401 && e.message === "the API key is not valid");
});

test("a 4xx is 'rejected', a 5xx is 'server', a non-verdict is 'invalid_answer'", async (t) => {
  const answers = [
    [413, { error: { code: "body_too_large", message: "too large" } }, "rejected"],
    [500, { error: { code: "internal_error", message: "x" } }, "server"],
    [200, { hello: "world" }, "invalid_answer"],
  ];
  let i = 0;
  const base = await serve(t, (_req, _body, res) => {
    const [status, data] = answers[i++];
    json(res, /** @type {number} */ (status), data);
  });
  const client = createClient({ baseUrl: base, getCredential: () => "k" });
  for (const [, , kind] of answers) {
    await assert.rejects(client.analyze({}), (e) => e instanceof CaveatError && e.kind === kind);
  }
});

test("a stopped service is 'unreachable'", async (t) => {
  const base = await serve(t, (_req, _body, res) => json(res, 200, VERDICT));
  const client = createClient({ baseUrl: base.replace(/:\d+$/, ":9"), getCredential: () => "k" });
  await assert.rejects(client.analyze({}), (e) => e instanceof CaveatError && e.kind === "unreachable");
});

test("a slow service is 'timeout'", async (t) => {
  const base = await serve(t, (_req, _body, res) => setTimeout(() => json(res, 200, VERDICT), 500));
  const client = createClient({ baseUrl: base, getCredential: () => "k", timeoutMs: 50 });
  await assert.rejects(client.analyze({}), (e) => e instanceof CaveatError && e.kind === "timeout");
});

test("no credential is refused before anything is sent", async () => {
  let called = false;
  const client = createClient({
    baseUrl: "https://caveat.example",
    getCredential: () => "",
    fetchImpl: /** @type {any} */ (async () => { called = true; }),
  });
  await assert.rejects(client.analyze({}), (e) => e instanceof CaveatError && e.kind === "refused");
  assert.equal(called, false);
});

test("plain http is refused except on loopback", () => {
  assert.throws(() => createClient({ baseUrl: "http://caveat.example", getCredential: () => "k" }), CaveatError);
  createClient({ baseUrl: "http://127.0.0.1:8443", getCredential: () => "k" });
  createClient({ baseUrl: "https://caveat.example", getCredential: () => "k" });
});

test("isVerdict", () => {
  assert.equal(isVerdict(VERDICT), true);
  assert.equal(isVerdict({ ...VERDICT, level: "severe" }), false);
  assert.equal(isVerdict({ ...VERDICT, banner: { text: 3 } }), false);
  assert.equal(isVerdict(null), false);
});
