"""Reading remark files of any kind into points in the working CRS.

Vector files go through pyogrio (arrow); CSV/XLSX tables through :mod:`geomap.io.tables`; pandas
DataFrames and GeoDataFrames are taken as they are (:func:`read_frame`). The CRS comes from the file,
for tables from ``crs=`` or, when unambiguous, from the value range. Swapped axes are detected by
value range and fixed with a warning. Every remark comes out as a 2D point (or none) with finite
coordinates in the working CRS.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from pyproj import CRS, Transformer

from geomap.core.crs import WORKING_CRS, check_axes, infer_crs_from_values, parse_crs
from geomap.core.remarks import ROUTED_MARKERS, safe_column_names, without_previous_run
from geomap.errors import CRSError, InputError
from geomap.io.tables import (
    COORDINATE_NAMES_HINT,
    TABLE_SUFFIXES,
    CoordinateColumns,
    find_coordinate_columns,
    parse_numbers,
    read_table,
)
from geomap.io.vector import read_vector

__all__ = ["MAX_INPUT_COLUMNS", "ReadInfo", "concat_frames", "read_frame", "read_remarks"]

log = logging.getLogger(__name__)

#: Most input columns a remark file may have: ``routed.gpkg`` keeps every one of them, a
#: GeoPackage table holds at most 2,000 columns, and geomap keeps room for its own.
MAX_INPUT_COLUMNS = 1900

_PROVENANCE = ("source_file", "source_row")


@dataclass
class ReadInfo:
    """How one input file was read, for the run summary.

    ``fields`` maps each model field (``description``, ``timestamp`` …) to the input column that
    became it; ``previous_run`` tells that the input was routed by geomap before (its remarks keep
    the ``source_file`` and ``source_row`` of that run). For a CSV, ``sep_line`` tells that its
    first line was Excel's ``sep=;`` (honoured, skipped); ``empty_rows`` counts the rows empty in
    every cell (dropped: not remarks) and ``placeholder_rows`` those with coordinates exactly
    0, 0 (a placeholder for "no position": read as missing).
    """

    path: str
    rows: int
    crs: str
    axis_swapped: bool = False
    encoding: str = ""
    delimiter: str = ""
    sep_line: bool = False
    empty_rows: int = 0
    placeholder_rows: int = 0
    coordinate_columns: tuple[str, str] | None = None
    missing_geometry: int = 0
    previous_run: bool = False
    fields: dict[str, str] = field(default_factory=dict)
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
        The remarks with all their input columns plus ``source_file``, ``source_row`` and
        ``_axis_swapped`` (true for the remarks of a file whose axes were swapped; routing turns
        it into the flag ``axis_swapped``), and how the file was read. A remark without
        coordinates, or with a null or empty geometry, has a null geometry.

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
        return _read_table_remarks(source, layer=layer, crs=given, target=target)
    read = read_vector(source, layer=layer, what="remark file")
    if not isinstance(read, gpd.GeoDataFrame) or "geometry" not in read:
        raise no_geometry_error(source)
    info = ReadInfo(path=str(source), rows=len(read), crs="")
    frame = _vector_points(read, where=str(source), crs=given, info=info)
    return _finish(frame, info, label=source.name, target=target), info


def _read_table_remarks(
    source: Path, *, layer: str | int | None, crs: CRS | None, target: CRS
) -> tuple[gpd.GeoDataFrame, ReadInfo]:
    """Read a CSV/XLSX of remarks (``layer``: the sheet) as :func:`read_remarks` does."""
    table, how = read_table(source, sheet=layer)
    info = ReadInfo(
        path=str(source),
        rows=len(table),
        crs="",
        encoding=how["encoding"],
        delimiter=how["delimiter"],
        sep_line=how["sep_line"],
        empty_rows=how.get("empty_rows", 0),
    )
    for note in how["warnings"]:
        info.warn(note)
    rows = table.index.to_numpy(dtype="int64")  # data row numbers (empty rows skipped)
    frame = _table_points(table.reset_index(drop=True), where=str(source), crs=crs, info=info)
    return _finish(frame, info, label=source.name, target=target, rows=rows), info


def read_frame(
    frame: pd.DataFrame,
    *,
    label: str = "<DataFrame>",
    crs: str | int | CRS | None = None,
    working_crs: str | CRS = WORKING_CRS,
) -> tuple[gpd.GeoDataFrame, ReadInfo]:
    """Take a DataFrame or GeoDataFrame of remarks as :func:`read_remarks` takes a file.

    A GeoDataFrame brings its geometries and CRS (``crs`` when it has none); a DataFrame needs
    coordinate columns, found by name as in a CSV, in ``crs`` or a CRS their values identify. A
    frame that geomap routed before keeps its ``source_file`` and ``source_row``; its old model
    and routing columns are dropped (they are derived afresh, per original file).

    Examples
    --------
    >>> f = pd.DataFrame({"id": ["A"], "lat": [59.2367], "lon": [17.9811]})
    >>> gdf, info = read_frame(f)
    >>> info.crs, gdf["source_file"].tolist(), round(gdf.geometry.y.iloc[0])
    ('EPSG:4326', ['<DataFrame>'], 6569037)
    """
    target = parse_crs(working_crs, argument="working_crs")
    given = parse_crs(crs) if crs is not None else None
    frame = frame.copy()
    frame.columns = [str(c) for c in frame.columns]
    folded = pd.Index([c.casefold() for c in frame.columns])
    if folded.has_duplicates:
        twice = frame.columns[folded.duplicated()][0]
        msg = f"{label}: the frame has two columns named {twice!r} (ignoring case); rename one"
        raise InputError(msg)
    info = ReadInfo(path=label, rows=len(frame), crs="")
    if _has_geometry(frame):
        if frame.crs is None and given is None:
            msg = f"{label}: the GeoDataFrame has no CRS; set it with .set_crs(...) or pass `crs`"
            raise CRSError(msg)
        points = _vector_points(frame, where=label, crs=given, info=info)
    else:
        frame = pd.DataFrame(frame)
        try:
            find_coordinate_columns(list(frame.columns), path=label)
        except InputError:
            msg = (
                f"{label}: the DataFrame has no coordinate columns (looked for "
                f"{COORDINATE_NAMES_HINT}; it has {', '.join(list(frame.columns)[:12])}); "
                "add them, or pass a GeoDataFrame"
            )
            raise InputError(msg) from None
        points = _table_points(frame, where=label, crs=given, info=info)
    return _finish(points, info, label=label, target=target), info


def _has_geometry(frame: pd.DataFrame) -> bool:
    """Tell whether ``frame`` is a GeoDataFrame with an active geometry column."""
    if not isinstance(frame, gpd.GeoDataFrame):
        return False
    try:
        return frame.geometry.name in frame.columns
    except AttributeError:  # a GeoDataFrame without an active geometry column
        return False


def _finish(
    frame: gpd.GeoDataFrame,
    info: ReadInfo,
    *,
    label: str,
    target: CRS,
    rows: np.ndarray | None = None,
) -> gpd.GeoDataFrame:
    """Reproject, check coordinates and width, and add ``source_file``/``source_row``.

    A frame that geomap routed before (``routed.gpkg``, or what :func:`geomap.route` returned)
    loses its old model and routing columns and keeps its ``source_file``/``source_row``: the
    files its remarks came from (``info.previous_run``).
    """
    frame = _empty_as_missing(frame)
    if len(frame) and frame.crs is not None and CRS(frame.crs) != target:
        frame = frame.to_crs(target)
    _refuse_non_finite(frame, info.path, target)
    info.previous_run = set(frame.columns) >= ROUTED_MARKERS | set(_PROVENANCE)
    swapped = _swapped_remarks(frame, info)
    frame = without_previous_run(frame)
    _check_width(frame, info.path)
    if not info.previous_run:
        renames = safe_column_names(
            [c for c in frame.columns if c != frame.geometry.name],
            reserved=(*_PROVENANCE, "_axis_swapped"),
        )
        for old, new in renames.items():
            info.warn(f"{info.path}: column {old!r} is geomap's own name; it is kept as {new!r}")
        frame = frame.rename(columns=renames)
        frame["source_file"] = label
        frame["source_row"] = np.arange(1, len(frame) + 1, dtype="int64") if rows is None else rows
    frame["_axis_swapped"] = swapped
    info.missing_geometry = int((frame.geometry.isna() | frame.geometry.is_empty).sum())
    if info.missing_geometry:
        log.info("%s: %d rows have no coordinates", info.path, info.missing_geometry)
    return frame


def _empty_as_missing(frame: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Return ``frame`` with empty geometries (``POINT EMPTY``) as null: both mean no position."""
    geoms = frame.geometry.to_numpy()
    empty = shapely.is_empty(geoms)
    if not empty.any():
        return frame
    geoms = geoms.copy()
    geoms[empty] = None
    return frame.set_geometry(gpd.GeoSeries(geoms, index=frame.index, crs=frame.crs))


