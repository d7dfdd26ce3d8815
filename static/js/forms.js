// A form sent back with errors puts focus on its error summary (templates/_forms.html), which lists
// them with links to the fields: a screen reader reads it at once, a keyboard user starts there.
(function () {
  "use strict";
  var summary = document.getElementById("error-summary");
  if (!summary) { return; }
  summary.focus();
  // A form sent to an address with a fragment (the event page's #registration) is scrolled there when
  // the page has loaded, and the browser moves focus back to the page: give it to the summary again.
  function refocus() {
    if (!document.activeElement || document.activeElement === document.body) { summary.focus(); }
  }
  window.addEventListener("load", function () { refocus(); window.setTimeout(refocus, 0); });
})();

// Long texts count their characters as the person types, so nothing is cut or refused on sending.
// The counter is announced politely only near the limit, not on every key.
(function () {
  "use strict";
  document.querySelectorAll("textarea[data-counter]").forEach(function (area) {
    var counter = document.getElementById(area.dataset.counter);
    if (!counter) { return; }
    var limit = Number(area.getAttribute("maxlength"));
    function update() {
      var used = area.value.length;
      counter.textContent = counter.dataset.template.replace("{used}", used);
      counter.setAttribute("aria-live", used > limit * 0.9 ? "polite" : "off");
      counter.classList.toggle("counter-near", used > limit * 0.9);
    }
    area.addEventListener("input", update);
    if (area.value) { update(); }
  });
})();

// The first page after signing out: the door scanner's copy on this device (ticket list with names,
// queue, settings, cached pages, service worker) is deleted, also where the browser ignored the
// sign-out answer's Clear-Site-Data header.
(function () {
  "use strict";
  if (!document.body.hasAttribute("data-clear-device")) { return; }
  try {
    Object.keys(localStorage).forEach(function (key) {
      if (key.indexOf("eventhub.checkin.") === 0) { localStorage.removeItem(key); }
    });
  } catch (error) { /* storage blocked: nothing was kept */ }
  var caches = window.caches ? window.caches.keys().then(function (names) {
    return Promise.all(names.filter(function (name) { return name.indexOf("eventhub-scanner-") === 0; })
      .map(function (name) { return window.caches.delete(name); }));
  }) : Promise.resolve();
  var workers = navigator.serviceWorker ? navigator.serviceWorker.getRegistrations().then(function (all) {
    return Promise.all(all.map(function (registration) { return registration.unregister(); }));
  }) : Promise.resolve();
  Promise.all([caches, workers]).catch(function () {}).then(function () {
    document.body.dataset.deviceCleared = "true";  // tests wait on it
  });
})();

// A door scanner's copy left on this device after its event (the scanner not opened since) is
// deleted from any page of the site, once no check-in waits to be sent (see checkin/offline.js).
(function () {
  "use strict";
  try {
    Object.keys(localStorage).forEach(function (key) {
      var match = /^(eventhub\.checkin\.[^.]+\.)forget_after$/.exec(key);
      if (!match) { return; }
      var prefix = match[1], after = Date.parse(JSON.parse(localStorage.getItem(key)) || "");
      var waiting = JSON.parse(localStorage.getItem(prefix + "queue") || "[]");
      if (!after || Date.now() < after || waiting.length) { return; }
      Object.keys(localStorage).forEach(function (other) {
        if (other.indexOf(prefix) === 0) { localStorage.removeItem(other); }
      });
    });
  } catch (error) { /* storage blocked or unreadable: nothing to forget here */ }
})();

// A "Copy" button beside a link to hand on (the group leader's link): hidden without JavaScript,
// where the link stays selectable in its field. It says it copied in its own live region.
(function () {
  "use strict";
  document.querySelectorAll("button[data-copy]").forEach(function (button) {
    var field = document.getElementById(button.dataset.copy);
    var status = document.getElementById(button.dataset.copyStatus);
    if (!field) { return; }
    button.hidden = false;
    button.addEventListener("click", function () {
      function done() { if (status) { status.textContent = button.dataset.copied; } }
      field.select();
      if (navigator.clipboard && window.isSecureContext) {
        navigator.clipboard.writeText(field.value).then(done, function () {
          document.execCommand("copy"); done();
        });
      } else {
        document.execCommand("copy");
        done();
      }
    });
  });
})();
