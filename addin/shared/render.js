// @ts-check
/**
 * The details pane, drawn for both add-ins from a verdict, a failure or a directory contact.
 *
 * Everything shown here may come from an attacker: display names, subjects, header values
 * quoted as evidence. So this module builds the DOM with createElement and textContent only
 * (never innerHTML, never an attribute or URL taken from the message), and wraps every
 * message-derived string in <bdi> so a right-to-left override inside it cannot reorder the
 * text around it; a name and its address are two <bdi>, so the name cannot turn the address.
 * The service's own sentences (titles, explanations, the banner) come with every value in
 * them already isolated (FSI ... PDI) and are set as text. Host-free: the host passes its
 * `document`.
 */

import { t, tn, tParts } from "./i18n.js";

/** @typedef {import("./api.js").Verdict} Verdict */
/** @typedef {import("./api.js").Finding} Finding */
/** @typedef {import("./api.js").Notice} Notice */
/** @typedef {import("./api.js").SenderContact} SenderContact */

/** Longest message-derived string shown in full; the rest is cut (a 10 KB display name). */
export const MAX_SHOWN = 400;

/** Headline of each level, in the reader's terms: message ids. */
export const LEVEL_WORDS = {
  none: { title: "level_none_title", text: "level_none_text" },
  info: { title: "level_info_title", text: "level_info_text" },
  caution: { title: "level_caution_title", text: "level_caution_text" },
  danger: { title: "level_danger_title", text: "level_danger_text" },
  unknown: { title: "could_not_check", text: "level_unknown_text" },
};

/**
 * What to do about a dangerous message, first on the pane: plain steps before any detail.
 * The second step names the Verify sender button when the pane has one. Message ids.
 */
export const DANGER_STEPS = {
  stop: "danger_step_stop",
  verify: "danger_step_verify",
  verifyWithoutButton: "danger_step_verify_no_button",
};

/** The steps of an out-of-band check, shown with the contact from the directory: message ids. */
export const VERIFY_STEPS = ["verify_step_call", "verify_step_ask", "verify_step_bank_details", "verify_step_report"];

/**
 * @param {unknown} value
 * @param {number} [max]
 */
export function shown(value, max = MAX_SHOWN) {
  const text = String(value ?? "");
  return text.length <= max ? text : text.slice(0, max - 1) + "\u2026";
}

/**
 * An element with text content and class names, nothing else.
 * @param {Document} doc
 * @param {string} tag
 * @param {string | null} [text]
 * @param {string} [className]
 */
export function el(doc, tag, text, className) {
  const node = doc.createElement(tag);
  if (className) node.className = className;
  if (text != null) node.textContent = text;
  return node;
}

/**
 * Text from the message, isolated for bidi and cut to MAX_SHOWN.
 * @param {Document} doc
 * @param {unknown} value
 */
export function untrusted(doc, value) {
  const node = doc.createElement("bdi");
  node.textContent = shown(value);
  return node;
}

/**
 * The space after a label ("From:"), none after a full-width colon ("差出人："), which
 * carries its own.
 * @param {string} label
 */
export function gap(label) {
  return /[\uff1a\u3001\u3002]$/.test(label) ? "" : " ";
}

/**
 * "Name <address>" as two isolates: the name in its own <bdi>, the address in another, the
 * brackets outside both, the three in a left-to-right isolate of their own. Whatever the name holds (a right-to-left override, Arabic or Hebrew
 * letters, a stray isolate), it ends with its <bdi> and cannot move or turn the address.
 * @param {Document} doc
 * @param {unknown} name
 * @param {unknown} address
 */
export function mailbox(doc, name, address) {
  const line = el(doc, "span", null, "mailbox");
  // "Name <address>" is written left to right whatever the page's direction: in an Arabic
  // pane the brackets would otherwise be mirrored and the pair pulled apart on wrapping
  line.dir = "ltr";
  if (name) {
    line.appendChild(untrusted(doc, name));
    if (!address) return line;
    line.appendChild(doc.createTextNode(" <"));
    line.appendChild(untrusted(doc, address));
    line.appendChild(doc.createTextNode(">"));
  } else {
    line.appendChild(untrusted(doc, address));
  }
  return line;
}

