// "Select all on this page" ticks the rows' boxes too (progressive enhancement: without this
// script the server applies the action to every candidate of the page when it is ticked).
(function () {
  "use strict";
  document.querySelectorAll("input[data-select-all]").forEach(function (all) {
    var name = all.dataset.selectAll;
    var boxes = document.querySelectorAll('input[form="' + all.form.id + '"][name="' + name + '"]');
    all.addEventListener("change", function () {
      boxes.forEach(function (box) { box.checked = all.checked; });
    });
    boxes.forEach(function (box) {
      box.addEventListener("change", function () {
        all.checked = Array.prototype.every.call(boxes, function (b) { return b.checked; });
      });
    });
  });
})();
