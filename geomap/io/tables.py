"""Reading tables of remarks (CSV, XLSX) as they come out of Swedish Excel and incident logs.

Handles ``;`` or ``,`` (and tab) delimiters, decimal comma, UTF-8 with or without BOM, UTF-16 and
cp1252, and finds the coordinate columns by name (lon/lat, latitud/longitud, E/N, easting/northing,
x/y). A row with more fields than the header (an unquoted delimiter inside a text) is refused, never
shifted; merged XLSX cells are filled with the value of their top-left cell.
"""

from __future__ import annotations

import codecs
import contextlib
import csv
import io
import logging
import re
import threading
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

log = logging.getLogger(__name__)

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
# A valid UTF-8 sequence of two to four bytes (a letter beyond ASCII written as UTF-8).
_UTF8_SEQUENCE = re.compile(
    rb"[\xc2-\xdf][\x80-\xbf]|\xe0[\xa0-\xbf][\x80-\xbf]|[\xe1-\xec\xee\xef][\x80-\xbf]{2}"
    rb"|\xed[\x80-\x9f][\x80-\xbf]|\xf0[\x90-\xbf][\x80-\xbf]{2}|[\xf1-\xf3][\x80-\xbf]{3}"
    rb"|\xf4[\x80-\x8f][\x80-\xbf]{2}"
)
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


def _without_nul(text: str, path: Path, notes: list[str]) -> str:
    """Remove NUL characters: GDAL's GeoPackage text (C strings) would cut the text at them."""
    lines = [i + 1 for i, line in enumerate(text.split("\n")) if "\x00" in line]
    shown = ", ".join(str(n) for n in lines[:5]) + (" …" if len(lines) > 5 else "")
    notes.append(
        f"{path}: {text.count(chr(0))} NUL characters removed (line {shown} of the file): a "
        "GeoPackage text cannot hold them, and the text after one would be lost"
    )
    return text.replace("\x00", "")


def _decode(raw: bytes, path: Path) -> tuple[str, str, list[str]]:
    """Return the text, the encoding's name and warnings about how it was decoded.

    A byte-order mark decides (UTF-8 or UTF-16); else UTF-16 without a mark is told by its zero
    bytes; else UTF-8; else cp1252 (Windows), or, when the file also holds valid UTF-8 letters,
    UTF-8 with every byte sequence that is not UTF-8 read as cp1252, with a warning naming lines.
    """
    if raw.startswith(b"\xef\xbb\xbf"):
        try:
            return raw[3:].decode("utf-8", errors="strict"), "utf-8-sig", []
        except UnicodeDecodeError as exc:
            msg = (
                f"{path}: the file starts with a UTF-8 mark but byte {exc.start + 3} is not UTF-8; "
                "save it again as 'CSV UTF-8'"
            )
            raise InputError(msg) from None
    utf16 = "utf-16" if raw.startswith((b"\xff\xfe", b"\xfe\xff")) else _utf16_without_bom(raw)
    if utf16:  # Excel's "Unicode text" is UTF-16
        try:
            return raw.decode(utf16), utf16, []
        except UnicodeDecodeError:
            mark = (
                "starts with a UTF-16 mark" if utf16 == "utf-16" else f"looks like {utf16.upper()}"
            )
            msg = f"{path}: the file {mark} but is not valid UTF-16; save it again as 'CSV UTF-8'"
            raise InputError(msg) from None
    try:
        return raw.decode("utf-8"), "utf-8", []
    except UnicodeDecodeError:
        pass
    if not _UTF8_SEQUENCE.search(raw):
        return raw.decode("cp1252", errors="replace"), "cp1252", []
    return _decode_mixed(raw, path)


