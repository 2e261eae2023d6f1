// @ts-check
/**
 * The task pane opened where it cannot work: in a browser tab, outside Outlook. Office.js
 * is then missing (it did not load), never ready, or ready without a mailbox. Instead of
 * "Starting Caveat…" for ever, the page says within a few seconds what it is, that it runs
 * inside Outlook, and how to add it to one's own Outlook (sideloading), in the steps of
 * docs/deploy-outlook.md. Inside Outlook, a late Office.onReady still starts the pane.
 */
import { t, tParts } from "../shared/i18n.js";
import { el } from "../shared/render.js";

/** How long Office.js may take to say it runs in Outlook before the page explains itself. */
export const OUTSIDE_WAIT_MS = 3000;

/** Where Outlook on the web opens its add-ins dialog (Microsoft's short link). */
export const SIDELOAD_LINK = "https://aka.ms/olksideload";

/**
 * The command that makes the manifest: with sign-in on it carries no key; without (the
 * local demo) it makes one.
 * @param {string} baseUrl
 * @param {boolean} signIn
 */
export function manifestCommand(baseUrl, signIn) {
  return `caveat manifest --base-url ${baseUrl}${signIn ? "" : " --new-key"} --out caveat-manifest.xml`;
}

/**
 * Say what this page is and how to get it into Outlook.
 * @param {Element} root
 * @param {string} baseUrl this service's address, for the manifest command
 * @param {{signIn?: boolean}} [options] whether the service signs people in
 */
export function renderOutsideOutlook(root, baseUrl, options = {}) {
  const doc = root.ownerDocument;
  while (root.firstChild) root.removeChild(root.firstChild);
  root.setAttribute("data-level", "outside");
  const header = el(doc, "header", null, "level level-info");
  header.setAttribute("role", "status");
  header.appendChild(el(doc, "h1", t("outlook_outside_title")));
  header.appendChild(el(doc, "p", t("outlook_outside_text"), "level-text"));
  root.appendChild(header);

  const how = el(doc, "section", null, "sideload");
  how.appendChild(el(doc, "h2", t("outlook_outside_how")));
  const steps = el(doc, "ol", null, "steps");
  steps.appendChild(line(doc, "li", "outlook_outside_step_manifest", { code: manifestCommand(baseUrl, Boolean(options.signIn)) }));
  steps.appendChild(
    line(
      doc,
      "li",
      "outlook_outside_step_add",
      { code: SIDELOAD_LINK },
      { b: t("outlook_outside_get_addins") },
      { b: t("outlook_outside_my_addins") },
      { b: t("outlook_outside_custom_addins") },
      { b: t("outlook_outside_add_from_file") },
    ),
  );
  steps.appendChild(line(doc, "li", "outlook_outside_step_open", { b: "Caveat" }, { b: t("outlook_outside_apps") }));
  how.appendChild(steps);
  how.appendChild(el(doc, "p", t("outlook_outside_everyone"), "note"));
  how.appendChild(el(doc, "p", t("outlook_outside_still"), "note muted"));
  root.appendChild(how);
}

/**
 * An element holding the message `id`, its `$1` … filled with runs: `{b}` for the name of
 * something to click, `{code}` for something to type or open.
 * @param {Document} doc
 * @param {string} tag
 * @param {string} id
 * @param {...({b: string} | {code: string})} runs
 */
function line(doc, tag, id, ...runs) {
  const node = el(doc, tag);
  for (const run of tParts(id, ...runs)) {
    if (typeof run === "string") node.appendChild(doc.createTextNode(run));
    else if ("b" in run) node.appendChild(el(doc, "b", run.b));
    else node.appendChild(el(doc, "code", run.code));
  }
  return node;
}

/**
 * Is Office.js ready in Outlook, with a mailbox to read?
 * @param {any} Office
 * @param {any} info what Office.onReady resolved with
 */
export function inOutlook(Office, info) {
  const outlook = Office.HostType ? Office.HostType.Outlook : "Outlook";
  if (info && info.host) return info.host === outlook;
  return Boolean(Office.context && Office.context.mailbox);
}

/**
 * Start the pane once Office.js says it runs in Outlook; explain the page when Office.js is
 * missing, says it is elsewhere, or has not answered within `waitMs`.
 * @param {{
 *   Office: any,
 *   root: Element,
 *   baseUrl: string,
 *   start: () => void,
 *   waitMs?: number,
 *   setTimer?: (callback: () => void, ms: number) => unknown,
 *   clearTimer?: (handle: any) => void,
 *   signInOn?: () => Promise<boolean>,
 * }} deps `signInOn`: whether the service signs people in (the manifest command then
 *   makes no key); asked only when the page explains itself
 */
export function bootPane({ Office, root, baseUrl, start, waitMs = OUTSIDE_WAIT_MS, setTimer = setTimeout, clearTimer = clearTimeout, signInOn }) {
  let started = false;
  let asked = false;
  const explain = () => {
    if (started) return;
    renderOutsideOutlook(root, baseUrl);
    if (!signInOn || asked) return;
    asked = true;
    signInOn().then(
      (on) => {
        if (on && !started && root.getAttribute("data-level") === "outside") renderOutsideOutlook(root, baseUrl, { signIn: true });
      },
      () => {},
    );
  };
  if (!Office || typeof Office.onReady !== "function") {
    explain();
    return;
  }
  const timer = setTimer(explain, waitMs);
  /** @param {any} info */
  const ready = (info) => {
    clearTimer(timer);
    if (started) return;
    if (inOutlook(Office, info)) {
      started = true;
      start();
    } else {
      explain();
    }
  };
  try {
    const answer = Office.onReady(ready);
    if (answer && typeof answer.catch === "function") answer.catch(explain);
  } catch {
    clearTimer(timer);
    explain();
  }
}
