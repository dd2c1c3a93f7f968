from __future__ import annotations

import itertools
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from hypothesis import given, settings
from hypothesis import strategies as st

from geomap.errors import ConfigError, InputError
from geomap.routing import route

from tests.conftest import X0, Y0, box


def remarks(
    points: list[tuple[float, float] | None], categories: list[str], texts: list[str] | None = None
) -> gpd.GeoDataFrame:
    geoms = [None if p is None else shapely.Point(X0 + p[0], Y0 + p[1]) for p in points]
    return gpd.GeoDataFrame(
        {
            "id": [f"R{i}" for i in range(len(points))],
            "kategori": categories,
            "beskrivning": texts or [""] * len(points),
        },
        geometry=geoms,
        crs="EPSG:3011",
    )


@pytest.fixture
def responsibility() -> gpd.GeoDataFrame:
    # the municipality maintains a strip of Huge's land
    return gpd.GeoDataFrame({"owner": ["kommun"]}, geometry=[box(150, 0, 200, 40)], crs=3011)


def test_precedence(
    owners_gpkg: Path, registry_toml: Path, rules_toml: Path, responsibility: gpd.GeoDataFrame
) -> None:
    data = remarks(
        [(50, 50), (120, 50), (170, 20), (205, 50), (170, 20), (500, 500), None, (150, 300)],
        [
            "Klotter",
            "Klotter",
            "Klotter",
            "Klotter",
            "Trasig belysning",
            "Klotter",
            "Skräp",
            "Klotter",
        ],
        ["", "", "", "", "", "", "", ""],
    )
    result = route(
        data,
        owners=owners_gpkg,
        registry=registry_toml,
        rules=rules_toml,
        responsibility=responsibility,
    )
    r = result.remarks.set_index("remark_id")
    assert r["route_method"].tolist() == [
        "ownership",
        "ownership",
        "responsibility",
        "nearest",
        "category_rule",
        "unrouted",
        "unrouted",
        "unrouted",
    ]
    assert r["owner"].tolist()[:5] == ["kommun", "huge", "kommun", "huge", "belysning"]
    assert r.loc["R2", "land_owner"] == "huge"
    assert "driftansvar" in r.loc["R2", "reason"] and "marken ägs av Huge" in r.loc["R2", "reason"]
    assert r.loc["R3", "distance_m"] == pytest.approx(5.0)
    assert "närmaste mark ägs av Huge Bostäder AB, 5,0 m bort" in r.loc["R3", "reason"]
    assert r.loc["R4", "reason"].startswith(
        "Kategoriregel: Trasig belysning går till Huddinge kommun – gatubelysning"
    )
    assert np.isnan(r.loc["R4", "distance_m"])
    assert "outside_extent" in r.loc["R5", "flags"]
    assert r.loc["R5", "reason"].startswith("Utanför ägarskiktets utbredning")
    assert "invalid_geometry" in r.loc["R6", "flags"]
    assert r.loc["R6", "reason"] == "Saknar koordinater eller geometri"
    assert "outside_extent" in r.loc["R7", "flags"]
    assert result.summary.total == 8
    assert result.summary.by_method() == {
        "ownership": 2,
        "responsibility": 1,
        "nearest": 1,
        "category_rule": 1,
        "unrouted": 3,
    }


def test_rule_with_match_and_boundary(
    owners_gpkg: Path, registry_toml: Path, rules_toml: Path
) -> None:
    data = remarks(
        [(50, 50), (100, 50), (99, 50)],
        ["Klotter", "Klotter", "klotter"],
        ["Tags på elskåp", "", ""],
    )
    r = route(data, owners=owners_gpkg, registry=registry_toml, rules=rules_toml).remarks
    assert r["owner"].tolist() == ["elnat", "kommun", "kommun"]
    assert r["flags"].tolist() == ["", "boundary", "boundary"]
    assert r["candidates"].tolist()[1:] == ["kommun;huge", "kommun;huge"]
    assert "kontrollera" in r["reason"].iloc[1]


