// Small behaviours of the console pages (no inline scripts: the CSP forbids them).
(function () {
  "use strict";

  // A language select submits its form.
  document.addEventListener("change", (e) => {
    if (e.target.matches("select[data-autosubmit]")) e.target.form.submit();
  });

  // The board: "tick all on this page" and the count of ticked cases on the dispatch panel.
  function ticked() {
    return document.querySelectorAll('input[name="case"][form="bulk-dispatch"]:checked').length;
  }
  function showCount() {
    const n = ticked();
    document.querySelectorAll("[data-selected-count]").forEach((el) => {
      el.textContent = String(n);
      el.toggleAttribute("data-zero", n === 0);
    });
  }
  document.addEventListener("change", (e) => {
    if (e.target.matches("input[data-check-all]")) {
      const table = e.target.closest("table");
      table.querySelectorAll('input[name="case"]').forEach((box) => {
        box.checked = e.target.checked;
      });
    }
    if (e.target.matches('input[name="case"], input[data-check-all]')) {
      showCount();
      if (ticked() > 0) {
        const panel = document.getElementById("bulk-panel");
        if (panel) panel.open = true;
      }
    }
  });
  // After htmx swaps the table (filters, pages, a dispatch), the count starts again.
  document.body.addEventListener("htmx:afterSwap", showCount);
  showCount();
})();
