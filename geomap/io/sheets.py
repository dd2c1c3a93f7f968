"""The one writer of Swedish spreadsheet files: CSV as Swedish Excel reads it, and XLSX.

CSV: ``;`` between fields, decimal comma, UTF-8 with BOM, CRLF line ends, date-times as
``2025-06-01 14:30``; formatted column by column with Arrow compute kernels. XLSX (written with
xlsxwriter in constant-memory mode, row by row): one sheet per table with a bold, frozen header
row, an autofilter, column widths from the content, real date-times (``yyyy-mm-dd hh:mm``) and,
where asked, link columns as hyperlink cells, list choices (data validation), hidden columns, a
protected sheet with editable columns, highlighted rows and formula columns. In both, text that
a spreadsheet would run as a formula is neutralised (see
:func:`geomap.io.sanitize.neutralise_formula_text`); in XLSX, control characters (which the format
cannot hold) are removed and text longer than a cell holds (32,767 characters) is cut, each with
a warning naming the file, sheet, columns and rows.
"""

from __future__ import annotations

import collections
import logging
import os
import re
import struct
import tempfile
import zipfile
import zlib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from geomap.errors import GeomapError
from geomap.io.sanitize import FORMULA_PREFIXES
from geomap.io.sanitize import neutralise_formula_text as _neutral

__all__ = [
    "CSV_DATE_FORMAT",
    "EXCEL_MAX_CELL",
    "EXCEL_MAX_LINKS",
    "EXCEL_MAX_ROWS",
    "write_csv",
    "write_csv_groups",
    "write_xlsx",
    "write_xlsx_groups",
]

#: Data rows that fit on one Excel sheet below the header (1,048,576 rows in all).
EXCEL_MAX_ROWS = 1_048_575
#: Characters one Excel cell holds.
EXCEL_MAX_CELL = 32_767
#: Hyperlink cells one Excel sheet holds; further links are ``HYPERLINK`` formulas.
EXCEL_MAX_LINKS = 65_530
#: How :func:`write_csv` writes date-times (XLSX cells get ``yyyy-mm-dd hh:mm``).
CSV_DATE_FORMAT = "%Y-%m-%d %H:%M"
_XLSX_DATE_FORMAT = "yyyy-mm-dd hh:mm"
_LOCAL_ZONE = "Europe/Stockholm"
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
_MAX_WIDTH = 60
_ROWS_SHOWN = 5  # rows a warning names per column
_MAX_URL = 2_079  # characters of a hyperlink target Excel accepts
_MAX_FORMULA_TEXT = 255  # characters of a text literal inside a formula
_INLINE_CHOICES = 255  # characters of an inline list of choices
_CHOICES_SHEET = "_Val"
_NEEDS_ESCAPE = "[&<>\r\ufffe\uffff]|_x[0-9A-Fa-f]{4}_"  # text that _xml changes
_DISTINCT_FROM = 5_000  # rows from which text is prepared once per distinct value
_FILL = "#FCE4D6"  # highlighted (e.g. overdue) rows: light orange
_EPOCH = np.datetime64("1899-12-30T00:00:00", "ns")  # Excel's day 0 (1900 date system)
_CHOICE_ERROR = ("Ogiltigt värde", "Välj ett av värdena i listan.")
_WORKBOOK_OPTIONS = {
    "constant_memory": True,
    "nan_inf_to_errors": True,
    "strings_to_formulas": False,  # only `formulas` are formulas
    "strings_to_urls": False,
    "strings_to_numbers": False,
}

log = logging.getLogger(__name__)


def write_csv(
    frame: pd.DataFrame,
    path: str | os.PathLike[str],
    *,
    date_format: str = CSV_DATE_FORMAT,
    header: bool = True,
    append: bool = False,
) -> Path:
    r"""Write ``frame`` as a CSV file that Swedish Excel opens as it is.

    Parameters
    ----------
    frame : pandas.DataFrame
        The table; its column names are the header.
    path : str or os.PathLike
        The file to write (the caller makes it atomic).
    date_format : str, optional
        :meth:`~datetime.datetime.strftime` format of date-time columns (``2025-06-01 14:30``);
        time-zone aware ones are written in Swedish local time first, as in XLSX.
    header : bool, default True
        Write the header row (and the byte-order mark) first.
    append : bool, default False
        Add the rows to the end of ``path`` (e.g. one batch at a time, ``header=False`` after the
        first).

    Returns
    -------
    pathlib.Path

    Examples
    --------
    >>> import tempfile
    >>> p = Path(tempfile.mkdtemp()) / "a.csv"
    >>> _ = write_csv(pd.DataFrame({"Mängd": [1.5], "Text": ["=1+1"]}), p)
    >>> p.read_bytes()
    b"\xef\xbb\xbfM\xc3\xa4ngd;Text\r\n1,5;'=1+1\r\n"
    >>> when = pd.to_datetime(["2025-06-01 14:30:59", None])
    >>> _ = write_csv(pd.DataFrame({"Id": ["a", "b"], "Datum och tid": when}), p)
    >>> p.read_text(encoding="utf-8-sig").splitlines()
    ['Id;Datum och tid', 'a;2025-06-01 14:30', 'b;']
    """
    target = Path(path)
    with target.open("ab" if append else "wb") as handle:
        if header:
            names = [_csv_quote(_neutral(pa.array([str(c)], pa.string()))) for c in frame.columns]
            handle.write(b"\xef\xbb\xbf")
            handle.write(_csv_rows(names) if names else b"\r\n")
        if len(frame):
            fields = [_csv_field(frame.iloc[:, i], date_format) for i in range(frame.shape[1])]
            handle.write(_csv_rows(fields) if fields else b"\r\n" * len(frame))
    return target


def _csv_rows(fields: list[pa.Array]) -> memoryview:
    """Join fields with ``;`` and rows with CRLF, returning the bytes of the lines (no copy)."""
    data, offsets = _csv_lines(fields)
    return data[offsets[0] : offsets[-1]]


def _csv_lines(fields: list[pa.Array]) -> tuple[memoryview, np.ndarray]:
    """Return the bytes of the CSV lines of ``fields`` and where each line starts."""
    parts: list[pa.Array | str] = []
    for field_ in fields:
        parts += [field_, ";"]
    return _join([*parts[:-1], "\r\n"])


def _csv_field(series: pd.Series, date_format: str) -> pa.Array:
    """Return one column as CSV text: numbers with a decimal comma, dates, safe quoted text."""
    if _is_datetime(series):
        stamps = _arrow(_naive_local(series), from_pandas=True)
        return pc.strftime(stamps, format=date_format)
    if pd.api.types.is_bool_dtype(series.dtype):
        return pc.if_else(_arrow(series, from_pandas=True), "True", "False")
    if pd.api.types.is_numeric_dtype(series.dtype):
        return _csv_number(series)
    return _per_value(_arrow_text(series), lambda text: _csv_quote(_neutral(text)))


def _arrow(values: object, *args: Any, **kwargs: Any) -> pa.Array:
    """Return ``pa.array(values, ...)`` as one contiguous array.

    pandas columns backed by several Arrow chunks (after ``pd.concat``) come back from
    ``pa.array`` as a ChunkedArray, which the writers cannot join.
    """
    array = pa.array(values, *args, **kwargs)
    return array.combine_chunks() if isinstance(array, pa.ChunkedArray) else array


def _arrow_text(series: pd.Series) -> pa.Array:
    """Return a column as Arrow text (values that are not text as ``str``)."""
    try:
        return _arrow(series, type=pa.string(), from_pandas=True)
    except (pa.ArrowInvalid, pa.ArrowTypeError):
        return _arrow(series.astype("string"), type=pa.string(), from_pandas=True)


def _per_value(text: pa.Array, prepare: Callable[[pa.Array], pa.Array]) -> pa.Array:
    """Apply an elementwise ``prepare`` once per distinct value when values repeat a lot."""
    values, rows = _distinct(text)
    return prepare(values) if rows is None else prepare(values).take(rows)


