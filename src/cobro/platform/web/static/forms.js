// Small form behaviours the pages declare with data attributes instead of inline handlers (the
// Content-Security-Policy forbids inline script): <select data-autosubmit> submits its form when it changes;
// a [data-close-form] button empties the action form it sits in; a form htmx just brought in gets the focus.
(function () {
  "use strict";
  document.querySelectorAll("select[data-autosubmit]").forEach(function (select) {
    select.addEventListener("change", function () { if (select.form) { select.form.submit(); } });
  });
  document.addEventListener("click", function (event) {
    var button = event.target.closest && event.target.closest("[data-close-form]");
    if (!button) { return; }
    var holder = button.closest(".today-form");
    if (holder) { holder.innerHTML = ""; }
  });
  document.addEventListener("htmx:afterSwap", function (event) {
    var first = event.target.querySelector && event.target.querySelector(
      ".form-error, form input:not([type=hidden]), form select");
    if (first) {
      if (first.classList.contains("form-error")) { first.setAttribute("tabindex", "-1"); }
      first.focus();
    }
  });
})();
