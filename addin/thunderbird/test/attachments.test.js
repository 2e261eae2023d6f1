// @ts-check
// What the Thunderbird adapter sends of the HTML part and the attachments, against the
// messenger stand-in: only the kinds the service reads, within its limits.
import { test } from "node:test";
import assert from "node:assert/strict";

import { ATTACHMENT_LIMITS, MAX_HTML_CHARS } from "../../shared/api.js";
import { collectAttachments, collectMessage, htmlOf } from "../caveat.js";
import { createStandin } from "./messenger-standin.js";

const HEAD = "From: Billing <billing@partner.example>\r\nSubject: Invoice 2211\r\n";
const PDF = "%PDF-1.4 invoice";

/**
 * @param {Partial<import("./messenger-standin.js").StoredAttachment>} a
 * @returns {import("./messenger-standin.js").StoredAttachment}
 */
function part(a) {
  return { name: "invoice.pdf", contentType: "application/pdf", size: PDF.length, partName: "1.2", content: PDF, ...a };
}

test("the HTML part is sent as body_html beside the plain snippet, with the readable attachments", async () => {
  const tb = createStandin();
  tb.addMessage(
    { id: 3, subject: "Invoice 2211" },
    {
      raw: `${HEAD}\r\nbody`,
      parts: [
        { contentType: "text/plain", content: "Please see the attached invoice." },
        { contentType: "text/html; charset=utf-8", content: "<p>Please see the <b>attached</b> invoice.</p>" },
      ],
      attachments: [
        part({ partName: "1.2" }),
        part({ name: "letter.docx", contentType: "application/vnd.openxmlformats-officedocument.wordprocessingml.document", partName: "1.3" }),
        part({ name: "scan.jpg", contentType: "image/jpeg", partName: "1.4" }),
        part({ name: "Fwd.eml", contentType: "message/rfc822", partName: "1.5", content: "Subject: ü\r\n\r\nhi" }),
        part({ name: "tool.exe", contentType: "application/octet-stream", partName: "1.6" }),
      ],
    },
  );
  const payload = await collectMessage(tb.messenger, { id: 3, subject: "Invoice 2211" });
  assert.equal(payload.body, "Please see the attached invoice.");
  assert.equal(payload.body_html, "<p>Please see the <b>attached</b> invoice.</p>");
  const sent = /** @type {any[]} */ (payload.attachments);
  assert.deepEqual(
    sent.map((a) => [a.name, a.content_type]),
    [
      ["invoice.pdf", "application/pdf"],
      ["letter.docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"],
      ["scan.jpg", "image/jpeg"],
      ["Fwd.eml", "message/rfc822"],
    ],
  );
  assert.equal(Buffer.from(sent[0].content, "base64").toString("latin1"), PDF);
  assert.equal(Buffer.from(sent[3].content, "base64").toString("utf8"), "Subject: ü\r\n\r\nhi");
  assert.ok(!tb.fetchedAttachments.includes("1.6"), "a type the service does not read is not even fetched");
});

test("a long HTML part is cut to what the service keeps; no HTML part, no body_html", () => {
  const long = "<p>" + "x".repeat(MAX_HTML_CHARS) + "</p>";
  assert.equal(htmlOf([{ contentType: "text/html", content: long }])?.length, MAX_HTML_CHARS);
  assert.equal(htmlOf([{ contentType: "text/plain", content: "hi" }]), undefined);
});

test("over the limits: too large, too many (documents first), over the total, larger than listed", async () => {
  const tb = createStandin();
  const images = Array.from({ length: 12 }, (_, i) => part({ name: `logo${i}.png`, contentType: "image/png", partName: `2.${i}` }));
  tb.addMessage(
    { id: 4 },
    {
      raw: HEAD,
      attachments: [
        ...images,
        part({ name: "huge.pdf", size: ATTACHMENT_LIMITS.bytes + 1, partName: "3.1" }),
        part({ name: "liar.pdf", size: 10, partName: "3.2", content: new Uint8Array(ATTACHMENT_LIMITS.bytes + 1) }),
        part({ name: "refused.pdf", partName: "3.3", fail: true }),
        part({ name: "invoice.pdf", partName: "3.4" }),
      ],
    },
  );
  const sent = await collectAttachments(tb.messenger, 4);
  assert.ok(sent.some((a) => a.name === "invoice.pdf"), "the document is not pushed out by the images");
  assert.ok(!sent.some((a) => ["huge.pdf", "liar.pdf", "refused.pdf"].includes(a.name)));
  assert.ok(!tb.fetchedAttachments.includes("3.1"), "one listed too large is not fetched");
  assert.ok(sent.length <= ATTACHMENT_LIMITS.count);
});

test("without the attachment API, or when it fails, none are sent and the message is still checked", async () => {
  const tb = createStandin();
  tb.addMessage({ id: 5 }, { raw: HEAD, attachments: [part({})] });
  const messenger = { ...tb.messenger, messages: { ...tb.messenger.messages, listAttachments: undefined } };
  assert.deepEqual(await collectAttachments(messenger, 5), []);
  const failing = {
    ...tb.messenger,
    messages: {
      ...tb.messenger.messages,
      listAttachments: async () => {
        throw new Error("no");
      },
    },
  };
  const payload = await collectMessage(failing, { id: 5 });
  assert.equal(payload.attachments, undefined);
  assert.equal(payload.headers, HEAD);
});
