/* 12345 figures: draws the charts from the JSON in #stats-data (CSP: no inline scripts).
   The same numbers are in the tables on the page. */
(function () {
  "use strict";
  function chart(id) {
    var el = document.getElementById(id);
    if (!el) { return null; }
    el.style.height = "320px";
    el.style.width = "100%";
    return echarts.init(el);
  }
  document.addEventListener("DOMContentLoaded", function () {
    var dataEl = document.getElementById("stats-data");
    if (!dataEl || typeof echarts === "undefined") { return; }
    var d = JSON.parse(dataEl.textContent);
    var charts = [];
    var trend = chart("chart-trend");
    if (trend) {
      trend.setOption({
        title: { text: d.labels.trend, textStyle: { fontSize: 14 } },
        tooltip: { trigger: "axis" },
        legend: { bottom: 0, data: [d.labels.volume, d.labels.closed] },
        grid: { left: 40, right: 16, top: 40, bottom: 40 },
        xAxis: { type: "category", data: d.trend.days },
        yAxis: { type: "value", minInterval: 1 },
        series: [
          { name: d.labels.volume, type: "line", data: d.trend.total, smooth: true },
          { name: d.labels.closed, type: "line", data: d.trend.closed, smooth: true }
        ]
      });
      charts.push(trend);
    }
    var types = chart("chart-types");
    if (types) {
      types.setOption({
        title: { text: d.labels.types, textStyle: { fontSize: 14 } },
        tooltip: { trigger: "item" },
        legend: { bottom: 0 },
        series: [{ name: d.labels.volume, type: "pie", radius: ["35%", "65%"], data: d.types }]
      });
      charts.push(types);
    }
    var depts = chart("chart-departments");
    if (depts) {
      depts.setOption({
        title: { text: d.labels.departments, textStyle: { fontSize: 14 } },
        tooltip: { trigger: "axis" },
        grid: { left: 180, right: 24, top: 40, bottom: 24 },
        xAxis: { type: "value", minInterval: 1 },
        yAxis: { type: "category", data: d.departments.names.slice().reverse() },
        series: [{ name: d.labels.volume, type: "bar", data: d.departments.values.slice().reverse() }]
      });
      charts.push(depts);
    }
    window.addEventListener("resize", function () {
      charts.forEach(function (c) { c.resize(); });
    });
  });
})();