def _distinct(text: pa.Array) -> tuple[pa.Array, pa.Array | None]:
    """Return the distinct values and each row's index into them, or the text and None."""
    if len(text) < _DISTINCT_FROM:
        return text, None
    if pc.count_distinct(text.slice(0, _DISTINCT_FROM)).as_py() * 4 > _DISTINCT_FROM:
        return text, None  # the first rows already vary too much (ids, descriptions, links)
    encoded = pc.dictionary_encode(text)
    if len(encoded.dictionary) * 4 > len(text):
        return text, None
    return encoded.dictionary, encoded.indices


def _csv_number(series: pd.Series) -> pa.Array:
    """Numbers as pandas writes them (Python's ``repr``: ``2.0``, ``1e-05``), decimal comma."""
    values = _arrow(series, from_pandas=True)
    text = pc.cast(values, pa.string())
    if pa.types.is_floating(values.type):
        data = series.to_numpy(dtype=float, na_value=np.nan)
        size = np.abs(data)
        whole = np.isfinite(data) & (data == np.round(data)) & (size < 1e10)
        text = pc.if_else(pa.array(whole), pc.binary_join_element_wise(text, ".0", ""), text)
        odd = np.flatnonzero((size >= 1e10) | ((size > 0) & (size < 1e-4)))  # repr's exponents
        if len(odd):
            fixed = np.asarray(text.to_numpy(zero_copy_only=False), dtype=object)
            fixed[odd] = [repr(float(v)) for v in data[odd]]
            text = pa.array(fixed, pa.string())
    return pc.replace_substring(text, ".", ",")


def _csv_quote(text: pa.Array) -> pa.Array:
    """Quote the fields holding ``;``, ``"`` or line breaks, doubling their quotes."""
    needs = pc.match_substring_regex(text, '[;"\r\n]')
    if not pc.any(needs).as_py():
        return text
    quoted = pc.binary_join_element_wise(
        '"', pc.replace_substring(text, '"', '""'), '"', pa.scalar("")
    )
    return pc.if_else(pc.fill_null(needs, False), quoted, text)


def _naive_local(series: pd.Series) -> pd.Series:
    """Return date-times as naive Swedish local time (naive ones are taken as they are)."""
    if isinstance(series.dtype, pd.DatetimeTZDtype):
        return series.dt.tz_convert(_LOCAL_ZONE).dt.tz_localize(None)
    return series


@dataclass
class _Options:
    """What :func:`write_xlsx` was asked for beyond the values."""

    formats: dict[str, str] = field(default_factory=dict)
    links: dict[str, str] = field(default_factory=dict)
    choices: dict[str, list[str]] = field(default_factory=dict)
    hidden: set[str] = field(default_factory=set)
    editable: set[str] | None = None
    highlight: dict[str, np.ndarray] = field(default_factory=dict)
    formulas: dict[str, str] = field(default_factory=dict)
    choice_ranges: dict[str, str] = field(default_factory=dict)


def write_xlsx(
    sheets: Mapping[str, pd.DataFrame],
    path: str | os.PathLike[str],
    *,
    title: str = "",
    number_formats: Mapping[str, str] | None = None,
    links: Mapping[str, str] | None = None,
    file_label: str | None = None,
    full_text_in: str | None = None,
    choices: Mapping[str, Sequence[str]] | None = None,
    hidden: Sequence[str] = (),
    editable: Sequence[str] | None = None,
    highlight: np.ndarray | Mapping[str, np.ndarray] | None = None,
    formulas: Mapping[str, str] | None = None,
) -> Path:
    r"""Write each table of ``sheets`` (sheet name → table) as a sheet of one XLSX file.

    Text longer than a cell holds (:data:`EXCEL_MAX_CELL` characters) is cut and control
    characters are removed; either logs one warning per sheet naming the file, the sheet, the
    columns and the first rows (as Excel numbers them, the header being row 1). Every text cell
    that a spreadsheet would run as a formula gets a leading apostrophe; only ``formulas`` are
    written as formulas. The options name columns; each applies on every sheet that has the
    column, and a name no sheet has is refused.

    Parameters
    ----------
    sheets : mapping of str to pandas.DataFrame
        Sheet names (at most 31 characters) and their tables (at most :data:`EXCEL_MAX_ROWS`
        rows), in order.
    path : str or os.PathLike
        The file to write (the caller makes it atomic).
    title : str, optional
        Document title (file properties).
    number_formats : mapping of str to str, optional
        Excel number format per column name (e.g. ``{"Mängd": "#,##0.00"}``); datetimes get
        ``yyyy-mm-dd hh:mm`` unless given. Excel shows the decimal separator of its locale.
    links : mapping of str to str, optional
        Link columns: column name → the text each of its cells shows. The column holds the link
        targets (URLs, or paths relative to the file); a cell with a target becomes a hyperlink
        with that text, a cell without one stays empty. A ``#fragment`` of a target is stored as
        Excel stores it, as the link's location (sub-address): ``a.html#x`` has target
        ``a.html`` and location ``x``. Beyond :data:`EXCEL_MAX_LINKS` links on a sheet the cells
        are ``HYPERLINK`` formulas; a target longer than Excel accepts leaves the text alone.
    file_label : str, optional
        How the warnings name the file (default ``path``); give the final name when ``path`` is a
        temporary file.
    full_text_in : str, optional
        Where the uncut text is kept (e.g. ``"routed.gpkg"``); the warnings say so.
    choices : mapping of str to sequence of str, optional
        Column → the values allowed in it: a drop-down list (data validation) on the column's
        cells below the header, refusing other values with a Swedish message. A list longer
        than Excel's 255 characters inline is kept on a hidden last sheet ``_Val``.
    hidden : sequence of str, optional
        Columns to hide (e.g. a checksum); they stay in the file.
    editable : sequence of str, optional
        When given, each sheet is protected (no password; selecting, sorting, filtering and
        column widths still allowed) and only these columns' cells below the header can be
        changed.
    highlight : numpy.ndarray or mapping of str to numpy.ndarray, optional
        Boolean mask per row of the first sheet, or sheet name → mask: those rows get a fill
        (e.g. overdue follow-ups).
    formulas : mapping of str to str, optional
        Column → an Excel formula per row, with ``{row}`` for the row's number as Excel counts
        it (e.g. ``"=E{row}*F{row}"``). The column's values are kept as the cached results.

    Returns
    -------
    pathlib.Path

    Raises
    ------
    GeomapError
        An option names a column no sheet has, a mask does not fit its sheet, a formula lacks
        its leading ``=`` or a sheet has more rows than Excel holds.

    Examples
    --------
    >>> import tempfile, openpyxl
    >>> p = Path(tempfile.mkdtemp()) / "a.xlsx"
    >>> _ = write_xlsx({"Lista": pd.DataFrame({"Text": ["ok\x0b", "@SUM(A1)"]})}, p)
    >>> [c.value for c in openpyxl.load_workbook(p)["Lista"]["A"]]
    ['Text', 'ok', "'@SUM(A1)"]
    >>> table = pd.DataFrame({"Karta": ["a.html#anmarkning=A%201", None]})
    >>> _ = write_xlsx({"Lista": table}, p, links={"Karta": "Visa på kartan"})
    >>> cell = openpyxl.load_workbook(p)["Lista"]["A2"]
    >>> cell.value, cell.hyperlink.target, cell.hyperlink.location
    ('Visa på kartan', 'a.html', 'anmarkning=A%201')
    >>> long = pd.DataFrame({"Text": ["x" * 40_000]})  # logs: a.xlsx: 1 cell longer than … cut
    >>> _ = write_xlsx({"Lista": long}, p, file_label="a.xlsx", full_text_in="a.csv")
    >>> len(openpyxl.load_workbook(p)["Lista"]["A2"].value)
    32767
    >>> items = pd.DataFrame({"Antal": [2, 3], "Pris": [10.0, 1.5], "Summa": [None, None],
    ...                       "Status": ["Öppen", "=1+1"]})
    >>> _ = write_xlsx({"Lista": items}, p, formulas={"Summa": "=A{row}*B{row}"},
    ...                choices={"Status": ["Öppen", "Klar"]}, editable=["Status"])
    >>> sheet = openpyxl.load_workbook(p)["Lista"]
    >>> sheet["C3"].value, sheet["D3"].value, sheet.protection.sheet
    ('=A3*B3', "'=1+1", True)
    """
    options = _options(
        sheets, number_formats, links, choices, hidden, editable, highlight, formulas
    )
    target = Path(path)
    book, styles = _new_book(target)
    long = _long_choices(options)
    for name, frame in sheets.items():
        changes = _Changes()
        _write_sheet(book.add_worksheet(name[:31]), frame, options, styles, changes)
        changes.warn(file_label or str(target), name[:31], full_text_in)
    _choice_sheet(book, long)
    book.set_properties({"title": title})
    book.close()
    return target


