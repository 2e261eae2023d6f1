// @ts-check
/**
 * The send-time guard, run the way Outlook runs it: launchevent.js evaluated as a classic
 * script (with the configuration line the service prepends), in a context holding a stand-in
 * of the compose-mode Office.js surface it uses, talking through the real fetch to a real
 * HTTP server on loopback.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import vm from "node:vm";
import { createServer } from "node:http";
import { readFileSync, readdirSync } from "node:fs";

const SOURCE = readFileSync(new URL("../launchevent.js", import.meta.url), "utf8");
const PAGE = readFileSync(new URL("../commands.html", import.meta.url), "utf8");
const LOCALES = new URL("../../_locales/", import.meta.url);

/**
 * The messages the service writes in front of the script (web/addin.py,
 * launch_event_messages): the "outlook_event_" ids of every language's file.
 * @returns {Record<string, Record<string, string>>}
 */
function eventMessages() {
  /** @type {Record<string, Record<string, string>>} */
  const out = {};
  for (const lang of readdirSync(LOCALES)) {
    /** @type {Record<string, {message: string}>} */
    const file = JSON.parse(readFileSync(new URL(`${lang}/messages.json`, LOCALES), "utf8"));
    const words = Object.fromEntries(
      Object.entries(file)
        .filter(([id]) => id.startsWith("outlook_event_"))
        .map(([id, entry]) => [id, entry.message]),
    );
    if (Object.keys(words).length) out[lang] = words;
  }
  return out;
}
const MESSAGES = eventMessages();

const KEY = "cav_live_4f1c2a";
const NOTIFICATION_KEY = "caveat-recipients";
const ICON = "Icon.16";

const SWAPPED = "maria.keller.partnera@gmail.example";
const REAL = "maria.keller@partner-a.example";

/** The service's answer for the incident: a CC quietly replaced by a free-mail address. */
const DANGER = {
  level: "danger",
  score: 14,
  banner: {
    title: "Recipient address changed",
    text: `Maria Keller wrote from ${REAL} in this thread; this message goes to ${SWAPPED}.`,
  },
  findings: [
    {
      id: "RECIPIENT_SWAPPED_FREEMAIL",
      check: "recipient_swap",
      severity: "danger",
      title: "A known person now has a free-mail address",
      explanation: "Attackers replace addresses one by one and keep the display names.",
      evidence: [{ header: "Cc", value: `Maria Keller <${SWAPPED}>` }],
      techniques: ["T1534"],
    },
  ],
  recipients: [
    { address: SWAPPED, level: "danger", findings: ["RECIPIENT_SWAPPED_FREEMAIL"] },
    { address: "ap@ours.example", level: "none", findings: [] },
  ],
  checked_at: "2024-05-02T09:14:00Z",
};

const CAUTION = {
  level: "caution",
  score: 5,
  banner: { title: "Look-alike domain", text: "partner-a.example.co imitates partner-a.example. Check the address before sending." },
  findings: [],
  recipients: [{ address: "maria.keller@partner-a.example.co", level: "caution", findings: ["RECIPIENT_LOOKALIKE_DOMAIN"] }],
  checked_at: "2024-05-02T09:14:00Z",
};

const NONE = { level: "none", score: 0, banner: null, findings: [], recipients: [], checked_at: "2024-05-02T09:14:00Z" };
const INFO = {
  level: "info",
  score: 1,
  banner: { title: "First message to this address", text: "You have not written to this address before." },
  findings: [],
  recipients: [{ address: REAL, level: "info", findings: ["FIRST_CONTACT"] }],
  checked_at: "2024-05-02T09:14:00Z",
};

// ------------------------------------------------------------------ a real service on loopback

/**
 * @typedef {{method: string | undefined, url: string | undefined, headers: import("node:http").IncomingHttpHeaders, body: any}} Seen
 * @typedef {(seen: Seen, res: import("node:http").ServerResponse) => void} Handler
 */

/**
 * @param {import("node:test").TestContext} t
 * @param {Handler} handler
 */
async function serve(t, handler) {
  /** @type {Seen[]} */
  const requests = [];
  const server = createServer((req, res) => {
    let body = "";
    req.on("data", (chunk) => (body += chunk));
    req.on("end", () => {
      const seen = { method: req.method, url: req.url, headers: req.headers, body: body ? JSON.parse(body) : null };
      requests.push(seen);
      handler(seen, res);
    });
  });
  await new Promise((resolve) => server.listen(0, "127.0.0.1", () => resolve(undefined)));
  t.after(() => {
    server.closeAllConnections();
    return new Promise((resolve) => server.close(() => resolve(undefined)));
  });
  const address = /** @type {import("node:net").AddressInfo} */ (server.address());
  return { baseUrl: `http://127.0.0.1:${address.port}`, requests };
}

/** A loopback URL where nothing listens. */
async function closedPort() {
  const server = createServer();
  await new Promise((resolve) => server.listen(0, "127.0.0.1", () => resolve(undefined)));
  const address = /** @type {import("node:net").AddressInfo} */ (server.address());
  await new Promise((resolve) => server.close(() => resolve(undefined)));
  return `http://127.0.0.1:${address.port}`;
}

/**
 * @param {unknown} data
 * @param {number} [status]
 * @returns {Handler}
 */
function answer(data, status = 200) {
  return (_seen, res) => {
    res.writeHead(status, { "Content-Type": "application/json" });
    res.end(typeof data === "string" ? data : JSON.stringify(data));
  };
}

// ------------------------------------------------------------------ a stand-in of Outlook

/** Values made in the script's realm, compared as plain data. */
function plain(value) {
  return value === undefined ? undefined : JSON.parse(JSON.stringify(value));
}

/**
 * The compose-mode surface the guard uses: recipients, from, subject and conversation id of
 * the item, its notification messages (checked as Outlook documents them), the enums, the
 * requirement-set check and Office.actions.associate.
 * @param {{
 *   to?: any[], cc?: any[], bcc?: any[], from?: any, subject?: string, conversationId?: string | null,
 *   failing?: string[], mailboxMinor?: number, icons?: string[], throwingNotifications?: boolean,
 * }} [options]
 */
