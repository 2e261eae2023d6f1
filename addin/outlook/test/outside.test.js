// @ts-check
// The task pane outside Outlook: Office.js missing, never ready, or ready in a plain browser
// tab says within a few seconds what the page is and how to sideload it; in Outlook, the
// pane starts, even when Office.js is slower than the wait.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import vm from "node:vm";
import { JSDOM } from "jsdom";

import { OUTSIDE_WAIT_MS, SIDELOAD_LINK, bootPane, inOutlook } from "../outside.js";
import { localisePage, use } from "../../shared/i18n.js";

const HTML = readFileSync(new URL("../taskpane.html", import.meta.url), "utf8");
const STANDIN = readFileSync(new URL("./office-standin.js", import.meta.url), "utf8");
const DOCS = readFileSync(new URL("../../../docs/deploy-outlook.md", import.meta.url), "utf8").replace(/\s+/g, " ");
const BASE = "https://caveat.example.com";

function page() {
  const dom = new JSDOM(HTML);
  return /** @type {Element} */ (dom.window.document.getElementById("caveat"));
}

/** Timers the test fires by hand. */
function timers() {
  /** @type {{callback: () => void, ms: number, cleared: boolean}[]} */
  const made = [];
  return {
    made,
    setTimer: (/** @type {() => void} */ callback, /** @type {number} */ ms) => {
      const t = { callback, ms, cleared: false };
      made.push(t);
      return t;
    },
    clearTimer: (/** @type {any} */ t) => {
      if (t) t.cleared = true;
    },
    fire() {
      for (const t of made) if (!t.cleared) t.callback();
    },
  };
}

/** An Office whose onReady resolves when the test says, with `info`. */
function manualOffice() {
  /** @type {(info: any) => void} */
  let resolve = () => {};
  const ready = new Promise((r) => (resolve = r));
  return {
    Office: {
      HostType: { Outlook: "Outlook" },
      context: {},
      onReady: (/** @type {(info: any) => void} */ cb) => ready.then((info) => (cb(info), info)),
    },
    resolve: (/** @type {any} */ info) => resolve(info),
  };
}

