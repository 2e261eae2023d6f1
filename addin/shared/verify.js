// @ts-check
/**
 * Verify sender, the part both add-ins share: which accounts a verdict names (masked, with
 * their opaque `ref`), the form a finance person records a call with, where the account
 * stands after it, the last calls about it, and the request to put a verified account on
 * file. Host-free: the host passes the calls to the service (Outlook calls it itself; the
 * Thunderbird popup asks its background) and its `document` through `root`.
 *
 * The service never sees an account number for a call: only the `ref` the analysis showed.
 * The one exception is the request to put a verified account on file, which needs the
 * account in clear: `accountCandidates` finds it again in the message's own text, for that
 * request only, from the masked form (the service refuses any that does not hash to the
 * ref). Contacts come only from the directory's answer, never from the message.
 */
import { language, t, tn, tParts } from "./i18n.js";
import { el, untrusted, shown } from "./render.js";

/** @typedef {import("./api.js").Verdict} Verdict */
/** @typedef {import("./api.js").Contact} Contact */
/** @typedef {import("./api.js").SenderContact} SenderContact */
/** @typedef {import("./api.js").AccountStatus} AccountStatus */
/** @typedef {import("./api.js").Verification} Verification */
/** @typedef {import("./api.js").VerificationList} VerificationList */
/** @typedef {import("./api.js").RecordedVerification} RecordedVerification */
/** @typedef {import("./api.js").Approval} Approval */
/** An account a message names, as the analysis showed it. @typedef {{ref: string, masked: string}} NamedAccount */
/**
 * What the form needs of the host. Each call rejects with an Error whose message can be
 * shown as it is.
 * @typedef {{
 *   history: (query: {organization: string, account_ref?: string}) => Promise<VerificationList>,
 *   record: (body: Record<string, unknown>) => Promise<RecordedVerification>,
 *   askOnFile: (request: {organization: string, account_ref: string, account_masked: string}) => Promise<Approval>,
 * }} VerifyCalls
 */

/** The outcomes to choose from, with the message id of each choice's words. */
export const OUTCOMES = /** @type {const} */ ([
  ["confirmed", "verify_outcome_confirmed"],
  ["denied", "verify_outcome_denied"],
  ["unreachable", "verify_outcome_unreachable"],
]);
/** Outcomes in the history, in a few words: message ids. */
export const OUTCOME_WORDS = {
  confirmed: "verify_history_confirmed",
  denied: "verify_history_denied",
  unreachable: "verify_history_unreachable",
};
/** How many past calls are listed under the form. */
export const HISTORY_SHOWN = 5;
export const NOTE_MAX = 500;
const REF_RE = /^[0-9a-f]{64}$/;

/**
 * The accounts the verdict's bank findings name, each once, in order: the masked form (the
 * evidence value up to its colon) and its ref.
 * @param {Verdict | null | undefined} verdict
 * @returns {NamedAccount[]}
 */
export function accountsIn(verdict) {
  /** @type {Map<string, NamedAccount>} */
  const found = new Map();
  for (const finding of verdict?.findings ?? []) {
    if (finding.check !== "bank_details_change") continue;
    for (const ev of finding.evidence ?? []) {
      if (ev.header !== "Account" || typeof ev.ref !== "string" || !REF_RE.test(ev.ref) || found.has(ev.ref)) continue;
      const value = String(ev.value ?? "");
      const colon = value.indexOf(":");
      found.set(ev.ref, { ref: ev.ref, masked: shown(colon > 0 ? value.slice(0, colon) : value, 64) });
    }
  }
  return [...found.values()];
}

/**
 * How the service is told which contact on file was called: by email, else by phone.
 * @param {Contact} contact
 * @returns {{email: string} | {phone: string} | null}
 */
export function contactRef(contact) {
  if (contact.email) return { email: contact.email };
  if (contact.phone) return { phone: contact.phone };
  return null;
}

