// Item editor: adds rows to the form builder and process formsets, moves them up and down,
// shows only the settings a field type uses, and keeps the running total of step limits.
// Without this script the formsets still work: an empty row, order numbers, delete boxes.
(function () {
  "use strict";

  function rows(box) {
    return Array.prototype.slice.call(box.querySelector("[data-rows]").children).filter(function (el) {
      return el.hasAttribute("data-row") && !el.hidden;
    });
  }

  function field(row, name) {
    return row.querySelector("[name$='-" + name + "']");
  }

  function announce(box, key, n) {
    var live = box.querySelector("[data-announce]");
    var text = box.getAttribute(key) || "";
    if (live) { live.textContent = text.replace("%(n)s", String(n)); }
  }

  // Number the rows in page order. After a move the order fields follow, so the server keeps
  // the new order (left alone otherwise: an untouched empty row must stay unchanged).
  function renumber(box, setOrder) {
    rows(box).forEach(function (row, i) {
      var number = row.querySelector("[data-row-number]");
      if (number) { number.textContent = String(i + 1); }
      var order = field(row, "ORDER");
      if (order && setOrder) { order.value = String(i + 1); }
      var up = row.querySelector("[data-move=up]");
      var down = row.querySelector("[data-move=down]");
      if (up) { up.disabled = i === 0; }
      if (down) { down.disabled = i === rows(box).length - 1; }
    });
    total(box);
  }

  function showKindSettings(row) {
    var kind = field(row, "kind");
    if (!kind) { return; }
    row.querySelectorAll("[data-kinds]").forEach(function (el) {
      el.hidden = el.getAttribute("data-kinds").split(" ").indexOf(kind.value) === -1;
    });
  }

  function markRemoved(row) {
    var del = field(row, "DELETE");
    row.classList.toggle("is-removed", !!(del && del.checked));
  }

  function total(box) {
    var out = box.querySelector("[data-steps-total]");
    if (!out) { return; }
    var sum = 0;
    rows(box).forEach(function (row) {
      var days = field(row, "limit_days");
      var del = field(row, "DELETE");
      if (days && !(del && del.checked) && /^\d+$/.test(days.value.trim())) {
        sum += parseInt(days.value, 10);
      }
    });
    out.textContent = String(sum);
  }

  function enhanceRow(row) {
    row.querySelectorAll("[data-move]").forEach(function (b) { b.hidden = false; });
    row.querySelectorAll("[data-order-field]").forEach(function (el) { el.hidden = true; });
    showKindSettings(row);
    markRemoved(row);
  }

  function addRow(box) {
    var spare = box.querySelector("[data-rows] > [data-spare][hidden]");
    if (spare) {
      spare.hidden = false;
      box.querySelector("[data-rows]").appendChild(spare);
      return shown(box, spare);
    }
    var prefix = box.getAttribute("data-formset");
    var totalForms = box.querySelector("input[name='" + prefix + "-TOTAL_FORMS']");
    var maxForms = box.querySelector("input[name='" + prefix + "-MAX_NUM_FORMS']");
    var index = parseInt(totalForms.value, 10);
    if (maxForms && index >= parseInt(maxForms.value, 10)) { return; }
    var template = box.querySelector("template[data-row-template]");
    var holder = document.createElement(template.content.firstElementChild.tagName === "TR" ? "tbody" : "div");
    holder.innerHTML = template.innerHTML.replace(/__prefix__/g, String(index));
    var row = holder.querySelector("[data-row]");
    box.querySelector("[data-rows]").appendChild(row);
    totalForms.value = String(index + 1);
    shown(box, row);
  }

  function shown(box, row) {
    row.removeAttribute("data-spare");
    enhanceRow(row);
    renumber(box, false);
    var first = row.querySelector("input:not([type=hidden]), select, textarea");
    if (first) { first.focus(); }
    announce(box, "data-msg-added", rows(box).length);
  }

  function move(button) {
    var row = button.closest("[data-row]");
    var box = button.closest("[data-formset]");
    var list = rows(box);
    var i = list.indexOf(row);
    var j = button.getAttribute("data-move") === "up" ? i - 1 : i + 1;
    if (j < 0 || j >= list.length) { return; }
    var parent = row.parentNode;
    if (j < i) { parent.insertBefore(row, list[j]); } else { parent.insertBefore(list[j], row); }
    renumber(box, true);
    // Focus stays on the pressed button unless it is now disabled (top or bottom reached).
    var again = row.querySelector("[data-move=" + button.getAttribute("data-move") + "]");
    (again && !again.disabled ? again : row.querySelector("[data-move]:not(:disabled)") || again).focus();
    announce(box, "data-msg-moved", j + 1);
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-formset]").forEach(function (box) {
      // The empty row the server adds for browsers without scripts waits hidden until "Add"
      // (removing it would leave a gap in the formset's numbering).
      box.querySelectorAll("[data-rows] > [data-spare]").forEach(function (row) { row.hidden = true; });
      rows(box).forEach(enhanceRow);
      box.querySelectorAll("[data-add-row]").forEach(function (b) { b.hidden = false; });
      box.querySelectorAll("[data-no-js]").forEach(function (el) { el.hidden = true; });
      renumber(box, false);
    });
  });

  document.addEventListener("click", function (event) {
    var add = event.target.closest("[data-add-row]");
    if (add) { addRow(add.closest("[data-formset]")); return; }
    var mover = event.target.closest("[data-move]");
    if (mover) { move(mover); }
  });

  document.addEventListener("change", function (event) {
    var row = event.target.closest("[data-formset] [data-row]");
    if (!row) { return; }
    if (/-kind$/.test(event.target.name)) { showKindSettings(row); }
    if (/-DELETE$/.test(event.target.name)) { markRemoved(row); }
    total(row.closest("[data-formset]"));
  });

  document.addEventListener("input", function (event) {
    var row = event.target.closest("[data-formset] [data-row]");
    if (!row) { return; }
    if (/-(title|name)$/.test(event.target.name)) {
      var title = row.querySelector("[data-row-title]");
      if (title) { title.textContent = event.target.value; }
    }
    if (/-limit_days$/.test(event.target.name)) { total(row.closest("[data-formset]")); }
  });
})();
