// @ts-check
/**
 * Caveat's send-time guard for Outlook: event-based activation with Smart Alerts.
 *
 * While the user edits the recipients of a message (OnMessageRecipientsChanged), and again
 * when they press Send (OnMessageSend), this file collects the sender, the recipients, the
 * conversation id and the subject of the message being written and asks the Caveat service
 * (POST /api/v1/recipients) whether a recipient was swapped for a look-alike or free-mail
 * address. The service decides; this file only collects and shows:
 *   - recipients changed: one compose notification (key "caveat-recipients"), an error for
 *     danger, informational for caution, removed for none and info;
 *   - send: caution or danger stops the send with the banner text and what to do; none and
 *     info let it go;
 *   - the check failed (no configuration, service down, time limit, refused key, bad answer):
 *     the send goes ahead, never silently: the notification says the recipients could not be
 *     checked and why.
 *
 * Where it runs. Classic Outlook on Windows loads this one file, named by the manifest's
 * <Override> of the runtime, into its JavaScript-only runtime. Outlook on the web, new Outlook
 * on Windows and Outlook on Mac load commands.html, which loads Office.js and then this file,
 * into a browser runtime. One file serves both, so it keeps to the stricter rules, which
 * Microsoft documents in "Configure your Outlook add-in for event-based activation",
 * "Troubleshoot event-based and spam-reporting add-ins", "Runtimes in Office Add-ins",
 * "Handle OnMessageSend and OnAppointmentSend events in your Outlook add-in with Smart Alerts"
 * and the reference pages of Office.SmartAlertsEventCompletedOptions, NotificationMessages
 * and NotificationMessageDetails:
 *   - One classic script with everything in it: imports are not supported there, and only the
 *     file the manifest names is loaded.
 *   - ECMAScript 2016 at most. No async/await (the add-in times out), no conditional (ternary)
 *     operator (the add-in does not load), hence no optional chaining, no nullish
 *     coalescing, no object spread, no optional catch binding, no trailing commas in calls.
 *     Promises are chained with then().
 *   - Office.onReady and Office.initialize do not run there, so the handlers are registered
 *     with Office.actions.associate as soon as the file is evaluated, under the names the
 *     manifest gives.
 *   - No DOM, no localStorage, no cookies. fetch (absolute URLs only) and XMLHttpRequest are
 *     documented; AbortController, setTimeout, location and globalThis are not listed, so each
 *     is tested for before use, and the check still ends without them. Cross-origin requests
 *     from there need the service to list this file in
 *     /.well-known/microsoft-officeaddins-allowed.json (a matter for the server).
 *   - Every handler calls event.completed exactly once, and last: code after it is not
 *     guaranteed to run, so notifications are written first. A handler that never completes
 *     is stopped after about five minutes; a send handler running longer than five seconds
 *     makes Outlook show its "taking longer than expected" dialog, and with SoftBlock the user
 *     must wait. Hence a 4-second limit on the whole check (CAVEAT_DEPLOYMENT.timeoutMs
 *     overrides it) and a short one on each notification call.
 *   - errorMessage is at most 500 characters. A notification's text is at most 150 (longer
 *     throws), its key at most 32; an InformationalMessage needs an icon defined in the
 *     manifest; an ErrorMessage takes neither icon nor persistent (they throw).
 *   - SoftBlock, set in the manifest, lets the user send only after fixing what the add-in
 *     reports, and sends the item when the add-in cannot load. Where Mailbox 1.14 is
 *     supported, sendModeOverride "promptUser" gives the dialog a Send Anyway button, so a
 *     warning never makes a message impossible to send.
 *
 * Configuration. With sign-in on, the service prepends
 *   var CAVEAT_DEPLOYMENT = {"baseUrl": "https://...", "identity": {"client_id": "...",
 *     "authority": "...", "scopes": ["..."]}};
 * (all of it public) and every request carries the person's own token: MSAL.js's nestable
 * client (nested app authentication, where Outlook supports NestedAppAuth 1.1 and
 * commands.html loaded MSAL.js), else Office's single sign-on (Office.auth.getAccessToken).
 * Both are asked silently only: this runtime has no window to sign in with. A token that
 * cannot be had silently, or that the service refuses again after one silent renewal, is
 * "sign-in needed": the recipients are not checked, the notification says so and how to
 * sign in (open the Caveat pane and choose Sign in), and the send goes ahead as for any
 * other failure to check, visibly, never as if the recipients had been checked.
 * In the local demo (sign-in off), when the request for this file carries a valid ?key=,
 * the service prepends
 *   var CAVEAT_DEPLOYMENT = {"baseUrl": "https://...", "key": "..."};
 * Without it (commands.html loads this file without a key), the service is this page's
 * origin and the key is the page's own ?key= parameter. Nothing found: the check fails
 * visibly as "not configured".
 *
 * Words. This runtime can neither import i18n.js nor fetch the message files, so the service
 * writes this file's own messages (the ids starting "outlook_event_" of every
 * addin/_locales/<lang>/messages.json) in front of it:
 *   var CAVEAT_MESSAGES = {"en": {"outlook_event_…": "…"}, "de": {…}, …};
 * The language is Outlook's display language (Office.context.displayLanguage), English when
 * the add-in does not speak it; a message missing in a language is said in English. Counted
 * messages have an id per plural category ("_one", "_other", …), chosen by
 * Intl.PluralRules where the runtime has it. Each request asks the service to word its
 * banner in the same language ("language").
 */
