// @ts-check
// The settings page (jsdom): the URL rule, the permission asked from the click itself for
// exactly the service's host, what the deployment provides, and plain-word messages.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { JSDOM } from "jsdom";

import { createClient } from "../../shared/api.js";
import { checkServiceUrl, startOptions } from "../options.js";
import { createStandin, validPattern } from "./messenger-standin.js";

const OPTIONS_HTML = readFileSync(new URL("../options.html", import.meta.url), "utf8");

/**
 * @param {{deployment?: Record<string, string>, stored?: Record<string, string>}} [options]
 */
async function page(options = {}) {
  const tb = createStandin();
  Object.assign(tb.storageData, options.stored ?? {});
  const dom = new JSDOM(OPTIONS_HTML, { runScripts: "outside-only" });
  const document = dom.window.document;
  await startOptions({ document, messenger: tb.messenger, loadDeployment: async () => options.deployment ?? {} });
  const $ = (/** @type {string} */ id) => /** @type {HTMLInputElement} */ (document.getElementById(id));
  /**
   * Fill the fields and press Save as a user does: user input is "being handled" only
   * while the click is dispatched.
   * @param {string} url
   * @param {string} key
   */
  async function save(url, key) {
    $("base-url").value = url;
    $("api-key").value = key;
    tb.control.userInput = true;
    try {
      $("save").click();
    } finally {
      tb.control.userInput = false;
    }
    for (let i = 0; i < 50; i++) await new Promise((r) => setTimeout(r, 2));
    return { text: $("status").textContent ?? "", tone: $("status").className };
  }
  return { tb, document, $, save };
}

