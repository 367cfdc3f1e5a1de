// Background jobs on a page (exports, theme runs): poll each [data-job-status] element's JSON
// ({status, status_label, stage, stage_label, progress}), show the job's state as it changes (queued →
// running: the element's data-job-state and its [data-job-badge]), and reload the page when it has finished.
(function () {
  var rows = document.querySelectorAll("[data-job-status]");
  rows.forEach(function (row) {
    var bar = row.querySelector("[data-progress]");
    var stage = row.querySelector("[data-stage]");
    // a theme run's page has one job, its badge in the heading rather than inside the polled element
    var badge = row.querySelector("[data-job-badge]") || (rows.length === 1 ? document.querySelector("[data-job-badge]") : null);
    function poll() {
      fetch(row.dataset.jobStatus, { credentials: "same-origin", headers: { Accept: "application/json" } })
        .then(function (r) { if (!r.ok) throw new Error(r.status); return r.json(); })
        .then(function (job) {
          if (bar) bar.value = job.progress;
          if (stage) stage.textContent = job.stage_label || job.stage;
          row.dataset.jobState = job.status;
          if (badge && job.status_label) {
            badge.textContent = job.status_label;
            badge.className = "badge status-" + job.status;
          }
          if (job.status === "succeeded" || job.status === "failed") window.location.reload();
          else setTimeout(poll, 1500);
        })
        .catch(function () { setTimeout(poll, 5000); });
    }
    setTimeout(poll, 1000);
  });
})();
