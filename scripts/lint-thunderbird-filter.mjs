#!/usr/bin/env node
// Reads the JSON report of Mozilla's addons-linter (`addons-linter --output json`) for the
// Thunderbird extension and decides whether it passes:
//
//   - any error fails;
//   - any warning fails unless it matches an entry of ACCEPTED below, each of which says
//     why that warning is acceptable;
//   - notices are printed and never fail.
//
// addons-linter knows Firefox only: it has no Thunderbird mode, so it reports Thunderbird's
// own permissions and APIs as invalid or unsupported, and asks for a key that only
// addons.mozilla.org requires. Those, and only those, are accepted here, each by its
// message, so a misspelt permission, a Thunderbird namespace not listed here, or any other
// warning still fails.
//
// Usage: node scripts/lint-thunderbird-filter.mjs REPORT.json [LABEL]
// Exit status: 0 passed, 1 an error or a warning that is not accepted, 2 the report could
// not be read or understood (or says that nothing was checked).
//
// Only Node's own modules: no package is needed.

import { readFileSync } from "node:fs";

/**
 * The warnings that are accepted: one entry per (code, message), each with the reason.
 * `message` must match the whole message; `file` (when given) must equal the file the
 * warning is about. Add an entry only for a Thunderbird-only feature the extension really
 * uses, and say why it is fine.
 *
 * @type {{code: string, message: RegExp, file?: string, reason: string}[]}
 */
const ACCEPTED = [
  // --- Thunderbird-only permissions in manifest.json "permissions" -----------------------
  {
    code: "MANIFEST_PERMISSIONS",
    message: /^\/permissions: Invalid permissions "messagesRead" at \d+\.$/,
    file: "manifest.json",
    reason:
      "messagesRead is Thunderbird's permission to read the displayed message (messages, " +
      "messageDisplay and scripting.messageDisplay APIs); Firefox's schema has no such " +
      "permission.",
  },
  {
    code: "MANIFEST_PERMISSIONS",
    message: /^\/permissions: Invalid permissions "sensitiveDataUpload" at \d+\.$/,
    file: "manifest.json",
    reason:
      "sensitiveDataUpload is Thunderbird's permission (since 115) that discloses to the user " +
      "that message data is sent to a remote server (the Caveat service); Firefox's schema " +
      "has no such permission.",
  },

  // --- Thunderbird-only APIs called as browser.* -----------------------------------------
  // addons-linter checks browser.* and chrome.* calls against Firefox's API schema, so every
  // member of a Thunderbird-only namespace is "not supported". (It does not look at
  // messenger.* calls at all.) Members are matched by namespace: the linter cannot tell a
  // real Thunderbird member from a misspelt one, so that is left to Thunderbird's schema
  // at run time and to the tests.
  {
    code: "UNSUPPORTED_API",
    message: /^messageDisplay\.[A-Za-z]+ is not supported$/,
    reason:
      "messageDisplay.* is Thunderbird's API for the message shown in a tab or window " +
      "(needs messagesRead); Firefox has no such namespace.",
  },
  {
    code: "UNSUPPORTED_API",
    message: /^messages\.[A-Za-z]+ is not supported$/,
    reason:
      "messages.* is Thunderbird's API to read a message's headers and parts (needs " +
      "messagesRead); Firefox has no such namespace.",
  },
  {
    code: "UNSUPPORTED_API",
    message: /^messageDisplayAction\.[A-Za-z]+ is not supported$/,
    reason:
      "messageDisplayAction.* is Thunderbird's API for the toolbar button declared by the " +
      "manifest key message_display_action; Firefox has no such namespace.",
  },
  {
    code: "UNSUPPORTED_API",
    message: /^scripting\.messageDisplay is not supported$/,
    reason:
      "scripting.messageDisplay (Thunderbird 128+, needs scripting and messagesRead) " +
      "registers scripts for displayed messages; Firefox's scripting API has no such member.",
  },

  // --- A Firefox (addons.mozilla.org) requirement that does not apply ---------------------
  {
    code: "MISSING_DATA_COLLECTION_PERMISSIONS",
    message: /^The "data_collection_permissions" property is missing\.$/,
    file: "manifest.json",
    reason:
      "browser_specific_settings.gecko.data_collection_permissions is Firefox's built-in " +
      "data-consent key (added in Firefox 139), required of new extensions by " +
      "addons.mozilla.org. This is a Thunderbird extension, never listed there, for " +
      "Thunderbird 128+ (built on Firefox 128, before that key); what it sends is " +
      "disclosed to the user by the sensitiveDataUpload permission instead.",
  },
];

