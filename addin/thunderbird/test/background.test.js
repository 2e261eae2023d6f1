// @ts-check
// The background's logic (caveat.js) against the messenger stand-in and a stand-in service:
// what is sent for a displayed message, how often, and what the reader is shown for each
// answer — including no answer at all.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";

import { COULD_NOT_CHECK, MAX_TEXT } from "../../shared/banner.js";
import { BADGES, CACHE_SIZE, DISPLAY_SCRIPT, FAILURE_TTL_MS, createCaveat } from "../caveat.js";
import { EXTENSION_BASE, createStandin } from "./messenger-standin.js";
import { CAUTION, CONTACT, DANGER, INFO, KEY, NONE, SERVICE, createService } from "./service-standin.js";

const SEED = new URL("../../../tests/fixtures/seed/", import.meta.url);
const FAKE_REPLY_EML = readFileSync(new URL("02-fake-reply-via-relay.eml", SEED), "utf8");
const REAL_REPLY_EML = readFileSync(new URL("05-real-reply-partner-b.eml", SEED), "utf8");
const REPORT_URL = "http://127.0.0.1:5599/test/display-events";

const FAKE_REPLY = {
  id: 11,
  subject: "RE: Invoice 2024-1187 - payment reminder",
  author: "Finance Person <finance-person@partnerb.example>",
  headerMessageId: "20241106123140.8f3a1c2b@relay.mailrelay-host.example",
  external: true,
};
const REAL_REPLY = {
  id: 12,
  subject: "RE: Invoice 2024-1187 - payment reminder",
  author: "Accounts Desk <accounts@partnerb.example>",
  headerMessageId: "AS8PR01MB4004C0FFEE0123@example",
  external: true,
};
const FAKE_BODY = "Hello,\n\nour bank details have changed.";

/**
 * A started background with a service and a stand-in Thunderbird.
 * @param {{
 *   deployment?: Record<string, string>,
 *   analyze?: (payload: any) => any,
 *   down?: boolean,
 *   hang?: boolean,
 *   stored?: Record<string, string>,
 *   now?: () => number,
 *   fallback?: (url: string, init: RequestInit) => Promise<Response> | null,
 * }} [options]
 */
async function started(options = {}) {
  const tb = createStandin();
  if (options.stored) Object.assign(tb.storageData, options.stored);
  tb.addMessage(FAKE_REPLY, { raw: FAKE_REPLY_EML, parts: [{ contentType: "text/plain", content: FAKE_BODY }] });
  tb.addMessage(REAL_REPLY, { raw: REAL_REPLY_EML, parts: [{ contentType: "text/plain", content: "Hello" }] });
  const service = createService({
    analyze: options.analyze ?? ((p) => (p.internet_message_id === FAKE_REPLY.headerMessageId ? DANGER : NONE)),
    down: options.down,
    hang: options.hang,
    fallback: options.fallback,
  });
  const caveat = createCaveat({
    messenger: tb.messenger,
    fetchImpl: service.fetch,
    loadDeployment: async () => options.deployment ?? { base_url: SERVICE, api_key: KEY },
    timeoutMs: 100,
    now: options.now,
  });
  await caveat.start();
  return { tb, service, caveat, analyzeCalls: () => service.to("/api/v1/analyze") };
}

/** @param {ReturnType<typeof createStandin>} tb @param {number} [tabId] */
const askBanner = (tb, tabId = 7) => tb.send({ command: "banner" }, tb.displaySender(tabId));

test("start registers the display script once, with the files the XPI holds", async () => {
  const { tb } = await started();
  assert.deepEqual(tb.registered, [
    { id: "caveat-banner", js: ["thunderbird/display.js"], css: ["thunderbird/display.css"], runAt: "document_end" },
  ]);
  // A restart of the background finds it registered and leaves it alone.
  const again = createCaveat({ messenger: tb.messenger, fetchImpl: async () => new Response("{}"), loadDeployment: async () => ({}) });
  await again.start();
  assert.equal(tb.registered.length, 1);
});

