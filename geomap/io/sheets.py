"""The one writer of Swedish spreadsheet files: CSV as Swedish Excel reads it, and XLSX.

CSV: ``;`` between fields, decimal comma, UTF-8 with BOM, CRLF line ends, date-times as
``2025-06-01 14:30``. XLSX: one sheet per table with a bold, frozen header row, an autofilter,
column widths from the content, real date-times (``yyyy-mm-dd hh:mm``) and, where asked, link
columns as hyperlink cells. In both, text that a spreadsheet would run as a formula is
neutralised (see :func:`geomap.io.sanitize.neutralise_formulas`); in XLSX, control characters
(which the format cannot hold) are removed and text longer than a cell holds (32,767 characters)
is cut, each with a warning naming the file, sheet, columns and rows.
"""

from __future__ import annotations

import logging
import os
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from geomap.io.sanitize import FORMULA_PREFIXES, neutralise_formulas

__all__ = ["CSV_DATE_FORMAT", "EXCEL_MAX_CELL", "EXCEL_MAX_ROWS", "write_csv", "write_xlsx"]

#: Data rows that fit on one Excel sheet below the header (1,048,576 rows in all).
EXCEL_MAX_ROWS = 1_048_575
#: Characters one Excel cell holds.
EXCEL_MAX_CELL = 32_767
#: How :func:`write_csv` writes date-times (XLSX cells get ``yyyy-mm-dd hh:mm``).
CSV_DATE_FORMAT = "%Y-%m-%d %H:%M"
_XLSX_DATE_FORMAT = "yyyy-mm-dd hh:mm"
_LOCAL_ZONE = "Europe/Stockholm"
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
_MAX_WIDTH = 60
_ROWS_SHOWN = 5  # rows a warning names per column

log = logging.getLogger(__name__)


