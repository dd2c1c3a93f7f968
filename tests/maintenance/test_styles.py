"""QML, SLD, HTML map and legend come from the one vocabulary and agree colour for colour."""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET

import geopandas as gpd
import numpy as np
import pytest
import shapely

from geomap.maintenance import load_vocabulary
from geomap.maintenance.htmlmap import pattern_id, render_map
from geomap.maintenance.styles import (
    INVASIVE_LAYERS,
    LAYER_GEOMETRY,
    mm_to_px,
    qml_style,
    rgba,
    sld_style,
)

from tests.maintenance.helpers import X0, Y0

VOC = load_vocabulary()
SE = "{http://www.opengis.net/se}"


def _hex(qgis_rgba: str) -> str:
    r, g, b, _ = (int(v) for v in qgis_rgba.split(","))
    return f"#{r:02x}{g:02x}{b:02x}"


def qml_colours(layer: str) -> dict[str, dict[str, str]]:
    """Per category value: the colours of its symbol, as QGIS would read them."""
    root = ET.fromstring(qml_style(VOC, layer).split("\n", 1)[1])
    renderer = root.find("renderer-v2")
    assert renderer is not None and renderer.get("type") == "categorizedSymbol"
    assert renderer.get("attr") == "produktkod"
    symbols = {s.get("name"): s for s in renderer.iter("symbol")}
    out = {}
    for category in renderer.iter("category"):
        symbol = symbols[category.get("symbol")]
        layers = [
            {
                o.get("name"): o.get("value")
                for o in lyr.find("Option").iter("Option")
                if o.get("name")
            }
            for lyr in symbol.findall("layer")
        ]
        first = layers[0]
        colours = {"alpha": symbol.get("alpha", "")}
        if "line_color" in first:
            colours["stroke"] = _hex(first["line_color"])
        else:
            colours["fill"] = _hex(first["color"])
            colours["stroke"] = _hex(first["outline_color"])
        if len(layers) > 1:
            colours["hatch"] = _hex(layers[1]["color"])
            colours["pattern"] = layers[1]["style"]
        out[category.get("value")] = colours
    return out


def sld_colours(layer: str) -> dict[str, dict[str, str]]:
    root = ET.fromstring(sld_style(VOC, layer).encode())
    out = {}
    for rule in root.iter(f"{SE}Rule"):
        code = rule.find(f"{SE}Name").text
        params = list(rule.iter(f"{SE}SvgParameter"))
        fills = [p.text for p in params if p.get("name") == "fill"]
        strokes = [p.text for p in params if p.get("name") == "stroke"]
        colours = {"stroke": strokes[0]}
        if fills:
            colours["fill"] = fills[0]
        if len(strokes) > 1:
            colours["hatch"] = strokes[1]
        out[code] = colours
    return out


def _all_products_map() -> str:
    layers = {}
    for name, geometry in LAYER_GEOMETRY.items():
        products = VOC.of_geometry(geometry)
        geoms = []
        for i, _ in enumerate(products):
            x = X0 + i * 50
            geoms.append(
                {
                    "polygon": shapely.box(x, Y0, x + 20, Y0 + 20),
                    "line": shapely.LineString([(x, Y0 + 100), (x + 20, Y0 + 100)]),
                    "point": shapely.Point(x, Y0 + 200),
                }[geometry]
            )
        layers[name] = gpd.GeoDataFrame(
            {
                "produktkod": [p.code for p in products],
                "produktnamn": [p.name for p in products],
                "agare_namn": "A",
                "lokal_kod": "x",
                "lokal_id": "1",
                "mangd": np.ones(len(products)),
                "enhet": [p.unit for p in products],
            },
            geometry=geoms,
            crs=3011,
        )
    return render_map(layers, VOC, title="Alla produkter")


def html_colours(page: str) -> tuple[dict[str, dict[str, str]], dict[str, dict[str, str]]]:
    styles = json.loads(
        re.search(r'<script type="application/json" id="gm-styles">(.*?)</script>', page).group(1)
    )
    legend = {
        m.group(1): {"fill": m.group(2), "stroke": m.group(3), "swatch": m.group(4)}
        for m in re.finditer(
            r'<li class="gm-item" data-code="([^"]+)" data-fill="([^"]*)" data-stroke="([^"]*)">'
            r'<span class="gm-swatch">(.*?)</span>',
            page,
        )
    }
    return styles, legend


def test_qml_sld_html_and_legend_agree_with_vocabulary_colour_for_colour() -> None:
    page = _all_products_map()
    styles, legend = html_colours(page)
    assert set(legend) == set(VOC)  # every product in the legend
    for layer, geometry in LAYER_GEOMETRY.items():
        qml, sld = qml_colours(layer), sld_colours(layer)
        products = VOC.of_geometry(geometry, invasive=layer in INVASIVE_LAYERS)
        assert list(qml) == list(sld) == [p.code for p in products]
        for p in products:
            assert qml[p.code]["stroke"] == sld[p.code]["stroke"] == p.stroke, p.code
            assert styles[p.code]["stroke"] == legend[p.code]["stroke"] == p.stroke, p.code
            assert f'stroke="{p.stroke}"' in legend[p.code]["swatch"], p.code
            assert qml[p.code]["alpha"] == f"{p.opacity:g}"
            if geometry == "line":
                assert styles[p.code]["color"] == p.stroke
                continue
            assert qml[p.code]["fill"] == sld[p.code]["fill"] == p.fill, p.code
            assert styles[p.code]["fill"] == legend[p.code]["fill"] == p.fill, p.code
            if geometry == "point":
                assert f'fill="{p.fill}"' in styles[p.code]["svg"]
                assert f'fill="{p.fill}"' in legend[p.code]["swatch"]
            elif p.pattern == "solid":
                assert styles[p.code]["fillColor"] == p.fill
                assert f'fill="{p.fill}"' in legend[p.code]["swatch"]
            else:  # hatch: same fill under a hatch in the stroke colour, everywhere
                assert qml[p.code]["hatch"] == sld[p.code]["hatch"] == p.stroke
                assert qml[p.code]["pattern"] == p.pattern
                pid = pattern_id(p.code)
                assert styles[p.code]["fillColor"] == f"url(#{pid})"
                defs = re.search(rf'<pattern id="{re.escape(pid)}".*?</pattern>', page).group(0)
                assert f'fill="{p.fill}"' in defs and f'stroke="{p.stroke}"' in defs


def test_version_is_recorded_in_qml_sld_and_html() -> None:
    for layer in LAYER_GEOMETRY:
        assert f"vokabulär {VOC.version}" in qml_style(VOC, layer)
        assert f"vokabulär {VOC.version}" in sld_style(VOC, layer)
    assert f"Vokabulär {VOC.version}" in _all_products_map()


def test_helpers_and_unknown_layer() -> None:
    assert rgba("#00441b", 0) == "0,68,27,0"
    assert mm_to_px(25.4) == 96.0
    with pytest.raises(ValueError, match=r"unknown export layer 'skotsel'"):
        qml_style(VOC, "skotsel")


def test_sld_is_valid_sld_1_1_structure() -> None:
    root = ET.fromstring(sld_style(VOC, "skotsel_yta").encode())
    assert root.tag == "{http://www.opengis.net/sld}StyledLayerDescriptor"
    assert root.get("version") == "1.1.0"
    rules = list(root.iter(f"{SE}Rule"))
    assert len(rules) == len(VOC.of_geometry("polygon", invasive=False))
    hatch = next(r for r in rules if r.find(f"{SE}Name").text == "G4")
    assert hatch.find(f".//{SE}WellKnownName").text == "shape://backslash"
