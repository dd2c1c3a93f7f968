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
import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyogrio

__all__ = ["FIXED_DATE", "write_export_csv", "write_gpkg"]

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
    append: bool = False,
) -> Path:
    """Write ``frame`` as one GeoPackage layer with a description and layer metadata.

    With ``append`` the rows are added to the existing layer (its description and metadata kept).

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
    if append:
        options["append"] = True
    else:
        options["layer_options"] = {"DESCRIPTION": description}
        options["metadata"] = metadata or {}
    with _fixed_gdal_date():
        pyogrio.write_dataframe(
            frame, target, layer=layer, driver="GPKG", use_arrow=True, **options
        )
    return target


def write_export_csv(
    frame: pd.DataFrame,
    path: str | os.PathLike[str],
    *,
    decimals: int,
    encoding: str = "utf-8-sig",
    append: bool = False,
) -> Path:
    r"""Write a Swedish Excel-style CSV: ``;`` delimiter, decimal comma, CRLF line ends.

    ``utf-8-sig`` writes UTF-8 with a byte-order mark; ``cp1252`` is the older Windows encoding.
    Float columns get ``decimals`` decimals; missing values are written as empty fields; text is
    quoted only where needed (as :mod:`csv` does). Vectorised: a million rows take a few seconds.
    With ``append`` the rows are added to an existing file without a second header (or BOM).

    Examples
    --------
    >>> import tempfile
    >>> p = write_export_csv(pd.DataFrame({"a": [1.5]}), Path(tempfile.mkdtemp()) / "x.csv", decimals=2)
    >>> p.read_bytes()
    b'\xef\xbb\xbfa\r\n1,50\r\n'
    """
    target = Path(path)
    if append and encoding == "utf-8-sig":
        encoding = "utf-8"  # the byte-order mark is already at the start of the file
    with target.open("a" if append else "w", encoding=encoding, errors="strict", newline="") as out:
        if not append:
            out.write(_SEP.join(_quote(str(c)) for c in frame.columns) + _EOL)
        for start in range(0, len(frame), _CHUNK):
            chunk = frame.iloc[start : start + _CHUNK]
            cells = [_text_column(chunk[c], decimals) for c in chunk.columns]
            lines = pc.binary_join_element_wise(*cells, _SEP) if len(cells) > 1 else cells[0]
            out.write(_EOL.join(lines.to_pylist()) + _EOL)
    return target


_SEP = ";"
_EOL = "\r\n"
_CHUNK = 250_000
_NEEDS_QUOTES = '[;"\r\n]'


def _quote(text: str) -> str:
    """Quote a field the way :data:`csv.QUOTE_MINIMAL` does."""
    if any(ch in text for ch in (_SEP, '"', "\r", "\n")):
        return '"' + text.replace('"', '""') + '"'
    return text


def _text_column(column: pd.Series, decimals: int) -> pa.Array:
    """One column as CSV field texts, an Arrow string array without nulls (vectorised)."""
    if pd.api.types.is_float_dtype(column.dtype):
        return _decimal_comma(column.to_numpy(dtype=float), decimals)
    if pd.api.types.is_integer_dtype(column.dtype) and not column.hasnans:
        return pc.cast(pa.array(column.to_numpy()), pa.string())
    text = pc.cast(pa.array(column, from_pandas=True), pa.string())
    quote = pc.fill_null(pc.match_substring_regex(text, _NEEDS_QUOTES), False)
    if pc.any(quote).as_py():
        quoted = pc.binary_join_element_wise('"', pc.replace_substring(text, '"', '""'), '"', "")
        text = pc.if_else(quote, quoted, text)
    return pc.fill_null(text, "")


def _decimal_comma(values: np.ndarray, decimals: int) -> pa.Array:
    """``%.{decimals}f`` with a decimal comma, NaN as empty (vectorised integer arithmetic)."""
    missing = ~np.isfinite(values)
    scaled = np.round(np.where(missing, 0.0, values) * 10**decimals).astype(np.int64)
    whole, frac = np.divmod(np.abs(scaled), 10**decimals)
    text = pc.cast(pa.array(whole), pa.string())
    if decimals:
        frac_text = pc.utf8_lpad(pc.cast(pa.array(frac), pa.string()), decimals, "0")
        text = pc.binary_join_element_wise(text, frac_text, ",")
    negative = np.signbit(values) & ~missing  # like printf: -0.4 → "-0", -0.0 → "-0,0"
    text = pc.if_else(pa.array(negative), pc.binary_join_element_wise("-", text, ""), text)
    return pc.if_else(pa.array(missing), "", text)
