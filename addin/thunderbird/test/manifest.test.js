// @ts-check
// The manifest as the XPI builder and Thunderbird read it: MV3, the exact permissions, and
// every path (from the XPI's root) pointing at a file the builder packs.
import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, readFileSync, readdirSync } from "node:fs";

import { DEPLOYMENT_PATH, DISPLAY_SCRIPT } from "../caveat.js";
import { MANIFEST, sourcePath } from "./messenger-standin.js";

test("MV3, Thunderbird 128 or newer, with a stable id", () => {
  assert.equal(MANIFEST.manifest_version, 3);
  assert.equal(MANIFEST.name, "__MSG_extensionName__");
  assert.equal(MANIFEST.description, "__MSG_extensionDescription__");
  assert.equal(MANIFEST.default_locale, "en");
  assert.equal(MANIFEST.version, "0.1.0");
  assert.deepEqual(MANIFEST.browser_specific_settings, {
    gecko: { id: "caveat-thunderbird@caveat.invalid", strict_min_version: "128.0" },
  });
});

test("exactly the permissions the extension needs, hosts only on request", () => {
  // identity: launchWebAuthFlow for the sign-in (granted without a prompt).
  assert.deepEqual(MANIFEST.permissions, ["identity", "messagesRead", "scripting", "sensitiveDataUpload", "storage"]);
  assert.deepEqual(MANIFEST.optional_host_permissions, ["https://*/*", "http://127.0.0.1/*", "http://localhost/*", "http://[::1]/*"]);
  assert.equal(MANIFEST.host_permissions, undefined);
});

test("the background is a module; the action has its popup, the options their page", () => {
  assert.deepEqual(MANIFEST.background, { scripts: ["thunderbird/background.js"], type: "module" });
  assert.equal(MANIFEST.message_display_action.default_popup, "thunderbird/popup.html");
  assert.equal(MANIFEST.message_display_action.default_title, "__MSG_extensionName__");
  assert.deepEqual(Object.keys(MANIFEST.message_display_action.default_icon), ["16", "32", "64"]);
  assert.deepEqual(MANIFEST.options_ui, { page: "thunderbird/options.html" });
  assert.deepEqual(Object.keys(MANIFEST.icons), ["32", "64", "128"]);
});

test("every path in the manifest and the registered display script is a file the XPI holds", () => {
  const paths = [
    ...MANIFEST.background.scripts,
    MANIFEST.message_display_action.default_popup,
    ...Object.values(MANIFEST.message_display_action.default_icon),
    MANIFEST.options_ui.page,
    ...Object.values(MANIFEST.icons),
    ...DISPLAY_SCRIPT.js,
    ...DISPLAY_SCRIPT.css,
  ];
  for (const p of paths) {
    assert.ok(!p.startsWith("/") && !p.includes(".."), p);
    assert.ok(existsSync(sourcePath(/** @type {string} */ (p))), `${p} is missing`);
  }
  assert.equal(DEPLOYMENT_PATH, "thunderbird/deployment.json");
});

test("pages load only their own module, no inline script, from files that exist", () => {
  const folder = new URL("../", import.meta.url);
  for (const name of readdirSync(folder).filter((n) => n.endsWith(".html"))) {
    const html = readFileSync(new URL(name, folder), "utf8");
    assert.doesNotMatch(html, /<script(?![^>]*\bsrc=)[^>]*>/i, `${name} has an inline script`);
    assert.doesNotMatch(html, /\son[a-z]+=/i, `${name} has an inline handler`);
    for (const [, src] of html.matchAll(/(?:src|href)="([^"]+)"/g)) {
      assert.ok(existsSync(new URL(src, new URL(name, folder))), `${name} names ${src}, which is missing`);
    }
  }
});

test("the modules import only what the XPI holds, by relative paths", () => {
  const folder = new URL("../", import.meta.url);
  for (const name of readdirSync(folder).filter((n) => n.endsWith(".js"))) {
    const source = readFileSync(new URL(name, folder), "utf8");
    for (const [, spec] of source.matchAll(/^import [^;]*? from "([^"]+)";/gm)) {
      assert.match(spec, /^\.\.?\//, `${name} imports ${spec}`);
      assert.match(spec, /^(\.\/[a-z0-9]+\.js|\.\.\/shared\/[a-z0-9]+\.js)$/, `${name} imports ${spec}`);
      assert.ok(existsSync(new URL(spec, new URL(name, folder))), `${name} imports ${spec}, which is missing`);
    }
  }
  // A content script cannot import.
  assert.doesNotMatch(readFileSync(new URL("display.js", folder), "utf8"), /^\s*(import|export)\s/m);
});

test("the manifest's words come from the English message file, Thunderbird's default locale", () => {
  const english = JSON.parse(readFileSync(new URL("../../_locales/en/messages.json", import.meta.url), "utf8"));
  const used = [...JSON.stringify(MANIFEST).matchAll(/__MSG_([A-Za-z0-9_]+)__/g)].map((m) => m[1]);
  assert.deepEqual([...new Set(used)].sort(), ["extensionDescription", "extensionName"]);
  for (const id of used) assert.ok(english[id]?.message, id);
  assert.ok(english.extensionDescription.message.length <= 250);
});