(/** @param {any} root the global object */ function (root) {
  "use strict";

  /** @typedef {{name: string, address: string}} Person */
  /**
   * @typedef {{
   *   from?: Person, to: Person[], cc: Person[], bcc: Person[],
   *   conversation_id?: string, subject?: string, language?: string
   * }} RecipientsRequest
   */
  /**
   * @typedef {{
   *   level: string, score?: number, banner?: {title?: string, text: string} | null,
   *   findings: any[], recipients?: {address: string, level: string, findings: string[]}[],
   *   checked_at?: string
   * }} Answer
   */
  /** @typedef {Error & {kind: string, status?: number}} CheckFailure */
  /** @typedef {{client_id: string, authority: string, scopes: string[]}} Identity */
  /** @typedef {{baseUrl: string, key: string, timeoutMs: number, identity: Identity | null}} Config */

  /** One notification for the whole guard, replaced on every check (at most 32 characters). */
  const NOTIFICATION_KEY = "caveat-recipients";
  /** The resource id (bt:Image) of the 16-pixel icon in the manifest; an InformationalMessage must name one. */
  const ICON_ID = "Icon.16";
  const MAX_NOTIFICATION_TEXT = 150;
  const MAX_DIALOG_TEXT = 500;
  const DEFAULT_TIMEOUT_MS = 4000;
  const MAX_TIMEOUT_MS = 60000;
  const NOTIFY_TIMEOUT_MS = 1000;
  const MAX_LISTED_ADDRESSES = 3;
  const API_PATH = "/api/v1/recipients";
  const LEVELS = ["none", "info", "caution", "danger"];
  const WHITESPACE = new RegExp("\\s+", "g");
  const SOURCE_LANGUAGE = "en";
  const LANGUAGE_TAG = new RegExp("^\\s*([A-Za-z]{2,3})(?:[-_][A-Za-z0-9]{1,8})*\\s*$");
  const SUBSTITUTION = new RegExp("\\$(\\$|[1-9])", "g");
  const FSI = "\u2068";
  const PDI = "\u2069";
  const PRINTABLE_ASCII = new RegExp("^[\\x20-\\x7e]*$");
  /** Embeddings, overrides and isolates: what could leave an isolate or end it early. */
  const DIRECTION_CONTROLS = new RegExp("[\\u202a-\\u202e\\u2066-\\u2069]", "g");
  /** Why a check failed: the id of the notification's sentence for each kind of failure. */
  const REASONS = {
    unconfigured: "outlook_event_failed_unconfigured",
    insecure: "outlook_event_failed_insecure",
    unreachable: "outlook_event_failed_unreachable",
    timeout: "outlook_event_failed_timeout",
    refused: "outlook_event_failed_refused",
    signin: "outlook_event_failed_signin",
    rejected: "outlook_event_failed_rejected",
    server: "outlook_event_failed_server",
    invalid_answer: "outlook_event_failed_invalid_answer",
    mailbox: "outlook_event_failed_mailbox",
    internal: "outlook_event_failed_internal",
  };

  /** Runs of the recipients-changed handler; only the latest may change the notification. */
  let recipientsRuns = 0;
  /** A token is not used again this close to its expiry. */
  const EXPIRY_MARGIN_MS = 60000;
  /** @type {{token: string, expires: number} | null} the last token, while it lasts */
  let heldToken = null;
  /** @type {Promise<any> | null} MSAL's nestable client, made once */
  let nestedClient = null;

  // ---------------------------------------------------------------- small helpers

  function noop() {}

  /**
   * @param {keyof typeof REASONS} kind
   * @param {number} [status] the HTTP status, when there was an answer
   * @returns {CheckFailure}
   */
  function failure(kind, status) {
    const error = /** @type {CheckFailure} */ (new Error(kind));
    error.kind = kind;
    if (typeof status === "number") {
      error.status = status;
    }
    return error;
  }

  /**
   * @param {unknown} error
   * @returns {keyof typeof REASONS}
   */
  function kindOf(error) {
    const kind = error && typeof error === "object" && /** @type {any} */ (error).kind;
    if (typeof kind === "string" && Object.prototype.hasOwnProperty.call(REASONS, kind)) {
      return /** @type {keyof typeof REASONS} */ (kind);
    }
    return "internal";
  }

  /**
   * Whitespace collapsed, cut to `max` characters with an ellipsis (never inside a
   * surrogate pair).
   * @param {unknown} value
   * @param {number} max
   */
  function fit(value, max) {
    const clean = String(value).replace(WHITESPACE, " ").trim();
    if (clean.length <= max) {
      return clean;
    }
    let cut = clean.slice(0, max - 1);
    const last = cut.charCodeAt(cut.length - 1);
    if (last >= 0xd800 && last <= 0xdbff) {
      cut = cut.slice(0, -1);
    }
    return cut.trim() + "\u2026";
  }

  /** @param {unknown} value */
  function text(value) {
    if (typeof value === "string") {
      return value.trim();
    }
    return "";
  }

  /**
   * Settles like `promise`, or rejects with a "timeout" failure after `ms` (calling
   * `onTimeout` first). Without setTimeout there is no timer: Outlook's own limit applies.
   * @template T
   * @param {Promise<T>} promise
   * @param {number} ms
   * @param {() => void} onTimeout
   * @returns {Promise<T>}
   */
  function within(promise, ms, onTimeout) {
    if (typeof setTimeout !== "function") {
      return promise;
    }
    return new Promise(function (resolve, reject) {
      let finished = false;
      const timer = setTimeout(function () {
        if (finished) {
          return;
        }
        finished = true;
        try {
          onTimeout();
        } catch (ignored) {
          // the time-out is reported whatever the abort did
        }
        reject(failure("timeout"));
      }, ms);
      /** @param {() => void} settle */
      function finish(settle) {
        if (finished) {
          return;
        }
        finished = true;
        if (typeof clearTimeout === "function") {
          clearTimeout(timer);
        }
        settle();
      }
      promise.then(
        function (value) {
          finish(function () {
            resolve(value);
          });
        },
        function (error) {
          finish(function () {
            reject(error);
          });
        }
      );
    });
  }

  // ---------------------------------------------------------------- words

  /** @returns {Record<string, Record<string, string>>} the messages the service wrote in front of this file */
  function allMessages() {
    // @ts-ignore declared by the line the service prepends to this file
    if (typeof CAVEAT_MESSAGES === "undefined" || !CAVEAT_MESSAGES || typeof CAVEAT_MESSAGES !== "object") {
      return {};
    }
    // @ts-ignore see above
    return CAVEAT_MESSAGES;
  }

  /**
   * The language to speak: Outlook's display language when there are messages for it, else
   * English.
   */
  function language() {
    const office = officeApi();
    let tag = "";
    try {
      tag = text(office && office.context && office.context.displayLanguage);
    } catch (ignored) {
      tag = "";
    }
    const match = LANGUAGE_TAG.exec(tag);
    const all = allMessages();
    if (match) {
      const primary = match[1].toLowerCase();
      if (Object.prototype.hasOwnProperty.call(all, primary) && all[primary]) {
        return primary;
      }
    }
    return SOURCE_LANGUAGE;
  }

  /**
   * The message `id` in the language spoken (else English, else the id), its $1 … $9 filled
   * from `subs` and $$ a dollar sign.
   * @param {string} id
   * @param {Array<string | number>} [subs]
   */
  function say(id, subs) {
    const all = allMessages();
    const own = all[language()] || {};
    const english = all[SOURCE_LANGUAGE] || {};
    let message = id;
    if (typeof own[id] === "string" && own[id]) {
      message = own[id];
    } else if (typeof english[id] === "string" && english[id]) {
      message = english[id];
    }
    const values = subs || [];
    return message.replace(SUBSTITUTION, function (/** @type {string} */ whole, /** @type {string} */ d) {
      if (d === "$") {
        return "$";
      }
      const value = values[Number(d) - 1];
      if (value === undefined || value === null) {
        return "";
      }
      return String(value);
    });
  }

  /**
   * The message for `count` things: `id_<category>` by the language's plural rules (the
   * "_other" one when the language has no message for the category), $1 the count.
   * @param {string} id
   * @param {number} count
   * @param {Array<string | number>} [subs]
   */
  function sayCount(id, count, subs) {
    const lang = language();
    let category = "other";
    if (count === 1) {
      category = "one";
    }
    let written = String(count);
    try {
      if (typeof Intl !== "undefined" && typeof Intl.PluralRules === "function") {
        category = new Intl.PluralRules(lang).select(count);
        written = count.toLocaleString(lang);
      }
    } catch (ignored) {
      // the English choice above stands
    }
    const own = allMessages()[lang] || {};
    let key = id + "_" + category;
    if (typeof own[key] !== "string" && lang !== SOURCE_LANGUAGE) {
      key = id + "_other";
    }
    /** @type {Array<string | number>} */
    const values = [written];
    return say(key, values.concat(subs || []));
  }

  // ---------------------------------------------------------------- host access

  /** @returns {any} the Office.js namespace, or null outside Outlook */
  function officeApi() {
    // @ts-ignore Office is the global that Office.js defines
    if (typeof Office === "undefined") {
      return null;
    }
    // @ts-ignore see above
    return Office;
  }

  /** @returns {any} the line the service prepends to this file, or null */
  function deploymentGlobal() {
    // @ts-ignore declared by the line the service prepends to this file
    if (typeof CAVEAT_DEPLOYMENT === "undefined") {
      return null;
    }
    // @ts-ignore see above
    return CAVEAT_DEPLOYMENT;
  }

  /** @returns {any} the message being composed; throws a "mailbox" failure without one */
  function composeItem() {
    const office = officeApi();
    const item = office && office.context && office.context.mailbox && office.context.mailbox.item;
    if (!item) {
      throw failure("mailbox");
    }
    return item;
  }

  function succeeded() {
    const office = officeApi();
    const status = office && office.AsyncResultStatus && office.AsyncResultStatus.Succeeded;
    return status || "succeeded";
  }

  /** @param {"ErrorMessage" | "InformationalMessage"} name */
  function notificationType(name) {
    const office = officeApi();
    const types = office && office.MailboxEnums && office.MailboxEnums.ItemNotificationMessageType;
    const value = types && types[name];
    return value || name.charAt(0).toLowerCase() + name.slice(1);
  }

  /**
   * The "promptUser" send mode, when this Outlook can override the manifest's SoftBlock
   * (Mailbox 1.14); null otherwise.
   * @returns {string | null}
   */
  function promptUserOverride() {
    const office = officeApi();
    const modes = office && office.MailboxEnums && office.MailboxEnums.SendModeOverride;
    if (!modes || !modes.PromptUser) {
      return null;
    }
    const requirements = office.context && office.context.requirements;
    if (requirements && typeof requirements.isSetSupported === "function") {
      try {
        if (!requirements.isSetSupported("Mailbox", "1.14")) {
          return null;
        }
      } catch (ignored) {
        return null;
      }
    }
    return modes.PromptUser;
  }

  /**
   * The value of one getAsync field of the item.
   * @param {any} field e.g. item.to; a missing field gives undefined
   * @returns {Promise<any>}
   */
  function read(field) {
    return new Promise(function (resolve, reject) {
      if (!field || typeof field.getAsync !== "function") {
        resolve(undefined);
        return;
      }
      field.getAsync(function (/** @type {any} */ result) {
        if (result && result.status === succeeded()) {
          resolve(result.value);
        } else {
          reject(failure("mailbox"));
        }
      });
    });
  }

  /**
   * @param {Promise<any>} promise
   * @returns {Promise<any>} the value, or undefined when it could not be read
   */
  function optional(promise) {
    return promise.then(null, function () {
      return undefined;
    });
  }

  /**
   * @param {any} entry an EmailAddressDetails
   * @returns {Person | null}
   */
  function person(entry) {
    const address = entry && text(entry.emailAddress);
    if (!address) {
      return null;
    }
    return { name: text(entry.displayName), address: address };
  }

  /**
   * @param {any} list
   * @returns {Person[]}
   */
  function people(list) {
    /** @type {Person[]} */
    const found = [];
    if (!Array.isArray(list)) {
      return found;
    }
    for (let i = 0; i < list.length; i++) {
      const one = person(list[i]);
      if (one) {
        found.push(one);
      }
    }
    return found;
  }

  /**
   * What the service is told about the message being written.
   * @param {any} item
   * @returns {Promise<RecipientsRequest>}
   */
  function collect(item) {
    return Promise.all([
      read(item.to),
      read(item.cc),
      read(item.bcc),
      optional(read(item.from)),
      optional(read(item.subject)),
    ]).then(function (values) {
      // Built in the order the service documents: from, to, cc, bcc, conversation_id, subject.
      /** @type {any} */
      const request = {};
      const from = person(values[3]);
      if (from) {
        request.from = from;
      }
      request.to = people(values[0]);
      request.cc = people(values[1]);
      request.bcc = people(values[2]);
      const conversationId = text(item.conversationId);
      if (conversationId) {
        request.conversation_id = conversationId;
      }
      const subject = text(values[4]);
      if (subject) {
        request.subject = subject;
      }
      request.language = language();
      return /** @type {RecipientsRequest} */ (request);
    });
  }

  // ---------------------------------------------------------------- configuration

  /**
   * @param {string} search e.g. "?key=abc&x=1"
   * @param {string} name
   */
  function queryValue(search, name) {
    let query = String(search || "");
    if (query.charAt(0) === "?") {
      query = query.slice(1);
    }
    const pairs = query.split("&");
    for (let i = 0; i < pairs.length; i++) {
      const pair = pairs[i];
      const equals = pair.indexOf("=");
      let rawName = pair;
      let rawValue = "";
      if (equals >= 0) {
        rawName = pair.slice(0, equals);
        rawValue = pair.slice(equals + 1);
      }
      if (decodeFormComponent(rawName) === name) {
        return decodeFormComponent(rawValue);
      }
    }
    return "";
  }

  /** @param {string} value form-encoded: "+" is a space */
  function decodeFormComponent(value) {
    try {
      return decodeURIComponent(value.split("+").join(" "));
    } catch (ignored) {
      return "";
    }
  }

  /**
   * The sign-in settings the service prepended, or null (sign-in off, or unusable).
   * @param {any} value
   * @returns {Identity | null}
   */
  function identityOf(value) {
    if (!value || typeof value !== "object" || !text(value.client_id) || !text(value.authority)) {
      return null;
    }
    if (!Array.isArray(value.scopes)) {
      return null;
    }
    /** @type {string[]} */
    const scopes = [];
    for (let i = 0; i < value.scopes.length; i++) {
      if (text(value.scopes[i])) {
        scopes.push(text(value.scopes[i]));
      }
    }
    if (scopes.length === 0) {
      return null;
    }
    return { client_id: text(value.client_id), authority: text(value.authority), scopes: scopes };
  }

  /** @returns {Config} */
  function readConfig() {
    /** @type {Config} */
    const config = { baseUrl: "", key: "", timeoutMs: DEFAULT_TIMEOUT_MS, identity: null };
    const deployment = deploymentGlobal();
    if (deployment && typeof deployment === "object") {
      config.baseUrl = text(deployment.baseUrl);
      config.key = text(deployment.key);
      config.identity = identityOf(deployment.identity);
      const limit = deployment.timeoutMs;
      if (typeof limit === "number" && limit > 0 && limit <= MAX_TIMEOUT_MS) {
        config.timeoutMs = limit;
      }
    } else if (typeof location !== "undefined" && location) {
      config.baseUrl = baseOf(location);
      config.key = queryValue(location.search, "key");
    }
    while (config.baseUrl.charAt(config.baseUrl.length - 1) === "/") {
      config.baseUrl = config.baseUrl.slice(0, -1);
    }
    return config;
  }

  /** @param {any} place a Location */
  function baseOf(place) {
    // The service may live under a path prefix (https://apps.example/caveat/addin/outlook/…).
    const path = text(place.pathname);
    const at = path.indexOf("/addin/outlook/");
    if (at > 0) {
      return originOf(place) + path.slice(0, at);
    }
    return originOf(place);
  }

  /** @param {any} place */
  function originOf(place) {
    const origin = text(place.origin);
    if (origin && origin !== "null") {
      return origin;
    }
    if (text(place.protocol) && text(place.host)) {
      return text(place.protocol) + "//" + text(place.host);
    }
    return "";
  }

  /**
   * https only; plain http on loopback for tests (the rule of the shared API client).
   * @param {string} base
   */
  function isAllowedBase(base) {
    if (base.indexOf("https://") === 0) {
      return base.length > "https://".length;
    }
    const loopbacks = ["http://127.0.0.1", "http://localhost", "http://[::1]"];
    for (let i = 0; i < loopbacks.length; i++) {
      if (base.indexOf(loopbacks[i]) === 0) {
        const next = base.charAt(loopbacks[i].length);
        if (next === "" || next === ":" || next === "/") {
          return true;
        }
      }
    }
    return false;
  }

  // ---------------------------------------------------------------- the service

  /**
   * @param {any} data
   * @returns {boolean}
   */
  function isAnswer(data) {
    if (!data || typeof data !== "object" || LEVELS.indexOf(data.level) < 0) {
      return false;
    }
    if (!Array.isArray(data.findings)) {
      return false;
    }
    const banner = data.banner;
    if (banner !== null && banner !== undefined) {
      if (typeof banner !== "object" || typeof banner.text !== "string") {
        return false;
      }
    }
    return data.recipients === undefined || Array.isArray(data.recipients);
  }

  /**
   * @param {number} status
   * @returns {CheckFailure | null}
   */
  function statusFailure(status) {
    if (status === 401 || status === 403) {
      return failure("refused", status);
    }
    if (status >= 500) {
      return failure("server", status);
    }
    if (status < 200 || status >= 300) {
      return failure("rejected", status);
    }
    return null;
  }

  /**
   * @param {Response} response
   * @returns {Promise<Answer>}
   */
  function readAnswer(response) {
    const problem = statusFailure(response.status);
    if (problem) {
      return Promise.reject(problem);
    }
    return response.text().then(
      function (body) {
        let data;
        try {
          data = JSON.parse(body);
        } catch (ignored) {
          throw failure("invalid_answer");
        }
        if (!isAnswer(data)) {
          throw failure("invalid_answer");
        }
        return data;
      },
      function () {
        throw failure("unreachable");
      }
    );
  }

  // ---------------------------------------------------------------- the person's token

  /** @returns {any} MSAL's browser bundle, when commands.html loaded it */
  function msalApi() {
    const found = root && root.msal;
    if (found && typeof found.createNestablePublicClientApplication === "function") {
      return found;
    }
    return null;
  }

  /** Whether this Outlook offers nested app authentication (NestedAppAuth 1.1). */
  function nestedAppAuth() {
    const office = officeApi();
    const requirements = office && office.context && office.context.requirements;
    if (!requirements || typeof requirements.isSetSupported !== "function") {
      return false;
    }
    try {
      return Boolean(requirements.isSetSupported("NestedAppAuth", "1.1"));
    } catch (ignored) {
      return false;
    }
  }

  /**
   * @param {string} token
   * @param {number} expires milliseconds since the epoch
   */
  function hold(token, expires) {
    if (typeof token !== "string" || !token) {
      throw failure("signin");
    }
    heldToken = { token: token, expires: expires };
    return token;
  }

  /**
   * The expiry of a JWT, read (not checked: the service checks it) from its payload; five
   * minutes from now when it cannot be read.
   * @param {string} token
   */
  function expiryOf(token) {
    const fallback = Date.now() + 5 * 60000;
    const part = String(token).split(".")[1];
    if (!part || typeof atob !== "function") {
      return fallback;
    }
    try {
      let b64 = part.split("-").join("+").split("_").join("/");
      while (b64.length % 4 !== 0) {
        b64 += "=";
      }
      const exp = JSON.parse(atob(b64)).exp;
      if (typeof exp === "number" && isFinite(exp)) {
        return exp * 1000;
      }
    } catch (ignored) {
      // not a JWT this file can read: kept a short while
    }
    return fallback;
  }

  /**
   * A token for the person, silently: MSAL's nestable client where NAA is supported, else
   * Office's single sign-on without prompts; a "signin" failure when neither gives one.
   * @param {Identity} identity
   * @param {boolean} renew the service refused the last one: ask for a fresh one
   * @returns {Promise<string>}
   */
  function personToken(identity, renew) {
    if (!renew && heldToken && heldToken.expires - EXPIRY_MARGIN_MS > Date.now()) {
      return Promise.resolve(heldToken.token);
    }
    heldToken = null;
    const msal = msalApi();
    if (msal && nestedAppAuth()) {
      if (!nestedClient) {
        nestedClient = Promise.resolve().then(function () {
          return msal.createNestablePublicClientApplication({
            auth: { clientId: identity.client_id, authority: identity.authority },
          });
        });
        nestedClient.then(null, function () {
          nestedClient = null;
        });
      }
      return nestedClient
        .then(function (client) {
          /** @type {any} */
          const request = { scopes: identity.scopes };
          let account = null;
          if (typeof client.getActiveAccount === "function") {
            account = client.getActiveAccount();
          }
          if (!account && typeof client.getAllAccounts === "function") {
            const all = client.getAllAccounts();
            if (Array.isArray(all) && all.length > 0) {
              account = all[0];
            }
          }
          if (account) {
            request.account = account;
          }
          if (renew) {
            request.forceRefresh = true;
          }
          return client.acquireTokenSilent(request);
        })
        .then(
          function (result) {
            const token = result && result.accessToken;
            let expires = expiryOf(token);
            if (result && result.expiresOn instanceof Date) {
              expires = result.expiresOn.getTime();
            }
            return hold(token, expires);
          },
          function () {
            throw failure("signin");
          }
        );
    }
    const office = officeApi();
    if (office && office.auth && typeof office.auth.getAccessToken === "function") {
      let asked;
      try {
        asked = office.auth.getAccessToken({
          allowSignInPrompt: false,
          allowConsentPrompt: false,
          forMSGraphAccess: false,
        });
      } catch (ignored) {
        return Promise.reject(failure("signin"));
      }
      return Promise.resolve(asked).then(
        function (token) {
          return hold(token, expiryOf(token));
        },
        function () {
          throw failure("signin");
        }
      );
    }
    return Promise.reject(failure("signin"));
  }

  // ---------------------------------------------------------------- the request

  /**
   * @param {Config} config
   * @param {RecipientsRequest} request
   * @param {AbortController | null} controller
   * @returns {Promise<Answer>}
   */
  function post(config, request, controller) {
    if (!config.baseUrl || (!config.key && !config.identity)) {
      return Promise.reject(failure("unconfigured"));
    }
    if (!isAllowedBase(config.baseUrl)) {
      return Promise.reject(failure("insecure"));
    }
    if (typeof fetch !== "function") {
      return Promise.reject(failure("unreachable"));
    }
    const identity = config.identity;
    if (!identity) {
      return send(config, request, controller, config.key);
    }
    return personToken(identity, false).then(function (token) {
      return send(config, request, controller, token).then(null, function (error) {
        if (!error || error.status !== 401) {
          throw error;
        }
        // Refused: one silent renewal, then "sign-in needed".
        return personToken(identity, true).then(function (renewed) {
          return send(config, request, controller, renewed).then(null, function (again) {
            if (again && again.status === 401) {
              throw failure("signin", 401);
            }
            throw again;
          });
        });
      });
    });
  }

  /**
   * One POST with one credential.
   * @param {Config} config
   * @param {RecipientsRequest} request
   * @param {AbortController | null} controller
   * @param {string} credential
   * @returns {Promise<Answer>}
   */
  function send(config, request, controller, credential) {
    /** @type {RequestInit} */
    const init = {
      method: "POST",
      headers: {
        "Content-Type": "application/json",
        Accept: "application/json",
        Authorization: "Bearer " + credential,
      },
      body: JSON.stringify(request),
      credentials: "omit",
    };
    if (controller) {
      init.signal = controller.signal;
    }
    let pending;
    try {
      pending = fetch(config.baseUrl + API_PATH, init);
    } catch (ignored) {
      return Promise.reject(failure("unreachable"));
    }
    return pending.then(readAnswer, function () {
      throw failure("unreachable");
    });
  }

  /** @param {RecipientsRequest} request */
  function hasRecipients(request) {
    return request.to.length + request.cc.length + request.bcc.length > 0;
  }

  /**
   * The whole check, within the time limit: read the item, ask the service. No recipient:
   * no request, and the answer is "none".
   * @param {any} item
   * @returns {Promise<Answer>}
   */
  function checkRecipients(item) {
    const config = readConfig();
    /** @type {AbortController | null} */
    let controller = null;
    if (typeof AbortController === "function") {
      try {
        controller = new AbortController();
      } catch (ignored) {
        controller = null;
      }
    }
    const work = collect(item).then(function (request) {
      if (!hasRecipients(request)) {
        /** @type {Answer} */
        const nothing = { level: "none", banner: null, findings: [], recipients: [] };
        return nothing;
      }
      return post(config, request, controller);
    });
    return within(work, config.timeoutMs, function () {
      if (controller) {
        controller.abort();
      }
    });
  }

  // ---------------------------------------------------------------- what the user sees

  /** @param {Answer} answer */
  function warningText(answer) {
    const banner = answer.banner;
    if (banner && text(banner.text)) {
      return banner.text;
    }
    return say("outlook_event_fallback_warning");
  }

  /**
   * An address for the dialog's plain text, where no element can isolate it: as it is when
   * it is printable ASCII, else a bidi isolate (FSI ... PDI) without the controls that could
   * end it early, so that a right-to-left override in one address cannot turn the rest of
   * the dialog around.
   * @param {string} address
   */
  function isolated(address) {
    if (PRINTABLE_ASCII.test(address)) {
      return address;
    }
    return FSI + address.replace(DIRECTION_CONTROLS, "") + PDI;
  }

  /**
   * The addresses the service flagged (caution or danger), each once, in its order.
   * @param {Answer} answer
   * @returns {string[]}
   */
  function flaggedAddresses(answer) {
    /** @type {string[]} */
    const found = [];
    const list = answer.recipients || [];
    for (let i = 0; i < list.length; i++) {
      const entry = list[i];
      const address = entry && text(entry.address);
      const loud = entry && (entry.level === "caution" || entry.level === "danger");
      if (address && loud && found.indexOf(address) < 0) {
        found.push(address);
      }
    }
    return found;
  }

  /**
   * The Smart Alerts dialog text: the banner, the flagged addresses, what to do; at most
   * 500 characters, the banner cut first.
   * @param {Answer} answer
   * @param {boolean} canSendAnyway
   */
  function dialogText(answer, canSendAnyway) {
    const flagged = flaggedAddresses(answer);
    let tail = say("outlook_event_fix_first_hint");
    if (canSendAnyway) {
      tail = say("outlook_event_send_anyway_hint");
    }
    if (flagged.length > 0) {
      const listed = flagged.slice(0, MAX_LISTED_ADDRESSES).map(isolated).join(", ");
      let line = say("outlook_event_flagged", [listed]);
      if (flagged.length > MAX_LISTED_ADDRESSES) {
        line = sayCount("outlook_event_flagged_more", flagged.length - MAX_LISTED_ADDRESSES, [listed]);
      }
      tail = joined(fit(line, 250), tail);
    }
    const head = fit(warningText(answer), MAX_DIALOG_TEXT - tail.length - 1);
    return fit(joined(head, tail), MAX_DIALOG_TEXT);
  }

  /**
   * Two sentences as one text: a space between them, none after a full-width stop, which
   * Japanese and Chinese follow with no space.
   * @param {string} a
   * @param {string} b
   */
  function joined(a, b) {
    if (/[\u3002\uff01\uff1f\uff1a]$/.test(a)) return a + b;
    return a + " " + b;
  }

  /** @param {string} message */
  function errorNotification(message) {
    return { type: notificationType("ErrorMessage"), message: fit(message, MAX_NOTIFICATION_TEXT) };
  }

  /** @param {string} message */
  function informationalNotification(message) {
    return {
      type: notificationType("InformationalMessage"),
      message: fit(message, MAX_NOTIFICATION_TEXT),
      icon: ICON_ID,
      persistent: true,
    };
  }

  /** @param {unknown} error */
  function failureText(error) {
    return say(REASONS[kindOf(error)]);
  }

  /**
   * Calls one notificationMessages method; resolves true when Outlook reports success,
   * false on any failure or after a short wait. Never rejects.
   * @param {any} item
   * @param {"replaceAsync" | "removeAsync"} method
   * @param {any[]} args
   * @returns {Promise<boolean>}
   */
  function callNotifications(item, method, args) {
    const attempt = new Promise(function (resolve) {
      const messages = item && item.notificationMessages;
      if (!messages || typeof messages[method] !== "function") {
        resolve(false);
        return;
      }
      messages[method].apply(
        messages,
        args.concat([
          function (/** @type {any} */ result) {
            resolve(Boolean(result) && result.status === succeeded());
          },
        ])
      );
    });
    return within(attempt, NOTIFY_TIMEOUT_MS, noop).then(null, function () {
      return false;
    });
  }

  /**
   * Shows `details` under the one key. An informational notification that Outlook refuses
   * (for example when the manifest lacks the icon) is shown again as an error, which needs
   * no icon: a warning must not vanish.
   * @param {any} item
   * @param {{type: string, message: string}} details
   * @returns {Promise<boolean>}
   */
  function showNotification(item, details) {
    return callNotifications(item, "replaceAsync", [NOTIFICATION_KEY, details]).then(function (shown) {
      if (shown || details.type === notificationType("ErrorMessage")) {
        return shown;
      }
      return callNotifications(item, "replaceAsync", [NOTIFICATION_KEY, errorNotification(details.message)]);
    });
  }

  /**
   * @param {any} item
   * @param {Answer} answer
   */
  function showAnswer(item, answer) {
    if (answer.level === "danger") {
      return showNotification(item, errorNotification(warningText(answer)));
    }
    if (answer.level === "caution") {
      return showNotification(item, informationalNotification(warningText(answer)));
    }
    return callNotifications(item, "removeAsync", [NOTIFICATION_KEY]);
  }

  /**
   * @param {any} item
   * @param {unknown} error
   */
  function showFailure(item, error) {
    return showNotification(item, informationalNotification(failureText(error)));
  }

  /**
   * event.completed, at most once, whatever happens around it.
   * @param {any} event
   * @returns {(options?: object) => void}
   */
  function completer(event) {
    let done = false;
    return function (options) {
      if (done) {
        return;
      }
      done = true;
      if (!event || typeof event.completed !== "function") {
        return;
      }
      try {
        if (options) {
          event.completed(options);
        } else {
          event.completed();
        }
      } catch (ignored) {
        // nothing else can be done: Outlook ends the add-in on its own time limit
      }
    };
  }

  /** @returns {any} the item, or null when Outlook gives none (the check then fails) */
  function itemOrNull() {
    try {
      return composeItem();
    } catch (ignored) {
      return null;
    }
  }

  /**
   * @param {any} item
   * @returns {Promise<Answer>}
   */
  function startCheck(item) {
    return Promise.resolve().then(function () {
      if (!item) {
        throw failure("mailbox");
      }
      return checkRecipients(item);
    });
  }

  // ---------------------------------------------------------------- the handlers

  /**
   * OnMessageRecipientsChanged: keep the notification in step with the recipients.
   * @param {any} event
   */
  function onMessageRecipientsChangedHandler(event) {
    const complete = completer(event);
    try {
      recipientsRuns += 1;
      const run = recipientsRuns;
      const item = itemOrNull();
      const latest = function () {
        return run === recipientsRuns;
      };
      startCheck(item)
        .then(
          function (answer) {
            if (latest()) {
              return showAnswer(item, answer);
            }
            return false;
          },
          function (error) {
            if (latest()) {
              return showFailure(item, error);
            }
            return false;
          }
        )
        .then(
          function () {
            complete();
          },
          function () {
            complete();
          }
        );
    } catch (ignored) {
      complete();
    }
  }

  /**
   * OnMessageSend: stop the send for caution or danger; let it go for none, info, and when
   * the check failed (with the "could not check" notification).
   * @param {any} event
   */
  function onMessageSendHandler(event) {
    const complete = completer(event);
    /** @type {any} */
    let item = null;
    /** @param {unknown} error */
    const allowVisibly = function (error) {
      return showFailure(item, error).then(
        function () {
          complete({ allowEvent: true });
        },
        function () {
          complete({ allowEvent: true });
        }
      );
    };
    try {
      item = itemOrNull();
      startCheck(item)
        .then(function (answer) {
          if (answer.level === "danger" || answer.level === "caution") {
            const override = promptUserOverride();
            /** @type {{allowEvent: boolean, errorMessage: string, sendModeOverride?: string}} */
            const options = { allowEvent: false, errorMessage: dialogText(answer, Boolean(override)) };
            if (override) {
              options.sendModeOverride = override;
            }
            complete(options);
          } else {
            complete({ allowEvent: true });
          }
        }, allowVisibly)
        .then(null, allowVisibly);
    } catch (error) {
      allowVisibly(error);
    }
  }

  // ---------------------------------------------------------------- registration

  try {
    const office = officeApi();
    if (office && office.actions && typeof office.actions.associate === "function") {
      office.actions.associate("onMessageRecipientsChangedHandler", onMessageRecipientsChangedHandler);
      office.actions.associate("onMessageSendHandler", onMessageSendHandler);
    }
  } catch (ignored) {
    // without Office.actions Outlook cannot call the handlers; nothing else to do here
  }

  if (root && typeof root === "object") {
    root.CaveatSendGuard = {
      onMessageRecipientsChangedHandler: onMessageRecipientsChangedHandler,
      onMessageSendHandler: onMessageSendHandler,
      NOTIFICATION_KEY: NOTIFICATION_KEY,
      ICON_ID: ICON_ID,
      DEFAULT_TIMEOUT_MS: DEFAULT_TIMEOUT_MS,
      MAX_NOTIFICATION_TEXT: MAX_NOTIFICATION_TEXT,
      MAX_DIALOG_TEXT: MAX_DIALOG_TEXT,
      fit: fit,
      language: language,
    };
  }
})((typeof globalThis !== "undefined" && globalThis) || this);
