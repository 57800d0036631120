// monitor: the little the pages need from JavaScript. Everything works without it;
// this only makes it friendlier. Loaded from /static (the CSP allows no inline script).
"use strict";

(function () {
  function pad(n) {
    return String(n).padStart(2, "0");
  }

  // "2026-11-27 14:05 UTC+09:00": the reader's own zone, with its offset, so a
  // time is never ambiguous when quoted elsewhere. The server writes UTC.
  function localTime(date) {
    var offset = -date.getTimezoneOffset();
    var sign = offset >= 0 ? "+" : "-";
    var abs = Math.abs(offset);
    return (
      date.getFullYear() + "-" + pad(date.getMonth() + 1) + "-" + pad(date.getDate()) +
      " " + pad(date.getHours()) + ":" + pad(date.getMinutes()) +
      " UTC" + sign + pad(Math.floor(abs / 60)) + ":" + pad(abs % 60)
    );
  }

  function showLocalTimes() {
    document.querySelectorAll("time[datetime]").forEach(function (el) {
      var date = new Date(el.getAttribute("datetime"));
      if (isNaN(date.getTime())) return;
      if (!el.title) el.title = el.textContent.trim();
      el.textContent = localTime(date);
    });
    var zone = "";
    try {
      zone = Intl.DateTimeFormat().resolvedOptions().timeZone || "";
    } catch (e) {
      zone = "";
    }
    document.querySelectorAll(".tz-name").forEach(function (el) {
      el.textContent = zone ? zone + " (your time zone)" : "your time zone";
    });
  }

  // Forms or buttons with data-confirm ask first (removing articles).
  function confirmations() {
    document.addEventListener("submit", function (event) {
      var form = event.target;
      var button = event.submitter;
      var text = (button && button.getAttribute("data-confirm")) || form.getAttribute("data-confirm");
      if (text && !window.confirm(text)) event.preventDefault();
    });
  }

  // A checkbox with data-select-all="name" ticks every checkbox of that name.
  function selectAll() {
    document.querySelectorAll("input[data-select-all]").forEach(function (box) {
      var name = box.getAttribute("data-select-all");
      box.addEventListener("change", function () {
        var form = box.form || document;
        form.querySelectorAll('input[type="checkbox"][name="' + name + '"]').forEach(function (other) {
          other.checked = box.checked;
        });
      });
    });
  }

  function start() {
    showLocalTimes();
    confirmations();
    selectAll();
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
