// Group choice on the person's own page, kept current by the live channel (static/js/live.js tells
// "live:state", "live:hello" and "live:poll" on the document). When choice opens or closes the page
// reads itself again and swaps its choice section ([data-group-choice]); when seats change, the places
// left are written anew. A choice the person has started (a radio checked, not saved) is never thrown
// away by a swap of the same groups, focus stays where it was when it can, and the news is told politely.
// Without JavaScript a reload shows the same.
(function () {
  "use strict";
  var box = document.querySelector("[data-group-choice]");
  if (!box) { return; }
  var news = document.querySelector("[data-group-choice-news]");
  var reading = null;
  var again = false;

  function version() { return Number(box.dataset.version || 0); }

  function phrase(left) {
    if (left === null || left === undefined) { return box.dataset.any; }
    if (left <= 0) { return box.dataset.full; }
    if (left === 1) { return box.dataset.one; }
    return box.dataset.many.replace("{n}", left);
  }

  function writeSeats(seats, newVersion) {
    if (newVersion !== undefined && newVersion !== null && Number(newVersion) < version()) { return; }  // older news
    Object.keys(seats).forEach(function (id) {
      box.querySelectorAll('[data-seats-left="' + id + '"]').forEach(function (out) {
        var text = phrase(seats[id]);
        if (out.textContent !== text) { out.textContent = text; }
      });
    });
    if (newVersion !== undefined && newVersion !== null) { box.dataset.version = newVersion; }
  }

  function tell(text) {
    if (!news || !text) { return; }
    news.textContent = "";
    window.setTimeout(function () { news.textContent = text; }, 50);  // a change screen readers hear
  }

  function swap(fresh) {
    var opened = fresh.dataset.open === "yes" && box.dataset.open !== "yes";
    var closed = fresh.dataset.open !== "yes" && box.dataset.open === "yes";
    var focused = document.activeElement && box.contains(document.activeElement) ? document.activeElement.id : null;
    box.replaceChildren.apply(box, Array.prototype.slice.call(fresh.childNodes).map(function (node) {
      return document.importNode(node, true);
    }));
    ["open", "version", "groups"].forEach(function (key) { box.dataset[key] = fresh.dataset[key]; });
    if (focused && document.getElementById(focused)) {
      document.getElementById(focused).focus();
    } else if (focused) {
      box.setAttribute("tabindex", "-1");
      box.focus();  // what had focus is gone (choice closed): the keyboard stays here, not at the top
    }
    if (opened) { tell(news && news.dataset.opened); }
    if (closed) { tell(news && news.dataset.closed); }
  }

  // Read the page again: swap the section when choice opened, closed or offers other groups; otherwise
  // only its places left (so a radio the person checked stays checked).
  function read() {
    if (reading) { again = true; return; }
    reading = fetch(window.location.pathname + window.location.search,
                    {credentials: "same-origin", headers: {"Accept": "text/html"}})
      .then(function (response) { return response.ok ? response.text() : null; })
      .then(function (html) {
        if (!html) { return; }
        var fresh = new DOMParser().parseFromString(html, "text/html").querySelector("[data-group-choice]");
        if (!fresh) { return; }
        if (fresh.dataset.open !== box.dataset.open || fresh.dataset.groups !== box.dataset.groups) {
          swap(fresh);
        } else if (Number(fresh.dataset.version) >= version()) {
          var seats = {};
          fresh.querySelectorAll("[data-seats-left]").forEach(function (out) {
            seats[out.dataset.seatsLeft] = out.textContent;
          });
          Object.keys(seats).forEach(function (id) {
            box.querySelectorAll('[data-seats-left="' + id + '"]').forEach(function (out) {
              if (out.textContent !== seats[id]) { out.textContent = seats[id]; }
            });
          });
          box.dataset.version = fresh.dataset.version;
        }
      })
      .catch(function () { /* offline for now: the next poll or state message reads again */ })
      .finally(function () {
        reading = null;
        if (again) { again = false; read(); }
      });
  }

  document.addEventListener("live:state", function (event) {
    var detail = event.detail || {};
    if (detail.kind === "group-choice") {
      if ((detail.open ? "yes" : "no") !== box.dataset.open) { read(); }
    } else if (detail.kind === "seats" && detail.seats) {
      writeSeats(detail.seats, detail.version);
    }
  });
  document.addEventListener("live:hello", read);
  document.addEventListener("live:poll", read);
})();
