// @ts-check
/**
 * A stand-in for the part of Office.js (Outlook, read mode) that the task pane uses, for the
 * unit tests under Node and for the browser tests, where it is served in place of
 * https://appsforoffice.microsoft.com/lib/1/hosted/office.js.
 *
 * Faithful where a mistake would pass unnoticed: callbacks run asynchronously with
 * AsyncResult objects; notification calls are checked as Outlook checks them (a key of at
 * most 32 characters, a message of at most 150, an icon and `persistent` required for an
 * informational message and refused for an error message, at most five per item, removing
 * an unknown key fails); the item is replaced, not mutated, when the selection changes, and
 * ItemChanged handlers fire then. Every notification call is recorded, with the item it was
 * made on, in `Office.__standin.calls`.
 *
 * A classic script (no modules), so that a browser can load it in office.js's place.
 */
(function (global) {
  "use strict";

  var Succeeded = "succeeded";
  var Failed = "failed";
  var types = {
    ProgressIndicator: "progressIndicator",
    InformationalMessage: "informationalMessage",
    ErrorMessage: "errorMessage",
    InsightMessage: "insightMessage",
  };
  var itemChangedHandlers = [];
  var calls = [];
  var fetchedAttachments = [];
  var readyResolve;
  var ready = new Promise(function (resolve) {
    readyResolve = resolve;
  });

  function later(fn) {
    setTimeout(fn, 0);
  }

  function result(status, value, error, asyncContext) {
    return {
      status: status,
      value: value,
      error: error ? { name: error, message: error, code: 9000 } : undefined,
      asyncContext: asyncContext,
    };
  }

  // Office.js accepts (callback), (options, callback) and (options) with no callback.
  function split(args) {
    var last = args[args.length - 1];
    var callback = typeof last === "function" ? last : undefined;
    var options = typeof args[0] === "object" && args[0] !== null ? args[0] : {};
    return { options: options, callback: callback };
  }

  function reply(callback, res) {
    if (callback) {
      later(function () {
        callback(res);
      });
    }
  }

  function copyAddress(a) {
    return a ? { displayName: a.displayName || "", emailAddress: a.emailAddress || "" } : null;
  }

  function makeItem(data, index) {
    var notes = new Map();
    var label = data.subject || "item-" + index;

    function record(method, key, details, res) {
      calls.push({
        item: label,
        method: method,
        key: key,
        type: details && details.type,
        message: details && details.message,
        status: res.status,
        error: res.error && res.error.message,
      });
    }

    function validate(key, details) {
      if (typeof key !== "string" || key.length === 0 || key.length > 32) return "InvalidKey";
      if (!details || typeof details.message !== "string") return "MissingMessage";
      if (details.message.length > 150) return "MessageTooLong";
      if (details.type === types.InformationalMessage) {
        if (typeof details.icon !== "string" || !details.icon) return "MissingIcon";
        if (typeof details.persistent !== "boolean") return "MissingPersistent";
      } else if (details.type === types.ErrorMessage || details.type === types.ProgressIndicator) {
        if ("icon" in details || "persistent" in details) return "IconOrPersistentNotAllowed";
      } else if (details.type !== types.InsightMessage) {
        return "InvalidType";
      }
      return null;
    }

    var notificationMessages = {
      addAsync: function (key, details) {
        var cb = split(Array.prototype.slice.call(arguments, 2)).callback;
        var problem = validate(key, details) || (notes.has(key) ? "DuplicateKey" : null) || (notes.size >= 5 ? "TooManyNotifications" : null);
        var res = problem ? result(Failed, undefined, problem) : result(Succeeded);
        if (!problem) notes.set(key, details);
        record("addAsync", key, details, res);
        reply(cb, res);
      },
      replaceAsync: function (key, details) {
        var cb = split(Array.prototype.slice.call(arguments, 2)).callback;
        var problem = validate(key, details) || (!notes.has(key) && notes.size >= 5 ? "TooManyNotifications" : null);
        var res = problem ? result(Failed, undefined, problem) : result(Succeeded);
        if (!problem) notes.set(key, details);
        record("replaceAsync", key, details, res);
        reply(cb, res);
      },
      removeAsync: function (key) {
        var cb = split(Array.prototype.slice.call(arguments, 1)).callback;
        var res = notes.has(key) ? result(Succeeded) : result(Failed, undefined, "KeyNotFound");
        notes.delete(key);
        record("removeAsync", key, null, res);
        reply(cb, res);
      },
      getAllAsync: function () {
        var cb = split(Array.prototype.slice.call(arguments)).callback;
        var value = [];
        notes.forEach(function (details, key) {
          value.push(Object.assign({ key: key }, details));
        });
        reply(cb, result(Succeeded, value));
      },
    };

    return {
      itemType: "message",
      itemId: data.itemId || "AAMk-standin-" + index,
      subject: data.subject || "",
      from: copyAddress(data.from),
      sender: copyAddress(data.sender || data.from),
      to: (data.to || []).map(copyAddress),
      cc: (data.cc || []).map(copyAddress),
      conversationId: data.conversationId || "",
      internetMessageId: data.internetMessageId || "",
      dateTimeCreated: new Date(data.date || Date.now()),
      notificationMessages: notificationMessages,
      getAllInternetHeadersAsync: function () {
        var cb = split(Array.prototype.slice.call(arguments)).callback;
        reply(cb, data.headersFail ? result(Failed, undefined, "GenericResponseError") : result(Succeeded, data.headers || ""));
      },
      body: {
        getAsync: function (coercionType) {
          var cb = split(Array.prototype.slice.call(arguments, 1)).callback;
          if (coercionType !== "text" && coercionType !== "html") {
            reply(cb, result(Failed, undefined, "InvalidCoercionType"));
            return;
          }
          var value = coercionType === "html" ? data.bodyHtml || "" : data.body || "";
          reply(cb, result(Succeeded, value));
        },
      },
      // Mailbox 1.8: the attachments' details, and their content on request. A test item
      // without `attachments` has neither (an older Outlook); `content` and `format` are
      // what getAttachmentContentAsync answers, `fail` makes it fail.
      attachments: data.attachments
        ? data.attachments.map(function (a) {
            return {
              id: a.id,
              name: a.name,
              contentType: a.contentType,
              size: a.size,
              attachmentType: a.attachmentType || "file",
              isInline: !!a.isInline,
            };
          })
        : undefined,
      getAttachmentContentAsync: data.attachments
        ? function (id) {
            var cb = split(Array.prototype.slice.call(arguments, 1)).callback;
            fetchedAttachments.push(id);
            var found = data.attachments.filter(function (a) {
              return a.id === id;
            })[0];
            if (!found || found.fail) {
              reply(cb, result(Failed, undefined, "AttachmentTypeNotSupported"));
              return;
            }
            reply(cb, result(Succeeded, { content: found.content, format: found.format || "base64" }));
          }
        : undefined,
      __notifications: notes,
    };
  }

  var count = 0;
  var mailbox = {
    item: null,
    userProfile: { displayName: "Anna Keller", emailAddress: "anna.keller@partnera.example" },
    diagnostics: { hostName: "Outlook", hostVersion: "16.0.standin" },
    addHandlerAsync: function (eventType, handler) {
      var cb = split(Array.prototype.slice.call(arguments, 2)).callback;
      if (eventType !== "olkItemSelectedChanged") {
        reply(cb, result(Failed, undefined, "InvalidEventType"));
        return;
      }
      itemChangedHandlers.push(handler);
      reply(cb, result(Succeeded));
    },
  };

  var Office = {
    AsyncResultStatus: { Succeeded: Succeeded, Failed: Failed },
    CoercionType: { Text: "text", Html: "html" },
    EventType: { ItemChanged: "olkItemSelectedChanged" },
    MailboxEnums: { ItemNotificationMessageType: types, ItemType: { Message: "message", Appointment: "appointment" } },
    HostType: { Outlook: "Outlook" },
    context: {
      // Outlook's display language; a test sets another before __standin.start.
      displayLanguage: "en-US",
      mailbox: mailbox,
      requirements: {
        // Mailbox up to 1.13; NestedAppAuth 1.1 (nested app authentication) unless a test
        // turns it off with __standin.nestedAppAuth = false.
        isSetSupported: function (name, version) {
          if (name === "NestedAppAuth") return Office.__standin.nestedAppAuth && parseFloat(version || "1.1") <= 1.1;
          return name === "Mailbox" && parseFloat(version || "1.1") <= 1.13;
        },
      },
    },
    onReady: function (callback) {
      return ready.then(function (info) {
        if (callback) callback(info);
        return info;
      });
    },
    __standin: {
      calls: calls,
      nestedAppAuth: true,
      /** The ids of the attachments whose content was asked for, in order. */
      fetchedAttachments: fetchedAttachments,
      /** Show `data` as the selected message (null: nothing selected); fires ItemChanged. */
      select: function (data) {
        count += 1;
        mailbox.item = data ? makeItem(data, count) : null;
        itemChangedHandlers.forEach(function (handler) {
          later(function () {
            handler({ type: "olkItemSelectedChanged" });
          });
        });
        return mailbox.item;
      },
      /** Open the add-in on `data` (the first message); Office.onReady resolves then. */
      start: function (data) {
        count += 1;
        mailbox.item = data ? makeItem(data, count) : null;
        later(function () {
          readyResolve({ host: "Outlook", platform: "OfficeOnline" });
        });
      },
      handlerCount: function () {
        return itemChangedHandlers.length;
      },
    },
  };

  global.Office = Office;
})(typeof window !== "undefined" ? window : globalThis);
