// Small form behaviours the pages declare with data attributes instead of inline handlers (the
// Content-Security-Policy forbids inline script): <select data-autosubmit> submits its form when it changes;
// a [data-close-form] button empties the action form it sits in; a form htmx just brought in gets the focus;
// <select data-shows-when> shows only the fields of the chosen option.
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
  // <select data-shows-when>: only the form's [data-when=VALUE] groups of the chosen value are shown
  function showWhen(select) {
    var form = select.form;
    if (!form) { return; }
    form.querySelectorAll("[data-when]").forEach(function (group) {
      group.hidden = group.getAttribute("data-when") !== select.value;
    });
  }
  document.addEventListener("change", function (event) {
    if (event.target.matches && event.target.matches("select[data-shows-when]")) { showWhen(event.target); }
  });
  document.addEventListener("htmx:afterSwap", function (event) {
    if (event.target.querySelectorAll) {
      event.target.querySelectorAll("select[data-shows-when]").forEach(showWhen);
    }
  });
  document.addEventListener("htmx:afterSwap", function (event) {
    var first = event.target.querySelector && event.target.querySelector(
      ".form-error, form input:not([type=hidden]), form select");
    if (first) {
      if (first.classList.contains("form-error")) { first.setAttribute("tabindex", "-1"); }
      first.focus();
    }
  });
  // Today's keyboard: j / k move between cards, and on the card in focus l logs a call, p records a promise,
  // d opens a dispute, h puts a hold (the card's own buttons, so what a click does is what a key does)
  var KEYS = { l: "outcome", p: "promise", d: "dispute", h: "hold" };
  document.addEventListener("keydown", function (event) {
    var target = event.target;
    if (event.ctrlKey || event.metaKey || event.altKey || target.closest("input, select, textarea, [contenteditable]")) {
      return;
    }
    var rows = Array.prototype.slice.call(document.querySelectorAll(".today-row"));
    if (!rows.length) { return; }
    var current = target.closest(".today-row");
    var index = rows.indexOf(current);
    if (event.key === "j" || event.key === "k") {
      var next = rows[Math.min(rows.length - 1, Math.max(0, index + (event.key === "j" ? 1 : -1)))];
      if (index < 0) { next = rows[0]; }
      next.focus();
      event.preventDefault();
    } else if (current && KEYS[event.key]) {
      var button = current.querySelector('[data-action="' + KEYS[event.key] + '"]');
      if (button) { button.click(); event.preventDefault(); }
    }
  });
})();
