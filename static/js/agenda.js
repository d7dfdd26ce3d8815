/* Agenda builder: a small comfort on top of plain forms (everything works without it).
 * A form sent back with errors puts focus on its error summary, which lists them with links to
 * the fields. (After "Move up/Move down" the address names the button, so the browser itself
 * puts focus back on it.)
 */
(function () {
  "use strict";
  document.addEventListener("DOMContentLoaded", function () {
    var summary = document.getElementById("error-summary");
    if (summary) summary.focus();
  });
})();
