// @ts-check
// The client's Verify sender calls against a real HTTP server on loopback.
import { test } from "node:test";
import assert from "node:assert/strict";
import { createServer } from "node:http";

import { CaveatError, createClient } from "../api.js";

const REF = "c".repeat(64);
const STATUS = { organization: "Acme", account_ref: REF, account_masked: "DE89 **** 3000", confirmations: [], confirmations_needed: 2, denied: false, verified: false };

/**
 * @param {any} t
 * @param {(req: import("node:http").IncomingMessage, body: string) => [number, unknown]} answer
 */
async function serve(t, answer) {
  /** @type {any[]} */
  const seen = [];
  const server = createServer((req, res) => {
    let body = "";
    req.on("data", (c) => (body += c));
    req.on("end", () => {
      seen.push({ method: req.method, url: req.url, auth: req.headers.authorization, body: body ? JSON.parse(body) : undefined });
      const [status, data] = answer(req, body);
      res.writeHead(status, { "Content-Type": "application/json" });
      res.end(JSON.stringify(data));
    });
  });
  await new Promise((resolve) => server.listen(0, "127.0.0.1", () => resolve(undefined)));
  t.after(() => new Promise((resolve) => server.close(() => resolve(undefined))));
  const address = /** @type {import("node:net").AddressInfo} */ (server.address());
  return { base: `http://127.0.0.1:${address.port}`, seen };
}

test("verifications asks for a partner's calls, with the account when given", async (t) => {
  const { base, seen } = await serve(t, () => [200, { verifications: [], account_status: null, confirmations_needed: 2 }]);
  const client = createClient({ baseUrl: base, getCredential: () => "tok", renewCredential: () => "tok2" });
  const list = await client.verifications({ organization: "Acme & Sons", account_ref: REF });
  assert.deepEqual(list, { verifications: [], account_status: null, confirmations_needed: 2 });
  await client.verifications({ organization: "Acme" });
  assert.deepEqual(
    seen.map((s) => [s.method, s.url, s.auth]),
    [
      ["GET", `/api/v1/verifications?organization=Acme+%26+Sons&account_ref=${REF}`, "Bearer tok"],
      ["GET", "/api/v1/verifications?organization=Acme", "Bearer tok"],
    ],
  );
});

test("recordVerification posts the call as given and returns the standing", async (t) => {
  const { base, seen } = await serve(t, () => [201, { id: 1, outcome: "confirmed", account_status: STATUS }]);
  const client = createClient({ baseUrl: base, getCredential: () => "tok", renewCredential: () => "tok2" });
  const body = { organization: "Acme", contact: { email: "pat@acme.example" }, account_ref: REF, outcome: "confirmed", note: "n" };
  const done = await client.recordVerification(body);
  assert.deepEqual(done.account_status, STATUS);
  assert.deepEqual(seen[0], { method: "POST", url: "/api/v1/verifications", auth: "Bearer tok", body });
});

test("requestApproval posts the account in clear with its ref", async (t) => {
  const { base, seen } = await serve(t, () => [201, { id: 3, status: "pending" }]);
  const client = createClient({ baseUrl: base, getCredential: () => "k" });
  const approval = await client.requestApproval({ organization: "Acme", account_ref: REF, account: "DE89370400440532013000" });
  assert.equal(approval.id, 3);
  assert.deepEqual(seen[0].body, { organization: "Acme", account_ref: REF, account: "DE89370400440532013000" });
  assert.equal(seen[0].url, "/api/v1/accounts/approvals");
});

test("a role without verify is 'forbidden'; a refusal keeps the service's words; a wrong shape is 'invalid_answer'", async (t) => {
  const answers = [
    [403, { error: { code: "forbidden", message: "this needs the 'verify' permission" } }],
    [409, { error: { code: "not_verified", message: "the account is not verified for Acme: 1 of 2" } }],
    [200, { hello: 1 }],
    [201, { id: 1 }],
  ];
  let i = 0;
  const { base } = await serve(t, () => /** @type {[number, unknown]} */ (answers[i++]));
  const client = createClient({ baseUrl: base, getCredential: () => "tok", renewCredential: () => "tok2" });
  await assert.rejects(client.verifications({ organization: "A" }), (e) => e instanceof CaveatError && e.kind === "forbidden" && e.status === 403);
  await assert.rejects(
    client.requestApproval({ organization: "A", account_ref: REF, account: "x" }),
    (e) => e instanceof CaveatError && e.kind === "rejected" && e.status === 409 && /not verified for Acme/.test(e.message),
  );
  await assert.rejects(client.verifications({ organization: "A" }), (e) => e instanceof CaveatError && e.kind === "invalid_answer");
  await assert.rejects(
    client.recordVerification({ organization: "A", contact: { index: 0 }, account_ref: REF, outcome: "confirmed" }),
    (e) => e instanceof CaveatError && e.kind === "invalid_answer",
  );
});
