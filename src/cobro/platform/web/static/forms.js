// Small form behaviours the pages declare with data attributes instead of inline handlers (the
// Content-Security-Policy forbids inline script): <select data-autosubmit> submits its form when it changes.
(function () {
  "use strict";
  document.querySelectorAll("select[data-autosubmit]").forEach(function (select) {
    select.addEventListener("change", function () { if (select.form) { select.form.submit(); } });
  });
})();
