"""Read an owner's maintenance layer (any vector file GDAL reads) into EPSG:3011.

A file with several vector layers is read whole (feature ids become ``layer:fid``) unless one
layer is named. Attribute tables (no geometry) such as ``export_info`` are skipped.
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pyogrio

from geomap.core.crs import WORKING_CRS
from geomap.errors import CRSError, InputError
from geomap.io.vector import gdal_reason, spatial_layers

__all__ = ["MaintenanceLayer", "read_layer"]

log = logging.getLogger(__name__)

_SYNTHETIC_COLUMNS = ("syntetisk", "synthetic")
_TRUE = frozenset({"1", "true", "ja", "yes", "sant", "syntetisk", "synthetic"})


@dataclass(frozen=True)
class MaintenanceLayer:
    """A maintenance layer as read, in :data:`WORKING_CRS`.

    Attributes
    ----------
    frame : geopandas.GeoDataFrame
        Attributes and geometry; the index is the feature id as text (``fid`` or ``layer:fid``).
    path : Path
        The file read.
    layers : tuple of str
        The layers read from it.
    synthetic : bool
        The data says it is synthetic (file name or a ``syntetisk``/``synthetic`` column).
    """

    frame: gpd.GeoDataFrame
    path: Path
    layers: tuple[str, ...]
    synthetic: bool


def _read_one(path: Path, layer: str) -> gpd.GeoDataFrame:
    try:
        frame = pyogrio.read_dataframe(path, layer=layer, fid_as_index=True, use_arrow=True)
    except Exception as exc:
        msg = f"{path}: layer {layer!r} cannot be read ({gdal_reason(exc)}); check the file"
        raise InputError(msg) from None
    if frame.crs is None:
        msg = f"{path}: layer {layer!r} has no CRS; assign EPSG:3011 (SWEREF 99 18 00) or EPSG:3006"
        raise CRSError(msg)
    if frame.crs != WORKING_CRS:
        log.info("%s: layer %s reprojected from %s to %s", path, layer, frame.crs, WORKING_CRS)
        frame = frame.to_crs(WORKING_CRS)
    return frame


def _is_synthetic(path: Path, frame: pd.DataFrame) -> bool:
    if "synthetic" in path.name.lower() or "syntet" in path.name.lower():
        return True
    for column in _SYNTHETIC_COLUMNS:
        if column in frame.columns:
            values = frame[column].dropna().astype(str).str.strip().str.lower()
            if values.isin(_TRUE).any():
                return True
    return False


def read_layer(path: str | os.PathLike[str], *, layer: str | None = None) -> MaintenanceLayer:
    """Read a maintenance layer.

    Parameters
    ----------
    path : path-like
        GeoPackage, shapefile, GeoJSON … with a CRS.
    layer : str, optional
        Read only this layer; default all vector layers of the file.

    Raises
    ------
    InputError
        The file is missing or unreadable, has no vector layer, or ``layer`` is not in it.
    CRSError
        A layer has no CRS.

    Examples
    --------
    >>> import tempfile, pathlib, geopandas as gpd, shapely
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "t.gpkg"
    >>> gpd.GeoDataFrame({"kod": ["G2"]}, geometry=[shapely.box(0, 0, 1, 1)], crs=3011).to_file(p)
    >>> read_layer(p).frame.index.tolist()
    ['1']
    """
    source = Path(path)
    if not source.exists():
        msg = f"{source}: file not found; pass an existing maintenance layer"
        raise InputError(msg)
    available = spatial_layers(source, what="maintenance layer")
    if layer is not None:
        if layer not in available:
            msg = f"{source}: no vector layer {layer!r}; layers are {available}"
            raise InputError(msg)
        names = [layer]
    else:
        names = available
    if not names:
        msg = f"{source}: no vector layer with geometry; pass a file with a maintenance layer"
        raise InputError(msg)
    frames = []
    for name in names:
        frame = _read_one(source, name)
        prefix = f"{name}:" if len(names) > 1 else ""
        frame.index = pd.Index([f"{prefix}{fid}" for fid in frame.index], name="fid")
        frames.append(frame)
    combined = frames[0] if len(frames) == 1 else pd.concat(frames)
    combined = gpd.GeoDataFrame(combined, geometry=combined.geometry.name, crs=WORKING_CRS)
    return MaintenanceLayer(
        frame=combined,
        path=source,
        layers=tuple(names),
        synthetic=_is_synthetic(source, combined),
    )