/** @param {Element} root */
function clear(root) {
  while (root.firstChild) root.removeChild(root.firstChild);
}

/**
 * The headline band: level class, title and one line of text.
 * @param {Document} doc
 * @param {string} level
 * @param {string} title
 * @param {string} text
 */
function headline(doc, level, title, text) {
  const header = el(doc, "header", null, `level level-${level}`);
  header.setAttribute("role", level === "danger" || level === "unknown" ? "alert" : "status");
  header.appendChild(el(doc, "h1", title));
  header.appendChild(el(doc, "p", text, "level-text"));
  return header;
}

/**
 * The findings as the pane lists them: composites first, each holding the findings that
 * made it (its parts) and not repeated beside them; then the findings that belong to no
 * composite. A finding without `parts` (an older service) is listed as a plain finding.
 * @param {Finding[]} findings in the service's order
 * @returns {{finding: Finding, parts: Finding[]}[]}
 */
export function groupFindings(findings) {
  const byId = new Map(findings.map((f) => [f.id, f]));
  /** @type {{finding: Finding, parts: Finding[]}[]} */
  const composites = [];
  /** @type {Set<string>} */
  const nested = new Set();
  for (const finding of findings) {
    const ids = Array.isArray(finding.parts) ? finding.parts.filter((id) => id !== finding.id && byId.has(id)) : [];
    if (!ids.length) continue;
    composites.push({ finding, parts: ids.map((id) => /** @type {Finding} */ (byId.get(id))) });
    for (const id of ids) nested.add(id);
  }
  const isComposite = new Set(composites.map((c) => c.finding.id));
  const rest = findings.filter((f) => !isComposite.has(f.id) && !nested.has(f.id)).map((finding) => ({ finding, parts: [] }));
  return [...composites, ...rest];
}

/**
 * One finding, folded: its title in the summary; its explanation, its evidence and, for a
 * composite, its parts (each folded in turn) inside.
 * @param {Document} doc
 * @param {Finding} finding
 * @param {Finding[]} [parts]
 */
function findingItem(doc, finding, parts = []) {
  const item = el(doc, "li", null, `finding severity-${finding.severity}${parts.length ? " composite" : ""}`);
  item.dataset.findingId = finding.id;
  const details = el(doc, "details");
  const summary = el(doc, "summary");
  summary.appendChild(el(doc, "span", finding.title, "finding-title"));
  if (parts.length) summary.appendChild(el(doc, "span", tn("finding_signs", parts.length), "finding-count"));
  details.appendChild(summary);
  const body = el(doc, "div", null, "finding-body");
  if (finding.explanation) body.appendChild(el(doc, "p", finding.explanation, "explanation"));
  if (finding.evidence && finding.evidence.length) {
    const list = el(doc, "dl", null, "evidence");
    for (const ev of finding.evidence) {
      const dt = el(doc, "dt");
      dt.appendChild(untrusted(doc, shown(ev.header, 80)));
      list.appendChild(dt);
      const dd = el(doc, "dd");
      dd.appendChild(untrusted(doc, ev.value));
      list.appendChild(dd);
    }
    body.appendChild(list);
  }
  if (parts.length) {
    body.appendChild(el(doc, "p", tn("finding_parts_label", parts.length), "parts-label"));
    const list = el(doc, "ul", null, "parts");
    for (const part of parts) list.appendChild(findingItem(doc, part));
    body.appendChild(list);
  }
  details.appendChild(body);
  item.appendChild(details);
  return item;
}

/**
 * The first thing a dangerous message's pane says after its headline: what to do, and in
 * one line why (the strongest composite, else the strongest finding).
 * @param {Document} doc
 * @param {Verdict} verdict
 * @param {PaneOptions} options
 */
