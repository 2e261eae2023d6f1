// @ts-check
// Verify sender's shared part: the accounts a verdict names, the account in clear found
// again in the message, and the form that records a call, drawn into jsdom.
import { test } from "node:test";
import assert from "node:assert/strict";
import { JSDOM } from "jsdom";

import { VERIFIED_BUT_DANGER, renderContact, renderVerdict } from "../render.js";
import { t } from "../i18n.js";
import { accountCandidates, accountsIn, contactRef, ibanValid, replyToIn, standingWords, startVerify, when } from "../verify.js";

const REF = "a".repeat(64);
const REF2 = "b".repeat(64);
const HOSTILE = '<img src=x onerror="window.__pwned=1">\u202Eevil';

/** @param {any[]} evidence */
function bank(evidence, id = "BANK_DETAILS_CHANGED") {
  return { id, check: "bank_details_change", severity: "danger", title: "Bank details changed", explanation: "", evidence, techniques: [] };
}

const VERDICT = {
  level: /** @type {const} */ ("danger"),
  score: 10,
  banner: null,
  findings: [
    bank([
      { header: "From", value: "Pat <pat@acme.example>" },
      { header: "Account", value: "DE89 **** 3000: not on file", ref: REF },
      { header: "Account", value: "GB29 **** 6819: on file for Acme (quoted)", ref: REF2 },
      { header: "Account", value: "DE89 **** 3000: not on file (in invoice.pdf)", ref: REF },
      { header: "Account", value: "XX: no ref" },
      { header: "Account", value: "bad ref", ref: "not-hex" },
    ]),
    { id: "REPLYTO_FREEMAIL", check: "reply_to_mismatch", severity: "danger", title: "t", explanation: "", evidence: [{ header: "Account", value: "x", ref: REF2 }], techniques: [] },
  ],
};

const CONTACT = {
  known: /** @type {const} */ (true),
  organization: "Acme Supplies",
  matched_by: "domain",
  contacts: [
    { name: "Pat Payables", email: "pat@acme.example", phone: "+44 20 7946 0001" },
    { name: "Desk", phone: "+44 20 7946 0002" },
    { name: "Nobody reachable" },
  ],
};

function dom() {
  const window = new JSDOM('<!doctype html><main id="caveat"><section class="actions"><div class="action-result"></div></section></main>').window;
  const root = /** @type {Element} */ (window.document.getElementById("caveat"));
  return { window, root };
}

/** @param {() => boolean} predicate */
async function until(predicate, what = "condition") {
  for (let i = 0; i < 200; i++) {
    if (predicate()) return;
    await new Promise((r) => setTimeout(r, 5));
  }
  assert.fail(`timed out waiting for ${what}`);
}

/** A stand-in for the service's verification calls, with a four-eyes count of two. */
function fakeCalls({ verified = false } = {}) {
  /** @type {any[]} */
  const calls = [];
  /** @type {any[]} */
  const recorded = [];
  const status = () => {
    const by = [...new Set(recorded.filter((r) => r.outcome === "confirmed").map((r) => r.recorded_by))];
    return {
      organization: "Acme Supplies",
      account_ref: REF,
      account_masked: "DE89 **** 3000",
      confirmations: by.map((b) => ({ by: b, at: "2026-12-06T23:58:01+00:00" })),
      confirmations_needed: 2,
      denied: recorded.some((r) => r.outcome === "denied"),
      verified: verified || by.length >= 2,
    };
  };
  return {
    calls,
    recorded,
    /** @param {any} query */
    async history(query) {
      calls.push(["history", query]);
      return { verifications: [...recorded].reverse(), account_status: recorded.length || verified ? status() : null, confirmations_needed: 2 };
    },
    /** @param {any} body */
    async record(body) {
      calls.push(["record", body]);
      const v = { id: recorded.length + 1, at: "2026-12-06T23:58:01+00:00", organization: body.organization, account_ref: body.account_ref, account_masked: body.account_masked, contact: { name: "Pat Payables", email: "pat@acme.example", phone: "+44 20 7946 0001" }, outcome: body.outcome, note: body.note ?? "", recorded_by: HOSTILE, cleared_at: null, cleared_by: null };
      recorded.push(v);
      return { ...v, account_status: status(), indicators: body.outcome === "denied" ? [{ kind: "account", value: "DE89 **** 3000" }] : [] };
    },
    /** @param {any} request */
    async askOnFile(request) {
      calls.push(["askOnFile", request]);
      return { id: 7, status: "pending" };
    },
  };
}

