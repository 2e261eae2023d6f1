// @ts-check
// The popup page (jsdom) against the real background logic: the verdict with its findings,
// the failure state, Verify sender and Report.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { JSDOM } from "jsdom";

import { COULD_NOT_CHECK } from "../../shared/banner.js";
import { createCaveat } from "../caveat.js";
import { startPopup } from "../popup.js";
import { createStandin } from "./messenger-standin.js";
import { DANGER, KEY, SERVICE, createService } from "./service-standin.js";

const POPUP_HTML = readFileSync(new URL("../popup.html", import.meta.url), "utf8");
const EML = readFileSync(new URL("../../../tests/fixtures/seed/02-fake-reply-via-relay.eml", import.meta.url), "utf8");
const HEADER = {
  id: 11,
  subject: "RE: Invoice 2024-1187 \u202Efdp.exe",
  author: "<img src=x onerror=alert(1)> <finance-person@partnerb.example>",
  headerMessageId: "20241106123140.8f3a1c2b@relay.mailrelay-host.example",
};

/**
 * @param {{analyze?: (p: any) => any, down?: boolean, display?: boolean}} [options]
 */
async function popup(options = {}) {
  const tb = createStandin();
  tb.addMessage(HEADER, { raw: EML, parts: [{ contentType: "text/plain", content: "Hello" }] });
  const service = createService({ analyze: options.analyze ?? (() => DANGER), down: options.down });
  const caveat = createCaveat({ messenger: tb.messenger, fetchImpl: service.fetch, loadDeployment: async () => ({ base_url: SERVICE, api_key: KEY }) });
  await caveat.start();
  if (options.display !== false) await tb.display(7, [HEADER.id]);
  const dom = new JSDOM(POPUP_HTML, { runScripts: "outside-only" });
  const root = /** @type {Element} */ (dom.window.document.getElementById("caveat"));
  /** @type {any[]} */
  const sent = [];
  const send = (/** @type {Record<string, unknown>} */ message) => {
    sent.push(message);
    return tb.send(message, tb.popupSender());
  };
  await startPopup({ root, send });
  return { tb, service, root, sent, window: dom.window };
}

/** @param {() => boolean} predicate */
async function until(predicate, what = "condition") {
  for (let i = 0; i < 200; i++) {
    if (predicate()) return;
    await new Promise((r) => setTimeout(r, 5));
  }
  assert.fail(`timed out waiting for ${what}`);
}

test("the page has no inline script, only its module", () => {
  const doc = new JSDOM(POPUP_HTML).window.document;
  const scripts = [...doc.querySelectorAll("script")];
  assert.deepEqual(scripts.map((s) => [s.getAttribute("type"), s.getAttribute("src"), s.textContent]), [["module", "popup.js", ""]]);
  assert.equal(doc.querySelectorAll("[onclick], [onload]").length, 0);
});

test("the popup shows the verdict, the findings and the actions for the displayed message", async () => {
  const { root, sent } = await popup();
  assert.deepEqual(sent[0], { command: "details" });
  assert.equal(root.getAttribute("data-level"), "danger");
  assert.equal(root.querySelector("h1")?.textContent, "Possible fraud");
  assert.deepEqual(
    [...root.querySelectorAll(".finding .finding-title")].map((h) => h.textContent),
    ["Replies go to a free-mail address", "DMARC failed"],
  );
  assert.ok(root.querySelector("button.verify"));
  assert.ok(root.querySelector("button.report"));
  // The sender and subject come from the message: text in their own <bdi>, no markup; the
  // sender's name and address are two, so that the name cannot turn the address.
  const bdis = [...root.querySelectorAll(".message bdi")].map((b) => b.textContent);
  assert.deepEqual(bdis, ["<img src=x onerror=alert(1)>", "finance-person@partnerb.example", HEADER.subject]);
  assert.equal(root.querySelector(".message .mailbox")?.textContent, "<img src=x onerror=alert(1)> <finance-person@partnerb.example>");
  assert.equal(root.querySelectorAll("img").length, 0);
});

test("Verify sender shows the directory's contact; Report says it was sent", async () => {
  const { root, sent, service } = await popup();
  /** @type {HTMLButtonElement} */ (root.querySelector("button.verify")).click();
  await until(() => root.querySelector(".contact") !== null, "contact");
  assert.deepEqual(sent[1], { command: "verify", messageId: HEADER.id });
  assert.equal(root.querySelector(".contact .phone")?.textContent, "+44 20 7946 0001");
  assert.equal(root.querySelectorAll(".checklist li").length, 4);
  assert.equal(service.to("/api/v1/senders/contact").length, 1);

  /** @type {HTMLButtonElement} */ (root.querySelector("button.report")).click();
  await until(() => root.querySelector(".action-message.ok") !== null, "report outcome");
  assert.deepEqual(sent.at(-1), { command: "report", messageId: HEADER.id });
  assert.match(root.querySelector(".action-message")?.textContent ?? "", /^Reported\./);
  assert.equal(service.to("/api/v1/reports").length, 1);
});

test("when the service is down the popup says 'could not check', and the actions say why they fail", async () => {
  const { root, service } = await popup({ down: true });
  assert.equal(root.getAttribute("data-level"), "unknown");
  assert.equal(root.querySelector("h1")?.textContent, COULD_NOT_CHECK);
  assert.match(root.textContent ?? "", /could not be reached/);
  /** @type {HTMLButtonElement} */ (root.querySelector("button.report")).click();
  await until(() => root.querySelector(".action-message.error") !== null, "report failure");
  assert.match(root.querySelector(".action-message")?.textContent ?? "", /^The report could not be sent/);
  service.state.down = false;
});

test("no single message displayed: a plain note, no actions", async () => {
  const { root } = await popup({ display: false });
  assert.equal(root.getAttribute("data-level"), "pending");
  assert.match(root.textContent ?? "", /Open a single message/);
  assert.equal(root.querySelectorAll("button").length, 0);
});

test("a background that does not answer leaves 'could not check', not a blank popup", async () => {
  const dom = new JSDOM(POPUP_HTML);
  const root = /** @type {Element} */ (dom.window.document.getElementById("caveat"));
  await startPopup({ root, send: async () => Promise.reject(new Error("Receiving end does not exist.")) });
  assert.equal(root.getAttribute("data-level"), "unknown");
  assert.equal(root.querySelector("h1")?.textContent, COULD_NOT_CHECK);
});
