// @ts-check
// What is read of a message for POST /api/v1/analyze: the raw header block (cut at the
// blank line, at most 256 KiB of UTF-8), a plain-text body snippet, the subject and the
// Message-ID — and nothing guessed.
import { test } from "node:test";
import assert from "node:assert/strict";

import {
  MAX_BODY_CHARS,
  MAX_HEADER_BYTES,
  bodySnippet,
  collectMessage,
  cut,
  headerBlock,
  parseAuthor,
  parseMailboxFallback,
  single,
} from "../caveat.js";
import { createStandin } from "./messenger-standin.js";

const HEAD = "From: Finance Person <finance-person@partnerb.example>\r\nSubject: RE: Invoice\r\nMessage-ID: <m1@example>\r\n";
const utf8 = (/** @type {string} */ s) => Buffer.byteLength(s, "utf8");
const file = (/** @type {string | Uint8Array} */ data) => new File([typeof data === "string" ? Buffer.from(data) : data], "m.eml");

test("the header block ends at the first blank line (CRLF)", async () => {
  const block = await headerBlock(file(`${HEAD}\r\nBody line\r\n\r\nFrom: not a header\r\n`));
  assert.equal(block, HEAD);
});

test("the header block ends at the first blank line (LF), folded lines kept", async () => {
  const head = "Received: from a\n by b; Wed, 6 Nov 2024 12:31:47 +0000\nFrom: x@example.com\n";
  assert.equal(await headerBlock(file(`${head}\nbody\n`)), head);
});

test("a message that starts with a blank line has no header block", async () => {
  assert.equal(await headerBlock(file("\r\nFrom: x@example.com\r\n")), "");
  assert.equal(await headerBlock(file("\nFrom: x@example.com\n")), "");
});

test("a message of headers only is all header block", async () => {
  assert.equal(await headerBlock(file(HEAD)), HEAD);
});

test("at most 256 KiB: a header block without end is cut at a whole line", async () => {
  const line = "X-Filler: " + "a".repeat(88) + "\r\n"; // 100 bytes
  const raw = line.repeat(3000) + "\r\nbody"; // 300,000 bytes of headers
  const block = await headerBlock(file(raw));
  assert.ok(utf8(block) <= MAX_HEADER_BYTES, `${utf8(block)} bytes`);
  assert.equal(utf8(block), Math.floor(MAX_HEADER_BYTES / 100) * 100);
  assert.ok(block.endsWith("\r\n"));
  assert.ok(block.startsWith("X-Filler: "));
});

test("a blank line just inside the limit still ends the block there", async () => {
  const filler = "X-Filler: " + "b".repeat(MAX_HEADER_BYTES - 14) + "\r\n"; // MAX - 2 bytes
  const raw = filler + "\r\nbody";
  const block = await headerBlock(file(raw));
  assert.equal(block, filler);
  assert.equal(utf8(block), MAX_HEADER_BYTES - 2);
});

test("bytes that are not UTF-8 become U+FFFD and the block still fits the limit", async () => {
  const latin1 = new Uint8Array(MAX_HEADER_BYTES + 50).fill(0xe9); // "é" in Latin-1, 1 byte each
  for (let i = 99; i < latin1.length; i += 100) latin1[i] = 0x0a;
  latin1.set(Buffer.from("Subject: "), 0);
  const block = await headerBlock(file(latin1));
  assert.ok(block.includes("\uFFFD"));
  assert.ok(utf8(block) <= MAX_HEADER_BYTES, `${utf8(block)} bytes`);
  assert.ok(block.endsWith("\n"));
});

test("an older host's binary string is read the same way", async () => {
  const binary = Buffer.from(`${HEAD}Subject-Extra: Gr\u00fc\u00dfe\r\n\r\nbody`).toString("latin1");
  assert.equal(await headerBlock(binary), `${HEAD}Subject-Extra: Gr\u00fc\u00dfe\r\n`);
});

test("the body snippet prefers text/plain and is capped without splitting a character", async () => {
  const tb = createStandin();
  const long = "\u{1F4B6}".repeat(MAX_BODY_CHARS); // two UTF-16 units each
  tb.addMessage({ id: 1 }, { parts: [{ contentType: "text/html", content: "<p>html</p>" }, { contentType: "text/plain", content: long }] });
  const body = /** @type {string} */ (await bodySnippet(tb.messenger, 1));
  assert.ok(body.length <= MAX_BODY_CHARS);
  assert.equal(body.length, MAX_BODY_CHARS);
  assert.ok(!/[\uD800-\uDBFF]$/.test(body), "no lone surrogate at the end");
  assert.ok(utf8(body) <= 64 * 1024);
});

