// Survey page: display conditions, progress indicator, text counters, one submit per click, the first
// question in error focused, and a draft kept in this browser's localStorage (never sent anywhere; cleared
// on submit). A question with data-show-if shows only while the answer to that earlier question is one of
// data-show-values (and that question itself shows). Without JavaScript every question shows and the
// server applies the same rule when the form is submitted.
(function () {
  var form = document.querySelector("[data-survey]");
  if (!form) return;
  var questions = Array.prototype.slice.call(form.querySelectorAll("[data-question]"));
  var fill = document.querySelector("[data-progress-fill]");
  var text = document.querySelector("[data-progress-text]");
  var template = document.documentElement.lang === "en" ? "{a} of {n} answered" : "已答 {a} / {n} 题";

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
  var draftKey = form.dataset.draft;
  function storage() { try { return window.localStorage; } catch (error) { return null; } }
  function saveDraft() {
    var store = storage();
    if (!store || !draftKey) return;
    var values = [];
    form.querySelectorAll("input, textarea").forEach(function (input) {
      if (input.name === "csrf_token" || input.type === "hidden") return;
      if ((input.type === "radio" || input.type === "checkbox") && !input.checked) return;
      if (input.tagName === "TEXTAREA" && input.value === "") return;
      values.push([input.name, input.value]);
    });
    try { store.setItem(draftKey, JSON.stringify(values)); } catch (error) { /* full or disabled */ }
  }
  function restoreDraft() {  // only into an untouched form: a page the server re-shows holds what was sent
    if (questions.some(answered)) return;
    var store = storage();
    var saved = store && draftKey ? store.getItem(draftKey) : null;
    if (!saved) return;
    var values;
    try { values = JSON.parse(saved); } catch (error) { return; }
    values.forEach(function (pair) {
      var fields = form.querySelectorAll("[name=\"" + CSS.escape(pair[0]) + "\"]");
      fields.forEach(function (field) {
        if ((field.type === "radio" || field.type === "checkbox") && field.value === pair[1]) field.checked = true;
        if (field.tagName === "TEXTAREA" && !field.value) field.value = pair[1];
      });
    });
  }
  form.addEventListener("change", saveDraft);
  form.addEventListener("input", saveDraft);
  form.addEventListener("submit", function () {
    var store = storage();
    if (store && draftKey) store.removeItem(draftKey);
    var button = form.querySelector("[data-submit]");
    if (button) { button.disabled = true; button.setAttribute("aria-busy", "true"); }
  });
  restoreDraft();
  update();
  var firstError = form.querySelector("fieldset.has-error");
  if (firstError) {
    firstError.scrollIntoView({ block: "start" });
    var control = firstError.querySelector("input:not([type=hidden]), textarea");
    if (control) control.focus({ preventScroll: true });
  }
})();
