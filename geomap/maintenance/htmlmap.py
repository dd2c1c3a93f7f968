"""A self-contained HTML map of maintenance layers, styled from the shared vocabulary.

Leaflet is inlined (:func:`geomap.render.assets.leaflet_head`), so the map opens with no network;
the page is built in geomap's one page shell (:func:`geomap.render.page.html_page`), whose
Content-Security-Policy runs only the page's own scripts. Fill,
stroke, widths, hatches and markers come from the same :class:`Product` objects as the QML and SLD;
the legend uses the shared names and shows the vocabulary version.
"""

from __future__ import annotations

import html
import json
import math
import re
from collections.abc import Mapping
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geomap.render.assets import leaflet_head
from geomap.render.page import html_page, script_json

from .styles import mm_to_px
from .vocabulary import Product, Vocabulary

__all__ = ["leaflet_style", "marker_svg", "pattern_id", "render_map", "swatch_svg"]

_HATCH_PATHS = {
    "horizontal": "M0,4 H8",
    "vertical": "M4,0 V8",
    "cross": "M0,4 H8 M4,0 V8",
    "f_diagonal": "M0,0 L8,8",
    "b_diagonal": "M0,8 L8,0",
    "diagonal_x": "M0,0 L8,8 M0,8 L8,0",
}
_DASH = {"dash": "8 4", "dot": "2 3"}
_POPUP_FIELDS = (
    "produktkod",
    "produktnamn",
    "agare_namn",
    "lokal_kod",
    "lokal_id",
    "fynddatum",
    "atgard",
    "atgardsdatum",
    "status",
)


def pattern_id(code: str) -> str:
    """Return the SVG id of a product's hatch pattern.

    Examples
    --------
    >>> pattern_id("B2.1")
    'gm-p-B2_1'
    """
    return "gm-p-" + re.sub(r"[^A-Za-z0-9_-]", "_", code)


def _marker_shape(product: Product, size: float) -> str:
    half = size / 2
    attrs = (
        f'fill="{product.fill}" stroke="{product.stroke}" '
        f'stroke-width="{mm_to_px(product.stroke_width):g}"'
    )
    if product.marker == "circle":
        return f'<circle cx="{half:g}" cy="{half:g}" r="{half * 0.85:g}" {attrs}/>'
    if product.marker == "square":
        return (
            f'<rect x="{size * 0.1:g}" y="{size * 0.1:g}" width="{size * 0.8:g}" '
            f'height="{size * 0.8:g}" {attrs}/>'
        )
    if product.marker == "triangle":
        points = [(half, size * 0.05), (size * 0.95, size * 0.9), (size * 0.05, size * 0.9)]
    elif product.marker == "star":
        points = [
            (
                half + (half * 0.95 if i % 2 == 0 else half * 0.4) * math.sin(i * math.pi / 5),
                half - (half * 0.95 if i % 2 == 0 else half * 0.4) * math.cos(i * math.pi / 5),
            )
            for i in range(10)
        ]
    else:  # cross
        a, b = size * 0.35, size * 0.65
        e, f = size * 0.05, size * 0.95
        points = [
            (a, e),
            (b, e),
            (b, a),
            (f, a),
            (f, b),
            (b, b),
            (b, f),
            (a, f),
            (a, b),
            (e, b),
            (e, a),
            (a, a),
        ]
    text = " ".join(f"{x:.2f},{y:.2f}" for x, y in points)
    return f'<polygon points="{text}" {attrs}/>'


def marker_svg(product: Product) -> str:
    """Return the inline SVG of a point product's marker (size from the vocabulary, in px).

    Examples
    --------
    >>> from geomap.maintenance import load_vocabulary
    >>> 'fill="#006d2c"' in marker_svg(load_vocabulary()["T1"])
    True
    """
    size = max(mm_to_px(product.size), 6.0)
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{size:g}" height="{size:g}" '
        f'viewBox="0 0 {size:g} {size:g}" opacity="{product.opacity:g}">'
        f"{_marker_shape(product, size)}</svg>"
    )