/**
 * The first address of a Reply-To header in a block of raw headers, or "".
 * @param {string | null | undefined} headers
 */
export function replyToIn(headers) {
  const match = /(?:^|\r?\n)reply-to:[ \t]*((?:.*)(?:\r?\n[ \t].*)*)/i.exec(String(headers ?? ""));
  if (!match) return "";
  const value = match[1].replace(/\r?\n[ \t]+/g, " ");
  const angle = /<([^<>\s]+@[^<>\s]+)>/.exec(value);
  if (angle) return angle[1];
  const bare = /([^\s<>",;:]+@[^\s<>",;:]+)/.exec(value);
  return bare ? bare[1] : "";
}

/**
 * Whether a compact IBAN's check digits are right (ISO 13616, mod 97).
 * @param {string} iban
 */
export function ibanValid(iban) {
  if (!/^[A-Z]{2}\d{2}[A-Z0-9]{11,30}$/.test(iban)) return false;
  const moved = iban.slice(4) + iban.slice(0, 4);
  let rest = 0;
  for (const ch of moved) {
    const digits = /[A-Z]/.test(ch) ? String(ch.charCodeAt(0) - 55) : ch;
    for (const d of digits) rest = (rest * 10 + Number(d)) % 97;
  }
  return rest === 1;
}

/**
 * The accounts in `text` that show as `masked`, in clear (the form the service compares),
 * most likely first, at most `most`. An IBAN must start and end as the mask does and pass
 * its check digits; a sort code or routing number must be the mask's, with an account
 * number ending in its last four digits.
 * @param {string} masked e.g. "DE89 **** 3000", "sort code 60-16-13, account ****6819"
 * @param {string} text the message's text
 * @param {number} [most]
 * @returns {string[]}
 */
export function accountCandidates(masked, text, most = 5) {
  const body = String(text ?? "");
  /** @type {Set<string>} */
  const out = new Set();
  const iban = /^([A-Z]{2}\d{2}) \*{4} ([A-Z0-9]{4})$/.exec(masked);
  if (iban) {
    const [, head, tail] = iban;
    const runs = body.toUpperCase().match(new RegExp(`${head}(?:[ \\-]?[A-Z0-9]){11,32}`, "g")) ?? [];
    for (const run of runs) {
      const compact = run.replace(/[ -]/g, "");
      for (let end = Math.min(compact.length, 34); end >= 15; end--) {
        const candidate = compact.slice(0, end);
        if (candidate.endsWith(tail) && ibanValid(candidate)) {
          out.add(candidate);
          break;
        }
      }
    }
    return [...out].slice(0, most);
  }
  const sort = /^sort code (\d{2})-(\d{2})-(\d{2}), account \*{4}(\d{4})$/.exec(masked);
  const routing = /^routing (\d{9}), account \*{4}(\d{4})$/.exec(masked);
  const plain = /^account \*{4}(\d{4})$/.exec(masked);
  const prefix = sort ? sort[1] + sort[2] + sort[3] : routing ? routing[1] : plain ? "" : null;
  if (prefix === null) return [];
  const tail = (sort ? sort[4] : routing ? routing[2] : plain ? plain[1] : "") ?? "";
  for (const run of body.match(/\d(?:[ -]?\d){3,16}/g) ?? []) {
    const digits = run.replace(/[ -]/g, "");
    if (!digits.endsWith(tail) || digits === prefix || digits.length < 6) continue;
    // "60-16-13 31926819" reads as one run: it holds the sort code already
    out.add(prefix && digits.startsWith(prefix) && digits.length > prefix.length + 5 ? digits : prefix + digits);
  }
  return [...out].slice(0, most);
}

/**
 * "2026-12-06 23:58 UTC" from the service's ISO time; anything else as it came.
 * @param {unknown} at
 */
