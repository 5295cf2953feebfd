/* City-management map: GeoJSON grids and case markers on a plain background (offline);
   a tile layer only when a tile URL is configured. Data comes from the scoped GeoJSON endpoint. */
(function () {
  "use strict";
  var COLORS = { collected: "#6e7781", filed: "#0969da", dispatched: "#bf8700", handled: "#8250df",
    verified: "#1a7f37", closed: "#57606a", evaluated: "#57606a", cancelled: "#afb8c1" };
  function text(s) { var d = document.createElement("div"); d.textContent = s == null ? "" : String(s); return d.innerHTML; }
  document.addEventListener("DOMContentLoaded", function () {
    var el = document.getElementById("grid-map");
    var cfgEl = document.getElementById("grid-map-config");
    if (!el || !cfgEl || typeof L === "undefined") { return; }
    var cfg = JSON.parse(cfgEl.textContent);
    var map = L.map(el, { preferCanvas: true }).setView(cfg.center, 11);
    if (cfg.tileUrl) { L.tileLayer(cfg.tileUrl, { maxZoom: 19 }).addTo(map); }
    var statusEl = document.getElementById("grid-map-status");
    var params = new URLSearchParams(window.location.search);
    fetch(cfg.dataUrl + "?" + params.toString(), { credentials: "same-origin", headers: { Accept: "application/geo+json" } })
      .then(function (r) { if (!r.ok) { throw new Error(r.status); } return r.json(); })
      .then(function (data) {
        var events = 0;
        var layer = L.geoJSON(data, {
          style: function () { return { color: "#0b5cad", weight: 2, fillOpacity: 0.08 }; },
          pointToLayer: function (f, latlng) {
            events += 1;
            return L.circleMarker(latlng, { radius: 7, weight: 2, color: "#fff", fillOpacity: 0.9,
              fillColor: COLORS[f.properties.status] || "#0969da" });
          },
          onEachFeature: function (f, lyr) {
            var p = f.properties;
            if (p.layer === "grid") {
              lyr.bindTooltip(text(p.name) + " (" + text(p.code) + ")<br>" + text(cfg.labels.village) + ": " + text(p.village));
            } else {
              var url = cfg.detailUrl.replace(/0\/$/, p.id + "/");
              lyr.bindPopup('<a href="' + url + '">' + text(p.number) + "</a><br>" + text(p.category) +
                (p.subclass ? " · " + text(p.subclass) : "") + "<br>" + text(cfg.labels.status) + ": " + text(p.status_label));
            }
          }
        }).addTo(map);
        var bounds = layer.getBounds();
        if (bounds.isValid()) { map.fitBounds(bounds, { padding: [20, 20] }); }
        if (statusEl) { statusEl.textContent = cfg.labels.shown.replace("%(count)s", String(events)); }
      })
      .catch(function (err) { if (statusEl) { statusEl.textContent = "✗ " + err.message; } });
  });
})();
