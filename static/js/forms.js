// Long texts count their characters as the person types, so nothing is cut or refused on sending.
// The counter is announced politely only near the limit, not on every key.
(function () {
  "use strict";
  document.querySelectorAll("textarea[data-counter]").forEach(function (area) {
    var counter = document.getElementById(area.dataset.counter);
    if (!counter) { return; }
    var limit = Number(area.getAttribute("maxlength"));
    function update() {
      var used = area.value.length;
      counter.textContent = counter.dataset.template.replace("{used}", used);
      counter.setAttribute("aria-live", used > limit * 0.9 ? "polite" : "off");
      counter.classList.toggle("counter-near", used > limit * 0.9);
    }
    area.addEventListener("input", update);
    if (area.value) { update(); }
  });
})();