const VALID = [
  ["https://caveat.example.com", "https://caveat.example.com", "https://caveat.example.com/*"],
  ["https://caveat.example.com/", "https://caveat.example.com", "https://caveat.example.com/*"],
  [" https://apps.example.com/caveat/ ", "https://apps.example.com/caveat", "https://apps.example.com/*"],
  ["https://caveat.example.com:8443", "https://caveat.example.com:8443", "https://caveat.example.com/*"],
  ["http://127.0.0.1:5000", "http://127.0.0.1:5000", "http://127.0.0.1/*"],
  ["http://localhost:8080/", "http://localhost:8080", "http://localhost/*"],
  ["http://[::1]:5000", "http://[::1]:5000", "http://[::1]/*"],
];
const INVALID = [
  ["caveat.example.com", /not a web address/],
  ["", /not a web address/],
  ["http://caveat.example.com", /must start with https/],
  ["http://localhost.attacker.example", /must start with https/],
  ["http://127.0.0.2", /must start with https/],
  ["ftp://caveat.example.com", /must start with https/],
  ["javascript:alert(1)", /must start with https/],
  ["https://user:pass@caveat.example.com", /user name or a password/],
  ["https://caveat.example.com/?key=1", /\?/],
  ["https://caveat.example.com/#x", /#/],
];

for (const [input, url, pattern] of VALID) {
  test(`accepted, as the client accepts it: ${JSON.stringify(input)}`, () => {
    const checked = checkServiceUrl(input);
    assert.deepEqual(checked.ok && [checked.url, checked.pattern], [url, pattern]);
    assert.ok(validPattern(pattern), "a match pattern Thunderbird takes (no port)");
    assert.doesNotThrow(() => createClient({ baseUrl: url, getCredential: () => "k" }));
  });
}

for (const [input, message] of INVALID) {
  test(`refused in plain words: ${JSON.stringify(input)}`, () => {
    const checked = checkServiceUrl(/** @type {string} */ (input));
    assert.equal(checked.ok, false);
    assert.match(/** @type {any} */ (checked).message, /** @type {RegExp} */ (message));
  });
}

test("the client refuses what the page refuses (plain http off loopback)", () => {
  assert.throws(() => createClient({ baseUrl: "http://caveat.example.com", getCredential: () => "k" }));
  assert.throws(() => createClient({ baseUrl: "http://localhost.attacker.example", getCredential: () => "k" }));
});

test("saving asks permission for exactly the service's host, from the click, then stores", async () => {
  const { tb, save, $ } = await page();
  const status = await save("https://caveat.example.com/", "k3y");
  assert.deepEqual(tb.permissionRequests, [{ origins: ["https://caveat.example.com/*"], userInput: true }]);
  assert.deepEqual(tb.granted, ["https://caveat.example.com/*"]);
  assert.deepEqual(tb.storageData, { baseUrl: "https://caveat.example.com", apiKey: "k3y" });
  assert.equal(status.tone, "ok");
  assert.match(status.text, /^Saved\. Caveat checks the next message you open with https:\/\/caveat\.example\.com\.$/);
  assert.equal($("base-url").value, "https://caveat.example.com");
});

test("a refused permission saves nothing and says why", async () => {
  const { tb, save } = await page();
  tb.control.userAllows = false;
  const status = await save("https://caveat.example.com", "k3y");
  assert.deepEqual(tb.storageData, {});
  assert.equal(status.tone, "error");
  assert.match(status.text, /^Not saved: Caveat needs your permission to connect to https:\/\/caveat\.example\.com/);
});

test("an invalid URL is refused before anything is asked or stored", async () => {
  const { tb, save, document } = await page();
  const status = await save("http://caveat.example.com", "k3y");
  assert.equal(status.tone, "error");
  assert.match(status.text, /must start with https:\/\//);
  assert.equal(tb.permissionRequests.length, 0);
  assert.deepEqual(tb.storageData, {});
  assert.equal(document.activeElement?.id, "base-url");
});

test("a key with spaces or line breaks is refused", async () => {
  const { tb, save } = await page();
  const status = await save("https://caveat.example.com", "k3y with\nbreak");
  assert.equal(status.tone, "error");
  assert.match(status.text, /must not contain spaces/);
  assert.equal(tb.permissionRequests.length, 0);
});

test("the deployment's own URL needs no new permission; its values are shown as the administrator's", async () => {
  const { tb, save, $ } = await page({ deployment: { base_url: "https://caveat.example.com", api_key: "deployed" } });
  assert.match($("base-url-source").textContent ?? "", /Set by your administrator: https:\/\/caveat\.example\.com\./);
  assert.match($("api-key-source").textContent ?? "", /installation includes an API key/);
  assert.doesNotMatch($("api-key-source").textContent ?? "", /deployed/, "the deployment's key is never shown");
  assert.equal($("base-url").value, "");
  assert.equal($("base-url").placeholder, "https://caveat.example.com");
  const status = await save("https://caveat.example.com/", "");
  assert.equal(tb.permissionRequests.length, 0);
  assert.deepEqual(tb.storageData, { baseUrl: "https://caveat.example.com" });
  assert.equal(status.tone, "ok");
});

test("empty fields go back to the deployment's values", async () => {
  const { tb, save } = await page({
    deployment: { base_url: "https://caveat.example.com", api_key: "deployed" },
    stored: { baseUrl: "https://other.example.com", apiKey: "mine" },
  });
  const status = await save("", "");
  assert.deepEqual(tb.storageData, {});
  assert.equal(tb.permissionRequests.length, 0);
  assert.match(status.text, /^Saved\. .*https:\/\/caveat\.example\.com/);
});

test("stored values are shown; saving without any URL at all says checks cannot run", async () => {
  const { save, $ } = await page({ stored: { apiKey: "mine" } });
  assert.equal($("api-key").value, "mine");
  assert.equal($("api-key").type, "password");
  const status = await save("", "mine");
  assert.equal(status.tone, "error");
  assert.match(status.text, /no service URL yet/);
});

test("the page has no inline script and does not let the browser's own URL check block Save", () => {
  const doc = new JSDOM(OPTIONS_HTML).window.document;
  assert.deepEqual([...doc.querySelectorAll("script")].map((s) => [s.getAttribute("type"), s.getAttribute("src"), s.textContent]), [["module", "options.js", ""]]);
  assert.equal(doc.getElementById("settings")?.hasAttribute("novalidate"), true);
  assert.equal(/** @type {HTMLButtonElement} */ (doc.getElementById("save")).disabled, true, "disabled until the page is ready");
});
