// The dashboard's charts (ECharts from npm). Every bar, slice and row links to the list
// behind it; the data and links come from the server in #dashboard-data.
(function () {
  "use strict";
  const data = JSON.parse(document.getElementById("dashboard-data").textContent);
  const charts = [];
  const palette = ["#b3261e", "#0b57d0", "#2e7d32", "#e6a100", "#6a1b9a", "#00838f", "#5d4037"];

  function chart(id, option, onClick) {
    const el = document.getElementById(id);
    if (!el) return null;
    const c = echarts.init(el, document.body.classList.contains("big-screen") ? "dark" : null);
    c.setOption(Object.assign({ color: palette, backgroundColor: "transparent" }, option));
    if (onClick) c.on("click", onClick);
    charts.push(c);
    el.dataset.ready = "1";
    return c;
  }
  const go = (url) => { if (url) window.location.href = url; };

  chart("chart-months", {
    tooltip: { trigger: "axis" }, legend: { top: 0 },
    grid: { left: 40, right: 16, top: 36, bottom: 30 },
    xAxis: { type: "category", data: data.months }, yAxis: { type: "value" },
    series: data.series.map((s) => ({ name: s.label, type: "bar", stack: "all", data: s.data })),
  }, (p) => go(data.month_links[p.name]));

  chart("chart-categories", {
    tooltip: {}, grid: { left: 110, right: 24, top: 8, bottom: 20 },
    xAxis: { type: "value" },
    yAxis: { type: "category", inverse: true, data: data.categories.map((c) => c.label) },
    series: [{ type: "bar", data: data.categories.map((c) => c.received), label: { show: true, position: "right" } }],
  }, (p) => go(data.categories[p.dataIndex].link));

  function pie(id, rows) {
    return chart(id, {
      tooltip: { trigger: "item" }, legend: { bottom: 0 },
      series: [{ type: "pie", radius: ["35%", "65%"], data: rows.map((r) => ({ name: r.label, value: r.value })) }],
    }, (p) => go(rows[p.dataIndex].link));
  }
  pie("chart-population", data.population.by_type);
  pie("chart-care", data.population.by_care_group);

  const select = document.getElementById("rank-rate");
  let ranking = null;
  function rank() {
    if (!select) return;
    const rate = select.value;
    const lowerBetter = rate === "rework_rate";
    const rows = data.children.slice().sort((a, b) => {
      const x = a.rates[rate], y = b.rates[rate];
      if (x === null && y === null) return b.received - a.received;
      if (x === null) return 1; if (y === null) return -1;
      return (lowerBetter ? x - y : y - x) || b.received - a.received;
    });
    const label = data.rate_labels[rate];
    document.getElementById("rank-rate-head").textContent = label;
    const body = document.querySelector("#ranking-table tbody");
    body.replaceChildren(...rows.map((r, i) => {
      const tr = document.createElement("tr");
      const pct = r.rates[rate] === null ? "—" : (r.rates[rate] * 100).toFixed(1) + "%";
      [String(i + 1), null, String(r.received), String(r.closed), pct].forEach((text, j) => {
        const td = document.createElement("td");
        if (j === 1) { const a = document.createElement("a"); a.href = r.link; a.textContent = r.label; td.append(a); }
        else td.textContent = text;
        tr.append(td);
      });
      return tr;
    }));
    const option = {
      tooltip: { trigger: "axis" }, grid: { left: 40, right: 16, top: 16, bottom: 60 },
      xAxis: { type: "category", data: rows.map((r) => r.label), axisLabel: { rotate: 30 } },
      yAxis: { type: "value", max: 100, axisLabel: { formatter: "{value}%" } },
      series: [{ type: "bar", name: label, data: rows.map((r) => r.rates[rate] === null ? null : +(r.rates[rate] * 100).toFixed(1)) }],
    };
    if (ranking) ranking.setOption(option, true);
    else ranking = chart("chart-ranking", option, (p) => go(rows[p.dataIndex].link));
    ranking.off("click"); ranking.on("click", (p) => go(rows[p.dataIndex].link));
  }
  if (select) { select.addEventListener("change", rank); rank(); }

  const full = document.getElementById("db-fullscreen");
  if (full) {
    full.addEventListener("click", () => {
      const on = !document.body.classList.contains("big-screen");
      document.body.classList.toggle("big-screen", on);
      full.setAttribute("aria-pressed", on ? "true" : "false");
      if (on && document.documentElement.requestFullscreen) document.documentElement.requestFullscreen().catch(() => {});
      if (!on && document.fullscreenElement) document.exitFullscreen();
      setTimeout(() => charts.forEach((c) => c.resize()), 200);
    });
  }
  window.addEventListener("resize", () => charts.forEach((c) => c.resize()));
})();