function whatToDo(doc, verdict, options) {
  const section = el(doc, "section", null, "advice");
  section.appendChild(el(doc, "h2", t("advice_heading")));
  const steps = el(doc, "ol", null, "steps");
  steps.appendChild(el(doc, "li", t(DANGER_STEPS.stop)));
  steps.appendChild(el(doc, "li", t(options.onVerify ? DANGER_STEPS.verify : DANGER_STEPS.verifyWithoutButton)));
  section.appendChild(steps);
  const top = groupFindings(verdict.findings)[0];
  if (top) {
    const why = el(doc, "p", null, "why");
    why.appendChild(el(doc, "span", t("advice_why_label"), "label"));
    why.appendChild(doc.createTextNode(gap(t("advice_why_label"))));
    why.appendChild(el(doc, "span", top.finding.title));
    section.appendChild(why);
  }
  return section;
}

/** Said under a verified account when the message itself is dangerous: a message id. */
export const VERIFIED_BUT_DANGER = "knowledge_verified_but_danger";

/** Findings that say what colleagues recorded: a verified account, a reported sender. */
export const KNOWLEDGE_FINDINGS = /^(BANK_DETAILS_VERIFIED|REPORTED_[A-Z_]+)$/;

/**
 * What colleagues recorded about this message, with who and when, unfolded near the top:
 * an account confirmed by telephone (BANK_DETAILS_VERIFIED), a sender, domain, account or
 * phone number reported or denied as fraud (REPORTED_*), the reader's own open report
 * (REPORTED_BY_YOU). The who and when come from the finding's evidence (the Reported items,
 * the Account items of a verified account), drawn as text.
 * @param {Document} doc
 * @param {Verdict} verdict
 */
export function knowledgeNotes(doc, verdict) {
  const notes = verdict.findings.filter((f) => KNOWLEDGE_FINDINGS.test(f.id));
  if (!notes.length) return null;
  const box = el(doc, "section", null, "knowledge");
  box.appendChild(el(doc, "h2", t("knowledge_heading")));
  const list = el(doc, "ul");
  for (const finding of notes) {
    const item = el(doc, "li", null, `known severity-${finding.severity}`);
    item.dataset.findingId = finding.id;
    item.appendChild(el(doc, "p", finding.title, "known-title"));
    const lines = (finding.evidence ?? []).filter((ev) =>
      finding.id === "BANK_DETAILS_VERIFIED" ? ev.header === "Account" : ev.header === "Reported",
    );
    if (lines.length) {
      const who = el(doc, "ul", null, "known-who");
      for (const ev of lines.slice(0, 6)) {
        const line = el(doc, "li");
        line.appendChild(untrusted(doc, ev.value));
        who.appendChild(line);
      }
      item.appendChild(who);
    } else if (finding.explanation) {
      item.appendChild(el(doc, "p", finding.explanation, "known-who"));
    }
    if (finding.id === "BANK_DETAILS_VERIFIED" && verdict.level === "danger") {
      // A verified account quoted in a diverted or spoofed message proves nothing of it.
      item.appendChild(el(doc, "p", t(VERIFIED_BUT_DANGER), "known-caveat"));
    }
    list.appendChild(item);
  }
  box.appendChild(list);
  return box;
}

/**
 * The service's notes about its own set-up (not about this message): muted, apart from the
 * findings, never changing the headline.
 * @param {Document} doc
 * @param {unknown} notices
 */
function serviceNotices(doc, notices) {
  if (!Array.isArray(notices)) return null;
  const usable = notices.filter((n) => n && typeof n === "object" && typeof n.message === "string" && n.message);
  if (!usable.length) return null;
  const box = el(doc, "aside", null, "notices");
  box.appendChild(el(doc, "h2", t("notices_heading")));
  box.appendChild(el(doc, "p", t("notices_intro"), "notices-intro"));
  for (const notice of usable) box.appendChild(el(doc, "p", shown(notice.message, 600), "notice"));
  return box;
}

/**
 * What the service left unread (``partial``): the verdict is about the rest, and the reader
 * should know it. Text from the service, drawn as text.
 * @param {Document} doc
 * @param {unknown} partial
 */
function partialNote(doc, partial) {
  if (!Array.isArray(partial)) return null;
  const usable = partial.filter((p) => typeof p === "string" && p);
  if (!usable.length) return null;
  const box = el(doc, "aside", null, "partial");
  box.appendChild(el(doc, "h2", t("partial_heading")));
  box.appendChild(el(doc, "p", t("partial_intro"), "partial-intro"));
  for (const text of usable.slice(0, 20)) box.appendChild(el(doc, "p", shown(text, 300), "partial-item"));
  return box;
}