test("accountsIn: the bank findings' accounts with a ref, each once, masked up to the colon", () => {
  assert.deepEqual(accountsIn(VERDICT), [
    { ref: REF, masked: "DE89 **** 3000" },
    { ref: REF2, masked: "GB29 **** 6819" },
  ]);
  assert.deepEqual(accountsIn(null), []);
  assert.deepEqual(accountsIn({ ...VERDICT, findings: [] }), []);
});

test("contactRef names the contact on file by email, else phone, else not at all", () => {
  assert.deepEqual(contactRef(CONTACT.contacts[0]), { email: "pat@acme.example" });
  assert.deepEqual(contactRef(CONTACT.contacts[1]), { phone: "+44 20 7946 0002" });
  assert.equal(contactRef(CONTACT.contacts[2]), null);
});

test("replyToIn reads the first Reply-To address, folded or bare; none is ''", () => {
  assert.equal(replyToIn("From: a@b.example\r\nReply-To: \"Pat, Payables\"\r\n <pat.payables@gmail.com>, x@y.example\r\nTo: c@d.example\r\n"), "pat.payables@gmail.com");
  assert.equal(replyToIn("reply-to: billing@acme-pay.example\n"), "billing@acme-pay.example");
  assert.equal(replyToIn("From: a@b.example\r\nIn-Reply-To: <m1@x.example>\r\n"), "");
  assert.equal(replyToIn(undefined), "");
});

test("ibanValid checks the mod-97 check digits", () => {
  assert.equal(ibanValid("DE89370400440532013000"), true);
  assert.equal(ibanValid("DE88370400440532013000"), false);
  assert.equal(ibanValid("GB29NWBK60161331926819"), true);
  assert.equal(ibanValid("DE89"), false);
});

test("accountCandidates finds the IBAN the mask stands for, whatever follows it", () => {
  const body = "Our new IBAN: DE89 3704 0044 0532 0130 00 BIC COBADEFFXXX. Old one DE02 1203 0000 0000 2020 51.";
  assert.deepEqual(accountCandidates("DE89 **** 3000", body), ["DE89370400440532013000"]);
  assert.deepEqual(accountCandidates("DE02 **** 2051", body), ["DE02120300000000202051"]);
  assert.deepEqual(accountCandidates("de89 **** 3000", body), [], "only the service's own mask");
  assert.deepEqual(accountCandidates("DE89 **** 3001", body), []);
  assert.deepEqual(accountCandidates("FR76 **** 0189", body), []);
  // a mistyped IBAN in the message is not offered (its check digits fail)
  assert.deepEqual(accountCandidates("DE89 **** 3000", "IBAN DE89 3704 0044 0532 0131 00 and 3000"), []);
});

test("accountCandidates builds sort code and routing accounts from the mask and the text", () => {
  const uk = "Sort code 60-16-13, account number 3192 6819. Thanks";
  assert.deepEqual(accountCandidates("sort code 60-16-13, account ****6819", uk), ["60161331926819"]);
  assert.deepEqual(accountCandidates("sort code 60-16-13, account ****6819", "60-16-13 31926819"), ["60161331926819"]);
  const us = "Routing 021000021 account 000123453210 (checking)";
  assert.deepEqual(accountCandidates("routing 021000021, account ****3210", us), ["021000021000123453210"]);
  assert.deepEqual(accountCandidates("account ****4321", "account no. 87654321"), ["87654321"]);
  assert.deepEqual(accountCandidates("something else", uk), []);
});