test("a registration racing another start ('already registered') is not an error", async () => {
  const tb = createStandin();
  tb.registered.push({ ...DISPLAY_SCRIPT });
  // getRegisteredScripts answers from before the other registration landed.
  tb.messenger.scripting.messageDisplay.getRegisteredScripts = async () => [];
  const caveat = createCaveat({ messenger: tb.messenger, fetchImpl: async () => new Response("{}"), loadDeployment: async () => ({}) });
  await caveat.start();
  assert.equal(tb.registered.length, 1);
  assert.equal(tb.injections.length, 0);
});

test("a message already open when the script is first registered gets it injected", async () => {
  const tb = createStandin();
  tb.addMessage(FAKE_REPLY, { raw: FAKE_REPLY_EML });
  tb.setDisplayed(7, [FAKE_REPLY.id]);
  tb.openTab({ id: 8, type: "content", active: false });
  const caveat = createCaveat({ messenger: tb.messenger, fetchImpl: async () => new Response("{}"), loadDeployment: async () => ({}) });
  await caveat.start();
  assert.deepEqual(
    tb.injections.map((i) => [i.method, i.details.target.tabId, i.details.files]),
    [
      ["insertCSS", 7, ["thunderbird/display.css"]],
      ["executeScript", 7, ["thunderbird/display.js"]],
    ],
  );
});

test("the fake reply: one analyze call with the raw header block, danger badge and banner", async () => {
  const { tb, service, analyzeCalls } = await started();
  await tb.display(7, [FAKE_REPLY.id]);
  const calls = analyzeCalls();
  assert.equal(calls.length, 1);
  const { body: payload, headers, credentials } = calls[0];
  assert.equal(headers.authorization, `Bearer ${KEY}`);
  assert.equal(credentials, "omit");
  assert.equal(calls[0].url, `${SERVICE}/api/v1/analyze`);
  assert.deepEqual(Object.keys(payload).sort(), ["body", "headers", "internet_message_id", "language", "subject"]);
  assert.equal(payload.language, "en", "the service words its verdict in the language spoken");
  assert.equal(payload.headers, FAKE_REPLY_EML.slice(0, FAKE_REPLY_EML.indexOf("\n\n") + 1));
  assert.match(payload.headers, /^Received: from DB8PR01MB7001/);
  assert.match(payload.headers, /\(Authenticated sender: spamcontrol26\)/);
  assert.doesNotMatch(payload.headers, /thank you for the reminder/, "no body line in the header block");
  assert.equal(payload.body, FAKE_BODY);
  assert.equal(payload.subject, FAKE_REPLY.subject);
  assert.equal(payload.internet_message_id, FAKE_REPLY.headerMessageId);
  assert.equal(tb.wholeReads.count, 0, "the raw message is sliced, not read whole");

  assert.deepEqual(tb.badge(7), {
    text: "!",
    color: BADGES.danger.color,
    title: "Caveat: danger \u2014 Possible fraud",
  });
  const banner = await askBanner(tb);
  assert.deepEqual(banner, {
    show: true,
    key: "caveat-verdict",
    tone: "error",
    level: "danger",
    title: "Possible fraud",
    text: DANGER.banner.text,
    lang: "en",
    dir: "ltr",
  });
  assert.equal(analyzeCalls().length, 1, "the banner request reuses the answer");
  assert.equal(service.requests.length, 1);
});

test('a caution verdict: badge "!" and an informational banner over the message', async () => {
  const { tb } = await started({ analyze: () => CAUTION });
  await tb.display(7, [FAKE_REPLY.id]);
  assert.deepEqual(tb.badge(7), {
    text: "!",
    color: BADGES.caution.color,
    title: `Caveat: caution \u2014 ${CAUTION.banner.title}`,
  });
  const banner = await askBanner(tb);
  assert.equal(banner.show, true);
  assert.equal(banner.level, "caution");
  assert.equal(banner.tone, "informational");
});