def _new_book(target: Path) -> tuple[Any, _Styles]:
    """Open an xlsxwriter workbook at ``target`` as both writers use it, with its cell formats."""
    import xlsxwriter  # imported here: only spreadsheet writing needs it

    book = xlsxwriter.Workbook(str(target), _WORKBOOK_OPTIONS)
    return book, _Styles(book)


def _options(
    sheets: Mapping[str, pd.DataFrame],
    number_formats: Mapping[str, str] | None,
    links: Mapping[str, str] | None,
    choices: Mapping[str, Sequence[str]] | None = None,
    hidden: Sequence[str] = (),
    editable: Sequence[str] | None = None,
    highlight: np.ndarray | Mapping[str, np.ndarray] | None = None,
    formulas: Mapping[str, str] | None = None,
    *,
    sheet_rows: bool = True,
) -> _Options:
    """Check the options of :func:`write_xlsx` against the sheets and gather them.

    :func:`write_xlsx_groups` gives only ``number_formats`` and ``links`` and checks the rows
    per file itself (``sheet_rows=False``: no sheet's whole length is checked here).
    """
    known = {str(c) for frame in sheets.values() for c in frame.columns}
    named = {
        "choices": list(choices or ()),
        "hidden": list(hidden),
        "editable": list(editable or ()),
        "formulas": list(formulas or ()),
    }
    for argument, columns in named.items():
        if unknown := [c for c in columns if c not in known]:
            msg = (
                f"`{argument}` names {', '.join(map(repr, unknown))}, which no sheet has "
                f"(columns: {', '.join(sorted(known))}); name columns of the tables given"
            )
            raise GeomapError(msg)
    for column, template in (formulas or {}).items():
        if not str(template).startswith("=") or "{row}" not in str(template):
            msg = (
                f"`formulas` for column {column!r} is {template!r}: a formula starts with '=' "
                "and holds {row} where the row number goes, e.g. '=E{row}*F{row}'"
            )
            raise GeomapError(msg)
    for name, frame in sheets.items() if sheet_rows else ():
        if len(frame) > EXCEL_MAX_ROWS:
            msg = (
                f"sheet {name!r} has {len(frame):,} rows, more than an Excel sheet holds "
                f"({EXCEL_MAX_ROWS:,}); write it as CSV or split it"
            )
            raise GeomapError(msg)
    return _Options(
        formats=dict(number_formats or {}),
        links=dict(links or {}),
        choices={str(k): [str(v) for v in values] for k, values in (choices or {}).items()},
        hidden=set(hidden),
        editable=None if editable is None else set(editable),
        highlight=_masks(sheets, highlight),
        formulas={str(k): str(v) for k, v in (formulas or {}).items()},
    )


def _masks(
    sheets: Mapping[str, pd.DataFrame], highlight: np.ndarray | Mapping[str, np.ndarray] | None
) -> dict[str, np.ndarray]:
    """Return sheet name → boolean row mask, checked against the sheets' lengths."""
    if highlight is None:
        return {}
    if isinstance(highlight, Mapping):
        given = dict(highlight)
    else:
        given = {next(iter(sheets), ""): highlight}
    masks = {}
    for name, mask in given.items():
        values = np.asarray(mask, dtype=bool)
        if name not in sheets or values.shape != (len(sheets[name]),):
            rows = len(sheets[name]) if name in sheets else None
            msg = (
                f"`highlight` for sheet {name!r} has shape {values.shape}; give one boolean per "
                f"row of a sheet that exists (sheets: {', '.join(map(repr, sheets))}; "
                f"rows: {rows})"
            )
            raise GeomapError(msg)
        masks[name] = values
    return masks


def _long_choices(options: _Options) -> dict[str, list[str]]:
    """Note where each list of choices too long to give inline goes on the hidden sheet."""
    long = {c: v for c, v in options.choices.items() if len(",".join(v)) > _INLINE_CHOICES}
    for col, (name, values) in enumerate(long.items()):
        letter = _letter(col)
        options.choice_ranges[name] = f"='{_CHOICES_SHEET}'!${letter}$1:${letter}${len(values)}"
    return long


def _choice_sheet(book: Any, long: dict[str, list[str]]) -> None:
    """Write the long lists of choices, one per column, on the hidden last sheet."""
    if not long:
        return
    sheet = book.add_worksheet(_CHOICES_SHEET)
    sheet.hide()
    columns = list(long.values())
    for row in range(max(len(v) for v in columns)):
        for col, values in enumerate(columns):
            if row < len(values):
                sheet.write_string(row, col, values[row])


class _Styles:
    """The cell formats of one workbook, made once per combination."""

    def __init__(self, book: Any) -> None:
        self.book = book
        self.made: dict[tuple[Any, ...], Any] = {}

    def get(
        self,
        number_format: str | None = None,
        *,
        link: bool = False,
        fill: bool = False,
        unlocked: bool = False,
        bold: bool = False,
    ) -> Any:
        """Return the format with these properties (None for the default format)."""
        key = (number_format, link, fill, unlocked, bold)
        if not any(key):
            return None
        if key not in self.made:
            props: dict[str, Any] = {"num_format": number_format} if number_format else {}
            if link:
                props.update(font_color="#0563C1", underline=1)
            if fill:
                props.update(bg_color=_FILL, pattern=1)
            if unlocked:
                props["locked"] = False
            if bold:
                props["bold"] = True
            self.made[key] = self.book.add_format(props)
        return self.made[key]


class _Changes:
    """The cells of one sheet changed to fit XLSX: per column, the rows cut or cleaned."""

    def __init__(self) -> None:
        self.cut: dict[str, np.ndarray] = {}
        self.cleaned: dict[str, np.ndarray] = {}

    def note(self, column: object, *, cut: np.ndarray, cleaned: np.ndarray) -> None:
        """Record the positions (0-based data rows) of ``column`` that were cut or cleaned."""
        name = _column_name(column)
        if cut.any():
            self.cut[name] = np.flatnonzero(cut)
        if cleaned.any():
            self.cleaned[name] = np.flatnonzero(cleaned)

    def split(self, limits: np.ndarray) -> dict[int, _Changes]:
        """Return the changes of each file (rows ``limits[i]:limits[i + 1]``) that has any."""
        out: dict[int, _Changes] = {}
        for kind in ("cut", "cleaned"):
            for column, positions in getattr(self, kind).items():
                groups = np.searchsorted(limits, positions, side="right") - 1
                for group in np.unique(groups).tolist():
                    mine = positions[groups == group] - limits[group]
                    getattr(out.setdefault(group, _Changes()), kind)[column] = mine
        return out

    def warn(self, file: str, sheet: str, full_text_in: str | None) -> None:
        """Log one warning per kind of change, naming ``file``, ``sheet``, columns and rows."""
        kept = f"; the full text is in {full_text_in}" if full_text_in else ""
        original = f"; the original text is in {full_text_in}" if full_text_in else ""
        if self.cut:
            n = sum(len(rows) for rows in self.cut.values())
            log.warning(
                "%s: %s longer than %s characters (what an Excel cell holds) %s cut in sheet "
                "'%s' (%s)%s",
                file,
                _cells(n),
                f"{EXCEL_MAX_CELL:,}",
                "was" if n == 1 else "were",
                sheet,
                _where(self.cut),
                kept,
            )
        if self.cleaned:
            n = sum(len(rows) for rows in self.cleaned.values())
            log.warning(
                "%s: %s in sheet '%s' had control characters removed, which XLSX cannot hold "
                "(%s)%s",
                file,
                _cells(n),
                sheet,
                _where(self.cleaned),
                original,
            )


