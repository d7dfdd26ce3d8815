// The group leader's page on the day: how many members have come (at the door, or online by their join
// link) follows without a reload. The page's stream (/leader/<token>/live) says only that something
// changed; the page then reads itself again and puts the new count in place, in a polite live region,
// without touching the key points being written. When the stream does not get through, it is read
// again every 20 seconds. Without JavaScript the "Count again" link does it.
(function () {
  "use strict";
  var root = document.querySelector("[data-leader-live]");
  if (!root || !("fetch" in window)) { return; }
  var box = root.querySelector("[data-members-live]");
  var pending = null;
  var polling = false;

  function refresh() {
    if (pending) { return; }
    pending = fetch(window.location.pathname, {credentials: "same-origin", headers: {"Accept": "text/html"}})
      .then(function (response) { return response.ok ? response.text() : null; })
      .then(function (html) {
        if (!html) { return; }
        var fresh = new DOMParser().parseFromString(html, "text/html").querySelector("[data-members-live]");
        if (fresh && fresh.innerHTML !== box.innerHTML) { box.innerHTML = fresh.innerHTML; }
      })
      .catch(function () { /* offline for now: the next message or poll tries again */ })
      .finally(function () { pending = null; });
  }

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