function outlook(options = {}) {
  const state = {
    to: options.to ?? [{ displayName: "Maria Keller", emailAddress: SWAPPED, recipientType: "externalUser" }],
    cc: options.cc ?? [{ displayName: "Accounts Payable", emailAddress: "ap@ours.example", recipientType: "user" }],
    bcc: options.bcc ?? [],
    from: options.from === undefined ? { displayName: "Anna Berg", emailAddress: "anna.berg@ours.example" } : options.from,
    subject: options.subject ?? "RE: Invoice 2024-0417",
  };
  const failing = options.failing ?? [];
  const mailboxMinor = options.mailboxMinor ?? 14;
  const icons = options.icons ?? [ICON];
  /** @type {any[]} */
  const notifications = [];
  /** @type {Map<string, Function>} */
  const associations = new Map();

  /** @param {"to" | "cc" | "bcc" | "from" | "subject"} name */
  function field(name) {
    return {
      getAsync(/** @type {any[]} */ ...args) {
        const callback = args[args.length - 1];
        const fails = failing.includes(name);
        setImmediate(() =>
          callback(
            fails
              ? { status: "failed", value: undefined, error: { name: "GenericResponseError", message: "Internal error", code: 9020 } }
              : { status: "succeeded", value: state[name] },
          ),
        );
      },
    };
  }

  /** @param {any} details */
  function refusal(key, details) {
    if (key.length > 32) return "key longer than 32 characters";
    if (typeof details.message !== "string" || details.message.length > 150) return "ArgumentOutOfRange";
    if (details.type === "errorMessage" && ("icon" in details || "persistent" in details)) return "ArgumentException";
    if (details.type === "informationalMessage" && !icons.includes(details.icon)) return "icon not in the manifest";
    return null;
  }

  /** @param {any} callback @param {string | null} error */
  function settle(callback, error) {
    if (typeof callback !== "function") return;
    setImmediate(() => callback(error ? { status: "failed", error: { message: error } } : { status: "succeeded", value: undefined }));
  }

  const notificationMessages = {
    replaceAsync(/** @type {string} */ key, /** @type {any} */ details, /** @type {any[]} */ ...rest) {
      if (options.throwingNotifications) throw new Error("notifications unavailable");
      notifications.push({ method: "replaceAsync", key, details: plain(details) });
      settle(rest[rest.length - 1], refusal(key, details));
    },
    addAsync(/** @type {string} */ key, /** @type {any} */ details, /** @type {any[]} */ ...rest) {
      if (options.throwingNotifications) throw new Error("notifications unavailable");
      notifications.push({ method: "addAsync", key, details: plain(details) });
      settle(rest[rest.length - 1], refusal(key, details));
    },
    removeAsync(/** @type {string} */ key, /** @type {any[]} */ ...rest) {
      if (options.throwingNotifications) throw new Error("notifications unavailable");
      notifications.push({ method: "removeAsync", key });
      settle(rest[rest.length - 1], null);
    },
  };

  const item = {
    itemType: "message",
    to: field("to"),
    cc: field("cc"),
    bcc: field("bcc"),
    from: state.from === null ? undefined : field("from"),
    subject: field("subject"),
    conversationId: options.conversationId === undefined ? "AAQkAGI2TG93AAA=" : options.conversationId,
    notificationMessages,
  };

  const Office = {
    AsyncResultStatus: { Succeeded: "succeeded", Failed: "failed" },
    MailboxEnums: {
      ItemNotificationMessageType: {
        ProgressIndicator: "progressIndicator",
        InformationalMessage: "informationalMessage",
        ErrorMessage: "errorMessage",
        InsightMessage: "insightMessage",
      },
      SendModeOverride: { PromptUser: "promptUser" },
    },
    actions: {
      associate(/** @type {string} */ name, /** @type {Function} */ handler) {
        associations.set(name, handler);
      },
    },
    context: {
      requirements: {
        isSetSupported(/** @type {string} */ name, /** @type {string} */ version) {
          const [major, minor] = version.split(".").map(Number);
          return name === "Mailbox" && major === 1 && (minor ?? 0) <= mailboxMinor;
        },
      },
      mailbox: { item },
    },
  };

  return { Office, item, state, notifications, associations };
}

/**
 * Evaluates launchevent.js as a classic script, with the lines the service prepends: the
 * messages (those of the files, or `messages`) and, when `deployment` is given, the
 * configuration.
 * @param {ReturnType<typeof outlook>} host
 * @param {{deployment?: object, globals?: Record<string, unknown>, messages?: object}} [options]
 */
function load(host, options = {}) {
  const context = vm.createContext({
    Office: host.Office,
    fetch,
    AbortController,
    setTimeout,
    clearTimeout,
    URLSearchParams,
    ...options.globals,
  });
  const words = `var CAVEAT_MESSAGES = ${JSON.stringify(options.messages ?? MESSAGES)};\n`;
  const prefix = options.deployment ? `var CAVEAT_DEPLOYMENT = ${JSON.stringify(options.deployment)};\n` : "";
  new vm.Script(prefix + words + SOURCE, { filename: "launchevent.js" }).runInContext(context);
  return context;
}

/**
 * Raises one event and returns every event.completed call (as plain data), waiting a little
 * after the first to catch a second.
 * @param {ReturnType<typeof outlook>} host
 * @param {"onMessageSendHandler" | "onMessageRecipientsChangedHandler"} name
 * @param {{throwOnComplete?: boolean}} [options]
 */
