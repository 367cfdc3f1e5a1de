// Survey page: display conditions, progress indicator, text counters, and one submit per click.
// A question with data-show-if shows only while the answer to that earlier question is one of
// data-show-values (and that question itself shows). Without JavaScript every question shows and the
// server applies the same rule when the form is submitted.
(function () {
  var form = document.querySelector("[data-survey]");
  if (!form) return;
  var questions = Array.prototype.slice.call(form.querySelectorAll("[data-question]"));
  var fill = document.querySelector("[data-progress-fill]");
  var text = document.querySelector("[data-progress-text]");
  var template = text ? text.dataset.progressTemplate : ""; // "已答 {a} / {n} 题", translated by the page

  function chosen(code) {
    var inputs = form.querySelectorAll("input[type=radio]");
    for (var i = 0; i < inputs.length; i++) {
      if (inputs[i].name === code && inputs[i].checked) return inputs[i].value;
    }
    return null;
  }
  function applyConditions() {
    var hidden = {};
    questions.forEach(function (fieldset) {
      var parent = fieldset.dataset.showIf;
      if (!parent) return;
      var values = fieldset.dataset.showValues.split(",");
      var show = !hidden[parent] && values.indexOf(chosen(parent)) !== -1;
      fieldset.hidden = !show;
      if (!show) hidden[fieldset.dataset.code] = true;
    });
  }
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
    applyConditions();
    var shown = questions.filter(function (fieldset) { return !fieldset.hidden; });
    shown.forEach(function (fieldset, index) {  // numbered as shown: no gap where a question is hidden
      var number = fieldset.querySelector(".qnum");
      if (number) number.textContent = index + 1 + ".";
    });
    var count = shown.filter(answered).length;
    if (fill) fill.style.width = (shown.length ? 100 * count / shown.length : 0) + "%";
    if (text) text.textContent = template.replace("{a}", count).replace("{n}", shown.length);
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
