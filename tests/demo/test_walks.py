"""Tests for geomap.demo.walks: synthetic safety-walk protocols in EPSG:3006."""

from __future__ import annotations

import numpy as np
import pytest
import shapely

from geomap.demo.geography import load_geography
from geomap.demo.parcels import build_parcels
from geomap.demo.walks import POSITIVE_CATEGORY, POSITIVE_STOPS, WALKS, build_walks


@pytest.fixture(scope="module")
def walks_and_land() -> tuple[object, object]:
    geo = load_geography()
    ps = build_parcels(np.random.default_rng(2025), geo, n_parcels=600)
    return build_walks(np.random.default_rng(3), ps.parcels, ps.land), ps.land


def test_three_walks_of_twenty_in_sweref99_tm(walks_and_land: tuple) -> None:
    walks, _ = walks_and_land
    assert walks.crs.to_epsg() == 3006
    assert len(walks) == 60
    assert walks["vandring_id"].nunique() == len(WALKS) == 3
    assert (
        walks.groupby("vandring_id")["nr"].apply(lambda s: s.tolist() == list(range(1, 21))).all()
    )
    assert set(walks.columns) >= {
        "vandring_id", "vandringsdatum", "plats", "nr", "kategori", "anmarkning",
        "onskad_atgard", "markagare_enligt_protokoll", "kalla", "syntetisk",
    }  # fmt: skip
    assert (walks["kalla"] == "trygghetsvandring").all()


def test_walk_points_are_on_land_near_their_start(walks_and_land: tuple) -> None:
    walks, land = walks_and_land
    local = walks.to_crs(3011)
    xy = shapely.get_coordinates(local.geometry.to_numpy())
    assert shapely.contains_xy(land, xy[:, 0], xy[:, 1]).all()
    spread = local.groupby("vandring_id").geometry.apply(lambda g: g.union_all().envelope.area)
    assert (spread < 2_000_000).all()


def test_protocol_owner_is_sometimes_unknown_or_wrong(walks_and_land: tuple) -> None:
    walks, _ = walks_and_land
    written = walks["markagare_enligt_protokoll"]
    assert written.isin(
        ["Kommunen", "Huge", "Samhällsfastigheter", "Trafikverket", "Privat", "okänd"]
    ).all()
    assert written.nunique() >= 3
    assert (written == "okänd").sum() == 6  # 10 % of 60


def test_walk_metadata_columns_name_organisations_only(walks_and_land: tuple) -> None:
    walks, _ = walks_and_land
    assert {"tid", "arrangor", "organisationer"} <= set(walks.columns)
    for walk in WALKS:
        rows = walks[walks["vandring_id"] == walk.walk_id]
        assert (rows["tid"] == walk.time).all() and (rows["arrangor"] == walk.organiser).all()
        assert (rows["organisationer"] == "; ".join(walk.organisations)).all()
        assert walk.time and walk.organiser and len(walk.organisations) >= 3
    personal = {"deltagare", "namn", "kontaktperson", "protokollforare"}
    assert not personal & {c.lower() for c in walks.columns}


def test_positive_remarks_on_fixed_stops(walks_and_land: tuple) -> None:
    walks, _ = walks_and_land
    positive = walks[walks["kategori"] == POSITIVE_CATEGORY]
    assert len(positive) == len(WALKS) * len(POSITIVE_STOPS)
    assert set(positive["nr"]) == set(POSITIVE_STOPS)
    assert positive["onskad_atgard"].str.startswith("Behåll").all()


def test_positive_stops_leave_the_other_remarks_as_drawn() -> None:
    geo = load_geography()
    ps = build_parcels(np.random.default_rng(2025), geo, n_parcels=600)
    a = build_walks(np.random.default_rng(3), ps.parcels, ps.land)
    b = build_walks(np.random.default_rng(3), ps.parcels, ps.land)
    other = ~a["nr"].isin(POSITIVE_STOPS)
    assert a[other].drop(columns="geometry").equals(b[other].drop(columns="geometry"))
    assert (a[other]["kategori"] != POSITIVE_CATEGORY).all()
