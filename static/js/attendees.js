// The attendee list's choosing: everyone on the page at once, and a live count of who is chosen.
// Without JavaScript the boxes work one by one and "all N matching" is decided by the server.
(function () {
  "use strict";
  var form = document.querySelector("form[data-bulk]");
  if (!form) { return; }
  var rows = Array.prototype.slice.call(form.querySelectorAll("input[name=ids]"));
  var page = form.querySelector("[data-choose-page]");
  var all = document.getElementById("all-matching");
  var count = document.getElementById("chosen-count");

  function update() {
    var chosen = rows.filter(function (box) { return box.checked; }).length;
    if (all.checked) {
      count.textContent = count.dataset.templateAll;
    } else {
      count.textContent = chosen ? count.dataset.template.replace("{num}", chosen) : "";
    }
    page.checked = chosen === rows.length;
    page.indeterminate = chosen > 0 && chosen < rows.length;
  }

  form.querySelector("[data-choose-page-box]").hidden = false;
  page.addEventListener("change", function () {
    rows.forEach(function (box) { box.checked = page.checked; });
    if (!page.checked) { all.checked = false; }
    update();
  });
  all.addEventListener("change", function () {
    if (all.checked) { rows.forEach(function (box) { box.checked = true; }); }
    update();
  });
  rows.forEach(function (box) {
    box.addEventListener("change", function () {
      if (!box.checked) { all.checked = false; }
      update();
    });
  });
  update();
})();
