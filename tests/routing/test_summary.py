from __future__ import annotations

import dataclasses
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest
import shapely
from hypothesis import given
from hypothesis import strategies as st

from geomap.core.words import format_time, plural
from geomap.routing import route
from geomap.routing.summary import METHOD_LABELS, RouteSummary, format_report, format_table

from tests.conftest import X0, Y0


def test_summary_counts_and_table(owners_gpkg: Path, registry_toml: Path, rules_toml: Path) -> None:
    data = gpd.GeoDataFrame(
        {
            "kategori": ["Klotter", "Klotter", "Trasig belysning", "Okänt", "Skräp"],
            "datum": ["2025-02-01", "2025-03-01", "2025-01-15", "2025-04-01", None],
        },
        geometry=[
            shapely.Point(X0 + 50, Y0 + 50),
            shapely.Point(X0 + 100, Y0 + 50),
            shapely.Point(X0 + 50, Y0 + 50),
            shapely.Point(X0 + 150, Y0 + 50),
            None,
        ],
        crs=3011,
    )
    summary = route(data, owners=owners_gpkg, registry=registry_toml, rules=rules_toml).summary
    assert summary.total == 5
    assert summary.counts == {
        "kommun": {"ownership": 2},
        "huge": {"ownership": 1},
        "belysning": {"category_rule": 1},
        "": {"unrouted": 1},
    }
    assert summary.boundary == 1
    assert summary.unknown_categories == {"Okänt": 1}
    assert summary.missing_geometry == 1
    assert summary.period_start == "2025-01-15T00:00:00"
    assert summary.period_end == "2025-04-01T00:00:00"
    assert summary.synthetic
    table = format_table(summary)
    lines = table.splitlines()
    assert lines[0].split()[0] == "Ägare"
    assert METHOD_LABELS["category_rule"] in lines[0]
    assert lines[-1].split()[-1] == "5"
    assert any(line.startswith("(ej dirigerad)") for line in lines)
    data_dict = summary.to_dict()
    assert data_dict["by_method"] == {"ownership": 3, "category_rule": 1, "unrouted": 1}


def _summary(**changes: object) -> RouteSummary:
    base = RouteSummary(
        total=1,
        counts={"a": {"ownership": 1}},
        owner_names={"a": "Ägare A"},
        unrouted=0,
        boundary=0,
        overlap=0,
        unknown_categories={},
        outside_extent=0,
        missing_geometry=0,
        repaired_polygons=0,
        dropped_polygons=0,
        overlapping_polygons=0,
        axis_swapped_files=[],
        period_start=None,
        period_end=None,
        working_crs="EPSG:3011",
        tolerance_m=2.0,
        max_distance_m=25.0,
        synthetic=False,
    )
    return dataclasses.replace(base, **changes)  # type: ignore[arg-type]


WRITTEN = {"routed": "routed.gpkg", "summary": "summary.json", "unrouted": "unrouted.csv"}


@pytest.mark.parametrize(
    ("n", "words"),
    [
        (1, ["1 ogiltig polygon reparerad", "1 tom borttagen", "1 överlappar annan ägare"]),
        (2, ["2 ogiltiga polygoner reparerade", "2 tomma borttagna", "2 överlappar andra ägare"]),
    ],
)
def test_report_polygons_singular_and_plural(n: int, words: list[str]) -> None:
    report = format_report(
        _summary(repaired_polygons=n, dropped_polygons=n, overlapping_polygons=n), WRITTEN, "ut"
    )
    assert f"Ägarskiktet: {', '.join(words)}" in report


def test_report_mixes_singular_and_plural() -> None:
    report = format_report(
        _summary(repaired_polygons=1, dropped_polygons=0, overlapping_polygons=3), WRITTEN, "ut"
    )
    assert "Ägarskiktet: 1 ogiltig polygon reparerad, 0 tomma borttagna, 3 överlappar" in report


@pytest.mark.parametrize(
    ("total", "text"), [(0, "0 anmärkningar"), (1, "1 anmärkning "), (2, "2 anmärkningar")]
)
def test_report_counts_remarks_in_swedish(total: int, text: str) -> None:
    assert f"Dirigerade {text}" in format_report(_summary(total=total), WRITTEN, "ut")


