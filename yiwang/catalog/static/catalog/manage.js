/*
 * Catalogue back-office list: "select all on this page" and the count of ticked items.
 * The row checkboxes belong to form#bulk-form through their form attribute; without JS they
 * still work one by one, and "all items matching the filter" needs no ticking at all.
 */
(function () {
  "use strict";

  function ready(fn) {
    if (document.readyState !== "loading") fn();
    else document.addEventListener("DOMContentLoaded", fn);
  }

  ready(function () {
    var form = document.querySelector("form[data-bulk]");
    if (!form) return;
    var all = document.querySelector("[data-select-page]");
    var boxes = Array.prototype.slice.call(document.querySelectorAll("[data-select-item]"));
    var count = form.querySelector("[data-bulk-count]");
    var selected = form.querySelector("input[name='scope'][value='selected']");

    function update() {
      var ticked = boxes.filter(function (box) { return box.checked; }).length;
      if (count) count.textContent = String(ticked);
      if (all) {
        all.checked = ticked > 0 && ticked === boxes.length;
        all.indeterminate = ticked > 0 && ticked < boxes.length;
      }
      if (ticked && selected) selected.checked = true;
    }

    if (all) {
      all.addEventListener("change", function () {
        boxes.forEach(function (box) { box.checked = all.checked; });
        update();
      });
    }
    boxes.forEach(function (box) { box.addEventListener("change", update); });
    update();
  });
})();

/* Import job page: the status region is busy (announcements deferred) until the job is over. */
(function () {
  "use strict";
  document.addEventListener("htmx:afterSwap", function (event) {
    var box = event.detail && event.detail.target;
    if (!box || !box.hasAttribute || !box.hasAttribute("data-import-status")) return;
    var state = box.querySelector("[data-finished]");
    var over = state && state.getAttribute("data-finished") === "1";
    over = over || !!box.querySelector("[data-testid='import-stalled']");
    box.setAttribute("aria-busy", over ? "false" : "true");
  });
})();
