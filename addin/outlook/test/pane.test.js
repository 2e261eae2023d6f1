// @ts-check
// The Outlook adapter against the Office.js stand-in, with the pane drawn into jsdom.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import vm from "node:vm";
import { JSDOM } from "jsdom";

import { CaveatError } from "../../shared/api.js";
import { COULD_NOT_CHECK, NOTIFICATION_KEY } from "../../shared/banner.js";
import { use } from "../../shared/i18n.js";
import { MAX_BODY_CHARS, MAX_NAME_CHARS, NOTIFICATION_ICON, collectMessage, showNotification, startPane } from "../outlook.js";

const STANDIN = readFileSync(new URL("./office-standin.js", import.meta.url), "utf8");

/** A fresh Office stand-in in its own context. */
function office() {
  /** @type {any} */
  const context = { setTimeout, Promise, Map, Date, parseFloat };
  vm.runInNewContext(STANDIN, context);
  return context.Office;
}

/** The stand-in's records, as plain values of this realm (deepEqual compares prototypes). */
function callsOf(/** @type {any} */ Office) {
  return JSON.parse(JSON.stringify(Office.__standin.calls));
}

function pane() {
  const dom = new JSDOM('<!doctype html><main id="caveat"></main>');
  return /** @type {Element} */ (dom.window.document.getElementById("caveat"));
}

const FAKE_REPLY = {
  subject: "RE: Invoice 2024-1187 - payment reminder",
  from: { displayName: "Finance Person", emailAddress: "finance-person@partnerb.example" },
  to: [{ displayName: "Anna Keller", emailAddress: "anna.keller@partnera.example" }],
  cc: [{ displayName: "", emailAddress: "finance@partnerb.example" }, { displayName: "No address", emailAddress: "" }],
  headers: "From: Finance Person <finance-person@partnerb.example>\r\nSubject: RE: Invoice\r\n",
  body: "our bank details have changed",
  conversationId: "AAQkADconv1",
  internetMessageId: "<20241106123140.8f3a1c2b@relay.mailrelay-host.example>",
};
const REAL_REPLY = {
  subject: "RE: Invoice 2024-1187 - payment reminder",
  from: { displayName: "Ben Ortiz", emailAddress: "ben.ortiz@partnerb.example" },
  to: [{ displayName: "Anna Keller", emailAddress: "anna.keller@partnera.example" }],
  headers: "From: Ben Ortiz <ben.ortiz@partnerb.example>\r\n",
  body: "Hi Anna",
  conversationId: "AAQkADconv1",
  internetMessageId: "<AS8PR01MB4004C0FFEE0123@example>",
};

const DANGER = {
  level: "danger",
  score: 30,
  banner: { title: "Possible fraud", text: "Replies to this message go to a free-mail address. Do not pay before you confirm by phone." },
  findings: [
    {
      id: "REPLYTO_FREEMAIL",
      check: "reply_to_mismatch",
      severity: "danger",
      title: "Replies go to a free-mail address",
      explanation: "The sender's organisation is partnerb.example but replies go to gmail.com.",
      evidence: [{ header: "Reply-To", value: "Finance Person <finance.person.partnerb@gmail.com>" }],
      techniques: ["T1566"],
    },
  ],
  checked_at: "2026-11-25T10:00:00Z",
};
const NONE = { level: "none", score: 0, banner: null, findings: [], checked_at: "2026-11-25T10:00:01Z" };
const CAUTION = { ...DANGER, level: "caution", banner: { title: "Check", text: "Check this." } };

/**
 * A client answering from `answers` (a function of the payload), recording every call.
 * @param {(payload: any) => any} answer
 */
function fakeClient(answer) {
  /** @type {any[]} */
  const calls = [];
  return {
    calls,
    /** @param {any} payload */
    async analyze(payload) {
      calls.push(["analyze", payload]);
      const result = await answer(payload);
      if (result instanceof Error) throw result;
      return result;
    },
    /** @param {any} sender */
    async senderContact(sender) {
      calls.push(["senderContact", sender]);
      return {
        known: true,
        organization: "Partner B",
        matched_by: "domain",
        contacts: [{ name: "Ben Ortiz", email: "ben.ortiz@partnerb.example", phone: "+44 20 7946 0001" }],
        note: "Call the number on file.",
      };
    },
    /** @param {any} report */
    async report(report) {
      calls.push(["report", report]);
      return { reported: true };
    },
  };
}

/** Wait until `predicate` holds (the pane works through several async steps). */
async function until(predicate, what = "condition") {
  for (let i = 0; i < 200; i++) {
    if (predicate()) return;
    await new Promise((r) => setTimeout(r, 5));
  }
  assert.fail(`timed out waiting for ${what}`);
}