/**
 * `onSignIn`: the "could not check: sign-in needed" state offers a Sign in button, first
 * (an identity provider's window may only open from a click).
 * @typedef {{
 *   onVerify?: () => void,
 *   onReport?: () => void,
 *   onSignIn?: () => void,
 *   subject?: string,
 *   from?: {name?: string, address?: string} | null,
 * }} PaneOptions
 */

/**
 * @param {Document} doc
 * @param {PaneOptions} options
 */
function messageLine(doc, options) {
  const p = el(doc, "p", null, "message");
  if (options.from && (options.from.name || options.from.address)) {
    p.appendChild(el(doc, "span", t("message_from_label"), "label"));
    p.appendChild(doc.createTextNode(gap(t("message_from_label"))));
    p.appendChild(mailbox(doc, options.from.name, options.from.address));
    p.appendChild(el(doc, "br"));
  }
  if (options.subject) {
    p.appendChild(el(doc, "span", t("message_subject_label"), "label"));
    p.appendChild(doc.createTextNode(gap(t("message_subject_label"))));
    p.appendChild(untrusted(doc, options.subject));
  }
  return p;
}

/**
 * @param {Document} doc
 * @param {PaneOptions} options
 */
function actions(doc, options) {
  const section = el(doc, "section", null, "actions");
  if (options.onSignIn) {
    const signIn = el(doc, "button", t("button_sign_in"), "signin");
    signIn.setAttribute("type", "button");
    signIn.addEventListener("click", options.onSignIn);
    section.appendChild(signIn);
  }
  if (options.onVerify) {
    const verify = el(doc, "button", t("button_verify_sender"), "verify");
    verify.setAttribute("type", "button");
    verify.addEventListener("click", options.onVerify);
    section.appendChild(verify);
  }
  if (options.onReport) {
    const report = el(doc, "button", t("button_report"), "report");
    report.setAttribute("type", "button");
    report.addEventListener("click", options.onReport);
    section.appendChild(report);
  }
  section.appendChild(el(doc, "div", null, "action-result"));
  return section;
}

/**
 * Draw a verdict. The first screen (360 by 640 pixels) holds what a reader must see: the
 * headline, for a dangerous message what to do and why, and the actions. Below come the
 * message it is about and the findings, folded: composites first with their parts inside.
 * Then the service's set-up notes, if any.
 * @param {Element} root
 * @param {Verdict} verdict
 * @param {PaneOptions} [options]
 */
export function renderVerdict(root, verdict, options = {}) {
  const doc = root.ownerDocument;
  clear(root);
  const words = LEVEL_WORDS[verdict.level];
  const title = verdict.banner?.title || t(words.title);
  const text = verdict.banner?.text || t(words.text);
  root.setAttribute("data-level", verdict.level);
  root.appendChild(headline(doc, verdict.level, title, text));
  if (verdict.level === "danger") root.appendChild(whatToDo(doc, verdict, options));
  // The actions come before the reasons: a long list of findings must not hide them.
  root.appendChild(actions(doc, options));
  const known = knowledgeNotes(doc, verdict);
  if (known) root.appendChild(known);
  root.appendChild(messageLine(doc, options));
  if (verdict.findings.length) {
    const section = el(doc, "section", null, "findings");
    section.appendChild(el(doc, "h2", t(verdict.level === "danger" ? "findings_heading_danger" : "findings_heading")));
    const list = el(doc, "ul");
    for (const { finding, parts } of groupFindings(verdict.findings)) list.appendChild(findingItem(doc, finding, parts));
    section.appendChild(list);
    root.appendChild(section);
  }
  const partial = partialNote(doc, verdict.partial);
  if (partial) root.appendChild(partial);
  const notices = serviceNotices(doc, verdict.notices);
  if (notices) root.appendChild(notices);
  if (verdict.checked_at) root.appendChild(checkedAt(doc, verdict.checked_at));
}

