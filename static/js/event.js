// The event page on a phone: the "Register" button kept at hand at the bottom of the screen steps
// aside while the form itself is in view, so it never covers a field.
(function () {
  "use strict";
  var float = document.querySelector("[data-register-float]");
  var form = document.getElementById("registration");
  if (!float || !form || !("IntersectionObserver" in window)) { return; }
  new IntersectionObserver(function (entries) {
    float.classList.toggle("is-hidden", entries[0].isIntersecting);
  }, {rootMargin: "0px 0px -20% 0px"}).observe(form);
})();