test("collectMessage sends what Outlook shows, and skips recipients without an address", async () => {
  const Office = office();
  Office.__standin.start({ ...FAKE_REPLY, body: "x".repeat(MAX_BODY_CHARS + 500) });
  const payload = await collectMessage(Office, Office.context.mailbox.item);
  assert.deepEqual(payload.from, { name: "Finance Person", address: "finance-person@partnerb.example" });
  assert.deepEqual(payload.sender, payload.from);
  assert.deepEqual(payload.to, [{ name: "Anna Keller", address: "anna.keller@partnera.example" }]);
  assert.deepEqual(payload.cc, [{ name: "", address: "finance@partnerb.example" }]);
  assert.equal(payload.subject, FAKE_REPLY.subject);
  assert.equal(payload.headers, FAKE_REPLY.headers);
  assert.equal(payload.conversation_id, "AAQkADconv1");
  assert.equal(payload.internet_message_id, FAKE_REPLY.internetMessageId);
  assert.equal(/** @type {string} */ (payload.body).length, MAX_BODY_CHARS);
});

test("a 10 KB display name is cut to what the service takes; an absurd address is left out", async () => {
  const Office = office();
  Office.__standin.start({
    ...FAKE_REPLY,
    from: { displayName: "N".repeat(10240), emailAddress: "a@example.com" },
    to: [{ displayName: "x", emailAddress: "b".repeat(2000) + "@example.com" }],
  });
  const payload = await collectMessage(Office, Office.context.mailbox.item);
  assert.equal(/** @type {any} */ (payload.from).name.length, MAX_NAME_CHARS);
  assert.deepEqual(payload.to, []);
});

test("headers Outlook will not give are left out, not invented", async () => {
  const Office = office();
  Office.__standin.start({ ...FAKE_REPLY, headersFail: true });
  const payload = await collectMessage(Office, Office.context.mailbox.item);
  assert.equal("headers" in payload, false);
  assert.equal(payload.body, FAKE_REPLY.body);
});

test("notifications: error bar for danger, informational with icon for caution, removal for none", async () => {
  const Office = office();
  Office.__standin.start(FAKE_REPLY);
  const item = Office.context.mailbox.item;
  const danger = await showNotification(Office, item, { show: true, key: NOTIFICATION_KEY, tone: "error", level: "danger", title: "t", text: "Do not pay." });
  assert.equal(danger.ok, true);
  const caution = await showNotification(Office, item, { show: true, key: NOTIFICATION_KEY, tone: "informational", level: "caution", title: "t", text: "Check." });
  assert.equal(caution.ok, true);
  const none = await showNotification(Office, item, { show: false, key: NOTIFICATION_KEY });
  assert.equal(none.ok, true);
  const calls = callsOf(Office).map((/** @type {any} */ c) => [c.method, c.type ?? null, c.status]);
  assert.deepEqual(calls, [
    ["replaceAsync", "errorMessage", "succeeded"],
    ["replaceAsync", "informationalMessage", "succeeded"],
    ["removeAsync", null, "succeeded"],
  ]);
  assert.equal(item.__notifications.size, 0);
  assert.equal(NOTIFICATION_ICON, "Icon.16");
});

test("the pane checks the open message, then each message selected while pinned", async () => {
  const Office = office();
  const root = pane();
  const client = fakeClient((p) => (p.from.address.startsWith("finance-person") ? DANGER : NONE));
  Office.__standin.start(FAKE_REPLY);
  await Office.onReady();
  startPane({ Office, root, client });
  await until(() => root.getAttribute("data-level") === "danger", "danger verdict");
  await until(() => Office.__standin.calls.length === 1, "notification");
  assert.equal(root.querySelector("h1")?.textContent, "Possible fraud");
  assert.equal(root.querySelector(".finding .finding-title")?.textContent, "Replies go to a free-mail address");
  assert.equal(root.querySelector(".evidence dd bdi")?.textContent, "Finance Person <finance.person.partnerb@gmail.com>");
  const first = Office.__standin.calls[0];
  assert.equal(first.method, "replaceAsync");
  assert.equal(first.type, "errorMessage");
  assert.equal(first.key, NOTIFICATION_KEY);
  assert.equal(first.message, DANGER.banner.text);
  assert.equal(Office.__standin.handlerCount(), 1);

  Office.__standin.select(REAL_REPLY);
  await until(() => root.getAttribute("data-level") === "none", "none verdict");
  await until(() => Office.__standin.calls.length === 2, "second notification call");
  const second = Office.__standin.calls[1];
  assert.equal(second.method, "removeAsync");
  assert.equal(second.item, REAL_REPLY.subject);
  assert.equal(root.querySelector("h1")?.textContent, "Nothing unusual");
  assert.equal(root.querySelectorAll(".finding").length, 0);
  assert.equal(client.calls.filter((c) => c[0] === "analyze").length, 2);

  Office.__standin.select(null);
  await until(() => root.textContent === "Select a message to check it.", "empty selection");
});