def test_far_from_every_polygon_is_unrouted(registry_toml: Path) -> None:
    # a lake: a 200 m hole in the municipality's land
    land = shapely.difference(box(0, 0, 400, 400), box(100, 100, 300, 300))
    owners = gpd.GeoDataFrame({"owner": ["kommun"]}, geometry=[land], crs=3011)
    r = route(
        remarks([(200, 200), (110, 200)], ["Skräp", "Skräp"]), owners=owners, registry=registry_toml
    ).remarks
    assert r["route_method"].tolist() == ["unrouted", "nearest"]
    assert r["reason"].iloc[0] == "Ingen ägarpolygon inom 25 m"
    assert r["flags"].iloc[0] == ""
    assert pd.isna(r["owner"].iloc[0])


def test_overlap_resolved_by_priority(tmp_path: Path, registry_toml: Path) -> None:
    owners = gpd.GeoDataFrame(
        {"owner": ["huge", "kommun"]},
        geometry=[box(0, 0, 100, 100), box(50, 0, 150, 100)],
        crs=3011,
    )
    result = route(remarks([(75, 50)], ["Klotter"]), owners=owners, registry=registry_toml)
    r = result.remarks
    assert r["owner"].tolist() == ["kommun"]
    assert set(r["flags"].iloc[0].split(";")) == {"boundary", "overlap"}
    assert "överlappande" in r["reason"].iloc[0]
    assert result.summary.overlapping_polygons == 2


def test_registry_defaults_to_owner_ids(owners_gpkg: Path) -> None:
    result = route(remarks([(50, 50)], ["Klotter"]), owners=owners_gpkg)
    assert result.registry.ids == ["huge", "kommun", "privat"]
    assert not result.registry.synthetic


def test_unknown_owner_in_layer(owners_gpkg: Path, tmp_path: Path) -> None:
    reg = tmp_path / "r.toml"
    reg.write_text('[[owner]]\nid = "kommun"\nname = "K"\n', encoding="utf-8")
    with pytest.raises(
        ConfigError, match=r"owner layer: owner ids not in the registry .*huge, privat"
    ):
        route(remarks([(50, 50)], ["Klotter"]), owners=owners_gpkg, registry=reg)


def test_rule_to_unknown_owner(owners_gpkg: Path, tmp_path: Path) -> None:
    rules = tmp_path / "rules.toml"
    rules.write_text(
        '[[rule]]\ncategory = "brand"\nowner = "raddningstjansten"\n', encoding="utf-8"
    )
    with pytest.raises(
        ConfigError, match=r"rule for category 'brand' sends to 'raddningstjansten'"
    ):
        route(
            remarks([(50, 50)], ["Brand"]),
            owners=owners_gpkg,
            rules=rules,
            registry=_registry_without(tmp_path),
        )


def _registry_without(tmp_path: Path) -> Path:
    path = tmp_path / "reg.toml"
    path.write_text(
        "".join(f'[[owner]]\nid = "{o}"\nname = "{o}"\n' for o in ("kommun", "huge", "privat")),
        encoding="utf-8",
    )
    return path


def test_bad_arguments(owners_gpkg: Path) -> None:
    with pytest.raises(ConfigError, match=r"`source`: got 'radio'"):
        route(remarks([(1, 1)], ["x"]), owners=owners_gpkg, source="radio")
    with pytest.raises(ConfigError, match=r"tolerance and max_distance must be ≥ 0"):
        route(remarks([(1, 1)], ["x"]), owners=owners_gpkg, tolerance=-1)
    with pytest.raises(InputError, match=r"no remark files given"):
        route([], owners=owners_gpkg)
    nocrs = gpd.GeoDataFrame({"a": [1]}, geometry=[shapely.Point(0, 0)])
    with pytest.raises(InputError, match=r"the GeoDataFrame has no CRS"):
        route(nocrs, owners=owners_gpkg)


def test_files_and_mixed_crs(tmp_path: Path, owners_gpkg: Path, remarks_csv: Path) -> None:
    walk = tmp_path / "walk.gpkg"
    gpd.GeoDataFrame(
        {"vandring_id": ["TV1"], "nr": ["1"], "kategori": ["Otrygg plats"]},
        geometry=[shapely.Point(X0 + 150, Y0 + 50)],
        crs=3011,
    ).to_crs(3006).to_file(walk)
    result = route([remarks_csv, walk], owners=owners_gpkg)
    r = result.remarks
    assert len(r) == 4
    assert r["source"].tolist() == ["other", "other", "other", "trygghetsvandring"]
    assert r["owner"].tolist() == ["kommun", "huge", "huge", "huge"]
    assert r["remark_id"].tolist() == ["A1", "A2", "A3", "TV1-1"]
    assert [i.crs for i in result.inputs] == ["EPSG:3011", "EPSG:3006"]


