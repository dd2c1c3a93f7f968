from __future__ import annotations

import geopandas as gpd
import pandas as pd
import pytest
import shapely
from hypothesis import given, settings
from hypothesis import strategies as st

from geomap.core.categories import load_categories
from geomap.core.remarks import (
    build_remarks,
    find_column,
    free_name,
    remark_fields,
    safe_column_names,
    unique_ids,
    without_previous_run,
)


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
    assert "not a valid date" in caplog.text


def test_find_column() -> None:
    assert find_column(["Latitud", "Händelsetyp"], "category") == "Händelsetyp"
    assert find_column(["x"], "description") is None


def test_walk_numbers_made_float_by_a_concat_stay_integers() -> None:
    f = frame({"vandring_id": ["TV1", "TV1", None], "nr": [1.0, 2.0, float("nan")]})
    out = build_remarks(f, categories=load_categories())
    assert out["remark_id"].tolist()[:2] == ["TV1-1", "TV1-2"]


def test_ids_stay_unique_when_a_suffix_is_taken() -> None:
    out = build_remarks(frame({"id": ["A", "A", "A-2"]}), categories=load_categories())
    assert out["remark_id"].tolist() == ["A", "A-3", "A-2"]


@settings(max_examples=200, deadline=None)
@given(ids=st.lists(st.sampled_from(["A", "A-2", "A-3", "A-2-2", "B", "B-2", "A-4"]), max_size=30))
def test_unique_ids_invariants(ids: list[str]) -> None:
    out = unique_ids(pd.Series(ids, dtype=object)).tolist()
    assert len(set(out)) == len(out) == len(ids)
    seen: set[str] = set()
    for given_id, new in zip(ids, out, strict=True):
        if given_id not in seen:
            assert new == given_id  # the first of each id keeps it
        else:
            assert new.startswith(f"{given_id}-")
        seen.add(given_id)


def test_colliding_columns_get_a_free_name_with_a_warning(caplog: pytest.LogCaptureFixture) -> None:
    f = frame({"owner": ["a"], "input_owner": ["b"], "FID": ["7"], "Category": ["Klotter"]})
    warnings: list[str] = []
    out = build_remarks(f, categories=load_categories(), warnings=warnings)
    assert out[["input_owner", "input_owner_2", "input_FID"]].values.tolist() == [["b", "a", "7"]]
    assert "input_input_owner" not in out.columns
    assert out["category"].tolist() == ["klotter"]  # 'Category' is still the category
    assert "input_Category" in out.columns
    assert len(warnings) == 3 and "'owner'" in warnings[0] and "'input_owner_2'" in warnings[0]
    assert "kept as 'input_FID'" in caplog.text


def test_safe_column_names_and_free_name() -> None:
    assert safe_column_names(["kategori", "Geometry", "remark_id"]) == {
        "Geometry": "input_Geometry",
        "remark_id": "input_remark_id",
    }
    assert free_name("a", ["A", "a_2"]) == "a_3"


def test_fields_are_detected_per_file() -> None:
    assert remark_fields(["anmarkning", "vandringsdatum", "Markägare enligt protokoll"]) == {
        "description": "anmarkning",
        "walk_date": "vandringsdatum",
        "protocol_owner": "Markägare enligt protokoll",
    }
    assert remark_fields(["source_file", "geometry"]) == {}


def test_walk_remarks_get_their_walks_date_and_time() -> None:
    f = frame(
        {
            "vandring_id": ["TV1", "TV1"],
            "vandringsdatum": ["2025-05-12", "2025-05-13"],
            "klockslag": ["18.30", None],
            "markagare_enligt_protokoll": ["Huge", None],
        }
    )
    out = build_remarks(f, categories=load_categories())
    assert out["timestamp"].tolist() == [
        pd.Timestamp("2025-05-12 18:30"),
        pd.Timestamp("2025-05-13"),
    ]
    assert out["protocol_owner"].tolist()[0] == "Huge"
    assert pd.isna(out["protocol_owner"].iloc[1])


def test_previous_run_columns_are_dropped_only_from_a_routed_frame() -> None:
    routed = pd.DataFrame(
        {c: ["x"] for c in ("remark_id", "route_method", "owner", "flags", "reason", "kategori")}
    )
    assert list(without_previous_run(routed).columns) == ["kategori"]
    plain = pd.DataFrame({"owner": ["x"], "kategori": ["y"]})
    assert without_previous_run(plain) is plain


def test_axis_swapped_column_is_neither_renamed_nor_content() -> None:
    # The reader's own `_axis_swapped` column passes through the model untouched, and a remark
    # without an id gets the same content id whether its file's axes were swapped or not.
    plain = frame({"kategori": ["Klotter"], "beskrivning": ["tags"]})
    marked = plain.assign(_axis_swapped=[True])
    cats = load_categories()
    a, b = build_remarks(plain, categories=cats), build_remarks(marked, categories=cats)
    assert b["_axis_swapped"].tolist() == [True]
    assert not any(c.startswith("input_") for c in b.columns)
    assert a["remark_id"].tolist() == b["remark_id"].tolist()
    assert remark_fields(["_axis_swapped", "kategori"]) == {"category": "kategori"}
