// Instrument editor: drag questions (a validated block moves whole) to reorder them, and show only the
// fields a question's type uses. Without JavaScript the buttons do the same on the server and every field
// shows (the server ignores those a type does not use).
(function () {
  var editor = document.querySelector("[data-editor]");
  if (!editor) return;
  var list = editor.querySelector("[data-questions]");
  var dragged = null;

  function renumber() {
    var positions = list.querySelectorAll("[data-position]");
    for (var i = 0; i < positions.length; i++) {
      positions[i].value = String(i);
      var label = unitAt(positions[i]).querySelector("[data-number]");
      if (label) label.textContent = label.dataset.number.replace("{n}", String(i + 1));
    }
  }
  function unitAt(target) {
    while (target && target !== list) {
      if (target.hasAttribute && target.hasAttribute("data-unit")) return target;
      target = target.parentNode;
    }
    return null;
  }
  function showFieldsFor(unit) {
    var select = unit.querySelector("select[name$='-qtype']");
    if (!select) return;
    var parts = unit.querySelectorAll("[data-for-types]");
    for (var i = 0; i < parts.length; i++) {
      parts[i].hidden = parts[i].dataset.forTypes.split(" ").indexOf(select.value) === -1;
    }
  }

  Array.prototype.forEach.call(list.querySelectorAll("[data-unit]"), function (unit) {
    var handle = unit.querySelector(".drag-handle");
    if (handle) {  // drag by the handle, so that selecting text in a field never starts a drag
      handle.hidden = false;
      handle.setAttribute("draggable", "true");
    }
    showFieldsFor(unit);
  });
  list.addEventListener("dragstart", function (event) {
    dragged = unitAt(event.target);
    if (!dragged) return;
    dragged.classList.add("dragging");
    event.dataTransfer.effectAllowed = "move";
    event.dataTransfer.setData("text/plain", dragged.id || "question");
  });
  list.addEventListener("dragover", function (event) {
    var over = unitAt(event.target);
    if (!dragged || !over || over === dragged) return;
    event.preventDefault();
    var box = over.getBoundingClientRect();
    var after = event.clientY > box.top + box.height / 2;
    list.insertBefore(dragged, after ? over.nextSibling : over);
  });
  list.addEventListener("drop", function (event) { event.preventDefault(); });
  list.addEventListener("dragend", function () {
    if (dragged) dragged.classList.remove("dragging");
    dragged = null;
    renumber();
  });
  editor.addEventListener("change", function (event) {
    if (event.target.name && /-qtype$/.test(event.target.name)) showFieldsFor(unitAt(event.target));
  });
})();
