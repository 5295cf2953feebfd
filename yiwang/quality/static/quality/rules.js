// The rule form: show only the parameter inputs of the chosen rule kind, and no data item
// for a rule on the whole resource. Without this script every input shows and the server
// uses those of the chosen kind.
(function () {
  "use strict";
  function update(form) {
    var select = form.querySelector("select[name=kind]");
    if (!select) { return; }
    var kind = select.value;
    form.querySelectorAll("[data-kinds]").forEach(function (el) {
      el.hidden = el.getAttribute("data-kinds").split(" ").indexOf(kind) < 0;
    });
    form.querySelectorAll("[data-kinds-not]").forEach(function (el) {
      el.hidden = el.getAttribute("data-kinds-not").split(" ").indexOf(kind) >= 0;
    });
  }
  document.querySelectorAll("form[data-rule-form]").forEach(function (form) {
    var select = form.querySelector("select[name=kind]");
    if (select) { select.addEventListener("change", function () { update(form); }); }
    update(form);
  });
})();