points_strategy = st.lists(
    st.one_of(st.none(), st.tuples(st.floats(-60, 400), st.floats(-60, 160))),
    min_size=1,
    max_size=40,
)


@settings(max_examples=30, deadline=None)
@given(points=points_strategy, seed=st.integers(0, 2**16))
def test_every_remark_once_deterministic_order_independent(
    points: list[tuple[float, float] | None], seed: int
) -> None:
    owners = gpd.GeoDataFrame(
        {"owner": ["kommun", "huge", "privat", "huge"]},
        geometry=[
            box(0, 0, 100, 100),
            box(100, 0, 200, 100),
            box(210, 0, 310, 100),
            box(90, 40, 130, 60),
        ],
        crs=3011,
    )
    cats = ["Klotter", "Trasig belysning", "Okänt"] * len(points)
    data = remarks(points, cats[: len(points)])
    first = route(data, owners=owners).remarks
    again = route(data, owners=owners).remarks
    perm = np.random.default_rng(seed).permutation(len(points))
    shuffled = route(data.iloc[perm].reset_index(drop=True), owners=owners).remarks
    assert len(first) == len(points)
    assert first["remark_id"].is_unique
    assert sorted(first["remark_id"]) == sorted(data["id"])
    cols = ["owner", "route_method", "distance_m", "candidates", "flags", "reason"]
    pd.testing.assert_frame_equal(first[cols], again[cols])
    a = first.set_index("remark_id")[cols].sort_index()
    b = shuffled.set_index("remark_id")[cols].sort_index()
    pd.testing.assert_frame_equal(a, b)


@settings(max_examples=10, deadline=None)
@given(points=points_strategy, parts=st.integers(1, 5))
def test_route_chunk_partitions_give_the_same_answer(
    points: list[tuple[float, float] | None], parts: int
) -> None:
    """Routing is a pure function of a chunk: partitioned routing (as with dask) equals the whole."""
    from geomap.core.categories import load_categories
    from geomap.core.owners import registry_from_ids
    from geomap.core.remarks import build_remarks
    from geomap.routing import Router, route_chunk

    owners = gpd.GeoDataFrame(
        {"owner": ["kommun", "huge", "privat"]},
        geometry=[box(0, 0, 100, 100), box(100, 0, 200, 100), box(210, 0, 310, 100)],
        crs=3011,
    )
    data = remarks(points, ["Klotter"] * len(points))
    data["source_file"], data["source_row"] = "x", range(1, len(points) + 1)
    model = build_remarks(data, categories=load_categories())
    router = Router.build(registry_from_ids(["kommun", "huge", "privat"]), owners)
    whole = route_chunk(model, router)
    edges = np.linspace(0, len(model), parts + 1).astype(int)
    pieces = pd.concat([route_chunk(model.iloc[a:b], router) for a, b in itertools.pairwise(edges)])
    pd.testing.assert_frame_equal(whole, pieces)


@settings(max_examples=25, deadline=None)
@given(
    ids=st.lists(
        st.lists(st.sampled_from(["A", "A-2", "A-3", "B", None]), min_size=1, max_size=6),
        min_size=1,
        max_size=3,
    )
)
def test_ids_unique_across_any_frames(ids: list[list[str | None]]) -> None:
    """However ids repeat within and across inputs, every remark comes out once with its own id."""
    owners = gpd.GeoDataFrame({"owner": ["kommun"]}, geometry=[box(0, 0, 100, 100)], crs=3011)
    frames = [
        gpd.GeoDataFrame(
            {"id": part, "beskrivning": [f"t{i}" for i in range(len(part))]},
            geometry=[shapely.Point(X0 + 10 + i, Y0 + 10) for i in range(len(part))],
            crs=3011,
        )
        for part in ids
    ]
    first = route(frames, owners=owners).remarks["remark_id"]
    assert len(first) == sum(len(p) for p in ids)
    assert first.is_unique
    given_ids = [i for part in ids for i in part]
    firsts = {i for i in given_ids if i is not None}
    assert firsts <= set(first)  # the first of every given id keeps it
    assert route(frames, owners=owners).remarks["remark_id"].tolist() == first.tolist()


# --- issue 9: hostile weekly inputs ------------------------------------------------------------


