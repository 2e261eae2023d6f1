// @ts-check
// The pane renderer with hostile text everywhere the message can put it: nothing becomes
// markup, a right-to-left override stays inside its own <bdi>, a 10 KB name is cut.
import { test } from "node:test";
import assert from "node:assert/strict";
import { JSDOM } from "jsdom";

import { DANGER_STEPS, MAX_SHOWN, groupFindings, renderContact, renderFailure, renderVerdict } from "../render.js";
import { t, tn } from "../i18n.js";

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
  const allowed = new Set(["HEADER", "H1", "H2", "H3", "P", "SPAN", "BR", "BDI", "SECTION", "ASIDE", "UL", "OL", "LI", "DETAILS", "SUMMARY", "DL", "DT", "DD", "BUTTON", "DIV", "FOOTER"]);
  for (const node of root.querySelectorAll("*")) {
    assert.ok(allowed.has(node.tagName), `unexpected element ${node.tagName}`);
    for (const attr of node.getAttributeNames()) {
      assert.ok(["class", "role", "type", "data-finding-id", "dir"].includes(attr), `unexpected attribute ${attr}`);
      if (attr === "dir") assert.equal(node.getAttribute("dir"), "ltr", "only the renderer's own direction");
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

/**
 * @param {string} id
 * @param {string} severity
 * @param {string[]} [parts]
 * @param {{header: string, value: string}[]} [evidence]
 */
function finding(id, severity, parts, evidence = [{ header: "From", value: `${id.toLowerCase()}@example.com` }]) {
  return { id, check: "reply_to_mismatch", severity, title: `Title of ${id}`, explanation: `Explains ${id}.`, evidence: parts ? [] : evidence, techniques: [], parts: parts ?? [] };
}

/** The seed's fake reply, as the service answers it: two composites sharing parts. */
const SEED_LIKE = {
  level: /** @type {const} */ ("danger"),
  score: 40,
  banner: { title: "This message may not be from who it claims", text: "Partner B asks you to pay a new account. Do not pay before you confirm it by phone." },
  findings: [
    finding("BANK_DETAILS_CHANGED", "danger"),
    finding("BEC_BANK_DIVERSION", "danger", ["BANK_DETAILS_CHANGED", "REPLYTO_FREEMAIL", "FAKE_REPLY"]),
    finding("BEC_REPLY_DIVERSION", "danger", ["REPLYTO_FREEMAIL", "FAKE_REPLY"]),
    finding("REPLYTO_FREEMAIL", "caution"),
    finding("FAKE_REPLY", "info"),
    finding("AUTH_SPF_SOFTFAIL", "info"),
  ],
  checked_at: "2026-11-25T10:00:00Z",
};

/** @param {Element} list */
function topIds(list) {
  return [...list.children].map((li) => /** @type {HTMLElement} */ (li).dataset.findingId);
}

test("composites come first with their parts folded inside; parts are not repeated beside them", () => {
  const { root } = dom();
  renderVerdict(root, SEED_LIKE, { onVerify() {}, onReport() {} });
  const list = /** @type {Element} */ (root.querySelector(".findings > ul"));
  assert.deepEqual(topIds(list), ["BEC_BANK_DIVERSION", "BEC_REPLY_DIVERSION", "AUTH_SPF_SOFTFAIL"]);
  const diversion = /** @type {Element} */ (list.children[0]);
  assert.ok(diversion.classList.contains("composite"));
  assert.equal(diversion.querySelector("summary .finding-count")?.textContent, "3 signs");
  assert.deepEqual(topIds(/** @type {Element} */ (diversion.querySelector(":scope > details > .finding-body > ul.parts"))), ["BANK_DETAILS_CHANGED", "REPLYTO_FREEMAIL", "FAKE_REPLY"]);
  // Every finding sits in a fold that starts closed; its evidence is inside that fold.
  const folds = [...root.querySelectorAll("li.finding > details")];
  assert.equal(folds.length, 3 + 3 + 2);
  assert.ok(folds.every((d) => !(/** @type {HTMLDetailsElement} */ (d).open)));
  for (const item of root.querySelectorAll("li.finding:not(.composite)")) {
    const evidence = item.querySelector(":scope > details > .finding-body > dl.evidence");
    assert.ok(evidence, "a finding's evidence is in its own fold");
    assert.match(evidence.querySelector("dd bdi")?.textContent ?? "", /@example\.com$/);
  }
  // A composite shows no evidence of its own.
  assert.equal(diversion.querySelector(":scope > details > .finding-body > dl"), null);
});

test("a danger pane says what to do and why before the actions, and the actions before the findings", () => {
  const { root } = dom();
  renderVerdict(root, SEED_LIKE, { subject: "RE: Invoice", from: { name: "Finance Person", address: "f@partnerb.example" }, onVerify() {}, onReport() {} });
  const order = [...root.children].map((c) => c.className.split(" ")[0]);
  assert.deepEqual(order.slice(0, 4), ["level", "advice", "actions", "message"]);
  const advice = /** @type {Element} */ (root.querySelector(".advice"));
  assert.equal(advice.querySelector("h2")?.textContent, "What to do");
  assert.deepEqual([...advice.querySelectorAll(".steps li")].map((li) => li.textContent), [t(DANGER_STEPS.stop), t(DANGER_STEPS.verify)]);
  assert.match(t(DANGER_STEPS.verify), /Verify sender/);
  assert.equal(advice.querySelector(".why")?.textContent, "Why: Title of BEC_BANK_DIVERSION");
  // Without a Verify sender button, the step does not name one.
  renderVerdict(root, SEED_LIKE);
  assert.equal(root.querySelectorAll(".advice .steps li")[1]?.textContent, t(DANGER_STEPS.verifyWithoutButton));
});

test("without composites the why is the strongest finding; caution, info and none panes have no what-to-do", () => {
  const { root } = dom();
  const single = { ...SEED_LIKE, findings: [finding("LOOKALIKE_DOMAIN", "danger"), finding("FIRST_CONTACT", "info")] };
  renderVerdict(root, single, { onVerify() {} });
  assert.equal(root.querySelector(".why")?.textContent, "Why: Title of LOOKALIKE_DOMAIN");
  for (const level of /** @type {const} */ (["caution", "info", "none"])) {
    renderVerdict(root, { ...single, level, findings: level === "none" ? [] : [finding("REPLYTO_FREEMAIL", "caution")] }, { onVerify() {} });
    assert.equal(root.querySelector(".advice"), null, level);
    assert.equal(root.getAttribute("data-level"), level);
  }
  assert.equal(root.querySelector(".findings"), null, "nothing to list on a clean message");
});

test("findings from a service that sends no parts are listed as they come, each folded", () => {
  const { root } = dom();
  const old = SEED_LIKE.findings.map(({ parts, ...rest }) => rest);
  renderVerdict(root, { ...SEED_LIKE, findings: old });
  assert.deepEqual(topIds(/** @type {Element} */ (root.querySelector(".findings > ul"))), old.map((f) => f.id));
  assert.equal(root.querySelectorAll(".parts").length, 0);
});

test("groupFindings ignores parts it was not given and a composite naming itself", () => {
  const groups = groupFindings([finding("C", "danger", ["C", "MISSING", "A"]), finding("A", "caution"), finding("B", "info")]);
  assert.deepEqual(groups.map((g) => [g.finding.id, g.parts.map((p) => p.id)]), [["C", ["A"]], ["B", []]]);
});

test("the count of signs chooses the word for the number", () => {
  assert.equal(tn("finding_signs", 1), "1 sign");
  assert.equal(tn("finding_signs", 4), "4 signs");
  const { root } = dom();
  renderVerdict(root, { ...SEED_LIKE, findings: [finding("C", "danger", ["A"]), finding("A", "caution")] });
  assert.equal(root.querySelector(".finding-count")?.textContent, "1 sign");
  assert.equal(root.querySelector(".parts-label")?.textContent, "The sign behind it:");
});

test("service notices are a muted set-up note after the findings, never a finding or the headline", () => {
  const { root } = dom();
  const message = "No internal domain is configured: authentication results are ignored and colleagues look like strangers.";
  renderVerdict(root, { ...SEED_LIKE, level: "none", banner: null, findings: [], notices: [{ code: "no_internal_domains", message }] });
  assert.equal(root.getAttribute("data-level"), "none");
  assert.equal(root.querySelector("h1")?.textContent, "Nothing unusual");
  const box = /** @type {Element} */ (root.querySelector("aside.notices"));
  assert.equal(box.querySelector("h2")?.textContent, "Service set-up");
  assert.deepEqual([...box.querySelectorAll(".notice")].map((p) => p.textContent), [message]);
  assert.equal(box.querySelector(".finding"), null);
  assert.equal(root.lastElementChild?.tagName, "FOOTER");
  assert.equal(root.lastElementChild?.previousElementSibling, box);

  renderVerdict(root, { ...SEED_LIKE, notices: [{ code: "x", message }] }, { onVerify() {} });
  const kids = [...root.children];
  assert.ok(kids.indexOf(/** @type {Element} */ (root.querySelector(".findings"))) < kids.indexOf(/** @type {Element} */ (root.querySelector(".notices"))));
  assert.equal(root.querySelector("h1")?.textContent, SEED_LIKE.banner.title);
});

test("absent, empty or malformed notices draw nothing; notice text is text", () => {
  const { window, root } = dom();
  for (const notices of [undefined, [], "no", [null, { code: "x" }, { code: "y", message: 3 }]]) {
    renderVerdict(root, /** @type {any} */ ({ ...SEED_LIKE, notices }));
    assert.equal(root.querySelector(".notices"), null, JSON.stringify(notices));
  }
  renderVerdict(root, { ...SEED_LIKE, notices: [{ code: "x", message: HOSTILE[1] }] });
  assert.equal(root.querySelector(".notice")?.textContent, HOSTILE[1]);
  assert.equal(root.querySelectorAll("img").length, 0);
  assert.equal(/** @type {any} */ (window).__pwned, undefined);
});

test("the folded pane with composites and notices builds only the renderer's own elements", () => {
  const { root } = dom();
  const text = HOSTILE[2];
  const hostile = { ...SEED_LIKE, findings: SEED_LIKE.findings.map((f) => ({ ...f, evidence: f.evidence.map((e) => ({ header: e.header, value: text })) })), notices: [{ code: "c", message: "m" }] };
  renderVerdict(root, hostile, { subject: text, onVerify() {}, onReport() {} });
  assertInert(root, text);
});

// ---------------------------------------------------------------- text direction (issue 14)

const RLO = "\u202E";
const FSI = "\u2068";
const PDI = "\u2069";

test("the From line is two isolates: a right-to-left override in the name cannot turn the address", () => {
  const { root } = dom();
  for (const name of [`Anna Keller${RLO}`, `Anna${PDI}${RLO}Keller`, "\u05E9\u05E8\u05D4 \u05DB\u05D4\u05DF"]) {
    renderVerdict(root, verdictWith("x"), { subject: "s", from: { name, address: "anna@evil.example" } });
    const line = /** @type {Element} */ (root.querySelector(".message .mailbox"));
    const parts = [...line.childNodes].map((n) => [n.nodeName, n.textContent]);
    assert.deepEqual(parts, [
      ["BDI", name],
      ["#text", " <"],
      ["BDI", "anna@evil.example"],
      ["#text", ">"],
    ]);
  }
});

test("a From line with only an address, or only a name, is one isolate", () => {
  const { root } = dom();
  renderVerdict(root, verdictWith("x"), { from: { name: "", address: `a${RLO}@x.example` } });
  assert.deepEqual([...(root.querySelector(".mailbox")?.childNodes ?? [])].map((n) => [n.nodeName, n.textContent]), [["BDI", `a${RLO}@x.example`]]);
  renderVerdict(root, verdictWith("x"), { from: { name: `N${RLO}` } });
  assert.deepEqual([...(root.querySelector(".mailbox")?.childNodes ?? [])].map((n) => [n.nodeName, n.textContent]), [["BDI", `N${RLO}`]]);
});

test("evidence headers, values and a contact's phone each sit in their own isolate", () => {
  const { root } = dom();
  renderVerdict(root, verdictWith(`Anna${RLO} <a@x.example>`));
  for (const cell of root.querySelectorAll(".evidence dt, .evidence dd")) {
    assert.equal(cell.children.length, 1);
    assert.equal(cell.firstElementChild?.tagName, "BDI");
  }
  renderContact(root, { known: true, organization: "Org", matched_by: "domain", contacts: [{ name: `Anna${RLO}`, email: "a@x.example", phone: "+49 40 5550" }], note: "" });
  const item = /** @type {Element} */ (root.querySelector(".contacts li"));
  assert.deepEqual([...item.querySelectorAll("bdi")].map((b) => b.textContent), [`Anna${RLO}`, "+49 40 5550", "a@x.example"]);
  assert.equal(item.querySelector(".phone")?.tagName, "BDI");
});

test("the service's isolates in titles, explanations and the banner are kept as they come", () => {
  const { root } = dom();
  const title = `${FSI}\u0645\u062D\u0645\u062F${PDI} writes from ${FSI}x.example${PDI}`;
  const explanation = `Reply-To shows ${FSI}Anna Keller${PDI}, with the address b@gmail.com.`;
  const verdict = verdictWith("x");
  verdict.banner = { title: "Possible fraud", text: `${FSI}Org${PDI} asks you to pay.` };
  verdict.findings[0] = { ...verdict.findings[0], title, explanation };
  renderVerdict(root, verdict);
  assert.equal(root.querySelector(".finding-title")?.textContent, title);
  assert.equal(root.querySelector(".explanation")?.textContent, explanation);
  assert.equal(root.querySelector(".level-text")?.textContent, verdict.banner.text);
});

test("a partial verdict says what was not read, as text, before the set-up notes", () => {
  const { window, root } = dom();
  const partial = ["the body was not read: the message declares more than 100 multipart boundaries", HOSTILE[0]];
  renderVerdict(root, { ...SEED_LIKE, partial, notices: [{ code: "x", message: "set-up" }] });
  const box = /** @type {Element} */ (root.querySelector("aside.partial"));
  assert.ok(box);
  assert.deepEqual([...box.querySelectorAll(".partial-item")].map((p) => p.textContent), partial);
  assert.equal(box.querySelector("script"), null);
  assert.equal(/** @type {any} */ (window).__pwned, undefined);
  const kids = [...root.children];
  assert.ok(kids.indexOf(box) < kids.indexOf(/** @type {Element} */ (root.querySelector(".notices"))));
  for (const absent of [undefined, [], "no", [3, null, ""]]) {
    renderVerdict(root, /** @type {any} */ ({ ...SEED_LIKE, partial: absent }));
    assert.equal(root.querySelector(".partial"), null, JSON.stringify(absent));
  }
});
