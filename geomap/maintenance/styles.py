"""QGIS (QML) and SLD styles generated from the shared vocabulary: one categorized style per layer.

Every colour, width, pattern and marker comes from :class:`~geomap.maintenance.vocabulary.Product`;
nothing is typed twice. Widths and sizes are millimetres in QML and pixels (96 dpi) in SLD.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET

from .vocabulary import Product, Vocabulary

__all__ = [
    "CODE_FIELD",
    "INVASIVE_LAYERS",
    "LAYER_GEOMETRY",
    "mm_to_px",
    "qml_style",
    "rgba",
    "sld_style",
]

#: The attribute the categorized styles classify on.
CODE_FIELD = "produktkod"
#: Export layer name → product geometry type.
LAYER_GEOMETRY: dict[str, str] = {
    "skotsel_yta": "polygon",
    "skotsel_linje": "line",
    "skotsel_punkt": "point",
    "invasiva_yta": "polygon",
    "invasiva_punkt": "point",
}
#: The export layers of invasive species (products with ``invasive = true``); the others hold the
#: maintenance products.
INVASIVE_LAYERS = frozenset({"invasiva_yta", "invasiva_punkt"})
_QGIS_GEOMETRY_TYPE = {"point": "0", "line": "1", "polygon": "2"}
_QGIS_SYMBOL_TYPE = {"point": "marker", "line": "line", "polygon": "fill"}
_QGIS_MARKER = {
    "circle": "circle",
    "square": "square",
    "triangle": "triangle",
    "star": "star",
    "cross": "cross_fill",
}
_SLD_HATCH = {
    "horizontal": "shape://horline",
    "vertical": "shape://vertline",
    "cross": "shape://plus",
    "f_diagonal": "shape://backslash",
    "b_diagonal": "shape://slash",
    "diagonal_x": "shape://times",
}
_SLD_DASH = {"dash": "8 4", "dot": "2 3"}
_SLD_NS = {
    "xmlns": "http://www.opengis.net/sld",
    "xmlns:ogc": "http://www.opengis.net/ogc",
    "xmlns:se": "http://www.opengis.net/se",
    "xmlns:xlink": "http://www.w3.org/1999/xlink",
    "xmlns:xsi": "http://www.w3.org/2001/XMLSchema-instance",
    "xsi:schemaLocation": (
        "http://www.opengis.net/sld http://schemas.opengis.net/sld/1.1.0/StyledLayerDescriptor.xsd"
    ),
    "version": "1.1.0",
}


def rgba(colour: str, alpha: int = 255) -> str:
    """Return ``#rrggbb`` as QGIS's ``r,g,b,a`` text.

    Examples
    --------
    >>> rgba("#4daf4a")
    '77,175,74,255'
    """
    return f"{int(colour[1:3], 16)},{int(colour[3:5], 16)},{int(colour[5:7], 16)},{alpha}"


def mm_to_px(mm: float) -> float:
    """Convert millimetres to CSS/SLD pixels at 96 dpi, rounded to 0.01.

    Examples
    --------
    >>> mm_to_px(0.26)
    0.98
    """
    return round(mm * 96 / 25.4, 2)


def _options(parent: ET.Element, values: dict[str, str]) -> None:
    option_map = ET.SubElement(parent, "Option", type="Map")
    for key in sorted(values):
        ET.SubElement(option_map, "Option", type="QString", name=key, value=values[key])
    for key in sorted(values):  # the pre-3.16 form, read by older QGIS
        ET.SubElement(parent, "prop", k=key, v=values[key])


def _symbol_layer(symbol: ET.Element, cls: str, values: dict[str, str]) -> None:
    layer = ET.SubElement(
        symbol, "layer", {"class": cls, "enabled": "1", "locked": "0", "pass": "0"}
    )
    _options(layer, values)


def _qml_symbol(parent: ET.Element, name: str, product: Product) -> None:
    symbol = ET.SubElement(
        parent,
        "symbol",
        type=_QGIS_SYMBOL_TYPE[product.geometry],
        name=name,
        alpha=f"{product.opacity:g}",
        clip_to_extent="1",
        force_rhr="0",
    )
    if product.geometry == "polygon":
        _symbol_layer(symbol, "SimpleFill", _qml_fill(product))
        if product.pattern != "solid":
            _symbol_layer(symbol, "SimpleFill", _qml_hatch(product))
    elif product.geometry == "line":
        _symbol_layer(symbol, "SimpleLine", _qml_line(product))
    else:
        _symbol_layer(symbol, "SimpleMarker", _qml_marker(product))


def _qml_fill(product: Product) -> dict[str, str]:
    """Return the options of a polygon's solid fill and outline."""
    return {
        "color": rgba(product.fill),
        "style": "solid",
        "outline_color": rgba(product.stroke),
        "outline_style": "solid",
        "outline_width": f"{product.stroke_width:g}",
        "outline_width_unit": "MM",
        "joinstyle": "bevel",
        "offset": "0,0",
        "offset_unit": "MM",
    }