def _swapped_csv(tmp_path: Path) -> Path:
    """X = northing, Y = easting (Swedish surveying), one remark in kommun's and one in huge's land."""
    path = tmp_path / "xy.csv"
    rows = [
        "id;kategori;X;Y",
        f"S1;Klotter;{Y0 + 50:.0f};{X0 + 50:.0f}",
        f"S2;Klotter;{Y0 + 50:.0f};{X0 + 150:.0f}",
    ]
    path.write_text("\n".join(rows), encoding="utf-8")
    return path


def test_axis_swapped_is_a_flag_per_remark(
    tmp_path: Path, owners_gpkg: Path, remarks_csv: Path
) -> None:
    result = route([_swapped_csv(tmp_path), remarks_csv], owners=owners_gpkg)
    flags = dict(zip(result.remarks["remark_id"], result.remarks["flags"], strict=True))
    assert flags["S1"] == "axis_swapped" and flags["S2"] == "axis_swapped"
    assert "axis_swapped" not in flags["A1"]
    assert result.remarks.set_index("remark_id").loc["S2", "owner"] == "huge"
    assert "_axis_swapped" not in result.remarks.columns
    assert result.summary.axis_swapped == 2
    assert result.summary.to_dict()["axis_swapped"] == 2


def test_axis_swapped_flag_survives_routing_again(tmp_path: Path, owners_gpkg: Path) -> None:
    first = route(_swapped_csv(tmp_path), owners=owners_gpkg)
    again = route(first.remarks, owners=owners_gpkg)
    assert again.remarks["flags"].tolist() == ["axis_swapped", "axis_swapped"]
    assert "_axis_swapped" not in again.remarks.columns


def test_route_chunk_flags_axis_swapped_in_contract_order() -> None:
    from geomap.core.owners import registry_from_ids
    from geomap.routing.engine import Router, route_chunk

    owners = gpd.GeoDataFrame({"owner": ["a"]}, geometry=[box(0, 0, 10, 10)], crs=3011)
    chunk = gpd.GeoDataFrame(
        {
            "category": ["x", "x", "x"],
            "description": ["", "", ""],
            "_category_known": [False, True, True],
            "_axis_swapped": [True, True, False],
        },
        geometry=[shapely.Point(X0 + 5, Y0 + 5), None, shapely.Point(X0 + 5, Y0 + 5)],
        crs=3011,
    )
    flags = route_chunk(chunk, Router.build(registry_from_ids(["a"]), owners))["flags"].tolist()
    assert flags == ["unknown_category;axis_swapped", "axis_swapped;invalid_geometry", ""]
    # Without the column (a chunk not read by geomap's readers) nothing is flagged axis_swapped.
    router = Router.build(registry_from_ids(["a"]), owners)
    plain = route_chunk(chunk.drop(columns="_axis_swapped"), router)
    assert "axis_swapped" not in ";".join(plain["flags"])


def test_same_file_twice_is_read_once(
    tmp_path: Path, owners_gpkg: Path, remarks_csv: Path, caplog: pytest.LogCaptureFixture
) -> None:
    again = tmp_path / "sub" / ".." / remarks_csv.name  # another spelling of the same path
    (tmp_path / "sub").mkdir()
    result = route([remarks_csv, again, remarks_csv], owners=owners_gpkg)
    assert len(result.remarks) == 3 and len(result.inputs) == 1
    warned = [w for w in result.summary.warnings if "given more than once" in w]
    assert len(warned) == 2 and all(w.startswith(str(remarks_csv.parent)) for w in warned)
    assert "lagesbild.csv: given more than once in `inputs`" in caplog.text


def test_empty_geometries_route_unrouted_as_invalid(tmp_path: Path, owners_gpkg: Path) -> None:
    path = tmp_path / "e.gpkg"
    gpd.GeoDataFrame(
        {"id": ["E1", "E2", "E3"]},
        geometry=[shapely.Point(X0 + 50, Y0 + 50), shapely.Point(), None],
        crs=3011,
    ).to_file(path)
    result = route(path, owners=owners_gpkg)
    assert result.remarks["remark_id"].tolist() == ["E1", "E2", "E3"]
    assert result.remarks["owner"].isna().tolist() == [False, True, True]
    assert result.remarks["route_method"].tolist() == ["ownership", "unrouted", "unrouted"]
    assert result.remarks["flags"].str.contains("invalid_geometry").tolist() == [False, True, True]
    assert result.summary.missing_geometry == 2
