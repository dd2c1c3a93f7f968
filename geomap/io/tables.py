"""Reading tables of remarks (CSV, XLSX) as they come out of Swedish Excel and incident logs.

Handles ``;`` or ``,`` (and tab) delimiters, decimal comma, UTF-8 with or without BOM and cp1252, and
finds the coordinate columns by name (lon/lat, latitud/longitud, E/N, easting/northing, x/y).
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from geomap.errors import InputError

__all__ = [
    "TABLE_SUFFIXES",
    "CoordinateColumns",
    "find_coordinate_columns",
    "normalise_name",
    "parse_numbers",
    "read_table",
]

TABLE_SUFFIXES = frozenset({".csv", ".txt", ".tsv", ".xlsx", ".xlsm"})

_DELIMITERS = (";", ",", "\t", "|")

# Coordinate column names after normalise_name(), as (first, second, kind) in order of preference.
_COORDINATE_NAMES: tuple[tuple[frozenset[str], frozenset[str], str], ...] = (
    (
        frozenset({"lon", "long", "lng", "longitude", "longitud", "lon_wgs84", "longitud_wgs84"}),
        frozenset({"lat", "latitude", "latitud", "lat_wgs84", "latitud_wgs84"}),
        "lonlat",
    ),
    (
        frozenset({"e", "easting", "east", "ost", "ostlig", "e_koordinat", "e_sweref", "x_e"}),
        frozenset({"n", "northing", "north", "nord", "nordlig", "n_koordinat", "n_sweref", "y_n"}),
        "en",
    ),
    (
        frozenset({"x", "x_koordinat", "xkoord", "x_koord", "x_coord", "koord_x", "x_sweref"}),
        frozenset({"y", "y_koordinat", "ykoord", "y_koord", "y_coord", "koord_y", "y_sweref"}),
        "xy",
    ),
)


@dataclass(frozen=True)
class CoordinateColumns:
    """The two coordinate columns of a table: ``first`` is nominally east/lon/x."""

    first: str
    second: str
    kind: str  # "lonlat", "en" or "xy"


def normalise_name(name: object) -> str:
    """Normalise a column name for matching: lower case, ASCII, ``_`` between words.

    Examples
    --------
    >>> normalise_name("  Önskad åtgärd ")
    'onskad_atgard'
    """
    text = unicodedata.normalize("NFKD", str(name)).encode("ascii", "ignore").decode("ascii")
    return re.sub(r"[^a-z0-9]+", "_", text.lower()).strip("_")


def _decode(raw: bytes, path: Path) -> tuple[str, str]:
    if raw.startswith(b"\xef\xbb\xbf"):
        return raw[3:].decode("utf-8", errors="strict"), "utf-8-sig"
    try:
        return raw.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        return raw.decode("cp1252", errors="replace"), "cp1252"


def _sniff_delimiter(text: str, path: Path) -> str:
    lines = [line for line in text.splitlines()[:50] if line.strip()]
    if not lines:
        msg = f"{path}: the file is empty; expected a header row and at least one remark"
        raise InputError(msg)
    best, best_score = "", 0
    for delimiter in _DELIMITERS:
        counts = [len(row) for row in csv.reader(lines, delimiter=delimiter)]
        header = counts[0]
        if header < 2:
            continue
        consistent = sum(1 for c in counts if c == header)
        score = consistent * 100 + header
        if score > best_score:
            best, best_score = delimiter, score
    if not best:
        msg = (
            f"{path}: found only one column in the header {lines[0][:80]!r}; "
            "expected columns separated by ';' or ',' (save as CSV with a delimiter)"
        )
        raise InputError(msg)
    return best


def read_table(
    path: str | Path, *, sheet: str | int | None = None
) -> tuple[pd.DataFrame, dict[str, str]]:
    r"""Read a CSV or XLSX table of remarks with every cell as text (or number for XLSX).

    Returns the frame and a dict describing how it was read (``encoding``, ``delimiter``).

    Examples
    --------
    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "a.csv"
    >>> _ = p.write_bytes("id;lat;lon\n1;59,2;17,9\n".encode("utf-8-sig"))
    >>> df, how = read_table(p)
    >>> how["delimiter"], how["encoding"], list(df.columns)
    (';', 'utf-8-sig', ['id', 'lat', 'lon'])
    """
    path = Path(path)
    if path.suffix.lower() in {".xlsx", ".xlsm"}:
        return _with_rows(_read_excel(path, sheet=sheet), path), {
            "encoding": "xlsx",
            "delimiter": "",
        }
    raw = path.read_bytes()
    text, encoding = _decode(raw, path)
    delimiter = _sniff_delimiter(text, path)
    try:
        frame = pd.read_csv(
            io.StringIO(text),
            sep=delimiter,
            dtype=str,
            keep_default_na=False,
            na_values=[""],
            skipinitialspace=True,
            engine="c",
        )
    except (pd.errors.ParserError, ValueError) as exc:
        msg = (
            f"{path}: cannot parse as a {delimiter!r}-delimited table ({exc}); check the delimiter"
        )
        raise InputError(msg) from None
    return _with_rows(frame, path), {"encoding": encoding, "delimiter": delimiter}


def _with_rows(frame: pd.DataFrame, path: Path) -> pd.DataFrame:
    """``frame`` with stripped column names; refuse a table without rows."""
    if frame.empty:
        msg = f"{path}: the table has a header but no rows; expected at least one remark"
        raise InputError(msg)
    frame.columns = [str(c).strip() for c in frame.columns]
    return frame


def _read_excel(path: Path, *, sheet: str | int | None) -> pd.DataFrame:
    try:
        frame = pd.read_excel(path, sheet_name=0 if sheet is None else sheet, engine="openpyxl")
    except (ValueError, KeyError, OSError) as exc:
        msg = f"{path}: cannot read the Excel workbook ({exc}); save it again as .xlsx"
        raise InputError(msg) from None
    except Exception as exc:  # openpyxl raises zipfile/XML errors for corrupt files
        msg = (
            f"{path}: not a readable .xlsx workbook ({type(exc).__name__}); save it again as .xlsx"
        )
        raise InputError(msg) from None
    return frame


def find_coordinate_columns(columns: list[str], *, path: Path | str) -> CoordinateColumns:
    """Find the coordinate columns among ``columns`` by name.

    Examples
    --------
    >>> find_coordinate_columns(["id", "Latitud", "Longitud"], path="a.csv")
    CoordinateColumns(first='Longitud', second='Latitud', kind='lonlat')
    """
    names = {normalise_name(c): c for c in columns}
    for firsts, seconds, kind in _COORDINATE_NAMES:
        first = next((names[n] for n in names if n in firsts), None)
        second = next((names[n] for n in names if n in seconds), None)
        if first is not None and second is not None:
            return CoordinateColumns(first, second, kind)
    shown = ", ".join(columns[:12])
    msg = (
        f"{path}: no coordinate columns found among [{shown}]; name them lon/lat, "
        "latitud/longitud, E/N, easting/northing or x/y"
    )
    raise InputError(msg)


_NUMBER = re.compile(r"^[+-]?(\d+([.,]\d*)?|[.,]\d+)([eE][+-]?\d+)?$")


def parse_numbers(values: pd.Series, *, column: str, path: Path | str) -> np.ndarray:
    """Parse a coordinate column that may use decimal comma and space thousands separators.

    Empty cells become NaN. Text that is not a number raises :class:`InputError` naming the rows.

    Examples
    --------
    >>> import pandas as pd
    >>> parse_numbers(pd.Series(["6 570 123,5", "", "17.9"]), column="N", path="a.csv").tolist()
    [6570123.5, nan, 17.9]
    """
    if pd.api.types.is_numeric_dtype(values):
        return values.to_numpy(dtype="float64", na_value=np.nan)
    text = values.astype("string").str.strip()
    text = text.str.replace(r"[\s\u00a0\u202f]", "", regex=True)
    empty = text.isna() | (text == "")
    ok = text.str.match(_NUMBER.pattern).fillna(False).astype(bool) | empty
    if not bool(ok.all()):
        bad = text[~ok]
        positions = np.flatnonzero(~ok.to_numpy())[:3]
        rows = ", ".join(f"row {p + 1}: {text.iloc[p]!r}" for p in positions)
        msg = (
            f"{path}: column {column!r} holds text that is not a coordinate ({len(bad)} rows; {rows}); "
            "fix those cells or leave them empty (empty coordinates are reported as unrouted)"
        )
        raise InputError(msg)
    numbers = text.where(~empty, None).str.replace(",", ".", regex=False)
    return pd.to_numeric(numbers, errors="coerce").to_numpy(dtype="float64", na_value=np.nan)
