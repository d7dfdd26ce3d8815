// The organisers' live console (live/console.html): whatever changes on the event's stream (an arrival,
// group choice or its seats, a question, an announcement, a group's key points) or after a break, the
// page reads itself again, at most every two seconds, and puts the new figures in place without moving
// focus. Polling when the stream does not get through (live:poll); without JavaScript the page
// refreshes itself every 20 seconds.
(function () {
  "use strict";
  var box = document.querySelector("[data-console-live]");
  if (!box || !("fetch" in window)) { return; }
  var pending = null;
  var again = false;
  var last = 0;

  function refresh() {
    if (pending) { again = true; return; }
    var wait = Math.max(0, last + 2000 - Date.now());
    pending = new Promise(function (resolve) { window.setTimeout(resolve, wait); })
      .then(function () {
        last = Date.now();
        return fetch(window.location.pathname, {credentials: "same-origin", headers: {"Accept": "text/html"}});
      })
      .then(function (response) { return response.ok ? response.text() : null; })
      .then(function (html) {
        if (!html) { return; }
        var fresh = new DOMParser().parseFromString(html, "text/html").querySelector("[data-console-live]");
        if (!fresh || fresh.innerHTML === box.innerHTML) { return; }
        var focused = document.activeElement && box.contains(document.activeElement) ? document.activeElement : null;
        var key = focused ? (focused.getAttribute("href") || focused.textContent) : null;
        box.innerHTML = fresh.innerHTML;
        if (key) {  // keep the keyboard where it was
          var same = Array.prototype.find.call(box.querySelectorAll("a, button"), function (el) {
            return (el.getAttribute("href") || el.textContent) === key;
          });
          if (same) { same.focus(); }
        }
      })
      .catch(function () { /* offline for now: the next message or poll tries again */ })
      .finally(function () {
        pending = null;
        if (again) { again = false; refresh(); }
      });
  }

  ["live:state", "live:announcement", "live:resync", "live:poll"].forEach(function (name) {
    document.addEventListener(name, refresh);
  });
  var first = true;
  document.addEventListener("live:hello", function () { if (!first) { refresh(); } first = false; });
})();