test('an info verdict: badge "i", and no bar over the message (the pop-up has it)', async () => {
  const { tb } = await started({ analyze: () => INFO });
  await tb.display(7, [FAKE_REPLY.id]);
  assert.deepEqual(tb.badge(7), {
    text: "i",
    color: BADGES.info.color,
    title: `Caveat: note \u2014 ${INFO.banner.title}`,
  });
  assert.deepEqual(await askBanner(tb), { show: false });
});

test("a legitimate reply: no badge, no banner", async () => {
  const { tb, analyzeCalls } = await started();
  await tb.display(7, [REAL_REPLY.id]);
  assert.equal(analyzeCalls().length, 1);
  assert.deepEqual(tb.badge(7), { text: "", color: null, title: "Caveat: nothing unusual found" });
  assert.deepEqual(await askBanner(tb), { show: false });
});

test("the badge says 'checking' while the service answers", async () => {
  const { tb } = await started();
  await tb.display(7, [FAKE_REPLY.id]);
  const titles = tb.actionCalls.filter((c) => c.method === "setTitle").map((c) => c.details.title);
  assert.deepEqual(titles, ["Caveat: checking this message\u2026", "Caveat: danger \u2014 Possible fraud"]);
});

for (const [name, options, reason] of /** @type {const} */ ([
  ["the service is down", { down: true }, "could not be reached"],
  ["the service does not answer in time", { hang: true }, "did not answer in time"],
  ["the key is refused", { deployment: { base_url: SERVICE, api_key: "wrong" } }, "refused this add-in's key"],
  ["the service fails", { analyze: () => new Response("boom", { status: 502 }) }, "internal error"],
  ["the answer is not a verdict", { analyze: () => ({ hello: 1 }) }, "does not understand"],
])) {
  test(`fail visible: ${name} gives "could not check", never silence`, async () => {
    const { tb } = await started(/** @type {any} */ (options));
    await tb.display(7, [FAKE_REPLY.id]);
    const badge = tb.badge(7);
    assert.equal(badge.text, "?");
    assert.equal(badge.color, BADGES.unknown.color);
    assert.match(String(badge.title), new RegExp(`^Caveat: could not check this message \u2014 .*${reason}`));
    const banner = await askBanner(tb);
    assert.equal(banner.show, true);
    assert.equal(banner.level, "unknown");
    assert.equal(banner.title, COULD_NOT_CHECK);
    assert.ok(banner.text.startsWith(`${COULD_NOT_CHECK}: `));
    assert.match(banner.text, new RegExp(reason));
    assert.ok(banner.text.length <= MAX_TEXT);
  });
}

test("not configured (no URL, no key): every message says so, and nothing is sent", async () => {
  const { tb, service } = await started({ deployment: {} });
  await tb.display(7, [REAL_REPLY.id]);
  const banner = await askBanner(tb);
  assert.equal(banner.show, true);
  assert.equal(banner.level, "unknown");
  assert.match(banner.text, /^Caveat could not check this message: Caveat is not configured/);
  assert.equal(tb.badge(7).text, "?");
  assert.equal(service.requests.length, 0);
});

test("a URL without a key is not configured either", async () => {
  const { tb, service } = await started({ deployment: { base_url: SERVICE } });
  await tb.display(7, [REAL_REPLY.id]);
  assert.match((await askBanner(tb)).text, /not configured/);
  assert.equal(service.requests.length, 0);
});

test("a service URL that is not https is refused with its own reason", async () => {
  const { tb, service } = await started({ deployment: {}, stored: { baseUrl: "http://caveat.example.com", apiKey: KEY } });
  await tb.display(7, [REAL_REPLY.id]);
  assert.match((await askBanner(tb)).text, /service URL .* is not valid/);
  assert.equal(service.requests.length, 0);
});