def write_csv(
    frame: pd.DataFrame,
    path: str | os.PathLike[str],
    *,
    date_format: str = CSV_DATE_FORMAT,
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
    neutralise_formulas(_local_times(frame)).to_csv(
        target,
        sep=";",
        decimal=",",
        index=False,
        encoding="utf-8-sig",
        lineterminator="\r\n",
        date_format=date_format,
    )
    return target


def _local_times(frame: pd.DataFrame) -> pd.DataFrame:
    """Return ``frame`` with time-zone aware date-times as naive Swedish local time."""
    aware = [c for c, kind in frame.dtypes.items() if isinstance(kind, pd.DatetimeTZDtype)]
    if not aware:
        return frame
    out = frame.copy()
    for column in aware:
        out[column] = out[column].dt.tz_convert(_LOCAL_ZONE).dt.tz_localize(None)
    return out


def write_xlsx(
    sheets: Mapping[str, pd.DataFrame],
    path: str | os.PathLike[str],
    *,
    title: str = "",
    number_formats: Mapping[str, str] | None = None,
    links: Mapping[str, str] | None = None,
    file_label: str | None = None,
    full_text_in: str | None = None,
) -> Path:
    r"""Write each table of ``sheets`` (sheet name → table) as a sheet of one XLSX file.

    Text longer than a cell holds (:data:`EXCEL_MAX_CELL` characters) is cut and control
    characters are removed; either logs one warning per sheet naming the file, the sheet, the
    columns and the first rows (as Excel numbers them, the header being row 1).

    Parameters
    ----------
    sheets : mapping of str to pandas.DataFrame
        Sheet names (at most 31 characters) and their tables, in order.
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
        ``a.html`` and location ``x``.
    file_label : str, optional
        How the warnings name the file (default ``path``); give the final name when ``path`` is a
        temporary file.
    full_text_in : str, optional
        Where the uncut text is kept (e.g. ``"routed.gpkg"``); the warnings say so.

    Returns
    -------
    pathlib.Path

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
    """
    from openpyxl import Workbook  # imported here: only spreadsheet writing needs it

    book = Workbook(write_only=True)
    target = Path(path)
    for name, frame in sheets.items():
        changes = _Changes()
        _write_sheet(book, name, frame, dict(number_formats or {}), dict(links or {}), changes)
        changes.warn(file_label or str(target), name[:31], full_text_in)
    book.properties.title = title
    book.save(target)
    return target


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


def _write_sheet(
    book: Any,
    name: str,
    frame: pd.DataFrame,
    formats: dict[str, str],
    links: dict[str, str],
    changes: _Changes,
) -> None:
    from openpyxl.cell import WriteOnlyCell

    sheet = book.create_sheet(title=name[:31])
    safe = neutralise_formulas(frame)
    columns: list[list[Any]] = []
    targets: dict[int, list[Any]] = {}
    for i, column in enumerate(frame.columns):
        if str(column) in links:  # targets unneutralised: a hyperlink target is never run
            targets[i] = _excel_values(frame.iloc[:, i].astype("string"))
            columns.append([None if t is None else links[str(column)] for t in targets[i]])
        else:
            columns.append(_excel_values(safe.iloc[:, i], changes=changes, column=column))
    _lay_out(sheet, frame, columns)
    sheet.append(_header(sheet, frame.columns))
    styled = {
        i: wanted
        for i, column in enumerate(frame.columns)
        if (wanted := _number_format(frame.iloc[:, i], formats.get(str(column))))
    }
    if not styled and not targets:
        for row in zip(*columns, strict=True):
            sheet.append(row)
        return
    for r, row in enumerate(zip(*columns, strict=True)):
        cells = _styled_row(sheet, row, styled, WriteOnlyCell)
        for i, values in targets.items():
            if values[r] is not None:
                cells[i] = _link_cell(sheet, row[i], values[r], WriteOnlyCell)
        sheet.append(cells)


def _lay_out(sheet: Any, frame: pd.DataFrame, columns: list[list[Any]]) -> None:
    """Set column widths from the content, freeze the header row and add an autofilter."""
    from openpyxl.utils import get_column_letter

    for index, (header, values) in enumerate(zip(frame.columns, columns, strict=True), start=1):
        sheet.column_dimensions[get_column_letter(index)].width = _width(header, values)
    sheet.freeze_panes = "A2"
    if len(frame.columns):
        last = f"{get_column_letter(len(frame.columns))}{len(frame) + 1}"
        sheet.auto_filter.ref = f"A1:{last}"


def _header(sheet: Any, names: pd.Index) -> list[Any]:
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    bold = Font(bold=True)
    cells = []
    for column in names:
        text = str(column)
        cell = WriteOnlyCell(sheet, value="'" + text if text.startswith(FORMULA_PREFIXES) else text)
        cell.font = bold
        cells.append(cell)
    return cells


def _number_format(series: pd.Series, given: str | None) -> str | None:
    return given or (_XLSX_DATE_FORMAT if _is_datetime(series) else None)


def _styled_row(
    sheet: Any, row: tuple[Any, ...], styled: dict[int, str], cell_type: Any
) -> list[Any]:
    out: list[Any] = list(row)
    for i, number_format in styled.items():
        cell = cell_type(sheet, value=row[i])
        cell.number_format = number_format
        out[i] = cell
    return out


def _link_cell(sheet: Any, text: Any, target: str, cell_type: Any) -> Any:
    """Return a hyperlink cell; a ``#fragment`` goes where Excel keeps it (its sub-address)."""
    from openpyxl.worksheet.hyperlink import Hyperlink

    address, _, fragment = target.partition("#")
    cell = cell_type(sheet, value=text)
    cell.hyperlink = Hyperlink(ref="", target=address or None, location=fragment or None)
    cell.style = "Hyperlink"
    return cell


def _is_datetime(series: pd.Series) -> bool:
    return bool(pd.api.types.is_datetime64_any_dtype(series))


def _excel_values(
    series: pd.Series, *, changes: _Changes | None = None, column: object = ""
) -> list[Any]:
    """Cell values: None for missing, Python scalars, naive datetimes, clean text.

    Text loses its control characters and is cut to :data:`EXCEL_MAX_CELL` characters; the rows
    changed are noted in ``changes`` under ``column``.
    """
    if _is_datetime(series):
        values = series
        if isinstance(series.dtype, pd.DatetimeTZDtype):
            values = series.dt.tz_convert(_LOCAL_ZONE).dt.tz_localize(None)
        return [None if pd.isna(v) else v.to_pydatetime() for v in values]
    if pd.api.types.infer_dtype(series, skipna=True) in ("string", "empty"):
        text = series.astype("string")
        cleaned = text.str.contains(_CONTROL, regex=True).fillna(False).to_numpy(dtype=bool)
        if cleaned.any():
            text = text.str.replace(_CONTROL, "", regex=True)
        cut = (text.str.len() > EXCEL_MAX_CELL).fillna(False).to_numpy(dtype=bool)
        if cut.any():
            text = text.str.slice(0, EXCEL_MAX_CELL)
        if changes is not None:
            changes.note(column, cut=cut, cleaned=cleaned)
        return [None if pd.isna(v) else v for v in text.astype(object)]
    values = series.astype(object).where(series.notna(), None)
    return [v.item() if isinstance(v, np.generic) else v for v in values.to_numpy()]


def _width(header: object, values: list[Any]) -> float:
    sample = values[:1000]
    longest = max([len(str(header)), *(len(str(v)) for v in sample if v is not None)])
    return float(min(longest + 2, _MAX_WIDTH))
