// @ts-check
/**
 * The Outlook adapter of the task pane: reads the selected message through Office.js, asks
 * the service, and shows the answer twice — as Outlook's notification bar on the message
 * (one per message, stable key) and as the details pane. It decides nothing itself.
 *
 * The pane is pinnable; Outlook keeps it open while the reader moves from message to
 * message and fires ItemChanged each time, so every selected message is checked. Answers
 * that arrive after the reader has moved on are dropped.
 *
 * Office is passed in (the real Office.js in Outlook, a stand-in in the tests).
 */

import { ATTACHMENT_LIMITS, MAX_HTML_CHARS, CaveatError, base64FromBytes, base64Size, chooseAttachments } from "../shared/api.js";
import { failureBanner, failureReason, notificationFor } from "../shared/banner.js";
import { t } from "../shared/i18n.js";
import { renderActionMessage, renderContact, renderFailure, renderPending, renderVerdict } from "../shared/render.js";
import { accountCandidates, accountsIn, replyToIn, startVerify } from "../shared/verify.js";

/** @typedef {import("../shared/api.js").Verdict} Verdict */
/** @typedef {import("../shared/api.js").AttachmentContent} AttachmentContent */
/** @typedef {import("../shared/banner.js").BannerModel} BannerModel */
/** @typedef {ReturnType<typeof import("../shared/api.js").createClient>} Client */

/** What the pane says when the person must sign in before the message can be checked (an id). */
export const SIGN_IN_HERE = "outlook_sign_in_here";
/** Verify sender asked by someone whose role may not read partners' contacts (403; an id). */
export const VERIFY_NOT_ALLOWED = "outlook_verify_not_allowed";
/** Recording a call refused for the person's role (403; an id). */
export const RECORD_NOT_ALLOWED = "outlook_record_not_allowed";
/** The manifest's 16-pixel icon, which an informational notification must name. */
export const NOTIFICATION_ICON = "Icon.16";
/** The service's limits: 256 KiB of headers and 64 KiB of body, in UTF-8. */
export const MAX_HEADER_CHARS = 80_000;
export const MAX_BODY_CHARS = 20_000;
/** The service takes names and addresses of up to 1,024 characters; longer names are cut. */
export const MAX_NAME_CHARS = 1024;

/**
 * Office's callback style as a promise of the AsyncResult (never rejects).
 * @param {any} Office
 * @param {(callback: (result: any) => void) => void} start
 * @returns {Promise<{ok: boolean, value: any, error?: any}>}
 */
export function officeCall(Office, start) {
  return new Promise((resolve) => {
    try {
      start((result) =>
        resolve({
          ok: result && result.status === Office.AsyncResultStatus.Succeeded,
          value: result && result.value,
          error: result && result.error,
        }),
      );
    } catch (error) {
      resolve({ ok: false, value: undefined, error });
    }
  });
}

/**
 * @param {{displayName?: string, emailAddress?: string} | null | undefined} a
 * @returns {{name: string, address: string} | null}
 */
function address(a) {
  if (!a || !a.emailAddress || a.emailAddress.length > MAX_NAME_CHARS) return null;
  return { name: (a.displayName || "").slice(0, MAX_NAME_CHARS), address: a.emailAddress };
}

/**
 * @param {any[] | null | undefined} list
 */
function addresses(list) {
  return (list || []).map(address).filter((a) => a !== null);
}

/**
 * What the service needs of the selected message, as POST /api/v1/analyze takes it. A part
 * Outlook will not give (headers on an old requirement set, say) is left out, not guessed.
 * @param {any} Office
 * @param {any} item
 */
export async function collectMessage(Office, item) {
  /** @type {Record<string, unknown>} */
  const payload = {
    from: address(item.from),
    sender: address(item.sender),
    to: addresses(item.to),
    cc: addresses(item.cc),
    subject: typeof item.subject === "string" ? item.subject : null,
    conversation_id: item.conversationId || null,
    internet_message_id: item.internetMessageId || null,
  };
  if (typeof item.getAllInternetHeadersAsync === "function") {
    const headers = await officeCall(Office, (cb) => item.getAllInternetHeadersAsync(cb));
    if (headers.ok && typeof headers.value === "string" && headers.value) {
      payload.headers = headers.value.slice(0, MAX_HEADER_CHARS);
    }
  }
  if (item.body && typeof item.body.getAsync === "function") {
    const body = await officeCall(Office, (cb) => item.body.getAsync(Office.CoercionType.Text, cb));
    if (body.ok && typeof body.value === "string" && body.value) {
      payload.body = body.value.slice(0, MAX_BODY_CHARS);
    }
    const html = await officeCall(Office, (cb) => item.body.getAsync(Office.CoercionType.Html, cb));
    if (html.ok && typeof html.value === "string" && html.value) {
      payload.body_html = html.value.slice(0, MAX_HTML_CHARS);
    }
  }
  const attachments = await collectAttachments(Office, item);
  if (attachments.length) payload.attachments = attachments;
  return payload;
}

