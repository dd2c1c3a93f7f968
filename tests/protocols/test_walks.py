"""Tests for geomap.protocols.walks: walk metadata from remark columns and walk tables."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest
import shapely

from geomap.errors import InputError
from geomap.io.sheets import write_xlsx
from geomap.protocols import read_walks, walk_metadata

ROW = {"vandring_id": ["TV-1"], "datum": ["23/4 2025"], "starttid": ["kl 19.30"], "plats": ["Torget"],
       "arrangör": ["Polisen"], "organisationer": ["Polisen;Huge"], "deltagare": ["Anna A"],
       "kontaktperson": ["Bo B"]}  # fmt: skip


def test_metadata_from_remark_rows_first_value_per_walk() -> None:
    rows = pd.DataFrame({"walk_id": ["A", "A", "B"], "walk_date": [None, "2025-04-23", "2025-09-17"],
                         "tid": ["19:00", None, "1930"], "place": ["Torget", "Torget", "Parken"]})  # fmt: skip
    meta = walk_metadata(rows)
    assert meta.index.tolist() == ["A", "B"]
    assert meta.loc["A", "date"] == pd.Timestamp("2025-04-23")
    assert meta["time"].tolist() == ["19:00", "19:30"]
    assert meta.loc["B", "organiser"] is None


@pytest.mark.parametrize("suffix", [".csv", ".xlsx", ".gpkg"])
def test_read_walks_formats_and_drops_persons(tmp_path: Path, suffix: str) -> None:
    path = tmp_path / f"vandringar{suffix}"
    frame = pd.DataFrame(ROW)
    if suffix == ".csv":
        frame.to_csv(path, sep=";", index=False)
    elif suffix == ".xlsx":
        write_xlsx({"Anmärkningar": pd.DataFrame({"x": [1]}), "Vandring": frame}, path)
    else:
        gpd.GeoDataFrame({"a": [1]}, geometry=[shapely.Point(0, 0)], crs=3011).to_file(
            path, layer="remarks"
        )
        import pyogrio

        pyogrio.write_dataframe(frame, path, layer="vandringar")
    walks = read_walks(path)
    assert walks.loc["TV-1"].tolist() == [
        pd.Timestamp("2025-04-23"),
        "19:30",
        "Torget",
        "Polisen",
        "Polisen;Huge",
    ]
    assert "Anna" not in walks.to_string() and "Bo B" not in walks.to_string()


def test_walk_table_wins_and_adds_walks() -> None:
    rows = pd.DataFrame({"walk_id": ["A"], "place": ["Torget"], "arrangor": ["Kommunen"]})
    table = pd.DataFrame({"vandring_id": ["A", "Z"], "arrangor": ["Polisen", "Huge"]})
    from geomap.protocols.walks import _frame

    meta = walk_metadata(rows, _frame(table, where="t"))
    assert meta.loc["A", ["place", "organiser"]].tolist() == ["Torget", "Polisen"]
    assert meta.index.tolist() == ["A", "Z"]


def test_read_walks_errors(tmp_path: Path) -> None:
    with pytest.raises(InputError, match=r"`walks`: .*nope.csv does not exist"):
        read_walks(tmp_path / "nope.csv")
    bad = tmp_path / "bad.csv"
    bad.write_text("plats;datum\nTorget;2025-04-23\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"bad.csv: no walk id column .*vandring_id"):
        read_walks(bad)
    gpkg = tmp_path / "w.gpkg"
    gpd.GeoDataFrame({"a": [1]}, geometry=[shapely.Point(0, 0)], crs=3011).to_file(
        gpkg, layer="remarks"
    )
    with pytest.raises(
        InputError, match=r"w.gpkg has no layer 'resor' for the walk table \(layers: remarks\)"
    ):
        read_walks(gpkg, layer="resor")
