"""Tests for geomap.maps.data: the compact columnar payload and its safe embedding in HTML."""

from __future__ import annotations

import base64
import json

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from hypothesis import given
from hypothesis import strategies as st

from geomap.errors import GeomapError
from geomap.maps.data import (
    N_SHAPES,
    NO_DAY,
    PALETTE,
    UNROUTED_COLOUR,
    MapText,
    _text,
    _texts,
    build_payload,
    owner_table,
    script_json,
    spatial_order,
    typed_column,
)

from tests.maps.helpers import MALICIOUS, REGISTRY, make_owner_polygons, make_remarks

DTYPES = {"i8": "<i1", "i16": "<i2", "i32": "<i4"}


def decode(column: dict[str, str]) -> list[int]:
    return np.frombuffer(base64.b64decode(column["b"]), dtype=DTYPES[column["t"]]).tolist()


def payload(remarks: gpd.GeoDataFrame | None = None, **kwargs: object) -> dict:
    return build_payload(
        make_remarks() if remarks is None else remarks,
        registry=REGISTRY,
        owners=kwargs.pop("owners", make_owner_polygons()),  # type: ignore[arg-type]
        text=MapText("Titel", "2025", "Syntetiskt"),
        **kwargs,  # type: ignore[arg-type]
    )


@given(st.lists(st.integers(min_value=-(2**31), max_value=2**31 - 1), max_size=50))
def test_typed_column_round_trips(values: list[int]) -> None:
    column = typed_column(values)
    assert decode(column) == values


@pytest.mark.parametrize(
    ("values", "kind"), [([0, 127], "i8"), ([-1, 300], "i16"), ([70_000], "i32")]
)
def test_typed_column_picks_smallest(values: list[int], kind: str) -> None:
    assert typed_column(values)["t"] == kind


_VALUES = st.one_of(
    st.none(),
    st.just(float("nan")),
    st.just(pd.NA),
    st.just(pd.NaT),
    st.text(),
    st.integers(),
    st.floats(allow_nan=False),
    st.binary(max_size=4),
    st.booleans(),
)


@given(st.lists(_VALUES, max_size=30))
def test_texts_equals_text_of_each_value(values: list[object]) -> None:
    series = pd.Series(values, dtype=object)
    assert _texts(series) == [_text(v) for v in series.tolist()]


@pytest.mark.parametrize(
    "series",
    [
        pd.Series([1, 2, 3]),
        pd.Series([1.5, None, 2.0]),
        pd.Series(["a", None, "c"], dtype="string"),
        pd.Series([1, None], dtype="Int64"),
        pd.Series(["x", "y"], dtype="category"),
        pd.Series([], dtype=object),
    ],
)
def test_texts_equals_text_for_typed_columns(series: pd.Series) -> None:
    assert _texts(series) == [_text(v) for v in series.tolist()]


def test_typed_column_refuses_64_bit() -> None:
    with pytest.raises(GeomapError, match=r"`values`: received 1099511627776\.\.1099511627776"):
        typed_column([2**40])


@given(
    st.recursive(
        st.text() | st.integers() | st.none(), lambda c: st.lists(c) | st.dictionaries(st.text(), c)
    )
)
def test_script_json_round_trips_and_is_inert(value: object) -> None:
    text = script_json(value)
    assert json.loads(text) == value
    assert not set(text) & {"<", ">", "&", "\u2028", "\u2029"}


def test_script_json_escapes_script_end() -> None:
    text = script_json({"d": MALICIOUS})
    assert "</script" not in text and "<img" not in text
    assert json.loads(text)["d"] == MALICIOUS