def _qml_hatch(product: Product) -> dict[str, str]:
    """Return the options of a polygon's hatch pattern, drawn over the fill in the stroke colour."""
    return {
        "color": rgba(product.stroke),
        "style": product.pattern,
        "outline_color": rgba(product.stroke, 0),
        "outline_style": "no",
        "outline_width": "0",
        "outline_width_unit": "MM",
        "joinstyle": "bevel",
        "offset": "0,0",
        "offset_unit": "MM",
    }


def _qml_line(product: Product) -> dict[str, str]:
    """Return the options of a line symbol."""
    return {
        "line_color": rgba(product.stroke),
        "line_style": product.pattern,
        "line_width": f"{product.stroke_width:g}",
        "line_width_unit": "MM",
        "capstyle": "round",
        "joinstyle": "round",
        "offset": "0",
        "offset_unit": "MM",
    }


def _qml_marker(product: Product) -> dict[str, str]:
    """Return the options of a point marker."""
    return {
        "name": _QGIS_MARKER[product.marker],
        "color": rgba(product.fill),
        "outline_color": rgba(product.stroke),
        "outline_style": "solid",
        "outline_width": f"{product.stroke_width:g}",
        "outline_width_unit": "MM",
        "size": f"{product.size:g}",
        "size_unit": "MM",
        "angle": "0",
        "joinstyle": "bevel",
        "scale_method": "diameter",
        "offset": "0,0",
        "offset_unit": "MM",
    }


def _value_map(fields: ET.Element, name: str, values: list[tuple[str, str]]) -> None:
    """Add a drop-down (QGIS ValueMap) edit widget for field ``name``: (label, value) pairs."""
    field = ET.SubElement(fields, "field", name=name, configurationFlags="None")
    widget = ET.SubElement(field, "editWidget", type="ValueMap")
    config = ET.SubElement(ET.SubElement(widget, "config"), "Option", type="Map")
    entries = ET.SubElement(config, "Option", type="List", name="map")
    for label, value in values:
        entry = ET.SubElement(entries, "Option", type="Map")
        ET.SubElement(entry, "Option", type="QString", name=label, value=value)


def _edit_widgets(root: ET.Element, products: list[Product], vocabulary: Vocabulary) -> None:
    """Give the invasive-species layers drop-downs, so every owner edits in the same words."""
    fields = ET.SubElement(root, "fieldConfiguration")
    _value_map(fields, CODE_FIELD, [(p.label, p.code) for p in products])
    terms = vocabulary.invasive
    _value_map(fields, "atgard", [("", ""), *((a, a) for a in terms.actions)])
    _value_map(fields, "status", [(v, v) for v in terms.statuses])


def _products(vocabulary: Vocabulary, layer_name: str) -> list[Product]:
    geometry = LAYER_GEOMETRY.get(layer_name)
    if geometry is None:
        msg = f"unknown export layer {layer_name!r}; use one of {sorted(LAYER_GEOMETRY)}"
        raise ValueError(msg)
    return vocabulary.of_geometry(geometry, invasive=layer_name in INVASIVE_LAYERS)


def _comment(vocabulary: Vocabulary, layer_name: str) -> str:
    # "--" is not allowed inside XML comments.
    return (
        f" geomap: {layer_name}, {vocabulary.title}, vokabulär {vocabulary.version}. "
        "Genererad från layers/vokabular.toml; ändra vokabulären, inte denna fil. ".replace(
            "--", "-"
        )
    )


def qml_style(vocabulary: Vocabulary, layer_name: str) -> str:
    """Return a QGIS style (QML) with one category per product of the layer's geometry type.

    Parameters
    ----------
    vocabulary : Vocabulary
        Source of every symbol.
    layer_name : {"skotsel_yta", "skotsel_linje", "skotsel_punkt"}
        Export layer; selects the products (polygon, line or point).

    Examples
    --------
    >>> from geomap.maintenance import load_vocabulary
    >>> qml = qml_style(load_vocabulary(), "skotsel_yta")
    >>> 'type="categorizedSymbol"' in qml and 'value="77,175,74,255"' in qml
    True
    """
    products = _products(vocabulary, layer_name)
    geometry = LAYER_GEOMETRY[layer_name]
    invasive = layer_name in INVASIVE_LAYERS
    categories_saved = "Symbology|Forms" if invasive else "Symbology"
    root = ET.Element("qgis", version="3.22.0", styleCategories=categories_saved)
    root.append(ET.Comment(_comment(vocabulary, layer_name)))
    renderer = ET.SubElement(
        root,
        "renderer-v2",
        type="categorizedSymbol",
        attr=CODE_FIELD,
        symbollevels="0",
        forceraster="0",
        enableorderby="0",
        referencescale="-1",
    )
    categories = ET.SubElement(renderer, "categories")
    symbols = ET.SubElement(renderer, "symbols")
    for index, product in enumerate(products):
        ET.SubElement(
            categories,
            "category",
            render="true",
            symbol=str(index),
            value=product.code,
            label=product.label,
            type="string",
        )
        _qml_symbol(symbols, str(index), product)
    ET.SubElement(renderer, "rotation")
    ET.SubElement(renderer, "sizescale")
    ET.SubElement(root, "blendMode").text = "0"
    ET.SubElement(root, "featureBlendMode").text = "0"
    ET.SubElement(root, "layerOpacity").text = "1"
    ET.SubElement(root, "layerGeometryType").text = _QGIS_GEOMETRY_TYPE[geometry]
    if invasive:
        _edit_widgets(root, products, vocabulary)
    ET.indent(root)
    body = ET.tostring(root, encoding="unicode")
    return f"<!DOCTYPE qgis PUBLIC 'http://mrcc.com/qgis.dtd' 'SYSTEM'>\n{body}\n"