async function raise(host, name, options = {}) {
  /** @type {any[]} */
  const completions = [];
  /** @type {(value?: unknown) => void} */
  let first = () => {};
  const completedOnce = new Promise((resolve) => (first = resolve));
  const event = {
    type: name === "onMessageSendHandler" ? "olkMessageSend" : "olkRecipientsChanged",
    changedRecipientFields: { to: true, cc: false, bcc: false },
    completed(/** @type {unknown} */ completion) {
      completions.push(plain(completion));
      first();
      if (options.throwOnComplete) throw new Error("the item was closed");
    },
  };
  const handler = host.associations.get(name);
  assert.ok(handler, `${name} is registered`);
  handler(event);
  let timer;
  const limit = new Promise((_resolve, reject) => {
    timer = setTimeout(() => reject(new Error(`${name} never called event.completed`)), 10000);
  });
  try {
    await Promise.race([completedOnce, limit]);
  } finally {
    clearTimeout(timer);
  }
  await new Promise((resolve) => setTimeout(resolve, 60));
  return completions;
}

/** @param {string} reason */
function couldNotCheck(reason) {
  return {
    method: "replaceAsync",
    key: NOTIFICATION_KEY,
    details: {
      type: "informationalMessage",
      message: `Caveat could not check the recipients: ${reason}.`,
      icon: ICON,
      persistent: true,
    },
  };
}

// ------------------------------------------------------------------ the file itself

/** The source without comments and with every string literal emptied. */
function codeOnly(source) {
  let out = "";
  let i = 0;
  while (i < source.length) {
    const c = source[i];
    const next = source[i + 1];
    if (c === "/" && next === "/") {
      while (i < source.length && source[i] !== "\n") i++;
    } else if (c === "/" && next === "*") {
      i = source.indexOf("*/", i + 2) + 2;
      out += " ";
    } else if (c === '"' || c === "'" || c === "`") {
      i++;
      while (i < source.length && source[i] !== c) i += source[i] === "\\" ? 2 : 1;
      i++;
      out += '""';
    } else {
      out += c;
      i++;
    }
  }
  return out;
}

