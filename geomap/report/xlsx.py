"""The report as XLSX: the sheet "Om rapporten", then every table (charts' tables too) as a sheet.

Written by geomap's one spreadsheet writer (:func:`geomap.io.sheets.write_xlsx`). Values stay
raw (numbers, dates) with the Excel number format of their column's report format
(:data:`geomap.report.document.EXCEL_FORMATS`), so Excel shows what the HTML shows; shares are
written as shares with a percent format, booleans as "ja"/"nej".

Examples
--------
>>> import tempfile, pathlib, openpyxl, pandas as pd
>>> from geomap.report.document import Report, Section, Table
>>> t = Table("antal", "Antal", pd.DataFrame({"Kategori": ["Klotter"], "Antal": [3]}))
>>> path = pathlib.Path(tempfile.mkdtemp()) / "r.xlsx"
>>> write_xlsx_report(Report("Lägesbild", [Section("S", blocks=[t])]), path)
>>> openpyxl.load_workbook(path).sheetnames
['Om rapporten', 'antal']
"""

from __future__ import annotations

import logging
from pathlib import Path

import pandas as pd

from geomap.io.sheets import write_xlsx
from geomap.report.document import ABOUT_SHEET, EXCEL_FORMATS, Report, Table, column_formats

__all__ = ["about_frame", "sheet_frames", "write_xlsx_report"]

log = logging.getLogger(__name__)


def about_frame(report: Report, *, generated: str = "") -> pd.DataFrame:
    """Return the rows of the first sheet: title, period, data, method, sources, tables.

    Examples
    --------
    >>> from geomap.report.document import Report
    >>> about_frame(Report("R", [], period="vecka 47 2025"))["Uppgift"].tolist()[:2]
    ['R', 'vecka 47 2025']
    """
    rows: list[tuple[str, str]] = [("Rapport", report.title), ("Period", report.period)]
    if report.subtitle:
        rows.append(("Underrubrik", report.subtitle))
    if generated:
        rows.append(("Skapad", generated))
    rows.append(("Data", report.banner or "Verkliga data"))
    rows.extend(("Metod", text) for text in report.method)
    rows.extend(("Källa", text) for text in report.sources)
    rows.extend(("Blad", f"{t.key}: {t.title}") for t in report.tables())
    return pd.DataFrame(rows, columns=["Fält", "Uppgift"])


def _sheet(table: Table) -> pd.DataFrame:
    frame = table.frame.copy()
    for name, fmt in column_formats(table).items():
        column = frame[name]
        if (
            pd.api.types.is_bool_dtype(column)
            or pd.api.types.infer_dtype(column, skipna=True) == "boolean"
        ):
            frame[name] = column.map({True: "ja", False: "nej"}).astype("string")
        elif fmt == "datum":
            frame[name] = pd.to_datetime(column, errors="coerce")
        elif fmt == "text":
            frame[name] = column.astype("string")
    return frame


def sheet_frames(report: Report) -> tuple[dict[str, pd.DataFrame], dict[str, str]]:
    """Return the sheets (name → table) and the Excel number format per column name.

    A column name used with two different formats keeps the first one in Excel (logged); the
    values are written raw either way.

    Examples
    --------
    >>> from geomap.report.document import Report
    >>> sheets, formats = sheet_frames(Report("R", []))
    >>> list(sheets), formats
    ([], {})
    """
    sheets: dict[str, pd.DataFrame] = {}
    formats: dict[str, str] = {}
    for table in report.tables():
        sheets[table.key] = _sheet(table)
        for name, fmt in column_formats(table).items():
            excel = EXCEL_FORMATS[fmt]
            if excel is None:
                continue
            if formats.setdefault(name, excel) != excel:
                log.debug(
                    "column %r has two formats in %r; Excel shows %s",
                    name,
                    report.title,
                    formats[name],
                )
    return sheets, formats


def write_xlsx_report(report: Report, path: Path, *, generated: str = "") -> None:
    """Write ``report`` as an XLSX file to ``path`` (the caller makes it atomic).

    Examples
    --------
    >>> import tempfile, pathlib, openpyxl
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "r.xlsx"
    >>> write_xlsx_report(Report("R", [], period="vecka 1 2026"), path)
    >>> openpyxl.load_workbook(path)["Om rapporten"]["B3"].value
    'vecka 1 2026'
    """
    sheets, formats = sheet_frames(report)
    book = {ABOUT_SHEET: about_frame(report, generated=generated), **sheets}
    write_xlsx(book, path, title=report.title, number_formats=formats, file_label=Path(path).name)
