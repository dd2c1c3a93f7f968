"""Real reference geography for the demo data: SCB RegSO 2025 for Huddinge and named hubs.

The RegSO GeoPackage (SCB, CC0) ships inside the wheel as ``geomap/_data/huddinge_regso_2025.gpkg``;
in an editable install it is read from the repository's ``data/`` folder. Everything else here is a
small table of real place locations (WGS84, rounded) used to place synthetic points.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pyogrio
import shapely
from pyproj import Transformer

from geomap.core.crs import WORKING_CRS
from geomap.core.districts import (
    DEFAULT_BOUNDARY_LAYER,
    DEFAULT_DISTRICT_LAYER,
    Geography,
    read_districts,
)
from geomap.core.resources import REGSO_FILE, regso_path
from geomap.errors import InputError
from geomap.io.vector import gdal_reason

__all__ = [
    "DISTRICT_LAYER",
    "HUBS",
    "KOMMUN_LAYER",
    "REGSO_FILENAME",
    "Geography",
    "Hub",
    "hub_xy",
    "load_geography",
    "point_array",
    "regso_path",
    "sample_in_polygons",
]

REGSO_FILENAME = REGSO_FILE
DISTRICT_LAYER = DEFAULT_DISTRICT_LAYER
KOMMUN_LAYER = DEFAULT_BOUNDARY_LAYER
_NAME_COLUMN = "regsonamn"


@dataclass(frozen=True)
class Hub:
    """A real place where incidents cluster: name, WGS84 position, weight and spread (m)."""

    name: str
    lat: float
    lon: float
    weight: float
    sigma_m: float


# Real locations (rounded WGS84), checked against SCB RegSO 2025 and the public-art points of
# ../shared/data (huddinge_offentlig_konst_wgs84.geojson, from the MIT-licensed repository
# wilmajohnsson-lab/huddinge-karta).
HUBS: tuple[Hub, ...] = (
    Hub("Huddinge centrum", 59.2366, 17.9810, 0.18, 180.0),
    Hub("Sjödalstorget", 59.2355, 17.9816, 0.06, 90.0),
    Hub("Flemingsbergs station", 59.2184, 17.9445, 0.12, 150.0),
    Hub("Flemingsbergs centrum", 59.2223, 17.9379, 0.12, 160.0),
    Hub("Visättra", 59.2172, 17.9509, 0.05, 180.0),
    Hub("Skogås centrum", 59.2175, 18.1517, 0.12, 170.0),
    Hub("Vårby gård centrum", 59.2646, 17.8830, 0.11, 170.0),
    Hub("Masmo", 59.2515, 17.8810, 0.04, 200.0),
    Hub("Trångsunds torg", 59.2278, 18.1323, 0.07, 160.0),
    Hub("Stuvsta centrum", 59.2525, 18.0000, 0.05, 160.0),
    Hub("Kungens kurva", 59.2655, 17.9261, 0.08, 300.0),
)


def load_geography(path: str | os.PathLike[str] | None = None) -> Geography:
    """Read RegSO districts and the municipality polygon in EPSG:3011 (the demo's geography).

    Parameters
    ----------
    path
        A GeoPackage with the layers ``regso_2025_sweref99_1800`` (column ``regsonamn``) and
        ``kommun_sweref99_1800``; the bundled one by default.

    Examples
    --------
    >>> geo = load_geography()
    >>> len(geo.districts), round(geo.outline.area / 1e6)
    (22, 141)
    """
    source = regso_path() if path is None else Path(path)
    if not source.is_file():
        msg = f"{source}: geography file not found; pass the RegSO GeoPackage (data/{REGSO_FILE})"
        raise InputError(msg)
    try:
        layers = {str(name) for name, _ in pyogrio.list_layers(source)}
    except Exception as exc:  # pyogrio raises several DataSourceError types
        msg = f"{source}: the geography cannot be read as a GeoPackage ({gdal_reason(exc)})"
        raise InputError(msg) from None
    missing = {DEFAULT_DISTRICT_LAYER, DEFAULT_BOUNDARY_LAYER} - layers
    if missing:
        msg = (
            f"{source}: geography layer(s) {', '.join(sorted(missing))} missing "
            f"(found {', '.join(sorted(layers)) or 'none'}); use data/{REGSO_FILE}"
        )
        raise InputError(msg)
    geography = read_districts(
        source, layer=DEFAULT_DISTRICT_LAYER, name_column=_NAME_COLUMN, crs=WORKING_CRS
    )
    if geography is None:  # pragma: no cover - only without a path, and a path is given
        msg = f"{source}: no districts read; use data/{REGSO_FILE}"
        raise InputError(msg)
    return geography


def hub_xy(*, hubs: tuple[Hub, ...] = HUBS) -> np.ndarray:
    """Hub positions as an ``(n, 2)`` array in EPSG:3011.

    Examples
    --------
    >>> hub_xy().shape
    (11, 2)
    """
    to_local = Transformer.from_crs("EPSG:4326", WORKING_CRS, always_xy=True)
    x, y = to_local.transform([h.lon for h in hubs], [h.lat for h in hubs])
    return np.column_stack([x, y])


def point_array(xy: np.ndarray) -> np.ndarray:
    """Shapely points from an ``(n, 2)`` coordinate array, always as an object array.

    Examples
    --------
    >>> point_array(np.array([[1.0, 2.0]]))[0].wkt
    'POINT (1 2)'
    """
    return np.asarray(shapely.points(np.asarray(xy, dtype=float).reshape(-1, 2)), dtype=object)


def sample_in_polygons(
    rng: np.random.Generator, polygons: np.ndarray, counts: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Draw ``counts[i]`` uniform random points inside ``polygons[i]`` (vectorised rejection).

    Returns
    -------
    xy : numpy.ndarray
        ``(sum(counts), 2)`` coordinates, grouped by polygon in input order.
    which : numpy.ndarray
        Index of the polygon each point was drawn in.

    Examples
    --------
    >>> rng = np.random.default_rng(1)
    >>> xy, which = sample_in_polygons(rng, np.array([shapely.box(0, 0, 1, 1)]), np.array([3]))
    >>> xy.shape, which.tolist()
    ((3, 2), [0, 0, 0])
    """
    out_xy = []
    out_which = []
    for i, (poly, n) in enumerate(zip(polygons, counts, strict=True)):
        n = int(n)
        if n <= 0 or poly is None or shapely.is_empty(poly):
            continue
        shapely.prepare(poly)
        xmin, ymin, xmax, ymax = shapely.bounds(poly)
        fill = max(shapely.area(poly) / max((xmax - xmin) * (ymax - ymin), 1e-9), 0.01)
        got: list[np.ndarray] = []
        have = 0
        while have < n:
            m = int((n - have) / fill * 1.2) + 16
            cand = np.column_stack([rng.uniform(xmin, xmax, m), rng.uniform(ymin, ymax, m)])
            cand = cand[shapely.contains_xy(poly, cand[:, 0], cand[:, 1])]
            got.append(cand[: n - have])
            have += len(got[-1])
        out_xy.append(np.concatenate(got))
        out_which.append(np.full(n, i, dtype=np.int64))
    if not out_xy:
        return np.empty((0, 2)), np.empty(0, dtype=np.int64)
    return np.concatenate(out_xy), np.concatenate(out_which)