export function when(at) {
  const text = String(at ?? "");
  const m = /^(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2})/.exec(text);
  if (!m) return shown(text, 40);
  const date = new Date(text);
  if (Number.isNaN(date.getTime())) return `${m[1]} ${m[2]}`;
  return `${date.toISOString().slice(0, 10)} ${date.toISOString().slice(11, 16)} UTC`;
}

/**
 * The account's standing in words: "Confirmed by 1 of the 2 people needed: ...".
 * @param {AccountStatus} status
 */
export function standingWords(status) {
  const people = status.confirmations.map((c) => t("verify_standing_person", c.by, when(c.at))).join(", ");
  const needed = status.confirmations_needed;
  const count = status.confirmations.length.toLocaleString(language());
  if (status.denied) return t("verify_standing_denied");
  if (status.verified) return tn("verify_standing_verified", needed, count, people);
  if (!status.confirmations.length) return tn("verify_standing_nobody", needed);
  return tn("verify_standing_partly", needed, count, people);
}

/**
 * @param {Element} target
 */
function empty(target) {
  while (target.firstChild) target.removeChild(target.firstChild);
}

let formCount = 0;

/**
 * Draw the form to record a call under the Verify sender box, and run it. Nothing is drawn
 * for a sender the directory does not know (there is no contact to call).
 * @param {{root: Element, contact: SenderContact, accounts: NamedAccount[], calls: VerifyCalls, message?: {from?: string, reply_to?: string}}} deps
 * @returns {{form: HTMLFormElement | null, ready: Promise<void>}}
 */
