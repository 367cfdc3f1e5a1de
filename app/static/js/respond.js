// Survey page: progress indicator, text counters, and one submit per click.
(function () {
  var form = document.querySelector("[data-survey]");
  if (!form) return;
  var questions = Array.prototype.slice.call(form.querySelectorAll("[data-question]"));
  var fill = document.querySelector("[data-progress-fill]");
  var text = document.querySelector("[data-progress-text]");
  var template = document.documentElement.lang === "en" ? "{a} of {n} answered" : "已答 {a} / {n} 题";

  function answered(fieldset) {
    var inputs = fieldset.querySelectorAll("input, textarea");
    for (var i = 0; i < inputs.length; i++) {
      var input = inputs[i];
      if ((input.type === "radio" || input.type === "checkbox") && input.checked) return true;
      if (input.tagName === "TEXTAREA" && input.value.trim() !== "") return true;
    }
    return false;
  }
  function update() {
    var count = questions.filter(answered).length;
    if (fill) fill.style.width = (100 * count / questions.length) + "%";
    if (text) text.textContent = template.replace("{a}", count).replace("{n}", questions.length);
  }
  form.addEventListener("change", update);
  form.addEventListener("input", function (event) {
    var target = event.target;
    if (target.dataset && target.dataset.counter) {
      var counter = document.getElementById(target.dataset.counter);
      if (counter) {
        var limit = Number(counter.dataset.limit);
        counter.textContent = target.value.length + " / " + limit;
        counter.classList.toggle("over", target.value.length > limit);
      }
    }
    update();
  });
  form.addEventListener("submit", function () {
    var button = form.querySelector("[data-submit]");
    if (button) { button.disabled = true; button.setAttribute("aria-busy", "true"); }
  });
  update();
})();
