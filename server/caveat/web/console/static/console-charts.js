// The overview's charts: reads the JSON block #overview-data (data, never run) and draws
// one uPlot chart into each [data-chart] element. The tables under the charts carry the
// same numbers for screen readers and for browsers without script; nothing here writes
// HTML, and every label comes from the page's own data (levels, check family names).
(function () {
  "use strict";
  var source = document.getElementById("overview-data");
  if (!source || typeof window.uPlot !== "function") {
    return;
  }
  var data;
  try {
    data = JSON.parse(source.textContent || "{}");
  } catch (e) {
    return;
  }

  // The task pane's level colours (console.css), then a palette for the check families
  // that keeps apart on white and for the common colour-vision deficiencies.
  var LEVEL_COLOURS = { caution: "#b07800", danger: "#a40e26" };
  var PALETTE = [
    "#0550ae", "#a40e26", "#b07800", "#116329", "#8250df", "#0a7f8c",
    "#bc4c00", "#57606a", "#cf222e", "#1f883d", "#6e7781", "#953800"
  ];
  var HEIGHT = 240;

  function dayStamp(iso) {
    return Date.parse(iso + "T00:00:00Z") / 1000;
  }

  function colourOf(kind, key, i) {
    if (kind === "levels" && LEVEL_COLOURS[key]) {
      return LEVEL_COLOURS[key];
    }
    return PALETTE[i % PALETTE.length];
  }

  function widthOf(el) {
    return Math.max(240, Math.floor(el.clientWidth || el.getBoundingClientRect().width || 600));
  }

  function draw(el) {
    var kind = el.getAttribute("data-chart");
    var chart = data[kind];
    if (!chart || !chart.days || !chart.series) {
      return null;
    }
    var xs = chart.days.map(dayStamp);
    var rows = [xs];
    var series = [{ label: "Day", value: "{YYYY}-{MM}-{DD}" }];
    chart.series.forEach(function (s, i) {
      rows.push(s.values);
      var colour = colourOf(kind, s.key, i);
      series.push({
        label: s.key,
        stroke: colour,
        width: 2,
        points: { show: xs.length <= 31, size: 5, stroke: colour, fill: colour },
      });
    });
    var options = {
      width: widthOf(el),
      height: HEIGHT,
      tzDate: function (ts) { return window.uPlot.tzDate(new Date(ts * 1000), "Etc/UTC"); },
      cursor: { drag: { x: false, y: false } },
      // the legend names the series; the numbers are in the table under the chart
      legend: { live: false },
      scales: { x: { time: true }, y: { range: function (u, min, max) { return [0, Math.max(4, max)]; } } },
      axes: [
        { stroke: "#57606a", grid: { stroke: "#eaeef2" } },
        { stroke: "#57606a", grid: { stroke: "#eaeef2" },
          values: function (u, ticks) { return ticks.map(function (t) { return Number.isInteger(t) ? String(t) : ""; }); } },
      ],
      series: series,
    };
    return new window.uPlot(options, rows, el);
  }

  var charts = [];
  document.querySelectorAll("[data-chart]").forEach(function (el) {
    var plot = draw(el);
    if (plot) {
      charts.push({ el: el, plot: plot });
      el.setAttribute("data-drawn", "true");
    }
  });

  // Follow the page's width (a phone turned, a window resized), at most once a frame.
  var pending = false;
  window.addEventListener("resize", function () {
    if (pending) {
      return;
    }
    pending = true;
    window.requestAnimationFrame(function () {
      pending = false;
      charts.forEach(function (c) {
        c.plot.setSize({ width: widthOf(c.el), height: HEIGHT });
      });
    });
  });
})();
