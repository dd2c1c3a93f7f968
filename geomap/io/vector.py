"""Reading vector files with pyogrio (Arrow), with errors a user can act on."""

from __future__ import annotations

import contextlib
import json
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.dataset as pads
import pyogrio
import pyogrio.raw
import shapely
from pyogrio.geopandas import _try_parse_datetime as _parse_datetime

from geomap.errors import InputError

__all__ = [
    "BBOX_TYPE",
    "PARQUET_SUFFIXES",
    "ArrowBatches",
    "arrow_to_frame",
    "choose_layer",
    "frame_to_arrow",
    "gdal_reason",
    "geoparquet_metadata",
    "open_batches",
    "read_vector",
    "spatial_layers",
    "with_bbox_column",
]


def read_vector(
    path: Path, *, layer: str | int | None, what: str
) -> gpd.GeoDataFrame | pd.DataFrame:
    """Read ``layer`` of ``path`` (GeoParquet through pyarrow, everything else through pyogrio).

    Errors become :class:`InputError` naming the file, ``what`` it was meant to be, and the fix.

    Examples
    --------
    >>> read_vector(Path("/nonexistent.gpkg"), layer=None, what="owner layer")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    geomap.errors.InputError: /nonexistent.gpkg: the owner layer is not a readable vector file (...
    """
    try:
        if path.suffix.lower() in {".parquet", ".geoparquet"}:
            return gpd.read_parquet(path)
        return pyogrio.read_dataframe(path, layer=layer, use_arrow=True)
    except pyogrio.errors.DataLayerError as exc:
        raise _layer_error(path, layer, what, exc) from None
    except (pyogrio.errors.DataSourceError, pyogrio.errors.FieldError, ValueError, OSError) as exc:
        msg = f"{path}: the {what} is not a readable vector file ({gdal_reason(exc)}); check the file and its format"
        raise InputError(msg) from None


def choose_layer(
    path: Path, *, layer: str | None, default: str, what: str
) -> tuple[str, list[str]]:
    """Pick the layer to read from ``path``.

    That is ``layer`` if given, else ``default`` if present, else the first layer with geometries.

    Returns the chosen name and the names of all layers with geometries. Errors name the file,
    ``what`` it was meant to be and the layers it has.

    Examples
    --------
    >>> import tempfile, geopandas as gpd, shapely
    >>> p = Path(tempfile.mkdtemp()) / "a.gpkg"
    >>> gpd.GeoDataFrame(geometry=[shapely.Point(0, 0)], crs=3011).to_file(p, layer="points")
    >>> choose_layer(p, layer=None, default="owners", what="owner parcels")
    ('points', ['points'])
    >>> choose_layer(p, layer="owners", default="owners", what="owner parcels")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    geomap.errors.InputError: ...a.gpkg has no layer 'owners' for the owner parcels (layers: points); ...
    """
    names = spatial_layers(path, what=what)
    if not names:
        msg = f"{path}: no layer with geometries for the {what}; pass a file with polygons"
        raise InputError(msg)
    chosen = layer or (default if default in names else names[0])
    if chosen not in names:
        msg = f"{path} has no layer {chosen!r} for the {what} (layers: {', '.join(names)}); pass one of them"
        raise InputError(msg)
    return chosen, names


def spatial_layers(path: Path, *, what: str) -> list[str]:
    """Names of the layers of ``path`` that have geometries (tables without are left out).

    Examples
    --------
    >>> spatial_layers(Path("/nonexistent.gpkg"), what="owner parcels")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    geomap.errors.InputError: /nonexistent.gpkg: the owner parcels cannot be read as a vector file (...
    """
    try:
        listed = pyogrio.list_layers(path)
    except (pyogrio.errors.DataSourceError, ValueError, OSError) as exc:
        msg = f"{path}: the {what} cannot be read as a vector file ({gdal_reason(exc)}); check the file and its format"
        raise InputError(msg) from None
    return [str(name) for name, geometry_type in listed if geometry_type is not None]