/** @param {Element} root */
function assertExplains(root) {
  assert.equal(root.getAttribute("data-level"), "outside");
  const text = root.textContent ?? "";
  assert.equal(root.querySelector("h1")?.textContent, "Caveat runs inside Outlook");
  assert.match(text, /This page is Caveat's Outlook add-in/);
  assert.match(text, /My add-ins/);
  assert.match(text, /Add a custom add-in \u2192 Add from File/);
  assert.deepEqual([...root.querySelectorAll(".steps b")].map((b) => b.textContent).slice(1, 4), ["My add-ins", "Custom Addins", "Add a custom add-in \u2192 Add from File"]);
  assert.ok(text.includes(SIDELOAD_LINK));
  assert.equal(root.querySelector("code")?.textContent, `caveat manifest --base-url ${BASE} --new-key --out caveat-manifest.xml`);
  assert.match(text, /docs\/deploy-outlook\.md/);
  assert.doesNotMatch(text, /Starting Caveat/);
}

test("the page waits with 'Starting Caveat', its scripts are Office.js, MSAL.js from this service and then the module, nothing inline", () => {
  const doc = new JSDOM(HTML).window.document;
  assert.match(doc.getElementById("caveat")?.textContent ?? "", /Starting Caveat/);
  const scripts = [...doc.querySelectorAll("script")].map((s) => [s.getAttribute("src"), s.getAttribute("type"), s.textContent]);
  assert.deepEqual(scripts, [
    ["https://appsforoffice.microsoft.com/lib/1/hosted/office.js", null, ""],
    ["../vendor/msal-browser.min.js", null, ""],
    ["taskpane.js", "module", ""],
  ]);
});

test("without Office.js (it did not load) the page explains itself at once", () => {
  const root = page();
  let started = false;
  const t = timers();
  bootPane({ Office: undefined, root, baseUrl: BASE, start: () => (started = true), ...t });
  assertExplains(root);
  assert.equal(started, false);
  assert.equal(t.made.length, 0);
});

test("Office.js that never gets ready: the explanation comes after the wait, not before", () => {
  const root = page();
  const { Office } = manualOffice();
  const t = timers();
  bootPane({ Office, root, baseUrl: BASE, start: () => assert.fail("must not start"), ...t });
  assert.equal(root.getAttribute("data-level"), "pending");
  assert.equal(t.made[0].ms, OUTSIDE_WAIT_MS);
  assert.ok(OUTSIDE_WAIT_MS <= 3000);
  t.fire();
  assertExplains(root);
});

test("Office.js ready in a plain browser tab (no host) explains at once", async () => {
  const root = page();
  const { Office, resolve } = manualOffice();
  const t = timers();
  bootPane({ Office, root, baseUrl: BASE, start: () => assert.fail("must not start"), ...t });
  resolve({ host: null, platform: null });
  await new Promise((r) => setTimeout(r, 0));
  assertExplains(root);
  assert.ok(t.made[0].cleared);
});

test("in Outlook the pane starts and no explanation is drawn, even when Office.js is late", async () => {
  for (const late of [false, true]) {
    const root = page();
    const { Office, resolve } = manualOffice();
    const t = timers();
    let started = 0;
    bootPane({ Office, root, baseUrl: BASE, start: () => (started += 1), ...t });
    if (late) {
      t.fire();
      assert.equal(root.getAttribute("data-level"), "outside");
    }
    resolve({ host: "Outlook", platform: "OfficeOnline" });
    await new Promise((r) => setTimeout(r, 0));
    assert.equal(started, 1);
    t.fire();
    assert.equal(started, 1);
  }
});

test("with the Office.js stand-in and real timers: Outlook starts, silence explains", async () => {
  /** @type {any} */
  const context = { setTimeout, Promise, Map, Date, parseFloat };
  vm.runInNewContext(STANDIN, context);
  const root = page();
  let started = false;
  bootPane({ Office: context.Office, root, baseUrl: BASE, start: () => (started = true), waitMs: 30 });
  context.Office.__standin.start(null);
  await new Promise((r) => setTimeout(r, 60));
  assert.equal(started, true);
  assert.equal(root.getAttribute("data-level"), "pending");

  // A fresh stand-in that nobody starts: Office.onReady never resolves.
  /** @type {any} */
  const idle = { setTimeout, Promise, Map, Date, parseFloat };
  vm.runInNewContext(STANDIN, idle);
  const silent = page();
  bootPane({ Office: idle.Office, root: silent, baseUrl: BASE, start: () => assert.fail("never ready"), waitMs: 30 });
  await new Promise((r) => setTimeout(r, 60));
  assertExplains(silent);
});

test("inOutlook reads the host, and the mailbox when there is no host", () => {
  const Office = { HostType: { Outlook: "Outlook" }, context: { mailbox: {} } };
  assert.equal(inOutlook(Office, { host: "Outlook" }), true);
  assert.equal(inOutlook(Office, { host: "Word" }), false);
  assert.equal(inOutlook(Office, undefined), true);
  assert.equal(inOutlook({ context: {} }, { host: null }), false);
});

test("the sideloading steps shown are the ones the deployment guide gives", () => {
  for (const words of ["aka.ms/olksideload", "My add-ins", "Add a custom add-in", "Add from File", "caveat manifest --base-url"]) {
    assert.ok(DOCS.includes(words), `docs/deploy-outlook.md names ${words}`);
  }
});

test("with sign-in on, the manifest command makes no key; the service is asked only when the page explains itself", async () => {
  const root = page();
  let asked = 0;
  bootPane({ Office: undefined, root, baseUrl: BASE, start: () => {}, signInOn: async () => (asked++, true) });
  assertExplains(root); // at once, with the demo command
  await new Promise((r) => setTimeout(r, 0));
  assert.equal(asked, 1);
  assert.equal(root.querySelector("code")?.textContent, `caveat manifest --base-url ${BASE} --out caveat-manifest.xml`);
  assert.equal(root.getAttribute("data-level"), "outside");

  const quiet = page();
  bootPane({ Office: undefined, root: quiet, baseUrl: BASE, start: () => {}, signInOn: () => Promise.reject(new Error("unreachable")) });
  await new Promise((r) => setTimeout(r, 0));
  assertExplains(quiet);

  const inside = page();
  const { Office, resolve } = manualOffice();
  let started = false;
  let insideAsked = 0;
  bootPane({ Office, root: inside, baseUrl: BASE, start: () => (started = true), signInOn: async () => (insideAsked++, true) });
  resolve({ host: "Outlook" });
  await new Promise((r) => setTimeout(r, 0));
  assert.equal(started, true);
  assert.equal(insideAsked, 0, "in Outlook the pane itself asks");
});

test("the page in another language: the steps keep their code and buttons where the message puts them", () => {
  const english = JSON.parse(readFileSync(new URL("../../_locales/en/messages.json", import.meta.url), "utf8"));
  use(
    "ar",
    {
      outlook_starting: { message: "جارٍ تشغيل Caveat\u2026" },
      outlook_outside_title: { message: "يعمل Caveat داخل Outlook" },
      outlook_outside_step_open: { message: "افتح رسالة واختر $1 (أو ضمن $2)." },
      outlook_outside_apps: { message: "التطبيقات" },
    },
    english,
  );
  try {
    const dom = new JSDOM(HTML);
    const doc = dom.window.document;
    localisePage(doc);
    assert.equal(doc.documentElement.lang, "ar");
    assert.equal(doc.documentElement.dir, "rtl");
    assert.equal(doc.querySelector(".pending")?.textContent, "جارٍ تشغيل Caveat\u2026");
    const root = /** @type {Element} */ (doc.getElementById("caveat"));
    bootPane({ Office: undefined, root, baseUrl: BASE, start: () => assert.fail("must not start"), ...timers() });
    assert.equal(root.querySelector("h1")?.textContent, "يعمل Caveat داخل Outlook");
    const open = /** @type {Element} */ (root.querySelectorAll(".steps li")[2]);
    assert.equal(open.textContent, "افتح رسالة واختر Caveat (أو ضمن التطبيقات).");
    assert.deepEqual([...open.querySelectorAll("b")].map((b) => b.textContent), ["Caveat", "التطبيقات"]);
    // what has no Arabic yet is English
    assert.match(root.textContent ?? "", /My add-ins/);
  } finally {
    use("en", english);
  }
});
