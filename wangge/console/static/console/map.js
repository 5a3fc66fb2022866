// The console map: the user's micro-grids coloured by level, cases as points and as heat,
// buildings, facilities by condition, and each micro-grid's grid leader. Data comes from
// the scoped JSON endpoints of the console and the public grid features of the API.
(function () {
  "use strict";
  const config = JSON.parse(document.getElementById("console-map-config").textContent);
  const text = config.text;
  const urls = config.urls;
  const levelColour = Object.fromEntries(config.levels.map((l) => [l.value, l.colour]));
  const levelLabel = Object.fromEntries(config.levels.map((l) => [l.value, l.label]));
  const conditionColour = Object.fromEntries(config.conditions.map((c) => [c.value, c.colour]));
  const statusEl = document.getElementById("map-status");
  const casesStatusEl = document.getElementById("cases-status");
  const filters = document.getElementById("map-filters");

  const map = L.map("console-map", { zoomSnap: 0.25, preferCanvas: true });
  if (config.tileUrl) {
    L.tileLayer(config.tileUrl, { attribution: config.tileAttribution, maxZoom: 19 }).addTo(map);
  }
  const renderer = L.canvas({ padding: 0.3 });

  const layers = {
    micro: L.featureGroup().addTo(map),
    cases: L.layerGroup().addTo(map),
    heat: L.heatLayer([], { radius: 22, blur: 18, maxZoom: 17 }),
    buildings: L.layerGroup(),
    facilities: L.layerGroup(),
    staff: L.layerGroup(),
  };
  const overlays = {};
  overlays[text.microGrids] = layers.micro;
  overlays[text.cases] = layers.cases;
  overlays[text.heat] = layers.heat;
  overlays[text.buildings] = layers.buildings;
  overlays[text.facilities] = layers.facilities;
  overlays[text.staff] = layers.staff;
  L.control.layers(null, overlays, { collapsed: window.innerWidth < 700 }).addTo(map);

  const gridInfo = {};

  function getJSON(url) {
    return fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then((r) => {
        if (!r.ok) throw new Error(String(r.status));
        return r.json();
      });
  }

  function fill(id, value) {
    document.getElementById(id).textContent = value;
  }

  function link(template, code) {
    return template.replace("CODE", encodeURIComponent(code));
  }

  function showGrid(code, name, level) {
    const info = gridInfo[code] || {};
    document.getElementById("grid-panel").hidden = false;
    fill("gp-name", name);
    fill("gp-code", code);
    fill("gp-level", levelLabel[level] || "");
    fill("gp-open", info.open_cases === undefined ? "…" : String(info.open_cases));
    fill("gp-leader", info.leader || text.noLeader);
    fill("gp-staff", info.staff === undefined ? "" : String(info.staff));
    showLevelReason(info);
    document.getElementById("gp-file").href = link(urls.gridFile, code);
    document.getElementById("gp-board").href = link(urls.board, code);
    document.getElementById("gp-public").href = link(urls.publicBoard, code);
  }

  // Why the micro-grid has its level: the latest change in its level history.
  let reasonLabel = "";
  function showLevelReason(info) {
    let el = document.getElementById("gp-reason");
    if (!el) {
      el = document.createElement("p");
      el.id = "gp-reason";
      el.className = "level-reason";
      document.querySelector("#grid-panel .facts").after(el);
    }
    el.hidden = !info.level_reason;
    el.textContent = info.level_reason
      ? reasonLabel + " (" + info.level_changed_at + "): " + info.level_reason : "";
  }

  function gridTooltip(props) {
    const info = gridInfo[props.code] || {};
    const tip = document.createElement("div");
    tip.className = "grid-tooltip";
    const name = document.createElement("strong");
    name.textContent = props.name + " · " + (levelLabel[props.level] || "");
    tip.appendChild(name);
    if (info.level_reason) {
      const why = document.createElement("div");
      why.className = "level-reason";
      why.style.maxWidth = "28rem";
      why.style.whiteSpace = "normal";
      why.textContent = reasonLabel + ": " + info.level_reason;
      tip.appendChild(why);
    }
    return tip;
  }

  // Micro-grid boundaries: one request per top node of the user's part of the tree.
  const prefixes = config.prefixes.length ? config.prefixes : [""];
  const featureRequests = prefixes.map((p) =>
    getJSON(urls.features + "?tier=micro_grid" + (p ? "&code=" + encodeURIComponent(p) : "")));
  // `?grid=CODE` opens that micro-grid's panel once its figures are in (links from the
  // levels and grading pages).
  const wanted = new URLSearchParams(window.location.search).get("grid");
  const featureProps = {};
  const featuresLoaded = Promise.all(featureRequests);
  featuresLoaded.then((collections) => {
    const counts = {};
    let total = 0;
    collections.forEach((fc) => {
      L.geoJSON(fc, {
        style: (f) => ({
          color: "#ffffff", weight: 0.8, fillOpacity: 0.55,
          fillColor: levelColour[f.properties.level] || "#999",
        }),
        onEachFeature: (f, layer) => {
          layer.bindTooltip(() => gridTooltip(f.properties), { sticky: true });
          layer.on("click", () => showGrid(f.properties.code, f.properties.name, f.properties.level));
        },
      }).eachLayer((l) => layers.micro.addLayer(l));
      fc.features.forEach((f) => {
        featureProps[f.properties.code] = f.properties;
        counts[f.properties.level] = (counts[f.properties.level] || 0) + 1;
        total += 1;
      });
    });
    if (total) map.fitBounds(layers.micro.getBounds());
    else map.setView([27.7, 106.93], 14);
    document.querySelectorAll(".legend .count").forEach((el) => {
      el.textContent = "(" + (counts[el.dataset.level] || 0) + ")";
    });
    statusEl.textContent = total + " " + text.loaded;
    statusEl.dataset.count = String(total);
  }).catch(() => { statusEl.textContent = text.failed; });

  // Per micro-grid figures and the grid leaders' labels.
  getJSON(urls.grids).then((data) => {
    reasonLabel = (data.text && data.text.levelReason) || "";
    data.grids.forEach((g) => {
      gridInfo[g.code] = g;
      if (!g.point) return;
      const label = (g.leader || text.noLeader) + (g.open_cases ? " · " + g.open_cases : "");
      L.marker([g.point[1], g.point[0]], {
        icon: L.divIcon({ className: "staff-label" + (g.leader ? "" : " no-leader"),
                          html: "<span></span>", iconSize: [0, 0] }),
        keyboard: false,
      }).bindTooltip(g.name + " · " + text.leader + ": " + (g.leader || text.noLeader)
                     + " · " + text.staffCount + " " + g.staff, { direction: "top" })
        .on("add", function () { this.getElement().firstChild.textContent = label; })
        .on("click", () => showGrid(g.code, g.name, g.level))
        .addTo(layers.staff);
    });
    if (wanted) {
      featuresLoaded.then(() => {
        const props = featureProps[wanted];
        if (props) showGrid(props.code, props.name, props.level);
      });
    }
  }).catch(() => { statusEl.textContent = text.failed; });

  function loadCases() {
    const params = new URLSearchParams(new FormData(filters));
    casesStatusEl.textContent = "…";
    getJSON(urls.cases + "?" + params.toString()).then((data) => {
      layers.cases.clearLayers();
      const heat = [];
      data.cases.forEach((c) => {
        const finished = ["closed", "evaluated", "declined", "merged"].includes(c.status);
        const colour = c.overdue ? "#c62828" : (finished ? "#607d8b" : "#1565c0");
        L.circleMarker([c.lat, c.lon], {
          renderer, radius: 5, weight: 1, color: "#fff", fillColor: colour, fillOpacity: 0.95,
        }).bindPopup(() => {
          const box = document.createElement("div");
          const a = document.createElement("a");
          a.href = link(urls.case, c.code);
          a.textContent = c.code + " " + c.title;
          const p = document.createElement("p");
          p.textContent = c.category + " · " + c.status_label + " · " + c.level_label
            + (c.overdue ? " · " + text.overdue : "");
          box.append(a, p);
          return box;
        }).addTo(layers.cases);
        heat.push([c.lat, c.lon, 0.6]);
      });
      layers.heat.setLatLngs(heat);
      casesStatusEl.textContent = data.count + " " + text.casesShown
        + (data.truncated ? " (" + text.truncated + ")" : "");
    }).catch(() => { casesStatusEl.textContent = text.failed; });
  }
  filters.addEventListener("change", loadCases);
  filters.addEventListener("submit", (e) => { e.preventDefault(); loadCases(); });
  loadCases();

  // Buildings and facilities load the first time their layer is switched on.
  let buildingsLoaded = false;
  map.on("overlayadd", (e) => {
    if (e.layer === layers.buildings && !buildingsLoaded) {
      buildingsLoaded = true;
      getJSON(urls.buildings).then((data) => {
        data.buildings.forEach((b) => {
          L.circleMarker([b.lat, b.lon], {
            renderer, radius: 3, weight: 0, fillColor: "#37474f", fillOpacity: 0.8,
          }).bindTooltip(b.name + (b.address && b.address !== b.name ? " · " + b.address : ""))
            .addTo(layers.buildings);
        });
      }).catch(() => { statusEl.textContent = text.failed; });
    }
  });
  let facilitiesLoaded = false;
  map.on("overlayadd", (e) => {
    if (e.layer === layers.facilities && !facilitiesLoaded) {
      facilitiesLoaded = true;
      getJSON(urls.facilities).then((data) => {
        data.facilities.forEach((f) => {
          L.circleMarker([f.lat, f.lon], {
            renderer, radius: 4, weight: 1, color: "#fff",
            fillColor: conditionColour[f.condition] || "#777", fillOpacity: 0.95,
          }).bindTooltip(f.kind + " " + f.code + " · " + text.condition + ": " + f.condition_label)
            .addTo(layers.facilities);
        });
      }).catch(() => { statusEl.textContent = text.failed; });
    }
  });
})();
