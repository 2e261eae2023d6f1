// @ts-check
/**
 * A stand-in for the part of Thunderbird's `messenger` (MV3, Thunderbird 128+) that the
 * extension uses, for the node tests.
 *
 * Faithful where a mistake would pass unnoticed:
 * - events have addListener / removeListener / hasListener and fire asynchronously;
 * - runtime messages are structured-cloned both ways; the first listener returning a
 *   promise answers; a rejected promise rejects the sender's promise with its message; no
 *   listener at all is "Receiving end does not exist";
 * - MV3 shapes: onMessagesDisplayed and getDisplayedMessages give a MessageList
 *   ({id, messages}); there is no getDisplayedMessage; getRaw gives a real File by default;
 * - registerScripts refuses a duplicate id and a file that is not in the extension (paths
 *   are from the XPI root: thunderbird/…, shared/…, icons/…);
 * - messageDisplayAction setters check their details (an integer tab that exists, no
 *   windowId);
 * - permissions.request works only while handling user input (set `userInput` around a
 *   simulated click) and only for origins covered by the manifest's
 *   optional_host_permissions; match patterns with a port are invalid, as in Firefox;
 * - storage.local values are cloned, and onChanged fires with (changes, "local");
 *   storage.session is a separate area that fires nothing here (set `control.noSession`
 *   before createCaveat to have a host without it);
 * - identity.getRedirectURL is Thunderbird's (https://<sha1 of the id>.extensions.allizom.org/)
 *   and launchWebAuthFlow refuses a redirect_uri outside it, as Thunderbird does; what the
 *   provider answers is `control.provider(url, interactive)`, which returns the URL it
 *   redirects to, or throws; a flow that needs a window and is not interactive is refused
 *   with Thunderbird's "Requires user interaction".
 *
 * Every call that changes something the user sees is recorded.
 */
import { createHash } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import path from "node:path";

const ADDIN = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..");
export const MANIFEST = JSON.parse(readFileSync(path.join(ADDIN, "thunderbird", "manifest.json"), "utf8"));
export const EXTENSION_ID = MANIFEST.browser_specific_settings.gecko.id;
export const EXTENSION_BASE = "moz-extension://0c5e3f1e-4b6a-4f53-9d55-standin/";
/** Thunderbird's redirect URL for this extension (the default redirect domain). */
export const REDIRECT_URL = `https://${createHash("sha1").update(EXTENSION_ID).digest("hex")}.extensions.allizom.org/`;

/**
 * The extension reads its own files with fetch (i18n.js the message files beside its
 * folder): in the tests those are file: URLs of the source tree, which node's fetch does not
 * read; they are read from disk here, every other URL goes to the real fetch.
 */
const realFetch = globalThis.fetch;
globalThis.fetch = async function fetchOwnFiles(input, init) {
  const url = typeof input === "string" ? input : input instanceof URL ? input.href : input.url;
  if (!url.startsWith("file:")) return realFetch(input, init);
  try {
    return new Response(readFileSync(new URL(url)), { headers: { "Content-Type": "application/json" } });
  } catch {
    return new Response("", { status: 404 });
  }
};

/** The English messages (addin/_locales/en), as Thunderbird's browser.i18n.getMessage reads them. */
export const ENGLISH = JSON.parse(readFileSync(path.join(ADDIN, "_locales", "en", "messages.json"), "utf8"));

/** What a provider stand-in throws when it would have to show a page to the person. */
export class NeedsWindow extends Error {}

/** Where an XPI-root path lives in the source tree (the builder's layout). */
export function sourcePath(/** @type {string} */ xpiPath) {
  const clean = xpiPath.replace(/^\/+/, "");
  if (clean.startsWith("thunderbird/") || clean.startsWith("shared/")) return path.join(ADDIN, clean);
  if (clean === "manifest.json") return path.join(ADDIN, "thunderbird", "manifest.json");
  if (clean.startsWith("icons/")) return path.join(ADDIN, "..", "static", clean);
  return path.join(ADDIN, "__nowhere__", clean);
}

