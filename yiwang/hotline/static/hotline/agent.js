// 12345 agent form: accept suggested categories and knowledge-base answers by click or Enter.
(function () {
  "use strict";
  document.addEventListener("click", function (event) {
    var cat = event.target.closest(".js-pick-category");
    if (cat) {
      var select = document.getElementById("id_category");
      if (select) { select.value = cat.dataset.category; select.focus(); }
      return;
    }
    var art = event.target.closest(".js-pick-article");
    if (art) {
      var hidden = document.getElementById("id_answered_from_kb");
      var close = document.getElementById("id_close_now");
      var type = document.getElementById("id_type");
      if (hidden) { hidden.value = art.dataset.article; }
      if (type) { type.value = "consult"; }
      if (close) { close.checked = true; close.focus(); }
    }
  });
})();