test("the options override the deployment, and a change is used for the next message", async () => {
  const { tb, service, analyzeCalls } = await started({ deployment: { base_url: "https://old.example.com" } });
  await tb.display(7, [REAL_REPLY.id]);
  assert.match((await askBanner(tb)).text, /not configured/);

  await tb.messenger.storage.local.set({ baseUrl: SERVICE, apiKey: KEY });
  await new Promise((r) => setTimeout(r, 10)); // onChanged
  await tb.display(7, [REAL_REPLY.id]);
  assert.deepEqual(await askBanner(tb), { show: false });
  assert.equal(analyzeCalls().length, 1);
  assert.equal(new URL(service.requests[0].url).origin, SERVICE);
});

test("one analyze call per message, whether the display script asks before or after the event", async () => {
  const { tb, analyzeCalls } = await started();
  tb.setDisplayed(7, [FAKE_REPLY.id]);
  const early = askBanner(tb); // the display script can run before onMessagesDisplayed
  const event = tb.display(7, [FAKE_REPLY.id]);
  const late = askBanner(tb);
  const [a, , b] = await Promise.all([early, event, late]);
  assert.equal(a.level, "danger");
  assert.deepEqual(a, b);
  assert.equal(analyzeCalls().length, 1);
  // Displaying it again (back to it from another message) asks nothing new.
  await tb.display(7, [REAL_REPLY.id]);
  await tb.display(7, [FAKE_REPLY.id]);
  assert.equal(analyzeCalls().length, 2);
  assert.equal(tb.badge(7).text, "!");
});

test("several messages selected: no analysis, the badge of the previous one is cleared", async () => {
  const { tb, analyzeCalls } = await started();
  await tb.display(7, [FAKE_REPLY.id]);
  assert.equal(tb.badge(7).text, "!");
  await tb.display(7, [FAKE_REPLY.id, REAL_REPLY.id]);
  assert.equal(analyzeCalls().length, 1);
  assert.deepEqual(tb.badge(7), { text: "", color: null, title: "Caveat" });
  assert.deepEqual(await askBanner(tb), { show: false });
});

test("several messages selected first: nothing is sent at all", async () => {
  const { tb, service } = await started();
  await tb.display(7, [FAKE_REPLY.id, REAL_REPLY.id]);
  assert.equal(service.requests.length, 0);
});

test("an answer that arrives after the reader moved on does not badge the new message", async () => {
  /** @type {(v: any) => void} */
  let release = () => {};
  const { tb } = await started({
    analyze: (p) => (p.internet_message_id === FAKE_REPLY.headerMessageId ? new Promise((r) => (release = r)) : NONE),
  });
  const first = tb.display(7, [FAKE_REPLY.id]);
  await new Promise((r) => setTimeout(r, 20));
  await tb.display(7, [REAL_REPLY.id]);
  release(DANGER);
  await first;
  assert.deepEqual(tb.badge(7), { text: "", color: null, title: "Caveat: nothing unusual found" });
});

test("badges are per tab", async () => {
  const { tb } = await started();
  tb.openTab({ id: 9, type: "messageDisplay" });
  await Promise.all([tb.display(7, [FAKE_REPLY.id]), tb.display(9, [REAL_REPLY.id])]);
  assert.equal(tb.badge(7).text, "!");
  assert.equal(tb.badge(9).text, "");
});

test("a failure is retried once it is old; a verdict is kept", async () => {
  let clock = 1_000;
  const { tb, service, analyzeCalls } = await started({ down: true, now: () => clock });
  await tb.display(7, [FAKE_REPLY.id]);
  await askBanner(tb);
  assert.equal(analyzeCalls().length, 1);
  service.state.down = false;
  clock += FAILURE_TTL_MS + 1;
  await tb.display(7, [FAKE_REPLY.id]);
  assert.equal(analyzeCalls().length, 2);
  assert.equal(tb.badge(7).text, "!");
  clock += FAILURE_TTL_MS * 10;
  await tb.display(7, [FAKE_REPLY.id]);
  assert.equal(analyzeCalls().length, 2);
});

