// @ts-check
// The shared rules for which attachments the add-ins send, and the longer wait for them.
import { test } from "node:test";
import assert from "node:assert/strict";

import {
  ATTACHMENT_LIMITS,
  ATTACHMENT_TIMEOUT_MS,
  DEFAULT_TIMEOUT_MS,
  attachmentKind,
  base64FromBytes,
  base64Size,
  chooseAttachments,
  createClient,
} from "../api.js";

test("the kinds the service reads, by type or by name", () => {
  assert.equal(attachmentKind("x.bin", "application/pdf"), "pdf");
  assert.equal(attachmentKind("Invoice.PDF", "application/octet-stream"), "pdf");
  assert.equal(attachmentKind("a.docx", ""), "docx");
  assert.equal(attachmentKind("photo.JPG", ""), "image");
  assert.equal(attachmentKind("a", "image/png; name=a"), "image");
  assert.equal(attachmentKind("fwd.eml", ""), "message");
  assert.equal(attachmentKind("a.exe", "application/x-msdownload"), null);
  assert.equal(attachmentKind("a.zip", "application/zip"), null);
  assert.equal(attachmentKind("a.xlsx", ""), null);
});

test("documents before images, within count and total, in the message's order", () => {
  const list = [
    ...Array.from({ length: 11 }, (_, i) => ({ name: `i${i}.png`, contentType: "image/png", size: 10 })),
    { name: "d.pdf", contentType: "application/pdf", size: 10 },
    { name: "x.exe", contentType: "", size: 10 },
    { name: "big.pdf", contentType: "application/pdf", size: ATTACHMENT_LIMITS.bytes + 1 },
    { name: "bad.pdf", contentType: "application/pdf", size: NaN },
  ];
  const chosen = chooseAttachments(list, (a) => a);
  assert.equal(chosen.length, ATTACHMENT_LIMITS.count);
  assert.deepEqual(chosen.map((a) => a.name).slice(-2), ["i8.png", "d.pdf"]);
});

test("base64 of bytes, and its decoded size without decoding", () => {
  const bytes = new Uint8Array(70000).map((_, i) => i % 256);
  const text = base64FromBytes(bytes);
  assert.equal(text, Buffer.from(bytes).toString("base64"));
  assert.equal(base64Size(text), 70000);
  assert.equal(base64Size("aGk="), 2);
  assert.equal(base64Size("aGlp"), 3);
});

test("the service is given longer when attachments travel", async () => {
  /** @type {number[]} */
  const waits = [];
  const realSetTimeout = globalThis.setTimeout;
  globalThis.setTimeout = /** @type {any} */ ((/** @type {any} */ fn, /** @type {number} */ ms) => {
    waits.push(ms);
    return realSetTimeout(() => {}, 0);
  });
  try {
    const client = createClient({
      baseUrl: "https://caveat.example.com",
      getCredential: () => "k",
      fetchImpl: async () => new Response(JSON.stringify({ level: "none", findings: [], banner: null }), { status: 200 }),
    });
    await client.analyze({ headers: "From: a@example.com" });
    await client.analyze({ headers: "From: a@example.com", attachments: [{ name: "a.pdf", content_type: "application/pdf", content: "" }] });
  } finally {
    globalThis.setTimeout = realSetTimeout;
  }
  assert.deepEqual(waits, [DEFAULT_TIMEOUT_MS, ATTACHMENT_TIMEOUT_MS]);
});