test("launchevent.js is one classic script within ECMAScript 2016 and the documented restrictions", () => {
  assert.doesNotThrow(() => new vm.Script(SOURCE, { filename: "launchevent.js" }));
  assert.doesNotMatch(SOURCE, /^\s*(import|export)\b/m, "no import or export statement");
  const code = codeOnly(SOURCE);
  assert.ok(!code.includes("outlook_event_failed_internal"), "strings were removed before the checks");
  assert.ok(code.includes("Office.actions.associate") || code.includes("office.actions.associate"));
  assert.ok(!code.includes("?"), "no conditional operator, optional chaining or nullish coalescing");
  assert.doesNotMatch(code, /\basync\b|\bawait\b/, "no async/await");
  assert.ok(!code.includes("..."), "no spread or rest syntax");
  assert.doesNotMatch(code, /catch\s*\{/, "no optional catch binding");
  assert.doesNotMatch(code, /,\s*\)/, "no trailing comma in a call");
  assert.doesNotMatch(code, /\bimport\s*\(/, "no dynamic import");
  assert.doesNotMatch(code, /\b(localStorage|document|window)\b/, "nothing the JavaScript-only runtime lacks");
});

test("it registers both handlers under the manifest's names and exposes them for tests", () => {
  const host = outlook();
  const context = load(host);
  assert.deepEqual([...host.associations.keys()], ["onMessageRecipientsChangedHandler", "onMessageSendHandler"]);
  assert.equal(context.CaveatSendGuard.onMessageSendHandler, host.associations.get("onMessageSendHandler"));
  assert.equal(context.CaveatSendGuard.NOTIFICATION_KEY, NOTIFICATION_KEY);
  assert.equal(context.CaveatSendGuard.DEFAULT_TIMEOUT_MS, 4000);
  assert.equal(context.CaveatSendGuard.fit("a  b\n c", 150), "a b c");
  assert.equal(context.CaveatSendGuard.fit("x".repeat(200), 150), "x".repeat(149) + "\u2026");
});

test("it loads without Office.js (no associate) and without failing", () => {
  const context = vm.createContext({});
  new vm.Script(SOURCE).runInContext(context);
  assert.equal(typeof context.CaveatSendGuard.onMessageSendHandler, "function");
});

// ------------------------------------------------------------------ send

test("a swapped recipient stops the send with the banner text and the address, completed once", async (t) => {
  const service = await serve(t, answer(DANGER));
  const host = outlook();
  load(host, { deployment: { baseUrl: service.baseUrl, key: KEY } });
  const completions = await raise(host, "onMessageSendHandler");
  assert.equal(completions.length, 1);
  const [done] = completions;
  assert.equal(done.allowEvent, false);
  assert.equal(done.sendModeOverride, "promptUser");
  assert.equal(
    done.errorMessage,
    `${DANGER.banner.text} Flagged: ${SWAPPED}. Confirm these addresses with the people concerned, ` +
      "using contact details you already have, before choosing Send Anyway.",
  );
  assert.ok(done.errorMessage.length <= 500);
  assert.equal(service.requests.length, 1);
});

test("without Mailbox 1.14 the manifest's SoftBlock stays and the dialog says to fix the recipients", async (t) => {
  const service = await serve(t, answer(CAUTION));
  const host = outlook({ mailboxMinor: 12 });
  load(host, { deployment: { baseUrl: service.baseUrl, key: KEY } });
  const completions = await raise(host, "onMessageSendHandler");
  assert.deepEqual(completions, [
    {
      allowEvent: false,
      errorMessage: `${CAUTION.banner.text} Flagged: maria.keller@partner-a.example.co. Correct or remove these recipients, then send again.`,
    },
  ]);
});

test("the dialog stays within 500 characters and lists at most three addresses", async (t) => {
  const many = ["a", "b", "c", "d", "e"].map((n) => ({ address: `${n}@free.example`, level: "danger", findings: ["X"] }));
  const long = { ...DANGER, banner: { title: "T", text: "Check every address. ".repeat(40) }, recipients: many };
  const service = await serve(t, answer(long));
  const host = outlook();
  load(host, { deployment: { baseUrl: service.baseUrl, key: KEY } });
  const [done] = await raise(host, "onMessageSendHandler");
  assert.equal(done.allowEvent, false);
  assert.ok(done.errorMessage.length <= 500, `${done.errorMessage.length} characters`);
  assert.match(done.errorMessage, /\u2026 Flagged: a@free\.example, b@free\.example, c@free\.example and 2 more\. Confirm/);
  assert.ok(done.errorMessage.endsWith("before choosing Send Anyway."));
});

test("flagged addresses that carry a direction are isolated in the dialog's plain text", async (t) => {
  const rlo = "ann\u202E@evil.example";
  const hebrew = "\u05D0\u05D1@x.example";
  const recipients = [rlo, hebrew, "plain@free.example"].map((address) => ({ address, level: "danger", findings: ["X"] }));
  const service = await serve(t, answer({ ...DANGER, recipients }));
  const host = outlook();
  load(host, { deployment: { baseUrl: service.baseUrl, key: KEY } });
  const [done] = await raise(host, "onMessageSendHandler");
  assert.ok(
    done.errorMessage.includes("Flagged: \u2068ann@evil.example\u2069, \u2068\u05D0\u05D1@x.example\u2069, plain@free.example. Confirm"),
    done.errorMessage,
  );
  assert.ok(!done.errorMessage.includes("\u202E"), "the override is gone, so it cannot turn the hint after it");
});

test("none and info let the message go, without touching the notification", async (t) => {
  for (const verdict of [NONE, INFO]) {
    const service = await serve(t, answer(verdict));
    const host = outlook();
    load(host, { deployment: { baseUrl: service.baseUrl, key: KEY } });
    assert.deepEqual(await raise(host, "onMessageSendHandler"), [{ allowEvent: true }], verdict.level);
    assert.deepEqual(host.notifications, [], verdict.level);
  }
});

test("the request: POST /api/v1/recipients, bearer key, every recipient with an address, bcc included", async (t) => {
  const service = await serve(t, answer(NONE));
  const host = outlook({
    to: [
      { displayName: "  Maria   Keller ", emailAddress: SWAPPED },
      { displayName: "Finance team (no address yet)", emailAddress: "" },
    ],
    cc: [{ displayName: "Accounts Payable", emailAddress: "ap@ours.example" }],
    bcc: [{ displayName: "", emailAddress: "archive@ours.example" }],
  });
  load(host, { deployment: { baseUrl: service.baseUrl + "/", key: KEY } });
  await raise(host, "onMessageSendHandler");
  assert.equal(service.requests.length, 1);
  const [seen] = service.requests;
  assert.equal(seen.method, "POST");
  assert.equal(seen.url, "/api/v1/recipients");
  assert.equal(seen.headers.authorization, `Bearer ${KEY}`);
  assert.equal(seen.headers["content-type"], "application/json");
  assert.equal(seen.headers.cookie, undefined);
  assert.deepEqual(seen.body, {
    from: { name: "Anna Berg", address: "anna.berg@ours.example" },
    to: [{ name: "Maria   Keller", address: SWAPPED }],
    cc: [{ name: "Accounts Payable", address: "ap@ours.example" }],
    bcc: [{ name: "", address: "archive@ours.example" }],
    conversation_id: "AAQkAGI2TG93AAA=",
    subject: "RE: Invoice 2024-0417",
    language: "en",
  });
  assert.deepEqual(Object.keys(seen.body), ["from", "to", "cc", "bcc", "conversation_id", "subject", "language"]);
});

test("an unknown sender, conversation id or subject is left out of the request", async (t) => {
  const service = await serve(t, answer(NONE));
  const hosts = [
    outlook({ from: null, conversationId: null, subject: "" }),
    outlook({ failing: ["from", "subject"], conversationId: "" }),
  ];
  for (const host of hosts) {
    load(host, { deployment: { baseUrl: service.baseUrl, key: KEY } });
    assert.deepEqual(await raise(host, "onMessageSendHandler"), [{ allowEvent: true }]);
  }
  assert.equal(service.requests.length, 2);
  for (const seen of service.requests) {
    assert.deepEqual(Object.keys(seen.body), ["to", "cc", "bcc", "language"]);
  }
});

test("no recipient: no request; the send goes and the notification is removed", async (t) => {
  const service = await serve(t, answer(DANGER));
  const host = outlook({ to: [], cc: [{ displayName: "Nobody", emailAddress: " " }], bcc: [] });
  load(host, { deployment: { baseUrl: service.baseUrl, key: KEY } });
  assert.deepEqual(await raise(host, "onMessageSendHandler"), [{ allowEvent: true }]);
  assert.deepEqual(await raise(host, "onMessageRecipientsChangedHandler"), [undefined]);
  assert.equal(service.requests.length, 0);
  assert.deepEqual(host.notifications, [{ method: "removeAsync", key: NOTIFICATION_KEY }]);
});

// ------------------------------------------------------------------ recipients changed

test("recipients changed, danger: one error notification, cut to 150 characters", async (t) => {
  const long = { ...DANGER, banner: { title: "T", text: DANGER.banner.text + " Verify by phone with a number you already have. ".repeat(3) } };
  assert.ok(DANGER.banner.text.length < 150 && long.banner.text.length > 150);
  const service = await serve(t, answer(long));
  const host = outlook();
  load(host, { deployment: { baseUrl: service.baseUrl, key: KEY } });
  assert.deepEqual(await raise(host, "onMessageRecipientsChangedHandler"), [undefined]);
  assert.equal(host.notifications.length, 1);
  const [shown] = host.notifications;
  assert.equal(shown.method, "replaceAsync");
  assert.equal(shown.key, NOTIFICATION_KEY);
  assert.deepEqual(Object.keys(shown.details), ["type", "message"]);
  assert.equal(shown.details.type, "errorMessage");
  assert.equal(shown.details.message.length, 150);
  assert.ok(shown.details.message.endsWith("\u2026"));
  assert.ok(shown.details.message.startsWith(DANGER.banner.text));
});

test("recipients changed, caution: an informational notification with the manifest's icon", async (t) => {
  const service = await serve(t, answer(CAUTION));
  const host = outlook();
  load(host, { deployment: { baseUrl: service.baseUrl, key: KEY } });
  assert.deepEqual(await raise(host, "onMessageRecipientsChangedHandler"), [undefined]);
  assert.deepEqual(host.notifications, [
    {
      method: "replaceAsync",
      key: NOTIFICATION_KEY,
      details: { type: "informationalMessage", message: CAUTION.banner.text, icon: ICON, persistent: true },
    },
  ]);
});

test("recipients changed, none or info: the notification is removed", async (t) => {
  for (const verdict of [NONE, INFO]) {
    const service = await serve(t, answer(verdict));
    const host = outlook();
    load(host, { deployment: { baseUrl: service.baseUrl, key: KEY } });
    assert.deepEqual(await raise(host, "onMessageRecipientsChangedHandler"), [undefined]);
    assert.deepEqual(host.notifications, [{ method: "removeAsync", key: NOTIFICATION_KEY }], verdict.level);
  }
});

test("an informational notification Outlook refuses (no such icon) is shown as an error instead", async (t) => {
  const service = await serve(t, answer(CAUTION));
  const host = outlook({ icons: [] });
  load(host, { deployment: { baseUrl: service.baseUrl, key: KEY } });
  await raise(host, "onMessageRecipientsChangedHandler");
  assert.deepEqual(
    host.notifications.map((n) => n.details.type),
    ["informationalMessage", "errorMessage"],
  );
  assert.deepEqual(host.notifications[1].details, { type: "errorMessage", message: CAUTION.banner.text });
});

test("an older answer arriving late does not overwrite the newer one", async (t) => {
  const service = await serve(t, (seen, res) => {
    const slow = seen.body.to.some((/** @type {any} */ p) => p.address === SWAPPED);
    setTimeout(() => answer(slow ? DANGER : NONE)(seen, res), slow ? 300 : 0);
  });
  const host = outlook();
  load(host, { deployment: { baseUrl: service.baseUrl, key: KEY } });
  const first = raise(host, "onMessageRecipientsChangedHandler");
  await new Promise((resolve) => setTimeout(resolve, 20));
  host.state.to = [{ displayName: "Maria Keller", emailAddress: REAL }];
  const second = raise(host, "onMessageRecipientsChangedHandler");
  assert.deepEqual(await second, [undefined]);
  assert.deepEqual(await first, [undefined]);
  assert.equal(service.requests.length, 2);
  assert.deepEqual(host.notifications, [{ method: "removeAsync", key: NOTIFICATION_KEY }]);
});

// ------------------------------------------------------------------ failures: visible, never blocking

/** @type {[string, (t: import("node:test").TestContext) => Promise<{baseUrl: string, timeoutMs?: number}>, string][]} */
const FAILURES = [
  ["service down", async () => ({ baseUrl: await closedPort() }), "the Caveat service could not be reached"],
  ["500", async (t) => serve(t, answer({ error: { code: "internal_error", message: "x" } }, 500)), "the Caveat service had an internal error"],
  ["401", async (t) => serve(t, answer({ error: { code: "unauthorized", message: "bad key" } }, 401)), "the Caveat service refused this add-in's key"],
  ["403", async (t) => serve(t, answer({ error: { code: "forbidden", message: "no" } }, 403)), "the Caveat service refused this add-in's key"],
  ["400", async (t) => serve(t, answer({ error: { code: "bad_request", message: "to" } }, 400)), "the Caveat service rejected the request"],
  ["invalid JSON", async (t) => serve(t, answer("<html>proxy error</html>")), "the Caveat service gave an answer this add-in does not understand"],
  ["not a verdict", async (t) => serve(t, answer({ level: "severe", findings: [] })), "the Caveat service gave an answer this add-in does not understand"],
  [
    "slower than the time limit",
    async (t) => {
      const { baseUrl } = await serve(t, (seen, res) => {
        const timer = setTimeout(() => answer(DANGER)(seen, res), 2000);
        res.on("close", () => clearTimeout(timer));
      });
      return { baseUrl, timeoutMs: 150 };
    },
    "the Caveat service did not answer in time",
  ],
];

for (const [name, start, reason] of FAILURES) {
  test(`${name}: the send goes, the notification says why, completed once`, async (t) => {
    const { baseUrl, timeoutMs } = await start(t);
    const host = outlook();
    load(host, { deployment: { baseUrl, key: KEY, timeoutMs } });
    const began = Date.now();
    assert.deepEqual(await raise(host, "onMessageSendHandler"), [{ allowEvent: true }]);
    assert.ok(Date.now() - began < 1500, "within the time limit");
    assert.deepEqual(host.notifications, [couldNotCheck(reason)]);
  });

  test(`${name}: recipients changed shows the same "could not check"`, async (t) => {
    const { baseUrl, timeoutMs } = await start(t);
    const host = outlook();
    load(host, { deployment: { baseUrl, key: KEY, timeoutMs } });
    assert.deepEqual(await raise(host, "onMessageRecipientsChangedHandler"), [undefined]);
    assert.deepEqual(host.notifications, [couldNotCheck(reason)]);
  });
}

test("without AbortController the timer still ends a slow check", async (t) => {
  const service = await serve(t, (seen, res) => {
    const timer = setTimeout(() => answer(DANGER)(seen, res), 2000);
    res.on("close", () => clearTimeout(timer));
  });
  const host = outlook();
  load(host, { deployment: { baseUrl: service.baseUrl, key: KEY, timeoutMs: 150 }, globals: { AbortController: undefined } });
  assert.deepEqual(await raise(host, "onMessageSendHandler"), [{ allowEvent: true }]);
  assert.deepEqual(host.notifications, [couldNotCheck("the Caveat service did not answer in time")]);
});

test("Outlook failing to give the recipients: no request, the send goes, the notification says so", async (t) => {
  const service = await serve(t, answer(DANGER));
  const host = outlook({ failing: ["cc"] });
  load(host, { deployment: { baseUrl: service.baseUrl, key: KEY } });
  assert.deepEqual(await raise(host, "onMessageSendHandler"), [{ allowEvent: true }]);
  assert.equal(service.requests.length, 0);
  assert.deepEqual(host.notifications, [couldNotCheck("Outlook did not give the recipients")]);
});

test("a handler that meets an exception still completes, once", async () => {
  const host = outlook();
  Object.defineProperty(host.Office.context.mailbox, "item", {
    get() {
      throw new Error("the item is gone");
    },
  });
  load(host, { deployment: { baseUrl: "https://caveat.example", key: KEY } });
  assert.deepEqual(await raise(host, "onMessageSendHandler"), [{ allowEvent: true }]);
  assert.deepEqual(await raise(host, "onMessageRecipientsChangedHandler"), [undefined]);
});

test("notifications that throw and an event.completed that throws do not stop completion", async (t) => {
  const service = await serve(t, answer(DANGER, 500));
  const host = outlook({ throwingNotifications: true });
  load(host, { deployment: { baseUrl: service.baseUrl, key: KEY } });
  assert.deepEqual(await raise(host, "onMessageSendHandler", { throwOnComplete: true }), [{ allowEvent: true }]);
  assert.deepEqual(await raise(host, "onMessageRecipientsChangedHandler", { throwOnComplete: true }), [undefined]);
});

// ------------------------------------------------------------------ configuration

test("without CAVEAT_DEPLOYMENT the page's origin and its ?key= are used (commands.html)", async (t) => {
  const service = await serve(t, answer(NONE));
  const url = new URL(service.baseUrl + "/addin/outlook/commands.html?lang=en&key=cav%2Bpage_key&x=1");
  const location = { origin: url.origin, protocol: url.protocol, host: url.host, search: url.search, href: url.href };
  const host = outlook();
  load(host, { globals: { location } });
  assert.deepEqual(await raise(host, "onMessageSendHandler"), [{ allowEvent: true }]);
  assert.equal(service.requests.length, 1);
  assert.equal(service.requests[0].url, "/api/v1/recipients");
  assert.equal(service.requests[0].headers.authorization, "Bearer cav+page_key");
});

test("a service mounted under a path prefix is called under that prefix", async (t) => {
  const service = await serve(t, answer(NONE));
  const url = new URL(service.baseUrl + "/caveat/addin/outlook/commands.html?key=k1");
  const location = { origin: url.origin, protocol: url.protocol, host: url.host, pathname: url.pathname, search: url.search, href: url.href };
  const host = outlook();
  load(host, { globals: { location } });
  assert.deepEqual(await raise(host, "onMessageSendHandler"), [{ allowEvent: true }]);
  assert.equal(service.requests[0].url, "/caveat/api/v1/recipients");
});

test("CAVEAT_DEPLOYMENT wins over the page's location", async (t) => {
  const service = await serve(t, answer(NONE));
  const location = { origin: "https://elsewhere.example", search: "?key=wrong" };
  const host = outlook();
  load(host, { deployment: { baseUrl: service.baseUrl, key: KEY }, globals: { location } });
  await raise(host, "onMessageSendHandler");
  assert.equal(service.requests[0].headers.authorization, `Bearer ${KEY}`);
});

test("no configuration at all: nothing is sent, the send goes, the notification says so", async () => {
  /** @type {unknown[]} */
  const fetched = [];
  const host = outlook();
  load(host, { globals: { fetch: (/** @type {unknown} */ url) => fetched.push(url) } });
  assert.deepEqual(await raise(host, "onMessageSendHandler"), [{ allowEvent: true }]);
  assert.deepEqual(fetched, []);
  assert.deepEqual(host.notifications, [couldNotCheck("this add-in has no service address or key")]);
});

test("a page without a key is 'not configured', and plain http off loopback is refused", async () => {
  /** @type {unknown[]} */
  const fetched = [];
  const spy = (/** @type {unknown} */ url) => fetched.push(url);
  const withoutKey = outlook();
  load(withoutKey, { globals: { fetch: spy, location: { origin: "https://caveat.example", search: "?lang=en" } } });
  await raise(withoutKey, "onMessageSendHandler");
  assert.deepEqual(withoutKey.notifications, [couldNotCheck("this add-in has no service address or key")]);

  const plainHttp = outlook();
  load(plainHttp, { deployment: { baseUrl: "http://caveat.example", key: KEY }, globals: { fetch: spy } });
  assert.deepEqual(await raise(plainHttp, "onMessageSendHandler"), [{ allowEvent: true }]);
  assert.deepEqual(plainHttp.notifications, [couldNotCheck("the service address does not use https")]);
  assert.deepEqual(fetched, []);
});

// ------------------------------------------------------------------ commands.html

test("commands.html loads Office.js, then MSAL.js from this service, then launchevent.js, with nothing inline", () => {
  const scripts = [...PAGE.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script>/gi)];
  assert.deepEqual(
    scripts.map((m) => m[1].match(/\bsrc="([^"]*)"/)?.[1]),
    ["https://appsforoffice.microsoft.com/lib/1/hosted/office.js", "../vendor/msal-browser.min.js", "launchevent.js"],
  );
  for (const m of scripts) assert.equal(m[2].trim(), "", "no inline script");
  assert.doesNotMatch(PAGE, /<style\b|\sstyle=|\son[a-z]+=/i, "no inline style or event attribute");
  assert.match(PAGE, /^<!DOCTYPE html>/i);
});

