// The live channel of the person's own page (eventhub.live): new announcements appear in the page's
// polite live region as they are sent, and the next item counts down. Server-Sent Events first; when
// the stream does not get through (a proxy that buffers it, a server that is full) the page polls
// live.json instead. Without JavaScript a reload shows the same. Focus is never moved.
(function () {
  "use strict";
  var root = document.querySelector("[data-live]");
  if (!root) { return; }
  var list = root.querySelector("[data-live-list]");
  var empty = root.querySelector("[data-live-empty]");
  var nextBox = root.querySelector("[data-live-next]");
  var last = Number(root.dataset.lastId || 0);
  var pollSeconds = Math.max(5, Number(root.dataset.pollSeconds || 15));
  var polling = false;
  var nextTimer = null;

  function parse(html) {
    return document.createRange().createContextualFragment(html);
  }

  function add(item) {
    if (!item || item.id <= last || list.querySelector('[data-announcement="' + item.id + '"]')) { return; }
    last = item.id;
    list.insertBefore(parse(item.html), list.firstChild);  // newest first, as the page lists them
    if (empty) { empty.hidden = true; }
  }

  // The live event's other parts (group choice, seats, questions) listen on the document: "live:state"
  // carries one state message, "live:hello" says the stream (re)connected and "live:poll" that a poll
  // went by, so each part reads its state again when it may have missed some.
  function tell(name, detail) {
    document.dispatchEvent(new CustomEvent(name, {detail: detail || {}}));
  }

  function poll() {
    tell("live:poll");
    fetch(root.dataset.poll + "?after=" + last, {headers: {"Accept": "application/json"}, credentials: "same-origin"})
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (data) {
        if (!data) { return; }
        data.announcements.forEach(add);
        if (typeof data.next === "string") { nextBox.replaceChildren(parse(data.next)); countdown(); }
      })
      .catch(function () { /* offline for now: the next poll tries again */ })
      .finally(function () { window.setTimeout(poll, pollSeconds * 1000); });
  }

  function startPolling() {
    if (polling) { return; }
    polling = true;
    root.dataset.channel = "poll";
    poll();
  }

  function listen() {
    if (!("EventSource" in window)) { startPolling(); return; }
    var source = new EventSource(root.dataset.stream + "?after=" + last);
    var heard = false;
    // A proxy that buffers the stream sends nothing through: poll instead of waiting forever.
    var check = window.setTimeout(function () {
      if (!heard) { source.close(); startPolling(); }
    }, 10000);
    source.addEventListener("hello", function () {
      heard = true;
      root.dataset.channel = "stream";  // what the page listens by (for tests and the curious)
      window.clearTimeout(check);
      tell("live:hello");
    });
    source.addEventListener("state", function (event) { tell("live:state", JSON.parse(event.data)); });
    source.addEventListener("announcement", function (event) { add(JSON.parse(event.data)); });
    source.addEventListener("error", function () {
      // The browser reconnects by itself (with Last-Event-ID) after a stream ends; a refused stream
      // (the server is full, or gone) stays closed: poll.
      if (source.readyState === EventSource.CLOSED) { window.clearTimeout(check); startPolling(); }
    });
  }

  function countdown() {
    window.clearTimeout(nextTimer);
    var next = root.querySelector("[data-next-start]");
    if (!next) { return; }
    var out = next.querySelector("[data-countdown]");
    var minutes = Math.ceil((new Date(next.dataset.nextStart) - new Date()) / 60000);
    if (minutes > 180) {  // hours away: the time says enough
      out.hidden = true;
      nextTimer = window.setTimeout(countdown, 60000);
    } else if (minutes > 0) {
      out.textContent = "(" + root.dataset.inMinutes.replace("{minutes}", minutes) + ")";
      out.hidden = false;
      nextTimer = window.setTimeout(countdown, 20000);
    } else {
      out.textContent = "(" + root.dataset.starting + ")";
      out.hidden = false;
      // The item has begun: ask which comes after it.
      nextTimer = window.setTimeout(function () {
        fetch(root.dataset.poll + "?after=" + last, {credentials: "same-origin"})
          .then(function (response) { return response.ok ? response.json() : null; })
          .then(function (data) {
            if (!data) { return; }
            data.announcements.forEach(add);
            nextBox.replaceChildren(parse(data.next));
            countdown();
          })
          .catch(function () { nextTimer = window.setTimeout(countdown, 60000); });
      }, 60000);
    }
  }

  countdown();
  listen();
})();