def _cells(n: int) -> str:
    return f"{n:,} cell" if n == 1 else f"{n:,} cells"


def _column_name(column: object) -> str:
    """Return a column name fit for a one-line message (no line breaks, at most 40 characters)."""
    name = " ".join(_CONTROL.sub(" ", str(column)).split())
    return name if len(name) <= 40 else name[:39] + "…"


def _where(changed: dict[str, np.ndarray]) -> str:
    """Name the columns and their first rows as Excel numbers them (header row 1, data from 2)."""
    parts = []
    for column, positions in changed.items():
        rows = ", ".join(str(p + 2) for p in positions[:_ROWS_SHOWN])
        more = f" and {len(positions) - _ROWS_SHOWN:,} more" if len(positions) > _ROWS_SHOWN else ""
        parts.append(f"column {column}, {'row' if len(positions) == 1 else 'rows'} {rows}{more}")
    return "; ".join(parts)


def _letter(index: int) -> str:
    """Return the Excel column letters of a 0-based column index (0 → A, 26 → AA)."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


@dataclass
class _Column:
    """One column ready to write: each row's cell XML (null: no cell), and its width.

    ``cells`` are the pieces that, joined row by row, make each row's cell: one array of cells
    or, for a column where every row has a value, the cell's opening pieces and its bodies
    (joined only with the whole row).
    """

    cells: list[pa.Array | str]
    width: float
    link_rows: np.ndarray | None = None  # data rows that are hyperlink cells …
    links: pa.Array | None = None  # … and their targets
    link_text: str = ""


def _write_sheet(
    sheet: Any, frame: pd.DataFrame, options: _Options, styles: _Styles, changes: _Changes
) -> None:
    """Write one table: layout and header, then every data row's XML at once.

    The header goes through xlsxwriter; the data rows are built column by column with Arrow
    kernels and written where xlsxwriter keeps a constant-memory sheet's rows, so the writer
    never handles one cell at a time. Hyperlinks are registered with xlsxwriter (which writes
    their relationships) without writing their cells twice.
    """
    first = np.zeros(len(frame), dtype=np.int64)
    columns = _prepare(sheet, frame, first, options, styles, changes)
    if not len(frame) or not columns:
        return
    sheet.ignore_write_string = True  # register the links only: their cells are in the rows
    for i, column in enumerate(columns):
        if column.link_rows is not None and column.links is not None:
            for r, target in zip(column.link_rows.tolist(), column.links.to_pylist(), strict=True):
                sheet.write_url(r + 1, i, _url(target), None, column.link_text)
    sheet.ignore_write_string = False
    sheet._write_single_row(len(frame) + 1)  # the header row out; data rows follow it
    data, offsets = _rows(columns, first)
    sheet.row_data_fh.flush()
    sheet.row_data_fh.buffer.write(data[offsets[0] : offsets[-1]])
    sheet.row_data_fh.buffer.flush()
    sheet.dim_rowmax = max(sheet.dim_rowmax or 0, len(frame))


def _prepare(
    sheet: Any,
    frame: pd.DataFrame,
    first: np.ndarray,
    options: _Options,
    styles: _Styles,
    changes: _Changes,
) -> list[_Column]:
    """Prepare the columns (rows numbered within their file), lay out the sheet, write the header."""
    mask = options.highlight.get(sheet.get_name())
    numbers = _numbers(first)
    columns = [
        _column(frame.iloc[:, i], i, str(c), numbers, options, styles, changes, mask, first)
        for i, c in enumerate(frame.columns)
    ]
    _lay_out(sheet, frame, columns, options, styles)
    bold = styles.get(bold=True)
    for i, header in enumerate(frame.columns):
        text = str(header)
        sheet.write_string(0, i, "'" + text if text.startswith(FORMULA_PREFIXES) else text, bold)
    return columns


def _numbers(first: np.ndarray) -> pa.Array:
    """Each data row's number as Excel counts it in its file (from 2), as text."""
    return pc.cast(pa.array(np.arange(len(first)) - first + 2), pa.string())


def _rows(columns: list[_Column], first: np.ndarray) -> tuple[memoryview, np.ndarray]:
    """Return the XML of every data row and where each row starts (and the last one ends)."""
    cells = [piece for column in columns for piece in column.cells]
    return _join(['<row r="', _numbers(first), '">', *cells, "</row>"])


#: Bytes below which joined text has 32-bit offsets (Arrow's ``string``).
_SMALL_TEXT = 2**31 - 1


def _join(parts: Sequence[pa.Array | str]) -> tuple[memoryview, np.ndarray]:
    """Concatenate arrays (and constant texts) row by row: the bytes and each row's offsets.

    Nulls join as empty text. The result is Arrow text with 32-bit offsets when it surely fits
    (no array is cast), else with 64-bit ones.
    """
    rows = next((len(p) for p in parts if isinstance(p, pa.Array)), 0)
    bound = sum(p.nbytes if isinstance(p, pa.Array) else len(p.encode()) * rows for p in parts)
    kind = pa.string() if bound < _SMALL_TEXT else pa.large_string()
    typed = [
        (p if p.type == kind else p.cast(kind)) if isinstance(p, pa.Array) else pa.scalar(p, kind)
        for p in parts
    ]
    lines = pc.binary_join_element_wise(
        *typed, pa.scalar("", kind), null_handling="replace", null_replacement=""
    )
    width = np.int32 if kind == pa.string() else np.int64
    offsets = np.frombuffer(lines.buffers()[1], dtype=width)[
        lines.offset : lines.offset + len(lines) + 1
    ]
    data = lines.buffers()[2]
    return (memoryview(b"") if data is None else memoryview(data)), offsets


def _column(
    series: pd.Series,
    index: int,
    name: str,
    numbers: pa.Array,
    options: _Options,
    styles: _Styles,
    changes: _Changes,
    mask: np.ndarray | None,
    first: np.ndarray,
) -> _Column:
    """Prepare one column's cells with vectorised kernels (text cleaned and neutralised)."""
    unlocked = options.editable is not None and name in options.editable
    number_format = options.formats.get(name) or (
        _XLSX_DATE_FORMAT if _is_datetime(series) else None
    )
    link = name in options.links
    plain = styles.get(number_format, link=link, unlocked=unlocked)
    fill = styles.get(number_format, link=link, unlocked=unlocked, fill=True)
    start = _cell_starts(_letter(index), numbers, plain, fill, mask)
    blank = mask is not None or unlocked
    if name in options.formulas:
        body, width = _formula_bodies(series, options.formulas[name], numbers)
    elif link:
        return _link_column(series, options.links[name], start, blank, first)
    else:
        body, width = _bodies(series, name, changes)
        width = max(width, len(name))
    return _Column(_cell_xml(start, body, blank), float(min(width + 2, _MAX_WIDTH)))


def _cell_starts(
    letter: str, numbers: pa.Array, plain: Any, fill: Any, mask: np.ndarray | None
) -> list[pa.Array | str]:
    """Return the pieces of each row's ``<c r="B2" s="3"`` (its cell's opening, without ``>``)."""
    attribute = [f' s="{f._get_xf_index()}"' if f is not None else "" for f in (plain, fill)]
    if mask is None:
        return [f'<c r="{letter}', numbers, '"' + attribute[0]]
    return [f'<c r="{letter}', numbers, '"', pc.if_else(pa.array(mask), attribute[1], attribute[0])]


def _cell_xml(start: list[pa.Array | str], body: pa.Array, blank: bool) -> list[pa.Array | str]:
    """Join cell openings and bodies; a missing value is an empty styled cell or none.

    Where every row has a body the pieces are left for the row's join (one pass, not three).
    """
    if not body.null_count:
        return [*start, body]
    opening = pc.binary_join_element_wise(*start, "")
    cells = pc.binary_join_element_wise(opening, body, "")
    if blank:
        cells = pc.coalesce(cells, pc.binary_join_element_wise(opening, "/>", ""))
    return [cells]