def gdal_reason(exc: BaseException) -> str:
    """GDAL's error message, shortened to what a user can act on.

    Keeps the first line, drops GDAL's hint about driver prefixes, and of a failed SQLite statement
    keeps only SQLite's complaint.

    Examples
    --------
    >>> gdal_reason(OSError("sqlite3_prepare_v2(SELECT 1) failed: file is not a database; file is not a database"))
    'file is not a database'
    >>> gdal_reason(OSError("'a.gpkg' not recognized as being in a supported file format.; It might help …"))
    "'a.gpkg' not recognized as being in a supported file format"
    """
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    text = text.split("; It might help")[0]
    if text.startswith("sqlite3_") and "failed: " in text:
        text = text.split("failed: ", 1)[1].split(";")[0]
    return text.strip().rstrip(".")


#: Suffixes read as GeoParquet (through pyarrow) rather than through GDAL.
PARQUET_SUFFIXES = frozenset({".parquet", ".geoparquet"})


@dataclass
class ArrowBatches:
    """An open vector layer read as Arrow record batches (see :func:`open_batches`).

    ``schema`` holds the attribute columns and the geometry column ``geometry_name`` (WKB);
    ``crs`` is the layer's CRS as text (or None); ``batches`` yields :class:`pyarrow.Table`
    pieces of at most the requested size.
    """

    schema: pa.Schema
    geometry_name: str
    crs: str | None
    batches: Iterator[pa.Table]
    rows: int | None = None
    #: Date-time columns GDAL gives as text; :func:`arrow_to_frame` parses them.
    datetimes: tuple[str, ...] = ()


def open_batches(
    path: Path,
    *,
    layer: str | int | None,
    batch_size: int,
    what: str,
    bbox: tuple[float, float, float, float] | None = None,
    columns: Sequence[str] | None = None,
    read_geometry: bool = True,
) -> contextlib.AbstractContextManager[ArrowBatches]:
    """Open ``layer`` of ``path`` as a stream of Arrow batches (pyogrio, or pyarrow for GeoParquet).

    ``bbox`` (in the layer's CRS) keeps the features that intersect it: GDAL's spatial filter,
    or for GeoParquet the row groups and rows whose bbox covering column (GeoParquet 1.1)
    intersects it. Errors are worded as :func:`read_vector` words them.

    Examples
    --------
    >>> import tempfile, shapely
    >>> p = Path(tempfile.mkdtemp()) / "a.gpkg"
    >>> gpd.GeoDataFrame({"n": [1, 2, 3]}, geometry=shapely.points([[0, 0], [1, 1], [2, 2]]),
    ...                  crs=3011).to_file(p)
    >>> with open_batches(p, layer=None, batch_size=2, what="remark file") as stream:
    ...     [len(t) for t in stream.batches]
    [2, 1]
    """
    if path.suffix.lower() in PARQUET_SUFFIXES:
        return _parquet_batches(path, batch_size=batch_size, bbox=bbox, columns=columns, what=what)
    return _gdal_batches(
        path,
        layer=layer,
        batch_size=batch_size,
        bbox=bbox,
        columns=columns,
        read_geometry=read_geometry,
        what=what,
    )


