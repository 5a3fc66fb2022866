// Report page: a suggested category (rendered by the server into #triage-suggest) is only
// taken when the worker presses its button; then the category list changes as if chosen.
(function () {
  "use strict";
  const select = document.getElementById("id_category");
  if (!select) return;
  document.addEventListener("click", (e) => {
    const b = e.target.closest("button[data-pick-category]");
    if (!b) return;
    select.value = b.dataset.pickCategory;
    select.dispatchEvent(new Event("change", { bubbles: true }));
  });
})();
