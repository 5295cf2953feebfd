/* Open data: draws a dataset's chart from the JSON in #open-chart-data (CSP: no inline
   scripts). The same numbers are in the table under the chart. */
(function () {
  "use strict";
  document.addEventListener("DOMContentLoaded", function () {
    var dataEl = document.getElementById("open-chart-data");
    var el = document.getElementById("open-chart");
    if (!dataEl || !el || typeof echarts === "undefined") { return; }
    var d = JSON.parse(dataEl.textContent);
    if (!d) { return; }
    el.style.height = "340px";
    el.style.width = "100%";
    var chart = echarts.init(el);
    var line = d.kind === "line";
    chart.setOption({
      title: { text: d.title, textStyle: { fontSize: 14 } },
      tooltip: { trigger: "axis" },
      legend: { bottom: 0, data: d.series.map(function (s) { return s.name; }) },
      grid: { left: 56, right: 16, top: 48, bottom: line ? 48 : 72, containLabel: true },
      xAxis: { type: "category", data: d.x, name: d.x_name, axisLabel: { rotate: line ? 0 : 30 } },
      yAxis: { type: "value" },
      series: d.series.map(function (s) {
        return { name: s.name, type: line ? "line" : "bar", data: s.data, smooth: line };
      })
    });
    window.addEventListener("resize", function () { chart.resize(); });
  });
})();
