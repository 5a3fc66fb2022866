// Small behaviours of every workbench page (no inline scripts: the CSP forbids them).
(function () {
  "use strict";
  document.querySelectorAll("select[data-autosubmit]").forEach((el) => {
    el.addEventListener("change", () => el.form.submit());
  });
  // A step asked for by ?do=<action> is opened and brought into view.
  const open = document.querySelector("details.step[open]");
  if (open) open.scrollIntoView({ block: "start" });
})();