def _bodies(series: pd.Series, name: str, changes: _Changes) -> tuple[pa.Array, int]:
    """Return each value's cell body (after the opening) and the width of the first values."""
    if _is_datetime(series):
        stamps = _naive_local(series).to_numpy(dtype="datetime64[ns]")
        days = (stamps - _EPOCH) / np.timedelta64(1, "D")
        return _number_bodies(pa.array(days, from_pandas=True)), len(_XLSX_DATE_FORMAT)
    if pd.api.types.is_bool_dtype(series.dtype):
        values = _arrow(series, type=pa.bool_(), from_pandas=True)
        body = pc.if_else(values, ' t="b"><v>1</v></c>', ' t="b"><v>0</v></c>')
        return body, 5
    if pd.api.types.is_numeric_dtype(series.dtype):
        values = _arrow(series, from_pandas=True)
        if pa.types.is_floating(values.type):
            values = pc.if_else(pc.is_finite(values), values, pa.scalar(None, values.type))
        body = _number_bodies(values)
        return body, _longest(pc.cast(values.slice(0, 1000), pa.string()))
    values, rows = _clean_distinct(series, changes=changes, column=name, neutralise=True)
    if rows is None:
        return _text_bodies(values), _longest(values.slice(0, 1000))
    return _text_bodies(values).take(rows), _longest(values.take(rows.slice(0, 1000)))


def _number_bodies(values: pa.Array) -> pa.Array:
    return pc.binary_join_element_wise("><v>", pc.cast(values, pa.string()), "</v></c>", "")


def _text_bodies(text: pa.Array) -> pa.Array:
    """Inline-string bodies: XML-escaped, with Excel's ``_xHHHH_`` escapes, spaces kept."""
    escaped = _xml(text)
    spaced = pc.fill_null(pc.match_substring_regex(text, r"^\s|\s$"), False)
    opening = pc.if_else(
        spaced, ' t="inlineStr"><is><t xml:space="preserve">', ' t="inlineStr"><is><t>'
    )
    return pc.binary_join_element_wise(opening, escaped, "</t></is></c>", "")


def _xml(text: pa.Array) -> pa.Array:
    """Escape text for XML and for Excel (literal ``_xHHHH_``, carriage returns)."""
    if not pc.any(pc.match_substring_regex(text, _NEEDS_ESCAPE)).as_py():
        return text
    text = pc.replace_substring_regex(text, r"_(x[0-9A-Fa-f]{4}_)", r"_x005F_\1")
    for raw, escaped in (("&", "&amp;"), ("<", "&lt;"), (">", "&gt;"), ("\r", "_x000D_")):
        text = pc.replace_substring(text, raw, escaped)
    return pc.replace_substring(
        pc.replace_substring(text, "\ufffe", "_xFFFE_"), "\uffff", "_xFFFF_"
    )


def _formula_bodies(series: pd.Series, template: str, numbers: pa.Array) -> tuple[pa.Array, int]:
    """Each row's formula (``{row}`` filled in) with the column's value as cached result."""
    parts = _xml(pa.array(template[1:].split("{row}"), pa.string())).to_pylist()
    pieces: list[pa.Array | str] = [parts[0]]
    for part in parts[1:]:
        pieces += [numbers, part]
    formula = (
        pc.binary_join_element_wise(*pieces, "")
        if len(parts) > 1
        else pa.array([parts[0]] * len(series))
    )
    cached = _arrow(pd.to_numeric(series, errors="coerce"), pa.float64(), from_pandas=True)
    cached = pc.cast(pc.fill_null(pc.if_else(pc.is_finite(cached), cached, 0.0), 0.0), pa.string())
    body = pc.binary_join_element_wise("><f>", formula, "</f><v>", cached, "</v></c>", "")
    return body, max(_longest(pc.cast(cached.slice(0, 1000), pa.string())), 0)


def _link_column(
    series: pd.Series, text: str, start: pa.Array, blank: bool, first: np.ndarray
) -> _Column:
    """Link cells: hyperlinks up to Excel's limit, then ``HYPERLINK`` formulas, showing ``text``.

    ``first`` is the first row of each row's file (zeros: one file); the limit counts per file.
    """
    targets = _clean_text(series.astype("string"))
    present = pc.fill_null(pc.is_valid(targets), False).to_numpy(zero_copy_only=False)
    fits = pc.fill_null(pc.less_equal(pc.utf8_length(targets), _MAX_URL), False)
    linkable = present & fits.to_numpy(zero_copy_only=False)
    counted = np.cumsum(linkable)
    rank = counted - np.r_[0, counted][first]  # 1-based among the file's links
    direct = np.flatnonzero(linkable & (rank <= EXCEL_MAX_LINKS))
    formula = linkable & (rank > EXCEL_MAX_LINKS)
    short = pc.fill_null(pc.less_equal(pc.utf8_length(targets), _MAX_FORMULA_TEXT), False)
    formula &= short.to_numpy(zero_copy_only=False)
    shown = _xml(pa.array([text])).to_pylist()[0]
    plain = f' t="inlineStr"><is><t>{shown}</t></is></c>'
    quoted = _xml(pc.replace_substring(targets, '"', '""'))
    quoted = pc.replace_substring(quoted, '"', "&quot;")
    literal = shown.replace('"', "&quot;&quot;")
    hyperlink = pc.binary_join_element_wise(
        ' t="str"><f>HYPERLINK(&quot;',
        quoted,
        f"&quot;,&quot;{literal}&quot;)</f><v>{shown}</v></c>",
        "",
    )
    body = pc.if_else(
        pa.array(formula),
        hyperlink,
        pc.if_else(pa.array(present), plain, pa.scalar(None, pa.string())),
    )
    width = float(
        min(max(len(str(series.name)), len(text) if present.any() else 0) + 2, _MAX_WIDTH)
    )
    links = targets.take(pa.array(direct, pa.int64()))
    return _Column(_cell_xml(start, body, blank), width, direct, links, text)


def _longest(text: pa.Array) -> int:
    return int(pc.max(pc.utf8_length(text)).as_py() or 0) if len(text) else 0


def _url(target: str) -> str:
    """Return the xlsxwriter form of a link target: relative paths as external files."""
    if re.match(r"^(https?|ftp|mailto):", target, flags=re.IGNORECASE):
        return target
    if target.startswith("#"):
        return "internal:" + target[1:]
    return "external:" + target


def _lay_out(
    sheet: Any, frame: pd.DataFrame, columns: list[_Column], options: _Options, styles: _Styles
) -> None:
    """Set widths, hidden and unlocked columns, choices, the frozen header, filter, protection."""
    for i, (name, column) in enumerate(zip(frame.columns, columns, strict=True)):
        name = str(name)
        unlocked = options.editable is not None and name in options.editable
        sheet.set_column(
            i,
            i,
            column.width,
            styles.get(unlocked=True) if unlocked else None,
            {"hidden": True} if name in options.hidden else None,
        )
        if name in options.choices:
            source: str | list[str] = options.choice_ranges.get(name, options.choices[name])
            sheet.data_validation(
                1,
                i,
                EXCEL_MAX_ROWS,
                i,
                {
                    "validate": "list",
                    "source": source,
                    "error_title": _CHOICE_ERROR[0],
                    "error_message": _CHOICE_ERROR[1],
                },
            )
    sheet.freeze_panes(1, 0)
    if len(frame.columns):
        sheet.autofilter(0, 0, len(frame), len(frame.columns) - 1)
    if options.editable is not None:
        sheet.protect(
            "",
            {"sort": True, "autofilter": True, "format_columns": True, "format_rows": True},
        )


def _is_datetime(series: pd.Series) -> bool:
    return bool(pd.api.types.is_datetime64_any_dtype(series))


def _is_text(series: pd.Series) -> bool:
    if pd.api.types.is_string_dtype(series.dtype) and not pd.api.types.is_object_dtype(series):
        return True
    return pd.api.types.infer_dtype(series, skipna=True) in ("string", "empty")


