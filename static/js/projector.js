// The projector view (templates/live/projector.html), kept current by the event's stream
// (static/js/live-staff.js): "seats" writes each group's places left, "group-choice" reads the page
// again (the state, the groups, the organiser's button), and so do "live:hello", "live:resync" and
// "live:poll". The next item counts down; the full-screen button uses the Fullscreen API where there is
// one. Without JavaScript the page reloads itself every 15 seconds.
(function () {
  "use strict";
  var root = document.querySelector("[data-projector]");
  if (!root) { return; }
  var reading = null;
  var again = false;

  function writeSeats(seats, version) {
    if (version !== undefined && version !== null) {
      if (Number(version) < Number(root.dataset.version || 0)) { return; }  // older news, out of order
      root.dataset.version = version;
    }
    Object.keys(seats).forEach(function (id) {
      var out = root.querySelector('[data-seats-left="' + id + '"]');
      if (!out) { return; }
      var left = seats[id];
      var label = root.querySelector('[data-seats-label-for="' + id + '"]');
      var text = left === null ? root.dataset.any : (left <= 0 ? root.dataset.full : String(left));
      if (out.textContent !== text) { out.textContent = text; }
      if (label) { label.hidden = !(left > 0); }
    });
  }

  function read() {
    if (reading) { again = true; return; }
    reading = fetch(window.location.pathname, {credentials: "same-origin", headers: {"Accept": "text/html"}})
      .then(function (response) { return response.ok ? response.text() : null; })
      .then(function (html) {
        if (!html) { return; }
        var fresh = new DOMParser().parseFromString(html, "text/html");
        var page = fresh.querySelector("[data-projector]");
        if (!page || Number(page.dataset.version) < Number(root.dataset.version || 0) &&
            page.dataset.open === root.dataset.open) { return; }
        root.querySelectorAll("[data-swap]").forEach(function (here) {
          var there = fresh.querySelector('[data-swap="' + here.dataset.swap + '"]');
          if (!there || there.innerHTML === here.innerHTML) { return; }
          var focused = here.contains(document.activeElement);
          here.innerHTML = there.innerHTML;
          if (focused) { var button = here.querySelector("button"); if (button) { button.focus(); } }
        });
        root.dataset.open = page.dataset.open;
        root.dataset.version = page.dataset.version;
      })
      .catch(function () { /* the next message or poll reads again */ })
      .finally(function () {
        reading = null;
        if (again) { again = false; read(); }
      });
  }

  document.addEventListener("live:state", function (event) {
    var detail = event.detail || {};
    if (detail.kind === "seats" && detail.seats) { writeSeats(detail.seats, detail.version); }
    if (detail.kind === "group-choice") { read(); }
  });
  ["live:hello", "live:resync", "live:poll"].forEach(function (name) { document.addEventListener(name, read); });

  // Full screen, where the browser allows it.
  var full = root.querySelector("[data-fullscreen]");
  if (full && document.documentElement.requestFullscreen) {
    full.hidden = false;
    full.addEventListener("click", function () {
      if (document.fullscreenElement) { document.exitFullscreen(); } else { document.documentElement.requestFullscreen(); }
    });
    document.addEventListener("fullscreenchange", function () {
      full.textContent = document.fullscreenElement ? full.dataset.leave : full.dataset.enter;
    });
  }

  // The countdown to the next item.
  var next = root.querySelector("[data-next-start]");
  function countdown() {
    if (!next) { return; }
    var out = next.querySelector("[data-countdown]");
    var minutes = Math.ceil((new Date(next.dataset.nextStart) - new Date()) / 60000);
    if (minutes > 180) { out.hidden = true; }
    else if (minutes > 0) { out.textContent = root.dataset.inMinutes.replace("{minutes}", minutes); out.hidden = false; }
    else { out.textContent = root.dataset.starting; out.hidden = false; }
    window.setTimeout(countdown, 15000);
  }
  countdown();
})();
