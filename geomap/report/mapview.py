"""A :class:`~geomap.report.document.MapView` drawn two ways: Leaflet data for HTML, static SVG for PDF.

The HTML map gets its layers as GeoJSON in WGS84 (coordinates rounded to 6 decimals, ~0.1 m),
drawn as vector layers on a blank background, so it works offline. The PDF gets the same layers
drawn by matplotlib in the layers' own CRS, with no JavaScript. A point layer with more than
:data:`MAX_POINTS` features is thinned to a fixed random sample in both (the legend says so); in
the static map, large point layers are rasterised so the PDF stays small.

Examples
--------
>>> import shapely, geopandas as gpd
>>> from geomap.report.document import MapLayer, MapView
>>> pts = gpd.GeoDataFrame({"id": ["a"]}, geometry=[shapely.Point(153000, 6567000)], crs=3011)
>>> view = MapView("Karta", [MapLayer("Anmärkningar", pts, colour="#d55e00", label_column="id")])
>>> spec = leaflet_spec(view, "m1")
>>> spec["layers"][0]["features"]["features"][0]["properties"]
{'id': 'a'}
>>> static_svg(view).startswith("<svg")
True
"""

from __future__ import annotations

import json
from typing import Any

import geopandas as gpd
import numpy as np
import shapely

from geomap.core.words import format_number
from geomap.report.charts import figure_svg
from geomap.report.document import MapLayer, MapView

__all__ = [
    "DEFAULT_COLOURS",
    "MAX_POINTS",
    "layer_frame",
    "leaflet_spec",
    "legend_items",
    "static_svg",
]

#: Point features per layer beyond which a map shows a fixed random sample.
MAX_POINTS = 20_000
#: Colour of a layer without ``colour`` or ``colour_column``, by kind.
DEFAULT_COLOURS = {"points": "#0072b2", "polygons": "#555555", "cells": "#d55e00"}
_RASTER_FROM = 2_000
_RASTER_CELLS_FROM = 100
_SEED = 20251201


def layer_frame(layer: MapLayer) -> tuple[gpd.GeoDataFrame, int]:
    """Return the features a map draws of ``layer`` (a sample for large point layers) and the total.

    Examples
    --------
    >>> import shapely
    >>> pts = gpd.GeoDataFrame(geometry=shapely.points(np.arange(5), np.arange(5)), crs=3011)
    >>> frame, total = layer_frame(MapLayer("p", pts))
    >>> len(frame), total
    (5, 5)
    >>> layer_frame(MapLayer("p", pts, total=50))[1]
    50
    """
    frame = layer.frame[~(layer.frame.geometry.isna() | layer.frame.geometry.is_empty)]
    total = len(frame) if layer.total is None else max(layer.total, len(frame))
    if layer.kind == "points" and len(frame) > MAX_POINTS:
        rng = np.random.default_rng(_SEED)
        keep = np.sort(rng.choice(len(frame), size=MAX_POINTS, replace=False))
        frame = frame.iloc[keep]
    return frame, total


def _colours(layer: MapLayer, frame: gpd.GeoDataFrame) -> np.ndarray | None:
    if layer.colour_column is None:
        return None
    return (
        frame[layer.colour_column]
        .astype("string")
        .fillna(layer.colour or DEFAULT_COLOURS[layer.kind])
        .to_numpy(dtype=object)
    )


def legend_items(view: MapView) -> list[dict[str, str]]:
    """Return the legend of ``view``: one entry per layer, or per colour of a coloured layer.

    Examples
    --------
    >>> import shapely
    >>> pts = gpd.GeoDataFrame(geometry=[shapely.Point(0, 0)], crs=3011)
    >>> legend_items(MapView("K", [MapLayer("Anmärkningar", pts, colour="#123456")]))
    [{'kind': 'points', 'colour': '#123456', 'text': 'Anmärkningar (1)'}]
    """
    items: list[dict[str, str]] = []
    for layer in view.layers:
        frame, total = layer_frame(layer)
        count = format_number(total)
        if len(frame) < total:
            count = f"visar {format_number(len(frame))} av {count}"
        if layer.legend:
            items.extend(
                {"kind": layer.kind, "colour": c, "text": f"{layer.name}: {t}"}
                for c, t in layer.legend.items()
            )
            continue
        colour = layer.colour or DEFAULT_COLOURS[layer.kind]
        items.append({"kind": layer.kind, "colour": colour, "text": f"{layer.name} ({count})"})
    return items


