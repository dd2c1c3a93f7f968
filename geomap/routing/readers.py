"""Reading remark files of any kind into points in the working CRS.

Vector files go through pyogrio (arrow); CSV/XLSX tables through :mod:`geomap.io.tables`. The CRS comes
from the file, for tables from ``crs=`` or, when unambiguous, from the value range. Swapped axes are
detected by value range and fixed with a warning.
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass, field
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from pyproj import CRS, Transformer

from geomap.core.crs import WORKING_CRS, check_axes, infer_crs_from_values, parse_crs
from geomap.errors import CRSError, InputError
from geomap.io.tables import TABLE_SUFFIXES, find_coordinate_columns, parse_numbers, read_table
from geomap.io.vector import read_vector

__all__ = ["ReadInfo", "read_remarks"]

log = logging.getLogger(__name__)


@dataclass
class ReadInfo:
    """How one input file was read, for the run summary."""

    path: str
    rows: int
    crs: str
    axis_swapped: bool = False
    encoding: str = ""
    delimiter: str = ""
    coordinate_columns: tuple[str, str] | None = None
    missing_geometry: int = 0
    warnings: list[str] = field(default_factory=list)

    def warn(self, message: str) -> None:
        """Record ``message`` and log it as a warning."""
        self.warnings.append(message)
        log.warning(message)


def read_remarks(
    path: str | os.PathLike[str],
    *,
    crs: str | int | CRS | None = None,
    layer: str | int | None = None,
    working_crs: str | CRS = WORKING_CRS,
) -> tuple[gpd.GeoDataFrame, ReadInfo]:
    r"""Read one file of remarks as points in ``working_crs``.

    Parameters
    ----------
    path
        A vector file pyogrio reads (GeoPackage, GeoJSON, Shapefile, FlatGeobuf, GeoParquet …) or a
        table with coordinate columns (CSV, XLSX).
    crs
        CRS of a table's coordinates; for a vector file without CRS, the CRS to assume.
    layer
        Layer (or sheet, for XLSX) to read; the first by default.
    working_crs
        CRS of the returned points.

    Returns
    -------
    GeoDataFrame, ReadInfo
        The remarks with all their input columns plus ``source_file`` and ``source_row``, and how
        the file was read.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "a.csv"
    >>> _ = p.write_text("id;latitud;longitud\n1;59,2367;17,9811\n", encoding="utf-8-sig")
    >>> gdf, info = read_remarks(p)
    >>> info.crs, round(gdf.geometry.x.iloc[0])
    ('EPSG:4326', 148921)
    """
    source = Path(path)
    if not source.exists():
        msg = f"{source}: no such file; check the path"
        raise InputError(msg)
    target = parse_crs(working_crs, argument="working_crs")
    given = parse_crs(crs) if crs is not None else None
    if source.suffix.lower() in TABLE_SUFFIXES:
        frame, info = _read_table_points(source, crs=given, sheet=layer)
    else:
        frame, info = _read_vector_points(source, crs=given, layer=layer)
    frame = frame.to_crs(target) if frame.crs != target else frame
    frame["source_file"] = source.name
    frame["source_row"] = np.arange(1, len(frame) + 1, dtype="int64")
    info.missing_geometry = int((frame.geometry.isna() | frame.geometry.is_empty).sum())
    if info.missing_geometry:
        log.info("%s: %d rows have no coordinates", source, info.missing_geometry)
    return frame, info


def _read_table_points(
    path: Path, *, crs: CRS | None, sheet: str | int | None
) -> tuple[gpd.GeoDataFrame, ReadInfo]:
    frame, how = read_table(path, sheet=sheet)
    cols = find_coordinate_columns(list(frame.columns), path=path)
    east = parse_numbers(frame[cols.first], column=cols.first, path=path)
    north = parse_numbers(frame[cols.second], column=cols.second, path=path)
    info = ReadInfo(
        path=str(path),
        rows=len(frame),
        crs="",
        encoding=how["encoding"],
        delimiter=how["delimiter"],
        coordinate_columns=(cols.first, cols.second),
    )
    swapped = False
    if crs is None:
        inferred = infer_crs_from_values(east, north)
        if inferred is None:
            msg = (
                f"{path}: cannot tell the CRS of columns {cols.first!r}/{cols.second!r} from their "
                f"values ({_range(east)}, {_range(north)}); pass `crs` (e.g. EPSG:3011)"
            )
            raise CRSError(msg)
        crs, swapped = inferred
        if crs.to_epsg() == 3011:
            info.warn(
                f"{path}: no `crs` given; values fit a SWEREF 99 local zone, assumed SWEREF 99 18 00 "
                "(EPSG:3011, Stockholm). Pass `crs` if the file uses another zone"
            )
        else:
            log.info("%s: CRS inferred from value range: EPSG:%s", path, crs.to_epsg())
    check = check_axes(east, north, crs)
    if swapped or check.swapped:
        east, north = north, east
        info.axis_swapped = True
        why = check.detail or "the values fit the other way round"
        info.warn(
            f"{path}: columns {cols.first!r} and {cols.second!r} are swapped for "
            f"{_crs_name(crs)} ({why}); swapped them"
        )
    info.crs = _crs_name(crs)
    _check_area_of_use(east, north, crs, path, cols.first, cols.second)
    geometry = gpd.points_from_xy(east, north)
    geometry[~(np.isfinite(east) & np.isfinite(north))] = None
    return gpd.GeoDataFrame(frame, geometry=geometry, crs=crs), info


def _read_vector_points(
    path: Path, *, crs: CRS | None, layer: str | int | None
) -> tuple[gpd.GeoDataFrame, ReadInfo]:
    frame = read_vector(path, layer=layer, what="remark file")
    if not isinstance(frame, gpd.GeoDataFrame) or "geometry" not in frame:
        msg = f"{path}: the layer has no geometry column; give a point layer or a table with coordinates"
        raise InputError(msg)
    if frame.empty:
        msg = f"{path}: the layer holds no features; expected at least one remark"
        raise InputError(msg)
    info = ReadInfo(path=str(path), rows=len(frame), crs="")
    if frame.crs is None:
        if crs is None:
            msg = f"{path}: the file has no CRS; pass `crs` (e.g. EPSG:3006) to say which it uses"
            raise CRSError(msg)
        frame = frame.set_crs(crs)
    elif crs is not None and CRS(frame.crs) != crs:
        info.warn(
            f"{path}: the file's own CRS {_crs_name(frame.crs)} is used; `crs` is ignored for it"
        )
    frame = _to_points(frame, path, info)
    xy = shapely.get_coordinates(frame.geometry.to_numpy())
    check = check_axes(xy[:, 0], xy[:, 1], CRS(frame.crs)) if len(xy) else None
    if check is not None and check.swapped:
        frame = frame.set_geometry(_swap(frame.geometry.to_numpy()), crs=frame.crs)
        info.axis_swapped = True
        info.warn(
            f"{path}: x and y are swapped for {_crs_name(frame.crs)} ({check.detail}); swapped them"
        )
    info.crs = _crs_name(frame.crs)
    return frame, info


def _check_area_of_use(
    east: np.ndarray, north: np.ndarray, crs: CRS, path: Path, first: str, second: str
) -> None:
    """Refuse coordinates far outside the CRS's area of use (a mix of CRSs, or the wrong `crs`)."""
    area = crs.area_of_use
    if area is None:
        return
    to_crs = Transformer.from_crs("EPSG:4326", crs, always_xy=True)
    x0, y0, x1, y1 = to_crs.transform_bounds(area.west, area.south, area.east, area.north)
    pad_x, pad_y = (x1 - x0) * 0.5, (y1 - y0) * 0.5
    finite = np.isfinite(east) & np.isfinite(north)
    off = finite & (
        (east < x0 - pad_x) | (east > x1 + pad_x) | (north < y0 - pad_y) | (north > y1 + pad_y)
    )
    if not off.any():
        return
    rows = ", ".join(str(i + 1) for i in np.flatnonzero(off)[:5])
    if off.sum() == finite.sum():
        msg = (
            f"{path}: columns {first!r}/{second!r} do not fit {_crs_name(crs)} ({_range(east)}, "
            f"{_range(north)}); pass the right `crs`"
        )
    else:
        msg = (
            f"{path}: {int(off.sum())} of {int(finite.sum())} rows (rows {rows}) lie far outside "
            f"{_crs_name(crs)}'s area; the file mixes coordinate systems: convert them to one"
        )
    raise CRSError(msg)