def test_payload_columns() -> None:
    p = payload()
    r = p["r"]
    assert r["n"] == 20 and len(r["id"]) == 20
    lat, lon = np.array(decode(r["lat"])) / 1e5, np.array(decode(r["lon"])) / 1e5
    assert ((lat > 59.1) & (lat < 59.4)).all() and ((lon > 17.7) & (lon < 18.3)).all()
    owners = [o["id"] for o in p["owners"]]
    assert owners == ["kommun", "huge", "hsab", ""]  # registry order, then unrouted
    assert p["owners"][-1]["colour"] == UNROUTED_COLOUR
    ids = r["id"]
    owner_of = {i: owners[o] for i, o in zip(ids, decode(r["o"]), strict=True)}
    assert owner_of["kommun-000"] == "kommun" and owner_of["unrouted-0"] == ""
    day_of = dict(zip(ids, decode(r["d"]), strict=True))
    assert day_of["kommun-000"] == (pd.Timestamp("2025-03-01") - pd.Timestamp("1970-01-01")).days
    assert day_of["unrouted-0"] == NO_DAY
    dist_of = dict(zip(ids, decode(r["dist"]), strict=True))
    assert dist_of["kommun-000"] == 125 and dist_of["unrouted-0"] == -1  # decimetres; -1 = none


