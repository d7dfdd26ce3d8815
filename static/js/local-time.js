// The event's time in the reader's own zone, when it differs from the event's (the browser knows
// the reader's zone; the server does not). Fills the hidden .local-time of each [data-local-time].
(function () {
  "use strict";
  var reader = Intl.DateTimeFormat().resolvedOptions().timeZone;
  if (!reader) { return; }
  var lang = document.documentElement.lang || "sv";
  var locale = lang === "en" ? "en-GB" : lang;
  function clock(moment, zone) {
    return new Intl.DateTimeFormat(locale, {hour: "2-digit", minute: "2-digit", hourCycle: "h23", timeZone: zone})
      .format(moment);
  }
  function day(moment, zone) {
    return new Intl.DateTimeFormat(locale, {weekday: "long", day: "numeric", month: "long", timeZone: zone})
      .format(moment);
  }
  document.querySelectorAll("[data-local-time]").forEach(function (element) {
    var zone = element.dataset.zone;
    var start = new Date(element.dataset.start);
    var end = new Date(element.dataset.end);
    if (zone === reader || clock(start, zone) + day(start, zone) === clock(start, reader) + day(start, reader)) {
      return;  // the same wall clock: nothing to add
    }
    var target = element.querySelector(".local-time");
    var text = element.dataset.label.replace("{zone}", reader) + " ";
    if (day(start, zone) !== day(start, reader)) { text += day(start, reader) + ", "; }
    target.textContent = text + clock(start, reader) + "–" + clock(end, reader);
    target.hidden = false;
  });
})();