test("an answer that arrives after the reader moved on is dropped", async () => {
  const Office = office();
  const root = pane();
  /** @type {(v: any) => void} */
  let releaseFirst = () => {};
  const client = fakeClient((p) =>
    p.from.address.startsWith("finance-person") ? new Promise((resolve) => (releaseFirst = resolve)) : NONE,
  );
  Office.__standin.start(FAKE_REPLY);
  startPane({ Office, root, client });
  await until(() => client.calls.length === 1, "first request");
  Office.__standin.select(REAL_REPLY);
  await until(() => root.getAttribute("data-level") === "none", "second verdict");
  releaseFirst(DANGER);
  await new Promise((r) => setTimeout(r, 30));
  assert.equal(root.getAttribute("data-level"), "none");
  assert.deepEqual(
    callsOf(Office).map((/** @type {any} */ c) => c.method),
    ["removeAsync"],
  );
});

for (const [kind, reason] of [
  ["unreachable", "could not be reached"],
  ["timeout", "did not answer in time"],
  ["refused", "refused this add-in's key"],
  ["server", "internal error"],
]) {
  test(`fail visible: ${kind} shows "could not check" in the pane and the notification bar`, async () => {
    const Office = office();
    const root = pane();
    const client = fakeClient(() => new CaveatError(/** @type {any} */ (kind), "x"));
    Office.__standin.start(FAKE_REPLY);
    startPane({ Office, root, client });
    await until(() => Office.__standin.calls.length === 1, "notification");
    assert.equal(root.getAttribute("data-level"), "unknown");
    assert.equal(root.querySelector("h1")?.textContent, COULD_NOT_CHECK);
    assert.match(root.textContent ?? "", new RegExp(reason));
    const call = Office.__standin.calls[0];
    assert.equal(call.method, "replaceAsync");
    assert.equal(call.type, "informationalMessage");
    assert.equal(call.status, "succeeded");
    assert.ok(call.message.startsWith(COULD_NOT_CHECK));
    assert.ok(call.message.length <= 150);
  });
}

test("an info verdict shows in the pane but never as a notification bar", async () => {
  const Office = office();
  const root = pane();
  const INFO = { ...CAUTION, level: "info", banner: { title: "A note", text: "First message from this sender." } };
  Office.__standin.start(FAKE_REPLY);
  startPane({ Office, root, client: fakeClient(() => INFO) });
  await until(() => root.getAttribute("data-level") === "info", "info verdict");
  await until(() => Office.__standin.calls.length === 1, "notification call");
  assert.equal(root.querySelector("h1")?.textContent, "A note");
  assert.deepEqual(
    callsOf(Office).map((/** @type {any} */ c) => c.method),
    ["removeAsync"],
  );
});

test("the pane in another language: its own words from the messages, the service's as sent", async () => {
  const english = JSON.parse(readFileSync(new URL("../../_locales/en/messages.json", import.meta.url), "utf8"));
  use(
    "de",
    {
      advice_heading: { message: "Was zu tun ist" },
      button_report: { message: "Melden" },
      outlook_checking: { message: "Diese Nachricht wird geprüft\u2026" },
      could_not_check: { message: "Caveat konnte diese Nachricht nicht prüfen" },
      could_not_check_because: { message: "Caveat konnte diese Nachricht nicht prüfen: $1 Seien Sie vorsichtig." },
      could_not_check_detail: { message: "$1 Seien Sie vorsichtig." },
      failure_unreachable: { message: "der Caveat-Dienst war nicht erreichbar." },
    },
    english,
  );
  try {
    const Office = office();
    const root = pane();
    Office.__standin.start(FAKE_REPLY);
    /** @type {(v: any) => void} */
    let release = () => {};
    const client = fakeClient(() => new Promise((resolve) => (release = resolve)));
    startPane({ Office, root, client });
    await until(() => root.textContent === "Diese Nachricht wird geprüft\u2026", "pending in German");
    await until(() => client.calls.length === 1, "the request");
    release(DANGER);
    await until(() => root.getAttribute("data-level") === "danger", "danger verdict");
    assert.equal(root.querySelector("h1")?.textContent, "Possible fraud");
    assert.equal(root.querySelector(".advice h2")?.textContent, "Was zu tun ist");
    assert.equal(root.querySelector("button.report")?.textContent, "Melden");
    assert.equal(root.querySelector("button.verify")?.textContent, "Verify sender");

    const down = office();
    const failed = pane();
    down.__standin.start(FAKE_REPLY);
    startPane({ Office: down, root: failed, client: fakeClient(() => new CaveatError("unreachable", "x")) });
    await until(() => down.__standin.calls.length === 1, "notification");
    assert.equal(failed.querySelector("h1")?.textContent, "Caveat konnte diese Nachricht nicht prüfen");
    assert.equal(failed.querySelector(".level-text")?.textContent, "Der Caveat-Dienst war nicht erreichbar. Seien Sie vorsichtig.");
    assert.equal(
      down.__standin.calls[0].message,
      "Caveat konnte diese Nachricht nicht prüfen: der Caveat-Dienst war nicht erreichbar. Seien Sie vorsichtig.",
    );
  } finally {
    use("en", english);
  }
});

