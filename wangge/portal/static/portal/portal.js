// Residents' site behaviours (no inline scripts: the CSP forbids them).
(function () {
  "use strict";
  const root = document.documentElement;
  const button = document.getElementById("large-type");
  function apply(on) {
    root.classList.toggle("large", on);
    if (button) button.setAttribute("aria-pressed", on ? "true" : "false");
  }
  apply(localStorage.getItem("wangge-large-type") === "1");
  if (button) {
    button.addEventListener("click", () => {
      const on = !root.classList.contains("large");
      localStorage.setItem("wangge-large-type", on ? "1" : "0");
      apply(on);
    });
  }
  document.querySelectorAll("select[data-autosubmit]").forEach((el) => {
    el.addEventListener("change", () => el.form.submit());
  });
})();