test("without text/plain, the HTML part is turned into text by Thunderbird", async () => {
  const tb = createStandin();
  tb.addMessage({ id: 1 }, {
    parts: [{ contentType: "text/html", content: "<style>p{color:red}</style><p>New account: DE89&nbsp;3704</p><script>x()</script>" }],
  });
  assert.equal(await bodySnippet(tb.messenger, 1), "New account: DE89 3704");
});

test("no text part, or parts that cannot be listed: no body, not an error", async () => {
  const tb = createStandin();
  tb.addMessage({ id: 1 }, { parts: [] });
  assert.equal(await bodySnippet(tb.messenger, 1), undefined);
  assert.equal(await bodySnippet(tb.messenger, 999), undefined);
});

test("cut keeps surrogate pairs whole", () => {
  assert.equal(cut("ab\u{1F600}", 3), "ab");
  assert.equal(cut("abc", 3), "abc");
  assert.equal(cut("abcd", 3), "abc");
});

test("collectMessage sends exactly the facts it has, reading a slice of a large message", async () => {
  const tb = createStandin();
  const attachment = "A".repeat(3 * 1024 * 1024);
  const header = { id: 5, subject: "RE: Invoice", author: "Finance Person <finance-person@partnerb.example>", headerMessageId: "m1@example" };
  tb.addMessage(header, { raw: `${HEAD}\r\n${attachment}`, parts: [{ contentType: "text/plain; charset=utf-8", content: "Hello" }] });
  tb.setDisplayed(7, [5]);
  const shown = (await tb.messenger.messageDisplay.getDisplayedMessages(7)).messages[0];
  const payload = await collectMessage(tb.messenger, shown);
  assert.deepEqual(payload, { headers: HEAD, body: "Hello", subject: "RE: Invoice", internet_message_id: "m1@example" });
  assert.equal(tb.wholeReads.count, 0);
});

test("a source without headers sends From as Thunderbird shows it, and no empty fields", async () => {
  const tb = createStandin();
  tb.addMessage({ id: 6, author: "Accounts Desk <accounts@partnerb.example>" }, { raw: "\r\nbody only" });
  const payload = await collectMessage(tb.messenger, { id: 6, author: "Accounts Desk <accounts@partnerb.example>", headerMessageId: "" });
  assert.deepEqual(payload, { from: { name: "Accounts Desk", address: "accounts@partnerb.example" } });
});

test("an unreadable source is an 'unreadable' failure", async () => {
  const tb = createStandin();
  tb.addMessage({ id: 6 }, { raw: HEAD });
  tb.control.failGetRaw = true;
  await assert.rejects(collectMessage(tb.messenger, { id: 6 }), (/** @type {any} */ e) => e.kind === "unreadable");
});

test("the From value is parsed by Thunderbird when it can, groups included", async () => {
  const tb = createStandin();
  assert.deepEqual(await parseAuthor(tb.messenger, "Finance Person <finance-person@partnerb.example>"), {
    name: "Finance Person",
    address: "finance-person@partnerb.example",
  });
  assert.deepEqual(await parseAuthor(tb.messenger, "Team: a@partnerb.example;"), { name: "", address: "a@partnerb.example" });
  assert.equal(await parseAuthor(tb.messenger, "undisclosed-recipients:;"), null);
  assert.equal(await parseAuthor(tb.messenger, ""), null);
  const long = await parseAuthor(tb.messenger, `${"N".repeat(10 * 1024)} <a@example.com>`);
  assert.equal(long?.name.length, 256);
});

test("the fallback parser reads the usual forms and refuses to guess the rest", () => {
  assert.deepEqual(parseMailboxFallback("Finance Person <finance-person@partnerb.example>"), {
    name: "Finance Person",
    address: "finance-person@partnerb.example",
  });
  assert.deepEqual(parseMailboxFallback('"Desk, Accounts \\"AP\\"" <accounts@partnera.example>'), {
    name: 'Desk, Accounts "AP"',
    address: "accounts@partnera.example",
  });
  assert.deepEqual(parseMailboxFallback("accounts@partnera.example"), { name: "", address: "accounts@partnera.example" });
  assert.equal(parseMailboxFallback("Accounts Desk"), null);
  assert.equal(parseMailboxFallback("Accounts <not an address>"), null);
  assert.equal(parseMailboxFallback(`x <${"a".repeat(400)}@example.com>`), null);
});

test("single: one message of an MV2 array or an MV3 MessageList, else none", () => {
  assert.deepEqual(single([{ id: 1 }]), { id: 1 });
  assert.equal(single([{ id: 1 }, { id: 2 }]), null);
  assert.deepEqual(single({ id: null, messages: [{ id: 1 }] }), { id: 1 });
  assert.equal(single({ id: "page-2", messages: [{ id: 1 }] }), null);
  assert.equal(single({ id: null, messages: [] }), null);
  assert.equal(single(null), null);
});