// ------------------------------------------------------------------ the person's token

const IDENTITY = { client_id: "0c8f5e52-3b7d-4a61-8e2f-9d4c1b0a7e36", authority: "https://login.example/organizations", scopes: ["api://0c8f5e52-3b7d-4a61-8e2f-9d4c1b0a7e36/access_as_user"] };
const SIGN_IN_NEEDED = "sign-in needed (open the Caveat pane and choose Sign in)";

/**
 * MSAL's nestable client as the guard meets it: account discovery, acquireTokenSilent
 * answering from `tokens` in turn (an Error entry is thrown), every request recorded.
 * @param {(string | Error)[]} tokens
 */
function fakeMsal(tokens) {
  class InteractionRequiredAuthError extends Error {
    constructor() {
      super("interaction_required: AADSTS65001");
      this.name = "InteractionRequiredAuthError";
      this.errorCode = "interaction_required";
    }
  }
  /** @type {any[]} */
  const made = [];
  /** @type {any[]} */
  const silent = [];
  const account = { username: "ana@example.org", name: "Ana Example", homeAccountId: "ana" };
  const msal = {
    InteractionRequiredAuthError,
    async createNestablePublicClientApplication(/** @type {any} */ config) {
      made.push(plain(config));
      return {
        getActiveAccount: () => null,
        getAllAccounts: () => [account],
        async acquireTokenSilent(/** @type {any} */ request) {
          silent.push(plain(request));
          const next = tokens.shift();
          if (next === undefined || next instanceof Error) throw next ?? new InteractionRequiredAuthError();
          return { accessToken: next, expiresOn: new Date(Date.now() + 3600_000), account };
        },
      };
    },
  };
  return { msal, made, silent, InteractionRequiredAuthError };
}

