/* Agenda builder: small keyboard comforts on top of plain forms (everything works without this).
 * - After "Move up/Move down" the page reloads; focus returns to the same button (or the item),
 *   so pressing it again keeps moving the item.
 * - A form sent back with errors puts focus on its error summary.
 */
(function () {
  "use strict";
  var KEY = "agenda-focus";

  function restoreFocus() {
    var wanted;
    try { wanted = window.sessionStorage.getItem(KEY); window.sessionStorage.removeItem(KEY); } catch (e) { return false; }
    if (!wanted) return false;
    var parts = wanted.split("|"), target = document.getElementById(parts[0]) ||
      document.getElementById(parts[1]) || document.getElementById(parts[2]);
    if (!target) return false;
    target.focus();
    return true;
  }

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.classList || !form.classList.contains("move-form")) return;
    var button = form.querySelector("button"), id = button && button.id;
    if (!id) return;
    var itemId = id.replace(/^move-(up|down)-/, ""), other = id.indexOf("move-up-") === 0 ? "move-down-" : "move-up-";
    try { window.sessionStorage.setItem(KEY, [id, other + itemId, "item-" + itemId].join("|")); } catch (e) { /* private mode */ }
  });

  document.addEventListener("DOMContentLoaded", function () {
    if (restoreFocus()) return;
    var summary = document.getElementById("error-summary");
    if (summary) summary.focus();
  });
})();
