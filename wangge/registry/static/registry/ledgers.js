// Ledger import: upload, then read the server's progress lines as they come.
(function () {
  "use strict";
  const form = document.getElementById("import-form");
  const box = document.getElementById("import-progress");
  const bar = document.getElementById("progress-bar");
  const label = document.getElementById("progress-text");
  const result = document.getElementById("import-result");
  const text = JSON.parse(document.getElementById("ledger-text").textContent);
  const weights = { upload: [0, 10], check: [10, 60], write: [60, 100] };

  function show(stage, done, total) {
    const [from, to] = weights[stage] || [0, 100];
    bar.value = from + (total ? (to - from) * done / total : 0);
    label.textContent = (text[stage] || stage) + " " + (total ? done + " / " + total : "");
  }

  function finish(event) {
    bar.value = 100;
    result.innerHTML = "";
    const p = document.createElement("p");
    if (event.error) {
      p.className = "error";
      p.textContent = event.error;
      result.appendChild(p);
      return;
    }
    p.id = "import-summary";
    p.textContent = text.summary.replace("%(imported)s", event.imported)
      .replace("%(updated)s", event.updated).replace("%(unchanged)s", event.unchanged)
      .replace("%(rejected)s", event.rejected);
    result.appendChild(p);
    if (event.rejected && !event.written) {
      const n = document.createElement("p");
      n.className = "notice";
      n.textContent = text.nothing;
      result.appendChild(n);
    }
    if (event.error_file) {
      const a = document.createElement("a");
      a.href = event.error_file;
      a.id = "error-file";
      a.textContent = text.download;
      result.appendChild(a);
    }
    if (event.errors && event.errors.length) {
      const ul = document.createElement("ul");
      event.errors.forEach((e) => { const li = document.createElement("li"); li.textContent = e; ul.appendChild(li); });
      result.appendChild(ul);
    }
  }

  form.addEventListener("submit", (ev) => {
    ev.preventDefault();
    box.hidden = false;
    result.innerHTML = "";
    show("upload", 0, 0);
    const xhr = new XMLHttpRequest();
    let seen = 0;
    xhr.open("POST", form.action);
    xhr.upload.onprogress = (e) => { if (e.lengthComputable) show("upload", e.loaded, e.total); };
    xhr.onprogress = () => {
      const lines = xhr.responseText.slice(seen).split("\n");
      const complete = lines.slice(0, -1);
      seen += complete.reduce((n, l) => n + l.length + 1, 0);
      complete.filter(Boolean).forEach((line) => {
        const event = JSON.parse(line);
        if (event.finished) finish(event); else show(event.stage, event.done, event.total);
      });
    };
    xhr.onload = () => {
      xhr.onprogress();
      if (xhr.status >= 400) {
        try { finish(JSON.parse(xhr.responseText)); } catch (e) { finish({ error: text.failed }); }
      }
    };
    xhr.onerror = () => finish({ error: text.failed });
    xhr.send(new FormData(form));
  });
})();
