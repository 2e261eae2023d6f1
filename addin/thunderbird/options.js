// @ts-check
/**
 * The settings page: the Caveat service's URL and the API key, saved to storage.local where
 * they override the deployment's (thunderbird/deployment.json, written by the builder); and,
 * when the service says its people sign in, who is signed in, with Sign in and Sign out
 * (the background does both: commands "account", "signIn", "signOut"). The key field is
 * hidden then: a service that signs people in takes no key from a mail client.
 *
 * A URL the deployment does not name needs the user's permission to be reached; the request
 * is made from the Save click itself, before anything is awaited, because Thunderbird only
 * asks when it comes from a user action.
 *
 * The language Caveat speaks is chosen here too ("Thunderbird's language", or one of the
 * languages it speaks, each listed by its own name), saved to storage.local at once; the
 * page speaks it from then on, and so do the popup and the banner (the background hears
 * the change and asks the service again in that language).
 */
import { LANGUAGES, localisePage, t } from "../shared/i18n.js";
import { cleanDeployment, fetchDeployment } from "./caveat.js";
import { LANGUAGE_KEY, LANGUAGE_NAMES, chosenLanguage, speakChosen } from "./language.js";

/** @typedef {import("./caveat.js").Deployment} Deployment */
/** @typedef {import("./caveat.js").Account} Account */
/** @typedef {(message: Record<string, unknown>) => Promise<any>} Send */
/** @typedef {{ok: true, url: string, origin: string, pattern: string} | {ok: false, message: string}} CheckedUrl */

const LOOPBACK = new Set(["127.0.0.1", "localhost", "[::1]"]);

/**
 * Check a service URL by the client's rule: https, or plain http on this computer only.
 * `pattern` is the host permission to ask for: match patterns take no port, so the
 * permission covers the host on every port.
 * @param {string} text
 * @returns {CheckedUrl}
 */
export function checkServiceUrl(text) {
  const value = text.trim();
  /** @type {URL} */
  let url;
  try {
    url = new URL(value);
  } catch {
    return { ok: false, message: t("tb_url_not_address", "https://caveat.example.com") };
  }
  const secure = url.protocol === "https:";
  const local = url.protocol === "http:" && LOOPBACK.has(url.hostname);
  if (!secure && !local) {
    return { ok: false, message: t("tb_url_not_https") };
  }
  if (url.username || url.password) {
    return { ok: false, message: t("tb_url_credentials") };
  }
  if (url.search || url.hash || value.includes("?") || value.includes("#")) {
    return { ok: false, message: t("tb_url_query") };
  }
  const path = url.pathname.replace(/\/+$/, "");
  return { ok: true, url: url.origin + path, origin: url.origin, pattern: `${url.protocol}//${url.hostname}/*` };
}

/**
 * Whether the deployment already names this service's origin (the builder then granted it).
 * @param {string} origin
 * @param {string | undefined} deployed
 */
export function deployedOrigin(origin, deployed) {
  if (!deployed) return false;
  const checked = checkServiceUrl(deployed);
  return checked.ok && checked.origin === origin;
}

/**
 * Run the settings page.
 * @param {{document: Document, messenger: any, loadDeployment?: () => Promise<Deployment>, send?: Send,
 *   readMessages?: (url: string) => Promise<any>}} deps
 * @returns {Promise<void>} resolves once the page is ready to save
 */
