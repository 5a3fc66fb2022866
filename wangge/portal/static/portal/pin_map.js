// The appeal form's map: tap to place the pin, or use the phone's position; the pin fills
// the hidden lon/lat fields. Community outlines give the bearings (no tiles needed).
(function () {
  "use strict";
  const el = document.getElementById("pin-map");
  if (!el || typeof L === "undefined") return;
  const lon = document.getElementById("id_lon");
  const lat = document.getElementById("id_lat");
  const status = document.getElementById("position-status");
  const map = L.map(el, { zoomSnap: 0.25 });
  let pin = null;
  function place(latlng) {
    if (pin) pin.setLatLng(latlng);
    else {
      pin = L.marker(latlng, { draggable: true, keyboard: true, title: "pin" }).addTo(map);
      pin.on("dragend", () => place(pin.getLatLng()));
    }
    lon.value = latlng.lng.toFixed(6);
    lat.value = latlng.lat.toFixed(6);
    el.dataset.pinned = "1";
  }
  fetch("/api/grids/features?tier=community").then((r) => r.json()).then((fc) => {
    const layer = L.geoJSON(fc, { style: { color: "#b3261e", weight: 2, fillOpacity: 0.05 },
      onEachFeature: (f, l) => l.bindTooltip(f.properties.name) }).addTo(map);
    map.fitBounds(layer.getBounds());
    layer.on("click", (e) => place(e.latlng));
    if (lon.value && lat.value) place(L.latLng(parseFloat(lat.value), parseFloat(lon.value)));
  }).catch(() => { status.textContent = el.dataset.failed || ""; });
  map.on("click", (e) => place(e.latlng));
  const use = document.getElementById("use-position");
  if (use) {
    use.addEventListener("click", () => {
      if (!navigator.geolocation) return;
      status.textContent = "…";
      navigator.geolocation.getCurrentPosition((p) => {
        const ll = L.latLng(p.coords.latitude, p.coords.longitude);
        place(ll); map.setView(ll, 17); status.textContent = "✓";
      }, (err) => { status.textContent = err.message; }, { enableHighAccuracy: true, timeout: 10000 });
    });
  }
})();
