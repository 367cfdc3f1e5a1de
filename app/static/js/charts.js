// Charts for result pages: each [data-chart] element names its JSON source, kind and metrics.
// A metric is its path in the nested scores of the JSON ("sus", "adkar.awareness"), as the page
// gives it from surveys.scoring. Suppressed groups carry no scores and therefore never reach a chart.
(function () {
  function metricValue(scores, path) {
    var value = scores;
    path.split(".").forEach(function (step) { value = value && value[step]; });
    return value === undefined ? null : value;
  }
  function render(element, data) {
    var metrics = element.dataset.metrics.split(",");
    var labels = element.dataset.labels.split("|");
    var segments = data.segments.filter(function (s) { return !s.suppressed && s.scores; });
    var chart = echarts.init(element, null, { renderer: "svg" });
    var option;
    if (element.dataset.chart === "radar") {
      option = {
        tooltip: {}, legend: { type: "scroll", bottom: 0 },
        radar: { indicator: labels.map(function (name) { return { name: name, min: 1, max: 5 }; }), radius: "60%" },
        series: [{ type: "radar", data: segments.map(function (s) {
          return { name: s.label, value: metrics.map(function (m) { return metricValue(s.scores, m); }) };
        }) }]
      };
    } else {
      var line = element.dataset.chart === "line";
      option = {
        tooltip: { trigger: "axis" }, legend: { bottom: 0 }, grid: { left: 40, right: 40, top: 20, bottom: 60, containLabel: true },
        xAxis: { type: "category", data: segments.map(function (s) { return s.label; }), axisLabel: { interval: 0, rotate: segments.length > 4 ? 30 : 0 } },
        yAxis: metrics.map(function (m, i) { return { type: "value", name: labels[i], position: i === 0 ? "left" : "right" }; }),
        series: metrics.map(function (m, i) {
          return { name: labels[i], type: line ? "line" : "bar", yAxisIndex: Math.min(i, 1),
                   data: segments.map(function (s) { return metricValue(s.scores, m); }) };
        })
      };
      option.yAxis = option.yAxis.slice(0, 2);
    }
    chart.setOption(option);
    window.addEventListener("resize", function () { chart.resize(); });
    element.dataset.rendered = "true";
  }
  document.querySelectorAll("[data-chart]").forEach(function (element) {
    if (typeof echarts === "undefined") return;
    fetch(element.dataset.src, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) { if (!response.ok) throw new Error(response.status); return response.json(); })
      .then(function (data) { render(element, data); })
      .catch(function () { element.hidden = true; });
  });
})();
