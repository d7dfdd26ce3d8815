// The closing panel's view of every group's key points (live/panel.html): when a leader saves their
// group's points (a "key-points" state message on the organisers' stream, static/js/live-staff.js),
// or the stream comes back after a break, the page reads itself again and puts the groups in place,
// in a polite live region. Polling when the stream does not get through; without JavaScript the page
// refreshes itself every 30 seconds.
(function () {
  "use strict";
  var box = document.querySelector("[data-panel-live]");
  if (!box || !("fetch" in window)) { return; }
  var pending = null;

  function refresh() {
    if (pending) { return; }
    pending = fetch(window.location.pathname, {credentials: "same-origin", headers: {"Accept": "text/html"}})
      .then(function (response) { return response.ok ? response.text() : null; })
      .then(function (html) {
        if (!html) { return; }
        var fresh = new DOMParser().parseFromString(html, "text/html").querySelector("[data-panel-live]");
        if (fresh && fresh.innerHTML !== box.innerHTML) { box.innerHTML = fresh.innerHTML; }
      })
      .catch(function () { /* offline for now */ })
      .finally(function () { pending = null; });
  }

  document.addEventListener("live:state", function (event) {
    if (event.detail && event.detail.kind === "key-points") { refresh(); }
  });
  document.addEventListener("live:resync", refresh);
  document.addEventListener("live:poll", refresh);
  var first = true;
  document.addEventListener("live:hello", function () { if (!first) { refresh(); } first = false; });
})();