def _swapped_remarks(frame: gpd.GeoDataFrame, info: ReadInfo) -> np.ndarray:
    """Per remark: were its axes swapped when read (a routed frame: its old flag ``axis_swapped``)."""
    if info.previous_run and "flags" in frame.columns:
        flags = frame["flags"].astype("string").fillna("")
        old = flags.str.contains(r"(?:^|;)axis_swapped(?:;|$)", regex=True).to_numpy(dtype=bool)
        return old | info.axis_swapped
    return np.full(len(frame), info.axis_swapped, dtype=bool)


def _check_width(frame: pd.DataFrame, where: str) -> None:
    count = len(frame.columns) - 1
    if count > MAX_INPUT_COLUMNS:
        msg = (
            f"{where}: {count:,} columns; routed.gpkg keeps every input column and a GeoPackage "
            f"holds at most 2,000, so geomap reads at most {MAX_INPUT_COLUMNS:,}: remove the "
            "columns the remarks do not need"
        )
        raise InputError(msg)


def _refuse_non_finite(frame: gpd.GeoDataFrame, where: str, target: CRS) -> None:
    """Refuse points that reprojection turned into infinities (coordinates outside the CRS)."""
    geoms = frame.geometry.to_numpy()
    present = ~(shapely.is_missing(geoms) | shapely.is_empty(geoms))
    if not present.any():
        return
    bad = np.zeros(len(geoms), dtype=bool)
    xy = shapely.get_coordinates(geoms[present])
    bad[np.flatnonzero(present)] = ~np.isfinite(xy).all(axis=1)
    if bad.any():
        rows = ", ".join(str(i + 1) for i in np.flatnonzero(bad)[:5])
        one = int(bad.sum()) == 1
        msg = (
            f"{where}: {int(bad.sum())} {'remark' if one else 'remarks'} "
            f"({'row' if one else 'rows'} {rows}) cannot be placed in "
            f"{_crs_name(target)}: their coordinates lie outside the area of their CRS; "
            "check `crs` and the coordinates"
        )
        raise CRSError(msg)