@contextlib.contextmanager
def _gdal_batches(
    path: Path,
    *,
    layer: str | int | None,
    batch_size: int,
    bbox: tuple[float, float, float, float] | None,
    columns: Sequence[str] | None,
    read_geometry: bool,
    what: str,
) -> Iterator[ArrowBatches]:
    try:
        context = pyogrio.raw.open_arrow(
            path,
            layer=layer,
            batch_size=batch_size,
            bbox=bbox,
            columns=list(columns) if columns is not None else None,
            read_geometry=read_geometry,
            use_pyarrow=True,
            datetime_as_string=True,  # parsed as pyogrio.read_dataframe parses them
        )
        meta, reader = context.__enter__()
    except pyogrio.errors.DataLayerError as exc:
        raise _layer_error(path, layer, what, exc) from None
    except (pyogrio.errors.DataSourceError, pyogrio.errors.FieldError, ValueError, OSError) as exc:
        msg = f"{path}: the {what} is not a readable vector file ({gdal_reason(exc)}); check the file and its format"
        raise InputError(msg) from None
    try:
        schema = reader.schema
        name = meta.get("geometry_name") or "wkb_geometry"
        dates = tuple(
            str(f)
            for f, kind in zip(meta["fields"], meta["dtypes"], strict=True)
            if kind is not None and str(kind).startswith("datetime") and kind != "datetime64[D]"
        )
        batches = (pa.Table.from_batches([b]) for b in reader)
        yield ArrowBatches(schema, name, meta.get("crs"), batches, None, dates)
    finally:
        context.__exit__(None, None, None)


@contextlib.contextmanager
def _parquet_batches(
    path: Path,
    *,
    batch_size: int,
    bbox: tuple[float, float, float, float] | None,
    columns: Sequence[str] | None,
    what: str,
) -> Iterator[ArrowBatches]:
    try:
        dataset = pads.dataset(path, format="parquet")
        geo = json.loads((dataset.schema.metadata or {}).get(b"geo", b"{}"))
    except (pa.ArrowException, OSError, ValueError) as exc:
        msg = f"{path}: the {what} is not a readable GeoParquet file ({gdal_reason(exc)}); check the file"
        raise InputError(msg) from None
    name = geo.get("primary_column", "geometry")
    column = geo.get("columns", {}).get(name, {})
    crs = column.get("crs", "OGC:CRS84")
    crs_text = None if crs is None else (json.dumps(crs) if isinstance(crs, dict) else str(crs))
    wanted = None if columns is None else [*columns, name]
    filt = _bbox_filter(column.get("covering", {}).get("bbox"), bbox)
    batches = (
        pa.Table.from_batches([b])
        for b in dataset.to_batches(columns=wanted, filter=filt, batch_size=batch_size)
        if b.num_rows
    )
    schema = (
        dataset.schema if wanted is None else pa.schema([dataset.schema.field(c) for c in wanted])
    )
    yield ArrowBatches(schema, name, crs_text, batches, None)


def _bbox_filter(
    covering: dict[str, list[str]] | None, bbox: tuple[float, float, float, float] | None
) -> pads.Expression | None:
    """Return the row filter of a bbox covering column (GeoParquet 1.1) against ``bbox``, if both exist."""
    if bbox is None or not covering:
        return None
    field = {key: pads.field(*path) for key, path in covering.items()}
    x0, y0, x1, y1 = bbox
    return (
        (field["xmin"] <= x1)
        & (field["xmax"] >= x0)
        & (field["ymin"] <= y1)
        & (field["ymax"] >= y0)
    )


def arrow_to_frame(
    table: pa.Table, *, geometry_name: str, crs: str | None, datetimes: Sequence[str] = ()
) -> gpd.GeoDataFrame:
    """Return an Arrow table with a WKB geometry column as a GeoDataFrame (column ``geometry``).

    Examples
    --------
    >>> import shapely
    >>> t = pa.table({"n": [1], "geom": shapely.to_wkb(shapely.points([[1, 2]]))})
    >>> arrow_to_frame(t, geometry_name="geom", crs="EPSG:3011").geometry.x.tolist()
    [1.0]
    """
    wkb = table.column(geometry_name).to_numpy(zero_copy_only=False)
    frame = table.drop_columns([geometry_name]).to_pandas()
    for column in datetimes:  # as pyogrio.read_dataframe reads them
        if column in frame.columns:
            frame[column] = _parse_datetime(frame[column], False, True)
    geoms = shapely.from_wkb(wkb)
    names = list(frame.columns)
    if "geometry" in names:  # an attribute named geometry next to another geometry column
        frame = frame.rename(columns={"geometry": "input_geometry"})
    return gpd.GeoDataFrame(frame, geometry=geoms, crs=crs)