test("the cache is bounded: the oldest answer is dropped", async () => {
  const { tb, analyzeCalls } = await started({ analyze: () => NONE });
  for (let id = 100; id <= 100 + CACHE_SIZE; id++) {
    tb.addMessage({ ...REAL_REPLY, id, headerMessageId: `m${id}@example` }, { raw: REAL_REPLY_EML });
    await tb.display(7, [id]);
  }
  assert.equal(analyzeCalls().length, CACHE_SIZE + 1);
  await tb.display(7, [100 + CACHE_SIZE]);
  assert.equal(analyzeCalls().length, CACHE_SIZE + 1);
  await tb.display(7, [100]);
  assert.equal(analyzeCalls().length, CACHE_SIZE + 2);
});

test("a message whose source cannot be read is 'could not check'", async () => {
  const { tb, service } = await started();
  tb.control.failGetRaw = true;
  await tb.display(7, [FAKE_REPLY.id]);
  const banner = await askBanner(tb);
  assert.match(banner.text, /Thunderbird could not read this message/);
  assert.equal(service.requests.length, 0);
});

test("'shown' is posted to the display report URL when the deployment names one, without a credential", async () => {
  const { tb, service } = await started({ deployment: { base_url: SERVICE, api_key: KEY, display_report_url: REPORT_URL } });
  await tb.display(7, [FAKE_REPLY.id]);
  const answer = await tb.send({ command: "shown", level: "danger", shown: true, text: "Possible fraud Replies go elsewhere." }, tb.displaySender(7));
  assert.deepEqual(answer, { ok: true });
  const reports = service.requests.filter((r) => r.url === REPORT_URL);
  assert.equal(reports.length, 1);
  assert.equal(reports[0].method, "POST");
  assert.equal(reports[0].headers["content-type"], "application/json");
  assert.equal(reports[0].headers.authorization, undefined);
  assert.equal(reports[0].credentials, "omit");
  assert.deepEqual(reports[0].body, {
    internet_message_id: FAKE_REPLY.headerMessageId,
    level: "danger",
    shown: true,
    text: "Possible fraud Replies go elsewhere.",
  });
});

test("'shown' does nothing without a display report URL, and its failure is ignored", async () => {
  const { tb, service } = await started();
  await tb.display(7, [REAL_REPLY.id]);
  const before = service.requests.length;
  assert.deepEqual(await tb.send({ command: "shown", level: "none", shown: false, text: "" }, tb.displaySender(7)), { ok: true });
  assert.equal(service.requests.length, before);

  const down = await started({ deployment: { base_url: SERVICE, api_key: KEY, display_report_url: REPORT_URL }, down: true });
  await down.tb.display(7, [REAL_REPLY.id]);
  assert.deepEqual(await down.tb.send({ command: "shown", level: "unknown", shown: true, text: "x" }, down.tb.displaySender(7)), { ok: true });
});

test("unknown, missing and misdirected commands are refused", async () => {
  const { tb } = await started();
  await assert.rejects(tb.send({ command: "erase" }, tb.popupSender()), /unknown command: erase/);
  await assert.rejects(tb.send({ command: "toString" }, tb.popupSender()), /unknown command/);
  await assert.rejects(tb.send({ hello: 1 }, tb.popupSender()), /unknown command/);
  await assert.rejects(tb.send("banner", tb.displaySender(7)), /unknown command/);
  // Only this extension: another one's id is refused.
  await assert.rejects(tb.send({ command: "details" }, { ...tb.popupSender(), id: "other@example" }), /only from this extension/);
  // The display script asks for banners; the popup's commands are the popup's.
  await assert.rejects(tb.send({ command: "banner" }, tb.popupSender()), /display script/);
  await assert.rejects(tb.send({ command: "report" }, tb.displaySender(7)), /popup/);
  await assert.rejects(tb.send({ command: "details" }, tb.displaySender(7)), /popup/);
});

