// @ts-check
import { test } from "node:test";
import assert from "node:assert/strict";

import { CaveatError } from "../api.js";
import {
  COULD_NOT_CHECK,
  MAX_TEXT,
  NOTIFICATION_KEY,
  bannerFor,
  couldNotCheck,
  couldNotCheckBecause,
  failureBanner,
  failureReason,
  fit,
  notificationFor,
} from "../banner.js";
import { use } from "../i18n.js";
import { readFileSync } from "node:fs";

const ENGLISH = JSON.parse(readFileSync(new URL("../../_locales/en/messages.json", import.meta.url), "utf8"));

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

test("Outlook's notification bar: caution and danger only, an info note stays in the pane", () => {
  assert.deepEqual(notificationFor(verdict("info")), { show: false, key: NOTIFICATION_KEY });
  assert.deepEqual(notificationFor(verdict("none")), { show: false, key: NOTIFICATION_KEY });
  assert.deepEqual(notificationFor(verdict("caution")), bannerFor(verdict("caution")));
  assert.deepEqual(notificationFor(verdict("danger")), bannerFor(verdict("danger")));
  // bannerFor itself still describes the info banner (Thunderbird's bar decides for itself)
  assert.ok(bannerFor(verdict("info")).show);
});

test("the failure banner in English: the sentence, the clause alone, and the pane's detail", () => {
  const b = failureBanner(new CaveatError("unreachable", "x"));
  assert.equal(b.title, COULD_NOT_CHECK);
  assert.equal(b.title, couldNotCheck());
  assert.equal(b.text, "Caveat could not check this message: the Caveat service could not be reached. Treat it with care.");
  assert.equal(b.reason, "the Caveat service could not be reached.");
  assert.equal(b.detail, "the Caveat service could not be reached. Treat it with care.");
  assert.equal(failureReason({ kind: "nonsense" }), "an unexpected error occurred.");
  assert.ok(couldNotCheckBecause("x ".repeat(200)).length <= MAX_TEXT);
});

test("the failure banner in another language comes whole from its messages", () => {
  use(
    "de",
    {
      could_not_check: { message: "Caveat konnte diese Nachricht nicht prüfen" },
      could_not_check_because: { message: "Caveat konnte diese Nachricht nicht prüfen: $1 Seien Sie vorsichtig." },
      failure_timeout: { message: "Der Caveat-Dienst hat nicht rechtzeitig geantwortet." },
    },
    ENGLISH,
  );
  try {
    const b = failureBanner(new CaveatError("timeout", "x"));
    assert.equal(b.title, "Caveat konnte diese Nachricht nicht prüfen");
    assert.equal(b.text, "Caveat konnte diese Nachricht nicht prüfen: Der Caveat-Dienst hat nicht rechtzeitig geantwortet. Seien Sie vorsichtig.");
    // a message the German file lacks is English
    assert.equal(failureReason({ kind: "server" }), "the Caveat service had an internal error.");
  } finally {
    use("en", ENGLISH);
  }
});