def swatch_svg(product: Product) -> str:
    """Return the legend swatch of a product as inline SVG.

    Examples
    --------
    >>> from geomap.maintenance import load_vocabulary
    >>> 'stroke="#00441b"' in swatch_svg(load_vocabulary()["H1"])
    True
    """
    if product.geometry == "point":
        return marker_svg(product)
    if product.geometry == "line":
        dash = f' stroke-dasharray="{_DASH[product.pattern]}"' if product.pattern in _DASH else ""
        return (
            '<svg xmlns="http://www.w3.org/2000/svg" width="22" height="14">'
            f'<line x1="1" y1="7" x2="21" y2="7" stroke="{product.stroke}" '
            f'stroke-width="{max(mm_to_px(product.stroke_width), 1):g}" '
            f'stroke-opacity="{product.opacity:g}"{dash}/></svg>'
        )
    fill = f"url(#{pattern_id(product.code)})" if product.pattern != "solid" else product.fill
    return (
        '<svg xmlns="http://www.w3.org/2000/svg" width="22" height="14">'
        f'<rect x="1" y="1" width="20" height="12" fill="{fill}" '
        f'fill-opacity="{product.opacity:g}" stroke="{product.stroke}" '
        f'stroke-width="{max(mm_to_px(product.stroke_width), 1):g}"/></svg>'
    )


def _pattern_defs(vocabulary: Vocabulary) -> str:
    patterns = []
    for p in vocabulary.of_geometry("polygon"):
        if p.pattern == "solid":
            continue
        patterns.append(
            f'<pattern id="{pattern_id(p.code)}" patternUnits="userSpaceOnUse" width="8" '
            f'height="8"><rect width="8" height="8" fill="{p.fill}"/>'
            f'<path d="{_HATCH_PATHS[p.pattern]}" stroke="{p.stroke}" stroke-width="1"/>'
            "</pattern>"
        )
    return (
        '<svg width="0" height="0" style="position:absolute" aria-hidden="true"><defs>'
        + "".join(patterns)
        + "</defs></svg>"
    )


def leaflet_style(product: Product) -> dict[str, Any]:
    """Return the Leaflet path options (or marker SVG) of a product.

    Examples
    --------
    >>> from geomap.maintenance import load_vocabulary
    >>> s = leaflet_style(load_vocabulary()["G2"])
    >>> (s["fill"], s["fillColor"], s["fillOpacity"])
    ('#a6d96a', '#a6d96a', 0.85)
    """
    style: dict[str, Any] = {
        "geometry": product.geometry,
        "label": product.label,
        "unit": product.unit,
        "fill": product.fill,
        "stroke": product.stroke,
    }
    if product.geometry == "polygon":
        fill = product.fill if product.pattern == "solid" else f"url(#{pattern_id(product.code)})"
        style |= {
            "color": product.stroke,
            "weight": max(mm_to_px(product.stroke_width), 1.0),
            "opacity": product.opacity,
            "fillColor": fill,
            "fillOpacity": product.opacity,
        }
    elif product.geometry == "line":
        style |= {
            "color": product.stroke,
            "weight": max(mm_to_px(product.stroke_width), 1.0),
            "opacity": product.opacity,
            "dashArray": _DASH.get(product.pattern),
        }
    else:
        size = max(mm_to_px(product.size), 6.0)
        style |= {"svg": marker_svg(product), "size": size}
    return style


def _features(frame: gpd.GeoDataFrame) -> dict[str, Any]:
    if len(frame) == 0:
        return {"type": "FeatureCollection", "features": []}
    wgs = frame.to_crs("EPSG:4326")
    geoms = shapely.set_precision(wgs.geometry.to_numpy(), 1e-7)
    props = pd.DataFrame({c: wgs[c].astype(str) for c in _POPUP_FIELDS if c in wgs.columns})
    props["mangd"] = [f"{v:,.1f}".replace(",", " ").replace(".", ",") for v in wgs["mangd"]]
    props["enhet"] = wgs["enhet"].astype(str)
    records = props.to_dict("records")
    features = [
        {"type": "Feature", "properties": rec, "geometry": json.loads(shapely.to_geojson(g))}
        for rec, g in zip(records, geoms, strict=True)
    ]
    return {"type": "FeatureCollection", "features": features}


