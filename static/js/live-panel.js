// The closing panel's view of every group's key points (live/panel.html): when a leader saves their
// group's points (a "key-points" state message on the organisers' stream, static/js/live-staff.js),
// or the stream comes back after a break, the page reads the groups again (static/js/live-part.js).
// Polling when the stream does not get through; without JavaScript the page refreshes itself every
// 30 seconds.
(function () {
  "use strict";
  var refresh = window.EventHubLive && window.EventHubLive.readAgain("[data-panel-live]");
  if (!refresh) { return; }
  document.addEventListener("live:state", function (event) {
    if (event.detail && event.detail.kind === "key-points") { refresh(); }
  });
  document.addEventListener("live:resync", refresh);
  document.addEventListener("live:poll", refresh);
  var first = true;
  document.addEventListener("live:hello", function () { if (!first) { refresh(); } first = false; });
})();