def _utf16_without_bom(raw: bytes) -> str:
    """Return ``"utf-16-le"``/``"utf-16-be"`` when the first KB's zero bytes say so, else ``""``.

    Text in UTF-16 has a zero byte beside every ASCII character: at the odd positions for little
    endian, at the even ones for big endian; no 8-bit text has that.
    """
    head = np.frombuffer(raw[: min(len(raw), 1024) // 2 * 2], dtype=np.uint8)
    if len(head) < 4:
        return ""
    even, odd = (head[0::2] == 0).mean(), (head[1::2] == 0).mean()
    if odd >= 0.4 and even <= 0.05:
        return "utf-16-le"
    if even >= 0.4 and odd <= 0.05:
        return "utf-16-be"
    return ""


_FALLBACK = threading.local()


def _cp1252_fallback(exc: UnicodeError) -> tuple[str, int]:
    """Codec error handler: read a byte sequence that is not UTF-8 as cp1252 (and note where)."""
    if not isinstance(exc, UnicodeDecodeError):
        raise exc
    _FALLBACK.positions.append(exc.start)
    return exc.object[exc.start : exc.end].decode("cp1252", errors="replace"), exc.end


codecs.register_error("geomap-cp1252-fallback", _cp1252_fallback)


def _decode_mixed(raw: bytes, path: Path) -> tuple[str, str, list[str]]:
    """Decode UTF-8 with cp1252 for the byte sequences that are not UTF-8; warn naming the lines."""
    _FALLBACK.positions = []
    try:
        text = raw.decode("utf-8", errors="geomap-cp1252-fallback")
        positions = np.array(_FALLBACK.positions, dtype="int64")
    finally:
        del _FALLBACK.positions
    data = np.frombuffer(raw, dtype=np.uint8)
    breaks = np.flatnonzero(data == (0x0A if 0x0A in data else 0x0D))
    lines = np.unique(np.searchsorted(breaks, positions, side="right") + 1)
    shown = ", ".join(str(n) for n in lines[:5]) + (" …" if len(lines) > 5 else "")
    many = len(lines) > 1
    note = (
        f"{path}: the file mixes encodings: it is UTF-8, but {len(lines)} "
        f"{'lines' if many else 'line'} ({'lines' if many else 'line'} {shown} of the file) "
        f"{'are' if many else 'is'} not UTF-8 and {'were' if many else 'was'} read as cp1252 "
        "(Windows); check their letters (å, ä, ö) and save the file again as 'CSV UTF-8'"
    )
    return text, "utf-8+cp1252", [note]


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

    Returns the frame and a dict describing how it was read: ``encoding``, ``delimiter``,
    ``sep_line`` (the CSV began with Excel's ``sep=;`` line, which was honoured and skipped),
    ``empty_rows`` (rows empty in every cell, dropped) and ``warnings`` (renamed duplicate
    columns, skipped rows above an XLSX header, mixed encodings …).

    Column names are stripped; an empty one becomes ``Unnamed: <position>``; two columns whose
    names differ only in case (a GeoPackage cannot hold both) or not at all: the second gets
    ``_2``, with a warning. Columns without a name and without a value are dropped. A ``.csv``
    or ``.txt`` that is really a workbook, a GeoPackage or a PDF is refused saying so.

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
    how: dict[str, Any] = {"encoding": "xlsx", "delimiter": "", "sep_line": False, "warnings": []}
    if path.suffix.lower() in {".xlsx", ".xlsm"}:
        frame = _read_excel(path, sheet=sheet, how=how)
        return _with_rows(frame, path), how
    try:
        raw = path.read_bytes()
    except OSError as exc:
        msg = f"{path}: cannot read the file ({exc.strerror or exc}); check the path and its permissions"
        raise InputError(msg) from None
    _refuse_binary(raw, path)
    text, how["encoding"], how["warnings"] = _decode(raw, path)
    if sheet is not None:
        how["warnings"].append(
            f"{path}: a CSV file has no layers or sheets; `layer` {sheet!r} is ignored"
        )
    if "\x00" in text:
        text = _without_nul(text, path, how["warnings"])
    hint = _SEP_LINE.match(text)
    if hint:
        text, how["delimiter"], how["sep_line"] = text[hint.end() :], hint[1], True
        log.info("%s: the first line %r says the delimiter; it is skipped", path, hint[0].strip())
    else:
        how["delimiter"] = _sniff_delimiter(text, path)
    frame = _parse_csv(text, how["delimiter"], path, how)
    return _with_rows(frame, path), how


# What a file that is not text really is, told by its first bytes: (magic, what it is, the fix).
_MAGIC = (
    (
        b"PK\x03\x04",
        "a ZIP archive, most likely an Excel workbook (.xlsx)",
        "rename it to .xlsx, or open it in Excel and save it as CSV",
    ),
    (
        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1",
        "an old Excel workbook (.xls)",
        "open it in Excel and save it as .xlsx or CSV",
    ),
    (
        b"SQLite format 3\x00",
        "an SQLite database, most likely a GeoPackage (.gpkg)",
        "rename it to .gpkg",
    ),
    (b"%PDF", "a PDF document", "export the table from its source as CSV or XLSX"),
    (b"\x1f\x8b", "a gzip archive", "unpack it first"),
)
# Excel's first line naming the delimiter: sep=; (honoured and skipped, as Excel does).
_SEP_LINE = re.compile(r"\A\"?sep=([^\w\s\"']|\t)\"?[ ]*(?:\r\n|\n|\r|\Z)", re.IGNORECASE)


def _refuse_binary(raw: bytes, path: Path) -> None:
    """Refuse a ``.csv``/``.txt`` whose first bytes say it is a workbook, a database, a PDF …."""
    for magic, what, fix in _MAGIC:
        if raw.startswith(magic):
            msg = (
                f"{path}: the file is not a text table but {what} with a {path.suffix or 'text'} "
                f"name; {fix}"
            )
            raise InputError(msg)


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


def _parse_csv(text: str, delimiter: str, path: Path, how: dict[str, Any]) -> pd.DataFrame:
    """Parse the CSV text with the header's columns; refuse rows with more fields than the header.

    pandas would silently use the first column as an index when the data rows have one field
    more than the header, which shifts every column; here such rows are an error naming them,
    unless the extra fields are all empty (a trailing delimiter). Columns without a name and
    without a value (a trailing delimiter on every line) and rows empty in every cell are dropped,
    counted in ``how["empty_rows"]`` with one warning.
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
    header = frame.iloc[0]
    unnamed = header.isna().to_numpy()
    hollow = unnamed & frame.iloc[1:].isna().all(axis=0).to_numpy()
    if hollow.any():  # a trailing delimiter on every line: columns without name or value
        frame, header = frame.loc[:, ~hollow], header[~hollow]
    body = frame.iloc[1:]
    empty = body.isna().all(axis=1).to_numpy()
    how["empty_rows"] = int(empty.sum())
    if empty.any():
        _note_empty_rows(np.flatnonzero(empty), path, how["warnings"])
        body = body.loc[~empty]
    # The index is the data row number (1 = the first row below the header), kept across dropped
    # empty rows so that a remark's source_row is the row a person finds in the file.
    body.index = (
        pd.RangeIndex(1, len(frame))[~empty] if empty.any() else pd.RangeIndex(1, len(frame))
    )
    body.columns = _header_names(header.tolist(), path, how["warnings"])
    return body


def _note_empty_rows(rows: np.ndarray, path: Path, notes: list[str]) -> None:
    """Warn once about rows that are empty in every cell (``;;;``): they are not remarks."""
    shown = ", ".join(str(int(i) + 1) for i in rows[:5]) + (" …" if len(rows) > 5 else "")
    many = len(rows) > 1
    notes.append(
        f"{path}: {len(rows)} {'rows are' if many else 'row is'} empty in every cell "
        f"({'rows' if many else 'row'} {shown}; the first row below the header is 1) and "
        f"{'were' if many else 'was'} skipped: empty rows are not remarks"
    )


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


def _read_excel(path: Path, *, sheet: str | int | None, how: dict[str, Any]) -> pd.DataFrame:
    """Read a sheet with openpyxl: merged cells filled, rows above the header skipped."""
    import openpyxl

    _refuse_not_a_workbook(path)
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
        names, title = list(book.sheetnames), str(worksheet.title)
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
    frame = _grid_frame(grid, path, how)
    if frame.empty and not len(frame.columns):
        others = [n for n in names if n != title]
        hint = f"; the workbook's other sheets: {', '.join(others)}" if others else ""
        msg = (
            f"{path}: sheet {title!r} holds no table{hint}; pass the sheet with the remarks as "
            "`layer`, or put a header row and the remarks on this sheet"
        )
        raise InputError(msg)
    return frame


def _refuse_not_a_workbook(path: Path) -> None:
    """Refuse a ``.xlsx`` that is not a ZIP archive: a text table or an old ``.xls`` renamed."""
    try:
        with path.open("rb") as handle:
            head = handle.read(4096)
    except OSError as exc:
        msg = f"{path}: cannot read the file ({exc.strerror or exc}); check the path and its permissions"
        raise InputError(msg) from None
    if head.startswith(b"PK\x03\x04"):
        return
    if head.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        what, fix = "an old Excel workbook (.xls)", "open it in Excel and save it as .xlsx"
    elif head and b"\x00" not in head and _text_like(head):
        what, fix = "text (a CSV table?)", f"rename it to {path.stem}.csv"
    else:
        what, fix = "no Excel workbook", "save it again from Excel as .xlsx"
    msg = f"{path}: not a readable .xlsx workbook: the file is {what}; {fix}"
    raise InputError(msg)


def _text_like(head: bytes) -> bool:
    """Tell whether bytes read as UTF-8 or cp1252 text without control characters."""
    text = head.decode("cp1252", errors="replace")  # UTF-8 bytes read as cp1252 are no controls
    return not re.search(r"[\x00-\x08\x0e-\x1f]", text)


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


def _grid_frame(grid: list[list[object]], path: Path, how: dict[str, Any]) -> pd.DataFrame:
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
    notes = how["warnings"]
    if top:
        notes.append(f"{path}: the header is row {top + 1}; rows 1–{top} above it were skipped")
    keep_cols = ~blank.iloc[top:].all(axis=0).to_numpy()
    body = raw.iloc[top + 1 :, keep_cols]
    empty = blank.iloc[top + 1 :, keep_cols].all(axis=1).to_numpy()
    how["empty_rows"] = int(empty.sum())
    if empty.any():
        _note_empty_rows(np.flatnonzero(empty), path, notes)
    body = body[~empty]
    body.index = pd.Index(np.arange(1, len(empty) + 1)[~empty])  # data row numbers, as for CSV
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
# What a coordinate cell holds when there is no coordinate (compared after casefold()): empty,
# pandas' and QGIS' NaN, R's NA, SQL's NULL, Python's None, a dash. Other text (okänd, N/A …)
# is refused naming the rows: it may be a coordinate written in a way geomap does not read.
_MISSING_NUMBER = ("", "nan", "na", "null", "none", "-")


def parse_numbers(values: pd.Series, *, column: str, path: Path | str) -> np.ndarray:
    """Parse a coordinate column that may use decimal comma and space thousands separators.

    Empty cells and the texts that say "no value" (``NaN``, ``NA``, ``null``, ``None``, ``-``, in
    any case) become NaN. Text that is not a number raises :class:`InputError` naming the rows.

    Examples
    --------
    >>> import pandas as pd
    >>> parse_numbers(pd.Series(["6 570 123,5", "", "17.9", "NaN"]), column="N", path="a.csv").tolist()
    [6570123.5, nan, 17.9, nan]
    """
    if pd.api.types.is_numeric_dtype(values):
        return values.to_numpy(dtype="float64", na_value=np.nan)
    text = values.astype("string").str.strip()
    text = text.str.replace(r"[\s\u00a0\u202f]", "", regex=True)
    empty = text.isna() | text.str.casefold().isin(_MISSING_NUMBER).fillna(False).astype(bool)
    ok = text.str.match(_NUMBER.pattern).fillna(False).astype(bool) | empty
    if not bool(ok.all()):
        bad = text[~ok]
        positions = np.flatnonzero(~ok.to_numpy())[:3]
        rows = ", ".join(f"row {p + 1}: {text.iloc[p]!r}" for p in positions)
        msg = (
            f"{path}: column {column!r} holds text that is not a coordinate ({len(bad)} {'row' if len(bad) == 1 else 'rows'}; {rows}); "
            "fix those cells or leave them empty (empty coordinates are reported as unrouted)"
        )
        raise InputError(msg)
    numbers = text.where(~empty, None).str.replace(",", ".", regex=False)
    return pd.to_numeric(numbers, errors="coerce").to_numpy(dtype="float64", na_value=np.nan)