def _table_points(
    frame: pd.DataFrame, *, where: str, crs: CRS | None, info: ReadInfo
) -> gpd.GeoDataFrame:
    """Return points from a table's coordinate columns (CRS given, or inferred from the values).

    Coordinates exactly (0, 0), a common placeholder for "no position", are missing (with a
    warning naming the rows), before the CRS is inferred and the area of use checked.
    """
    renames = safe_column_names(frame.columns, reserved=("geometry",))
    for old, new in renames.items():
        info.warn(f"{where}: column {old!r} is geomap's own name; it is kept as {new!r}")
    frame = frame.rename(columns=renames)
    cols = find_coordinate_columns(list(frame.columns), path=where)
    east = parse_numbers(frame[cols.first], column=cols.first, path=where)
    north = parse_numbers(frame[cols.second], column=cols.second, path=where)
    info.coordinate_columns = (cols.first, cols.second)
    east, north = _without_placeholders(east, north, where=where, info=info)
    swapped = False
    if crs is None:
        crs, swapped = _inferred_crs(east, north, where=where, cols=cols, info=info)
    check = check_axes(east, north, crs)
    if swapped or check.swapped:
        east, north = north, east
        info.axis_swapped = True
        why = check.detail or "the values fit the other way round"
        info.warn(
            f"{where}: columns {cols.first!r} and {cols.second!r} are swapped for "
            f"{_crs_name(crs)} ({why}); swapped them"
        )
    info.crs = _crs_name(crs)
    _check_area_of_use(east, north, crs, where, cols.first, cols.second)
    geometry = gpd.points_from_xy(east, north)
    geometry[~(np.isfinite(east) & np.isfinite(north))] = None
    return gpd.GeoDataFrame(frame, geometry=geometry, crs=crs)


def _without_placeholders(
    east: np.ndarray, north: np.ndarray, *, where: str, info: ReadInfo
) -> tuple[np.ndarray, np.ndarray]:
    """Return the coordinates with exact (0, 0) pairs as missing, warning with their rows."""
    zero = (east == 0) & (north == 0)
    info.placeholder_rows = int(zero.sum())
    if not zero.any():
        return east, north
    rows = np.flatnonzero(zero)
    shown = ", ".join(str(i + 1) for i in rows[:5]) + (" …" if len(rows) > 5 else "")
    many = len(rows) > 1
    info.warn(
        f"{where}: {len(rows)} {'rows have' if many else 'row has'} the coordinates 0, 0 "
        f"({'rows' if many else 'row'} {shown}; the first row below the header is 1), a "
        "placeholder for no position: read as missing coordinates (unrouted)"
    )
    return np.where(zero, np.nan, east), np.where(zero, np.nan, north)


