"""Reading vector files with pyogrio (Arrow), with errors a user can act on."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import pandas as pd
import pyogrio

from geomap.errors import InputError

__all__ = ["choose_layer", "gdal_reason", "read_vector", "spatial_layers"]


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
        msg = f"{path}: cannot read layer {layer!r} of the {what} ({exc}); list layers with `ogrinfo {path}`"
        raise InputError(msg) from None
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