// Note: addons-linter says nothing at all about manifest keys it does not know, such as
// message_display_action: it neither warns about them nor checks what is inside them.

function die(text) {
  process.stderr.write(`lint-thunderbird: ${text}\n`);
  process.exit(2);
}

const [reportPath, label = reportPath] = process.argv.slice(2);
if (!reportPath) die("usage: lint-thunderbird-filter.mjs REPORT.json [LABEL]");

let raw;
try {
  raw = readFileSync(reportPath, "utf8");
} catch (error) {
  die(`cannot read the linter report ${reportPath}: ${error.message}`);
}
if (raw.trim() === "") die("the linter printed nothing: no report to judge");

let report;
try {
  report = JSON.parse(raw);
} catch (error) {
  die(
    `the linter output is not JSON (${error.message}); it begins:\n` +
      raw.slice(0, 500),
  );
}

// The shape this filter relies on; anything else means addons-linter changed its output
// (or something else printed on stdout) and nothing can be concluded.
if (report === null || typeof report !== "object") die("the linter report is not an object");
for (const kind of ["errors", "warnings", "notices"]) {
  if (!Array.isArray(report[kind])) die(`the linter report has no "${kind}" list`);
  for (const item of report[kind]) {
    if (!item || typeof item.code !== "string" || typeof item.message !== "string") {
      die(`the linter report has a ${kind} entry without code and message: ${JSON.stringify(item)}`);
    }
  }
}
const summary = report.summary ?? {};
for (const kind of ["errors", "warnings", "notices"]) {
  if (summary[kind] !== report[kind].length) {
    die(`the linter summary counts ${summary[kind]} ${kind} but lists ${report[kind].length}`);
  }
}

const meta = report.metadata;
const scanned = meta && typeof meta === "object" ? meta.totalScannedFileSize : undefined;
// addons-linter reports a structural error (corrupt zip, no manifest.json) as an ordinary
// error, which fails below anyway; but a report that checked no file at all must never pass.
if (report.errors.length === 0 && (typeof scanned !== "number" || scanned <= 0)) {
  die(
    "the linter checked no file (metadata.totalScannedFileSize is " +
      `${JSON.stringify(scanned)}): is the XPI empty?`,
  );
}

const where = (m) =>
  m.file ? ` [${m.file}${m.line ? `:${m.line}${m.column ? `:${m.column}` : ""}` : ""}]` : "";
const line = (m) => `  ${m.code}: ${m.message}${where(m)}`;

const accepted = [];
const rejected = [];
for (const warning of report.warnings) {
  const entry = ACCEPTED.find(
    (a) =>
      a.code === warning.code &&
      a.message.test(warning.message) &&
      (a.file === undefined || a.file === warning.file),
  );
  if (entry) accepted.push({ warning, entry });
  else rejected.push(warning);
}

const out = [];
out.push(`addons-linter on ${label}`);
if (meta && typeof meta === "object") {
  out.push(
    `  ${meta.name ?? "?"} ${meta.version ?? "?"} (${meta.id ?? "no id"}), ` +
      `manifest_version ${meta.manifestVersion ?? "?"}, ${scanned ?? 0} bytes scanned`,
  );
}
out.push("");
out.push(`ERRORS (${report.errors.length})`);
for (const m of report.errors) out.push(line(m));
out.push("");
out.push(`WARNINGS NOT ACCEPTED (${rejected.length})`);
for (const m of rejected) out.push(line(m));
out.push("");
out.push(`ACCEPTED WARNINGS (${accepted.length}): Thunderbird-only features the Firefox linter does not know`);
for (const { warning, entry } of accepted) {
  out.push(line(warning));
  out.push(`      accepted: ${entry.reason}`);
}
out.push("");
out.push(`NOTICES (${report.notices.length}), never failing`);
for (const m of report.notices) out.push(line(m));
out.push("");

const failed = report.errors.length > 0 || rejected.length > 0;
const verdict =
  failed
    ? `lint-thunderbird: FAILED: ${report.errors.length} error(s), ${rejected.length} warning(s) not accepted`
    : `lint-thunderbird: passed: no error, ${accepted.length} accepted warning(s), ${report.notices.length} notice(s)`;
process.stdout.write(`${out.join("\n")}\n`);
(failed ? process.stderr : process.stdout).write(`${verdict}\n`);
process.exitCode = failed ? 1 : 0;