def frame_to_arrow(
    frame: gpd.GeoDataFrame, schema: pa.Schema, *, geometry: str = "geometry"
) -> pa.Table:
    """Return ``frame`` as an Arrow table of ``schema`` (geometry as WKB, missing columns null).

    Examples
    --------
    >>> import shapely
    >>> f = gpd.GeoDataFrame({"n": [1.0, None]}, geometry=shapely.points([[0, 0], [1, 1]]))
    >>> s = pa.schema([("n", pa.int64()), ("m", pa.string()), ("geometry", pa.binary())])
    >>> frame_to_arrow(f, s).column("n").to_pylist()
    [1, None]
    """
    arrays = []
    for field in schema:
        if field.name == geometry:
            arrays.append(pa.array(shapely.to_wkb(frame.geometry.to_numpy()), type=field.type))
        elif field.name in frame.columns:
            arrays.append(_arrow_array(frame[field.name], field.type))
        else:
            arrays.append(pa.nulls(len(frame), type=field.type))
    return pa.Table.from_arrays(arrays, schema=schema)


def _arrow_array(values: pd.Series, kind: pa.DataType) -> pa.Array:
    if pa.types.is_integer(kind) and pd.api.types.is_float_dtype(values.dtype):
        values = values.astype("Int64")  # integers that a missing value made float
    return pa.array(values, type=kind, from_pandas=True)


def geoparquet_metadata(
    schema: pa.Schema,
    *,
    crs_json: dict[str, Any] | None,
    geometry_types: Sequence[str],
    bbox: Sequence[float] | None,
) -> dict[bytes, bytes]:
    """Return the GeoParquet 1.1 ``geo`` metadata of a WKB column ``geometry`` with a bbox covering.

    Examples
    --------
    >>> s = pa.schema([("geometry", pa.binary())])
    >>> meta = geoparquet_metadata(s, crs_json=None, geometry_types=["Point"], bbox=None)
    >>> json.loads(meta[b"geo"])["version"]
    '1.1.0'
    """
    column: dict[str, Any] = {
        "encoding": "WKB",
        "geometry_types": list(geometry_types),
        "crs": crs_json,
        "covering": {
            "bbox": {k: ["bbox", k] for k in ("xmin", "ymin", "xmax", "ymax")},
        },
    }
    if bbox is not None:
        column["bbox"] = [float(v) for v in bbox]
    geo = {"version": "1.1.0", "primary_column": "geometry", "columns": {"geometry": column}}
    return {**(schema.metadata or {}), b"geo": json.dumps(geo).encode()}


BBOX_TYPE = pa.struct([(k, pa.float64()) for k in ("xmin", "ymin", "xmax", "ymax")])


def with_bbox_column(table: pa.Table) -> pa.Table:
    """Add the GeoParquet 1.1 ``bbox`` covering column computed from the WKB ``geometry``.

    Examples
    --------
    >>> import shapely
    >>> t = pa.table({"geometry": shapely.to_wkb(shapely.points([[1, 2]]))})
    >>> with_bbox_column(t).column("bbox").to_pylist()
    [{'xmin': 1.0, 'ymin': 2.0, 'xmax': 1.0, 'ymax': 2.0}]
    """
    geoms = shapely.from_wkb(table.column("geometry").to_numpy(zero_copy_only=False))
    bounds = shapely.bounds(geoms)
    missing = np.isnan(bounds).any(axis=1)
    arrays = [pa.array(bounds[:, i], mask=missing) for i in range(4)]
    bbox = pa.StructArray.from_arrays(arrays, fields=list(BBOX_TYPE), mask=pa.array(missing))
    return table.append_column("bbox", bbox)


def _layer_error(path: Path, layer: object, what: str, exc: Exception) -> InputError:
    """Return the error for a layer GDAL cannot read, with the command that lists the layers."""
    msg = f"{path}: cannot read layer {layer!r} of the {what} ({exc}); list layers with: ogrinfo {path}"
    return InputError(msg)