/**
 * A host where Outlook supports nested app authentication (or not), optionally with
 * Office's single sign-on.
 * @param {{naa?: boolean, sso?: () => Promise<string>}} options
 */
function signInHost({ naa = true, sso } = {}) {
  const host = outlook();
  const mailboxSets = host.Office.context.requirements.isSetSupported;
  host.Office.context.requirements.isSetSupported = (/** @type {string} */ name, /** @type {string} */ version) =>
    name === "NestedAppAuth" ? naa && version === "1.1" : mailboxSets(name, version);
  if (sso) /** @type {any} */ (host.Office).auth = { getAccessToken: sso };
  return host;
}

test("sign-in on: the guard sends the person's token from MSAL's nestable client, silently", async (t) => {
  const service = await serve(t, answer(DANGER));
  const host = signInHost();
  const { msal, made, silent } = fakeMsal(["token-ana-1"]);
  load(host, { deployment: { baseUrl: service.baseUrl, identity: IDENTITY }, globals: { msal } });
  const [done] = await raise(host, "onMessageSendHandler");
  assert.equal(done.allowEvent, false);
  assert.equal(service.requests.length, 1);
  assert.equal(service.requests[0].headers.authorization, "Bearer token-ana-1");
  assert.deepEqual(made, [{ auth: { clientId: IDENTITY.client_id, authority: IDENTITY.authority } }]);
  assert.deepEqual(silent[0].scopes, IDENTITY.scopes);
  assert.equal(silent[0].account.username, "ana@example.org");
  // The token is kept while it lasts: the next event asks MSAL nothing.
  await raise(host, "onMessageRecipientsChangedHandler");
  assert.equal(silent.length, 1);
  assert.equal(service.requests[1].headers.authorization, "Bearer token-ana-1");
});

