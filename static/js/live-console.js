// The organisers' live console (live/console.html): whatever changes on the event's stream (an arrival,
// group choice or its seats, a question, an announcement, a group's key points) or after a break, the
// page reads its figures again (static/js/live-part.js), at most every two seconds, keeping the
// keyboard where it was. Polling when the stream does not get through (live:poll); without JavaScript
// the page refreshes itself every 20 seconds.
(function () {
  "use strict";
  var refresh = window.EventHubLive && window.EventHubLive.readAgain("[data-console-live]", {minGap: 2000, keepFocus: true});
  if (!refresh) { return; }
  ["live:state", "live:announcement", "live:resync", "live:poll"].forEach(function (name) {
    document.addEventListener(name, refresh);
  });
  var first = true;
  document.addEventListener("live:hello", function () { if (!first) { refresh(); } first = false; });
})();
