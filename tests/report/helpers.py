"""A small report with every kind of block, built in code."""

from __future__ import annotations

import datetime as dt
from html.parser import HTMLParser

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geomap.report import Chart, MapLayer, MapView, Report, Section, Table, bar_chart, heatmap
from geomap.report.charts import line_chart
from geomap.report.document import EXCEL_FORMATS, format_value

WEEKDAYS = ["måndag", "tisdag", "onsdag", "torsdag", "fredag", "lördag", "söndag"]


def sample_report(*, synthetic: bool = True, points: int = 60) -> Report:
    """Return a report with tables in every format, three charts and a map of three layers."""
    rng = np.random.default_rng(7)
    mixed = pd.DataFrame(
        {
            "Kategori": ["Klotter", "Nedskräpning", "Belysning <trasig> & 'släckt'"],
            "Antal": [1234, 5, 0],
            "Förändring": [-12.25, 0.0, None],
            "Andel": [0.9959, 0.0041, 0.0],
            "p-värde": [0.0004, 0.2, 1.0],
            "Datum": [dt.date(2025, 11, 17), None, dt.date(2024, 2, 29)],
            "Ny": [True, False, True],
        }
    )
    formats = {"Andel": "procent", "p-värde": "p", "Förändring": "decimal2"}
    table = Table(
        "per_kategori", "Anmärkningar per kategori", mixed, formats=formats, note="Syntetiskt."
    )
    bars = Table("diagram", "Antal per kategori", mixed[["Kategori", "Antal"]])
    chart = Chart(
        "Antal", bar_chart(mixed["Kategori"].tolist(), mixed["Antal"].tolist(), title="Antal"), bars
    )
    matrix = pd.DataFrame(
        rng.poisson(2, (7, 24)), index=WEEKDAYS, columns=[str(h) for h in range(24)]
    )
    heat = Chart(
        "Veckodag och timme",
        heatmap(matrix, title="Veckodag och timme"),
        Table("veckodag_timme", "Veckodag × timme", matrix.reset_index(names="Veckodag")),
    )
    days = [dt.date(2025, m, 1) for m in range(1, 13)]
    series = {"Antal": rng.poisson(30, 12).tolist()}
    many = Table(
        "manga_rader",
        "Många rader",
        pd.DataFrame({"Nr": range(1, 31), "Värde": [i / 3 for i in range(30)]}),
        max_rows=10,
    )
    line = Chart(
        "Per månad",
        line_chart(
            days, series, title="Per månad", marker=dt.date(2025, 6, 1), marker_label="Åtgärd"
        ),
        Table("per_manad", "Per månad", pd.DataFrame({"Månad": days, "Antal": series["Antal"]})),
    )
    xs, ys = rng.uniform(150_000, 156_000, points), rng.uniform(6_563_000, 6_569_000, points)
    remarks = gpd.GeoDataFrame(
        {"id": [f"A{i}" for i in range(points)], "kategori": "Klotter"},
        geometry=shapely.points(xs, ys),
        crs=3011,
    )
    areas = gpd.GeoDataFrame(
        {"namn": ["Väst", "Öst"]},
        geometry=[
            shapely.box(150_000, 6_563_000, 153_000, 6_569_000),
            shapely.box(153_000, 6_563_000, 156_000, 6_569_000),
        ],
        crs=3011,
    )
    cells = gpd.GeoDataFrame(
        {"klass": ["99 %"], "färg": ["#b2182b"]},
        geometry=[shapely.box(152_000, 6_565_000, 152_100, 6_565_100)],
        crs=3011,
    )
    view = MapView(
        "Karta",
        [
            MapLayer("Områden", areas, kind="polygons", label_column="namn"),
            MapLayer(
                "Heta celler", cells, kind="cells", colour_column="färg", legend={"#b2182b": "99 %"}
            ),
            MapLayer("Anmärkningar", remarks, label_column="id", popup_columns=["id", "kategori"]),
        ],
        description="Områden, heta celler och anmärkningar",
    )
    return Report(
        "Lägesbild vecka 47 2025",
        [
            Section("Översikt", text=["Åtta anmärkningar i Flemingsberg."], blocks=[table, chart]),
            Section("När", blocks=[heat, line, many]),
            Section("Var", blocks=[view]),
        ],
        subtitle="Huddinge kommun",
        method=["Getis-Ord Gi* med 999 permutationer."],
        sources=["routed.gpkg (syntetiska data)"],
        synthetic=synthetic,
        generated=dt.datetime(2025, 11, 24, 8, 0, tzinfo=dt.UTC),
        period="vecka 47 2025",
    )


_BY_EXCEL = {excel: name for name, excel in EXCEL_FORMATS.items() if excel}


class _Tables(HTMLParser):
    """Collect every ``<table data-sheet=…>``: its caption and the text of each row's cells."""

    def __init__(self) -> None:
        super().__init__()
        self.tables: dict[str, list[list[str]]] = {}
        self.captions: dict[str, str] = {}
        self._key: str | None = None
        self._cell: list[str] | None = None
        self._caption: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "table":
            self._key = dict(attrs)["data-sheet"]
            self.tables[self._key or ""] = []
        elif tag == "tr" and self._key is not None:
            self.tables[self._key].append([])
        elif tag in ("td", "th") and self._key is not None:
            self._cell = []
        elif tag == "caption":
            self._caption = []

    def handle_endtag(self, tag: str) -> None:
        if tag in ("td", "th") and self._cell is not None and self._key is not None:
            self.tables[self._key][-1].append("".join(self._cell))
            self._cell = None
        elif tag == "caption" and self._caption is not None and self._key is not None:
            self.captions[self._key] = "".join(self._caption)
            self._caption = None
        elif tag == "table":
            self._key = None

    def handle_data(self, data: str) -> None:
        for part in (self._cell, self._caption):
            if part is not None:
                part.append(data)


def html_tables(page: str) -> _Tables:
    parser = _Tables()
    parser.feed(page)
    return parser


def sheet_texts(sheet: object) -> list[list[str]]:
    """Each cell read back and written the Swedish way by its column's Excel number format."""
    grid = [list(row) for row in sheet.iter_rows()]  # type: ignore[attr-defined]
    formats = []
    for column in zip(*grid[1:], strict=True) if len(grid) > 1 else ():
        styled = [c.number_format for c in column if c.value is not None]
        formats.append(_BY_EXCEL.get(styled[0], "text") if styled else "text")
    rows = [[str(c.value) for c in grid[0]]]
    for row in grid[1:]:
        rows.append([format_value(c.value, fmt) for c, fmt in zip(row, formats, strict=True)])
    return rows


def assert_html_equals_xlsx(html_path: object, xlsx_path: object) -> int:
    """Assert every HTML table equals (its shown rows of) its XLSX sheet; return the tables compared."""
    from pathlib import Path

    import openpyxl

    tables = html_tables(Path(str(html_path)).read_text(encoding="utf-8"))
    book = openpyxl.load_workbook(str(xlsx_path))
    for key, rows in tables.tables.items():
        assert sheet_texts(book[key])[: len(rows)] == rows, key
    return len(tables.tables)
