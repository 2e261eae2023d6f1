// @ts-check
// What the Outlook adapter sends of the HTML body and the attachments, against the Office
// stand-in: only the kinds the service reads, within its limits, and nothing without the
// Mailbox 1.8 attachment API.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import vm from "node:vm";

import { ATTACHMENT_LIMITS, MAX_HTML_CHARS } from "../../shared/api.js";
import { collectAttachments, collectMessage } from "../outlook.js";

const STANDIN = readFileSync(new URL("./office-standin.js", import.meta.url), "utf8");

function office() {
  /** @type {any} */
  const context = { setTimeout, Promise, Map, Date, parseFloat };
  vm.runInNewContext(STANDIN, context);
  return context.Office;
}

const PDF = Buffer.from("%PDF-1.4 invoice").toString("base64");
const MESSAGE = {
  subject: "Invoice 2211",
  from: { displayName: "Billing", emailAddress: "billing@partner.example" },
  headers: "From: Billing <billing@partner.example>\r\n",
  body: "Please see the attached invoice.",
  bodyHtml: "<p>Please see the <b>attached</b> invoice.</p>",
};

/** @param {Partial<{id: string, name: string, contentType: string, size: number, attachmentType: string, content: string, format: string, fail: boolean}>} a */
function file(a) {
  return { id: a.name, contentType: "application/pdf", size: 16, content: PDF, ...a };
}

test("the HTML body is sent as body_html, cut to what the service keeps", async () => {
  const Office = office();
  Office.__standin.start({ ...MESSAGE, bodyHtml: "<p>" + "x".repeat(MAX_HTML_CHARS) + "</p>" });
  const payload = await collectMessage(Office, Office.context.mailbox.item);
  assert.equal(payload.body, MESSAGE.body);
  assert.equal(/** @type {string} */ (payload.body_html).length, MAX_HTML_CHARS);
});

test("PDF, Word, image and text attachments and attached messages are sent, base64", async () => {
  const Office = office();
  Office.__standin.start({
    ...MESSAGE,
    attachments: [
      file({ name: "invoice.pdf" }),
      file({ name: "letter.docx", contentType: "application/vnd.openxmlformats-officedocument.wordprocessingml.document" }),
      file({ name: "scan.png", contentType: "image/png", content: " aGk=\r\n" }),
      file({ name: "notes.txt", contentType: "text/plain", content: "aGk=" }),
      file({ name: "Fwd: bank change", contentType: "", attachmentType: "item", format: "eml", content: "Subject: ü\r\n\r\nhi" }),
      file({ name: "setup.exe", contentType: "application/x-msdownload" }),
      file({ name: "archive.zip", contentType: "application/zip" }),
      file({ name: "link.pdf", attachmentType: "cloud" }),
    ],
  });
  const payload = await collectMessage(Office, Office.context.mailbox.item);
  const sent = /** @type {any[]} */ (payload.attachments);
  assert.deepEqual(
    sent.map((a) => [a.name, a.content_type]),
    [
      ["invoice.pdf", "application/pdf"],
      ["letter.docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"],
      ["scan.png", "image/png"],
      ["notes.txt", "text/plain"],
      ["Fwd: bank change", "message/rfc822"],
    ],
  );
  assert.equal(sent[0].content, PDF);
  assert.equal(sent[2].content, "aGk=", "line breaks and spaces are taken out of Office's base64");
  assert.equal(Buffer.from(sent[4].content, "base64").toString("utf8"), "Subject: ü\r\n\r\nhi");
  assert.deepEqual([...Office.__standin.fetchedAttachments], ["invoice.pdf", "letter.docx", "scan.png", "notes.txt", "Fwd: bank change"]);
});

test("attachments over the limits are not fetched: size, count (documents first) and total", async () => {
  const Office = office();
  const images = Array.from({ length: 12 }, (_, i) => file({ name: `logo${i}.png`, contentType: "image/png" }));
  Office.__standin.start({
    ...MESSAGE,
    attachments: [
      ...images,
      file({ name: "huge.pdf", size: ATTACHMENT_LIMITS.bytes + 1 }),
      file({ name: "invoice.pdf" }),
    ],
  });
  const sent = await collectAttachments(Office, Office.context.mailbox.item);
  assert.equal(sent.length, ATTACHMENT_LIMITS.count);
  assert.ok(sent.some((a) => a.name === "invoice.pdf"), "the document is not pushed out by the images");
  assert.ok(!sent.some((a) => a.name === "huge.pdf"));
  assert.ok(!Office.__standin.fetchedAttachments.includes("huge.pdf"));

  const big = ATTACHMENT_LIMITS.bytes - 10;
  Office.__standin.select({
    ...MESSAGE,
    attachments: [file({ name: "a.pdf", size: big }), file({ name: "b.pdf", size: big }), file({ name: "c.pdf", size: big })],
  });
  const together = await collectAttachments(Office, Office.context.mailbox.item);
  assert.deepEqual(
    together.map((a) => a.name),
    ["a.pdf", "b.pdf"],
    "the third would pass the total",
  );
});

test("an attachment Outlook will not give, or gives larger than it said, is left out", async () => {
  const Office = office();
  Office.__standin.start({
    ...MESSAGE,
    attachments: [
      file({ name: "refused.pdf", fail: true }),
      file({ name: "liar.pdf", size: 10, content: "A".repeat(((ATTACHMENT_LIMITS.bytes + 3) / 3) * 4) }),
      file({ name: "fine.pdf" }),
    ],
  });
  const sent = await collectAttachments(Office, Office.context.mailbox.item);
  assert.deepEqual(sent.map((a) => a.name), ["fine.pdf"]);
});

test("without the Mailbox 1.8 attachment API no attachment is sent", async () => {
  const Office = office();
  Office.__standin.start(MESSAGE); // the stand-in item then has no attachments API
  const payload = await collectMessage(Office, Office.context.mailbox.item);
  assert.equal(payload.attachments, undefined);
  assert.equal(payload.body_html, MESSAGE.bodyHtml);
});