def test_spatial_order_visits_quadrants_in_turn() -> None:
    rng = np.random.default_rng(3)
    xy = rng.permutation(np.array([(x, y) for x in range(4) for y in range(4)], dtype=float))
    order = spatial_order(xy[:, 0], xy[:, 1])
    quadrant = [(int(x) // 2, int(y) // 2) for x, y in xy[order]]
    assert quadrant == sorted(quadrant, key=lambda q: (q[1], q[0]))  # Z-order: quadrant by quadrant
    assert sorted(payload()["r"]["id"]) == sorted(make_remarks()["remark_id"])


def test_payload_coordinates_match_pyproj() -> None:
    point = gpd.GeoDataFrame(
        {"remark_id": ["a"], "category": ["klotter"], "owner": ["huge"]},
        geometry=[shapely.Point(153_000, 6_567_000)],
        crs="EPSG:3011",
    )
    expected = point.to_crs(4326).geometry.iloc[0]
    r = payload(point)["r"]
    assert decode(r["lat"])[0] == round(expected.y * 1e5)
    assert decode(r["lon"])[0] == round(expected.x * 1e5)


def test_repeated_strings_are_stored_once() -> None:
    remarks = make_remarks()
    remarks["description"] = "samma text"
    p = payload(remarks)
    assert p["str"].count("samma text") == 1
    assert set(decode(p["r"]["desc"])) == {p["str"].index("samma text")}


def test_unlocated_remarks_are_counted_not_drawn() -> None:
    remarks = make_remarks()
    remarks.loc[0, "geometry"] = None
    p = payload(remarks)
    assert p["unlocated"] == 1 and p["r"]["n"] == 19


def test_district_index_and_geojson() -> None:
    districts = gpd.GeoDataFrame(
        {"name": ["Väst", "Öst"]},
        geometry=[
            shapely.box(140_000, 6_550_000, 155_000, 6_580_000),
            shapely.box(155_000, 6_550_000, 170_000, 6_580_000),
        ],
        crs="EPSG:3011",
    )
    p = payload(
        districts=districts, boundary=gpd.GeoDataFrame(geometry=[districts.union_all()], crs=3011)
    )
    district_of = dict(zip(p["r"]["id"], decode(p["r"]["k"]), strict=True))
    assert p["districts"] == ["Väst", "Öst"]
    assert {district_of[f"{o}-{k:03d}"] for o in ("kommun", "huge") for k in range(6)} == {0}
    assert {district_of[f"hsab-{k:03d}"] for k in range(6)} == {1}  # east of x = 155 000
    assert len(p["geo"]["districts"]["features"]) == 2
    assert len(p["geo"]["boundary"]["features"]) == 1
    ring = p["geo"]["districts"]["features"][0]["geometry"]["coordinates"][0]
    assert all(round(c, 5) == c for pt in ring for c in pt)


def test_owner_polygons_are_dissolved_per_owner() -> None:
    polygons = pd.concat([make_owner_polygons(), make_owner_polygons()], ignore_index=True)
    p = payload(owners=gpd.GeoDataFrame(polygons, crs=3011))
    assert sorted(f["properties"]["o"] for f in p["geo"]["owners"]["features"]) == [0, 1, 2]


def test_scope_owner_leaks_nothing_of_others() -> None:
    remarks = make_remarks()
    mine = remarks[remarks["owner"] == "huge"]
    p = payload(mine, scope_owner="huge")
    text = json.dumps(p, ensure_ascii=False)
    assert [o["id"] for o in p["owners"]] == ["huge"]
    for other in ("kommun", "hsab", "Huddinge kommun", "Samhällsfastigheter"):
        assert other not in text
    assert "huge;annan ägare" in p["str"]  # the boundary remark's other candidate
    assert {f["properties"]["o"] for f in p["geo"]["owners"]["features"]} == {0}


def test_owner_table_colours() -> None:
    registry = pd.DataFrame(
        {
            "owner": ["a", "b"],
            "name": ["A", None],
            "colour": ["#ABCDEF", "red"],
            "priority": [2, 1],
            "contact": [None, None],
        }
    )
    remarks = pd.DataFrame({"owner": ["a", "b", "c"], "owner_name": ["A", "B", "C AB"]})
    table = owner_table(registry, remarks)
    assert list(table["owner"]) == ["b", "a", "c"]  # priority order, unknown last
    assert list(table["colour"]) == [PALETTE[0], "#abcdef", PALETTE[1]]  # invalid colour replaced
    assert list(table["name"]) == ["b", "A", "C AB"]


def test_unknown_category_gets_label() -> None:
    remarks = make_remarks()
    remarks.loc[0, "category"] = None
    p = payload(remarks)
    assert p["cats"][-1]["label"] == "Okänd kategori" and p["cats"][-1]["code"] == ""


def test_category_symbols_are_the_same_in_every_map() -> None:
    remarks = make_remarks()
    full = {c["code"]: c["shape"] for c in payload()["cats"]}
    part = {
        c["code"]: c["shape"] for c in payload(remarks[remarks["category"] == "belysning"])["cats"]
    }
    assert part["belysning"] == full["belysning"]
    assert len({full["klotter"], full["belysning"], full["nedskrapning"]}) == 3
    assert all(0 <= s < N_SHAPES for s in full.values())


def test_shared_payload_leaves_the_districts_to_the_shared_file() -> None:
    from geomap.maps.data import MapText, build_payload, shared_geography

    districts = gpd.GeoDataFrame(
        {"name": ["Väst", "Öst"]},
        geometry=[
            shapely.box(152_000, 6_566_000, 153_000, 6_568_000),
            shapely.box(153_000, 6_566_000, 154_000, 6_568_000),
        ],
        crs=3011,
    )
    remarks = gpd.GeoDataFrame(
        {
            "remark_id": ["a", "b"],
            "category": ["klotter"] * 2,
            "category_label": ["Klotter"] * 2,
            "owner": ["huge"] * 2,
            "owner_name": ["Huge"] * 2,
            "timestamp": pd.to_datetime(["2025-01-02", "2025-01-03"]),
        },
        geometry=[shapely.Point(152_500, 6_567_000), shapely.Point(153_500, 6_567_000)],
        crs=3011,
    )
    registry = pd.DataFrame({"owner": ["huge"], "name": ["Huge"], "colour": ["#e69f00"]})
    alone = build_payload(remarks, registry=registry, districts=districts, text=MapText("T"))
    shared = build_payload(
        remarks, registry=registry, districts=districts, text=MapText("T"), shared=True
    )
    common = shared_geography(districts, None)
    assert shared["shared"] is True and "shared" not in alone
    assert shared["districts"] == [] and sorted(shared["geo"]) == ["owners"]
    assert "labels" not in shared and common["labels"] == alone["labels"]  # in the shared file
    assert common["districts"] == alone["districts"] == ["Väst", "Öst"]
    assert common["geo"]["districts"] == alone["geo"]["districts"]
    assert shared["r"]["k"] == alone["r"]["k"]  # remarks still index the shared districts
