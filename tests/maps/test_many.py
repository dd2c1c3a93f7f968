"""Tests for geomap.maps.many (the per-owner payloads of many owners in one pass) and PageShell.

The one-pass payload of an owner must equal, byte for byte, what ``build_payload`` makes from
that owner's remarks alone with ``scope_owner``: so every privacy property pinned for
``build_payload`` (nothing of other owners) holds for the maps ``geomap route`` writes.
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from geomap.errors import GeomapError, OutputExistsError
from geomap.maps import write_owner_maps
from geomap.maps.data import MapText, build_payload, dissolve_owners, script_json
from geomap.maps.html import MapAssets, PageShell, render_page
from geomap.maps.many import OwnerPayloads, _owner_types

from tests.maps.helpers import MALICIOUS, REGISTRY, make_owner_polygons, make_remarks, write_routed

OWNERS = ["a", "b", "c", "kommun"]
TEXTS = ["x", "y", MALICIOUS, "Plats 1", "", "a;b", "åäö"]
CATEGORIES = ["klotter", "belysning", None, "okänd"]
DISTRICTS = gpd.GeoDataFrame(
    {"name": ["Väst", "Öst"]},
    geometry=[shapely.box(0, 0, 500, 1000), shapely.box(500, 0, 1000, 1000)],
    crs=3011,
)


def _reference(remarks: gpd.GeoDataFrame, owner: str, **kwargs: object) -> str:
    """The payload of one owner as ``build_payload`` makes it from its remarks alone."""
    mine = remarks[(remarks["owner"].astype("string") == owner).fillna(False).to_numpy()]
    registry = kwargs.pop("registry")
    owners = kwargs.pop("owners")
    return script_json(
        build_payload(
            mine,
            registry=registry[registry["owner"].astype(str) == owner],  # type: ignore[index]
            owners=None if owners is None else owners[owners["owner"].astype(str) == owner],  # type: ignore[index]
            scope_owner=owner,
            **kwargs,  # type: ignore[arg-type]
        )
    )


@st.composite
def runs(draw: st.DrawFn) -> tuple[gpd.GeoDataFrame, pd.DataFrame, gpd.GeoDataFrame | None]:
    """Random routed remarks of a few owners, a partial registry and some owner polygons."""
    n = draw(st.integers(min_value=0, max_value=25))
    pick = st.sampled_from
    rows: dict[str, Any] = {
        "remark_id": [f"r{i}" for i in range(n)],
        "owner": draw(st.lists(pick([*OWNERS, None]), min_size=n, max_size=n)),
        "category": draw(st.lists(pick(CATEGORIES), min_size=n, max_size=n)),
        "route_method": draw(
            st.lists(pick(["ownership", "nearest", None]), min_size=n, max_size=n)
        ),
        "description": draw(st.lists(pick([*TEXTS, None]), min_size=n, max_size=n)),
        "place": draw(st.lists(pick([*TEXTS, None]), min_size=n, max_size=n)),
        "candidates": draw(
            st.lists(pick(["a;b", "b;c;a", "kommun", None]), min_size=n, max_size=n)
        ),
        "reason": ["Inom b:s mark"] * n,
        "distance_m": draw(st.lists(pick([0.0, 12.34, None]), min_size=n, max_size=n)),
        "timestamp": pd.to_datetime(
            draw(
                st.lists(
                    pick(["2025-01-02 10:00", "2025-06-30 00:00", None]), min_size=n, max_size=n
                )
            )
        ),
    }
    rows["owner_name"] = [None if o is None else f"Namn {o}" for o in rows["owner"]]
    rows["category_label"] = [None if c is None else c.capitalize() for c in rows["category"]]
    xy = draw(
        st.lists(
            st.tuples(pick([0.0, 10.0, 400.0, 990.0]), pick([5.0, 600.0])), min_size=n, max_size=n
        )
    )
    missing = draw(st.lists(st.booleans(), min_size=n, max_size=n))
    geoms = [None if m else shapely.Point(x, y) for (x, y), m in zip(xy, missing, strict=True)]
    remarks = gpd.GeoDataFrame(rows, geometry=geoms, crs=3011)
    registry = pd.DataFrame(
        {
            "owner": ["b", "a", "b", "x"],
            "name": ["Bee", None, "Bee 2", "Ex"],
            "colour": ["#ABCDEF", "red", "#000000", "#111111"],
            "priority": [2, 1, 1, 3],
            "contact": ["b@x.se", None, "b2@x.se", ""],
        }
    ).iloc[: draw(st.integers(min_value=0, max_value=4))]
    boxes = draw(st.lists(pick(OWNERS), max_size=6))
    polygons = gpd.GeoDataFrame(
        {"owner": boxes},
        geometry=[shapely.box(10 * i, 0, 10 * i + 8, 8) for i in range(len(boxes))],
        crs=3011,
    )
    return remarks, registry, (polygons if draw(st.booleans()) else None)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(runs(), st.booleans())
def test_one_pass_equals_build_payload_per_owner(
    run: tuple[gpd.GeoDataFrame, pd.DataFrame, gpd.GeoDataFrame | None], shared: bool
) -> None:
    remarks, registry, polygons = run
    ids = sorted({str(o) for o in remarks["owner"].dropna()})
    text = MapText("", "2025", "Syntetiskt", "SCB")
    many = OwnerPayloads(
        remarks,
        owner_ids=ids,
        registry=registry,
        owners=polygons,
        districts=DISTRICTS,
        text=text,
        shared=shared,
    )
    for owner in ids:
        expected = _reference(
            remarks,
            owner,
            registry=registry,
            owners=polygons,
            districts=DISTRICTS,
            text=MapText(f"Titel {owner}", "2025", "Syntetiskt", "SCB"),
            shared=shared,
        )
        assert many.json(owner, title=f"Titel {owner}") == expected


@settings(max_examples=15, deadline=None)
@given(runs())
def test_an_owners_payload_holds_nothing_of_other_owners(
    run: tuple[gpd.GeoDataFrame, pd.DataFrame, gpd.GeoDataFrame | None],
) -> None:
    remarks, registry, polygons = run
    ids = sorted({str(o) for o in remarks["owner"].dropna()})
    many = OwnerPayloads(
        remarks, owner_ids=ids, registry=registry, owners=polygons, text=MapText(""), shared=True
    )
    for owner in ids:
        payload = json.loads(many.json(owner, title="T"))
        mine = remarks[(remarks["owner"].astype("string") == owner).fillna(False).to_numpy()]
        located = mine[mine.geometry.notna()]
        assert sorted(payload["r"]["id"]) == sorted(located["remark_id"])
        assert payload["unlocated"] == len(mine) - len(located)
        assert [o["id"] for o in payload["owners"]] in ([owner], [])
        names = {f"Namn {o}" for o in OWNERS} - {f"Namn {owner}"}
        assert not names & set(payload["str"]) and "Inom b:s mark" not in payload["str"]
        candidates = {p for s in payload["str"] if ";" in s for p in s.split(";")}
        assert candidates <= {owner, "annan ägare", "a", "b"}  # "a;b" is also a description
        assert len(payload["geo"]["owners"]["features"]) <= 1


def test_one_pass_on_the_map_fixture() -> None:
    remarks = make_remarks()
    remarks.loc[3, "description"] = MALICIOUS
    ids = ["hsab", "huge", "kommun"]
    polygons = gpd.GeoDataFrame(
        pd.concat([make_owner_polygons(), make_owner_polygons()], ignore_index=True), crs=3011
    )
    many = OwnerPayloads(
        remarks, owner_ids=ids, registry=REGISTRY, owners=polygons, text=MapText("", "2025")
    )
    for owner in ids:
        expected = _reference(
            remarks, owner, registry=REGISTRY, owners=polygons, text=MapText("T", "2025")
        )
        assert many.json(owner, title="T") == expected
    huge = json.loads(many.json("huge", title="T"))
    assert "huge;annan ägare" in huge["str"] and "kommun" not in json.dumps(huge)


def test_equal_counts_keep_the_order_of_first_occurrence() -> None:
    remarks = make_remarks(n_per_owner=2, unrouted=0)  # klotter and belysning once each
    payload = build_payload(remarks, registry=REGISTRY, text=MapText("T"))
    seen = [c["code"] for c in payload["cats"]]
    assert sorted(seen) == sorted(set(remarks["category"]))
    order = [remarks["category"].iloc[i] for i in _first_rows(payload, remarks)]
    assert seen == list(dict.fromkeys(order))


def _first_rows(payload: dict, remarks: gpd.GeoDataFrame) -> list[int]:
    position = {r: i for i, r in enumerate(remarks["remark_id"])}
    return [position[r] for r in payload["r"]["id"]]


def test_values_beyond_32_bits_are_refused() -> None:
    matrix = np.array([[1, 2**40]], dtype=np.int64)
    with pytest.raises(
        GeomapError, match=r"`values`: received 1\.\.1099511627776, which do not fit"
    ):
        _owner_types(matrix, np.array([0, 2]))
    assert _owner_types(np.array([[1, -300]]), np.array([0, 1, 2])).tolist() == [["i8", "i16"]]


@settings(max_examples=30, deadline=None)
@given(st.text(max_size=30), st.sampled_from(["inline", "cdn", "assets"]))
def test_page_shell_equals_render_page(title: str, kind: str) -> None:
    assets = MapAssets("assets/", ("m.css", "g.js", "m.js")) if kind == "assets" else None
    payload = script_json({"r": {"n": 0}, "t": title})
    shell = PageShell.of(cdn=kind == "cdn", assets=assets)
    expected = render_page(payload, title=title, cdn=kind == "cdn", assets=assets)
    assert shell.fill(title, payload) == expected


def test_owner_maps_refuse_to_replace_an_input(tmp_path: Path) -> None:
    routed = write_routed(tmp_path / "routed.gpkg")
    out = tmp_path / "maps"
    out.mkdir()
    (out / "huge.html").symlink_to(routed)  # the input, where the map of huge would go
    with pytest.raises(OutputExistsError, match=r"huge\.html is also an input of this command"):
        write_owner_maps(routed, out, districts=False, overwrite=True)
    assert sorted(p.name for p in out.iterdir()) == ["huge.html"]
    assert (out / "huge.html").resolve() == routed.resolve()


def test_a_leftover_temporary_file_is_no_obstacle(tmp_path: Path) -> None:
    routed = write_routed(tmp_path / "routed.gpkg")
    out = tmp_path / "maps"
    out.mkdir()
    leftover = out / f".geomap-{os.getpid()}-huge.tmp"
    leftover.write_text("old", encoding="utf-8")
    paths = write_owner_maps(routed, out, districts=False, shared_assets=True)
    assert sorted(paths) == ["hsab", "huge", "kommun"]
    assert paths["huge"].read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    assert leftover.read_text(encoding="utf-8") == "old"  # not ours to remove
    assert not [p for p in out.iterdir() if re.match(r"\.geomap-\d+-(?!huge)", p.name)]


@settings(max_examples=25, deadline=None)
@given(
    st.lists(st.tuples(st.sampled_from(OWNERS), st.integers(0, 6), st.integers(0, 2)), max_size=12)
)
def test_dissolve_owners_equals_geopandas_dissolve(parcels: list[tuple[str, int, int]]) -> None:
    frame = gpd.GeoDataFrame(
        {"owner": [o for o, _, _ in parcels]},
        geometry=[shapely.box(x, y, x + 1.5, y + 1) for _, x, y in parcels],  # some overlap
        crs=3011,
    )
    mine = dissolve_owners(frame)
    theirs = frame.assign(geometry=frame.geometry.make_valid()).dissolve("owner", as_index=False)
    assert mine["owner"].tolist() == theirs["owner"].tolist()
    assert (
        shapely.to_wkb(mine.geometry.values).tolist()
        == shapely.to_wkb(theirs.geometry.values).tolist()
    )


def test_run_maps_write_new_maps_in_place_and_replace_old_ones(tmp_path: Path) -> None:
    from geomap.maps import read_routed, write_run_maps

    routed = write_routed(tmp_path / "routed.gpkg")
    out = tmp_path / "run"
    (out / "owners").mkdir(parents=True)
    (out / "owners" / "huge.html").write_text("old", encoding="utf-8")
    summary = write_run_maps(read_routed(routed), out)
    assert sorted(summary["owner_maps"]) == ["hsab", "huge", "kommun"]
    for name in summary["owner_maps"].values():
        assert (out / name).read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    assert not [p for p in (out / "owners").iterdir() if p.name.startswith(".")]