def _clean_text(
    series: pd.Series,
    *,
    changes: _Changes | None = None,
    column: object = "",
    neutralise: bool = False,
) -> pa.Array:
    """Return text as a cell holds it: control characters removed, cut to the cell size.

    The rows changed are noted in ``changes`` under ``column``. With ``neutralise``, text that
    a spreadsheet would run as a formula gets a leading apostrophe. Values that are not text
    are written as text (``str``).
    """
    values, rows = _clean_distinct(series, changes=changes, column=column, neutralise=neutralise)
    return values if rows is None else values.take(rows)


def _clean_distinct(
    series: pd.Series,
    *,
    changes: _Changes | None = None,
    column: object = "",
    neutralise: bool = False,
) -> tuple[pa.Array, pa.Array | None]:
    """Return what :func:`_clean_text` returns as distinct values and each row's index (or None)."""
    values, rows = _distinct(_arrow_text(series))
    cleaned = pc.fill_null(pc.match_substring_regex(values, _CONTROL.pattern), False)
    if pc.any(cleaned).as_py():
        values = pc.replace_substring_regex(values, _CONTROL.pattern, "")
    if neutralise:
        values = _neutral(values)
    cut = pc.fill_null(pc.greater(pc.utf8_length(values), EXCEL_MAX_CELL), False)
    if pc.any(cut).as_py():
        values = pc.utf8_slice_codeunits(values, 0, EXCEL_MAX_CELL)
    if changes is not None:
        changes.note(column, cut=_per_row(cut, rows), cleaned=_per_row(cleaned, rows))
    return values, rows


def _per_row(flags: pa.Array, rows: pa.Array | None) -> np.ndarray:
    """Return per-value flags per row (taken only when one is set)."""
    if not pc.any(flags).as_py():
        return np.zeros(len(flags) if rows is None else len(rows), dtype=bool)
    return (flags if rows is None else flags.take(rows)).to_numpy(zero_copy_only=False)


def write_csv_groups(
    frame: pd.DataFrame,
    bounds: Sequence[int] | np.ndarray,
    paths: Sequence[str | os.PathLike[str]],
    *,
    date_format: str = CSV_DATE_FORMAT,
) -> list[Path]:
    r"""Write rows ``bounds[i]:bounds[i + 1]`` of ``frame`` as the CSV file ``paths[i]``, for all i.

    The same files as :func:`write_csv` of each slice, but the table is formatted once, so many
    small files (e.g. one per owner) cost their rows, not a fixed price each.

    Parameters
    ----------
    frame : pandas.DataFrame
        The rows of all files, file after file.
    bounds : sequence of int
        Where each file's rows start, and where the last one's end (``len(paths) + 1`` values).
    paths : sequence of str or os.PathLike
        The files (the caller makes them atomic).
    date_format : str, optional
        As in :func:`write_csv`.

    Returns
    -------
    list of pathlib.Path

    Examples
    --------
    >>> import tempfile
    >>> folder = Path(tempfile.mkdtemp())
    >>> table = pd.DataFrame({"Id": ["a", "b", "c"], "Mängd": [1.5, None, 2.0]})
    >>> a, b = write_csv_groups(table, [0, 2, 3], [folder / "a.csv", folder / "b.csv"])
    >>> b.read_text(encoding="utf-8-sig").splitlines()
    ['Id;Mängd', 'c;2,0']
    """
    limits = _bounds(bounds, len(paths), len(frame))
    if not frame.shape[1]:
        return [
            write_csv(frame.iloc[a:b], p, date_format=date_format)
            for a, b, p in zip(limits[:-1], limits[1:], paths, strict=True)
        ]
    names = [_csv_quote(_neutral(pa.array([str(c)], pa.string()))) for c in frame.columns]
    header = b"\xef\xbb\xbf" + bytes(_csv_rows(names))
    fields = [_csv_field(frame.iloc[:, i], date_format) for i in range(frame.shape[1])]
    data, offsets = _csv_lines(fields) if len(frame) else (memoryview(b""), np.zeros(1, np.int64))
    written = [Path(path) for path in paths]
    with _Output() as output:
        for start, end, target in zip(
            limits[:-1].tolist(), limits[1:].tolist(), written, strict=True
        ):
            output.write(target, [header, data[offsets[start] : offsets[end]]])
    return written


def _bounds(bounds: Sequence[int] | np.ndarray, files: int, rows: int) -> np.ndarray:
    limits = np.asarray(bounds, dtype=np.int64)
    if (
        len(limits) != files + 1
        or (files and (limits[0] != 0 or limits[-1] != rows))
        or (np.diff(limits) < 0).any()
    ):
        msg = (
            f"`bounds` must hold where each of the {files:,} files' rows start and where the last "
            f"ends ({files + 1:,} rising values from 0 to {rows:,}); received {len(limits):,} values"
        )
        raise GeomapError(msg)
    return limits


_HYPERLINK = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/hyperlink"
_RELS_HEAD = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<Relationships '
    'xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
)
_TITLE_TOKEN = "GEOMAP-TITLE-0b7c"


def write_xlsx_groups(
    sheets: Mapping[str, pd.DataFrame],
    bounds: Sequence[int] | np.ndarray,
    paths: Sequence[str | os.PathLike[str]],
    *,
    titles: Sequence[str] | None = None,
    number_formats: Mapping[str, str] | None = None,
    links: Mapping[str, str] | None = None,
    file_labels: Sequence[str] | None = None,
    full_text_in: Sequence[str | None] | None = None,
) -> list[Path]:
    """Write many XLSX files of one layout: rows ``bounds[i]:bounds[i + 1]`` of each sheet → ``paths[i]``.

    Each file is what :func:`write_xlsx` writes for its slices (same sheets, formats, links,
    frozen header, autofilter, warnings), but every table is built once with Arrow kernels
    and each file costs its rows: many small files (one per owner) need no fixed price each.
    Column widths come from all rows. The options are those of :func:`write_xlsx` a work list
    needs; for choices, protection, highlights and formulas write each file with it.

    Parameters
    ----------
    sheets : mapping of str to pandas.DataFrame
        Sheet name → the rows of all files, file after file; every table has the same rows.
    bounds : sequence of int
        Where each file's rows start, and where the last one's end (``len(paths) + 1`` values).
    paths : sequence of str or os.PathLike
        The files (the caller makes them atomic).
    titles, file_labels, full_text_in : sequence of str, optional
        Per file, as ``title``, ``file_label`` and ``full_text_in`` of :func:`write_xlsx`.
    number_formats, links : mapping of str to str, optional
        As in :func:`write_xlsx`.

    Returns
    -------
    list of pathlib.Path

    Raises
    ------
    GeomapError
        ``bounds`` do not fit the tables, the tables differ in length, or a file would hold more
        rows than an Excel sheet.

    Examples
    --------
    >>> import tempfile, openpyxl
    >>> folder = Path(tempfile.mkdtemp())
    >>> table = pd.DataFrame({"Id": ["a", "b", "c"], "Karta": ["a.html#x=1", None, "b.html#x=3"]})
    >>> paths = write_xlsx_groups({"Lista": table}, [0, 2, 3], [folder / "a.xlsx", folder / "b.xlsx"],
    ...                           titles=["A", "B"], links={"Karta": "Visa"})
    >>> sheet = openpyxl.load_workbook(paths[1])["Lista"]
    >>> sheet["A2"].value, sheet["B2"].hyperlink.target, sheet.auto_filter.ref
    ('c', 'b.html', 'A1:B2')
    """
    limits = _group_limits(sheets, bounds, paths)
    options = _options(sheets, number_formats, links, sheet_rows=False)
    first = np.repeat(limits[:-1], np.diff(limits))
    parts, prepared = _template(sheets, first, options)
    files = _Files(parts, limits, paths, titles)
    _add_group_sheets(files, prepared, first, paths, file_labels, full_text_in)
    return files.write()


