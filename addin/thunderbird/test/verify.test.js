// @ts-check
// Verify sender in the Thunderbird popup (jsdom) against the real background logic and a
// service stand-in: the form under the directory's contact, the call recorded through the
// background with the message's own addresses for a denial, the account in clear read by
// the background from the message only to ask for it to go on file, a role that may not
// look partners up told so, and a command from elsewhere than the popup refused.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { JSDOM } from "jsdom";

import { createCaveat, recordNotAllowed, verifyNotAllowed } from "../caveat.js";
import { startPopup } from "../popup.js";
import { createSession } from "../signin.js";
import { IDENTITY, createIssuer } from "./issuer-standin.js";
import { createStandin } from "./messenger-standin.js";
import { KEY, SERVICE, createService } from "./service-standin.js";

const POPUP_HTML = readFileSync(new URL("../popup.html", import.meta.url), "utf8");
const REF = "e".repeat(64);
const IBAN = "DE89370400440532013000";
const RAW =
  "From: Ben Ortiz <ben.ortiz@partnerb.example>\r\nReply-To: <ben.billing@gmail.example>\r\nTo: ap@partnera.example\r\n" +
  "Subject: New bank details\r\nMessage-ID: <nb1@partnerb.example>\r\n\r\nOur new IBAN: DE89 3704 0044 0532 0130 00 BIC COBADEFFXXX\r\n";
const HEADER = { id: 21, subject: "New bank details", author: "Ben Ortiz <ben.ortiz@partnerb.example>", headerMessageId: "nb1@partnerb.example" };
const VERDICT = {
  level: "danger",
  score: 20,
  banner: { title: "Bank details changed", text: "Do not pay before you call." },
  findings: [
    {
      id: "BANK_DETAILS_CHANGED",
      check: "bank_details_change",
      severity: "danger",
      title: "Bank details changed",
      explanation: "",
      evidence: [{ header: "Account", value: "DE89 **** 3000: not on file", ref: REF }],
      techniques: [],
    },
  ],
  checked_at: "2026-12-06T23:57:00Z",
};

/**
 * The popup on the message, against the real background. `signedIn`: the service signs
 * people in and this person is signed in (a 403 then is the person's role).
 * @param {Parameters<typeof createService>[0]} [behaviour]
 * @param {string} [text] the message's text part
 * @param {"ana" | "fin" | null} [signedIn]
 */
async function popup(behaviour = {}, text = "Our new IBAN: DE89 3704 0044 0532 0130 00 BIC COBADEFFXXX", signedIn = null) {
  const tb = createStandin();
  tb.addMessage(HEADER, { raw: RAW, parts: [{ contentType: "text/plain", content: text }] });
  const now = () => 1_800_000_000_000;
  const issuer = createIssuer({ now, signedIn });
  tb.control.provider = issuer.authorize;
  const service = createService({
    analyze: () => VERDICT,
    ...(signedIn ? { identity: IDENTITY, acceptToken: issuer.valid, fallback: issuer.fetchToken } : {}),
    ...behaviour,
  });
  const session = createSession({ messenger: tb.messenger, fetchImpl: service.fetch, now, setTimer: () => ({}), clearTimer: () => undefined });
  const caveat = createCaveat({
    messenger: tb.messenger,
    fetchImpl: service.fetch,
    now,
    session,
    loadDeployment: async () => (signedIn ? { base_url: SERVICE } : { base_url: SERVICE, api_key: KEY }),
  });
  await caveat.start();
  await tb.display(7, [HEADER.id]);
  const dom = new JSDOM(POPUP_HTML, { runScripts: "outside-only" });
  const root = /** @type {Element} */ (dom.window.document.getElementById("caveat"));
  /** @type {any[]} */
  const sent = [];
  await startPopup({
    root,
    send: (message) => {
      sent.push(message);
      return tb.send(message, tb.popupSender());
    },
  });
  return { tb, service, root, sent };
}

/** @param {() => boolean} predicate */
async function until(predicate, what = "condition") {
  for (let i = 0; i < 300; i++) {
    if (predicate()) return;
    await new Promise((r) => setTimeout(r, 5));
  }
  assert.fail(`timed out waiting for ${what}`);
}

/** @param {Element} root */
async function openForm(root) {
  /** @type {HTMLButtonElement} */ (root.querySelector("button.verify")).click();
  await until(() => root.querySelector(".verify-form") !== null, "form");
  await until(() => root.querySelector(".verify-history h3") !== null, "history");
}

test("a confirmed call goes through the background; the standing and the call are shown", async () => {
  const { root, service, sent } = await popup();
  await openForm(root);
  assert.deepEqual(sent.find((m) => m.command === "verifications"), { command: "verifications", messageId: HEADER.id, organization: "Partner B", account_ref: REF });
  /** @type {HTMLInputElement} */ (root.querySelector("input[value=confirmed]")).checked = true;
  /** @type {HTMLButtonElement} */ (root.querySelector(".verify-form button[type=submit]")).click();
  await until(() => root.querySelectorAll(".verify-history .call").length === 1, "history");
  const [posted] = service.to("/api/v1/verifications").filter((r) => r.method === "POST");
  assert.deepEqual(posted.body, { organization: "Partner B", contact: { email: "accounts@partnerb.example" }, account_ref: REF, account_masked: "DE89 **** 3000", outcome: "confirmed" });
  assert.match(root.querySelector(".verify-standing")?.textContent ?? "", /confirmed by 1 of the 2 people needed: Finn Ledger/);
  assert.match(root.querySelector(".verify-history .call")?.textContent ?? "", /Finn Ledger <fin@example\.org>: confirmed, called Accounts Desk, \+44 20 7946 0001/);
});