test("a caution verdict gets an informational bar that Outlook accepts", async () => {
  const Office = office();
  const root = pane();
  Office.__standin.start(FAKE_REPLY);
  startPane({ Office, root, client: fakeClient(() => CAUTION) });
  await until(() => Office.__standin.calls.length === 1, "notification");
  assert.equal(Office.__standin.calls[0].type, "informationalMessage");
  assert.equal(Office.__standin.calls[0].status, "succeeded");
});

test("Verify sender shows the directory's contact and the checklist; Report sends the message's ids", async () => {
  const Office = office();
  const root = pane();
  const client = fakeClient(() => DANGER);
  Office.__standin.start(FAKE_REPLY);
  startPane({ Office, root, client });
  await until(() => root.getAttribute("data-level") === "danger", "verdict");
  /** @type {HTMLButtonElement} */ (root.querySelector("button.verify")).click();
  await until(() => root.querySelector(".contact") !== null, "contact");
  assert.deepEqual(client.calls.find((c) => c[0] === "senderContact")?.[1], {
    name: "Finance Person",
    address: "finance-person@partnerb.example",
  });
  assert.equal(root.querySelector(".contact .phone")?.textContent, "+44 20 7946 0001");
  assert.equal(root.querySelector(".organization bdi")?.textContent, "Partner B");
  assert.equal(root.querySelectorAll(".checklist li").length, 4);

  /** @type {HTMLButtonElement} */ (root.querySelector("button.report")).click();
  await until(() => root.querySelector(".action-message.ok") !== null, "report outcome");
  const report = client.calls.find((c) => c[0] === "report")?.[1];
  assert.equal(report.internet_message_id, FAKE_REPLY.internetMessageId);
  assert.deepEqual(report.finding_ids, ["REPLYTO_FREEMAIL"]);
  assert.equal(report.level, "danger");
  assert.equal(report.reporter, "anna.keller@partnera.example");
  // The message the pane analysed goes along, for the service to read the Reply-To,
  // look-alike domains, accounts and phone numbers from it itself.
  const analysed = client.calls.find((c) => c[0] === "analyze")?.[1];
  assert.deepEqual(report.message, analysed);
  assert.equal(report.message.body, FAKE_REPLY.body);
  assert.equal(report.message.headers, FAKE_REPLY.headers);
});

test("Report: a message the service refuses is reported again without it, the sender still reported", async () => {
  const Office = office();
  const root = pane();
  const client = fakeClient(() => DANGER);
  /** @type {any[]} */
  const sent = [];
  client.report = async (/** @type {any} */ report) => {
    sent.push(report);
    if (report.message) throw new CaveatError("rejected", "the request body is too large", 413);
    return { reported: true };
  };
  Office.__standin.start(FAKE_REPLY);
  startPane({ Office, root, client });
  await until(() => root.getAttribute("data-level") === "danger", "verdict");
  /** @type {HTMLButtonElement} */ (root.querySelector("button.report")).click();
  await until(() => root.querySelector(".action-message.ok") !== null, "report outcome");
  assert.equal(sent.length, 2);
  assert.ok(sent[0].message);
  assert.equal("message" in sent[1], false);
  assert.equal(sent[1].from.address, "finance-person@partnerb.example");
});

test("Report before any verdict sends no message, and another failure is shown, not retried", async () => {
  const Office = office();
  const root = pane();
  const client = fakeClient(() => new CaveatError("server", "the service failed to answer", 500));
  /** @type {any[]} */
  const sent = [];
  client.report = async (/** @type {any} */ report) => {
    sent.push(report);
    throw new CaveatError("server", "the service failed to answer", 503);
  };
  Office.__standin.start(FAKE_REPLY);
  startPane({ Office, root, client });
  await until(() => root.querySelector("button.report") !== null, "failure with Report");
  /** @type {HTMLButtonElement} */ (root.querySelector("button.report")).click();
  await until(() => root.querySelector(".action-message.error") !== null, "report failure");
  assert.equal(sent.length, 1);
  assert.equal("message" in sent[0], false);
});
