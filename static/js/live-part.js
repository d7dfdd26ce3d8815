// The live pages' one way of reading part of themselves again (the console, the panel's view of the
// groups' key points, the group leader's page): fetch the page's own address, take the element that
// matches ``selector`` from it and put its contents in place of ours when they differ. One read at a
// time; a call while one runs asks for one more after it; ``minGap`` (ms) keeps reads apart; with
// ``keepFocus`` the link or button that had the keyboard gets it back. Errors (offline for now) wait
// for the next call.
(function () {
  "use strict";
  window.EventHubLive = window.EventHubLive || {};

  window.EventHubLive.readAgain = function (selector, options) {
    var box = document.querySelector(selector);
    if (!box || !("fetch" in window)) { return null; }
    var minGap = (options && options.minGap) || 0;
    var keepFocus = Boolean(options && options.keepFocus);
    var busy = false, again = false, last = 0;

    function key(element) { return element.getAttribute("href") || element.textContent; }

    function put(html) {
      var fresh = new DOMParser().parseFromString(html, "text/html").querySelector(selector);
      if (!fresh || fresh.innerHTML === box.innerHTML) { return; }
      var focused = keepFocus && box.contains(document.activeElement) ? key(document.activeElement) : null;
      box.innerHTML = fresh.innerHTML;
      if (focused !== null) {
        var same = Array.prototype.find.call(box.querySelectorAll("a, button"), function (el) {
          return key(el) === focused;
        });
        if (same) { same.focus(); }
      }
    }

    function refresh() {
      if (busy) { again = true; return; }
      busy = true;
      var wait = Math.max(0, last + minGap - Date.now());
      new Promise(function (resolve) { window.setTimeout(resolve, wait); })
        .then(function () {
          last = Date.now();
          return fetch(window.location.pathname, {credentials: "same-origin", headers: {"Accept": "text/html"}});
        })
        .then(function (response) { return response.ok ? response.text() : null; })
        .then(function (html) { if (html) { put(html); } })
        .catch(function () { /* offline for now: the next message or poll tries again */ })
        .finally(function () {
          busy = false;
          if (again) { again = false; refresh(); }
        });
    }

    return refresh;
  };
})();