def _inferred_crs(
    east: np.ndarray, north: np.ndarray, *, where: str, cols: CoordinateColumns, info: ReadInfo
) -> tuple[CRS, bool]:
    """Return the CRS the values identify (and whether they are swapped for it), or refuse."""
    inferred = infer_crs_from_values(east, north)
    if inferred is None:
        msg = (
            f"{where}: cannot tell the CRS of columns {cols.first!r}/{cols.second!r} from their "
            f"values ({_range(east)}, {_range(north)}); pass `crs` (e.g. EPSG:3011)"
        )
        raise CRSError(msg)
    crs, swapped = inferred
    if crs.to_epsg() == 3011:
        info.warn(
            f"{where}: no `crs` given; values fit a SWEREF 99 local zone, assumed SWEREF 99 18 00 "
            "(EPSG:3011, Stockholm). Pass `crs` if the file uses another zone"
        )
    else:
        log.info("%s: CRS inferred from value range: EPSG:%s", where, crs.to_epsg())
    return crs, swapped


def _vector_points(
    frame: gpd.GeoDataFrame, *, where: str, crs: CRS | None, info: ReadInfo
) -> gpd.GeoDataFrame:
    """Return 2D points of a vector layer, in its own CRS (``crs`` when it has none)."""
    name = frame.geometry.name
    if name != "geometry":
        others = [c for c in frame.columns if c != name]
        frame = frame.rename(columns=safe_column_names(others, reserved=("geometry",)))
        frame = frame.rename_geometry("geometry")
    if frame.empty:
        msg = f"{where}: the layer holds no features; expected at least one remark"
        raise InputError(msg)
    if frame.crs is None:
        if crs is None:
            msg = f"{where}: the file has no CRS; pass `crs` (e.g. EPSG:3006) to say which it uses"
            raise CRSError(msg)
        frame = frame.set_crs(crs)
    elif crs is not None and CRS(frame.crs) != crs:
        frame = _given_crs_for_wrong_degrees(frame, where, crs, info)
    frame = _to_points(frame, where, info)
    _refuse_wrong_degrees(frame, where)
    xy = shapely.get_coordinates(frame.geometry.to_numpy())
    check = check_axes(xy[:, 0], xy[:, 1], CRS(frame.crs)) if len(xy) else None
    if check is not None and check.swapped:
        frame = frame.set_geometry(_swap(frame.geometry.to_numpy()), crs=frame.crs)
        info.axis_swapped = True
        info.warn(
            f"{where}: x and y are swapped for {_crs_name(frame.crs)} ({check.detail}); swapped them"
        )
    info.crs = _crs_name(frame.crs)
    return frame


def _outside_degrees(frame: gpd.GeoDataFrame) -> bool:
    """Tell whether a frame in a geographic CRS has coordinates that are not longitude/latitude."""
    if not CRS(frame.crs).is_geographic:
        return False
    xy = shapely.get_coordinates(frame.geometry.to_numpy())
    xy = xy[np.isfinite(xy).all(axis=1)]
    return bool(len(xy)) and bool((np.abs(xy[:, 0]) > 180).any() or (np.abs(xy[:, 1]) > 90).any())


def _given_crs_for_wrong_degrees(
    frame: gpd.GeoDataFrame, where: str, crs: CRS, info: ReadInfo
) -> gpd.GeoDataFrame:
    """Use ``crs`` instead of the file's CRS only where the file's cannot be right."""
    if _outside_degrees(frame):
        info.warn(
            f"{where}: the file says {_crs_name(frame.crs)} (degrees) but its coordinates are "
            f"not degrees; read them in {_crs_name(crs)} as `crs` says"
        )
        return frame.set_crs(crs, allow_override=True)
    info.warn(
        f"{where}: the file's own CRS {_crs_name(frame.crs)} is used; `crs` is ignored for it"
    )
    return frame


def _refuse_wrong_degrees(frame: gpd.GeoDataFrame, where: str) -> None:
    if not _outside_degrees(frame):
        return
    xy = shapely.get_coordinates(frame.geometry.to_numpy())
    msg = (
        f"{where}: the coordinates ({_range(xy[:, 0])}, {_range(xy[:, 1])}) are not longitude/"
        f"latitude, but the file's CRS is {_crs_name(frame.crs)} (a GeoJSON file without a CRS "
        "is WGS84 by definition); pass `crs` with the CRS they are in (e.g. EPSG:3011) or fix "
        "the file"
    )
    raise CRSError(msg)


