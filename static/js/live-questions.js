// Questions to the speakers (eventhub.live.qa), kept current without a reload on three pages:
// - the person's own page ([data-questions]): the approved questions and their own waiting ones are read
//   again when a question they may see is shown, answered or pinned ("live:state" of kind "question" from
//   live.js; upvotes are told to the organisers' pages only), when the
//   stream (re)connects and on each poll; an upvote is sent in the background and the list updated in
//   place (without JavaScript the form posts and the page comes back);
// - the moderator's queue ([data-queue-root]) and the presenter's view ([data-pinned-url]): read again
//   on every question message of the organisers' stream (live-staff.js), a reconnection, a resync or a
//   poll; the moderator's buttons are sent in the background too.
// Focus stays where it was: the element with the same form action (or id) gets it back after an update.
(function () {
  "use strict";

  function parse(html) {
    return document.createRange().createContextualFragment(html);
  }

  function focusKey() {
    var active = document.activeElement;
    if (!active || active === document.body) { return null; }
    var form = active.closest("form");
    if (form && active.tagName !== "TEXTAREA") {
      return {form: form.getAttribute("action"), tag: active.tagName};
    }
    return active.id ? {id: active.id} : null;
  }

  function restore(key, root) {
    if (!key) { return; }
    var target = null;
    if (key.id) {
      target = document.getElementById(key.id);
    } else {
      var form = root.querySelector('form[action="' + key.form + '"]');
      target = form && form.querySelector(key.tag.toLowerCase());
    }
    if (target && document.activeElement !== target) { target.focus(); }
  }

  function refresher(url, root, selector, after) {
    var busy = false, again = false;
    function refresh() {
      if (busy) { again = true; return; }
      busy = true;
      fetch(url, {credentials: "same-origin", headers: {"Accept": "text/html"}})
        .then(function (response) { return response.ok ? response.text() : null; })
        .then(function (html) {
          if (html === null) { return; }
          var old = root.querySelector(selector);
          var fresh = parse(html).querySelector(selector);
          if (!old || !fresh) { return; }
          var key = old.contains(document.activeElement) ? focusKey() : null;
          old.replaceWith(fresh);
          restore(key, root);
          if (after) { after(fresh); }
        })
        .catch(function () { /* offline for now: the next message or poll tries again */ })
        .finally(function () {
          busy = false;
          if (again) { again = false; refresh(); }
        });
    }
    return refresh;
  }

  function send(form) {
    return fetch(form.getAttribute("action"), {
      method: "POST", body: new FormData(form), credentials: "same-origin",
      headers: {"Accept": "application/json"}
    });
  }

  function listen(refresh, staff) {
    // A question approved reaches every open personal page at once: each waits a moment of its own
    // (up to two seconds) before reading its list, so that a full room does not ask in the same instant.
    var later = staff ? refresh : function () { window.setTimeout(refresh, Math.random() * 2000); };
    document.addEventListener("live:state", function (event) {
      if (event.detail && event.detail.kind === "question") { later(); }
    });
    ["live:hello", "live:poll"].concat(staff ? ["live:resync"] : []).forEach(function (name) {
      document.addEventListener(name, refresh);
    });
  }

  function background(root, selector, refresh, status) {
    root.addEventListener("submit", function (event) {
      var form = event.target.closest(selector);
      if (!form) { return; }
      event.preventDefault();
      // Not disabled while it goes (a disabled button drops the keyboard's focus): a second press waits.
      if (form.dataset.busy) { return; }
      form.dataset.busy = "1";
      send(form)
        .then(function (response) { return response.json().catch(function () { return {}; }); })
        .then(function (data) {
          if (status && data && data.error) {
            status.textContent = data.error;
          } else if (status && data && typeof data.voted === "boolean") {
            status.textContent = data.voted ? status.dataset.voted : status.dataset.unvoted;
          }
          refresh();
        })
        .catch(function () { form.submit(); })  // the network failed: post it the ordinary way
        .finally(function () { delete form.dataset.busy; });
    });
  }

  // The person's own page.
  var mine = document.querySelector("[data-questions]");
  if (mine) {
    var refreshMine = refresher(mine.dataset.listUrl, mine, "[data-questions-list]");
    listen(refreshMine, false);
    background(mine, "[data-vote-form]", refreshMine, mine.querySelector("[data-questions-status]"));
  }

  // The moderator's queue.
  var queue = document.querySelector("[data-queue-root]");
  if (queue) {
    var status = document.querySelector("[data-questions-status]");
    var waiting = Number((queue.querySelector("[data-queue]") || {dataset: {}}).dataset.waiting || 0);
    var refreshQueue = refresher(queue.dataset.listUrl, queue, "[data-queue]", function (fresh) {
      var now = Number(fresh.dataset.waiting || 0);
      if (now > waiting && status) { status.textContent = status.dataset.newText.replace("{n}", now); }
      waiting = now;
      queue.dataset.refreshed = String(Number(queue.dataset.refreshed || 0) + 1);
    });
    listen(refreshQueue, true);
    background(queue, "[data-mod-form]", refreshQueue, status);
  }

  // The presenter's view.
  var presenter = document.querySelector("[data-pinned-url]");
  if (presenter) {
    listen(refresher(presenter.dataset.pinnedUrl, presenter, "[data-pinned]"), true);
  }
})();
