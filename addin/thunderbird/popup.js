// @ts-check
/**
 * The popup of the message display action: the verdict on the displayed message with its
 * findings and evidence, or why it could not be checked, and the Verify sender and Report
 * actions. The background does the work (commands "details", "verify", "report"); this page
 * only draws, with the shared renderer. A finance person's Verify sender also offers the
 * form to record the call (shared/verify.js), through the background's "verifications",
 * "recordVerification" and "askOnFile" commands. When the check failed for want of a sign-in, a Sign
 * in button opens the settings page, where the person signs in. It speaks the language chosen
 * in the settings (language.js), loaded before anything is drawn.
 */
import { renderActionMessage, renderContact, renderFailure, renderPending, renderVerdict } from "../shared/render.js";
import { accountsIn, startVerify } from "../shared/verify.js";
import { couldNotCheck } from "../shared/banner.js";
import { localisePage, t } from "../shared/i18n.js";
import { speakChosen } from "./language.js";

/** @typedef {(message: Record<string, unknown>) => Promise<any>} Send */

/**
 * Fill the popup.
 * @param {{root: Element, send: Send, openOptions?: () => Promise<unknown> | void}} deps
 * @returns {Promise<void>}
 */
export async function startPopup({ root, send, openOptions }) {
  renderPending(root, t("tb_popup_checking"));
  /** @type {any} */
  let details;
  try {
    details = await send({ command: "details" });
  } catch {
    renderFailure(root, { title: couldNotCheck(), text: t("tb_unanswered_text") });
    return;
  }
  if (!details || details.state === "none") {
    renderPending(root, t("tb_popup_no_message"));
    return;
  }
  const messageId = details.messageId;
  const options = {
    subject: details.subject,
    from: details.from,
    onVerify: () => void verify(),
    onReport: () => void report(),
  };
  if (details.state === "verdict") {
    renderVerdict(root, details.verdict, options);
  } else if (details.signIn && openOptions) {
    renderFailure(root, details.banner, { ...options, onSignIn: () => void Promise.resolve(openOptions()).catch(() => undefined) });
  } else {
    renderFailure(root, details.banner, options);
  }

  async function verify() {
    renderActionMessage(root, t("tb_popup_looking_up"), "ok");
    try {
      const answer = await send({ command: "verify", messageId });
      if (answer && answer.ok) {
        renderContact(root, answer.contact);
        startVerify({
          root,
          contact: answer.contact,
          accounts: details.state === "verdict" ? accountsIn(details.verdict) : [],
          calls: {
            history: async (query) => (await ask({ command: "verifications", messageId, ...query })).list,
            record: async (body) => (await ask({ command: "recordVerification", messageId, body })).recorded,
            askOnFile: async (request) => (await ask({ command: "askOnFile", messageId, ...request })).approval,
          },
        });
      } else {
        renderActionMessage(root, String(answer?.message ?? t("tb_popup_lookup_failed")), "error");
      }
    } catch {
      renderActionMessage(root, t("tb_no_answer"), "error");
    }
  }

  /**
   * One command to the background for Verify sender; a refusal becomes an Error with the
   * background's words.
   * @param {Record<string, unknown>} message
   */
  async function ask(message) {
    let answer;
    try {
      answer = await send(message);
    } catch {
      throw new Error(t("tb_no_answer_clause"));
    }
    if (!answer || !answer.ok) throw new Error(String(answer?.message ?? t("tb_no_answer_clause")));
    return answer;
  }

  async function report() {
    try {
      const answer = await send({ command: "report", messageId });
      if (answer && answer.ok) {
        renderActionMessage(root, t("tb_popup_reported"), "ok");
      } else {
        renderActionMessage(root, String(answer?.message ?? t("tb_popup_report_failed")), "error");
      }
    } catch {
      renderActionMessage(root, t("tb_no_answer"), "error");
    }
  }
}

if (typeof document !== "undefined" && typeof messenger !== "undefined") {
  const root = document.getElementById("caveat");
  if (root) {
    void speakChosen(messenger)
      .catch(() => undefined)
      .then(() => {
        localisePage(document);
        return startPopup({
          root,
          send: (message) => messenger.runtime.sendMessage(message),
          openOptions: () => messenger.runtime.openOptionsPage(),
        });
      });
  }
}