def _check_area_of_use(
    east: np.ndarray, north: np.ndarray, crs: CRS, path: str, first: str, second: str
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


def _to_points(frame: gpd.GeoDataFrame, where: str, info: ReadInfo) -> gpd.GeoDataFrame:
    """Return 2D points: other geometries become a point inside them, Z and M values are dropped."""
    geoms = frame.geometry.to_numpy()
    types = shapely.get_type_id(geoms)
    non_point = (types != 0) & (types != -1) & ~shapely.is_empty(geoms)
    has_z = shapely.has_z(geoms)
    if not (non_point.any() or has_z.any()):
        return frame
    geoms = shapely.force_2d(geoms)
    if non_point.any():
        kinds = sorted({str(t) for t in frame.geometry[non_point].geom_type.unique()})
        info.warn(non_point_note(where, int(non_point.sum()), kinds))
        geoms[non_point] = shapely.point_on_surface(geoms[non_point])
    if has_z.any():
        log.info("%s: %d points have a height (Z); it is dropped", where, int(has_z.sum()))
    return frame.set_geometry(gpd.GeoSeries(geoms, index=frame.index, crs=frame.crs))


def non_point_note(where: str, count: int, kinds: Iterable[str]) -> str:
    """Word the warning for ``count`` remarks of ``where`` that are ``kinds``, not points.

    Examples
    --------
    >>> non_point_note("a.gpkg", 1, {"Polygon"})
    'a.gpkg: 1 remark is a Polygon, not a point; it is placed at a point inside it (representative point)'
    """
    one = count == 1
    return (
        f"{where}: {count} {'remark is a' if one else 'remarks are'} "
        f"{'/'.join(sorted(kinds))}, not {'a point' if one else 'points'}; "
        f"{'it' if one else 'each'} is placed at a point inside it (representative point)"
    )


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
    """Concatenate remark frames that share one CRS, keeping the union of their columns.

    A column whose type differs between the frames (text in a CSV, numbers in an XLSX) becomes
    text in all of them; integer and boolean columns missing from some frames become nullable,
    so a missing value does not turn ``3`` into ``3.0``.

    Examples
    --------
    >>> a = gpd.GeoDataFrame({"nr": ["1"]}, geometry=[shapely.Point(0, 0)], crs=3011)
    >>> b = gpd.GeoDataFrame({"nr": [2], "n": [5]}, geometry=[shapely.Point(1, 1)], crs=3011)
    >>> c = concat_frames([a, b])
    >>> c["nr"].tolist(), c["n"].tolist()
    (['1', '2'], [<NA>, 5])
    """
    if len(frames) > 1:
        frames = _harmonised(frames)
    combined = pd.concat(frames, ignore_index=True, sort=False)
    return gpd.GeoDataFrame(combined, geometry="geometry", crs=frames[0].crs)


def _harmonised(frames: list[gpd.GeoDataFrame]) -> list[gpd.GeoDataFrame]:
    dtypes: dict[str, set[str]] = {}
    present: dict[str, int] = {}
    for frame in frames:
        for column, dtype in frame.dtypes.items():
            if column != frame.geometry.name:
                dtypes.setdefault(str(column), set()).add(str(dtype))
                present[str(column)] = present.get(str(column), 0) + 1
    mixed = {c for c, kinds in dtypes.items() if len(kinds) > 1}
    partial = {c for c, n in present.items() if n < len(frames) and c not in mixed}
    out = []
    for frame in frames:
        changes = {c: _as_text(frame[c]) for c in mixed if c in frame}
        for column in partial & set(frame.columns):
            kind = frame[column].dtype
            if pd.api.types.is_integer_dtype(kind) and not isinstance(kind, pd.Int64Dtype):
                changes[column] = frame[column].astype("Int64")
            elif pd.api.types.is_bool_dtype(kind):
                changes[column] = frame[column].astype("boolean")
        out.append(frame.assign(**changes) if changes else frame)
    return out


def _as_text(values: pd.Series) -> pd.Series:
    """Return values as text, missing kept missing; integral floats without ``.0``."""
    if pd.api.types.is_float_dtype(values) and bool((values.dropna() % 1 == 0).all()):
        values = values.astype("Int64")
    text = values.astype("string")
    return text.astype(object).where(text.notna(), None)


def no_geometry_error(source: object) -> InputError:
    """Return the error for a vector layer without a geometry column (an attribute table)."""
    msg = f"{source}: the layer has no geometry column; give a point layer or a table with coordinates"
    return InputError(msg)
