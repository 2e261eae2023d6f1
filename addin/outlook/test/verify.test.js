// @ts-check
// Verify sender in the Outlook pane (Office.js stand-in, jsdom): the form under the
// directory's contact, the call recorded with the message's addresses for a denial, the
// account in clear read again from the body only to ask for it to go on file, and a role
// that may not record told so.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import vm from "node:vm";
import { JSDOM } from "jsdom";

import { CaveatError } from "../../shared/api.js";
import { RECORD_NOT_ALLOWED, startPane } from "../outlook.js";
import { t } from "../../shared/i18n.js";

const STANDIN = readFileSync(new URL("./office-standin.js", import.meta.url), "utf8");
const REF = "d".repeat(64);

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

const ITEM = {
  subject: "Invoice 118",
  from: { displayName: "Pat Payables", emailAddress: "pat@acme.example" },
  to: [{ displayName: "AP", emailAddress: "ap@ours.example" }],
  headers: "From: Pat Payables <pat@acme.example>\r\nReply-To: Billing <billing@acme-pay.example>\r\nSubject: Invoice 118\r\n",
  body: "Please note that our bank details have changed. New IBAN: DE89 3704 0044 0532 0130 00. Regards",
  conversationId: "AAQkADconv9",
  internetMessageId: "<m118@acme.example>",
};

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
};

/** @param {{recordError?: Error, verified?: boolean}} [options] */
function fakeClient(options = {}) {
  /** @type {any[]} */
  const calls = [];
  let tries = 0;
  return {
    calls,
    async analyze(/** @type {any} */ payload) {
      calls.push(["analyze", payload]);
      return VERDICT;
    },
    async senderContact(/** @type {any} */ sender) {
      calls.push(["senderContact", sender]);
      return { known: true, organization: "Acme Supplies", matched_by: "domain", contacts: [{ name: "Pat Payables", email: "pat@acme.example", phone: "+44 20 7946 0001" }] };
    },
    async report() {
      return {};
    },
    async verifications(/** @type {any} */ query) {
      calls.push(["verifications", query]);
      const status = { organization: "Acme Supplies", account_ref: REF, account_masked: "DE89 **** 3000", confirmations: [{ by: "Finn Ledger", at: "2026-12-06T23:58:00Z" }, { by: "Ada", at: "2026-12-06T23:59:00Z" }], confirmations_needed: 2, denied: false, verified: true };
      return { verifications: [], account_status: options.verified ? status : null, confirmations_needed: 2 };
    },
    async recordVerification(/** @type {any} */ body) {
      calls.push(["record", body]);
      if (options.recordError) throw options.recordError;
      return { id: 1, at: "2026-12-06T23:58:00Z", outcome: body.outcome, account_status: { organization: "Acme Supplies", account_ref: REF, account_masked: "DE89 **** 3000", confirmations: [], confirmations_needed: 2, denied: true, verified: false } };
    },
    async requestApproval(/** @type {any} */ body) {
      calls.push(["approval", body]);
      tries++;
      return { id: 4, status: "pending", tries };
    },
  };
}

/** @param {() => boolean} predicate */
async function until(predicate, what = "condition") {
  for (let i = 0; i < 200; i++) {
    if (predicate()) return;
    await new Promise((r) => setTimeout(r, 5));
  }
  assert.fail(`timed out waiting for ${what}`);
}

/** @param {any} client */
async function openVerify(client) {
  const Office = office();
  const root = pane();
  Office.__standin.start(ITEM);
  startPane({ Office, root, client });
  await until(() => root.getAttribute("data-level") === "danger", "verdict");
  /** @type {HTMLButtonElement} */ (root.querySelector("button.verify")).click();
  await until(() => root.querySelector(".verify-form") !== null, "form");
  await until(() => root.querySelector(".verify-history h3") !== null, "history");
  return root;
}

test("a denial is recorded against the account's ref with the message's From and Reply-To", async () => {
  const client = fakeClient();
  const root = await openVerify(client);
  assert.deepEqual(client.calls.find((c) => c[0] === "verifications")?.[1], { organization: "Acme Supplies", account_ref: REF });
  /** @type {HTMLInputElement} */ (root.querySelector("input[value=denied]")).checked = true;
  /** @type {HTMLButtonElement} */ (root.querySelector(".verify-form button[type=submit]")).click();
  await until(() => /Recorded as fraud/.test(root.querySelector(".verify-result")?.textContent ?? ""), "recorded");
  assert.deepEqual(client.calls.find((c) => c[0] === "record")?.[1], {
    organization: "Acme Supplies",
    contact: { email: "pat@acme.example" },
    account_ref: REF,
    account_masked: "DE89 **** 3000",
    outcome: "denied",
    message: { from: "pat@acme.example", reply_to: "billing@acme-pay.example" },
  });
  // no account number travels with a call
  assert.doesNotMatch(JSON.stringify(client.calls.filter((c) => c[0] !== "analyze")), /DE89\s*3704|370400440532013000/);
});

test("asking to put a verified account on file reads the account from the message body", async () => {
  const client = fakeClient({ verified: true });
  const root = await openVerify(client);
  await until(() => root.querySelector("button.verify-on-file") !== null, "ask button");
  /** @type {HTMLButtonElement} */ (root.querySelector("button.verify-on-file")).click();
  await until(() => root.querySelector(".verify-asked") !== null, "asked");
  assert.deepEqual(client.calls.find((c) => c[0] === "approval")?.[1], {
    organization: "Acme Supplies",
    account_ref: REF,
    account: "DE89370400440532013000",
  });
  assert.match(root.querySelector(".verify-asked.ok")?.textContent ?? "", /request 4, pending/);
});

test("a role that may not record is told so; a refusal shows the service's words", async () => {
  let client = fakeClient({ recordError: new CaveatError("forbidden", "this needs the 'verify' permission", 403) });
  let root = await openVerify(client);
  /** @type {HTMLInputElement} */ (root.querySelector("input[value=confirmed]")).checked = true;
  /** @type {HTMLButtonElement} */ (root.querySelector(".verify-form button[type=submit]")).click();
  await until(() => root.querySelector(".verify-result.error") !== null, "refusal");
  assert.equal(root.querySelector(".verify-result")?.textContent, `Not recorded: ${t(RECORD_NOT_ALLOWED)}`);

  client = fakeClient({ recordError: new CaveatError("rejected", "the contact is not one of Acme Supplies's contacts on file", 400) });
  root = await openVerify(client);
  /** @type {HTMLInputElement} */ (root.querySelector("input[value=confirmed]")).checked = true;
  /** @type {HTMLButtonElement} */ (root.querySelector(".verify-form button[type=submit]")).click();
  await until(() => root.querySelector(".verify-result.error") !== null, "refusal");
  assert.equal(root.querySelector(".verify-result")?.textContent, "Not recorded: the contact is not one of Acme Supplies's contacts on file");
});