/**
 * The content of the attachments the service reads (PDF, Word, images, text, attached
 * messages), within its limits, as Outlook gives it (base64; an attached message as its
 * MIME source, encoded here). Needs getAttachmentContentAsync (Mailbox 1.8): without it,
 * none are sent. Cloud attachments (links) are not fetched; one Outlook will not give is
 * left out.
 * @param {any} Office
 * @param {any} item
 * @returns {Promise<AttachmentContent[]>}
 */
export async function collectAttachments(Office, item) {
  if (typeof item.getAttachmentContentAsync !== "function" || !Array.isArray(item.attachments)) return [];
  const files = item.attachments.filter(
    (/** @type {any} */ a) => a && typeof a.id === "string" && (a.attachmentType === "file" || a.attachmentType === "item"),
  );
  const chosen = chooseAttachments(files, (/** @type {any} */ a) => ({
    name: String(a.name || ""),
    contentType: a.attachmentType === "item" ? "message/rfc822" : String(a.contentType || ""),
    size: Number(a.size),
  }));
  /** @type {AttachmentContent[]} */
  const out = [];
  let total = 0;
  for (const a of chosen) {
    const got = await officeCall(Office, (cb) => item.getAttachmentContentAsync(a.id, cb));
    if (!got.ok || !got.value || typeof got.value.content !== "string") continue;
    const { content, format } = got.value;
    let encoded;
    let type = String(a.contentType || "").slice(0, 255);
    if (format === "base64") {
      encoded = content.replace(/\s+/g, "");
    } else if (format === "eml") {
      encoded = base64FromBytes(new TextEncoder().encode(content));
      type = "message/rfc822";
    } else {
      continue; // a link (cloud attachment) or a calendar item: nothing of it is read
    }
    const size = base64Size(encoded);
    if (size > ATTACHMENT_LIMITS.bytes || total + size > ATTACHMENT_LIMITS.totalBytes) continue;
    total += size;
    out.push({ name: String(a.name || "").slice(0, 1024), content_type: type, content: encoded });
  }
  return out;
}

/**
 * Show (or remove) the notification bar for one message.
 * @param {any} Office
 * @param {any} item
 * @param {BannerModel} model
 */
export async function showNotification(Office, item, model) {
  const messages = item && item.notificationMessages;
  if (!messages) return { ok: false, value: undefined, error: "no notification bar" };
  if (!model.show) {
    // Removing a key that is not there fails; that only means there was nothing stale.
    return officeCall(Office, (cb) => messages.removeAsync(model.key, cb));
  }
  const types = Office.MailboxEnums.ItemNotificationMessageType;
  const details =
    model.tone === "error"
      ? { type: types.ErrorMessage, message: model.text }
      : { type: types.InformationalMessage, message: model.text, icon: NOTIFICATION_ICON, persistent: false };
  return officeCall(Office, (cb) => messages.replaceAsync(model.key, details, cb));
}

/**
 * Run the pane: check the selected message now and on every ItemChanged. With `auth`, a
 * check that needs the person to sign in shows a Sign in button; its click calls
 * `auth.signIn` at once (a sign-in window may only open from a click) and, signed in,
 * checks the message again. While `auth.active()` (calls carry the person's token) a
 * report names no reporter: the service takes the person from the token.
 * @param {{Office: any, root: Element, client: Client, auth?: {signIn: () => Promise<unknown>, active: () => boolean}}} deps
 * @returns {{check: () => Promise<void>}}
 */
