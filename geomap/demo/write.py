"""Deterministic writers for the demo files: Swedish CSV exports and GeoPackages.

Outputs are byte-for-byte reproducible: GeoPackages get a fixed ``last_change`` date (GDAL's
``OGR_CURRENT_DATE``), CSVs have no timestamps of their own.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pyogrio

__all__ = ["FIXED_DATE", "write_csv", "write_gpkg"]

#: The ``last_change`` written into every demo GeoPackage (no wall-clock time in outputs).
FIXED_DATE = "2025-01-01T00:00:00.000Z"


@contextlib.contextmanager
def _fixed_gdal_date() -> Iterator[None]:
    """Set GDAL's ``OGR_CURRENT_DATE`` for the duration of a write, then restore it."""
    before = pyogrio.get_gdal_config_option("OGR_CURRENT_DATE")
    pyogrio.set_gdal_config_options({"OGR_CURRENT_DATE": FIXED_DATE})
    try:
        yield
    finally:
        pyogrio.set_gdal_config_options({"OGR_CURRENT_DATE": before})


def write_gpkg(
    frame: gpd.GeoDataFrame,
    path: str | os.PathLike[str],
    *,
    layer: str,
    description: str,
    metadata: dict[str, str] | None = None,
    geometry_type: str | None = None,
) -> Path:
    """Write ``frame`` as one GeoPackage layer with a description and layer metadata.

    Examples
    --------
    >>> import tempfile, shapely
    >>> f = gpd.GeoDataFrame({"a": [1]}, geometry=[shapely.Point(0, 0)], crs="EPSG:3011")
    >>> p = write_gpkg(f, Path(tempfile.mkdtemp()) / "x.gpkg", layer="x", description="SYNTETISK")
    >>> pyogrio.read_info(p)["layer_metadata"]["DESCRIPTION"]
    'SYNTETISK'
    """
    target = Path(path)
    options: dict[str, object] = {}
    if geometry_type is not None:
        options["geometry_type"] = geometry_type
        options["promote_to_multi"] = geometry_type.startswith("Multi")
    with _fixed_gdal_date():
        pyogrio.write_dataframe(
            frame,
            target,
            layer=layer,
            driver="GPKG",
            use_arrow=True,
            layer_options={"DESCRIPTION": description},
            metadata=metadata or {},
            **options,
        )
    return target


def write_csv(
    frame: pd.DataFrame,
    path: str | os.PathLike[str],
    *,
    decimals: int,
    encoding: str = "utf-8-sig",
) -> Path:
    """Write a Swedish Excel-style CSV: ``;`` delimiter, decimal comma, CRLF line ends.

    ``utf-8-sig`` writes UTF-8 with a byte-order mark; ``cp1252`` is the older Windows encoding.
    Missing values are written as empty fields.

    Examples
    --------
    >>> import tempfile
    >>> p = write_csv(pd.DataFrame({"a": [1.5]}), Path(tempfile.mkdtemp()) / "x.csv", decimals=2)
    >>> p.read_bytes()
    b'\\xef\\xbb\\xbfa\\r\\n1,50\\r\\n'
    """
    target = Path(path)
    frame.to_csv(
        target,
        sep=";",
        decimal=",",
        float_format=f"%.{decimals}f",
        index=False,
        encoding=encoding,
        errors="strict",
        lineterminator="\r\n",
    )
    return target
