// @ts-check
/**
 * The display script: runs in the document of each displayed message (a classic content
 * script: it cannot import). It asks the background for the banner of this message, puts it
 * at the very top of the body, and reports what it actually shows.
 *
 * The message is the attacker's document. So the banner is built with createElement and
 * textContent only, lives in a closed shadow root (the message's CSS cannot reach or restyle
 * its text), and its host carries inline !important styles against being hidden. A banner
 * already in the document (an earlier run, or a message imitating one) is removed first.
 *
 * Its words come from the background with the banner (the service's, or the background's
 * own in the language chosen in the settings), with that language's tag and direction
 * (`lang`, `dir`: Arabic is right to left). Only when the background does not answer does
 * this script word the banner itself, from Thunderbird's message files in Thunderbird's
 * language (browser.i18n).
 */
(function () {
  "use strict";

  var TAG = "caveat-banner";
  var MAX_CHARS = 300;
  /** Languages written right to left. */
  var RTL = ["ar"];
  /** Text, border and background of each level: red, amber, blue; amber when unchecked. */
  var COLOURS = {
    danger: ["#8c1d18", "#b3261e", "#fdecea"],
    caution: ["#6b3e00", "#a15c00", "#fff4d6"],
    info: ["#0b3d91", "#0b57d0", "#e8f0fe"],
    unknown: ["#6b3e00", "#a15c00", "#fff4d6"],
  };
  /** The host's own box: none of these may come from the message's style sheets. */
  var HOST_STYLE = [
    ["display", "block"],
    ["visibility", "visible"],
    ["opacity", "1"],
    ["position", "static"],
    ["transform", "none"],
    ["filter", "none"],
    ["clip-path", "none"],
    ["height", "auto"],
    ["max-height", "none"],
    ["min-height", "0"],
    ["width", "auto"],
    ["overflow", "visible"],
    ["margin", "0 0 12px 0"],
    ["padding", "0"],
    ["border", "0"],
    ["float", "none"],
    ["z-index", "auto"],
    ["content-visibility", "visible"],
    ["font-size", "14px"],
  ];

  /**
   * A message of the extension's own, in Thunderbird's language.
   * @param {string} id
   */
  function t(id) {
    try {
      return browser.i18n.getMessage(id) || id;
    } catch (e) {
      return id;
    }
  }

  /** The banner when the background does not answer: never silence, which reads as "safe". */
  function unanswered() {
    var lang = "";
    try {
      lang = String(browser.i18n.getUILanguage() || "");
    } catch (e) {
      lang = "";
    }
    var primary = lang.split(/[-_]/)[0].toLowerCase();
    return {
      show: true,
      level: "unknown",
      title: t("could_not_check"),
      text: t("tb_unanswered_text"),
      lang: lang,
      dir: RTL.indexOf(primary) >= 0 ? "rtl" : "ltr",
    };
  }

  /**
   * @param {unknown} value
   */
  function limited(value) {
    var text = String(value == null ? "" : value).replace(/\s+/g, " ").trim();
    return text.length <= MAX_CHARS ? text : text.slice(0, MAX_CHARS - 1) + "\u2026";
  }

  function removePrevious() {
    var old = document.querySelectorAll(TAG);
    for (var i = 0; i < old.length; i++) old[i].remove();
  }

  /**
   * @param {string} level
   */
  function css(level) {
    var c = COLOURS[/** @type {keyof typeof COLOURS} */ (level)] || COLOURS.unknown;
    return (
      ":host { all: initial; display: block !important; }\n" +
      ".bar { display: block; box-sizing: border-box; margin: 0; padding: 10px 14px;" +
      " border: 1px solid " + c[1] + "; border-inline-start: 6px solid " + c[1] + "; border-radius: 4px;" +
      " background: " + c[2] + "; color: " + c[0] + ";" +
      ' font: 14px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif;' +
      " text-align: start; overflow-wrap: anywhere; white-space: normal; }\n" +
      ".title { font-weight: 700; }\n" +
      "bdi { unicode-bidi: isolate; }\n"
    );
  }

  /**
   * Build and insert the banner; returns the element whose text is shown.
   * @param {{level?: string, title?: string, text?: string, lang?: string, dir?: string}} model
   */
  function insert(model) {
    var level = COLOURS[/** @type {keyof typeof COLOURS} */ (String(model.level))] ? String(model.level) : "unknown";
    var title = limited(model.title);
    var text = limited(model.text);
    // The failure text repeats the title ("Caveat could not check this message: why").
    if (title && text.indexOf(title + ": ") === 0) {
      text = text.slice(title.length + 2);
      text = text.charAt(0).toUpperCase() + text.slice(1);
    }

    var host = document.createElement(TAG);
    for (var i = 0; i < HOST_STYLE.length; i++) {
      host.style.setProperty(HOST_STYLE[i][0], HOST_STYLE[i][1], "important");
    }
    var shadow = host.attachShadow({ mode: "closed" });
    var style = document.createElement("style");
    style.textContent = css(level);
    shadow.appendChild(style);

    var bar = document.createElement("div");
    bar.className = "bar level-" + level;
    bar.setAttribute("role", level === "danger" ? "alert" : "status");
    // The banner's own language and direction; the service's text inside is isolated (bdi).
    bar.setAttribute("dir", model.dir === "rtl" ? "rtl" : "ltr");
    if (typeof model.lang === "string" && /^[A-Za-z]{2,3}([-_][A-Za-z0-9]{1,8})*$/.test(model.lang)) {
      bar.setAttribute("lang", model.lang);
    }
    var strong = document.createElement("bdi");
    strong.className = "title";
    strong.textContent = title;
    var body = document.createElement("bdi");
    body.className = "text";
    body.textContent = text;
    bar.appendChild(strong);
    bar.appendChild(document.createTextNode(" "));
    bar.appendChild(body);
    shadow.appendChild(bar);

    var parent = document.body || document.documentElement;
    parent.insertBefore(host, parent.firstChild);
    return { host: host, bar: bar };
  }

  /**
   * @param {Element} host
   */
  function visible(host) {
    if (!host.isConnected) return false;
    var view = host.ownerDocument.defaultView;
    if (!view) return true;
    var computed = view.getComputedStyle(host);
    return computed.display !== "none" && computed.visibility !== "hidden" && computed.opacity !== "0";
  }

  /**
   * @param {any} model
   */
  function show(model) {
    removePrevious();
    if (!model || model.show !== true) {
      return { level: "none", shown: false, text: "" };
    }
    var made = insert(model);
    /** @type {{level: string, shown: boolean, text: string, lang?: string, dir?: string}} */
    var result = {
      level: COLOURS[/** @type {keyof typeof COLOURS} */ (String(model.level))] ? String(model.level) : "unknown",
      shown: visible(made.host),
      text: made.bar.textContent || "",
    };
    // The language and direction the banner was drawn in, when it was given one.
    var lang = made.bar.getAttribute("lang");
    if (lang) {
      result.lang = lang;
      result.dir = made.bar.getAttribute("dir") || "ltr";
    }
    return result;
  }

  /**
   * @param {{level: string, shown: boolean, text: string, lang?: string, dir?: string}} result
   */
  function report(result) {
    /** @type {Record<string, unknown>} */
    var message = { command: "shown", level: result.level, shown: result.shown, text: result.text };
    if (result.lang) {
      message.lang = result.lang;
      message.dir = result.dir;
    }
    return browser.runtime.sendMessage(message).catch(function () {
      return undefined;
    });
  }

  browser.runtime.sendMessage({ command: "banner" }).then(
    function (/** @type {any} */ model) {
      return report(show(model));
    },
    function () {
      // No answer is not "safe": say that the message was not checked.
      return report(show(unanswered()));
    },
  );
})();
