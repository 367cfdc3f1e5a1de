// Background jobs on a page (exports, theme runs): poll each [data-job-status] element's JSON
// ({status, stage, stage_label, progress}) and reload the page when the job has finished.
(function () {
  var rows = document.querySelectorAll("[data-job-status]");
  rows.forEach(function (row) {
    var bar = row.querySelector("[data-progress]");
    var stage = row.querySelector("[data-stage]");
    function poll() {
      fetch(row.dataset.jobStatus, { credentials: "same-origin", headers: { Accept: "application/json" } })
        .then(function (r) { if (!r.ok) throw new Error(r.status); return r.json(); })
        .then(function (job) {
          if (bar) bar.value = job.progress;
          if (stage) stage.textContent = job.stage_label || job.stage;
          if (job.status === "succeeded" || job.status === "failed") window.location.reload();
          else setTimeout(poll, 1500);
        })
        .catch(function () { setTimeout(poll, 5000); });
    }
    setTimeout(poll, 1000);
  });
})();