test("sign-in on, no token without the person: not checked, the notification says sign-in needed, the send goes ahead", async (t) => {
  const service = await serve(t, answer(DANGER));
  const host = signInHost();
  const { msal, InteractionRequiredAuthError } = fakeMsal([]);
  msal.InteractionRequiredAuthError = InteractionRequiredAuthError;
  load(host, { deployment: { baseUrl: service.baseUrl, identity: IDENTITY, key: KEY }, globals: { msal } });
  assert.deepEqual(await raise(host, "onMessageSendHandler"), [{ allowEvent: true }]);
  assert.deepEqual(host.notifications, [couldNotCheck(SIGN_IN_NEEDED)]);
  assert.equal(service.requests.length, 0, "no request with the demo key instead");
});

test("a refused token is renewed once, silently, and the check goes on", async (t) => {
  let calls = 0;
  const service = await serve(t, (seen, res) => {
    calls += 1;
    if (calls === 1) answer({ error: { code: "invalid_token", message: "the token has expired" } }, 401)(seen, res);
    else answer(CAUTION)(seen, res);
  });
  const host = signInHost();
  const { msal, silent } = fakeMsal(["token-old", "token-new"]);
  load(host, { deployment: { baseUrl: service.baseUrl, identity: IDENTITY }, globals: { msal } });
  const [done] = await raise(host, "onMessageSendHandler");
  assert.equal(done.allowEvent, false);
  assert.deepEqual(service.requests.map((r) => r.headers.authorization), ["Bearer token-old", "Bearer token-new"]);
  assert.equal(silent[1].forceRefresh, true);
});

test("a token refused again after the renewal is sign-in needed, after two requests and no more", async (t) => {
  const service = await serve(t, answer({ error: { code: "invalid_token", message: "wrong audience" } }, 401));
  const host = signInHost();
  const { msal } = fakeMsal(["token-1", "token-2", "token-3"]);
  load(host, { deployment: { baseUrl: service.baseUrl, identity: IDENTITY }, globals: { msal } });
  assert.deepEqual(await raise(host, "onMessageSendHandler"), [{ allowEvent: true }]);
  assert.equal(service.requests.length, 2);
  assert.deepEqual(host.notifications, [couldNotCheck(SIGN_IN_NEEDED)]);
});

test("without nested app authentication the guard asks Office's single sign-on, without prompts", async (t) => {
  const service = await serve(t, answer(NONE));
  /** @type {any[]} */
  const asked = [];
  const host = signInHost({ naa: false, sso: async (/** @type {any} */ options) => (asked.push(plain(options)), "sso-token") });
  const { msal, made } = fakeMsal(["never"]);
  load(host, { deployment: { baseUrl: service.baseUrl, identity: IDENTITY }, globals: { msal } });
  assert.deepEqual(await raise(host, "onMessageSendHandler"), [{ allowEvent: true }]);
  assert.equal(service.requests[0].headers.authorization, "Bearer sso-token");
  assert.deepEqual(asked, [{ allowSignInPrompt: false, allowConsentPrompt: false, forMSGraphAccess: false }]);
  assert.deepEqual(made, [], "MSAL is not used where Outlook has no NAA");
});

