"""Reading tables of remarks (CSV, XLSX) as they come out of Swedish Excel and incident logs.

Handles ``;`` or ``,`` (and tab) delimiters, decimal comma, UTF-8 with or without BOM, UTF-16 and
cp1252, and finds the coordinate columns by name (lon/lat, latitud/longitud, E/N, easting/northing,
x/y). A row with more fields than the header (an unquoted delimiter inside a text) is refused, never
shifted; merged XLSX cells are filled with the value of their top-left cell.
"""

from __future__ import annotations

import contextlib
import csv
import io
import re
import unicodedata
import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from geomap.errors import InputError

__all__ = [
    "COORDINATE_NAMES_HINT",
    "TABLE_SUFFIXES",
    "CoordinateColumns",
    "find_coordinate_columns",
    "normalise_name",
    "parse_numbers",
    "read_table",
]

TABLE_SUFFIXES = frozenset({".csv", ".txt", ".tsv", ".xlsx", ".xlsm"})

_DELIMITERS = (";", ",", "\t", "|")

#: How coordinate columns may be named, for messages.
COORDINATE_NAMES_HINT = "lon/lat, latitud/longitud, E/N, easting/northing or x/y"

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

# Python's csv module refuses fields over 131,072 characters unless told otherwise.
_FIELD_LIMIT = 2**31 - 1
_SKIPPED = re.compile(r"Skipping line (\d+): expected (\d+) fields, saw (\d+)")
_MERGE_REF = re.compile(rb"<(?:\w+:)?mergeCell\b[^>]*?\bref=\"([A-Z]+[0-9]+(?::[A-Z]+[0-9]+)?)\"")


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
        try:
            return raw[3:].decode("utf-8", errors="strict"), "utf-8-sig"
        except UnicodeDecodeError as exc:
            msg = (
                f"{path}: the file starts with a UTF-8 mark but byte {exc.start + 3} is not UTF-8; "
                "save it again as 'CSV UTF-8'"
            )
            raise InputError(msg) from None
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):  # Excel's "Unicode text" is UTF-16
        try:
            return raw.decode("utf-16"), "utf-16"
        except UnicodeDecodeError:
            msg = f"{path}: the file starts with a UTF-16 mark but is not UTF-16; save it again as 'CSV UTF-8'"
            raise InputError(msg) from None
    try:
        return raw.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        return raw.decode("cp1252", errors="replace"), "cp1252"


@contextlib.contextmanager
def _csv_field_limit() -> Iterator[None]:
    """Let the csv module read fields of any length (a long description is not an error)."""
    before = csv.field_size_limit()
    csv.field_size_limit(_FIELD_LIMIT)
    try:
        yield
    finally:
        csv.field_size_limit(before)


