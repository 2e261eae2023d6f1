// @ts-check
// The pane renderer with hostile text everywhere the message can put it: nothing becomes
// markup, a right-to-left override stays inside its own <bdi>, a 10 KB name is cut.
import { test } from "node:test";
import assert from "node:assert/strict";
import { JSDOM } from "jsdom";

import { MAX_SHOWN, renderContact, renderFailure, renderVerdict } from "../render.js";

export const HOSTILE = [
  "<script>window.__pwned = 1</script>",
  '<img src=x onerror="window.__pwned=1">',
  '"><svg onload=window.__pwned=1>',
  "javascript:window.__pwned=1",
  '<a href="javascript:window.__pwned=1">click</a>',
  "Invoice \u202Efdp.exe",
  "&lt;b&gt;entity&lt;/b&gt; &amp;",
  "{{constructor.constructor('window.__pwned=1')()}}",
  "A".repeat(10 * 1024),
];

function dom() {
  const window = new JSDOM('<!doctype html><main id="caveat"></main>', { runScripts: "outside-only" }).window;
  return { window, root: /** @type {Element} */ (window.document.getElementById("caveat")) };
}

/** @param {string} text */
function verdictWith(text) {
  return {
    level: /** @type {const} */ ("danger"),
    score: 10,
    banner: { title: "Possible fraud", text: "Do not pay." },
    findings: [
      {
        id: "REPLYTO_FREEMAIL",
        check: "reply_to_mismatch",
        severity: "danger",
        title: "Replies go elsewhere",
        explanation: "Explained.",
        evidence: [{ header: "Reply-To", value: text }, { header: text, value: text }],
        techniques: [],
      },
    ],
  };
}

/** Every element in the pane is one the renderer makes, with no attribute from the message. */
function assertInert(/** @type {Element} */ root, /** @type {string} */ text) {
  const allowed = new Set(["HEADER", "H1", "H2", "H3", "P", "SPAN", "BR", "BDI", "SECTION", "UL", "OL", "LI", "DETAILS", "SUMMARY", "DL", "DT", "DD", "BUTTON", "DIV", "FOOTER"]);
  for (const node of root.querySelectorAll("*")) {
    assert.ok(allowed.has(node.tagName), `unexpected element ${node.tagName}`);
    for (const attr of node.getAttributeNames()) {
      assert.ok(["class", "role", "type", "data-finding-id"].includes(attr), `unexpected attribute ${attr}`);
    }
  }
  assert.equal(root.querySelectorAll("script, img, svg, a, iframe").length, 0);
  const shown = text.length <= MAX_SHOWN ? text : text.slice(0, MAX_SHOWN - 1) + "\u2026";
  const texts = [...root.querySelectorAll("bdi")].map((b) => b.textContent);
  assert.ok(texts.includes(shown), "the hostile text is shown literally, inside a bdi");
}

for (const text of HOSTILE) {
  test(`evidence ${JSON.stringify(text.slice(0, 40))} renders inert`, () => {
    const { window, root } = dom();
    renderVerdict(root, verdictWith(text), { subject: text, from: { name: text, address: "a@example.com" }, onVerify() {}, onReport() {} });
    assertInert(root, text);
    assert.equal(/** @type {any} */ (window).__pwned, undefined);
    for (const bdi of root.querySelectorAll("bdi")) assert.ok((bdi.textContent ?? "").length <= MAX_SHOWN);
  });
}

test("a 10 KB display name is cut with an ellipsis", () => {
  const { root } = dom();
  const name = "B".repeat(10 * 1024);
  renderVerdict(root, verdictWith("x"), { subject: "s", from: { name, address: "a@example.com" } });
  const from = root.querySelector(".message bdi")?.textContent ?? "";
  assert.equal(from.length, MAX_SHOWN);
  assert.ok(from.endsWith("\u2026"));
});

test("the failure state and the contact box render hostile text as text", () => {
  const { root } = dom();
  const text = HOSTILE[1];
  renderFailure(root, { title: "Caveat could not check this message", text: "why" }, { subject: text, onVerify() {}, onReport() {} });
  assertInert(root, text);
  renderContact(root, { known: true, organization: text, matched_by: "name", contacts: [{ name: text, email: text, phone: text }], note: "n" });
  assertInert(root, text);
  assert.equal(root.querySelector(".phone")?.textContent, text);
});

test("the headline follows the level, with the service's banner when there is one", () => {
  const { root } = dom();
  renderVerdict(root, { level: "none", score: 0, banner: null, findings: [] });
  assert.equal(root.getAttribute("data-level"), "none");
  assert.equal(root.querySelector("h1")?.textContent, "Nothing unusual");
  assert.equal(root.querySelector("header")?.getAttribute("role"), "status");
  renderVerdict(root, verdictWith("x"));
  assert.equal(root.querySelector("h1")?.textContent, "Possible fraud");
  assert.equal(root.querySelector("header")?.getAttribute("role"), "alert");
  assert.equal(root.querySelectorAll("header").length, 1, "drawing again replaces, never appends");
});

test("the failure state gives the reason under the headline, without repeating it", () => {
  const { root } = dom();
  renderFailure(root, { title: "Caveat could not check this message", text: "Caveat could not check this message: the Caveat service did not answer in time. Treat it with care." });
  assert.equal(root.getAttribute("data-level"), "unknown");
  assert.equal(root.querySelector("h1")?.textContent, "Caveat could not check this message");
  assert.equal(root.querySelector(".level-text")?.textContent, "The Caveat service did not answer in time. Treat it with care.");
  assert.equal(root.querySelector("header")?.getAttribute("role"), "alert");
});
