"""The report document model: validation and the Swedish text of every cell."""

from __future__ import annotations

import datetime as dt

import geopandas as gpd
import pandas as pd
import pytest
import shapely

from geomap.errors import InputError
from geomap.report import Chart, MapLayer, MapView, Report, Section, Table, cell_texts
from geomap.report.document import column_formats, format_value

NBSP = "\u00a0"


def _frame() -> pd.DataFrame:
    return pd.DataFrame({"Kategori": ["Klotter"], "Antal": [3]})


@pytest.mark.parametrize(
    "key", ["", "a" * 32, "a/b", "a[1]", "x:y", "'a", "a'", "om rapporten", "?"]
)
def test_table_key_must_be_a_sheet_name(key: str) -> None:
    with pytest.raises(InputError, match="cannot be a sheet name"):
        Table(key, "T", _frame())


def test_table_refuses_bad_formats_and_columns() -> None:
    with pytest.raises(InputError, match=r"unknown formats .*'tal'"):
        Table("a", "A", _frame(), formats={"Antal": "tal"})
    with pytest.raises(InputError, match=r"names columns the table lacks \(Saknas\)"):
        Table("a", "A", _frame(), formats={"Saknas": "heltal"})
    with pytest.raises(InputError, match="column names that are not text"):
        Table("a", "A", pd.DataFrame({0: [1]}))


def test_chart_needs_svg_and_layer_checks() -> None:
    with pytest.raises(InputError, match="holds no <svg> element"):
        Chart("C", "<png>", Table("a", "A", _frame()))
    point = gpd.GeoDataFrame({"id": ["a"]}, geometry=[shapely.Point(0, 0)], crs=3011)
    with pytest.raises(InputError, match="`kind` 'lines' is unknown"):
        MapLayer("L", point, kind="lines")
    with pytest.raises(InputError, match="has no CRS"):
        MapLayer("L", gpd.GeoDataFrame(geometry=[shapely.Point(0, 0)]))
    with pytest.raises(InputError, match="columns färg are not in `frame`"):
        MapLayer("L", point, colour_column="färg")


def test_section_and_report_checks() -> None:
    with pytest.raises(InputError, match="`blocks` holds str"):
        Section("S", blocks=["text"])  # type: ignore[list-item]
    table = Table("a", "A", _frame())
    chart = Chart("C", "<svg></svg>", Table("A", "B", _frame()))
    with pytest.raises(InputError, match="table key 'A' is used twice"):
        Report("R", [Section("S", blocks=[table]), Section("T", blocks=[chart])])
    other = Chart("C", "<svg></svg>", Table("b", "B", _frame()))
    report = Report("R", [Section("S", text="en mening", blocks=[table, other, MapView("K", [])])])
    assert [t.key for t in report.tables()] == ["a", "b"] and report.sections[0].text == (
        "en mening",
    )
    assert report.banner == "" and Report("R", [], synthetic=True).banner.startswith(
        "Syntetiska data"
    )


def test_column_formats_from_values() -> None:
    frame = pd.DataFrame(
        {"N": [1], "X": [0.5], "T": ["a"], "D": pd.to_datetime(["2025-01-01"]), "B": [True]}
    )
    assert column_formats(Table("a", "A", frame)) == {
        "N": "heltal",
        "X": "decimal1",
        "T": "text",
        "D": "datum",
        "B": "text",
    }


@pytest.mark.parametrize(
    ("value", "fmt", "expected"),
    [
        (1234, "heltal", f"1{NBSP}234"),
        (1234.56, "decimal1", f"1{NBSP}234,6"),
        (-0.125, "decimal2", "\u22120,12"),
        (0.125, "procent", f"12,5{NBSP}%"),
        (0.0004, "p", "< 0,001"),
        (0.0123, "p", "0,012"),
        (dt.date(2025, 11, 17), "datum", "17 november 2025"),
        (pd.Timestamp("2025-11-17 13:00"), "datum", "17 november 2025"),
        (None, "heltal", "–"),
        (float("nan"), "procent", "–"),
        (None, "text", ""),
        (False, "text", "nej"),
        ("vecka 47", "heltal", "vecka 47"),
    ],
)
def test_format_value(value: object, fmt: str, expected: str) -> None:
    assert format_value(value, fmt) == expected


def test_cell_texts_formats_each_distinct_value() -> None:
    table = Table("a", "A", pd.DataFrame({"Antal": [1000, None, 1000], "Namn": ["x", None, "y"]}))
    assert cell_texts(table) == {
        "Antal": [f"1{NBSP}000", "–", f"1{NBSP}000"],
        "Namn": ["x", "", "y"],
    }