def _sniff_delimiter(text: str, path: Path) -> str:
    lines = [line for line in text.splitlines()[:50] if line.strip()]
    if not lines:
        msg = f"{path}: the file is empty; expected a header row and at least one remark"
        raise InputError(msg)
    best, best_score = "", 0
    with _csv_field_limit():
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
) -> tuple[pd.DataFrame, dict[str, Any]]:
    r"""Read a CSV or XLSX table of remarks with every cell as text (or number for XLSX).

    Returns the frame and a dict describing how it was read: ``encoding``, ``delimiter`` and
    ``warnings`` (renamed duplicate columns, skipped rows above an XLSX header …).

    Column names are stripped; an empty one becomes ``Unnamed: <position>``; two columns whose
    names differ only in case (a GeoPackage cannot hold both) or not at all: the second gets
    ``_2``, with a warning.

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
    notes: list[str] = []
    if path.suffix.lower() in {".xlsx", ".xlsm"}:
        frame = _read_excel(path, sheet=sheet, notes=notes)
        return _with_rows(frame, path), {
            "encoding": "xlsx",
            "delimiter": "",
            "warnings": notes,
        }
    try:
        raw = path.read_bytes()
    except OSError as exc:
        msg = f"{path}: cannot read the file ({exc.strerror or exc}); check the path and its permissions"
        raise InputError(msg) from None
    text, encoding = _decode(raw, path)
    delimiter = _sniff_delimiter(text, path)
    frame = _parse_csv(text, delimiter, path, notes)
    return _with_rows(frame, path), {
        "encoding": encoding,
        "delimiter": delimiter,
        "warnings": notes,
    }


def _read_csv_text(text: str, delimiter: str, path: Path, **options: Any) -> pd.DataFrame:
    try:
        return pd.read_csv(
            io.StringIO(text),
            sep=delimiter,
            header=None,
            dtype=str,
            keep_default_na=False,
            na_values=[""],
            skipinitialspace=True,
            engine="c",
            **options,
        )
    except (pd.errors.ParserError, ValueError) as exc:
        msg = (
            f"{path}: cannot parse as a {delimiter!r}-delimited table ({exc}); check the delimiter"
        )
        raise InputError(msg) from None
    except pd.errors.EmptyDataError:
        msg = f"{path}: the file is empty; expected a header row and at least one remark"
        raise InputError(msg) from None


def _parse_csv(text: str, delimiter: str, path: Path, notes: list[str]) -> pd.DataFrame:
    """Parse the CSV text with the header's columns; refuse rows with more fields than the header.

    pandas would silently use the first column as an index when the data rows have one field
    more than the header, which shifts every column; here such rows are an error naming them,
    unless the extra fields are all empty (a trailing delimiter).
    """
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", pd.errors.ParserWarning)
        frame = _read_csv_text(text, delimiter, path, on_bad_lines="warn")
    skipped = [
        (int(m[1]), int(m[2]), int(m[3])) for w in caught for m in _SKIPPED.finditer(str(w.message))
    ]
    if skipped:
        width = skipped[0][1]
        wide = _read_csv_text(text, delimiter, path, names=range(max(s[2] for s in skipped)))
        extra = wide.iloc[:, width:].notna().any(axis=1).to_numpy()
        if extra.any():
            _refuse_long_rows(np.flatnonzero(extra), width, delimiter, path)
        frame = wide.iloc[:, :width]
    header = frame.iloc[0].tolist()
    frame = frame.iloc[1:].reset_index(drop=True)
    frame.columns = _header_names(header, path, notes)
    return frame


def _refuse_long_rows(lines: np.ndarray, width: int, delimiter: str, path: Path) -> None:
    """Raise for rows (0 = header) that hold more fields than the header names."""
    rows = ", ".join(str(int(i)) for i in lines[:8]) + (" …" if len(lines) > 8 else "")
    shown = "tab" if delimiter == "\t" else repr(delimiter)
    many = len(lines) > 1
    msg = (
        f"{path}: {len(lines)} {'rows' if many else 'row'} ({'rows' if many else 'row'} {rows}; "
        f"the first row below the header is 1) {'have' if many else 'has'} more fields than the "
        f"header's {width} columns: a {shown} inside a text is not quoted; put such texts in "
        f"double quotes (Excel does this when it saves CSV) or remove the {shown}"
    )
    raise InputError(msg)


def _header_names(values: list[object], path: Path, notes: list[str]) -> list[str]:
    """Return stripped names; empty ones ``Unnamed: <i>``; case-only duplicates get ``_2`` …."""
    names: list[str] = []
    taken: set[str] = set()
    for i, value in enumerate(values):
        name = "" if value is None or (isinstance(value, float) and np.isnan(value)) else str(value)
        name = name.strip() or f"Unnamed: {i}"
        base, n = name, 1
        while name.casefold() in taken:
            n += 1
            name = f"{base}_{n}"
        if n > 1:
            notes.append(
                f"{path}: two columns are named {base!r} (GeoPackage column names ignore case); "
                f"the later one is read as {name!r}"
            )
        taken.add(name.casefold())
        names.append(name)
    return names


def _with_rows(frame: pd.DataFrame, path: Path) -> pd.DataFrame:
    """Return ``frame``; refuse a table without rows."""
    if frame.empty:
        msg = f"{path}: the table has a header but no rows; expected at least one remark"
        raise InputError(msg)
    return frame


def _read_excel(path: Path, *, sheet: str | int | None, notes: list[str]) -> pd.DataFrame:
    """Read a sheet with openpyxl: merged cells filled, rows above the header skipped."""
    import openpyxl

    try:
        book = openpyxl.load_workbook(path, read_only=True, data_only=True, keep_links=False)
    except OSError as exc:
        msg = f"{path}: cannot read the Excel workbook ({exc}); save it again as .xlsx"
        raise InputError(msg) from None
    except Exception as exc:  # openpyxl raises zipfile/XML/KeyError for corrupt files
        msg = (
            f"{path}: not a readable .xlsx workbook ({type(exc).__name__}); save it again as .xlsx"
        )
        raise InputError(msg) from None
    try:
        worksheet = _worksheet(book, sheet, path)
        worksheet.reset_dimensions()  # declared dimensions can be wrong
        grid = [list(row) for row in worksheet.iter_rows(values_only=True)]
        merged = _merged_ranges(worksheet)
    except InputError:
        raise
    except Exception as exc:
        msg = (
            f"{path}: not a readable .xlsx workbook ({type(exc).__name__}); save it again as .xlsx"
        )
        raise InputError(msg) from None
    finally:
        book.close()
    _fill_merged(grid, merged)
    return _grid_frame(grid, path, notes)


def _worksheet(book: Any, sheet: str | int | None, path: Path) -> Any:
    names = list(book.sheetnames)
    if sheet is None:
        sheet = 0
    if isinstance(sheet, int) and 0 <= sheet < len(names):
        return book.worksheets[sheet]
    if isinstance(sheet, str) and sheet in names:
        return book[sheet]
    msg = f"{path}: the workbook has no sheet {sheet!r} (sheets: {', '.join(names)}); pass one of them as `layer`"
    raise InputError(msg)


def _merged_ranges(worksheet: Any) -> list[tuple[int, int, int, int]]:
    """(min_col, min_row, max_col, max_row) of every merged range, read from the sheet's XML.

    A read-only worksheet does not expose its merged cells; they are listed after the cell data,
    so the XML is scanned in chunks for ``<mergeCell ref="…"/>``.
    """
    from openpyxl.utils.cell import range_boundaries

    source = getattr(worksheet, "_get_source", None)
    if source is None:
        return []
    refs: list[bytes] = []
    with source() as handle:
        tail = b""
        while chunk := handle.read(1 << 20):
            data = tail + chunk
            if b"mergeCell" in data:
                refs += [m[1] for m in _MERGE_REF.finditer(data)]
                last = data.rfind(b"<")
                tail = data[last:] if last >= 0 and b">" not in data[last:] else b""
            else:
                tail = data[-64:]
    return [tuple(range_boundaries(ref.decode("ascii"))) for ref in dict.fromkeys(refs)]  # type: ignore[misc]


def _fill_merged(grid: list[list[object]], merged: list[tuple[int, int, int, int]]) -> None:
    """Give every cell of a merged range the value of its top-left cell (in place)."""
    for min_col, min_row, max_col, max_row in merged:
        if min_row > len(grid):
            continue
        top = grid[min_row - 1]
        value = top[min_col - 1] if min_col <= len(top) else None
        if value is None:
            continue
        for row in grid[min_row - 1 : max_row]:
            if len(row) < max_col:
                row.extend([None] * (max_col - len(row)))
            row[min_col - 1 : max_col] = [value] * (max_col - min_col + 1)


def _grid_frame(grid: list[list[object]], path: Path, notes: list[str]) -> pd.DataFrame:
    """Return the sheet's cells as a frame: header = first row with two or more values; no blank rows."""
    width = max((len(row) for row in grid), default=0)
    raw = pd.DataFrame([row + [None] * (width - len(row)) for row in grid], dtype=object)
    if raw.empty:
        return pd.DataFrame()
    blank = raw.isna() | raw.apply(lambda c: c.astype(str).str.strip() == "")
    filled = (~blank).sum(axis=1).to_numpy()
    candidates = np.flatnonzero(filled >= min(2, int(filled.max(initial=0))))
    if not len(candidates) or filled.max(initial=0) == 0:
        return pd.DataFrame()
    top = int(candidates[0])
    if top:
        notes.append(f"{path}: the header is row {top + 1}; rows 1–{top} above it were skipped")
    keep_cols = ~blank.iloc[top:].all(axis=0).to_numpy()
    body = raw.iloc[top + 1 :, keep_cols]
    body = body[~blank.iloc[top + 1 :, keep_cols].all(axis=1)].reset_index(drop=True)
    body.columns = _header_names(raw.iloc[top, keep_cols].tolist(), path, notes)
    body = body.infer_objects()
    for column in body.columns:
        if body[column].dtype == object:  # mixed text and numbers: all text, as in a CSV
            values = body[column]
            body[column] = values.where(values.isna(), values.astype(str))
    return body


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
    msg = f"{path}: no coordinate columns found among [{shown}]; name them {COORDINATE_NAMES_HINT}"
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
