// @ts-check
// The copy of uPlot the admin console serves (server/caveat/web/console/static/vendor) is
// the locked npm package's own files, with its licence.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync, existsSync } from "node:fs";

const vendor = new URL("../../../server/caveat/web/console/static/vendor/", import.meta.url);
const installed = new URL("../../node_modules/uplot/", import.meta.url);
const lock = JSON.parse(readFileSync(new URL("../../package-lock.json", import.meta.url), "utf8"));

test("the console's uPlot is the locked uplot package's bundle and stylesheet, with its licence", () => {
  const locked = lock.packages["node_modules/uplot"].version;
  const copy = readFileSync(new URL("uPlot.iife.min.js", vendor), "utf8");
  assert.ok(copy.startsWith(`/*! https://github.com/leeoniya/uPlot (v${locked}) */`), "the copy is of the locked version (scripts/vendor-uplot refreshes it)");
  assert.ok(existsSync(new URL("dist/uPlot.iife.min.js", installed)), "npm ci installed the package");
  assert.equal(copy, readFileSync(new URL("dist/uPlot.iife.min.js", installed), "utf8"), "the bundle differs from the package: run scripts/vendor-uplot");
  assert.equal(
    readFileSync(new URL("uPlot.min.css", vendor), "utf8"),
    readFileSync(new URL("dist/uPlot.min.css", installed), "utf8"),
    "the stylesheet differs from the package: run scripts/vendor-uplot",
  );
  const licence = readFileSync(new URL("uPlot.LICENSE", vendor), "utf8");
  assert.equal(licence, readFileSync(new URL("LICENSE", installed), "utf8"));
  assert.match(licence, /^The MIT License \(MIT\)\s+Copyright \(c\) \d{4} Leon Sorokin/);
});
