"""Reading vector files with pyogrio (Arrow), with errors a user can act on."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import pandas as pd
import pyogrio

from geomap.errors import InputError

__all__ = ["read_vector"]


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
        reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        msg = f"{path}: the {what} is not a readable vector file ({reason}); check the file and its format"
        raise InputError(msg) from None