def _to_points(frame: gpd.GeoDataFrame, path: Path, info: ReadInfo) -> gpd.GeoDataFrame:
    geoms = frame.geometry.to_numpy()
    types = shapely.get_type_id(geoms)
    non_point = (types != 0) & (types != -1) & ~shapely.is_empty(geoms)
    if non_point.any():
        kinds = sorted({str(t) for t in frame.geometry[non_point].geom_type.unique()})
        info.warn(
            f"{path}: {int(non_point.sum())} remarks are {'/'.join(kinds)}, not points; "
            "each is placed at a point inside it (representative point)"
        )
        geoms = geoms.copy()
        geoms[non_point] = shapely.point_on_surface(geoms[non_point])
        frame = frame.set_geometry(gpd.GeoSeries(geoms, index=frame.index, crs=frame.crs))
    return frame


def _swap(geoms: np.ndarray) -> np.ndarray:
    return shapely.transform(geoms, lambda xy: xy[:, ::-1])


def _range(values: np.ndarray) -> str:
    finite = values[np.isfinite(values)]
    if not finite.size:
        return "no values"
    return f"{finite.min():.6g}–{finite.max():.6g}"


def _crs_name(crs: CRS | object) -> str:
    crs = CRS(crs)
    epsg = crs.to_epsg()
    return f"EPSG:{epsg}" if epsg else crs.name


def concat_frames(frames: list[gpd.GeoDataFrame]) -> gpd.GeoDataFrame:
    """Concatenate remark frames that share one CRS, keeping the union of their columns."""
    combined = pd.concat(frames, ignore_index=True, sort=False)
    return gpd.GeoDataFrame(combined, geometry="geometry", crs=frames[0].crs)