def _properties(layer: MapLayer, frame: gpd.GeoDataFrame) -> list[dict[str, Any]]:
    columns = list(dict.fromkeys(c for c in (layer.label_column, *layer.popup_columns) if c))
    table = frame[columns].astype("string").astype(object).where(frame[columns].notna(), None)
    colours = _colours(layer, frame)
    if colours is not None:
        table = table.assign(_c=colours)
    return table.to_dict(orient="records")


def leaflet_spec(view: MapView, element_id: str) -> dict[str, Any]:
    """Return the JSON-ready description of ``view`` that ``templates/report_map.js`` draws.

    Examples
    --------
    >>> leaflet_spec(MapView("Tom", []), "m")
    {'id': 'm', 'layers': []}
    """
    layers = []
    for layer in view.layers:
        frame, _ = layer_frame(layer)
        wgs = frame.geometry.to_crs(4326)
        geoms = shapely.set_precision(wgs.to_numpy(), 1e-6) if len(wgs) else wgs.to_numpy()
        shapes = [json.loads(g) for g in shapely.to_geojson(geoms)] if len(geoms) else []
        features = [
            {"type": "Feature", "geometry": g, "properties": p}
            for g, p in zip(shapes, _properties(layer, frame), strict=True)
        ]
        layers.append(
            {
                "name": layer.name,
                "kind": layer.kind,
                "colour": layer.colour or DEFAULT_COLOURS[layer.kind],
                "label": layer.label_column,
                "popup": list(layer.popup_columns),
                "features": {"type": "FeatureCollection", "features": features},
            }
        )
    return {"id": element_id, "layers": layers}


def static_svg(view: MapView) -> str:
    """Return ``view`` as a static SVG map (matplotlib), for the PDF.

    Examples
    --------
    >>> "<desc" in static_svg(MapView("Tom karta", [], description="Inga lager"))
    True
    """
    from geomap.report.charts import _STYLE, _pyplot

    plt = _pyplot()
    with plt.rc_context(_STYLE):
        fig, ax = plt.subplots(figsize=(7.0, 6.2))
        crs = next((layer.frame.crs for layer in view.layers), None)
        for order, layer in enumerate(view.layers):
            frame, _ = layer_frame(layer)
            if crs is not None and frame.crs != crs:
                frame = frame.to_crs(crs)
            _draw(ax, layer, frame, order)
        ax.set_aspect("equal")
        ax.set_axis_off()
        ax.set_title(view.title, loc="left", fontweight="bold")
        return figure_svg(fig, title=view.title, description=view.description or view.title)


def _draw(ax: Any, layer: MapLayer, frame: gpd.GeoDataFrame, order: int) -> None:
    if frame.empty:
        return
    colours = _colours(layer, frame)
    colour: Any = colours if colours is not None else (layer.colour or DEFAULT_COLOURS[layer.kind])
    many = len(frame) > _RASTER_FROM  # drawn as an image inside the SVG: small PDF, fast layout
    if layer.kind == "points":
        xy = shapely.get_coordinates(frame.geometry.to_numpy())
        ax.scatter(
            xy[:, 0],
            xy[:, 1],
            s=6,
            c=colour,
            edgecolors="#333333",
            linewidths=0.2,
            zorder=3 + order,
            rasterized=many,
        )
    elif layer.kind == "polygons":
        frame.boundary.plot(ax=ax, color=colour, linewidth=0.6, zorder=1 + order, rasterized=many)
    else:
        frame.plot(
            ax=ax,
            color=colour,
            edgecolor="none",
            alpha=0.85,
            zorder=2 + order,
            rasterized=len(frame) > _RASTER_CELLS_FROM,
        )
