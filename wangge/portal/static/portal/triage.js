// Appeal form: once the resident has described the matter, ask the server which categories
// the words suggest (POST /api/appeals/triage) and show them with their confidence, each
// with a button to pick it. Nothing is chosen for the resident.
(function () {
  "use strict";
  const box = document.getElementById("triage-suggest");
  const text = document.getElementById("id_description");
  const select = document.getElementById("id_category");
  if (!box || !text || !select || !window.fetch) return;
  const t = box.dataset;
  let timer = null;
  let asked = "";

  function label(guess) {
    if (guess.confidence === null || guess.confidence === undefined) {
      return guess.name + " (" + t.textKeywords + ")";
    }
    return guess.name + " (" + t.textConfidence + " " + Math.round(guess.confidence * 100) + "%)";
  }

  function button(guess, primary) {
    const b = document.createElement("button");
    b.type = "button";
    b.className = primary ? "button suggest-pick" : "button secondary suggest-pick";
    b.dataset.code = guess.code;
    b.textContent = primary ? t.textPick : label(guess);
    if (select.value === guess.code) {
      b.setAttribute("aria-pressed", "true");
      b.textContent = t.textChosen + (primary ? "" : ": " + guess.name);
    }
    return b;
  }

  function render(data) {
    box.replaceChildren();
    const guesses = (data && data.categories) || [];
    if (!guesses.length) { box.hidden = true; return; }
    const first = document.createElement("p");
    first.className = "suggest-first";
    const strong = document.createElement("strong");
    strong.textContent = t.textTitle + ": ";
    const name = document.createElement("span");
    name.className = "suggest-name";
    name.textContent = label(guesses[0]);
    first.append(strong, name, " ", button(guesses[0], true));
    box.append(first);
    if (guesses.length > 1) {
      const more = document.createElement("p");
      more.className = "suggest-more";
      more.append(t.textOthers + ": ");
      guesses.slice(1).forEach((g) => more.append(button(g, false), " "));
      box.append(more);
    }
    const hint = document.createElement("p");
    hint.className = "hint";
    hint.textContent = t.textHint;
    box.append(hint);
    box.hidden = false;
    box.dataset.ready = "1";
    box.last = data;
  }

  function ask() {
    const value = text.value.trim();
    if (value.length < 4 || value === asked) return;
    asked = value;
    fetch(t.url, {
      method: "POST", credentials: "omit",
      headers: { "Content-Type": "application/json", Accept: "application/json" },
      body: JSON.stringify({ text: value }),
    })
      .then((r) => (r.ok ? r.json() : null))
      .then((data) => { if (data && text.value.trim() === value) render(data); })
      .catch(() => {});
  }

  text.addEventListener("input", () => { clearTimeout(timer); timer = setTimeout(ask, 700); });
  text.addEventListener("change", ask);
  box.addEventListener("click", (e) => {
    const b = e.target.closest("button[data-code]");
    if (!b) return;
    select.value = b.dataset.code;
    select.dispatchEvent(new Event("change", { bubbles: true }));
  });
  select.addEventListener("change", () => { if (box.last) render(box.last); });
  if (text.value.trim()) ask();
})();
