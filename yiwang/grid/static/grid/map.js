/* City-management map: grids, town outlines and case markers from the scoped GeoJSON endpoint,
   on a plain background (offline) or the configured tile layer. Markers are coloured by status
   (grid.css .map-pin.status-*, the legend uses the same classes), ringed when due soon or
   overdue, and clustered where they overlap (Leaflet.markercluster). No inline styles or
   scripts: colours come from CSS classes, words from the page's JSON configuration. */
(function () {
  "use strict";
  var TONES = { normal: "badge-success", warning: "badge-warning", overdue: "badge-danger" };

  function text(s) { var d = document.createElement("div"); d.textContent = s == null ? "" : String(s); return d.innerHTML; }
  function fill(template, count) { return String(template).split("%(count)s").join(String(count)); }

  function pinClass(p) {
    var cls = "map-pin status-" + String(p.status).replace(/[^a-z_]/g, "");
    if (p.deadline === "overdue" || p.deadline === "warning") { cls += " deadline-" + p.deadline; }
    return cls;
  }

  function popup(p, cfg) {
    var L10n = cfg.labels;
    var url = cfg.detailUrl.replace(/0\/$/, encodeURIComponent(p.id) + "/");
    var html = '<div class="map-popup"><p class="map-popup-title"><a href="' + url + '">' + text(p.number) + "</a></p>" +
      "<p>" + text(p.category) + (p.subclass ? " · " + text(p.subclass) : "") + "</p><dl>" +
      "<dt>" + text(L10n.status) + '</dt><dd><span class="' + pinClass({ status: p.status }) + '" aria-hidden="true"></span> ' + text(p.status_label) + "</dd>";
    if (p.due) {
      html += "<dt>" + text(L10n.due) + "</dt><dd>" + text(p.due);
      if (TONES[p.deadline]) {
        html += ' <span class="badge ' + TONES[p.deadline] + '">' + text(L10n.deadline[p.deadline]) + "</span>";
      }
      html += "</dd>";
    }
    return html + '</dl><p><a class="btn btn-small btn-primary" href="' + url + '">' + text(L10n.openCase) + "</a></p></div>";
  }

  function clusterIcon(cfg) {
    return function (cluster) {
      var n = cluster.getChildCount();
      var overdue = cluster.getAllChildMarkers().some(function (m) { return m.options.deadline === "overdue"; });
      var size = n >= 50 ? " is-large" : n >= 10 ? " is-medium" : "";
      return L.divIcon({
        html: '<span aria-hidden="true">' + n + '</span><span class="sr-only">' + text(fill(cfg.labels.cluster, n)) + "</span>",
        className: "map-cluster" + size + (overdue ? " has-overdue" : ""),
        iconSize: L.point(40, 40)
      });
    };
  }

  document.addEventListener("DOMContentLoaded", function () {
    var el = document.getElementById("grid-map");
    var cfgEl = document.getElementById("grid-map-config");
    if (!el || !cfgEl || typeof L === "undefined") { return; }
    var cfg = JSON.parse(cfgEl.textContent);
    var tiles = cfg.tiles || {};
    var map = L.map(el, { preferCanvas: true, maxZoom: tiles.maxZoom || 18 }).setView(cfg.center, 11);
    // Plain "Leaflet" credit, without the flag the library's default prefix carries.
    map.attributionControl.setPrefix("Leaflet");
    if (tiles.url) {
      var options = { subdomains: tiles.subdomains || "abc", maxZoom: tiles.maxZoom || 18, attribution: text(tiles.attribution || "") };
      L.tileLayer(tiles.url, options).addTo(map);
      if (tiles.labelsUrl) { L.tileLayer(tiles.labelsUrl, L.extend({}, options, { attribution: "" })).addTo(map); }
    }
    // Town names sit under the markers (the tooltip pane is above them): their own pane.
    map.createPane("townLabels").classList.add("map-town-labels");
    var statusEl = document.getElementById("grid-map-status");
    var params = new URLSearchParams(window.location.search);
    fetch(cfg.dataUrl + "?" + params.toString(), { credentials: "same-origin", headers: { Accept: "application/geo+json" } })
      .then(function (r) { if (!r.ok) { throw new Error(r.status); } return r.json(); })
      .then(function (data) {
        var counts = {};
        var towns = L.featureGroup();
        var grids = L.featureGroup();
        var cases = typeof L.markerClusterGroup === "function"
          ? L.markerClusterGroup({ showCoverageOnHover: false, maxClusterRadius: 40, iconCreateFunction: clusterIcon(cfg) })
          : L.featureGroup();
        data.features.forEach(function (f) {
          var p = f.properties || {};
          if (p.layer === "town") {
            var outline = L.geoJSON(f, { interactive: false, style: function () { return { className: "map-town", color: "#0a3d7a", weight: 3, dashArray: "8 5", fill: false }; } });
            outline.addTo(towns);
            var b = outline.getBounds();
            L.tooltip({ permanent: true, direction: "top", className: "map-town-label", interactive: false, pane: "townLabels" })
              .setLatLng([b.getNorth(), b.getCenter().lng]).setContent(text(p.name)).addTo(towns);
          } else if (p.layer === "grid") {
            L.geoJSON(f, { style: function () { return { color: "#0b5cad", weight: 1.5, fillOpacity: 0.07 }; } })
              .bindTooltip(text(p.name) + " (" + text(p.code) + ")<br>" + text(cfg.labels.village) + ": " + text(p.village))
              .addTo(grids);
          } else if (p.layer === "event") {
            counts[p.status] = (counts[p.status] || 0) + 1;
            var c = f.geometry.coordinates;
            var title = p.number + " · " + p.status_label + (TONES[p.deadline] && p.deadline !== "normal" ? " · " + cfg.labels.deadline[p.deadline] : "");
            L.marker([c[1], c[0]], {
              icon: L.divIcon({ className: "map-pin-icon", html: '<span class="' + pinClass(p) + '"></span>', iconSize: [22, 22], iconAnchor: [11, 11], popupAnchor: [0, -8] }),
              title: title, alt: title, keyboard: true, riseOnHover: true, deadline: p.deadline
            }).bindPopup(popup(p, cfg), { maxWidth: 280 }).addTo(cases);
          }
        });
        grids.addTo(map);
        towns.addTo(map);
        cases.addTo(map);
        var overlays = {};
        overlays[text(cfg.labels.town)] = towns;
        overlays[text(cfg.labels.grid)] = grids;
        L.control.layers(null, overlays, { collapsed: true }).addTo(map);
        // Show the cases; with none, the grids.
        var bounds = cases.getBounds().isValid() ? cases.getBounds() : grids.getBounds();
        if (bounds.isValid()) { map.fitBounds(bounds, { padding: [30, 30], maxZoom: 16 }); }
        var total = 0;
        document.querySelectorAll("[data-count]").forEach(function (span) {
          var n = counts[span.getAttribute("data-count")] || 0;
          total += n;
          span.textContent = "(" + n + ")";
          span.closest("li").classList.toggle("is-empty", n === 0);
        });
        if (statusEl) { statusEl.textContent = fill(cfg.labels.shown, total); }
        el.setAttribute("data-ready", "true");
      })
      .catch(function (err) { if (statusEl) { statusEl.textContent = "✗ " + err.message; } });
  });
})();
