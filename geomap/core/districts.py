"""Districts and the municipality boundary: the one reader.

By default geomap uses SCB's RegSO 2025 areas of Huddinge (CC0, bundled) and the municipality
polygon of the same file. Any polygon file with a name column (the municipality's own
*kommundelar*, contract areas) can replace them; the name column is found by name
(``regsonamn``, ``name``, ``namn``, ``kommundel`` …) or given.
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass, field
from pathlib import Path

import geopandas as gpd
import numpy as np
import pyogrio
import shapely
from pyproj import CRS

from geomap.core.crs import parse_crs
from geomap.core.resources import REGSO_FILE, data_path
from geomap.errors import CRSError, InputError
from geomap.io.vector import choose_layer, gdal_reason

__all__ = [
    "DEFAULT_BOUNDARY_LAYER",
    "DEFAULT_DISTRICT_LAYER",
    "Geography",
    "read_districts",
]

log = logging.getLogger(__name__)

#: Layers of the bundled RegSO GeoPackage.
DEFAULT_DISTRICT_LAYER = "regso_2025_sweref99_1800"
DEFAULT_BOUNDARY_LAYER = "kommun_sweref99_1800"
_NAME_COLUMNS = (
    "regsonamn",
    "name",
    "namn",
    "kommundel",
    "distrikt",
    "omrade",
    "område",
    "deso_namn",
)


@dataclass(frozen=True)
class Geography:
    """District polygons (column ``name``) and the municipality boundary.

    Attributes
    ----------
    districts : geopandas.GeoDataFrame
        District polygons with column ``name``.
    boundary : geopandas.GeoDataFrame
        The municipality boundary polygon(s): the file's ``kommun_sweref99_1800`` layer, else the
        union of the districts.
    attribution : str
        Shown with the districts (``"SCB RegSO 2025"`` for the bundled file), empty when unknown.
    path : pathlib.Path or None
        The file read.
    """

    districts: gpd.GeoDataFrame
    boundary: gpd.GeoDataFrame
    attribution: str = ""
    path: Path | None = None
    _outline: list[shapely.Geometry] = field(default_factory=list, repr=False, compare=False)

    @property
    def outline(self) -> shapely.Geometry:
        """The boundary as one (multi)polygon; an empty polygon when there is none."""
        if not self._outline:
            geoms = self.boundary.geometry.to_numpy()
            self._outline.append(
                shapely.make_valid(shapely.union_all(geoms)) if len(geoms) else shapely.Polygon()
            )
        return self._outline[0]


def read_districts(
    path: str | os.PathLike[str] | None = None,
    *,
    layer: str | None = None,
    name_column: str | None = None,
    crs: str | int | CRS | None = None,
) -> Geography | None:
    """Read district polygons and the municipality boundary.

    Parameters
    ----------
    path : str or os.PathLike, optional
        A polygon file (GeoPackage, GeoJSON, Shapefile …). By default the bundled SCB RegSO 2025
        areas of Huddinge.
    layer : str, optional
        District layer; by default ``regso_2025_sweref99_1800`` when present, else the first layer
        with geometries. The boundary is the layer ``kommun_sweref99_1800`` when the file has it,
        else the union of the districts.
    name_column : str, optional
        Column with the district names; by default the first of ``regsonamn``, ``name``, ``namn``,
        ``kommundel``, ``distrikt``, ``omrade`` present, else the first text column.
    crs : str, int or pyproj.CRS, optional
        Reproject both layers to this CRS; by default they keep the file's CRS.

    Returns
    -------
    Geography or None
        Districts with a ``name`` column (invalid polygons repaired) and the boundary; None only
        when no file is given and the bundled one is missing (a warning is logged).

    Raises
    ------
    InputError
        If the file is missing or unreadable, the layer or name column is missing, or a layer has
        no CRS.

    Examples
    --------
    >>> geo = read_districts(crs="EPSG:3011")  # the bundled RegSO 2025 areas of Huddinge
    >>> len(geo.districts), geo.attribution, round(geo.outline.area / 1e6)
    (22, 'SCB RegSO 2025', 141)
    """
    source = Path(path) if path is not None else data_path(REGSO_FILE)
    if source is None:
        log.warning("bundled districts (%s) not found; no districts are used", REGSO_FILE)
        return None
    if not source.is_file():
        msg = f"{source}: district file not found; pass a polygon file (GeoPackage, GeoJSON, …)"
        raise InputError(msg)
    chosen, layers = choose_layer(
        source, layer=layer, default=DEFAULT_DISTRICT_LAYER, what="districts"
    )
    frame = _read(source, chosen)
    name = _name_column(frame, source, chosen, name_column)
    districts = _named_districts(frame, name)
    boundary = _boundary(source, chosen, layers, districts)
    districts, boundary = _reprojected(districts, boundary, crs)
    attribution = "SCB RegSO 2025" if chosen.startswith("regso_2025") else ""
    return Geography(districts, boundary, attribution=attribution, path=source)


def _named_districts(frame: gpd.GeoDataFrame, name: str) -> gpd.GeoDataFrame:
    """Return the districts with a ``name`` column (missing names empty), polygons repaired."""
    return gpd.GeoDataFrame(
        {"name": frame[name].astype("string").fillna("")},
        geometry=_repaired(frame.geometry.to_numpy()),
        crs=frame.crs,
    )


def _boundary(
    source: Path, chosen: str, layers: list[str], districts: gpd.GeoDataFrame
) -> gpd.GeoDataFrame:
    """Return the boundary layer of the file when it has one, else the union of the districts."""
    if DEFAULT_BOUNDARY_LAYER in layers and chosen != DEFAULT_BOUNDARY_LAYER:
        return _read(source, DEFAULT_BOUNDARY_LAYER)[["geometry"]]
    return gpd.GeoDataFrame(geometry=[districts.union_all()], crs=districts.crs)


def _reprojected(
    districts: gpd.GeoDataFrame, boundary: gpd.GeoDataFrame, crs: str | int | CRS | None
) -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame]:
    """Return both layers in ``crs``, or unchanged when it is None."""
    if crs is None:
        return districts, boundary
    target = parse_crs(crs, argument="crs")
    return districts.to_crs(target), boundary.to_crs(target)


def _read(source: Path, layer: str) -> gpd.GeoDataFrame:
    try:
        frame = pyogrio.read_dataframe(source, layer=layer, use_arrow=True)
    except Exception as exc:  # pyogrio raises several DataSourceError types
        msg = f"{source}: district layer {layer!r} cannot be read ({gdal_reason(exc)})"
        raise InputError(msg) from None
    if frame.crs is None:
        msg = f"{source}: layer {layer!r} has no CRS; set one (e.g. ogr2ogr -a_srs EPSG:3011)"
        raise CRSError(msg)
    return frame


def _repaired(geoms: np.ndarray) -> np.ndarray:
    valid = shapely.is_valid(geoms)
    if valid.all():
        return geoms
    fixed = geoms.copy()
    fixed[~valid] = shapely.make_valid(fixed[~valid])
    return fixed


def _name_column(frame: gpd.GeoDataFrame, source: Path, layer: str, given: str | None) -> str:
    if given is not None:
        if given not in frame.columns:
            shown = ", ".join(str(c) for c in frame.columns if c != "geometry")
            msg = f"{source}: layer {layer!r} has no column {given!r} (columns: {shown}); pass one of them"
            raise InputError(msg)
        return given
    return _find_name_column(frame, source, layer)


def _find_name_column(frame: gpd.GeoDataFrame, source: Path, layer: str) -> str:
    lower = {str(c).lower(): str(c) for c in frame.columns}
    for candidate in _NAME_COLUMNS:
        if candidate in lower:
            return lower[candidate]
    text = [c for c in frame.columns if c != "geometry" and frame[c].dtype == object]
    text += [
        c for c in frame.columns if c != "geometry" and str(frame[c].dtype) in ("str", "string")
    ]
    if text:
        return str(text[0])
    msg = (
        f"{source}: layer {layer!r} has no name column (looked for {', '.join(_NAME_COLUMNS)}); "
        "add a text column 'name' with the district names or name the column"
    )
    raise InputError(msg)
