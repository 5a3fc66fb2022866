// Report page: "use my position" and a pin on a map of my micro-grid fill the hidden
// lon/lat fields; the server checks the point (outside the street is refused there too).
(function () {
  "use strict";
  const config = JSON.parse(document.getElementById("map-config").textContent);
  const text = config.text || {};
  const lonInput = document.getElementById("id_lon");
  const latInput = document.getElementById("id_lat");
  const statusEl = document.getElementById("position-status");
  const mapEl = document.getElementById("report-map");
  let map = null;
  let marker = null;

  function say(message) { if (statusEl) statusEl.textContent = message; }

  function checkInside(lon, lat) {
    fetch("/api/grids/locate?lon=" + lon + "&lat=" + lat)
      .then((r) => (r.ok ? r.json() : null))
      .then((found) => {
        if (!found) return;
        say(found.found
          ? (text.located || "") + ": " + found.micro_grid.name
          : (text.outside || found.message));
      })
      .catch(() => {});
  }

  function place(lon, lat, zoom) {
    lonInput.value = lon.toFixed(7);
    latInput.value = lat.toFixed(7);
    if (map) {
      if (marker) marker.setLatLng([lat, lon]);
      else {
        marker = L.marker([lat, lon], { draggable: true, autoPan: true }).addTo(map);
        marker.on("dragend", () => {
          const p = marker.getLatLng();
          place(p.lng, p.lat, false);
        });
      }
      if (zoom) map.setView([lat, lon], Math.max(map.getZoom() || 0, 17));
    }
    say((text.located || "") + ": " + lon.toFixed(5) + ", " + lat.toFixed(5));
    checkInside(lon, lat);
    document.body.dispatchEvent(new Event("wb-placed"));
  }

  if (mapEl && window.L) {
    map = L.map(mapEl, { zoomSnap: 0.25 });
    if (config.tileUrl) {
      L.tileLayer(config.tileUrl, { attribution: config.tileAttribution, maxZoom: 19 }).addTo(map);
    }
    const outlines = L.featureGroup().addTo(map);
    Promise.all((config.grids || []).map((code) =>
      fetch("/api/grids/" + code + "/").then((r) => (r.ok ? r.json() : null))))
      .then((grids) => {
        grids.filter((g) => g && g.boundary).forEach((g) => {
          L.geoJSON(g.boundary, { style: { color: "#b3261e", weight: 2, fillOpacity: 0.06 } })
            .bindTooltip(g.name).addTo(outlines);
        });
        if (marker) map.setView(marker.getLatLng(), 17);
        else if (outlines.getLayers().length) map.fitBounds(outlines.getBounds(), { padding: [10, 10] });
        else map.setView([27.7, 106.93], 14);
      })
      .catch(() => map.setView([27.7, 106.93], 14));
    map.on("click", (e) => place(e.latlng.lng, e.latlng.lat, false));
    if (lonInput.value && latInput.value) {
      const lon = parseFloat(lonInput.value);
      const lat = parseFloat(latInput.value);
      if (!isNaN(lon) && !isNaN(lat)) {
        marker = L.marker([lat, lon], { draggable: true }).addTo(map);
        marker.on("dragend", () => { const p = marker.getLatLng(); place(p.lng, p.lat, false); });
      }
    }
  }

  const button = document.getElementById("use-position");
  if (button) {
    button.addEventListener("click", () => {
      if (!("geolocation" in navigator)) { say(text.noGeo); return; }
      button.disabled = true;
      navigator.geolocation.getCurrentPosition(
        (pos) => { button.disabled = false; place(pos.coords.longitude, pos.coords.latitude, true); },
        () => { button.disabled = false; say(text.denied); },
        { enableHighAccuracy: true, timeout: 15000, maximumAge: 30000 });
    });
  }
})();