test("a denial carries the message's own From and Reply-To, whatever the popup sends", async () => {
  const { root, service, tb } = await popup();
  await openForm(root);
  /** @type {HTMLInputElement} */ (root.querySelector("input[value=denied]")).checked = true;
  /** @type {HTMLButtonElement} */ (root.querySelector(".verify-form button[type=submit]")).click();
  await until(() => /Recorded as fraud/.test(root.querySelector(".verify-result")?.textContent ?? ""), "denied");
  const [posted] = service.to("/api/v1/verifications").filter((r) => r.method === "POST");
  assert.deepEqual(posted.body.message, { from: "ben.ortiz@partnerb.example", reply_to: "ben.billing@gmail.example" });
  // a popup cannot name other addresses: the background takes them from the message
  const answer = await tb.send(
    { command: "recordVerification", messageId: HEADER.id, body: { organization: "Partner B", contact: { email: "accounts@partnerb.example" }, account_ref: REF, outcome: "denied", message: { from: "someone@else.example" } } },
    tb.popupSender(),
  );
  assert.equal(answer.ok, true);
  assert.deepEqual(service.to("/api/v1/verifications").filter((r) => r.method === "POST")[1].body.message, {
    from: "ben.ortiz@partnerb.example",
    reply_to: "ben.billing@gmail.example",
  });
});

test("a verified account is asked to go on file with the account read from the message", async () => {
  const { root, service } = await popup({ verified: true, clearAccount: IBAN });
  await openForm(root);
  await until(() => root.querySelector("button.verify-on-file") !== null, "ask button");
  /** @type {HTMLButtonElement} */ (root.querySelector("button.verify-on-file")).click();
  await until(() => root.querySelector(".verify-asked") !== null, "asked");
  assert.match(root.querySelector(".verify-asked.ok")?.textContent ?? "", /request 9, pending/);
  assert.deepEqual(service.to("/api/v1/accounts/approvals")[0].body, { organization: "Partner B", account_ref: REF, account: IBAN });
});

test("the account not found in the message: nothing is asked, and the popup says why", async () => {
  const { root, service } = await popup({ verified: true }, "Our new IBAN is in the attached invoice.");
  await openForm(root);
  await until(() => root.querySelector("button.verify-on-file") !== null, "ask button");
  /** @type {HTMLButtonElement} */ (root.querySelector("button.verify-on-file")).click();
  await until(() => root.querySelector(".verify-asked") !== null, "asked");
  assert.equal(root.querySelector(".verify-asked.error")?.textContent, "Not asked: the account DE89 **** 3000 could not be read from this message");
  assert.equal(service.to("/api/v1/accounts/approvals").length, 0);
});

test("a role without contacts gets the role's words and no form; other pages may not record", async () => {
  const { root, tb } = await popup({ forbidden: true }, undefined, "ana");
  /** @type {HTMLButtonElement} */ (root.querySelector("button.verify")).click();
  await until(() => root.querySelector(".action-message.error") !== null, "refusal");
  assert.equal(root.querySelector(".action-message")?.textContent, verifyNotAllowed());
  assert.equal(root.querySelector("form"), null);
  const answer = await tb.send({ command: "verifications", messageId: HEADER.id, organization: "Partner B" }, tb.popupSender());
  assert.deepEqual(answer, { ok: false, message: recordNotAllowed() });
  await assert.rejects(tb.send({ command: "recordVerification", body: {} }, { id: tb.messenger.runtime.id, tab: { id: 7 }, url: "https://evil.example/" }));
});

test("a test build's verify_confirmed records a confirmed call once the banner is shown", async () => {
  const tb = createStandin();
  tb.addMessage(HEADER, { raw: RAW, parts: [{ contentType: "text/plain", content: "Our new IBAN: DE89 3704 0044 0532 0130 00" }] });
  const service = createService({ analyze: () => VERDICT });
  const caveat = createCaveat({
    messenger: tb.messenger,
    fetchImpl: service.fetch,
    loadDeployment: async () => ({
      base_url: SERVICE,
      api_key: KEY,
      display_report_url: `${SERVICE}/test/display-events`,
      test_actions: { [HEADER.headerMessageId]: ["verify_confirmed"] },
    }),
  });
  await caveat.start();
  await tb.display(7, [HEADER.id]);
  await tb.send({ command: "shown", level: "danger", shown: true, text: "x" }, tb.displaySender(7));
  const posted = service.to("/api/v1/verifications").filter((r) => r.method === "POST");
  assert.equal(posted.length, 1);
  assert.deepEqual(posted[0].body, {
    organization: "Partner B",
    contact: { email: "accounts@partnerb.example" },
    account_ref: REF,
    account_masked: "DE89 **** 3000",
    outcome: "confirmed",
    note: "test build",
  });
});
