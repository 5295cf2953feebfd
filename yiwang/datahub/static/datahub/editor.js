// Resource editor: "Add an item" shows a new row of the items formset (from the <template>,
// renumbering __prefix__ and TOTAL_FORMS); new rows get the next order number. Without this
// script the page still works: the server always adds one empty row.
(function () {
  "use strict";

  function addRow(box) {
    var prefix = box.getAttribute("data-formset");
    var total = box.querySelector("input[name='" + prefix + "-TOTAL_FORMS']");
    var max = box.querySelector("input[name='" + prefix + "-MAX_NUM_FORMS']");
    var index = parseInt(total.value, 10);
    if (max && index >= parseInt(max.value, 10)) { return; }
    var template = box.querySelector("template[data-row-template]");
    var holder = document.createElement("tbody");
    holder.innerHTML = template.innerHTML.replace(/__prefix__/g, String(index));
    var row = holder.querySelector("[data-row]");
    row.removeAttribute("data-spare");
    box.querySelector("[data-rows]").appendChild(row);
    total.value = String(index + 1);
    var order = row.querySelector("input[name$='-ORDER']");
    if (order) { order.value = String(index + 1); }
    if (window.htmx) { window.htmx.process(row); }
    var first = row.querySelector("input[name$='-name']");
    if (first) { first.focus(); }
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-formset]").forEach(function (box) {
      box.querySelectorAll("[data-add-row]").forEach(function (b) { b.hidden = false; });
    });
  });

  document.addEventListener("click", function (event) {
    var add = event.target.closest("[data-add-row]");
    if (add) { addRow(add.closest("[data-formset]")); }
  });
})();
