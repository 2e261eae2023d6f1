// @ts-check
// The console's copy buttons: <button class="copy" data-copy="ID"> copies the value of the
// field with that id and says so in the page's status region (#copy-status). Where the
// clipboard cannot be written (an older browser, a page not served over HTTPS), the
// field's text is selected so that Ctrl+C / Cmd+C copies it.
"use strict";

(function () {
  /** @param {string} text */
  function say(text) {
    const status = document.getElementById("copy-status");
    if (status) status.textContent = text;
  }

  /** @param {HTMLInputElement} field */
  function selectAll(field) {
    field.focus();
    field.select();
  }

  document.querySelectorAll("button.copy[data-copy]").forEach(function (button) {
    button.addEventListener("click", function () {
      const id = button.getAttribute("data-copy") || "";
      const field = document.getElementById(id);
      if (!(field instanceof HTMLInputElement)) return;
      if (!navigator.clipboard || !window.isSecureContext) {
        selectAll(field);
        say("Selected: press Ctrl+C (Cmd+C on a Mac) to copy.");
        return;
      }
      navigator.clipboard.writeText(field.value).then(
        function () {
          say("Copied to the clipboard.");
        },
        function () {
          selectAll(field);
          say("Could not copy: the key is selected, press Ctrl+C (Cmd+C on a Mac).");
        },
      );
    });
  });
})();