def _group_limits(
    sheets: Mapping[str, pd.DataFrame],
    bounds: Sequence[int] | np.ndarray,
    paths: Sequence[str | os.PathLike[str]],
) -> np.ndarray:
    """Check that the tables and ``bounds`` fit :func:`write_xlsx_groups`; return the bounds."""
    lengths = {len(frame) for frame in sheets.values()}
    if len(lengths) > 1:
        msg = f"`sheets` must all have the same rows (one file's rows after another's); lengths {sorted(lengths)}"
        raise GeomapError(msg)
    limits = _bounds(bounds, len(paths), lengths.pop() if lengths else 0)
    if len(paths) and int(np.diff(limits).max()) > EXCEL_MAX_ROWS:
        msg = (
            f"a file of `paths` would get {int(np.diff(limits).max()):,} rows, more than an Excel "
            f"sheet holds ({EXCEL_MAX_ROWS:,}); write it as CSV"
        )
        raise GeomapError(msg)
    return limits


_Prepared = tuple[str, pd.DataFrame, "list[_Column]", "_Changes"]  # sheet name, table, columns


def _template(
    sheets: Mapping[str, pd.DataFrame], first: np.ndarray, options: _Options
) -> tuple[dict[str, bytes], list[_Prepared]]:
    """Write the template workbook of :func:`write_xlsx_groups`: its parts and prepared sheets."""
    with tempfile.TemporaryDirectory() as tmp:
        template = Path(tmp) / "template.xlsx"
        book, styles = _new_book(template)
        prepared = []
        for name, frame in sheets.items():
            changes = _Changes()
            columns = _prepare(
                book.add_worksheet(name[:31]), frame, first, options, styles, changes
            )
            prepared.append((name[:31], frame, columns, changes))
        book.set_properties({"title": _TITLE_TOKEN})
        book.close()
        with zipfile.ZipFile(template) as archive:
            parts = {info.filename: archive.read(info) for info in archive.infolist()}
    return parts, prepared


def _add_group_sheets(
    files: _Files,
    prepared: list[_Prepared],
    first: np.ndarray,
    paths: Sequence[str | os.PathLike[str]],
    file_labels: Sequence[str] | None,
    full_text_in: Sequence[str | None] | None,
) -> None:
    """Add each prepared sheet to ``files`` and warn, per file, of the cells changed on it."""
    for index, (name, frame, columns, changes) in enumerate(prepared, start=1):
        files.add_sheet(index, frame, columns, first)
        for group, found in changes.split(files.limits).items():
            label = file_labels[group] if file_labels else str(paths[group])
            found.warn(label, name, full_text_in[group] if full_text_in else None)


class _Files:
    """The parts of many XLSX files made from one template: each file's sheets, links, title."""

    def __init__(
        self,
        parts: dict[str, bytes],
        limits: np.ndarray,
        paths: Sequence[str | os.PathLike[str]],
        titles: Sequence[str] | None,
    ) -> None:
        self.parts, self.limits, self.paths = parts, limits, [Path(p) for p in paths]
        self.titles = list(titles) if titles is not None else [""] * len(self.paths)
        self.sheets: dict[int, tuple[Any, ...]] = {}
        own = re.compile(r"xl/worksheets/|xl/workbook\.xml$|docProps/core\.xml$")
        self.packed = {n: _pack(d) for n, d in parts.items() if not own.match(n)}  # once

    def add_sheet(
        self, index: int, frame: pd.DataFrame, columns: list[_Column], first: np.ndarray
    ) -> None:
        """Prepare sheet ``index`` (1-based): its rows' XML and its hyperlinks, for all files."""
        text = self.parts[f"xl/worksheets/sheet{index}.xml"].decode("utf-8")
        head, _, tail = text.partition("</sheetData>")
        rows = _rows(columns, first) if len(frame) and columns else None
        links: tuple[Any, ...] | None = _links(columns, first)
        if links is not None:  # where each file's links start, found for all files at once
            edges = np.searchsorted(links[0], self.limits).tolist()
            links = (dict(zip(self.limits.tolist(), edges, strict=True)), *links[1:])
        self.sheets[index] = (head, tail, rows, links, _letter(max(frame.shape[1] - 1, 0)))

    def write(self) -> list[Path]:
        """Write every file (the writes themselves in background threads)."""
        workbooks: dict[int, _Packed] = {}  # by row count: the filter ranges differ only by it
        core = self.parts["docProps/core.xml"]
        with _Output() as output:
            for group, path in enumerate(self.paths):
                start, end = int(self.limits[group]), int(self.limits[group + 1])
                parts: dict[str, Any] = dict(self.packed)
                for index, (head, tail, rows, links, last) in self.sheets.items():
                    found = _sheet_parts(index, head, tail, rows, links, last, start, end)
                    parts.update({name: _pack(data) for name, data in found.items()})
                if end - start not in workbooks:
                    workbook = _filter_names(self.parts["xl/workbook.xml"], end - start)
                    workbooks[end - start] = _pack(workbook)
                parts["xl/workbook.xml"] = workbooks[end - start]
                title = _xml_attribute(self.titles[group]).encode("utf-8")
                parts["docProps/core.xml"] = _pack(core.replace(_TITLE_TOKEN.encode(), title))
                _write_zip(path, {name: parts[name] for name in self._order(parts)}, output)
        return self.paths

    def _order(self, parts: Mapping[str, Any]) -> list[str]:
        """Return the parts in the template's order, then the hyperlink relationships."""
        return [*(n for n in self.parts if n in parts), *(n for n in parts if n not in self.parts)]


class _Output:
    """Files written by background threads (opening and writing release the GIL).

    At most ``pending`` files wait, so memory holds a few files' bytes; leaving the ``with``
    block waits for every write and raises the first error. Leaving it on an exception (an error,
    Ctrl-C) cancels the writes not started and lets that exception through, not a write's. A path
    given twice is refused: two threads would write one file at once.
    """

    def __init__(self, threads: int = 2, pending: int = 64) -> None:
        from concurrent.futures import ThreadPoolExecutor

        self.pool = ThreadPoolExecutor(max_workers=threads)
        self.waiting: collections.deque[Any] = collections.deque()
        self.pending = pending
        self.seen: set[str] = set()

    def write(self, path: Path, pieces: Sequence[bytes | memoryview]) -> None:
        """Write ``pieces`` one after another as the file ``path``."""
        key = os.path.normcase(Path(path).absolute())
        if key in self.seen:
            msg = f"{path}: this file is given twice in one call; give every group its own path"
            raise GeomapError(msg)
        self.seen.add(key)
        while len(self.waiting) >= self.pending:
            self.waiting.popleft().result()
        self.waiting.append(self.pool.submit(_write_file, path, pieces))

    def __enter__(self) -> _Output:
        return self

    def __exit__(self, kind: type[BaseException] | None, *exc: object) -> None:
        if kind is not None:  # the block failed or was interrupted: that is what the user sees
            self.pool.shutdown(wait=True, cancel_futures=True)
            return
        try:
            while self.waiting:
                self.waiting.popleft().result()
        finally:
            self.pool.shutdown(wait=True, cancel_futures=True)


def _write_file(path: Path, pieces: Sequence[bytes | memoryview]) -> None:
    with path.open("wb") as handle:
        for piece in pieces:
            handle.write(piece)


_Packed = tuple[bytes, int, int]  # raw deflate data, CRC-32, uncompressed size
_DOS_TIME = (0, (2025 - 1980) << 9 | 1 << 5 | 1)  # 2025-01-01 00:00, as ZIP stores times


#: Bytes up to which a part is compressed with an 8 KiB window (e.g. each owner's small sheets).
_SMALL_PART = 16_384


def _pack(data: bytes | Sequence[bytes | memoryview]) -> _Packed:
    """Compress one part (or its pieces, not copied) for :func:`_write_zip`; large ones faster."""
    pieces = [data] if isinstance(data, bytes) else list(data)
    size = sum(len(p) for p in pieces)
    if size <= _SMALL_PART:  # a small window is as good and much cheaper to set up
        packer = zlib.compressobj(6, zlib.DEFLATED, -13, 6)
    else:
        packer = zlib.compressobj(1 if size > 8_000_000 else 6, zlib.DEFLATED, -15)
    crc, out = 0, []
    for piece in pieces:
        crc = zlib.crc32(piece, crc)
        out.append(packer.compress(piece))
    out.append(packer.flush())
    return b"".join(out), crc, size