def test_report_lists_and_maps_singular_and_plural() -> None:
    one = format_report(
        _summary(), {**WRITTEN, "owners": {"a": 1}, "map": "map.html", "owner_maps": {"a": 1}}, "ut"
    )
    assert "(1 arbetslista, CSV och XLSX)" in one and "(+ 1 karta per ägare" in one
    two = format_report(
        _summary(), {**WRITTEN, "owners": {"a": 1, "b": 2}, "map": "map.html"}, "ut"
    )
    assert "(2 arbetslistor, CSV och XLSX)" in two and "(+ 0 kartor per ägare" in two


def test_report_unknown_categories() -> None:
    one = format_report(_summary(unknown_categories={"Cykel": 3}), WRITTEN, "ut")
    assert "1 okänd kategori (lägg till alias): 'Cykel' (3)" in one
    two = format_report(_summary(unknown_categories={"Cykel": 3, "Båt": 1}), WRITTEN, "ut")
    assert "2 okända kategorier (lägg till alias)" in two


@pytest.mark.parametrize(
    ("start", "end", "shown"),
    [
        ("2025-01-01T01:01:00", "2025-03-02T17:45:30", "(2025-01-01 01:01 – 2025-03-02 17:45)"),
        ("2025-01-01T00:00:00", "2025-01-01T00:00:00", "(2025-01-01 00:00 – 2025-01-01 00:00)"),
        (
            "2025-06-30T22:30:00+00:00",
            "2025-12-31T23:30:00+00:00",
            "(2025-07-01 00:30 – 2026-01-01 00:30)",
        ),
        (None, None, "(inga tidpunkter)"),
    ],
)
def test_report_period_is_local_minutes(start: str | None, end: str | None, shown: str) -> None:
    report = format_report(_summary(period_start=start, period_end=end), WRITTEN, "ut")
    assert report.splitlines()[0] == f"Dirigerade 1 anmärkning {shown}."
    assert "T0" not in report.splitlines()[0]


@given(st.integers(min_value=0, max_value=10**9))
def test_plural_is_singular_only_for_one(n: int) -> None:
    text = plural(n, "anmärkning", "anmärkningar")
    assert text == (f"{n} anmärkning" if n == 1 else f"{n} anmärkningar")


def test_format_time_keeps_text_that_is_no_time() -> None:
    assert format_time("okänd") == "okänd"
    assert format_time(pd.Timestamp("2025-05-05 08:09:10")) == "2025-05-05 08:09"
    assert format_time(pd.NaT) == "?"


@pytest.mark.parametrize(
    ("written", "lines"),
    [
        (
            {"routed": "routed.gpkg"},
            ["  routed.gpkg  (alla anmärkningar, lager 'remarks')"],
        ),
        (
            {
                "routed": "routed.parquet",
                "routed_parquet": "routed.parquet",
                "routed_layers": "routed_layers.gpkg",
            },
            [
                "  routed.parquet  (alla anmärkningar, GeoParquet)",
                "  routed_layers.gpkg  (övriga lager: ägare, ägarregister, körningsinfo)",
            ],
        ),
        (
            {
                "routed": "routed.gpkg",
                "routed_parquet": "routed.parquet",
                "routed_layers": "routed_layers.gpkg",
            },
            [
                "  routed.gpkg  (alla anmärkningar, lager 'remarks')",
                "  routed.parquet  (alla anmärkningar, GeoParquet)",
                "  routed_layers.gpkg  (övriga lager: ägare, ägarregister, körningsinfo)",
            ],
        ),
    ],
)
def test_report_names_the_routed_files_written(written: dict[str, str], lines: list[str]) -> None:
    """``--format parquet`` writes no layer 'remarks': the report names the GeoParquet file."""
    report = format_report(_summary(), {**written, "summary": "summary.json"}, "ut").splitlines()
    start = report.index("Utdata i ut/:") + 1
    assert report[start : start + len(lines) + 1] == [*lines, "  summary.json"]
