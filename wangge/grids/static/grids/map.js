// The street map: micro-grids coloured by level, grids and communities outlined.
(function () {
  "use strict";
  const config = JSON.parse(document.getElementById("map-config").textContent);
  const text = config.text;
  const colours = Object.fromEntries(config.levels.map((l) => [l.value, l.colour]));
  const labels = Object.fromEntries(config.levels.map((l) => [l.value, l.label]));
  const statusEl = document.getElementById("map-status");

  const map = L.map("map", { preferCanvas: false, zoomSnap: 0.25 });
  if (config.tileUrl) {
    L.tileLayer(config.tileUrl, { attribution: config.tileAttribution, maxZoom: 19 }).addTo(map);
  }

  function features(tier) {
    return fetch("/api/grids/features?tier=" + tier).then((r) => {
      if (!r.ok) throw new Error(r.status);
      return r.json();
    });
  }

  function showDetail(code) {
    fetch("/api/grids/" + code + "/").then((r) => r.json()).then((g) => {
      document.getElementById("grid-detail").hidden = false;
      document.getElementById("detail-name").textContent = g.name;
      document.getElementById("detail-code").textContent = g.code;
      document.getElementById("detail-level").textContent = labels[g.level] || "";
      document.getElementById("detail-type").textContent = g.type_name || "";
      document.getElementById("detail-area").textContent =
        Math.round(g.area_m2).toLocaleString() + " " + text.area;
      document.getElementById("detail-ancestors").textContent =
        g.ancestors.map((a) => a.name).join(" › ");
    });
  }

  Promise.all([features("micro_grid"), features("grid"), features("community")])
    .then(([micro, grids, communities]) => {
      const microLayer = L.geoJSON(micro, {
        style: (f) => ({
          color: "#ffffff", weight: 0.6, fillOpacity: 0.65,
          fillColor: colours[f.properties.level] || "#999",
          className: "micro-grid level-" + f.properties.level,
        }),
        onEachFeature: (f, layer) => {
          layer.bindTooltip(f.properties.name);
          layer.on("click", () => showDetail(f.properties.code));
        },
      }).addTo(map);
      L.geoJSON(grids, { style: { color: "#334", weight: 1.5, fill: false, className: "grid-outline" }, interactive: false })
        .addTo(map);
      L.geoJSON(communities, { style: { color: "#000", weight: 3, fill: false, className: "community-outline" }, interactive: false })
        .addTo(map);
      map.fitBounds(microLayer.getBounds());
      const counts = {};
      micro.features.forEach((f) => { counts[f.properties.level] = (counts[f.properties.level] || 0) + 1; });
      document.querySelectorAll(".legend .count").forEach((el) => {
        el.textContent = "(" + (counts[el.dataset.level] || 0) + ")";
      });
      statusEl.textContent = micro.features.length + " " + text.loaded;
      statusEl.dataset.count = micro.features.length;
    })
    .catch(() => { statusEl.textContent = text.failed; });
})();
