/* geomap report maps: vector layers on a blank background (works offline, no tiles). */
(function () {
  "use strict";
  var block = document.getElementById("gm-report-maps");
  if (!block || typeof L === "undefined") { document.body.setAttribute("data-ready", "1"); return; }
  var maps = JSON.parse(block.textContent);
  function popup(props, columns) {
    var box = document.createElement("div");
    columns.forEach(function (c) {
      if (props[c] === undefined || props[c] === null || props[c] === "") { return; }
      var row = document.createElement("div");
      var b = document.createElement("strong");
      b.textContent = c + ": ";
      row.appendChild(b);
      row.appendChild(document.createTextNode(String(props[c])));
      box.appendChild(row);
    });
    return box;
  }
  function style(layer) {
    return function (feature) {
      var colour = (feature.properties && feature.properties._c) || layer.colour || "#0072b2";
      if (layer.kind === "polygons") {
        return { color: colour, weight: 1.5, fill: true, fillColor: colour, fillOpacity: 0.04 };
      }
      return { color: colour, weight: 0.6, fillColor: colour, fillOpacity: 0.55 };
    };
  }
  maps.forEach(function (spec) {
    var element = document.getElementById(spec.id);
    if (!element) { return; }
    var map = L.map(element, { preferCanvas: true, zoomControl: true, attributionControl: false });
    var bounds = null;
    spec.layers.forEach(function (layer) {
      var group = L.geoJSON(layer.features, {
        style: style(layer),
        pointToLayer: function (feature, latlng) {
          var colour = (feature.properties && feature.properties._c) || layer.colour || "#0072b2";
          return L.circleMarker(latlng, { radius: 4, color: "#333", weight: 0.5, fillColor: colour, fillOpacity: 0.85 });
        },
        onEachFeature: function (feature, item) {
          var props = feature.properties || {};
          if (layer.label && props[layer.label] !== undefined && props[layer.label] !== null) {
            item.bindTooltip(String(props[layer.label]));
          }
          if (layer.popup.length) { item.bindPopup(popup(props, layer.popup)); }
        }
      }).addTo(map);
      if (layer.features.features.length) {
        var b = group.getBounds();
        bounds = bounds ? bounds.extend(b) : b;
      }
    });
    if (bounds && bounds.isValid()) { map.fitBounds(bounds, { padding: [12, 12] }); }
    else { map.setView([59.237, 17.98], 12); }
    element.setAttribute("data-drawn", String(spec.layers.length));
  });
  document.body.setAttribute("data-ready", "1");
})();