export async function startOptions({ document, messenger, loadDeployment, send, readMessages }) {
  const ask = send ?? ((/** @type {Record<string, unknown>} */ message) => messenger.runtime.sendMessage(message));
  const form = /** @type {HTMLFormElement} */ (document.getElementById("settings"));
  const urlInput = /** @type {HTMLInputElement} */ (document.getElementById("base-url"));
  const keyInput = /** @type {HTMLInputElement} */ (document.getElementById("api-key"));
  const urlSource = /** @type {HTMLElement} */ (document.getElementById("base-url-source"));
  const keySource = /** @type {HTMLElement} */ (document.getElementById("api-key-source"));
  const save = /** @type {HTMLButtonElement} */ (document.getElementById("save"));
  const status = /** @type {HTMLElement} */ (document.getElementById("status"));
  const keyFields = /** @type {HTMLElement} */ (document.getElementById("key-fields"));
  const accountSection = /** @type {HTMLElement} */ (document.getElementById("account"));
  const accountStatus = /** @type {HTMLElement} */ (document.getElementById("account-status"));
  const accountMessage = /** @type {HTMLElement} */ (document.getElementById("account-message"));
  const signInButton = /** @type {HTMLButtonElement} */ (document.getElementById("sign-in"));
  const signOutButton = /** @type {HTMLButtonElement} */ (document.getElementById("sign-out"));
  const languageSelect = /** @type {HTMLSelectElement} */ (document.getElementById("language"));
  /** @type {Account} */
  let current = { signIn: false };

  // The page's words first: the language chosen here, else Thunderbird's.
  const chosen = await chosenLanguage(messenger);
  await speakChosen(messenger, readMessages).catch(() => undefined);
  for (const lang of LANGUAGES) {
    const option = document.createElement("option");
    option.value = lang;
    option.lang = lang;
    option.textContent = LANGUAGE_NAMES[/** @type {keyof typeof LANGUAGE_NAMES} */ (lang)];
    languageSelect.append(option);
  }
  languageSelect.value = chosen;
  localisePage(document);

  /**
   * @param {string} text
   * @param {"ok" | "error" | ""} tone
   */
  function say(text, tone) {
    status.textContent = text;
    status.className = tone;
  }

  /**
   * @param {string} text
   * @param {"ok" | "error" | ""} tone
   */
  function sayAccount(text, tone) {
    accountMessage.textContent = text;
    accountMessage.className = tone;
  }

  /**
   * Show the sign-in state (text only: a name comes from the provider).
   * @param {Account} state
   */
  function showAccount(state) {
    current = state;
    accountSection.hidden = !state.signIn;
    keyFields.hidden = state.signIn;
    if (!state.signIn) return;
    accountStatus.textContent = state.signedIn ? t("tb_options_signed_in_as", state.label) : t("tb_options_not_signed_in");
    signInButton.hidden = state.signedIn;
    signOutButton.hidden = !state.signedIn;
    signInButton.disabled = false;
    signOutButton.disabled = false;
  }

  /** Ask the background who is signed in; the section stays hidden when it cannot say. */
  async function loadAccount() {
    try {
      const state = await ask({ command: "account" });
      if (state && typeof state === "object" && typeof state.signIn === "boolean") showAccount(state);
    } catch {
      // The background did not answer: the key settings stay as they are.
    }
  }

  /** @param {Promise<boolean>} asked */
  async function finishSignIn(asked) {
    try {
      if (!(await asked)) {
        sayAccount(t("tb_options_signin_permission"), "error");
        signInButton.disabled = false;
        return;
      }
    } catch {
      sayAccount(t("tb_options_signin_no_prompt"), "error");
      signInButton.disabled = false;
      return;
    }
    /** @type {any} */
    let answer;
    try {
      answer = await ask({ command: "signIn" });
    } catch {
      answer = { ok: false, message: t("tb_options_signin_no_answer") };
    }
    if (answer && answer.ok && answer.account) {
      showAccount(answer.account);
      sayAccount(t("tb_options_signed_in"), "ok");
    } else {
      signInButton.disabled = false;
      sayAccount(String(answer?.message ?? t("tb_options_not_signed_in_short")), "error");
    }
  }

  function onSignIn() {
    if (!current.signIn) return;
    signInButton.disabled = true;
    sayAccount(t("tb_options_signing_in"), "");
    // Asked now, within the click, as for the service's address.
    const asked = current.tokenAllowed ? Promise.resolve(true) : messenger.permissions.request({ origins: [current.tokenOrigin] });
    void finishSignIn(asked);
  }

  async function onSignOut() {
    signOutButton.disabled = true;
    try {
      const answer = await ask({ command: "signOut" });
      if (answer && answer.account) showAccount(answer.account);
      sayAccount(t("tb_options_signed_out"), "ok");
    } catch {
      signOutButton.disabled = false;
      sayAccount(t("tb_options_signout_no_answer"), "error");
    }
  }

  /** @type {Deployment} */
  let deployment = {};
  try {
    deployment = cleanDeployment(await (loadDeployment ?? (() => fetchDeployment(messenger)))());
  } catch {
    deployment = {};
  }
  /** @type {Record<string, unknown>} */
  let stored = {};
  try {
    stored = (await messenger.storage.local.get(["baseUrl", "apiKey"])) ?? {};
  } catch {
    stored = {};
  }
  urlInput.value = typeof stored.baseUrl === "string" ? stored.baseUrl : "";
  keyInput.value = typeof stored.apiKey === "string" ? stored.apiKey : "";
  urlInput.placeholder = deployment.base_url ?? "https://caveat.example.com";


  /** The words drawn from the settings, again after the language changes. */
  function showSources() {
    urlSource.textContent = deployment.base_url ? t("tb_options_url_deployed", deployment.base_url) : t("tb_options_url_none");
    keySource.textContent = deployment.api_key ? t("tb_options_key_deployed") : t("tb_options_key_none");
  }
  showSources();

  /** Save the language chosen and speak it: this page now, the others when they next open. */
  async function onLanguage() {
    const value = languageSelect.value;
    try {
      if (LANGUAGES.includes(value)) await messenger.storage.local.set({ [LANGUAGE_KEY]: value });
      else await messenger.storage.local.remove(LANGUAGE_KEY);
    } catch {
      // Not stored: the page still speaks it until it is closed.
    }
    await speakChosen(messenger, readMessages).catch(() => undefined);
    localisePage(document);
    showSources();
    if (current.signIn) showAccount(current);
    say("", "");
    sayAccount("", "");
  }

  /**
   * What happens after the permission question: store, or explain why not.
   * @param {Promise<boolean>} asked
   * @param {CheckedUrl | null} checked
   * @param {string} key
   */
  async function finish(asked, checked, key) {
    try {
      if (!(await asked)) {
        say(checked && checked.ok ? t("tb_options_permission_origin", checked.origin) : t("tb_options_permission_service"), "error");
        return;
      }
    } catch {
      say(t("tb_options_no_prompt"), "error");
      return;
    }
    try {
      /** @type {Record<string, string>} */
      const values = {};
      /** @type {string[]} */
      const cleared = [];
      if (checked && checked.ok) values.baseUrl = checked.url;
      else cleared.push("baseUrl");
      if (key) values.apiKey = key;
      else cleared.push("apiKey");
      if (cleared.length) await messenger.storage.local.remove(cleared);
      if (Object.keys(values).length) await messenger.storage.local.set(values);
    } catch {
      say(t("tb_options_not_stored"), "error");
      return;
    }
    if (checked && checked.ok) urlInput.value = checked.url;
    const url = checked && checked.ok ? checked.url : deployment.base_url;
    const hasKey = Boolean(key || deployment.api_key);
    await loadAccount();
    if (!url) {
      say(t("tb_options_saved_no_url"), "error");
    } else if (current.signIn) {
      say(current.signedIn ? t("tb_options_saved_signed_in") : t("tb_options_saved_sign_in_below"), current.signedIn ? "ok" : "error");
    } else if (!hasKey) {
      say(t("tb_options_saved_no_key"), "error");
    } else {
      say(t("tb_options_saved", url), "ok");
    }
  }

  /** @param {Event} event */
  function onSubmit(event) {
    event.preventDefault();
    const text = urlInput.value.trim();
    const key = keyInput.value.trim();
    /** @type {CheckedUrl | null} */
    let checked = null;
    if (text) {
      checked = checkServiceUrl(text);
      if (!checked.ok) {
        say(checked.message, "error");
        urlInput.focus();
        return;
      }
    }
    if (/[\s\u0000-\u001f\u007f]/.test(key)) {
      say(t("tb_options_key_spaces"), "error");
      keyInput.focus();
      return;
    }
    say("", "");
    // Asked now, within the click: after an await Thunderbird would refuse to ask.
    const asked =
      checked && checked.ok && !deployedOrigin(checked.origin, deployment.base_url)
        ? messenger.permissions.request({ origins: [checked.pattern] })
        : Promise.resolve(true);
    void finish(asked, checked, key);
  }

  form.addEventListener("submit", onSubmit);
  languageSelect.addEventListener("change", () => void onLanguage());
  signInButton.addEventListener("click", onSignIn);
  signOutButton.addEventListener("click", () => void onSignOut());
  await loadAccount();
  save.disabled = false;
}

if (typeof document !== "undefined" && typeof messenger !== "undefined" && document.getElementById("settings")) {
  void startOptions({ document, messenger });
}
