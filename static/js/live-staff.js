// The organisers' live pages (the console, the moderator's and the projector's views) listen to the
// event's stream (/manage/events/<slug>/live/stream) through this one file: each state message is
// told on the document as "live:state", a (re)connection as "live:hello", a lost gap as "live:resync",
// an announcement sent as "live:announcement"; when the stream does not get through (a proxy that
// buffers, a full server) "live:poll" is told every few seconds instead, and each page reads its state
// again. Without JavaScript the pages refresh themselves (<meta http-equiv="refresh">).
(function () {
  "use strict";
  var root = document.querySelector("[data-live-staff]");
  if (!root) { return; }
  var pollSeconds = Math.max(3, Number(root.dataset.pollSeconds || 5));
  var polling = false;

  function tell(name, detail) {
    document.dispatchEvent(new CustomEvent(name, {detail: detail || {}}));
  }

  function startPolling() {
    if (polling) { return; }
    polling = true;
    root.dataset.channel = "poll";
    window.setInterval(function () { tell("live:poll"); }, pollSeconds * 1000);
  }

  if (!("EventSource" in window)) { startPolling(); return; }
  var source = new EventSource(root.dataset.stream);
  var heard = false;
  var check = window.setTimeout(function () { if (!heard) { source.close(); startPolling(); } }, 10000);
  source.addEventListener("hello", function () {
    heard = true;
    root.dataset.channel = "stream";
    window.clearTimeout(check);
    tell("live:hello");
  });
  source.addEventListener("state", function (event) { tell("live:state", JSON.parse(event.data)); });
  source.addEventListener("resync", function () { tell("live:resync"); });
  source.addEventListener("announcement", function (event) { tell("live:announcement", JSON.parse(event.data)); });
  source.addEventListener("error", function () {
    if (source.readyState === EventSource.CLOSED) { window.clearTimeout(check); startPolling(); }
  });
})();
