// Copy button: copies the text of the element named by data-copy-target.
document.querySelectorAll("[data-copy-target]").forEach(function (button) {
  button.addEventListener("click", function () {
    var target = document.getElementById(button.dataset.copyTarget);
    if (!target) return;
    var text = target.dataset.receipt || target.textContent.trim();
    var done = function () { button.textContent = button.dataset.copiedLabel || "OK"; };
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(text).then(done, function () { selectText(target); });
    } else {
      selectText(target);
      try { document.execCommand("copy"); done(); } catch (e) { /* selection stays for manual copy */ }
    }
  });
});
function selectText(element) {
  var range = document.createRange();
  range.selectNodeContents(element);
  var selection = window.getSelection();
  selection.removeAllRanges();
  selection.addRange(range);
}
