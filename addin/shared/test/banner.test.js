// @ts-check
import { test } from "node:test";
import assert from "node:assert/strict";

import { CaveatError } from "../api.js";
import { COULD_NOT_CHECK, MAX_TEXT, NOTIFICATION_KEY, bannerFor, failureBanner, fit } from "../banner.js";

/** @param {string} level @param {string} [text] */
const verdict = (level, text = "Check this.") => ({
  level: /** @type {any} */ (level),
  score: 0,
  banner: level === "none" ? null : { title: "Title", text },
  findings: [],
});

test("no banner for none, and the stable key so a stale one is removed", () => {
  assert.deepEqual(bannerFor(verdict("none")), { show: false, key: NOTIFICATION_KEY });
});

test("danger is an error, caution and info are informational", () => {
  assert.equal(bannerFor(verdict("danger")).tone, "error");
  assert.equal(bannerFor(verdict("caution")).tone, "informational");
  assert.equal(bannerFor(verdict("info")).tone, "informational");
});

test("text fits Outlook's 150 characters", () => {
  const long = "x ".repeat(400);
  const b = bannerFor(verdict("danger", long));
  assert.ok(b.show && b.text.length <= MAX_TEXT);
  assert.equal(fit("a\n\n b"), "a b");
  assert.equal(fit("y".repeat(151)).length, 150);
});

test("every failure says it could not check, never nothing", () => {
  for (const kind of ["unreachable", "timeout", "refused", "rejected", "server", "invalid_answer"]) {
    const b = failureBanner(new CaveatError(/** @type {any} */ (kind), "x"));
    assert.ok(b.show);
    assert.ok(b.text.startsWith(COULD_NOT_CHECK));
    assert.ok(b.text.length <= MAX_TEXT);
  }
  const odd = failureBanner(new Error("boom"));
  assert.ok(odd.show && odd.text.startsWith(COULD_NOT_CHECK));
  assert.ok(failureBanner(undefined).show);
});
