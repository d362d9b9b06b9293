/* The big-data dashboard's charts: a choropleth of the region's children, ranking bars and the trend, drawn with
   the project's ECharts from the figures the page embeds (#dashboard-data, the same as data.json); sortable tables.
   Texts come from the page (Chinese through gettext), never from here. */
(function () {
  "use strict";

  function readData() {
    var el = document.getElementById("dashboard-data");
    return el ? JSON.parse(el.textContent) : null;
  }

  var wall = document.body.classList.contains("wall");
  var theme = wall ? "dark" : null;
  var text = wall ? "#dce6f5" : "#1d2733";
  var charts = [];

  function init(id) {
    var el = document.getElementById(id);
    if (!el || !window.echarts) return null;
    var chart = echarts.init(el, theme, { renderer: "canvas" });
    charts.push(chart);
    return chart;
  }

  function unitOf(ind) { return ind.unit === "%" ? "%" : " " + ind.unit; }

  function tooltipOf(d, labels) {
    if (!d) return "";
    return "<b>" + d.name + "</b><br>" + (d.display || "—") +
      "<br>" + labels.coverage.replace("{n}", d.with_data).replace("{m}", d.expected) +
      (d.rank ? "<br>" + labels.rank.replace("{rank}", d.rank).replace("{peers}", d.peers) : "");
  }

  function labelsFrom(root) {
    return {
      coverage: root.getAttribute("data-label-coverage") || "{n}/{m}",
      rank: root.getAttribute("data-label-rank") || "{rank}/{peers}",
      target: root.getAttribute("data-label-target") || "",
      noData: root.getAttribute("data-label-nodata") || ""
    };
  }

  function palette(ind) {
    var scale = ["#d73027", "#fc8d59", "#fee08b", "#91cf60", "#1a9850"];
    return ind.direction === "higher" ? scale : scale.slice().reverse();
  }

  // Colours against the target where there is one (green = attained, reds by the distance to it), so that two
  // regions far below the target never look good because one of them is the best; otherwise from min to max.
  function visualMap(data) {
    var ind = data.indicator, unit = unitOf(ind), t = ind.target;
    var common = { left: 10, bottom: 10, textStyle: { color: text } };
    var values = data.children.filter(function (c) { return c.value !== null; }).map(function (c) { return c.value; });
    var below = values.filter(function (v) { return t !== null && v < t; });
    if (t !== null && ind.direction === "higher" && below.length) {
      // Below the target: three bands from the lowest value up to the target (yellow nearest to it).
      var low = Math.floor(Math.min.apply(null, below)), step = (t - low) / 3;
      var cut = function (x) { return Math.round(x * 10) / 10; };
      var a = cut(low + step), b = cut(low + 2 * step);
      return Object.assign(common, { type: "piecewise", pieces: [
        { gte: t, label: "≥" + t + unit, color: "#1a9850" },
        { gte: b, lt: t, label: b + "–" + t + unit, color: "#fee08b" },
        { gte: a, lt: b, label: a + "–" + b + unit, color: "#fc8d59" },
        { lt: a, label: "<" + a + unit, color: "#d73027" }] });
    }
    var min = values.length ? Math.min.apply(null, values) : 0;
    var max = values.length ? Math.max.apply(null, values) : 100;
    if (min === max) { min = Math.max(0, min - 1); max = ind.unit === "%" ? Math.min(100, max + 1) : max + 1; }
    if (min === max) min = max - 1;
    // Every region attains its target: shades of green only (no region is shown as failing).
    var colours = t !== null && ind.direction === "higher" ? ["#c7e9c0", "#1a9850"] : palette(ind);
    return Object.assign(common, { type: "continuous", min: min, max: max, calculable: false, precision: ind.decimals,
                                   text: [String(max) + unit, String(min) + unit], inRange: { color: colours } });
  }

  function drawMap(data, labels) {
    var chart = init("dash-map");
    if (!chart) return;
    var note = document.getElementById("dash-map-note");
    if (!data.map.url) { chart.getDom().style.display = "none"; if (note) note.hidden = false; return; }
    fetch(data.map.url, { credentials: "same-origin" }).then(function (r) { return r.json(); }).then(function (geo) {
      echarts.registerMap(data.map.key, geo);
      chart.setOption({
        backgroundColor: "transparent",
        tooltip: { trigger: "item", formatter: function (p) { return p.data ? tooltipOf(p.data, labels) : p.name + "<br>" + labels.noData; } },
        visualMap: visualMap(data),
        series: [{
          type: "map", map: data.map.key, nameMap: data.map.names, roam: false, selectedMode: false,
          label: { show: true, fontSize: wall ? 13 : 10, color: wall ? "#fff" : "#1d2733" },
          emphasis: { label: { show: true }, itemStyle: { areaColor: "#4f8fdf" } },
          itemStyle: { borderColor: wall ? "#0b2a5b" : "#fff", borderWidth: 1, areaColor: wall ? "#2a3b58" : "#e8edf3" },
          data: data.children.filter(function (c) { return c.feature; }).map(function (c) {
            return Object.assign({}, c, { name: c.name, value: c.value });
          })
        }]
      });
      chart.on("click", function (p) { if (p.data && p.data.url) window.location.href = p.data.url; });
    });
  }

  function drawRanking(data, labels) {
    var chart = init("dash-ranking");
    if (!chart) return;
    var rows = data.children.filter(function (c) { return c.value !== null; }).slice().reverse();
    var target = data.indicator.target;
    chart.setOption({
      backgroundColor: "transparent",
      grid: { left: 8, right: 56, top: 24, bottom: 8, containLabel: true },
      tooltip: { trigger: "item", formatter: function (p) { return tooltipOf(p.data, labels); } },
      xAxis: { type: "value", max: data.indicator.unit === "%" ? 100 : null,
               axisLabel: { formatter: "{value}" + (data.indicator.unit === "%" ? "%" : "") } },
      yAxis: { type: "category", data: rows.map(function (c) { return c.name; }), axisLabel: { interval: 0, fontSize: 11 } },
      series: [{
        type: "bar", barMaxWidth: 16,
        data: rows.map(function (c) {
          return Object.assign({}, c, { value: c.value, itemStyle: { color: c.attained === false ? "#d9534f" : (c.attained ? "#2e9d5b" : "#5b8bd9") } });
        }),
        label: { show: true, position: "right", formatter: function (p) { return p.data.display; }, fontSize: 11 },
        markLine: target === null ? undefined : { symbol: "none", lineStyle: { color: "#e0a100", type: "dashed" },
          label: { position: "insideEndTop", color: "#b07a00", formatter: labels.target.replace("{target}", target + unitOf(data.indicator)) }, data: [{ xAxis: target }] }
      }]
    });
    chart.on("click", function (p) { if (p.data && p.data.url) window.location.href = p.data.url; });
    var dom = chart.getDom();
    dom.style.height = Math.max(wall ? 0 : 280, rows.length * 22 + 40) + "px";
    if (wall) dom.style.height = "";
    chart.resize();
  }

  function drawTrend(data, labels) {
    var chart = init("dash-trend");
    if (!chart) return;
    var target = data.indicator.target;
    chart.setOption({
      backgroundColor: "transparent",
      grid: { left: 8, right: 24, top: 24, bottom: 8, containLabel: true },
      tooltip: { trigger: "item", formatter: function (p) { return p.data.period + "<br>" + tooltipOf(p.data, labels); } },
      xAxis: { type: "category", data: data.trend.map(function (t) { return t.period; }) },
      // Rates on their whole 0-100 scale: a change of a few tenths must not look like a collapse.
      yAxis: { type: "value", min: 0, max: data.indicator.unit === "%" ? 100 : null,
               axisLabel: { formatter: "{value}" + (data.indicator.unit === "%" ? "%" : "") } },
      series: [{
        type: "line", symbolSize: 10, data: data.trend.map(function (t) { return Object.assign({}, t, { value: t.value }); }),
        label: { show: true, formatter: function (p) { return p.data.display; } },
        markLine: target === null ? undefined : { symbol: "none", lineStyle: { color: "#e0a100", type: "dashed" },
          label: { position: "insideEndTop", color: "#b07a00", formatter: labels.target.replace("{target}", target + unitOf(data.indicator)) }, data: [{ yAxis: target }] }
      }]
    });
  }

  function sortable(table) {
    var heads = table.querySelectorAll("th[data-sort]");
    heads.forEach(function (th, index) {
      th.addEventListener("click", function () {
        var numeric = th.getAttribute("data-sort") === "num";
        var ascending = th.getAttribute("aria-sort") !== "ascending";
        heads.forEach(function (h) { h.removeAttribute("aria-sort"); });
        th.setAttribute("aria-sort", ascending ? "ascending" : "descending");
        var body = table.tBodies[0];
        var rows = Array.prototype.slice.call(body.rows);
        rows.sort(function (a, b) {
          var x = a.cells[index].getAttribute("data-value"), y = b.cells[index].getAttribute("data-value");
          var order = numeric ? parseFloat(x) - parseFloat(y) : x.localeCompare(y, "zh-Hans-CN");
          return ascending ? order : -order;
        });
        rows.forEach(function (r) { body.appendChild(r); });
      });
    });
  }

  function start() {
    document.querySelectorAll("table.sortable").forEach(sortable);
    var data = readData();
    if (!data || !window.echarts) return;
    var labels = labelsFrom(document.getElementById("dashboard-labels") || document.body);
    drawMap(data, labels);
    drawRanking(data, labels);
    drawTrend(data, labels);
    window.addEventListener("resize", function () { charts.forEach(function (c) { c.resize(); }); });
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