test("single sign-on failing, or no way to a token at all, is sign-in needed", async (t) => {
  const service = await serve(t, answer(NONE));
  const failing = signInHost({ naa: false, sso: async () => Promise.reject({ code: 13001, name: "Error" }) });
  load(failing, { deployment: { baseUrl: service.baseUrl, identity: IDENTITY } });
  assert.deepEqual(await raise(failing, "onMessageSendHandler"), [{ allowEvent: true }]);
  assert.deepEqual(failing.notifications, [couldNotCheck(SIGN_IN_NEEDED)]);
  const bare = signInHost({ naa: true });
  load(bare, { deployment: { baseUrl: service.baseUrl, identity: IDENTITY } });
  assert.deepEqual(await raise(bare, "onMessageRecipientsChangedHandler"), [undefined]);
  assert.deepEqual(bare.notifications, [couldNotCheck(SIGN_IN_NEEDED)]);
  assert.equal(service.requests.length, 0);
});

// ------------------------------------------------------------------ words in Outlook's language

/** Messages in two more languages, as the service would write them (a German file lacking one). */
const SPOKEN = {
  ...MESSAGES,
  de: {
    outlook_event_failed_unreachable: "Caveat konnte die Empfänger nicht prüfen: Der Caveat-Dienst war nicht erreichbar.",
    outlook_event_flagged: "Markiert: $1.",
    outlook_event_send_anyway_hint: "Bestätigen Sie diese Adressen mit den Betroffenen, bevor Sie „Trotzdem senden“ wählen.",
  },
  pl: {
    outlook_event_flagged_more_one: "Oznaczone: $2 i $1 inny.",
    outlook_event_flagged_more_few: "Oznaczone: $2 i $1 inne.",
    outlook_event_flagged_more_many: "Oznaczone: $2 i $1 innych.",
    outlook_event_flagged_more_other: "Oznaczone: $2 i $1 innego.",
    outlook_event_fix_first_hint: "Popraw lub usuń tych odbiorców, a potem wyślij ponownie.",
    outlook_event_send_anyway_hint: "Potwierdź te adresy, zanim wybierzesz Wyślij mimo to.",
  },
};

/** @param {string} displayLanguage */
function speaking(displayLanguage, options = {}) {
  const host = outlook(options);
  host.Office.context.displayLanguage = displayLanguage;
  return host;
}

test("Outlook in German: the request asks for German, the failure and the dialog are German", async (t) => {
  const service = await serve(t, answer(DANGER));
  const host = speaking("de-DE");
  const context = load(host, { deployment: { baseUrl: service.baseUrl, key: KEY }, messages: SPOKEN });
  assert.equal(context.CaveatSendGuard.language(), "de");
  const [done] = await raise(host, "onMessageSendHandler");
  assert.equal(service.requests[0].body.language, "de");
  assert.equal(
    done.errorMessage,
    `${DANGER.banner.text} Markiert: ${SWAPPED}. Bestätigen Sie diese Adressen mit den Betroffenen, bevor Sie „Trotzdem senden“ wählen.`,
  );

  const down = speaking("de-AT");
  load(down, { deployment: { baseUrl: await closedPort(), key: KEY }, messages: SPOKEN });
  assert.deepEqual(await raise(down, "onMessageSendHandler"), [{ allowEvent: true }]);
  assert.equal(down.notifications[0].details.message, "Caveat konnte die Empfänger nicht prüfen: Der Caveat-Dienst war nicht erreichbar.");

  // A message the German file lacks is said in English.
  const late = speaking("de-DE");
  load(late, {
    deployment: { baseUrl: (await serve(t, answer({ level: "severe", findings: [] }))).baseUrl, key: KEY },
    messages: SPOKEN,
  });
  await raise(late, "onMessageRecipientsChangedHandler");
  assert.deepEqual(late.notifications, [couldNotCheck("the Caveat service gave an answer this add-in does not understand")]);
});

test("Outlook in Polish: 'and N more' takes the plural form Polish needs for N", async (t) => {
  const flagged = (n) => ({
    ...DANGER,
    recipients: Array.from({ length: n }, (_, i) => ({ address: `r${i}@free.example`, level: "danger", findings: ["X"] })),
  });
  const cases = [
    [4, "Oznaczone: r0@free.example, r1@free.example, r2@free.example i 1 inny."],
    [5, "Oznaczone: r0@free.example, r1@free.example, r2@free.example i 2 inne."],
    [8, "Oznaczone: r0@free.example, r1@free.example, r2@free.example i 5 innych."],
  ];
  for (const [n, words] of cases) {
    const service = await serve(t, answer(flagged(n)));
    const host = speaking("pl-PL", { mailboxMinor: 12 });
    load(host, { deployment: { baseUrl: service.baseUrl, key: KEY }, messages: SPOKEN });
    const [done] = await raise(host, "onMessageSendHandler");
    assert.ok(done.errorMessage.endsWith(`${words} Popraw lub usuń tych odbiorców, a potem wyślij ponownie.`), done.errorMessage);
    assert.equal(service.requests[0].body.language, "pl");
  }
});

test("a language the add-in does not speak, or none, is English", async (t) => {
  for (const tag of ["xx-YY", "", "klingon and more", undefined]) {
    const service = await serve(t, answer(CAUTION));
    const host = speaking(/** @type {any} */ (tag), { mailboxMinor: 12 });
    load(host, { deployment: { baseUrl: service.baseUrl, key: KEY }, messages: SPOKEN });
    const [done] = await raise(host, "onMessageSendHandler");
    assert.equal(service.requests[0].body.language, "en");
    assert.ok(done.errorMessage.endsWith("Correct or remove these recipients, then send again."), String(tag));
  }
});

test("an info verdict never becomes a notification, in any language", async (t) => {
  const service = await serve(t, answer(INFO));
  const host = speaking("de-DE");
  load(host, { deployment: { baseUrl: service.baseUrl, key: KEY }, messages: SPOKEN });
  assert.deepEqual(await raise(host, "onMessageRecipientsChangedHandler"), [undefined]);
  assert.deepEqual(await raise(host, "onMessageSendHandler"), [{ allowEvent: true }]);
  assert.ok(host.notifications.every((n) => n.method === "removeAsync"), JSON.stringify(host.notifications));
});