test("when and standingWords say the time in UTC and where the account stands", () => {
  assert.equal(when("2026-12-06T23:58:01+00:00"), "2026-12-06 23:58 UTC");
  assert.equal(when("2026-12-07T01:58:01+02:00"), "2026-12-06 23:58 UTC");
  assert.equal(when("yesterday"), "yesterday");
  const base = { organization: "A", account_ref: REF, account_masked: "m", confirmations_needed: 2, denied: false, verified: false };
  assert.match(standingWords({ ...base, confirmations: [] }), /^Not verified: nobody has confirmed it yet \(2 people needed\)/);
  assert.match(
    standingWords({ ...base, confirmations: [{ by: "Finn Ledger", at: "2026-12-06T23:58:01Z" }] }),
    /^Not verified yet: confirmed by 1 of the 2 people needed: Finn Ledger \(2026-12-06 23:58 UTC\)\. Another colleague/,
  );
  assert.match(
    standingWords({ ...base, verified: true, confirmations: [{ by: "F", at: "2026-12-06T23:58:01Z" }, { by: "A", at: "2026-12-06T23:59:01Z" }] }),
    /^Verified: confirmed by 2 of the 2 people needed: F \(.*\), A \(/,
  );
  assert.match(standingWords({ ...base, denied: true, confirmations: [] }), /^Denied/);
});

test("the form: a label for every control, contacts on file only, the message's accounts", async () => {
  const { root } = dom();
  renderContact(root, CONTACT);
  const calls = fakeCalls();
  const { form, ready } = startVerify({ root, contact: CONTACT, accounts: accountsIn(VERDICT), calls });
  await ready;
  assert.ok(form);
  const doc = root.ownerDocument;
  for (const control of form.querySelectorAll("select, input, textarea")) {
    const label = doc.querySelector(`label[for="${control.id}"]`);
    assert.ok(control.id && label && label.textContent, `control ${control.getAttribute("name")} has a label`);
  }
  assert.ok(form.querySelector("fieldset legend")?.textContent);
  // the contact without an address or a number cannot be named; the others are, by their directory entry
  assert.deepEqual(
    [...form.querySelectorAll("select[name=contact] option")].map((o) => o.textContent),
    ["Pat Payables \u2014 +44 20 7946 0001 \u2014 pat@acme.example", "Desk \u2014 +44 20 7946 0002"],
  );
  assert.deepEqual([...form.querySelectorAll("select[name=account] option")].map((o) => o.textContent), ["DE89 **** 3000", "GB29 **** 6819"]);
  assert.deepEqual(calls.calls[0], ["history", { organization: "Acme Supplies", account_ref: REF }]);
  assert.match(root.querySelector(".verify-standing")?.textContent ?? "", /Nobody has recorded a call/);
  assert.equal(form.querySelector("button[type=submit]")?.textContent, "Record the call");
});

test("recording needs an outcome; a recorded call shows the standing and the history, hostile text as text", async () => {
  const { root, window } = dom();
  renderContact(root, CONTACT);
  const calls = fakeCalls();
  const { form } = startVerify({ root, contact: CONTACT, accounts: accountsIn(VERDICT), calls, message: { from: "pat@acme.example", reply_to: "" } });
  assert.ok(form);
  /** @type {HTMLButtonElement} */ (form.querySelector("button[type=submit]")).click();
  await until(() => /Choose what they told you/.test(form.querySelector(".verify-result")?.textContent ?? ""), "refusal");
  assert.equal(calls.calls.filter((c) => c[0] === "record").length, 0);

  /** @type {HTMLSelectElement} */ (form.querySelector("select[name=contact]")).value = "1";
  /** @type {HTMLInputElement} */ (form.querySelector("input[value=confirmed]")).checked = true;
  /** @type {HTMLTextAreaElement} */ (form.querySelector("textarea")).value = "  called the desk  ";
  /** @type {HTMLButtonElement} */ (form.querySelector("button[type=submit]")).click();
  await until(() => /Recorded: confirmed/.test(form.querySelector(".verify-result")?.textContent ?? ""), "recorded");
  assert.deepEqual(calls.calls.find((c) => c[0] === "record")?.[1], {
    organization: "Acme Supplies",
    contact: { phone: "+44 20 7946 0002" },
    account_ref: REF,
    account_masked: "DE89 **** 3000",
    outcome: "confirmed",
    note: "called the desk",
  });
  await until(() => root.querySelectorAll(".verify-history .call").length === 1, "history");
  assert.match(root.querySelector(".verify-standing")?.textContent ?? "", /^Not verified yet: confirmed by 1 of the 2 people needed/);
  const call = /** @type {Element} */ (root.querySelector(".verify-history .call"));
  assert.match(call.textContent ?? "", /^2026-12-06 23:58 UTC \u2014 .*: confirmed, called Pat Payables, \+44 20 7946 0001 \u2014 called the desk$/);
  assert.ok([...call.querySelectorAll("bdi")].some((b) => b.textContent === HOSTILE));
  assert.equal(root.querySelectorAll("img, script").length, 0);
  assert.equal(/** @type {any} */ (window).__pwned, undefined);
  // not verified yet: nothing to put on file
  assert.equal(root.querySelector("button.verify-on-file"), null);
});

test("a denial carries the message's addresses; a verified account can be asked to go on file", async () => {
  const { root } = dom();
  renderContact(root, CONTACT);
  const calls = fakeCalls({ verified: true });
  const { form, ready } = startVerify({ root, contact: CONTACT, accounts: accountsIn(VERDICT), calls, message: { from: "pat@acme.example", reply_to: "pat@gmail.example" } });
  await ready;
  assert.ok(form);
  assert.match(root.querySelector(".verify-standing .standing.verified")?.textContent ?? "", /^Verified/);
  const ask = /** @type {HTMLButtonElement} */ (root.querySelector("button.verify-on-file"));
  assert.equal(ask.textContent, "Ask an administrator to put it on file");
  ask.click();
  await until(() => root.querySelector(".verify-asked") !== null, "asked");
  assert.deepEqual(calls.calls.find((c) => c[0] === "askOnFile")?.[1], { organization: "Acme Supplies", account_ref: REF, account_masked: "DE89 **** 3000" });
  assert.match(root.querySelector(".verify-asked.ok")?.textContent ?? "", /request 7, pending/);

  /** @type {HTMLInputElement} */ (form.querySelector("input[value=denied]")).checked = true;
  /** @type {HTMLButtonElement} */ (form.querySelector("button[type=submit]")).click();
  await until(() => /Recorded as fraud/.test(form.querySelector(".verify-result")?.textContent ?? ""), "denied");
  const body = calls.calls.filter((c) => c[0] === "record")[0][1];
  assert.equal(body.outcome, "denied");
  assert.deepEqual(body.message, { from: "pat@acme.example", reply_to: "pat@gmail.example" });
  assert.match(root.querySelector(".verify-standing .standing.denied")?.textContent ?? "", /^Denied/);
  assert.equal(root.querySelector("button.verify-on-file"), null);
});

test("a refused call says why; the form stays usable", async () => {
  const { root } = dom();
  renderContact(root, CONTACT);
  const calls = fakeCalls();
  calls.record = async () => {
    throw new Error("the contact is not one of Acme Supplies's contacts on file");
  };
  calls.askOnFile = async () => {
    throw new Error("x");
  };
  const { form } = startVerify({ root, contact: CONTACT, accounts: accountsIn(VERDICT), calls });
  assert.ok(form);
  /** @type {HTMLInputElement} */ (form.querySelector("input[value=unreachable]")).checked = true;
  /** @type {HTMLButtonElement} */ (form.querySelector("button[type=submit]")).click();
  await until(() => /^Not recorded: the contact is not one/.test(form.querySelector(".verify-result.error")?.textContent ?? ""), "refusal");
  assert.equal(form.querySelector("button[type=submit]")?.hasAttribute("disabled"), false);
});

test("an unknown sender gets no form; a message without accounts gets the partner's last calls", async () => {
  const { root } = dom();
  renderContact(root, { known: false });
  const calls = fakeCalls();
  assert.equal(startVerify({ root, contact: { known: false }, accounts: accountsIn(VERDICT), calls }).form, null);
  assert.equal(root.querySelector("form"), null);
  assert.equal(calls.calls.length, 0);

  renderContact(root, CONTACT);
  const { form, ready } = startVerify({ root, contact: CONTACT, accounts: [], calls });
  await ready;
  assert.equal(form, null);
  assert.match(root.querySelector(".verify-record .note")?.textContent ?? "", /names no bank account/);
  assert.deepEqual(calls.calls[0], ["history", { organization: "Acme Supplies" }]);
  assert.equal(root.querySelector(".verify-history h3")?.textContent, "Last calls about this partner");
});

test("the pane says who verified an account or reported a sender, and when, as text", () => {
  const { root } = dom();
  renderVerdict(root, {
    level: "danger",
    score: 10,
    banner: null,
    findings: [
      bank([{ header: "Account", value: `DE89 **** 3000: verified for Acme by telephone, confirmed by ${HOSTILE} (2026-12-06)`, ref: REF }], "BANK_DETAILS_VERIFIED"),
      { id: "REPORTED_ADDRESS", check: "reported_sender", severity: "danger", title: "Reported", explanation: "", evidence: [{ header: "From", value: "x@y.example" }, { header: "Reported", value: "confirmed report, by Sam Shield, 2026-12-06" }], techniques: [] },
      { id: "REPORTED_BY_YOU", check: "reported_sender", severity: "caution", title: "You reported this", explanation: "", evidence: [{ header: "Reported", value: "you reported the sender as fraud, 2026-12-06 23:50 UTC; not yet reviewed" }], techniques: [] },
      { id: "REPLYTO_FREEMAIL", check: "reply_to_mismatch", severity: "danger", title: "Other", explanation: "", evidence: [{ header: "Reported", value: "not this one" }], techniques: [] },
    ],
  });
  const box = /** @type {Element} */ (root.querySelector(".knowledge"));
  assert.ok(box);
  assert.deepEqual([...box.querySelectorAll(".known")].map((k) => /** @type {HTMLElement} */ (k).dataset.findingId), ["BANK_DETAILS_VERIFIED", "REPORTED_ADDRESS", "REPORTED_BY_YOU"]);
  assert.deepEqual([...box.querySelectorAll(".known-who bdi")].map((b) => b.textContent), [
    `DE89 **** 3000: verified for Acme by telephone, confirmed by ${HOSTILE} (2026-12-06)`,
    "confirmed report, by Sam Shield, 2026-12-06",
    "you reported the sender as fraud, 2026-12-06 23:50 UTC; not yet reviewed",
  ]);
  assert.equal(root.querySelectorAll("img").length, 0);
  assert.equal(box.querySelector("h2")?.textContent, "What your organisation knows");
  // in a dangerous message, a verified account is no reason to act
  assert.equal(box.querySelector("[data-finding-id=BANK_DETAILS_VERIFIED] .known-caveat")?.textContent, t(VERIFIED_BUT_DANGER));
  // it comes before the folded findings, right after the actions
  assert.equal(box.previousElementSibling?.className, "actions");
  renderVerdict(root, { level: "info", score: 1, banner: null, findings: [bank([{ header: "Account", value: "DE89 **** 3000: verified", ref: REF }], "BANK_DETAILS_VERIFIED")] });
  assert.ok(root.querySelector(".knowledge [data-finding-id=BANK_DETAILS_VERIFIED]"));
  assert.equal(root.querySelector(".known-caveat"), null);
  renderVerdict(root, { level: "none", score: 0, banner: null, findings: [] });
  assert.equal(root.querySelector(".knowledge"), null);
});