test("details: the verdict, sender and subject of the message in the active tab", async () => {
  const { tb } = await started();
  await tb.display(7, [FAKE_REPLY.id]);
  const details = await tb.send({ command: "details" }, tb.popupSender());
  assert.equal(details.state, "verdict");
  assert.equal(details.messageId, FAKE_REPLY.id);
  assert.deepEqual(details.verdict, DANGER);
  assert.deepEqual(details.from, { name: "Finance Person", address: "finance-person@partnerb.example" });
  assert.equal(details.subject, FAKE_REPLY.subject);
});

test("details: nothing displayed, or a failure", async () => {
  const { tb } = await started({ down: true });
  assert.deepEqual(await tb.send({ command: "details" }, tb.popupSender()), { state: "none" });
  await tb.display(7, [FAKE_REPLY.id]);
  const details = await tb.send({ command: "details" }, tb.popupSender());
  assert.equal(details.state, "failure");
  assert.equal(details.banner.title, COULD_NOT_CHECK);
});

test("details follows the active tab of the current window", async () => {
  const { tb } = await started();
  tb.openTab({ id: 21, windowId: 2, type: "messageDisplay" });
  tb.setDisplayed(21, [REAL_REPLY.id]);
  await tb.display(7, [FAKE_REPLY.id]);
  tb.focusWindow(2);
  const details = await tb.send({ command: "details" }, tb.popupSender());
  assert.equal(details.messageId, REAL_REPLY.id);
});

test("verify asks the directory for the From address and name", async () => {
  const { tb, service } = await started();
  await tb.display(7, [FAKE_REPLY.id]);
  const answer = await tb.send({ command: "verify", messageId: FAKE_REPLY.id }, tb.popupSender());
  assert.deepEqual(answer, { ok: true, contact: CONTACT });
  const [call] = service.to("/api/v1/senders/contact");
  const url = new URL(call.url);
  assert.equal(url.searchParams.get("address"), "finance-person@partnerb.example");
  assert.equal(url.searchParams.get("name"), "Finance Person");
  assert.equal(call.method, "GET");
  assert.equal(call.headers.authorization, `Bearer ${KEY}`);
});

test("verify and report refuse to act on another message than the popup showed", async () => {
  const { tb, service } = await started();
  await tb.display(7, [REAL_REPLY.id]);
  const answer = await tb.send({ command: "verify", messageId: FAKE_REPLY.id }, tb.popupSender());
  assert.equal(answer.ok, false);
  assert.match(answer.message, /no longer open/);
  const report = await tb.send({ command: "report", messageId: FAKE_REPLY.id }, tb.popupSender());
  assert.equal(report.ok, false);
  assert.equal(service.to("/api/v1/reports").length, 0);
});

test("report sends the sender, the Message-ID, the level, the finding ids and the message analyze got", async () => {
  const { tb, service } = await started();
  await tb.display(7, [FAKE_REPLY.id]);
  assert.deepEqual(await tb.send({ command: "report", messageId: FAKE_REPLY.id }, tb.popupSender()), { ok: true });
  const [call] = service.to("/api/v1/reports");
  assert.equal(call.method, "POST");
  const { message, ...rest } = call.body;
  assert.deepEqual(rest, {
    from: { name: "Finance Person", address: "finance-person@partnerb.example" },
    internet_message_id: FAKE_REPLY.headerMessageId,
    level: "danger",
    finding_ids: ["REPLYTO_FREEMAIL", "AUTH_DMARC_FAIL"],
    reporter: null,
  });
  // The service reads the Reply-To, look-alike domains, accounts and phone numbers from
  // the message itself: the same payload analyze was sent.
  const [analysed] = service.to("/api/v1/analyze");
  const { language: _language, ...analysedMessage } = analysed.body;
  assert.deepEqual(message, analysedMessage);
  assert.match(message.headers, /^Reply-To: .*finance\.person\.partnerb@gmail\.com/m);
});

