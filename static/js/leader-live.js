// The group leader's page on the day: how many members have come (at the door, or online by their join
// link) follows without a reload. The page's stream (/leader/<token>/live) says only that something
// changed; the page then reads the count again (static/js/live-part.js) and puts it in place, in a polite live region,
// without touching the key points being written. When the stream does not get through, it is read
// again every 20 seconds. Without JavaScript the "Count again" link does it.
(function () {
  "use strict";
  var root = document.querySelector("[data-leader-live]");
  var refresh = root && window.EventHubLive && window.EventHubLive.readAgain("[data-members-live]");
  if (!refresh) { return; }
  var polling = false;

  function poll() {
    if (polling) { return; }
    polling = true;
    root.dataset.channel = "poll";
    window.setInterval(refresh, 20000);
  }

  if (!("EventSource" in window)) { poll(); return; }
  var source = new EventSource(root.dataset.stream);
  var heard = false;
  var check = window.setTimeout(function () { if (!heard) { source.close(); poll(); } }, 10000);
  source.addEventListener("hello", function () {
    if (heard) { refresh(); }  // back after a break: what came in meanwhile
    heard = true;
    root.dataset.channel = "stream";
    window.clearTimeout(check);
  });
  source.addEventListener("state", refresh);
  source.addEventListener("resync", refresh);
  source.addEventListener("error", function () {
    if (source.readyState === EventSource.CLOSED) { window.clearTimeout(check); poll(); }
  });
})();