export function startVerify({ root, contact, accounts, calls, message }) {
  const doc = root.ownerDocument;
  const box = root.querySelector(".contact") ?? root;
  if (!contact.known) return { form: null, ready: Promise.resolve() };
  const organization = contact.organization;
  const section = el(doc, "section", null, "verify-record");
  box.appendChild(section);
  const callable = (contact.contacts ?? []).map((c) => ({ c, ref: contactRef(c) })).filter((x) => x.ref !== null);
  section.appendChild(el(doc, "h3", t("verify_record_heading")));
  const standing = el(doc, "div", null, "verify-standing");
  standing.setAttribute("aria-live", "polite");
  const historyBox = el(doc, "div", null, "verify-history");
  if (!accounts.length || !callable.length) {
    section.appendChild(
      el(
        doc,
        "p",
        t(!callable.length ? "verify_no_callable_contact" : "verify_no_account"),
        "note",
      ),
    );
    section.appendChild(historyBox);
    return { form: null, ready: loadHistory(undefined) };
  }

  const id = `caveat-verify-${++formCount}`;
  const form = /** @type {HTMLFormElement} */ (el(doc, "form", null, "verify-form"));
  form.setAttribute("novalidate", "");

  const contactLabel = el(doc, "label", t("verify_contact_label"));
  contactLabel.setAttribute("for", `${id}-contact`);
  const contactSelect = /** @type {HTMLSelectElement} */ (el(doc, "select"));
  contactSelect.id = `${id}-contact`;
  contactSelect.name = "contact";
  callable.forEach(({ c }, i) => {
    const option = /** @type {HTMLOptionElement} */ (el(doc, "option", shown([c.name, c.phone, c.email].filter(Boolean).join(" \u2014 "), 200)));
    option.value = String(i);
    contactSelect.appendChild(option);
  });

  const accountLabel = el(doc, "label", t("verify_account_label"));
  accountLabel.setAttribute("for", `${id}-account`);
  const accountSelect = /** @type {HTMLSelectElement} */ (el(doc, "select"));
  accountSelect.id = `${id}-account`;
  accountSelect.name = "account";
  accounts.forEach((a, i) => {
    const option = /** @type {HTMLOptionElement} */ (el(doc, "option", a.masked));
    option.value = String(i);
    accountSelect.appendChild(option);
  });

  const outcomes = el(doc, "fieldset", null, "verify-outcome");
  outcomes.appendChild(el(doc, "legend", t("verify_outcome_legend")));
  for (const [value, words] of OUTCOMES) {
    const line = el(doc, "div", null, "choice");
    const radio = /** @type {HTMLInputElement} */ (el(doc, "input"));
    radio.type = "radio";
    radio.name = "outcome";
    radio.value = value;
    radio.id = `${id}-${value}`;
    const label = el(doc, "label", t(words));
    label.setAttribute("for", radio.id);
    line.appendChild(radio);
    line.appendChild(label);
    outcomes.appendChild(line);
  }

  const noteLabel = el(doc, "label", t("verify_note_label"));
  noteLabel.setAttribute("for", `${id}-note`);
  const note = /** @type {HTMLTextAreaElement} */ (el(doc, "textarea"));
  note.id = `${id}-note`;
  note.name = "note";
  note.rows = 2;
  note.maxLength = NOTE_MAX;

  const submit = el(doc, "button", t("verify_submit"), "verify-submit");
  submit.setAttribute("type", "submit");
  const result = el(doc, "p", null, "verify-result");
  result.setAttribute("role", "status");

  for (const part of [contactLabel, contactSelect, accountLabel, accountSelect, outcomes, noteLabel, note, submit, result]) {
    form.appendChild(part);
  }
  section.appendChild(form);
  section.appendChild(standing);
  section.appendChild(historyBox);

  /** @param {string} text @param {"ok" | "error"} tone */
  function say(text, tone) {
    result.textContent = text;
    result.className = `verify-result ${tone}`;
  }

  function chosenAccount() {
    return accounts[Number(accountSelect.value)] ?? accounts[0];
  }

  /**
   * @param {AccountStatus | null | undefined} status
   * @param {NamedAccount} account
   */
  function showStanding(status, account) {
    empty(standing);
    if (!status) {
      standing.appendChild(el(doc, "p", t("verify_standing_none"), "standing"));
      return;
    }
    standing.appendChild(el(doc, "p", standingWords(status), `standing${status.denied ? " denied" : status.verified ? " verified" : ""}`));
    if (status.verified && !status.denied) {
      const ask = el(doc, "button", t("verify_ask_on_file"), "verify-on-file");
      ask.setAttribute("type", "button");
      ask.addEventListener("click", () => void askOnFile(account, ask));
      standing.appendChild(ask);
    }
  }

  /**
   * @param {NamedAccount} account
   * @param {Element} button
   */
  async function askOnFile(account, button) {
    button.setAttribute("disabled", "");
    try {
      const approval = await calls.askOnFile({ organization, account_ref: account.ref, account_masked: account.masked });
      const line = el(doc, "p", t("verify_asked", approval.id, approval.status), "verify-asked ok");
      standing.appendChild(line);
    } catch (error) {
      button.removeAttribute("disabled");
      standing.appendChild(el(doc, "p", t("verify_not_asked", messageOf(error)), "verify-asked error"));
    }
  }

  /** @param {Event} event */
  async function onSubmit(event) {
    event.preventDefault();
    const outcome = /** @type {HTMLInputElement | null} */ (form.querySelector('input[name="outcome"]:checked'));
    if (!outcome) {
      say(t("verify_choose_outcome"), "error");
      /** @type {HTMLInputElement | null} */ (form.querySelector('input[name="outcome"]'))?.focus();
      return;
    }
    const picked = callable[Number(contactSelect.value)] ?? callable[0];
    const account = chosenAccount();
    /** @type {Record<string, unknown>} */
    const body = {
      organization,
      contact: picked.ref,
      account_ref: account.ref,
      account_masked: account.masked,
      outcome: outcome.value,
    };
    const text = note.value.trim();
    if (text) body.note = text.slice(0, NOTE_MAX);
    if (outcome.value === "denied" && message && (message.from || message.reply_to)) {
      body.message = Object.fromEntries(Object.entries(message).filter(([, v]) => v));
    }
    submit.setAttribute("disabled", "");
    say(t("verify_recording"), "ok");
    try {
      const done = await calls.record(body);
      const words =
        done.outcome === "denied"
          ? done.indicators && done.indicators.length > 1
            ? "verify_recorded_denied_addresses"
            : "verify_recorded_denied"
          : done.outcome === "unreachable"
            ? "verify_recorded_unreachable"
            : "verify_recorded_confirmed";
      say(t(words), "ok");
      note.value = "";
      outcome.checked = false;
      showStanding(done.account_status, account);
      await loadHistory(account);
    } catch (error) {
      say(t("verify_not_recorded", messageOf(error)), "error");
    } finally {
      submit.removeAttribute("disabled");
    }
  }

  form.addEventListener("submit", (event) => void onSubmit(event));
  accountSelect.addEventListener("change", () => void loadHistory(chosenAccount(), true));
  return { form, ready: loadHistory(accounts[0], true) };

  /**
   * The last calls about an account (or, without one, about the partner), and with
   * `withStanding` where the account stands.
   * @param {NamedAccount | undefined} account
   * @param {boolean} [withStanding]
   */
  async function loadHistory(account, withStanding = false) {
    try {
      const list = await calls.history(account ? { organization, account_ref: account.ref } : { organization });
      if (account && withStanding) showStanding(list.account_status, account);
      drawHistory(list.verifications.slice(0, HISTORY_SHOWN), Boolean(account));
    } catch (error) {
      empty(historyBox);
      historyBox.appendChild(el(doc, "p", t("verify_history_failed", messageOf(error)), "note error"));
    }
  }

  /**
   * @param {Verification[]} list
   * @param {boolean} oneAccount the calls about one account (else about the partner)
   */
  function drawHistory(list, oneAccount) {
    empty(historyBox);
    historyBox.appendChild(el(doc, "h3", t(oneAccount ? "verify_history_account" : "verify_history_partner")));
    if (!list.length) {
      historyBox.appendChild(el(doc, "p", t("verify_history_empty"), "note"));
      return;
    }
    const ul = el(doc, "ul", null, "calls");
    for (const v of list) {
      const item = el(doc, "li", null, `call outcome-${OUTCOME_WORDS[v.outcome] ? v.outcome : "other"}`);
      item.appendChild(el(doc, "span", when(v.at), "when"));
      item.appendChild(doc.createTextNode(" \u2014 "));
      item.appendChild(untrusted(doc, v.recorded_by));
      item.appendChild(doc.createTextNode(": "));
      const outcomeId = OUTCOME_WORDS[/** @type {keyof typeof OUTCOME_WORDS} */ (v.outcome)];
      item.appendChild(el(doc, "strong", outcomeId ? t(outcomeId) : String(v.outcome)));
      if (!oneAccount && v.account_masked) {
        item.appendChild(doc.createTextNode(", "));
        item.appendChild(untrusted(doc, v.account_masked));
      }
      const called = [v.contact?.name, v.contact?.phone].filter(Boolean).join(", ");
      if (called) {
        item.appendChild(doc.createTextNode(", "));
        for (const part of tParts("verify_history_called", untrusted(doc, called))) {
          item.appendChild(typeof part === "string" ? doc.createTextNode(part) : part);
        }
      }
      if (v.cleared_at) item.appendChild(el(doc, "span", ` ${t("verify_history_cleared", shown(v.cleared_by, 200))}`, "cleared"));
      if (v.note) {
        item.appendChild(doc.createTextNode(" \u2014 "));
        item.appendChild(untrusted(doc, v.note));
      }
      ul.appendChild(item);
    }
    historyBox.appendChild(ul);
  }
}

/**
 * @param {unknown} error
 */
export function messageOf(error) {
  const text = error instanceof Error ? error.message : String(error ?? "");
  return text || t("verify_no_answer");
}