def _write_zip(path: Path, parts: Mapping[str, _Packed], output: _Output | None = None) -> None:
    """Write a ZIP archive of parts compressed already (shared parts are compressed once).

    With ``output``, the archive is handed to its background writers.
    """
    if len(parts) > 65_535 or any(max(len(d), n) >= 2**32 - 1 for d, _, n in parts.values()):
        with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, allowZip64=True) as archive:
            for name, (data, _, _) in parts.items():
                archive.writestr(name, zlib.decompress(data, -15))
        return
    central, offset, pieces = [], 0, []
    for name, (data, crc, size) in parts.items():
        encoded = name.encode("utf-8")
        common = struct.pack(
            "<HHHHHLLLH", 20, 0x800, 8, *_DOS_TIME, crc, len(data), size, len(encoded)
        )
        pieces += [b"PK\x03\x04" + common + b"\x00\x00" + encoded, data]
        central.append(
            b"PK\x01\x02\x14\x00" + common + struct.pack("<HHHHLL", 0, 0, 0, 0, 0, offset) + encoded
        )
        offset += 30 + len(encoded) + len(data)
    directory = b"".join(central)
    count = len(central)
    end = struct.pack("<4sHHHHLLH", b"PK\x05\x06", 0, 0, count, count, len(directory), offset, 0)
    pieces += [directory, end]
    if output is None:
        _write_file(path, pieces)
    else:
        output.write(path, pieces)


_DIMENSION = re.compile(r'<dimension ref="[^"]*"/>')
_AUTOFILTER = re.compile(r'<autoFilter ref="[^"]*"/>')


def _sheet_parts(
    index: int,
    head: str,
    tail: str,
    rows: tuple[memoryview, np.ndarray] | None,
    links: tuple[Mapping[int, int], memoryview, np.ndarray, memoryview, np.ndarray] | None,
    last: str,
    start: int,
    end: int,
) -> dict[str, Any]:
    """Return one file's sheet XML in pieces (and its hyperlink relationships), rows ``start:end``.

    ``links`` holds, first, where the links of the file starting at each row begin.
    """
    n = end - start
    head = _DIMENSION.sub(f'<dimension ref="A1:{last}{n + 1}"/>', head, count=1)
    tail = _AUTOFILTER.sub(f'<autoFilter ref="A1:{last}{n + 1}"/>', tail, count=1)
    body = memoryview(b"") if rows is None else rows[0][rows[1][start] : rows[1][end]]
    out: dict[str, Any] = {}
    if links is not None:
        edge_of, cells, cell_offsets, rels, rel_offsets = links
        a, b = edge_of[start], edge_of[end]
        if b > a:
            found = bytes(cells[cell_offsets[a] : cell_offsets[b]]).decode("utf-8")
            before = "<pageMargins" if "<pageMargins" in tail else "</worksheet>"
            tail = tail.replace(before, f"<hyperlinks>{found}</hyperlinks>{before}", 1)
            relations = bytes(rels[rel_offsets[a] : rel_offsets[b]]).decode("utf-8")
            rel_name = f"xl/worksheets/_rels/sheet{index}.xml.rels"
            out[rel_name] = (_RELS_HEAD + relations + "</Relationships>").encode("utf-8")
    pieces = [head.encode("utf-8"), body, b"</sheetData>" + tail.encode("utf-8")]
    out[f"xl/worksheets/sheet{index}.xml"] = pieces
    return out


def _filter_names(workbook: bytes, rows: int) -> bytes:
    """Set each sheet's autofilter range (the hidden ``_FilterDatabase`` name) to ``rows`` rows."""

    def fix(match: re.Match[str]) -> str:
        sheet, _, cells = match.group(2).rpartition("!")
        last = cells.split(":")[-1].split("$")[1]
        return f"{match.group(1)}{sheet}!$A$1:${last}${rows + 1}</definedName>"

    text = workbook.decode("utf-8")
    pattern = r'(<definedName name="_xlnm._FilterDatabase"[^>]*>)([^<]*)</definedName>'
    return re.sub(pattern, fix, text).encode("utf-8")


def _links(
    columns: list[_Column], first: np.ndarray
) -> tuple[np.ndarray, memoryview, np.ndarray, memoryview, np.ndarray] | None:
    """Every hyperlink of a sheet, ordered by row: its ``<hyperlink>`` and ``<Relationship>``.

    Returns the rows, the XML of the hyperlinks and of the relationships, each with offsets,
    so that one file's links are one slice. Relationship ids count per file.
    """
    found = [(i, c) for i, c in enumerate(columns) if c.link_rows is not None and len(c.link_rows)]
    if not found:
        return None
    rows = np.concatenate([c.link_rows for _, c in found])
    cols = np.concatenate([np.full(len(c.link_rows), i) for i, c in found])  # type: ignore[arg-type]
    targets = pa.concat_arrays([c.links for _, c in found])
    order = np.lexsort((cols, rows))
    rows, cols = rows[order], cols[order]
    targets = targets.take(pa.array(order))
    starts = first[rows]
    number = np.arange(len(rows)) - np.searchsorted(rows, starts) + 1  # rId per file
    refs = [_letter(int(c)) for c in range(int(cols.max()) + 1)]
    letters = pa.array(np.array(refs, dtype=object)[cols], pa.string())
    ref = pc.binary_join_element_wise(
        letters, pc.cast(pa.array(rows - starts + 2), pa.string()), ""
    )
    address, location = _split_targets(targets)
    ids = pc.cast(pa.array(number), pa.string())
    has_location = pc.is_valid(location)
    located = pc.binary_join_element_wise(' location="', pc.fill_null(location, ""), '"', "")
    extra = pc.if_else(has_location, located, "")
    cells = pc.binary_join_element_wise(
        '<hyperlink ref="', ref, '" r:id="rId', ids, '"', extra, "/>", ""
    )
    rels = pc.binary_join_element_wise(
        '<Relationship Id="rId',
        ids,
        f'" Type="{_HYPERLINK}" Target="',
        address,
        '" TargetMode="External"/>',
        "",
    )
    cell_data, cell_offsets = _join([cells])
    rel_data, rel_offsets = _join([rels])
    return rows, cell_data, cell_offsets, rel_data, rel_offsets


def _split_targets(targets: pa.Array) -> tuple[pa.Array, pa.Array]:
    """Return each link's target as a relationship holds it (escaped) and its location.

    A relative target's ``#fragment`` is the location, as :func:`write_xlsx` stores it; the
    target is escaped as xlsxwriter escapes it (one call per distinct address).
    """
    from xlsxwriter.url import Url

    parts = pc.extract_regex(targets, r"^(?P<address>[^#]*)(?:#(?P<fragment>.*))?$")
    address = pc.struct_field(parts, "address").to_pandas()
    fragment = pc.struct_field(parts, "fragment")
    scheme = address.str.match(r"^(https?|ftp|mailto):", case=False).to_numpy(dtype=bool)
    whole = pd.Series(targets.to_pandas())
    key = whole.where(scheme, address)
    escaped = {k: Url(_url(k))._target() for k in pd.unique(key)}
    target = key.map(escaped)
    has = pc.invert(pc.equal(pc.utf8_length(pc.fill_null(fragment, "")), 0))
    location = pc.if_else(pc.and_(has, pa.array(~scheme)), fragment, pa.scalar(None, pa.string()))
    return _xml_attributes(pa.array(target, pa.string())), _xml_attributes(location)


def _xml_attributes(text: pa.Array) -> pa.Array:
    text = pc.replace_substring(text, "&", "&amp;")
    for raw, escaped in (("<", "&lt;"), (">", "&gt;"), ('"', "&quot;")):
        text = pc.replace_substring(text, raw, escaped)
    return text


def _xml_attribute(text: str) -> str:
    return (
        text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")
    )