/**
 * "Checked <time>": the time in its own isolate (left to right), so that a right-to-left
 * sentence cannot take its digits for its own and turn the date round.
 * @param {Document} doc
 * @param {unknown} at
 */
function checkedAt(doc, at) {
  const footer = el(doc, "footer");
  const time = untrusted(doc, shown(at, 64)); // an ISO time: its T and Z make the isolate left to right
  for (const part of tParts("checked_at", time)) footer.appendChild(typeof part === "string" ? doc.createTextNode(part) : part);
  return footer;
}

/**
 * Draw the "could not check" state. Never blank: a blank pane reads as "safe".
 * @param {Element} root
 * @param {{title: string, text: string, detail?: string}} banner from failureBanner()
 * @param {PaneOptions} [options]
 */
export function renderFailure(root, banner, options = {}) {
  const doc = root.ownerDocument;
  clear(root);
  root.setAttribute("data-level", "unknown");
  // The bar says "Caveat could not check this message: why"; under the same headline the
  // pane says only why (the banner's detail; a banner without one is cut after its title).
  const prefix = `${banner.title}: `;
  const reason = banner.detail ?? (banner.text.startsWith(prefix) ? banner.text.slice(prefix.length) : banner.text);
  root.appendChild(headline(doc, "unknown", banner.title, reason.charAt(0).toUpperCase() + reason.slice(1)));
  root.appendChild(actions(doc, options));
  root.appendChild(messageLine(doc, options));
}

/**
 * Draw a quiet waiting state while a message is being checked.
 * @param {Element} root
 * @param {string} text
 */
export function renderPending(root, text) {
  const doc = root.ownerDocument;
  clear(root);
  root.setAttribute("data-level", "pending");
  root.appendChild(el(doc, "p", text, "pending"));
}

/**
 * The result of Verify sender: who to call, from the directory, and how to check.
 * @param {Element} root the pane (the result goes in its .action-result)
 * @param {SenderContact} contact
 */
export function renderContact(root, contact) {
  const doc = root.ownerDocument;
  const target = root.querySelector(".action-result") ?? root;
  clear(target);
  const box = el(doc, "section", null, "contact");
  box.appendChild(el(doc, "h2", t("contact_heading")));
  if (!contact.known) {
    box.appendChild(
      el(doc, "p", t("contact_unknown"), "note"),
    );
  } else {
    const org = el(doc, "p", null, "organization");
    org.appendChild(el(doc, "span", t("contact_partner_label"), "label"));
    org.appendChild(doc.createTextNode(gap(t("contact_partner_label"))));
    org.appendChild(untrusted(doc, contact.organization));
    box.appendChild(org);
    if (contact.note) box.appendChild(el(doc, "p", contact.note, "note"));
    const list = el(doc, "ul", null, "contacts");
    for (const person of contact.contacts ?? []) {
      const item = el(doc, "li");
      if (person.name) item.appendChild(untrusted(doc, person.name));
      if (person.phone) {
        item.appendChild(el(doc, "span", ` \u2014 ${t("contact_phone_label")} `, "label"));
        const phone = untrusted(doc, shown(person.phone, 40));
        phone.className = "phone";
        item.appendChild(phone);
      }
      if (person.email) {
        item.appendChild(el(doc, "span", " \u2014 ", "label"));
        item.appendChild(untrusted(doc, person.email));
      }
      list.appendChild(item);
    }
    if (!list.childNodes.length) list.appendChild(el(doc, "li", t("contact_none_on_file")));
    box.appendChild(list);
  }
  const steps = el(doc, "ol", null, "checklist");
  for (const step of VERIFY_STEPS) steps.appendChild(el(doc, "li", t(step)));
  box.appendChild(steps);
  target.appendChild(box);
}

/**
 * A one-line outcome of an action (reported, or why it failed).
 * @param {Element} root
 * @param {string} text
 * @param {"ok" | "error"} tone
 */
export function renderActionMessage(root, text, tone) {
  const doc = root.ownerDocument;
  const target = root.querySelector(".action-result") ?? root;
  clear(target);
  target.appendChild(el(doc, "p", text, `action-message ${tone}`));
}
