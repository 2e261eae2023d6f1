// @ts-check
/**
 * The compose-mode part of Office.js the send-time guard uses, for the browser tests of
 * commands.html (served in office.js's place): a message to one recipient, its notification
 * calls recorded in `Office.__standin.notes`, the handlers Office.actions.associate is given
 * kept in `Office.__standin.handlers`, Mailbox 1.14 and NestedAppAuth 1.1 supported. The
 * node tests of the guard (launchevent.test.js) have their own, stricter one.
 * A classic script (no modules), so that a browser can load it in office.js's place.
 */
(function (global) {
  "use strict";
  /** @type {any[]} */
  var notes = [];
  /** @type {Record<string, Function>} */
  var handlers = {};
  /** @param {Function | undefined} cb */
  function ok(cb) {
    if (cb) setTimeout(function () { cb({ status: "succeeded" }); }, 0);
  }
  /** @param {unknown} value */
  function field(value) {
    return {
      getAsync: function (/** @type {Function} */ cb) {
        setTimeout(function () { cb({ status: "succeeded", value: value }); }, 0);
      },
    };
  }
  var item = {
    itemType: "message",
    to: field([{ displayName: "Ben Ortiz", emailAddress: "ben.ortiz@partnerb.example" }]),
    cc: field([]),
    bcc: field([]),
    from: field({ displayName: "Anna Keller", emailAddress: "anna.keller@partnera.example" }),
    subject: field("RE: Invoice 2024-1187"),
    conversationId: "AAQkADguard",
    notificationMessages: {
      replaceAsync: function (/** @type {string} */ key, /** @type {any} */ details, /** @type {Function} */ cb) {
        notes.push({ key: key, details: details });
        ok(cb);
      },
      removeAsync: function (/** @type {string} */ key, /** @type {Function} */ cb) {
        notes.push({ key: key, removed: true });
        ok(cb);
      },
    },
  };
  global.Office = {
    AsyncResultStatus: { Succeeded: "succeeded", Failed: "failed" },
    MailboxEnums: {
      ItemNotificationMessageType: { InformationalMessage: "informationalMessage", ErrorMessage: "errorMessage" },
      SendModeOverride: { PromptUser: "promptUser" },
    },
    actions: {
      associate: function (/** @type {string} */ name, /** @type {Function} */ fn) {
        handlers[name] = fn;
      },
    },
    context: {
      // Outlook's display language; a test sets another before raising an event.
      displayLanguage: "en-US",
      mailbox: { item: item },
      requirements: {
        isSetSupported: function (/** @type {string} */ name, /** @type {string} */ v) {
          return (name === "Mailbox" && parseFloat(v) <= 1.14) || (name === "NestedAppAuth" && v === "1.1");
        },
      },
    },
    onReady: function () {
      return Promise.resolve({ host: "Outlook" });
    },
    __standin: {
      notes: notes,
      handlers: handlers,
      /**
       * Write another message: `to` (EmailAddressDetails), `subject`, `conversationId`.
       * @param {{to?: any[], subject?: string, conversationId?: string}} data
       */
      compose: function (data) {
        if (data.to) item.to = field(data.to);
        if (data.subject) item.subject = field(data.subject);
        if (data.conversationId) item.conversationId = data.conversationId;
      },
    },
  };
})(/** @type {any} */ (typeof window !== "undefined" ? window : globalThis));
