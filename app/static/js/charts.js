// Charts for result pages: each [data-chart] element names its JSON source, kind and metrics.
// A metric is its path in the nested scores of the JSON ("sus", "adkar.awareness"), as the page
// gives it from surveys.scoring. Suppressed groups carry no scores and therefore never reach a chart.
// Charts cannot mislead: one scale per chart (the page draws one chart per scale), so never two value
// axes; the value axis spans the scale's whole range (data-min … data-max); eNPS is a diverging bar
// around 0; bars are horizontal so group names stay whole words at 375 px; axis titles sit inside the grid.
(function () {
  var COLOURS = ["#1f6fb2", "#e07b39", "#2e7d4f", "#8e44ad", "#c0392b", "#16a085", "#7f8c8d"];
  function metricValue(scores, path) {
    var value = scores;
    path.split(".").forEach(function (step) { value = value && value[step]; });
    return value === undefined ? null : value;
  }
  function range(element) {
    return { min: Number(element.dataset.min), max: Number(element.dataset.max) };
  }
  function narrow(element) { return element.clientWidth < 560; }
  function formatted(value, min) {  // as the tables write them: eNPS signed (true minus), SUS .1, means .2
    if (value === null || value === undefined) return "";
    if (min < 0) return (value > 0 ? "+" : value < 0 ? "\u2212" : "") + Math.abs(Math.round(value));
    return min === 0 ? value.toFixed(1) : value.toFixed(2);
  }
  function barOption(element, segments, metric, label) {
    var scale = range(element);
    var diverging = scale.min < 0;
    var names = segments.map(function (s) { return s.label; });
    element.style.height = Math.max(160, 56 + 34 * segments.length) + "px";
    return {
      color: COLOURS,
      tooltip: { trigger: "axis", axisPointer: { type: "shadow" } },
      grid: { left: 8, right: 40, top: 8, bottom: 36, containLabel: true },
      xAxis: {
        type: "value", min: scale.min, max: scale.max, name: label, nameLocation: "middle", nameGap: 24,
        splitNumber: diverging ? 4 : 5, axisLabel: { hideOverlap: true }
      },
      yAxis: {
        type: "category", data: names, inverse: true,
        axisLabel: { width: narrow(element) ? 96 : 180, overflow: "break", lineHeight: 14 }
      },
      series: [{
        name: label, type: "bar", barMaxWidth: 22,
        label: { show: true, position: "right", formatter: function (p) { return formatted(p.value, scale.min); } },
        data: segments.map(function (s) {
          var value = metricValue(s.scores, metric);
          return diverging && value !== null
            ? { value: value, itemStyle: { color: value < 0 ? "#c0392b" : "#2e7d4f" } }
            : value;
        }),
        markLine: diverging ? { silent: true, symbol: "none", label: { show: false },
                                lineStyle: { color: "#333" }, data: [{ xAxis: 0 }] } : undefined
      }]
    };
  }
  function lineOption(element, segments, metrics, labels) {
    var scale = range(element);
    return {
      color: COLOURS,
      tooltip: { trigger: "axis" }, legend: { type: "scroll", bottom: 0 },
      grid: { left: 8, right: 16, top: 28, bottom: 48, containLabel: true },
      xAxis: {
        type: "category", data: segments.map(function (s) { return s.label; }),
        axisLabel: { interval: 0, hideOverlap: true, rotate: narrow(element) && segments.length > 3 ? 45 : 0 }
      },
      yAxis: { type: "value", min: scale.min, max: scale.max, name: element.dataset.axis || "",
               nameLocation: "end", nameTextStyle: { align: "left" } },
      series: metrics.map(function (m, i) {
        return { name: labels[i], type: "line", connectNulls: false,
                 data: segments.map(function (s) { return metricValue(s.scores, m); }) };
      })
    };
  }
  function radarOption(element, segments, metrics, labels) {
    var scale = range(element);
    return {
      color: COLOURS,
      tooltip: {}, legend: { type: "scroll", bottom: 0 },
      radar: { indicator: labels.map(function (name) { return { name: name, min: scale.min, max: scale.max }; }),
               radius: narrow(element) ? "55%" : "65%" },
      series: [{ type: "radar", data: segments.map(function (s) {
        return { name: s.label, value: metrics.map(function (m) { return metricValue(s.scores, m); }) };
      }) }]
    };
  }
  function render(element, data) {
    var metrics = element.dataset.metrics.split(",");
    var labels = element.dataset.labels.split("|");
    var segments = data.segments.filter(function (s) { return !s.suppressed && s.scores; });
    var kind = element.dataset.chart;
    var option = kind === "radar" ? radarOption(element, segments, metrics, labels)
      : kind === "line" ? lineOption(element, segments, metrics, labels)
      : barOption(element, segments, metrics[0], labels[0]);
    var chart = echarts.init(element, null, { renderer: "svg" });
    chart.setOption(option);
    window.addEventListener("resize", function () { chart.resize(); });
    element.dataset.rendered = "true";
  }
  var sources = {};
  document.querySelectorAll("[data-chart]").forEach(function (element) {
    if (typeof echarts === "undefined") return;
    var src = element.dataset.src;
    sources[src] = sources[src] || fetch(src, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) { if (!response.ok) throw new Error(response.status); return response.json(); });
    sources[src]
      .then(function (data) { render(element, data); })
      .catch(function () { element.hidden = true; });
  });
})();