def _legend(vocabulary: Vocabulary, totals: Mapping[str, float]) -> str:
    groups: dict[str, list[Product]] = {}
    for product in vocabulary.values():
        if product.code in totals:
            groups.setdefault(product.group, []).append(product)
    parts = []
    for group, products in groups.items():
        items = []
        for p in products:
            amount = totals[p.code]
            text = f"{amount:,.0f}".replace(",", " ") if p.unit != "st" else f"{amount:.0f}"
            items.append(
                f'<li class="gm-item" data-code="{html.escape(p.code)}" '
                f'data-fill="{p.fill}" data-stroke="{p.stroke}">'
                f'<span class="gm-swatch">{swatch_svg(p)}</span>'
                f"<span>{html.escape(p.label)}</span>"
                f'<span class="gm-qty">{text} {html.escape(p.unit)}</span></li>'
            )
        parts.append(f"<h3>{html.escape(group)}</h3><ul>{''.join(items)}</ul>")
    return "".join(parts)


_CSS = """
html,body{margin:0;height:100%;font-family:system-ui,sans-serif}
#map{position:absolute;top:0;bottom:0;left:0;right:330px;background:#f2f2ee}
#side{position:absolute;top:0;bottom:0;right:0;width:330px;overflow:auto;padding:8px 12px;
 box-sizing:border-box;border-left:1px solid #ccc;background:#fff;font-size:13px}
#side h1{font-size:16px;margin:4px 0}#side h2{font-size:14px;margin:10px 0 4px}
#side h3{font-size:13px;margin:8px 0 2px;color:#444}
#side ul{list-style:none;margin:0;padding:0}
.gm-item{display:flex;align-items:center;gap:6px;margin:2px 0}
.gm-swatch{display:inline-flex;width:24px;justify-content:center}
.gm-qty{margin-left:auto;color:#555;white-space:nowrap}
.gm-banner{background:#b00020;color:#fff;padding:4px 6px;font-weight:bold;margin:4px 0}
.gm-icon{background:none;border:none}
.gm-meta{color:#555;font-size:12px}
"""

_JS = """
(function(){
 function data(id){return JSON.parse(document.getElementById(id).textContent);}
 var styles=data('gm-styles'), layers=data('gm-layers'), districts=data('gm-districts');
 var map=L.map('map',{preferCanvas:false});
 function esc(t){var d=document.createElement('div');
  d.textContent=t==null?'':String(t);return d.innerHTML;}
 function popup(p){var s=styles[p.produktkod]||{};
  return '<b>'+esc(s.label||p.produktkod)+'</b><br>Ägare: '+esc(p.agare_namn)+
   '<br>Lokal kod: '+esc(p.lokal_kod)+'<br>Objekt-id: '+esc(p.lokal_id)+
   '<br>Mängd: '+esc(p.mangd)+' '+esc(p.enhet)+
   (p.fynddatum?'<br>Funnen: '+esc(p.fynddatum)+'<br>Åtgärd: '+esc(p.atgard||'–')+
    (p.atgardsdatum?' ('+esc(p.atgardsdatum)+')':'')+'<br>Status: '+esc(p.status):'');}
 if(districts.features.length){L.geoJSON(districts,{interactive:false,
  style:{color:'#888',weight:1,fill:false,dashArray:'4 3'}}).addTo(map);}
 var bounds=L.latLngBounds([]), control=L.control.layers(null,null,{collapsed:false}).addTo(map);
 Object.keys(layers).forEach(function(name){
  var gj=L.geoJSON(layers[name].data,{
   style:function(f){var s=styles[f.properties.produktkod]||{};
    return {color:s.color,weight:s.weight,opacity:s.opacity,fillColor:s.fillColor,
     fillOpacity:s.fillOpacity,dashArray:s.dashArray};},
   pointToLayer:function(f,ll){var s=styles[f.properties.produktkod]||{size:8,svg:''};
    var icon=L.divIcon({className:'gm-icon',html:s.svg,iconSize:[s.size,s.size]});
    return L.marker(ll,{icon:icon});},
   onEachFeature:function(f,l){l.bindPopup(popup(f.properties));}
  }).addTo(map);
  control.addOverlay(gj,esc(layers[name].label));
  if(gj.getLayers().length){bounds.extend(gj.getBounds());}
 });
 if(bounds.isValid()){map.fitBounds(bounds,{padding:[20,20]});}else{map.setView([59.23,17.98],12);}
 L.control.scale({imperial:false}).addTo(map);
})();
"""


