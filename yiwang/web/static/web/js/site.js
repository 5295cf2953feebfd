/*
 * 一网 site behaviour. Loaded with `defer` from web/base.html; no inline scripts anywhere (CSP).
 *
 * Declarative hooks other templates can use without writing JavaScript:
 *   [data-nav-toggle]            button that opens/closes the element named by aria-controls (phone nav)
 *   form[data-confirm="..."]     asks before submitting (also on a submit button)
 *   [data-autosubmit]            a select/checkbox/form that submits its form when changed
 *   [data-print]                 button that opens the print dialog (receipts)
 *   [data-dismiss]               button that removes its closest .message
 *   [data-copy="text"]           button that copies text to the clipboard
 */
(function () {
  "use strict";
  var root = document.documentElement;
  root.classList.add("js");

  function ready(fn) {
    if (document.readyState !== "loading") fn();
    else document.addEventListener("DOMContentLoaded", fn);
  }

  ready(function () {
    // Phone navigation disclosure.
    document.querySelectorAll("[data-nav-toggle]").forEach(function (button) {
      var target = document.getElementById(button.getAttribute("aria-controls"));
      if (!target) return;
      button.hidden = false;
      button.setAttribute("aria-expanded", "false");
      button.addEventListener("click", function () {
        var open = button.getAttribute("aria-expanded") !== "true";
        button.setAttribute("aria-expanded", open ? "true" : "false");
        target.classList.toggle("is-open", open);
      });
      document.addEventListener("keydown", function (event) {
        if (event.key === "Escape" && button.getAttribute("aria-expanded") === "true") {
          button.setAttribute("aria-expanded", "false");
          target.classList.remove("is-open");
          button.focus();
        }
      });
    });
  });

  // Confirmation before dangerous submits.
  document.addEventListener("submit", function (event) {
    var form = event.target;
    var submitter = event.submitter;
    var message = (submitter && submitter.getAttribute("data-confirm")) || form.getAttribute("data-confirm");
    if (message && !window.confirm(message)) {
      event.preventDefault();
      event.stopImmediatePropagation();
    }
  }, true);

  document.addEventListener("change", function (event) {
    var el = event.target;
    var auto = el.closest("[data-autosubmit]");
    if (!auto || !el.form) return;
    if (el.form.requestSubmit) el.form.requestSubmit();
    else el.form.submit();
  });

  document.addEventListener("click", function (event) {
    var el = event.target.closest("[data-print], [data-dismiss], [data-copy]");
    if (!el) return;
    if (el.hasAttribute("data-print")) {
      event.preventDefault();
      window.print();
    } else if (el.hasAttribute("data-dismiss")) {
      var message = el.closest(".message");
      if (message) message.remove();
    } else if (el.hasAttribute("data-copy") && navigator.clipboard) {
      navigator.clipboard.writeText(el.getAttribute("data-copy")).then(function () {
        el.setAttribute("data-copied", "true");
      });
    }
  });
})();
