// A running patrol: the phone's position is recorded while the page is open and sent in
// small batches; batches not yet sent are kept in localStorage, so a lost connection or a
// reload loses nothing. The findings form gets the latest position.
(function () {
  "use strict";
  const config = JSON.parse(document.getElementById("map-config").textContent);
  const text = config.text || {};
  const statusEl = document.getElementById("route-status");
  const countEl = document.getElementById("route-count");
  const csrf = JSON.parse(document.body.getAttribute("hx-headers") || "{}")["X-CSRFToken"];
  const storeKey = "wangge-patrol-" + config.pointsUrl;
  const MIN_SECONDS = 15;
  const MIN_METRES = 10;
  const SEND_EVERY_MS = 20000;

  let map = null;
  let line = null;
  let here = null;
  const route = (config.route || []).map((p) => [p[1], p[0]]);

  if (window.L && document.getElementById("patrol-map")) {
    map = L.map("patrol-map", { zoomSnap: 0.25 });
    if (config.tileUrl) {
      L.tileLayer(config.tileUrl, { attribution: config.tileAttribution, maxZoom: 19 }).addTo(map);
    }
    line = L.polyline(route, { color: "#1d4f91", weight: 4 }).addTo(map);
    const code = (config.grids || [])[0];
    if (code) {
      fetch("/api/grids/" + code + "/").then((r) => (r.ok ? r.json() : null)).then((g) => {
        if (g && g.boundary) {
          const outline = L.geoJSON(g.boundary, { style: { color: "#b3261e", weight: 2, fillOpacity: 0.05 } }).addTo(map);
          map.fitBounds(route.length ? line.getBounds().extend(outline.getBounds()) : outline.getBounds(), { padding: [10, 10] });
        }
      }).catch(() => {});
    }
    if (route.length) map.fitBounds(line.getBounds(), { padding: [10, 10] });
    else map.setView([27.7, 106.93], 15);
  }

  function say(message) { if (statusEl) statusEl.textContent = message; }

  // Finding here: the chosen household goes into the findings form.
  document.addEventListener("click", (e) => {
    const button = e.target.closest("[data-pick-household]");
    if (!button) return;
    document.getElementById("id_household").value = button.dataset.pickHousehold;
    document.getElementById("finding-household-label").textContent = button.dataset.label;
    document.getElementById("finding-form").scrollIntoView({ block: "start" });
  });

  // A household marked visited (through htmx) shows a tick instead of its button.
  document.body.addEventListener("htmx:afterRequest", (e) => {
    const form = e.detail.elt;
    if (!e.detail.successful || !form.matches || !form.matches("form[data-visit]")) return;
    const item = form.closest("li.household");
    if (item) item.classList.add("visited");
    const tick = document.createElement("span");
    tick.className = "tag";
    tick.textContent = "✓";
    form.replaceWith(tick);
  });

  if (!config.running) return;

  let pending = [];
  try { pending = JSON.parse(localStorage.getItem(storeKey) || "[]"); } catch (err) { pending = []; }
  let last = null;
  let sending = false;

  function save() {
    try { localStorage.setItem(storeKey, JSON.stringify(pending)); } catch (err) { /* full */ }
  }

  function metres(a, b) {
    const r = 6371000;
    const dLat = (b[1] - a[1]) * Math.PI / 180;
    const dLon = (b[0] - a[0]) * Math.PI / 180;
    const x = Math.sin(dLat / 2) ** 2 + Math.cos(a[1] * Math.PI / 180) * Math.cos(b[1] * Math.PI / 180) * Math.sin(dLon / 2) ** 2;
    return 2 * r * Math.asin(Math.sqrt(x));
  }

  function show(total) {
    if (countEl && total !== undefined) countEl.textContent = total;
    say((text.recording || "") + (pending.length ? " · " + pending.length + " " + (text.unsent || "") : ""));
  }

  function send() {
    if (sending || !pending.length) return;
    sending = true;
    const batch = pending.slice(0, 200);
    fetch(config.pointsUrl, {
      method: "POST",
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrf },
      body: JSON.stringify({ points: batch }),
      credentials: "same-origin",
    }).then((r) => {
      if (r.ok) return r.json();
      if (r.status === 409 || r.status === 404) { pending = []; save(); }
      throw new Error(r.status);
    }).then((answer) => {
      pending = pending.slice(batch.length);
      save();
      show(answer.total);
    }).catch(() => show()).finally(() => { sending = false; });
  }

  function record(pos) {
    const point = [pos.coords.longitude, pos.coords.latitude, new Date(pos.timestamp).toISOString()];
    const form = document.getElementById("finding-form");
    if (form) {
      document.getElementById("id_lon").value = point[0].toFixed(7);
      document.getElementById("id_lat").value = point[1].toFixed(7);
    }
    if (map) {
      const ll = [point[1], point[0]];
      if (here) here.setLatLng(ll);
      else here = L.circleMarker(ll, { radius: 7, color: "#fff", weight: 2, fillColor: "#1d4f91", fillOpacity: 1 }).addTo(map);
    }
    if (pos.coords.accuracy && pos.coords.accuracy > 100) return; // too rough for a route
    if (last && (pos.timestamp - last.t) / 1000 < MIN_SECONDS && metres(last.p, point) < MIN_METRES) return;
    last = { p: point, t: pos.timestamp };
    pending.push(point);
    save();
    if (line) line.addLatLng([point[1], point[0]]);
    show();
  }

  if (!("geolocation" in navigator)) { say(text.paused); return; }
  navigator.geolocation.watchPosition(record, () => say(text.paused),
    { enableHighAccuracy: true, maximumAge: 10000, timeout: 30000 });
  setInterval(send, SEND_EVERY_MS);
  document.addEventListener("visibilitychange", () => { if (document.hidden) send(); });
  send();
})();
