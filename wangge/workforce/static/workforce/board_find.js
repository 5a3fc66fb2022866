// Tap the map where you live: locate the micro-grid and open its board.
(function () {
  "use strict";
  const config = JSON.parse(document.getElementById("map-config").textContent);
  const message = document.getElementById("board-map-message");
  const map = L.map("board-map");
  if (config.tileUrl) L.tileLayer(config.tileUrl, { attribution: config.tileAttribution }).addTo(map);
  fetch("/api/grids/features?tier=micro_grid").then((r) => r.json()).then((fc) => {
    const layer = L.geoJSON(fc, { style: { color: "#555", weight: 0.6, fillOpacity: 0.1 } }).addTo(map);
    map.fitBounds(layer.getBounds());
  });
  map.on("click", (e) => {
    fetch(`/api/grids/locate?lon=${e.latlng.lng}&lat=${e.latlng.lat}`).then((r) => r.json()).then((body) => {
      if (body.found) window.location.href = "/board/" + body.micro_grid.code + "/";
      else message.textContent = config.outside;
    });
  });
})();
