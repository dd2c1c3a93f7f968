from __future__ import annotations

import geopandas as gpd
import pandas as pd
import pytest
import shapely

from geomap.core.categories import load_categories
from geomap.core.remarks import build_remarks, find_column


def frame(data: dict[str, list[object]]) -> gpd.GeoDataFrame:
    n = len(next(iter(data.values())))
    out = gpd.GeoDataFrame(data, geometry=[shapely.Point(i, i) for i in range(n)], crs=3011)
    out["source_file"] = "in.csv"
    out["source_row"] = range(1, n + 1)
    return out


def test_model_columns_from_swedish_headers() -> None:
    f = frame(
        {
            "Ärendenr": ["LB-1", "LB-2"],
            "Datum": ["2025-03-14", "2025-03-15"],
            "Tid": ["21:40", "08:05"],
            "Kategori": ["klotter/tags", "Övergiven cykel"],
            "Beskrivning": ["Tags på elskåp", " "],
            "Önskad åtgärd": ["Sanera", None],
            "Plats": ["Sjödalstorget", "Stuvsta"],
            "Källa": ["Lägesbild", None],
        }
    )
    out = build_remarks(f, categories=load_categories(), source="felanmalan")
    assert out["remark_id"].tolist() == ["LB-1", "LB-2"]
    assert out["source"].tolist() == ["lagesbild", "felanmalan"]
    assert out["category"].tolist() == ["klotter", "Övergiven cykel"]
    assert out["_category_known"].tolist() == [True, False]
    assert out["timestamp"].tolist() == [
        pd.Timestamp("2025-03-14 21:40"),
        pd.Timestamp("2025-03-15 08:05"),
    ]
    assert pd.isna(out["description"].iloc[1])
    assert out["action"].iloc[0] == "Sanera"
    assert out["place"].tolist() == ["Sjödalstorget", "Stuvsta"]
    # every input column is kept
    assert {"Ärendenr", "Kategori", "Källa"} <= set(out.columns)


def test_safety_walk_ids_and_source() -> None:
    f = frame(
        {
            "vandring_id": ["TV-2025-1", "TV-2025-1"],
            "vandringsdatum": ["2025-05-12", "2025-05-12"],
            "nr": ["1", "2"],
            "anmarkning": ["Mörk gångtunnel", "Skymd sikt"],
            "onskad_atgard": ["Mer belysning", "Beskär buskar"],
        }
    )
    out = build_remarks(f, categories=load_categories())
    assert out["source"].tolist() == ["trygghetsvandring"] * 2
    assert out["remark_id"].tolist() == ["TV-2025-1-1", "TV-2025-1-2"]
    assert out["walk_date"].tolist() == ["2025-05-12"] * 2
    assert out["description"].tolist() == ["Mörk gångtunnel", "Skymd sikt"]
    assert out["action"].tolist() == ["Mer belysning", "Beskär buskar"]


def test_derived_ids_are_stable_and_unique() -> None:
    data = {"kategori": ["Klotter", "Klotter", "Skräp"], "beskrivning": ["a", "a", "b"]}
    first = build_remarks(frame(data), categories=load_categories())["remark_id"]
    again = build_remarks(frame(data), categories=load_categories())["remark_id"]
    assert first.tolist() == again.tolist()
    assert first.is_unique
    assert all(i.startswith("R-") for i in first)


def test_reserved_input_columns_are_kept_with_prefix() -> None:
    f = frame({"category": ["Klotter"], "owner": ["someone"]})
    out = build_remarks(f, categories=load_categories())
    assert out["input_owner"].tolist() == ["someone"]
    assert out["input_category"].tolist() == ["Klotter"]
    assert out["category"].tolist() == ["klotter"]


def test_unparseable_dates_are_empty(caplog: pytest.LogCaptureFixture) -> None:
    out = build_remarks(frame({"datum": ["igår", "2025-01-02"]}), categories=load_categories())
    assert out["timestamp"].isna().tolist() == [True, False]
    assert "not dates" in caplog.text


def test_find_column() -> None:
    assert find_column(["Latitud", "Händelsetyp"], "category") == "Händelsetyp"
    assert find_column(["x"], "description") is None


def test_walk_numbers_made_float_by_a_concat_stay_integers() -> None:
    f = frame({"vandring_id": ["TV1", "TV1", None], "nr": [1.0, 2.0, float("nan")]})
    out = build_remarks(f, categories=load_categories())
    assert out["remark_id"].tolist()[:2] == ["TV1-1", "TV1-2"]