test("report: a message the service refuses is left out and the sender reported all the same", async () => {
  /** @type {any[]} */
  const sent = [];
  const { tb } = await started({
    fallback: (url, init) => {
      if (!url.endsWith("/api/v1/reports")) return null;
      const body = JSON.parse(String(init.body));
      sent.push(body);
      const answer = body.message
        ? { status: 413, data: { error: { code: "payload_too_large", message: "the request body is too large" } } }
        : { status: 201, data: { id: 1, reported_at: "2026-11-25T10:01:00Z", created: true } };
      return Promise.resolve(new Response(JSON.stringify(answer.data), { status: answer.status, headers: { "Content-Type": "application/json" } }));
    },
  });
  await tb.display(7, [FAKE_REPLY.id]);
  assert.deepEqual(await tb.send({ command: "report", messageId: FAKE_REPLY.id }, tb.popupSender()), { ok: true });
  assert.equal(sent.length, 2);
  assert.ok(sent[0].message);
  assert.equal("message" in sent[1], false);
  assert.equal(sent[1].from.address, "finance-person@partnerb.example");
});

test("report of a message that could not be checked sends no level and no findings", async () => {
  const { tb, service } = await started({ analyze: () => new Response("{}", { status: 500 }) });
  await tb.display(7, [FAKE_REPLY.id]);
  assert.deepEqual(await tb.send({ command: "report" }, tb.popupSender()), { ok: true });
  const [call] = service.to("/api/v1/reports");
  assert.equal(call.body.level, null);
  assert.deepEqual(call.body.finding_ids, []);
});

test("verify and report say why they failed, in words", async () => {
  const { tb, service } = await started();
  await tb.display(7, [FAKE_REPLY.id]);
  service.state.down = true;
  const verify = await tb.send({ command: "verify" }, tb.popupSender());
  assert.equal(verify.ok, false);
  assert.match(verify.message, /^The partner directory could not be reached: .*could not be reached/);
  const report = await tb.send({ command: "report" }, tb.popupSender());
  assert.match(report.message, /^The report could not be sent: /);
});

test("without Thunderbird's mailbox parser, the From value is read carefully", async () => {
  const { tb, service } = await started();
  // @ts-ignore: an older host
  delete tb.messenger.messengerUtilities;
  tb.addMessage({ ...FAKE_REPLY, id: 31, author: '"Person, Finance" <finance-person@partnerb.example>' }, { raw: FAKE_REPLY_EML });
  tb.addMessage({ ...FAKE_REPLY, id: 32, author: "Finance Person finance-person at partnerb" }, { raw: FAKE_REPLY_EML });
  await tb.display(7, [31]);
  assert.equal((await tb.send({ command: "verify" }, tb.popupSender())).ok, true);
  const url = new URL(service.to("/api/v1/senders/contact")[0].url);
  assert.equal(url.searchParams.get("name"), "Person, Finance");
  assert.equal(url.searchParams.get("address"), "finance-person@partnerb.example");
  await tb.display(7, [32]);
  const answer = await tb.send({ command: "verify" }, tb.popupSender());
  assert.deepEqual(answer, { ok: false, message: "This message has no sender address to look up." });
});

test("nothing of the message is written to the console", async () => {
  const seen = [];
  const methods = /** @type {const} */ (["log", "info", "warn", "error", "debug", "trace"]);
  const originals = methods.map((m) => console[m]);
  for (const m of methods) console[m] = (/** @type {any[]} */ ...args) => void seen.push(args);
  try {
    const { tb } = await started({ deployment: { base_url: SERVICE, api_key: KEY, display_report_url: REPORT_URL } });
    await tb.display(7, [FAKE_REPLY.id]);
    await askBanner(tb);
    await tb.send({ command: "details" }, tb.popupSender());
    await tb.send({ command: "report" }, tb.popupSender());
    const down = await started({ down: true });
    await down.tb.display(7, [FAKE_REPLY.id]);
  } finally {
    methods.forEach((m, i) => (console[m] = originals[i]));
  }
  assert.deepEqual(seen, []);
});

test("the popup's sender is an extension page", () => {
  const tb = createStandin();
  assert.ok(tb.popupSender().url.startsWith(EXTENSION_BASE));
  assert.equal(tb.messenger.runtime.getURL(""), EXTENSION_BASE);
});
