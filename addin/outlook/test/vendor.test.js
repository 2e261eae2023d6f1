// @ts-check
// The copy of MSAL.js the service serves (addin/vendor) is the locked npm package's own file.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync, existsSync } from "node:fs";

const vendored = new URL("../../vendor/msal-browser.min.js", import.meta.url);
const installed = new URL("../../node_modules/@azure/msal-browser/lib/msal-browser.min.js", import.meta.url);
const lock = JSON.parse(readFileSync(new URL("../../package-lock.json", import.meta.url), "utf8"));

test("addin/vendor/msal-browser.min.js is the locked @azure/msal-browser's bundle, with its licence", () => {
  const locked = lock.packages["node_modules/@azure/msal-browser"].version;
  const copy = readFileSync(vendored, "utf8");
  assert.ok(copy.startsWith(`/*! @azure/msal-browser v${locked} `), "the copy is of the locked version (scripts/vendor-msal refreshes it)");
  assert.ok(existsSync(installed), "npm ci installed the package");
  assert.equal(copy, readFileSync(installed, "utf8"), "the copy differs from the package: run scripts/vendor-msal");
  const licence = readFileSync(new URL("../../vendor/msal-browser.LICENSE", import.meta.url), "utf8");
  assert.match(licence, /^MIT License\s+Copyright \(c\) Microsoft Corporation/);
  assert.match(copy, /createNestablePublicClientApplication/);
});