def _totals(frames: Mapping[str, gpd.GeoDataFrame]) -> dict[str, float]:
    """Return the summed quantity (``mangd``) of each product code over all layers."""
    totals: dict[str, float] = {}
    for frame in frames.values():
        for code, value in frame.groupby("produktkod")["mangd"].sum().items():
            totals[str(code)] = totals.get(str(code), 0.0) + float(value)
    return totals


def _district_data(districts: gpd.GeoDataFrame | None) -> dict[str, Any]:
    if districts is None or len(districts) == 0:
        return {"type": "FeatureCollection", "features": []}
    simple = districts.assign(geometry=shapely.simplify(districts.geometry.to_numpy(), 5.0))
    return dict(json.loads(simple.to_crs("EPSG:4326").to_json(drop_id=True)))


def _side_panel(
    frames: Mapping[str, gpd.GeoDataFrame], vocabulary: Vocabulary, *, title: str, synthetic: bool
) -> str:
    """Return the HTML of the side panel: title, banner, vocabulary, owners and legend."""
    banner = (
        '<div class="gm-banner">SYNTETISKA DEMODATA – inte verkliga skötselytor</div>'
        if synthetic
        else ""
    )
    owners = sorted(
        {str(o) for f in frames.values() for o in np.unique(f["agare_namn"].astype(str))}
    )
    return f"""<aside id="side">
<h1>{html.escape(title)}</h1>
{banner}
<p class="gm-meta">{html.escape(vocabulary.title)}<br>Vokabulär {html.escape(vocabulary.version)}
 · Ägare: {html.escape(", ".join(owners) or "–")}</p>
<h2>Teckenförklaring</h2>
<div id="legend">{_legend(vocabulary, _totals(frames))}</div>
</aside>"""


def render_map(
    layers: Mapping[str, gpd.GeoDataFrame],
    vocabulary: Vocabulary,
    *,
    title: str = "Skötselprodukter",
    synthetic: bool = False,
    districts: gpd.GeoDataFrame | None = None,
    layer_labels: Mapping[str, str] | None = None,
) -> str:
    """Return the HTML of a self-contained map of the exported layers with a legend.

    Parameters
    ----------
    layers : mapping of str to GeoDataFrame
        Export layers in shared terms (``produktkod``, ``mangd``, ``enhet`` …), EPSG:3011.
    vocabulary : Vocabulary
        Source of every colour and legend label.
    title : str
        Page and legend title (escaped).
    synthetic : bool
        Show a red "synthetic data" banner.
    districts : GeoDataFrame, optional
        District outlines (``distrikt`` column) drawn for orientation.
    layer_labels : mapping, optional
        Swedish names of the layers in the layer switcher.

    Returns
    -------
    str
        The complete HTML document (see :func:`geomap.render.page.html_page`).

    Examples
    --------
    >>> from geomap.maintenance import load_vocabulary
    >>> page = render_map({}, load_vocabulary(), title="Test <1>")
    >>> "Test &lt;1&gt;" in page and "Vokabulär 2026.2" in page
    True
    """
    labels = dict(layer_labels or {})
    frames = {name: frame for name, frame in layers.items() if len(frame)}
    layer_data = {
        name: {"label": labels.get(name, name), "data": _features(frame)}
        for name, frame in frames.items()
    }
    side = _side_panel(frames, vocabulary, title=title, synthetic=synthetic)
    return html_page(
        title=title,
        head=leaflet_head(plugins=()),
        css=_CSS,
        body=f'{_pattern_defs(vocabulary)}\n<div id="map"></div>\n{side}',
        data={
            "gm-styles": script_json({code: leaflet_style(p) for code, p in vocabulary.items()}),
            "gm-layers": script_json(layer_data),
            "gm-districts": script_json(_district_data(districts)),
        },
        scripts=[_JS],
    )
