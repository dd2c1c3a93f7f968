/* geomap map: builds markers, panel, legend and heat map from the JSON payload.
 * Every text that comes from the data is inserted with textContent (never as HTML). */
(function () {
  "use strict";
  var timings = { start: performance.now() };
  var D = JSON.parse(document.getElementById("geomap-data").textContent);
  if (D.shared) { // labels, districts and boundary from the folder's shared file (maps/data.py)
    var S = window.geomapShared || { labels: {}, districts: [], geo: { districts: null, boundary: null } };
    D.labels = S.labels || {};
    D.districts = S.districts; D.geo.districts = S.geo.districts; D.geo.boundary = S.geo.boundary;
  }
  var TYPES = { i8: Int8Array, i16: Int16Array, i32: Int32Array };
  function decode(col) { // base64 little-endian typed array (see geomap/maps/data.py: typed_column)
    var bin = atob(col.b), bytes = new Uint8Array(bin.length);
    for (var b = 0; b < bin.length; b++) { bytes[b] = bin.charCodeAt(b); }
    return new TYPES[col.t](bytes.buffer);
  }
  var R = { n: D.r.n, id: D.r.id };
  Object.keys(D.r).forEach(function (key) { if (D.r[key] && D.r[key].b !== undefined) { R[key] = decode(D.r[key]); } });
  var N = R.n, S = D.str, OWNERS = D.owners, CATS = D.cats;
  timings.parsed = performance.now();
  var DAY = 86400000, SCALE = 1e5, NO_DAY = -2147483648;
  // Swedish words of route methods, flags and sources: geomap.core.labels, carried by the payload.
  var LABELS = D.labels;
  function label(kind, code) {
    var words = LABELS[kind] || {};
    return Object.prototype.hasOwnProperty.call(words, code) ? words[code] : code;
  }
  function capitalised(text) { return text.charAt(0).toUpperCase() + text.slice(1); }
  // Category symbols: SVG paths in a 16 x 16 box.
  var SHAPES = [
    "M8 1.5a6.5 6.5 0 1 0 0.01 0z",
    "M2 2h12v12H2z",
    "M8 0.8L15.2 8 8 15.2 0.8 8z",
    "M8 1.2L15 14.5H1z",
    "M1 1.5h14L8 14.8z",
    "M8 0.8l7 5.1-2.7 8.3H3.7L1 5.9z",
    "M4.2 1.4h7.6L15.6 8l-3.8 6.6H4.2L0.4 8z",
    "M8 0.5l2.2 4.8 5.3.6-3.9 3.6 1.1 5.2L8 12.1l-4.7 2.6 1.1-5.2L.5 5.9l5.3-.6z",
    "M5.5 1h5v4.5H15v5h-4.5V15h-5v-4.5H1v-5h4.5z",
    "M3 1l5 5 5-5 2 2-5 5 5 5-2 2-5-5-5 5-2-2 5-5-5-5z",
    "M1 8a7 7 0 0 1 14 0v6H1z",
    "M8 1.5a6.5 6.5 0 1 0 0.01 0zM8 5a3 3 0 1 1-0.01 0z",
    "M2 2h12v12H2zM5.5 5.5v5h5v-5z",
    "M8 0.8L15.2 8 8 15.2 0.8 8zM8 5L5 8l3 3 3-3z",
    "M1.2 8L14.5 1v14z",
    "M14.8 8L1.5 1v14z"
  ];

  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) { e.className = cls; }
    if (text !== undefined && text !== null) { e.textContent = String(text); }
    return e;
  }
  function str(i) { return i >= 0 ? S[i] : ""; }
  function dayText(d) { return d === NO_DAY ? "" : new Date(d * DAY).toISOString().slice(0, 10); }
  function num(n) { return n.toLocaleString("sv-SE"); }
  function svgSymbol(shape, colour, flagged, size) {
    var s = size || 16;
    var stroke = flagged ? ' stroke="#111" stroke-width="2.2"' : ' stroke="#fff" stroke-width="1.4"';
    return '<svg xmlns="http://www.w3.org/2000/svg" width="' + s + '" height="' + s +
      '" viewBox="-1 -1 18 18"><path d="' + SHAPES[shape % SHAPES.length] + '" fill="' + colour +
      '" fill-rule="evenodd"' + stroke + "/></svg>";
  }
  function symbolNode(shape, colour, flagged) {
    var span = el("span", "gm-sym");
    span.innerHTML = svgSymbol(shape, colour, flagged, 14); // colour is validated #rrggbb, shape an int
    return span;
  }

  // Header and banner.
  document.getElementById("gm-title").textContent = D.title;
  document.title = D.title;
  document.getElementById("gm-period").textContent = D.period ? "Period: " + D.period : "";
  if (D.banner) {
    var banner = document.getElementById("gm-banner");
    banner.textContent = D.banner;
    banner.hidden = false;
  }

  // Map and background. Tiles only when online, so an offline map stays free of errors.
  var map = L.map("gm-map", { zoomControl: true, minZoom: 11, maxZoom: 18 });
  if (D.district_source && D.districts.length) { // Leaflet inserts attributions as HTML: escape
    var esc = el("span", null, "Områden: " + D.district_source);
    map.attributionControl.addAttribution(esc.innerHTML);
  }
  var tiles = L.tileLayer("https://{s}.basemaps.cartocdn.com/light_all/{z}/{x}/{y}{r}.png", {
    subdomains: "abcd", maxZoom: 19,
    attribution: "© OpenStreetMap-bidragsgivare © CARTO"
  });
  tiles.on("tileerror", function () { /* offline or blocked: the map stays readable without */ });
  function addTiles() { if (!map.hasLayer(tiles)) { tiles.addTo(map); } }
  if (navigator.onLine) { addTiles(); }
  window.addEventListener("online", addTiles);
  [["gm-districts", 380], ["gm-owners", 390], ["gm-boundary", 395], ["gm-heat", 450]].forEach(function (p) {
    map.createPane(p[0]).style.zIndex = String(p[1]);
  });

  // Owner polygons, one layer per owner so that they can be toggled with the owner.
  var ownerPolys = OWNERS.map(function () { return L.featureGroup(); });
  L.geoJSON(D.geo.owners, {
    pane: "gm-owners",
    style: function (f) {
      var c = OWNERS[f.properties.o].colour;
      return { color: c, weight: 1, opacity: 0.8, fillColor: c, fillOpacity: 0.22 };
    },
    onEachFeature: function (f, layer) {
      layer.bindTooltip(el("span", null, OWNERS[f.properties.o].name), { sticky: true });
      ownerPolys[f.properties.o].addLayer(layer);
    }
  });
  ownerPolys.forEach(function (g) { g.addTo(map); });

  // Districts with counts in their tooltip; the municipality boundary on top.
  var districtTips = [];
  var districtLayer = L.geoJSON(D.geo.districts, {
    pane: "gm-districts",
    // Solid thin lines: neighbouring districts share edges, and two dashed copies would look solid.
    style: { color: "#6a6a6a", weight: 1.3, opacity: 0.9, fill: true, fillOpacity: 0 },
    onEachFeature: function (f, layer) {
      var tip = el("span", "gm-district-tip");
      districtTips[f.properties.d] = tip;
      layer.bindTooltip(tip, { sticky: true });
    }
  }).addTo(map);
  var boundaryLayer = L.geoJSON(D.geo.boundary, {
    pane: "gm-boundary", interactive: false, style: { color: "#1b1b1b", weight: 2.5, fill: false }
  }).addTo(map);

  // Remarks.
  var flagText = {}, isBoundary = {};
  function flagsOf(i) {
    var k = R.fl[i];
    if (!(k in flagText)) {
      var parts = str(k).split(";").filter(Boolean);
      isBoundary[k] = parts.indexOf("boundary") >= 0;
      flagText[k] = parts.filter(function (p) { return p !== "boundary"; })
        .map(function (p) { return label("flag", p); }).join(", ");
    }
    return k;
  }
  var icons = {};
  function iconFor(o, c, flagged) {
    var key = o + ":" + c + ":" + (flagged ? 1 : 0);
    if (!icons[key]) {
      icons[key] = L.divIcon({
        className: "gm-icon", html: svgSymbol(CATS[c].shape, OWNERS[o].colour, flagged, 16),
        iconSize: [16, 16], iconAnchor: [8, 8], popupAnchor: [0, -7]
      });
    }
    return icons[key];
  }
  var markers = new Array(N), MX = new Float64Array(N), MY = new Float64Array(N);
  var minLat = Infinity, maxLat = -Infinity, minLon = Infinity, maxLon = -Infinity;
  for (var i = 0; i < N; i++) {
    var lat = R.lat[i] / SCALE, lon = R.lon[i] / SCALE;
    var m = L.marker([lat, lon], { icon: iconFor(R.o[i], R.c[i], isBoundary[flagsOf(i)]), keyboard: false });
    m._gmi = i;
    markers[i] = m;
    var phi = lat * Math.PI / 180;
    MX[i] = (lon + 180) / 360;
    MY[i] = (1 - Math.log(Math.tan(phi) + 1 / Math.cos(phi)) / Math.PI) / 2;
    if (lat < minLat) { minLat = lat; } if (lat > maxLat) { maxLat = lat; }
    if (lon < minLon) { minLon = lon; } if (lon > maxLon) { maxLon = lon; }
  }

  timings.markers = performance.now();
  if (boundaryLayer.getLayers().length) {
    map.fitBounds(boundaryLayer.getBounds(), { padding: [10, 10] });
  } else if (N) {
    map.fitBounds([[minLat, minLon], [maxLat, maxLon]], { padding: [20, 20], maxZoom: 16 });
  } else {
    map.setView([59.236, 17.982], 12);
  }

  function popupContent(i) {
    var owner = OWNERS[R.o[i]], cat = CATS[R.c[i]], k = flagsOf(i);
    var root = el("div", "gm-popup");
    root.appendChild(el("h3", null, cat.label));
    var dl = el("dl");
    function row(key, value, cls) {
      if (value === "" || value === null || value === undefined) { return; }
      dl.appendChild(el("dt", null, key));
      dl.appendChild(el("dd", cls, value));
    }
    var cand = str(R.cand[i]).split(";").filter(Boolean).map(function (id) {
      for (var j = 0; j < OWNERS.length; j++) { if (OWNERS[j].id === id) { return OWNERS[j].name; } }
      return id;
    }).join(", ");
    var dist = R.dist[i];
    row("ID", R.id[i]);
    row("Kategori", cat.label + (cat.code && cat.code !== cat.label ? " (" + cat.code + ")" : ""));
    row("Datum", dayText(R.d[i]));
    row("Beskrivning", str(R.desc[i]));
    row("Önskad åtgärd", str(R.act[i]));
    row("Plats", str(R.pl[i]));
    row("Ägare", owner.name);
    row("Kontakt", owner.contact);
    var method = D.methods[R.m[i]];
    row("Dirigerad via", method === undefined ? "" : label("method", method));
    row("Avstånd", dist >= 0 ? num(dist / 10) + " m" : "");
    row(capitalised(label("flag", "boundary")), isBoundary[k] ? "Ja" : "Nej", isBoundary[k] ? "gm-warn" : null);
    row("Kandidater", cand);
    row("Flaggor", flagText[k]);
    row("Motivering", str(R.why[i]));
    var src = str(R.src[i]);
    row("Källa", src && label("source", src));
    root.appendChild(dl);
    return root;
  }
  function showPopup(marker) {
    marker.unbindPopup();
    marker.bindPopup(popupContent(marker._gmi), { maxWidth: 380, minWidth: 300, autoPanPadding: [40, 40] });
    marker.openPopup();
  }

  // Heat map: our own small canvas layer over the currently visible remarks.
  var HeatLayer = L.Layer.extend({
    options: { pane: "gm-heat" },
    initialize: function () { this._idx = new Uint32Array(0); this._palette = null; },
    setIndices: function (idx) { this._idx = idx; if (this._map) { this._redraw(); } },
    onAdd: function (mp) {
      this._canvas = L.DomUtil.create("canvas", "gm-heat leaflet-zoom-hide");
      this.getPane().appendChild(this._canvas);
      mp.on("moveend resize", this._redraw, this);
      this._redraw();
    },
    onRemove: function (mp) {
      L.DomUtil.remove(this._canvas);
      mp.off("moveend resize", this._redraw, this);
    },
    _paletteData: function () {
      if (!this._palette) {
        var c = document.createElement("canvas"); c.width = 256; c.height = 1;
        var ctx = c.getContext("2d"), g = ctx.createLinearGradient(0, 0, 256, 0);
        g.addColorStop(0.0, "#2c7bb6"); g.addColorStop(0.35, "#00a6ca"); g.addColorStop(0.55, "#90eb9d");
        g.addColorStop(0.75, "#f9d057"); g.addColorStop(0.9, "#f29e2e"); g.addColorStop(1.0, "#d7191c");
        ctx.fillStyle = g; ctx.fillRect(0, 0, 256, 1);
        this._palette = ctx.getImageData(0, 0, 256, 1).data;
      }
      return this._palette;
    },
    _redraw: function () {
      var mp = this._map, size = mp.getSize(), canvas = this._canvas;
      L.DomUtil.setPosition(canvas, mp.containerPointToLayerPoint([0, 0]));
      canvas.width = size.x; canvas.height = size.y;
      var ctx = canvas.getContext("2d", { willReadFrequently: true });
      var cell = 4, radius = 16, gw = Math.ceil(size.x / cell) + 1, gh = Math.ceil(size.y / cell) + 1;
      var grid = new Float32Array(gw * gh), scale = 256 * Math.pow(2, mp.getZoom());
      var origin = mp.getPixelBounds().min, idx = this._idx, max = 0;
      for (var k = 0; k < idx.length; k++) {
        var x = MX[idx[k]] * scale - origin.x, y = MY[idx[k]] * scale - origin.y;
        if (x < -radius || y < -radius || x > size.x + radius || y > size.y + radius) { continue; }
        var gx = Math.max(0, Math.min(gw - 1, Math.round(x / cell)));
        var gy = Math.max(0, Math.min(gh - 1, Math.round(y / cell)));
        var v = ++grid[gy * gw + gx];
        if (v > max) { max = v; }
      }
      if (!max) { return; }
      var stamp = document.createElement("canvas"), r2 = radius * 2;
      stamp.width = stamp.height = r2;
      var sctx = stamp.getContext("2d"), rg = sctx.createRadialGradient(radius, radius, 0, radius, radius, radius);
      rg.addColorStop(0, "rgba(0,0,0,1)"); rg.addColorStop(1, "rgba(0,0,0,0)");
      sctx.fillStyle = rg; sctx.fillRect(0, 0, r2, r2);
      var norm = Math.log(1 + max);
      for (var j = 0; j < grid.length; j++) {
        if (grid[j]) {
          ctx.globalAlpha = Math.max(0.08, Math.log(1 + grid[j]) / norm);
          ctx.drawImage(stamp, (j % gw) * cell - radius, Math.floor(j / gw) * cell - radius);
        }
      }
      var img = ctx.getImageData(0, 0, size.x, size.y), px = img.data, pal = this._paletteData();
      for (var p = 3; p < px.length; p += 4) {
        var a = px[p];
        if (a) {
          var o = a * 4;
          px[p - 3] = pal[o]; px[p - 2] = pal[o + 1]; px[p - 1] = pal[o + 2];
          px[p] = Math.min(230, 60 + a);
        }
      }
      ctx.putImageData(img, 0, 0);
    }
  });

  // Filtering and drawing.
  var ownerOn = OWNERS.map(function () { return true; });
  var catOn = CATS.map(function () { return true; });
  var dFrom = null, dTo = null, showMarkers = true, showHeat = false;
  var ownerCount = [], catCount = [], districtCount = [], visibleTotal = 0;
  var heat = new HeatLayer();
  var progress = el("div", "gm-note"), loading = false;
  function setReady(ready) {
    var first = ready && !timings.ready;
    if (first) { timings.ready = performance.now(); }
    document.body.dataset.ready = ready ? "1" : "0";
    api.ready = ready;
    if (first) { openLinked(); }
  }
  // A work list links to a remark as <map>.html#anmarkning=<url-encoded remark id>: zoom to it
  // and open its popup once the markers are drawn (and again when the fragment changes).
  var LINK = "#anmarkning=";
  function linkedRemark() {
    var hash = window.location.hash;
    if (hash.indexOf(LINK) !== 0) { return null; }
    try { return decodeURIComponent(hash.slice(LINK.length)); } catch (e) { return null; }
  }
  function openLinked() {
    var id = linkedRemark();
    if (id === null || !api.ready) { return; }
    var i = R.id.indexOf(id);
    if (i < 0 || !cluster.hasLayer(markers[i])) {
      progress.textContent = "Anmärkning " + id + " finns inte på den här kartan.";
      return;
    }
    progress.textContent = "";
    map.setView(markers[i].getLatLng(), Math.max(map.getZoom(), 16), { animate: false });
    api.openPopup(id);
  }
  window.addEventListener("hashchange", openLinked);
  var cluster = L.markerClusterGroup({
    chunkedLoading: true, chunkInterval: 250, chunkDelay: 1, showCoverageOnHover: false,
    maxClusterRadius: 80, spiderfyOnMaxZoom: true, disableClusteringAtZoom: 18, removeOutsideVisibleBounds: true,
    chunkProgress: function (done, total) {
      progress.textContent = done < total ? "Ritar kartan … " + Math.round(100 * done / total) + " %" : "";
      if (loading && done >= total) {
        loading = false;
        setTimeout(function () { setReady(true); }, 0); // after the clusters are put on the map
      }
    }
  }).addTo(map);
  cluster.on("click", function (e) { showPopup(e.layer); });

  function passes(i) {
    if (!ownerOn[R.o[i]] || !catOn[R.c[i]]) { return false; }
    if (dFrom !== null || dTo !== null) {
      var d = R.d[i];
      if (d === NO_DAY || (dFrom !== null && d < dFrom) || (dTo !== null && d > dTo)) { return false; }
    }
    return true;
  }
  var ui = {};
  function applyFilters() {
    setReady(false);
    ownerCount = OWNERS.map(function () { return 0; });
    catCount = CATS.map(function () { return 0; });
    districtCount = D.districts.map(function () { return 0; });
    var list = [], idx = new Uint32Array(N), n = 0;
    for (var i = 0; i < N; i++) {
      if (passes(i)) {
        idx[n++] = i;
        list.push(markers[i]);
        ownerCount[R.o[i]]++; catCount[R.c[i]]++;
        if (R.k[i] >= 0) { districtCount[R.k[i]]++; }
      }
    }
    visibleTotal = n;
    OWNERS.forEach(function (o, j) {
      if (ownerOn[j]) { ownerPolys[j].addTo(map); } else { ownerPolys[j].remove(); }
    });
    heat.setIndices(idx.subarray(0, n));
    if (showHeat) { heat.addTo(map); } else { heat.remove(); }
    updateCounts();
    cluster.clearLayers();
    if (showMarkers && list.length) {
      loading = true;
      cluster.addLayers(list, true);
    } else {
      setTimeout(function () { setReady(true); }, 0);
    }
  }

  // Panel.
  function checkRow(label, checked, onChange, prefix) {
    var row = el("label", "gm-row"), box = el("input");
    box.type = "checkbox"; box.checked = checked;
    box.addEventListener("change", function () { onChange(box.checked); });
    row.appendChild(box);
    if (prefix) { row.appendChild(prefix); }
    row.appendChild(el("span", null, label));
    var n = el("span", "gm-n");
    row.appendChild(n);
    return { row: row, box: box, count: n };
  }
  function section(title, open) {
    var d = el("details"); d.open = open;
    d.appendChild(el("summary", null, title));
    return d;
  }
  function allNone(onAll) {
    var wrap = el("div", "gm-buttons");
    [["Alla", true], ["Inga", false]].forEach(function (b) {
      var btn = el("button", null, b[0]); btn.type = "button";
      btn.addEventListener("click", function () { onAll(b[1]); });
      wrap.appendChild(btn);
    });
    return wrap;
  }
  var Panel = L.Control.extend({
    options: { position: "topright" },
    onAdd: function () {
      var root = el("div", "gm-panel leaflet-control");
      root.setAttribute("aria-label", "Filter");
      ui.count = el("div", "gm-count");
      root.appendChild(ui.count);
      root.appendChild(progress);
      if (D.unlocated) {
        root.appendChild(el("div", "gm-note", num(D.unlocated) + " anmärkningar saknar position och visas inte."));
      }
      var owners = section("Ägare", true);
      owners.appendChild(allNone(function (on) { OWNERS.forEach(function (o) { api.setOwnerVisible(o.id, on, true); }); applyFilters(); }));
      ui.owners = OWNERS.map(function (o, j) {
        var sw = el("span", "gm-swatch"); sw.style.background = o.colour;
        var r = checkRow(o.name, true, function (on) { ownerOn[j] = on; applyFilters(); }, sw);
        r.row.dataset.owner = o.id;
        owners.appendChild(r.row);
        return r;
      });
      root.appendChild(owners);
      var cats = section("Kategori", true);
      cats.appendChild(allNone(function (on) { CATS.forEach(function (c, j) { catOn[j] = on; ui.cats[j].box.checked = on; }); applyFilters(); }));
      ui.cats = CATS.map(function (c, j) {
        var r = checkRow(c.label, true, function (on) { catOn[j] = on; applyFilters(); }, symbolNode(c.shape, "#6b6b6b", false));
        r.row.dataset.category = c.code;
        cats.appendChild(r.row);
        return r;
      });
      root.appendChild(cats);
      var dates = section("Datum", true), box = el("div", "gm-dates");
      var known = Array.prototype.filter.call(R.d, function (d) { return d !== NO_DAY; });
      var lo = known.length ? dayText(known.reduce(function (a, b) { return a < b ? a : b; })) : "";
      var hi = known.length ? dayText(known.reduce(function (a, b) { return a > b ? a : b; })) : "";
      function dateInput(text, onValue) {
        var label = el("label"), input = el("input");
        input.type = "date"; input.min = lo; input.max = hi;
        input.addEventListener("change", function () { onValue(input.value ? Math.round(Date.parse(input.value) / DAY) : null); applyFilters(); });
        label.appendChild(el("span", null, text)); label.appendChild(input); box.appendChild(label);
        return input;
      }
      ui.from = dateInput("Från", function (v) { dFrom = v; });
      ui.to = dateInput("Till", function (v) { dTo = v; });
      var clear = el("button", null, "Rensa datum"); clear.type = "button";
      clear.addEventListener("click", function () { ui.from.value = ""; ui.to.value = ""; dFrom = dTo = null; applyFilters(); });
      box.appendChild(clear);
      if (lo) { box.appendChild(el("div", "gm-note", "Data: " + lo + " – " + hi + ". Anmärkningar utan datum döljs när ett datum är valt.")); }
      dates.appendChild(box);
      root.appendChild(dates);
      var layers = section("Visa", true);
      layers.appendChild(checkRow("Markörer och kluster", true, function (on) { showMarkers = on; applyFilters(); }).row);
      ui.heat = checkRow("Värmekarta", false, function (on) { showHeat = on; applyFilters(); });
      layers.appendChild(ui.heat.row);
      layers.appendChild(checkRow("Områden (RegSO)", true, function (on) { if (on) { districtLayer.addTo(map); } else { districtLayer.remove(); } }).row);
      root.appendChild(layers);
      if (D.districts.length) {
        var dist = section("Anmärkningar per område", false);
        ui.districtTable = el("table", "gm-districts");
        dist.appendChild(ui.districtTable);
        root.appendChild(dist);
      }
      L.DomEvent.disableClickPropagation(root);
      L.DomEvent.disableScrollPropagation(root);
      return root;
    }
  });
  var Legend = L.Control.extend({
    options: { position: "bottomleft" },
    onAdd: function () {
      var outer = el("details", "gm-legend leaflet-control"), root = outer;
      outer.open = true;
      outer.appendChild(el("summary", null, "Teckenförklaring"));
      root.appendChild(el("h3", null, "Färg = ansvarig ägare"));
      OWNERS.forEach(function (o) {
        var row = el("div", "gm-row"), sw = el("span", "gm-swatch"); sw.style.background = o.colour;
        row.appendChild(sw); row.appendChild(el("span", null, o.name)); root.appendChild(row);
      });
      root.appendChild(el("h3", null, "Symbol = kategori"));
      CATS.forEach(function (c, j) {
        var row = el("div", "gm-row");
        row.appendChild(symbolNode(c.shape, "#6b6b6b", false)); row.appendChild(el("span", null, c.label)); root.appendChild(row);
      });
      root.appendChild(el("h3", null, "Övriga tecken"));
      var items = [
        [symbolNode(0, "#6b6b6b", true), "Svart kant: " + label("flag", "boundary")],
        [(function () { var s = el("span", "gm-swatch"); s.style.background = "rgba(0,114,178,.3)"; return s; })(), "Ytor: ägarens mark"],
        [el("span", "gm-line gm-thin"), "Område (RegSO), antal i verktygstips"],
        [el("span", "gm-line"), "Kommungräns"],
        [(function () { var s = el("span", "gm-swatch"); s.style.background = "rgba(110,204,57,.8)"; s.style.borderRadius = "50%"; return s; })(), "Kluster: antal anmärkningar"]
      ];
      items.forEach(function (it) {
        var row = el("div", "gm-row"); row.appendChild(it[0]); row.appendChild(el("span", null, it[1])); root.appendChild(row);
      });
      L.DomEvent.disableClickPropagation(root);
      L.DomEvent.disableScrollPropagation(root);
      return root;
    }
  });

  function updateCounts() {
    ui.count.textContent = "Visar " + num(visibleTotal) + " av " + num(N) + " anmärkningar";
    ui.owners.forEach(function (r, j) { r.count.textContent = num(ownerCount[j]); r.box.checked = ownerOn[j]; });
    ui.cats.forEach(function (r, j) { r.count.textContent = num(catCount[j]); r.box.checked = catOn[j]; });
    D.districts.forEach(function (name, j) {
      if (districtTips[j]) { districtTips[j].textContent = name + ": " + num(districtCount[j]) + " anmärkningar"; }
    });
    if (ui.districtTable) {
      var order = D.districts.map(function (_, j) { return j; }).sort(function (a, b) { return districtCount[b] - districtCount[a]; });
      ui.districtTable.textContent = "";
      order.forEach(function (j) {
        var tr = el("tr");
        tr.appendChild(el("td", null, D.districts[j])); tr.appendChild(el("td", null, num(districtCount[j])));
        ui.districtTable.appendChild(tr);
      });
    }
  }

  // Test and automation hook.
  var api = {
    map: map, ready: false, timings: timings,
    counts: function () {
      var owners = {}, cats = {}, districts = {};
      OWNERS.forEach(function (o, j) { owners[o.id] = ownerCount[j]; });
      CATS.forEach(function (c, j) { cats[c.code] = catCount[j]; });
      D.districts.forEach(function (d, j) { districts[d] = districtCount[j]; });
      return { total: N, visible: visibleTotal, owners: owners, categories: cats, districts: districts };
    },
    visibleCount: function () { return visibleTotal; },
    setOwnerVisible: function (id, on, deferred) {
      OWNERS.forEach(function (o, j) { if (o.id === id) { ownerOn[j] = !!on; } });
      if (!deferred) { applyFilters(); }
    },
    setCategoryVisible: function (code, on) {
      CATS.forEach(function (c, j) { if (c.code === code) { catOn[j] = !!on; } });
      applyFilters();
    },
    setDateRange: function (from, to) {
      dFrom = from ? Math.round(Date.parse(from) / DAY) : null;
      dTo = to ? Math.round(Date.parse(to) / DAY) : null;
      ui.from.value = from || ""; ui.to.value = to || "";
      applyFilters();
    },
    setHeatmap: function (on) { showHeat = !!on; ui.heat.box.checked = showHeat; applyFilters(); },
    openPopup: function (remarkId, done) {
      var i = R.id.indexOf(remarkId);
      if (i < 0 || !cluster.hasLayer(markers[i])) { return false; }
      cluster.zoomToShowLayer(markers[i], function () { showPopup(markers[i]); if (done) { done(); } });
      return true;
    }
  };
  window.geomap = api;
  map.addControl(new Panel());
  map.addControl(new Legend());
  L.control.scale({ imperial: false, position: "bottomright" }).addTo(map);
  applyFilters();
})();
