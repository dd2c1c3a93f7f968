"""The one writer of Swedish spreadsheet files: CSV as Swedish Excel reads it, and XLSX.

CSV: ``;`` between fields, decimal comma, UTF-8 with BOM, CRLF line ends. XLSX: one sheet per
table with a bold, frozen header row, an autofilter and column widths from the content. In both,
text that a spreadsheet would run as a formula is neutralised (see
:func:`geomap.io.sanitize.neutralise_formulas`); in XLSX, control characters (which the format
cannot hold) are removed and text longer than a cell holds (32,767 characters) is cut.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from geomap.io.sanitize import FORMULA_PREFIXES, neutralise_formulas

__all__ = ["EXCEL_MAX_CELL", "EXCEL_MAX_ROWS", "write_csv", "write_xlsx"]

#: Data rows that fit on one Excel sheet below the header (1,048,576 rows in all).
EXCEL_MAX_ROWS = 1_048_575
#: Characters one Excel cell holds.
EXCEL_MAX_CELL = 32_767
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
_MAX_WIDTH = 60


def write_csv(frame: pd.DataFrame, path: str | os.PathLike[str]) -> Path:
    r"""Write ``frame`` as a CSV file that Swedish Excel opens as it is.

    Examples
    --------
    >>> import tempfile
    >>> p = Path(tempfile.mkdtemp()) / "a.csv"
    >>> _ = write_csv(pd.DataFrame({"Mängd": [1.5], "Text": ["=1+1"]}), p)
    >>> p.read_bytes()
    b"\xef\xbb\xbfM\xc3\xa4ngd;Text\r\n1,5;'=1+1\r\n"
    """
    target = Path(path)
    neutralise_formulas(frame).to_csv(
        target, sep=";", decimal=",", index=False, encoding="utf-8-sig", lineterminator="\r\n"
    )
    return target


def write_xlsx(
    sheets: Mapping[str, pd.DataFrame],
    path: str | os.PathLike[str],
    *,
    title: str = "",
    number_formats: Mapping[str, str] | None = None,
) -> Path:
    r"""Write each table of ``sheets`` (sheet name → table) as a sheet of one XLSX file.

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
        ``yyyy-mm-dd hh:mm`` unless given.

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
    """
    from openpyxl import Workbook  # imported here: only spreadsheet writing needs it

    book = Workbook(write_only=True)
    for name, frame in sheets.items():
        _write_sheet(book, name, neutralise_formulas(frame), dict(number_formats or {}))
    book.properties.title = title
    target = Path(path)
    book.save(target)
    return target


def _write_sheet(book: Any, name: str, frame: pd.DataFrame, formats: dict[str, str]) -> None:
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    sheet = book.create_sheet(title=name[:31])
    columns = [_excel_values(frame[c]) for c in frame.columns]
    for index, (header, values) in enumerate(zip(frame.columns, columns, strict=True), start=1):
        sheet.column_dimensions[get_column_letter(index)].width = _width(header, values)
    sheet.freeze_panes = "A2"
    if len(frame.columns):
        last = f"{get_column_letter(len(frame.columns))}{len(frame) + 1}"
        sheet.auto_filter.ref = f"A1:{last}"
    bold = Font(bold=True)
    cells = []
    for column in frame.columns:
        text = str(column)
        cell = WriteOnlyCell(sheet, value="'" + text if text.startswith(FORMULA_PREFIXES) else text)
        cell.font = bold
        cells.append(cell)
    sheet.append(cells)
    styled: dict[int, str] = {}
    for i, column in enumerate(frame.columns):
        wanted = formats.get(str(column)) or (
            "yyyy-mm-dd hh:mm" if _is_datetime(frame[column]) else None
        )
        if wanted:
            styled[i] = wanted
    for row in zip(*columns, strict=True):
        sheet.append(_styled_row(sheet, row, styled, WriteOnlyCell) if styled else row)


def _styled_row(
    sheet: Any, row: tuple[Any, ...], styled: dict[int, str], cell_type: Any
) -> list[Any]:
    out: list[Any] = list(row)
    for i, number_format in styled.items():
        cell = cell_type(sheet, value=row[i])
        cell.number_format = number_format
        out[i] = cell
    return out


def _is_datetime(series: pd.Series) -> bool:
    return bool(pd.api.types.is_datetime64_any_dtype(series))


def _excel_values(series: pd.Series) -> list[Any]:
    """Cell values: None for missing, Python scalars, naive datetimes, clean text."""
    if _is_datetime(series):
        values = series
        if isinstance(series.dtype, pd.DatetimeTZDtype):
            values = series.dt.tz_convert("Europe/Stockholm").dt.tz_localize(None)
        return [None if pd.isna(v) else v.to_pydatetime() for v in values]
    if pd.api.types.infer_dtype(series, skipna=True) in ("string", "empty"):
        text = series.astype("string")
        if text.str.contains(_CONTROL, regex=True).fillna(False).any():
            text = text.str.replace(_CONTROL, "", regex=True)
        text = text.str.slice(0, EXCEL_MAX_CELL)
        return [None if pd.isna(v) else v for v in text.astype(object)]
    values = series.astype(object).where(series.notna(), None)
    return [v.item() if isinstance(v, np.generic) else v for v in values.to_numpy()]


def _width(header: object, values: list[Any]) -> float:
    sample = values[:1000]
    longest = max([len(str(header)), *(len(str(v)) for v in sample if v is not None)])
    return float(min(longest + 2, _MAX_WIDTH))
