// Theme run page: poll the run's status and reload when it has finished.
(function () {
  var section = document.querySelector("[data-run-status]");
  if (!section) return;
  var bar = section.querySelector("[data-progress]");
  var stage = section.querySelector("[data-stage]");
  function poll() {
    fetch(section.dataset.runStatus, { credentials: "same-origin" })
      .then(function (r) { return r.json(); })
      .then(function (data) {
        bar.value = data.progress;
        stage.textContent = data.stage;
        if (data.status === "succeeded" || data.status === "failed") window.location.reload();
        else setTimeout(poll, 1000);
      })
      .catch(function () { setTimeout(poll, 3000); });
  }
  setTimeout(poll, 800);
})();
