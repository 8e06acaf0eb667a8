/* Analytics charts (R-KPI-3), drawn with the vendored Apache ECharts.
 *
 * Each element [data-chart="<id>"] names a JSON block (rendered by json_script: the CSP
 * forbids inline code) holding {type, categories, series: [{name, data, type, axis}], links}.
 * A click on a point opens links[index]: the records behind it. Charts follow the window's
 * size; the container's size comes from static/css/charts.css (no style attributes).
 */
(function () {
  "use strict";

  function readSpec(el) {
    const block = document.getElementById(el.dataset.chart);
    if (!block) return null;
    try {
      return JSON.parse(block.textContent);
    } catch (e) {
      return null;
    }
  }

  function funnelOption(spec) {
    const series = spec.series[0] || { name: "", data: [] };
    return {
      tooltip: { trigger: "item" },
      series: [
        {
          name: series.name,
          type: "funnel",
          sort: "none",
          minSize: "10%",
          label: { show: true, position: "inside" },
          data: spec.categories.map(function (name, i) {
            return { name: name, value: series.data[i] || 0 };
          }),
        },
      ],
    };
  }

  function pieOption(spec) {
    const series = spec.series[0] || { name: "", data: [] };
    return {
      tooltip: { trigger: "item" },
      series: [
        {
          name: series.name,
          type: "pie",
          radius: "65%",
          data: spec.categories.map(function (name, i) {
            return { name: name, value: series.data[i] || 0 };
          }),
        },
      ],
    };
  }

  function axisOption(spec) {
    const second = spec.series.some(function (s) {
      return s.axis === 1;
    });
    const yAxis = [{ type: "value" }];
    if (second) yAxis.push({ type: "value", max: 100, axisLabel: { formatter: "{value}%" } });
    return {
      tooltip: { trigger: "axis" },
      legend: { type: "scroll", top: 0 },
      grid: { left: 50, right: second ? 50 : 20, top: 36, bottom: 60 },
      xAxis: { type: "category", data: spec.categories, axisLabel: { rotate: spec.categories.length > 6 ? 30 : 0 } },
      yAxis: yAxis,
      series: spec.series.map(function (s) {
        return {
          name: s.name,
          type: s.type === "line" ? "line" : "bar",
          yAxisIndex: s.axis || 0,
          data: s.data,
          connectNulls: true,
        };
      }),
    };
  }

  function draw(el) {
    if (el.dataset.chartReady || typeof window.echarts === "undefined") return;
    const spec = readSpec(el);
    if (!spec) return;
    el.dataset.chartReady = "1";
    const chart = window.echarts.init(el, null, { renderer: "canvas" });
    let option;
    if (spec.type === "funnel") option = funnelOption(spec);
    else if (spec.type === "pie") option = pieOption(spec);
    else option = axisOption(spec);
    option.animation = false;
    chart.setOption(option);
    chart.on("click", function (params) {
      const url = (spec.links || [])[params.dataIndex];
      if (url) window.location.assign(url);
    });
    window.addEventListener("resize", function () {
      chart.resize();
    });
  }

  function drawAll(root) {
    (root || document).querySelectorAll("[data-chart]").forEach(draw);
  }

  document.addEventListener("DOMContentLoaded", function () {
    drawAll(document);
  });
  document.addEventListener("htmx:afterSwap", function (event) {
    drawAll(event.target);
  });
})();
