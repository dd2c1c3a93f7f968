from __future__ import annotations

import json
from pathlib import Path

import geopandas as gpd
import openpyxl
import pandas as pd
import pyogrio
import pytest
import shapely

import geomap.routing.lists as lists
from geomap.errors import OutputExistsError
from geomap.routing import route
from geomap.routing.outputs import write_outputs

from tests.conftest import X0, Y0


@pytest.fixture
def result(owners_gpkg: Path, registry_toml: Path, rules_toml: Path):  # type: ignore[no-untyped-def]
    data = gpd.GeoDataFrame(
        {
            "arendenr": ["A1", "A2", "A3", "A4"],
            "kategori": ["Klotter", "Skadegörelse", "Trasig belysning", "Skräp"],
            "beskrivning": [
                '=HYPERLINK("http://example.com")',
                "<script>alert(1)</script>",
                "+cmd",
                "långt bort",
            ],
            "datum": ["2025-01-01 10:00", "2025-01-02 11:00", "2025-01-03", "2025-01-04"],
        },
        geometry=[
            shapely.Point(X0 + 50, Y0 + 50),
            shapely.Point(X0 + 150, Y0 + 50),
            shapely.Point(X0 + 60, Y0 + 60),
            shapely.Point(X0 + 5000, Y0),
        ],
        crs=3011,
    )
    return route(data, owners=owners_gpkg, registry=registry_toml, rules=rules_toml)


def test_all_outputs(tmp_path: Path, result) -> None:  # type: ignore[no-untyped-def]
    out = tmp_path / "out"
    written = write_outputs(result, out)
    assert sorted(p.name for p in out.iterdir()) == [
        ".geomap-output",
        "owners",
        "routed.gpkg",
        "summary.json",
        "unrouted.csv",
    ]
    layers = dict(pyogrio.list_layers(out / "routed.gpkg"))
    assert set(layers) == {"remarks", "owners", "owner_registry", "run_info"}
    remarks = pyogrio.read_dataframe(out / "routed.gpkg", layer="remarks")
    assert len(remarks) == 4
    assert remarks["remark_id"].is_unique
    for column in (
        "owner",
        "route_method",
        "distance_m",
        "candidates",
        "flags",
        "reason",
        "arendenr",
    ):
        assert column in remarks.columns
    info = pyogrio.read_dataframe(out / "routed.gpkg", layer="run_info").set_index("key")["value"]
    assert info["synthetic"] == "true"
    assert info["working_crs"] == "EPSG:3011"
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert summary["total"] == 4
    assert summary["by_method"] == {"ownership": 2, "category_rule": 1, "unrouted": 1}
    assert summary["outputs"]["owners"]["kommun"]["xlsx"] == "owners/kommun.xlsx"
    assert set(written["owners"]) == {"kommun", "huge", "belysning"}


def test_lists_hold_only_their_owner_and_are_excel_safe(tmp_path: Path, result) -> None:  # type: ignore[no-untyped-def]
    out = tmp_path / "out"
    write_outputs(result, out)
    raw = (out / "owners" / "kommun.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    kommun = pd.read_csv(out / "owners" / "kommun.csv", sep=";", encoding="utf-8-sig", dtype=str)
    assert kommun["Id"].tolist() == ["A1"]
    assert kommun["Beskrivning"].iloc[0] == '\'=HYPERLINK("http://example.com")'
    assert kommun["Ansvarig"].iloc[0] == "Huddinge kommun"
    assert kommun["Latitud"].iloc[0].startswith("59,")  # decimal comma
    assert "Syntetiska data" in kommun.columns
    belysning = pd.read_csv(
        out / "owners" / "belysning.csv", sep=";", encoding="utf-8-sig", dtype=str
    )
    assert belysning["Beskrivning"].tolist() == ["'+cmd"]
    assert belysning["Dirigerad via"].tolist() == ["kategoriregel"]
    book = openpyxl.load_workbook(out / "owners" / "kommun.xlsx")
    sheet = book["Anmärkningar"]
    header = [c.value for c in sheet[1]]
    row = dict(zip(header, [c.value for c in sheet[2]], strict=True))
    assert row["Beskrivning"] == '\'=HYPERLINK("http://example.com")'
    assert sheet.max_row == 2
    unrouted = pd.read_csv(out / "unrouted.csv", sep=";", encoding="utf-8-sig", dtype=str)
    assert unrouted["Id"].tolist() == ["A4"]


def test_refuses_existing_outdir(tmp_path: Path, result) -> None:  # type: ignore[no-untyped-def]
    out = tmp_path / "out"
    out.mkdir()
    with pytest.raises(OutputExistsError, match=r"out already exists; pass `overwrite`"):
        write_outputs(result, out)
    write_outputs(result, out, overwrite=True)
    assert (out / "routed.gpkg").exists()


def test_excel_row_limit_keeps_csv(
    tmp_path: Path,
    result,
    monkeypatch: pytest.MonkeyPatch,  # type: ignore[no-untyped-def]
    caplog: pytest.LogCaptureFixture,
) -> None:
    monkeypatch.setattr(lists, "EXCEL_MAX_ROWS", 0)  # the lists are written by routing.lists
    written = write_outputs(result, tmp_path / "out")
    assert not (tmp_path / "out" / "owners" / "kommun.xlsx").exists()
    assert (tmp_path / "out" / "owners" / "kommun.csv").exists()
    assert "xlsx_skipped" in written["owners"]["kommun"]
    assert "more than an Excel sheet holds" in caplog.text


def test_owner_ids_are_sanitised_in_paths(tmp_path: Path) -> None:
    owners = gpd.GeoDataFrame(
        {"owner": ["../../evil", "ok"]},
        geometry=[
            shapely.box(X0, Y0, X0 + 10, Y0 + 10),
            shapely.box(X0 + 10, Y0, X0 + 20, Y0 + 10),
        ],
        crs=3011,
    )
    data = gpd.GeoDataFrame(
        {"kategori": ["Klotter"]}, geometry=[shapely.Point(X0 + 5, Y0 + 5)], crs=3011
    )
    result = route(data, owners=owners)
    write_outputs(result, tmp_path / "out")
    files = [p.name for p in (tmp_path / "out" / "owners").iterdir()]
    assert all("/" not in f and not f.startswith(".") for f in files)
    assert any(f.startswith("evil-") for f in files)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]
