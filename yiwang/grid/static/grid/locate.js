/* Fill latitude/longitude from navigator.geolocation; manual input stays available. */
(function () {
  "use strict";
  function init(form) {
    var button = form.querySelector("[data-locate]");
    var status = form.querySelector("[data-locate-status]");
    var lat = form.querySelector("[data-lat]");
    var lng = form.querySelector("[data-lng]");
    if (!button || !lat || !lng || !("geolocation" in navigator)) { return; }
    button.hidden = false;
    button.addEventListener("click", function () {
      status.textContent = button.dataset.busy || "…";
      navigator.geolocation.getCurrentPosition(function (pos) {
        lat.value = pos.coords.latitude.toFixed(6);
        lng.value = pos.coords.longitude.toFixed(6);
        status.textContent = "✓ " + lat.value + ", " + lng.value + " (±" + Math.round(pos.coords.accuracy) + " m)";
      }, function (err) {
        status.textContent = "✗ " + err.message;
        lat.focus();
      }, { enableHighAccuracy: true, timeout: 15000, maximumAge: 60000 });
    });
    if (!lat.value && !lng.value) { button.click(); }
  }
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("form[data-geolocate]").forEach(init);
  });
})();