def _svg(parent: ET.Element, name: str, value: str) -> None:
    ET.SubElement(parent, "se:SvgParameter", name=name).text = value


def _sld_fill(parent: ET.Element, colour: str, opacity: float) -> None:
    fill = ET.SubElement(parent, "se:Fill")
    _svg(fill, "fill", colour)
    _svg(fill, "fill-opacity", f"{opacity:g}")


def _sld_stroke(
    parent: ET.Element, colour: str, width_mm: float, opacity: float, dash: str | None = None
) -> None:
    stroke = ET.SubElement(parent, "se:Stroke")
    _svg(stroke, "stroke", colour)
    _svg(stroke, "stroke-width", f"{mm_to_px(width_mm):g}")
    _svg(stroke, "stroke-opacity", f"{opacity:g}")
    _svg(stroke, "stroke-linejoin", "bevel")
    if dash:
        _svg(stroke, "stroke-dasharray", dash)


def _sld_symbolizers(rule: ET.Element, product: Product) -> None:
    if product.geometry == "polygon":
        sym = ET.SubElement(rule, "se:PolygonSymbolizer")
        _sld_fill(sym, product.fill, product.opacity)
        _sld_stroke(sym, product.stroke, product.stroke_width, product.opacity)
        if product.pattern != "solid":
            hatch = ET.SubElement(rule, "se:PolygonSymbolizer")
            graphic = ET.SubElement(
                ET.SubElement(ET.SubElement(hatch, "se:Fill"), "se:GraphicFill"), "se:Graphic"
            )
            mark = ET.SubElement(graphic, "se:Mark")
            ET.SubElement(mark, "se:WellKnownName").text = _SLD_HATCH[product.pattern]
            _sld_stroke(mark, product.stroke, 0.26, product.opacity)
            ET.SubElement(graphic, "se:Size").text = "8"
    elif product.geometry == "line":
        sym = ET.SubElement(rule, "se:LineSymbolizer")
        _sld_stroke(
            sym,
            product.stroke,
            product.stroke_width,
            product.opacity,
            _SLD_DASH.get(product.pattern),
        )
    else:
        sym = ET.SubElement(rule, "se:PointSymbolizer")
        graphic = ET.SubElement(sym, "se:Graphic")
        mark = ET.SubElement(graphic, "se:Mark")
        ET.SubElement(mark, "se:WellKnownName").text = product.marker
        _sld_fill(mark, product.fill, product.opacity)
        _sld_stroke(mark, product.stroke, product.stroke_width, product.opacity)
        ET.SubElement(graphic, "se:Size").text = f"{mm_to_px(product.size):g}"


def sld_style(vocabulary: Vocabulary, layer_name: str) -> str:
    """Return an SLD 1.1 style with one rule per product of the layer's geometry type.

    Examples
    --------
    >>> from geomap.maintenance import load_vocabulary
    >>> sld = sld_style(load_vocabulary(), "skotsel_linje")
    >>> '<se:SvgParameter name="stroke">#00441b</se:SvgParameter>' in sld
    True
    """
    products = _products(vocabulary, layer_name)
    root = ET.Element("StyledLayerDescriptor", _SLD_NS)
    root.append(ET.Comment(_comment(vocabulary, layer_name)))
    named = ET.SubElement(root, "NamedLayer")
    ET.SubElement(named, "se:Name").text = layer_name
    style = ET.SubElement(named, "UserStyle")
    ET.SubElement(style, "se:Name").text = layer_name
    description = ET.SubElement(style, "se:Description")
    ET.SubElement(
        description, "se:Title"
    ).text = f"{vocabulary.title} (vokabulär {vocabulary.version})"
    feature_style = ET.SubElement(style, "se:FeatureTypeStyle")
    for product in products:
        rule = ET.SubElement(feature_style, "se:Rule")
        ET.SubElement(rule, "se:Name").text = product.code
        ET.SubElement(ET.SubElement(rule, "se:Description"), "se:Title").text = product.label
        condition = ET.SubElement(ET.SubElement(rule, "ogc:Filter"), "ogc:PropertyIsEqualTo")
        ET.SubElement(condition, "ogc:PropertyName").text = CODE_FIELD
        ET.SubElement(condition, "ogc:Literal").text = product.code
        _sld_symbolizers(rule, product)
    ET.indent(root)
    body = ET.tostring(root, encoding="unicode")
    return f'<?xml version="1.0" encoding="UTF-8"?>\n{body}\n'