export function startPane({ Office, root, client, auth }) {
  let generation = 0;
  /** @type {Verdict | null} */
  let current = null;
  /** The analyze payload of the message shown: Report sends it again, for the service to
   * find the Reply-To, look-alike domains, accounts and phone numbers itself.
   * @type {Record<string, unknown> | null} */
  let currentMessage = null;

  async function check() {
    const mine = ++generation;
    const item = Office.context.mailbox.item;
    current = null;
    currentMessage = null;
    if (!item) {
      renderPending(root, t("outlook_select_message"));
      return;
    }
    renderPending(root, t("outlook_checking"));
    const options = paneOptions(item);
    try {
      const payload = await collectMessage(Office, item);
      const verdict = await client.analyze(payload);
      if (mine !== generation) return;
      current = verdict;
      currentMessage = payload;
      renderVerdict(root, verdict, options);
      // Caution and danger only: an info note is for the pane (notificationFor).
      await showNotification(Office, item, notificationFor(verdict));
    } catch (error) {
      if (mine !== generation) return;
      const banner = failureBanner(error);
      if (banner.show && needsSignIn(error)) {
        // In the pane the way out is the button beside the words; Verify sender and Report
        // would need the same sign-in, so only Sign in is offered.
        const here = { ...banner, detail: t(SIGN_IN_HERE) };
        renderFailure(root, here, { subject: options.subject, from: options.from, onSignIn: () => startSignIn(mine) });
      } else if (banner.show) {
        renderFailure(root, banner, options);
      }
      await showNotification(Office, item, banner);
    }
  }

  /** @param {unknown} error */
  function needsSignIn(error) {
    return Boolean(auth) && error instanceof CaveatError && error.kind === "signin";
  }

  /**
   * The Sign in button's click: the window opens now; signed in, the message is checked
   * again; not signed in, the pane says so and keeps the button.
   * @param {number} shownFor the check whose failure showed the button
   */
  function startSignIn(shownFor) {
    if (!auth) return;
    const pending = auth.signIn();
    renderActionMessage(root, t("outlook_signing_in"), "ok");
    pending.then(
      () => {
        if (shownFor === generation) void check();
      },
      (error) => {
        if (shownFor !== generation) return;
        const why = error instanceof CaveatError ? error.message : t("sign_in_needed");
        renderActionMessage(root, t("outlook_not_signed_in", why), "error");
      },
    );
  }

  /** @param {any} item */
  function paneOptions(item) {
    const from = address(item.from);
    return {
      subject: item.subject,
      from,
      onVerify: () => verify(item),
      onReport: () => report(item),
    };
  }

  /** @param {any} item */
  async function verify(item) {
    const from = address(item.from);
    if (!from) {
      renderActionMessage(root, t("outlook_no_sender_address"), "error");
      return;
    }
    const shownFor = generation;
    const verdict = current;
    let contact;
    try {
      contact = await client.senderContact(from);
    } catch (error) {
      if (error instanceof CaveatError && error.kind === "forbidden") {
        renderActionMessage(root, t(VERIFY_NOT_ALLOWED), "error");
        return;
      }
      renderActionMessage(root, t("outlook_directory_failed", failureBanner(error).text), "error");
      return;
    }
    if (shownFor !== generation) return;
    renderContact(root, contact);
    const headers = await officeCall(Office, (cb) =>
      typeof item.getAllInternetHeadersAsync === "function" ? item.getAllInternetHeadersAsync(cb) : cb({ status: "failed" }),
    );
    const replyTo = headers.ok ? replyToIn(headers.value) : "";
    startVerify({
      root,
      contact,
      accounts: accountsIn(verdict),
      message: { from: from.address, reply_to: replyTo },
      calls: {
        history: (query) => callService(() => client.verifications(query)),
        record: (body) => callService(() => client.recordVerification(/** @type {any} */ (body))),
        askOnFile: (request) => callService(() => askOnFile(item, request)),
      },
    });
  }

  /**
   * A call to the service for Verify sender, its failure in words the form can show.
   * @template T
   * @param {() => Promise<T>} call
   * @returns {Promise<T>}
   */
  async function callService(call) {
    try {
      return await call();
    } catch (error) {
      if (error instanceof CaveatError && error.kind === "forbidden") throw new Error(t(RECORD_NOT_ALLOWED));
      if (error instanceof CaveatError && (error.kind === "rejected" || error.kind === "invalid_answer")) throw new Error(error.message);
      throw new Error(failureReason(error));
    }
  }

  /**
   * Ask for a verified account to be put on file: the account in clear is read again from
   * the message's text for this request only, and tried in the order found until the
   * service takes one (it refuses any that is not the account verified).
   * @param {any} item
   * @param {{organization: string, account_ref: string, account_masked: string}} request
   */
  async function askOnFile(item, request) {
    const body = await officeCall(Office, (cb) => item.body.getAsync(Office.CoercionType.Text, cb));
    const candidates = body.ok ? accountCandidates(request.account_masked, String(body.value ?? "").slice(0, MAX_BODY_CHARS * 5)) : [];
    if (!candidates.length) throw new CaveatError("rejected", t("outlook_account_not_read", request.account_masked));
    let last = null;
    for (const account of candidates) {
      try {
        return await client.requestApproval({ organization: request.organization, account_ref: request.account_ref, account });
      } catch (error) {
        last = error;
        if (!(error instanceof CaveatError && error.status === 400 && /does not match/.test(error.message))) throw error;
      }
    }
    throw last;
  }

  /** @param {any} item */
  async function report(item) {
    const from = address(item.from);
    const message = currentMessage;
    const body = {
      internet_message_id: item.internetMessageId || null,
      conversation_id: item.conversationId || null,
      from,
      level: current ? current.level : null,
      finding_ids: current ? current.findings.map((f) => f.id) : [],
      ...(auth && auth.active() ? {} : { reporter: Office.context.mailbox.userProfile ? Office.context.mailbox.userProfile.emailAddress : null }),
    };
    try {
      try {
        await client.report(message ? { ...body, message } : body);
      } catch (error) {
        // The message refused (too large with the report around it, say): the sender is
        // still worth reporting.
        if (!(message && error instanceof CaveatError && (error.status === 400 || error.status === 413))) throw error;
        await client.report(body);
      }
      renderActionMessage(root, t("outlook_reported"), "ok");
    } catch (error) {
      renderActionMessage(root, t("outlook_report_failed", failureBanner(error).text), "error");
    }
  }

  Office.context.mailbox.addHandlerAsync(Office.EventType.ItemChanged, () => {
    void check();
  });
  void check();
  return { check };
}