const later = () => new Promise((resolve) => setTimeout(resolve, 0));

class StandinEvent {
  constructor() {
    /** @type {Function[]} */
    this.listeners = [];
  }
  /** @param {Function} fn */
  addListener(fn) {
    if (typeof fn !== "function") throw new Error("Incorrect argument types: listener must be a function");
    if (!this.listeners.includes(fn)) this.listeners.push(fn);
  }
  /** @param {Function} fn */
  removeListener(fn) {
    this.listeners = this.listeners.filter((l) => l !== fn);
  }
  /** @param {Function} fn */
  hasListener(fn) {
    return this.listeners.includes(fn);
  }
  /**
   * Fire asynchronously; resolves when every listener's returned promise has settled (the
   * host does not wait, the tests may).
   * @param {...any} args
   */
  async fire(...args) {
    await later();
    const results = this.listeners.map((l) => {
      try {
        return Promise.resolve(l(...args.map((a) => structuredClone(a))));
      } catch (error) {
        return Promise.reject(error);
      }
    });
    return Promise.allSettled(results);
  }
}

/** @param {string} text */
function binary(text) {
  return Buffer.from(text, "utf8");
}

/**
 * Is `pattern` a valid host match pattern (Firefox: no port)?
 * @param {string} pattern
 */
export function validPattern(pattern) {
  return /^(\*|https?):\/\/(\*|\*\.[^/*:[\]]+|[^/*:[\]]+|\[[0-9a-fA-F:.]+\])\/.*$/.test(pattern);
}

/**
 * Does `outer` (from the manifest) cover `inner` (requested)?
 * @param {string} outer
 * @param {string} inner
 */
function covers(outer, inner) {
  const split = (/** @type {string} */ p) => {
    const m = /^([^:]+):\/\/([^/]+)(\/.*)$/.exec(p);
    return m ? { scheme: m[1], host: m[2], path: m[3] } : null;
  };
  const o = split(outer);
  const i = split(inner);
  if (!o || !i) return false;
  const scheme = o.scheme === i.scheme || (o.scheme === "*" && (i.scheme === "http" || i.scheme === "https"));
  const host = o.host === "*" || o.host === i.host || (o.host.startsWith("*.") && (i.host === o.host.slice(2) || i.host.endsWith(o.host.slice(1))));
  const pathOk = o.path === "/*" || o.path === i.path;
  return scheme && host && pathOk;
}

/** A crude HTML-to-text, as far as the tests need Thunderbird's converter. */
function htmlToPlain(/** @type {string} */ html) {
  return html
    .replace(/<(script|style)[^>]*>[\s\S]*?<\/\1>/gi, "")
    .replace(/<br\s*\/?>/gi, "\n")
    .replace(/<\/p>/gi, "\n\n")
    .replace(/<[^>]*>/g, "")
    .replace(/&nbsp;/g, " ")
    .replace(/&lt;/g, "<")
    .replace(/&gt;/g, ">")
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&amp;/g, "&")
    .replace(/[ \t]+/g, " ")
    .trim();
}

/**
 * RFC 5322 mailbox list, as far as Thunderbird's parser goes for the tests: quoted names,
 * angle addresses, bare addresses, groups flattened unless asked for.
 * @param {string} text
 * @param {boolean} [preserveGroups]
 */
function parseMailboxes(text, preserveGroups = false) {
  /** @type {string[]} */
  const items = [];
  let current = "";
  let quoted = false;
  let angle = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === "\\" && quoted) {
      current += c + (text[i + 1] ?? "");
      i++;
      continue;
    }
    if (c === '"') quoted = !quoted;
    if (!quoted && c === "<") angle++;
    if (!quoted && c === ">") angle = Math.max(0, angle - 1);
    if (!quoted && angle === 0 && (c === "," || c === ";")) {
      items.push(current);
      current = "";
      continue;
    }
    current += c;
  }
  items.push(current);
  /** @type {{name?: string, email?: string, group?: any[]}[]} */
  const out = [];
  for (const raw of items) {
    const item = raw.trim();
    if (!item) continue;
    const group = /^([^:<>"@]+):(.*)$/.exec(item);
    if (group) {
      const members = parseMailboxes(group[2]);
      if (preserveGroups) out.push({ name: group[1].trim(), group: members });
      else out.push(...members);
      continue;
    }
    const m = /^(.*)<([^<>]*)>\s*$/.exec(item);
    if (m) {
      let name = m[1].trim();
      if (name.startsWith('"') && name.endsWith('"') && name.length >= 2) name = name.slice(1, -1).replace(/\\(.)/g, "$1");
      out.push({ name, email: m[2].trim() });
    } else if (item.includes("@")) {
      out.push({ name: "", email: item });
    } else {
      out.push({ name: item });
    }
  }
  return out;
}

/**
 * @typedef {{
 *   id: number, subject?: string, author?: string, headerMessageId?: string,
 *   external?: boolean, folder?: any, date?: string,
 * }} Header
 * An attachment as listAttachments lists it (a MessagePart), with its bytes; `fail` makes
 * getAttachmentFile fail for it.
 * @typedef {{name: string, contentType: string, size: number, partName: string, content: Uint8Array | string, fail?: boolean}} StoredAttachment
 * @typedef {{header: Header, raw: Uint8Array, parts: {contentType: string, content: string}[], attachments: StoredAttachment[]}} StoredMessage
 */

export function createStandin() {
  /** @type {Map<number, StoredMessage>} */
  const messages = new Map();
  /** @type {Map<number, number[]>} */
  const displayed = new Map();
  /** @type {{id: number, windowId: number, type: string, active: boolean}[]} */
  const tabs = [{ id: 7, windowId: 1, type: "messageDisplay", active: true }];
  let currentWindowId = 1;
  /** @type {Record<string, unknown>} */
  const storageData = {};
  /** @type {any[]} */
  const registered = [];
  /** @type {{method: string, details: any}[]} */
  const actionCalls = [];
  /** @type {{method: string, details: any}[]} */
  const injections = [];
  /** @type {string[]} */
  const granted = [];
  /** @type {{origins: string[], userInput: boolean}[]} */
  const permissionRequests = [];
  /** Whole-message reads of a File given by getRaw (the code should slice it). */
  const wholeReads = { count: 0 };
  /** The part names of the attachments whose file was asked for, in order. */
  const fetchedAttachments = /** @type {string[]} */ ([]);
  /** @type {Record<string, unknown>} */
  const sessionData = {};
  /** @type {{url: string, interactive: boolean}[]} */
  const authFlows = [];
  let optionsOpened = 0;
  const control = {
    /** @type {(url: string, interactive: boolean) => string} */
    provider: () => {
      throw new Error("no provider in this test");
    },
    noSession: false,
    userInput: false,
    /** What permissions.request answers when the user is asked. */
    userAllows: true,
    failGetRaw: false,
    failInject: false,
    /** Thunderbird's display language (i18n.getUILanguage). */
    uiLanguage: "en-US",
  };

  const events = {
    onMessage: new StandinEvent(),
    onMessagesDisplayed: new StandinEvent(),
    onStorageChanged: new StandinEvent(),
    onLocalChanged: new StandinEvent(),
    onTabRemoved: new StandinEvent(),
  };

  /** @param {number} tabId */
  function tabOf(tabId) {
    if (!Number.isInteger(tabId)) throw new Error(`Type error for parameter tabId (Expected integer instead of ${JSON.stringify(tabId)})`);
    const tab = tabs.find((t) => t.id === tabId);
    if (!tab) throw new Error(`Invalid tab ID: ${tabId}`);
    return tab;
  }

  /** @param {number} id */
  function messageOf(id) {
    const found = messages.get(id);
    if (!found) throw new Error(`Message not found: ${id}.`);
    return found;
  }

  /** @param {Header} header */
  function messageHeader(header) {
    return structuredClone({ external: false, read: false, flagged: false, junk: false, ...header });
  }

  /**
   * @param {string} method
   * @param {any} details
   * @param {(details: any) => void} check
   */
  async function actionSetter(method, details, check) {
    if (!details || typeof details !== "object") throw new Error(`Incorrect argument types for messageDisplayAction.${method}.`);
    if ("windowId" in details) throw new Error("windowId is not supported by messageDisplayAction");
    if ("tabId" in details) tabOf(details.tabId);
    check(details);
    actionCalls.push({ method, details: structuredClone(details) });
  }

  /** @param {Record<string, unknown>} changes */
  function changed(changes) {
    if (!Object.keys(changes).length) return;
    void events.onStorageChanged.fire(changes, "local");
    void events.onLocalChanged.fire(changes);
  }

  const messenger = {
    runtime: {
      id: EXTENSION_ID,
      /** @param {string} p */
      getURL: (p) => EXTENSION_BASE + String(p).replace(/^\/+/, ""),
      onMessage: events.onMessage,
      getManifest: () => structuredClone(MANIFEST),
      async openOptionsPage() {
        await later();
        optionsOpened++;
      },
    },
    i18n: {
      getUILanguage: () => control.uiLanguage,
      /** @param {string} id */
      getMessage: (id) => ENGLISH[id]?.message ?? "",
    },
    identity: {
      getRedirectURL: () => REDIRECT_URL,
      /** @param {{url: string, interactive?: boolean}} details */
      async launchWebAuthFlow(details) {
        await later();
        const url = new URL(details.url);
        const redirect = url.searchParams.get("redirect_uri") || REDIRECT_URL;
        if (!redirect.startsWith(REDIRECT_URL)) throw { message: "redirect_uri not allowed" };
        const interactive = details.interactive === true;
        authFlows.push({ url: details.url, interactive });
        try {
          return control.provider(details.url, interactive);
        } catch (error) {
          if (error instanceof NeedsWindow) {
            throw { message: interactive ? "User cancelled or denied access." : "Requires user interaction" };
          }
          throw { message: "Invalid request" };
        }
      },
    },
    storage: {
      get session() {
        if (control.noSession) return undefined;
        return {
          /** @param {string | string[]} keys */
          async get(keys) {
            await later();
            /** @type {Record<string, unknown>} */
            const out = {};
            for (const k of typeof keys === "string" ? [keys] : keys) if (k in sessionData) out[k] = structuredClone(sessionData[k]);
            return out;
          },
          /** @param {Record<string, unknown>} items */
          async set(items) {
            await later();
            for (const [k, v] of Object.entries(items)) sessionData[k] = structuredClone(v);
          },
          /** @param {string | string[]} keys */
          async remove(keys) {
            await later();
            for (const k of typeof keys === "string" ? [keys] : keys) delete sessionData[k];
          },
        };
      },
      onChanged: events.onStorageChanged,
      local: {
        onChanged: events.onLocalChanged,
        /** @param {null | string | string[] | Record<string, unknown>} [keys] */
        async get(keys) {
          await later();
          /** @type {Record<string, unknown>} */
          const out = {};
          if (keys === null || keys === undefined) return structuredClone(storageData);
          if (typeof keys === "string") keys = [keys];
          if (Array.isArray(keys)) {
            for (const k of keys) if (k in storageData) out[k] = structuredClone(storageData[k]);
            return out;
          }
          for (const [k, d] of Object.entries(keys)) out[k] = k in storageData ? structuredClone(storageData[k]) : d;
          return out;
        },
        /** @param {Record<string, unknown>} items */
        async set(items) {
          await later();
          /** @type {Record<string, {oldValue?: unknown, newValue?: unknown}>} */
          const changes = {};
          for (const [k, v] of Object.entries(items)) {
            changes[k] = { oldValue: storageData[k], newValue: structuredClone(v) };
            storageData[k] = structuredClone(v);
          }
          changed(changes);
        },
        /** @param {string | string[]} keys */
        async remove(keys) {
          await later();
          /** @type {Record<string, {oldValue?: unknown}>} */
          const changes = {};
          for (const k of typeof keys === "string" ? [keys] : keys) {
            if (k in storageData) {
              changes[k] = { oldValue: storageData[k] };
              delete storageData[k];
            }
          }
          changed(changes);
        },
      },
    },
    scripting: {
      messageDisplay: {
        /** @param {{ids?: string[]}} [filter] */
        async getRegisteredScripts(filter) {
          await later();
          const ids = filter && filter.ids;
          return structuredClone(registered.filter((s) => !ids || ids.includes(s.id)));
        },
        /** @param {any[]} scripts */
        async registerScripts(scripts) {
          await later();
          if (!Array.isArray(scripts)) throw new Error("Incorrect argument types for scripting.messageDisplay.registerScripts.");
          for (const s of scripts) {
            if (typeof s.id !== "string" || !s.id || s.id.startsWith("_")) throw new Error(`Invalid content script id.`);
            if (registered.some((r) => r.id === s.id)) throw new Error(`Script ID "${s.id}" has already been registered`);
            for (const file of [...(s.js ?? []), ...(s.css ?? [])]) {
              if (!existsSync(sourcePath(file))) throw new Error(`Unable to load script: ${EXTENSION_BASE}${file}`);
            }
            if (s.runAt && !["document_start", "document_end", "document_idle"].includes(s.runAt)) {
              throw new Error(`Invalid enumeration value "${s.runAt}"`);
            }
          }
          for (const s of scripts) registered.push(structuredClone(s));
        },
      },
      /** @param {any} injection */
      async executeScript(injection) {
        await later();
        tabOf(injection?.target?.tabId);
        if (control.failInject) throw new Error("Missing host permission for the tab");
        injections.push({ method: "executeScript", details: structuredClone(injection) });
        return [{ frameId: 0, result: undefined }];
      },
      /** @param {any} injection */
      async insertCSS(injection) {
        await later();
        tabOf(injection?.target?.tabId);
        if (control.failInject) throw new Error("Missing host permission for the tab");
        injections.push({ method: "insertCSS", details: structuredClone(injection) });
      },
    },
    messages: {
      /**
       * @param {number} id
       * @param {{data_format?: "File" | "BinaryString", decrypt?: boolean}} [options]
       */
      async getRaw(id, options = {}) {
        await later();
        for (const key of Object.keys(options)) {
          if (key !== "data_format" && key !== "decrypt") throw new Error(`Type error for parameter options (Unexpected property "${key}")`);
        }
        const stored = messageOf(id);
        if (control.failGetRaw) throw new Error("Error reading message file");
        if (options.data_format === "BinaryString") return Buffer.from(stored.raw).toString("latin1");
        const file = new File([stored.raw], "message.eml", { type: "message/rfc822" });
        for (const name of ["text", "arrayBuffer", "stream", "bytes"]) {
          const original = /** @type {any} */ (file)[name];
          if (typeof original !== "function") continue;
          Object.defineProperty(file, name, {
            value: (/** @type {any[]} */ ...args) => {
              wholeReads.count++;
              return original.apply(file, args);
            },
          });
        }
        return file;
      },
      /** @param {number} id */
      async listInlineTextParts(id) {
        await later();
        return structuredClone(messageOf(id).parts);
      },
      /** @param {number} id */
      async listAttachments(id) {
        await later();
        return messageOf(id).attachments.map(({ name, contentType, size, partName }) => ({ name, contentType, size, partName }));
      },
      /**
       * @param {number} id
       * @param {string} partName
       */
      async getAttachmentFile(id, partName) {
        await later();
        fetchedAttachments.push(partName);
        const found = messageOf(id).attachments.find((a) => a.partName === partName);
        if (!found || found.fail) throw new Error(`Part ${partName} not found in message ${id}.`);
        const bytes = typeof found.content === "string" ? binary(found.content) : found.content;
        return new File([bytes], found.name, { type: found.contentType });
      },
    },
    messageDisplay: {
      onMessagesDisplayed: events.onMessagesDisplayed,
      /** @param {number} tabId */
      async getDisplayedMessages(tabId) {
        await later();
        tabOf(tabId);
        const ids = displayed.get(tabId) ?? [];
        return { id: null, messages: ids.map((id) => messageHeader(messageOf(id).header)) };
      },
    },
    messageDisplayAction: {
      /** @param {any} details */
      setBadgeText: (details) =>
        actionSetter("setBadgeText", details, (d) => {
          if (d.text !== null && typeof d.text !== "string") throw new Error("text must be a string or null");
        }),
      /** @param {any} details */
      setBadgeBackgroundColor: (details) =>
        actionSetter("setBadgeBackgroundColor", details, (d) => {
          if (d.color !== null && typeof d.color !== "string" && !Array.isArray(d.color)) throw new Error("color must be a string, an array or null");
        }),
      /** @param {any} details */
      setTitle: (details) =>
        actionSetter("setTitle", details, (d) => {
          if (d.title !== null && typeof d.title !== "string") throw new Error("title must be a string or null");
        }),
    },
    tabs: {
      onRemoved: events.onTabRemoved,
      /** @param {{active?: boolean, currentWindow?: boolean, type?: string}} [query] */
      async query(query = {}) {
        await later();
        return structuredClone(
          tabs.filter(
            (t) =>
              (query.active === undefined || t.active === query.active) &&
              (query.currentWindow === undefined || (t.windowId === currentWindowId) === query.currentWindow) &&
              (query.type === undefined || t.type === query.type),
          ),
        );
      },
    },
    permissions: {
      /** @param {{origins?: string[], permissions?: string[]}} request */
      request(request) {
        const origins = request?.origins ?? [];
        permissionRequests.push({ origins: [...origins], userInput: control.userInput });
        if (!control.userInput) {
          return Promise.reject(new Error("permissions.request may only be called from a user input handler"));
        }
        for (const origin of origins) {
          if (!validPattern(origin)) return Promise.reject(new Error(`Invalid url pattern: ${origin}`));
          if (!(MANIFEST.optional_host_permissions ?? []).some((/** @type {string} */ o) => covers(o, origin))) {
            return Promise.reject(new Error(`Cannot request origin permission for ${origin} since it was not declared in the manifest`));
          }
        }
        return later().then(() => {
          if (!control.userAllows) return false;
          for (const o of origins) if (!granted.includes(o)) granted.push(o);
          return true;
        });
      },
      /** @param {{origins?: string[]}} request */
      async contains(request) {
        await later();
        return (request?.origins ?? []).every((o) => granted.includes(o));
      },
    },
    messengerUtilities: {
      /** @param {string} body */
      async convertToPlainText(body) {
        await later();
        return htmlToPlain(String(body));
      },
      /**
       * @param {string} text
       * @param {boolean} [preserveGroups]
       */
      async parseMailboxString(text, preserveGroups) {
        await later();
        return parseMailboxes(String(text), preserveGroups);
      },
    },
  };

  /**
   * Deliver a runtime message as Thunderbird does, from `sender`.
   * @param {any} message
   * @param {any} sender
   */
  async function send(message, sender) {
    await later();
    const listeners = events.onMessage.listeners;
    if (!listeners.length) throw new Error("Could not establish connection. Receiving end does not exist.");
    /** @type {Promise<any> | null} */
    let answer = null;
    for (const listener of listeners) {
      let result;
      try {
        result = listener(structuredClone(message), structuredClone(sender), () => {});
      } catch (error) {
        continue;
      }
      if (!answer && result && typeof result.then === "function") answer = result;
    }
    if (!answer) return undefined;
    try {
      return structuredClone(await answer);
    } catch (error) {
      throw new Error(error instanceof Error ? error.message : "An unexpected error occurred");
    }
  }

  return {
    messenger,
    send,
    control,
    storageData,
    sessionData,
    authFlows,
    optionsOpened: () => optionsOpened,
    registered,
    actionCalls,
    injections,
    granted,
    permissionRequests,
    wholeReads,
    fetchedAttachments,
    listenerCount: () =>
      events.onMessage.listeners.length + events.onMessagesDisplayed.listeners.length + events.onStorageChanged.listeners.length,

    /**
     * Add a message Thunderbird can read.
     * @param {Header} header
     * @param {{raw?: string | Uint8Array, parts?: {contentType: string, content: string}[], attachments?: StoredAttachment[]}} [content]
     */
    addMessage(header, { raw = "", parts = [], attachments = [] } = {}) {
      messages.set(header.id, {
        header: structuredClone(header),
        raw: typeof raw === "string" ? binary(raw) : raw,
        parts: structuredClone(parts),
        attachments: structuredClone(attachments),
      });
      return header.id;
    },

    /**
     * Show messages in a tab and fire onMessagesDisplayed (MV3: a MessageList).
     * @param {number} tabId
     * @param {number[]} ids
     */
    display(tabId, ids) {
      const tab = tabOf(tabId);
      displayed.set(tabId, [...ids]);
      const list = { id: null, messages: ids.map((id) => messageHeader(messageOf(id).header)) };
      return events.onMessagesDisplayed.fire({ ...tab }, list);
    },

    /** Show messages in a tab without the event (the display script may ask first). */
    setDisplayed(/** @type {number} */ tabId, /** @type {number[]} */ ids) {
      tabOf(tabId);
      displayed.set(tabId, [...ids]);
    },

    /**
     * @param {{id: number, windowId?: number, type?: string, active?: boolean}} tab
     */
    openTab(tab) {
      if (tab.active !== false) for (const t of tabs) if (t.windowId === (tab.windowId ?? 1)) t.active = false;
      tabs.push({ windowId: 1, type: "messageDisplay", active: true, ...tab });
    },

    /** @param {number} tabId */
    closeTab(tabId) {
      const at = tabs.findIndex((t) => t.id === tabId);
      if (at >= 0) tabs.splice(at, 1);
      displayed.delete(tabId);
      return events.onTabRemoved.fire(tabId, { windowId: 1, isWindowClosing: false });
    },

    /** @param {number} id */
    focusWindow(id) {
      currentWindowId = id;
    },

    /** The sender of a message from the display script in a tab. */
    displaySender(/** @type {number} */ tabId) {
      const tab = tabOf(tabId);
      return { id: EXTENSION_ID, tab: { ...tab }, frameId: 0, url: "file:///tmp/message.eml?type=application/x-message-display" };
    },

    /** The sender of a message from the popup (an extension page: no tab). */
    popupSender() {
      return { id: EXTENSION_ID, url: EXTENSION_BASE + "thunderbird/popup.html" };
    },

    /** The badge state of a tab, from the recorded calls. */
    badge(/** @type {number} */ tabId) {
      /** @type {{text?: string | null, color?: any, title?: string | null}} */
      const out = {};
      for (const { method, details } of actionCalls) {
        if (details.tabId !== tabId) continue;
        if (method === "setBadgeText") out.text = details.text;
        if (method === "setBadgeBackgroundColor") out.color = details.color;
        if (method === "setTitle") out.title = details.title;
      }
      return out;
    },
  };
}
