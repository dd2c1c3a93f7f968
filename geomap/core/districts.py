"""District polygons and the municipality boundary shown under the remarks.

By default geomap shows SCB's RegSO 2025 areas of Huddinge (CC0, shipped in ``data/``) and their
union as the municipality boundary. Any polygon file with a name column can replace them.
"""

from __future__ import annotations

import importlib
import logging
import os
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

import geopandas as gpd
import pyogrio

from geomap.errors import InputError
from geomap.io.vector import choose_layer

__all__ = [
    "DEFAULT_BOUNDARY_LAYER",
    "DEFAULT_DISTRICT_LAYER",
    "Geography",
    "default_regso_path",
    "read_geography",
]

log = logging.getLogger(__name__)

DEFAULT_DISTRICT_LAYER = "regso_2025_sweref99_1800"
DEFAULT_BOUNDARY_LAYER = "kommun_sweref99_1800"
_REGSO_FILE = "huddinge_regso_2025.gpkg"
_NAME_COLUMNS = ("regsonamn", "name", "namn", "kommundel", "omrade", "område", "deso_namn")


@dataclass
class Geography:
    """Districts (with a ``name`` column) and the municipality boundary, both optional.

    Attributes
    ----------
    districts : geopandas.GeoDataFrame or None
        District polygons with column ``name``.
    boundary : geopandas.GeoDataFrame or None
        The municipality boundary polygon(s).
    source : str
        Attribution shown on the map (e.g. "SCB RegSO 2025"), empty when unknown.
    """

    districts: gpd.GeoDataFrame | None
    boundary: gpd.GeoDataFrame | None
    source: str = ""


def default_regso_path() -> Path | None:
    """Return the bundled Huddinge RegSO 2025 GeoPackage, or None when it cannot be found.

    Looks in ``geomap.demo.geography.regso_path()`` (when that module exists), the installed package
    (``geomap/_data``) and the source tree's ``data/`` directory, in that order.

    Examples
    --------
    >>> p = default_regso_path()
    >>> p is None or p.name == "huddinge_regso_2025.gpkg"
    True
    """
    try:
        geography = importlib.import_module("geomap.demo.geography")
        found = geography.regso_path()
        if found is not None and Path(found).is_file():
            return Path(found)
    except (ImportError, AttributeError, OSError, RuntimeError, ValueError) as exc:
        log.debug("geomap.demo.geography.regso_path() unavailable: %s", exc)
    try:
        packaged = resources.files("geomap") / "_data" / _REGSO_FILE
        if packaged.is_file():
            return Path(str(packaged))
    except (ModuleNotFoundError, FileNotFoundError):  # pragma: no cover - defensive
        pass
    in_tree = Path(__file__).resolve().parents[2] / "data" / _REGSO_FILE
    return in_tree if in_tree.is_file() else None


def _name_column(frame: gpd.GeoDataFrame, source: Path, layer: str) -> str:
    lower = {str(c).lower(): str(c) for c in frame.columns}
    for candidate in _NAME_COLUMNS:
        if candidate in lower:
            return lower[candidate]
    text = [c for c in frame.columns if c != "geometry" and frame[c].dtype == object]
    if text:
        return str(text[0])
    msg = (
        f"{source}: layer {layer!r} has no name column (looked for {', '.join(_NAME_COLUMNS)}); "
        "add a text column 'name' with the district names"
    )
    raise InputError(msg)


def read_geography(
    path: str | os.PathLike[str] | None = None, *, layer: str | None = None
) -> Geography:
    """Read district polygons and the municipality boundary.

    Parameters
    ----------
    path : str or os.PathLike, optional
        A polygon file. By default the bundled RegSO 2025 file of Huddinge; when that is missing, a
        warning is logged and the map has no districts.
    layer : str, optional
        District layer; by default ``regso_2025_sweref99_1800`` when present, else the first layer.
        The boundary is the layer ``kommun_sweref99_1800`` when present, else the union of the
        districts.

    Returns
    -------
    Geography
        Districts with a ``name`` column and the boundary, in the file's CRS.

    Raises
    ------
    InputError
        If an explicitly given file cannot be read, the layer is missing or has no CRS.

    Examples
    --------
    >>> geo = read_geography()  # the bundled RegSO 2025 areas of Huddinge
    >>> len(geo.districts)
    22
    """
    if path is None:
        found = default_regso_path()
        if found is None:
            log.warning("bundled districts (%s) not found; the map shows no districts", _REGSO_FILE)
            return Geography(None, None)
        source = found
    else:
        source = Path(path)
    if not source.is_file():
        msg = f"--districts: {source} not found; pass a polygon file (GeoPackage, GeoJSON, …)"
        raise InputError(msg)
    chosen, layers = choose_layer(
        source, layer=layer, default=DEFAULT_DISTRICT_LAYER, what="districts (--districts)"
    )
    districts = pyogrio.read_dataframe(source, layer=chosen, use_arrow=True)
    if districts.crs is None:
        msg = f"--districts: {source} layer {chosen!r} has no CRS; set one (e.g. EPSG:3011)"
        raise InputError(msg)
    name = _name_column(districts, source, chosen)
    districts = gpd.GeoDataFrame(
        {"name": districts[name].astype("string").fillna("")},
        geometry=districts.geometry,
        crs=districts.crs,
    )
    if DEFAULT_BOUNDARY_LAYER in layers:
        boundary = pyogrio.read_dataframe(source, layer=DEFAULT_BOUNDARY_LAYER, use_arrow=True)
        boundary = boundary[["geometry"]]
    else:
        boundary = gpd.GeoDataFrame(geometry=[districts.union_all()], crs=districts.crs)
    attribution = "SCB RegSO 2025" if chosen.startswith("regso_2025") else ""
    return Geography(districts=districts, boundary=boundary, source=attribution)
