"""Tests for geomap.demo.remarks: synthetic lägesbild incidents."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import shapely

from geomap.demo.cameras import CAMERA_SITES, camera_xy
from geomap.demo.geography import Geography
from geomap.demo.parcels import ParcelSet
from geomap.demo.remarks import CATEGORY_VARIANTS, GROWING_PLACE, GROWTH_SHARE, build_incidents


@pytest.fixture(scope="module")
def incidents(geo: Geography, ps: ParcelSet) -> tuple[pd.DataFrame, np.ndarray]:
    return build_incidents(np.random.default_rng(11), geo, ps.land, n=5000)


def test_columns_and_ids(incidents: tuple[pd.DataFrame, np.ndarray]) -> None:
    table, xy = incidents
    assert list(table.columns) == [
        "arendenr", "datum", "kategori", "beskrivning", "plats",
        "latitud", "longitud", "kalla", "syntetisk",
    ]  # fmt: skip
    assert len(table) == len(xy) == 5000
    assert table["arendenr"].is_unique
    assert table["arendenr"].iloc[16] == "LB-2025-00017"
    assert (table["kalla"] == "lägesbild").all()


def test_times_are_in_the_year_sorted_with_evening_peak(
    incidents: tuple[pd.DataFrame, np.ndarray],
) -> None:
    table, _ = incidents
    stamps = pd.to_datetime(table["datum"], format="%Y-%m-%d %H:%M")
    assert stamps.is_monotonic_increasing
    assert stamps.dt.year.eq(2025).all()
    hours = stamps.dt.hour
    assert (hours.between(19, 22)).mean() > 2 * (hours.between(3, 6)).mean()
    weekend = stamps.dt.day_of_week.isin([4, 5])
    assert weekend.mean() > 2 / 7


def test_points_are_inside_the_municipality_and_not_in_lakes(
    geo: Geography, ps: ParcelSet, incidents: tuple[pd.DataFrame, np.ndarray]
) -> None:
    _, xy = incidents
    assert shapely.contains_xy(ps.land, xy[:, 0], xy[:, 1]).all()
    assert shapely.contains_xy(geo.outline, xy[:, 0], xy[:, 1]).all()


def test_some_points_fall_in_street_space_within_25_m(
    ps: ParcelSet, incidents: tuple[pd.DataFrame, np.ndarray]
) -> None:
    _, xy = incidents
    geoms = shapely.make_valid(ps.parcels.geometry.to_numpy())
    tree = shapely.STRtree(geoms)
    pts = shapely.points(xy)
    inside = np.zeros(len(xy), dtype=bool)
    inside[tree.query(pts, predicate="intersects")[0]] = True
    near = np.zeros(len(xy), dtype=bool)
    near[tree.query(pts, predicate="dwithin", distance=25.0)[0]] = True
    street = ~inside & near
    assert 0.003 < street.mean() < 0.2


def test_categories_are_inconsistent_with_about_one_percent_unknown(
    incidents: tuple[pd.DataFrame, np.ndarray],
) -> None:
    table, _ = incidents
    assert {"Klotter", "klotter/tags", "Trasig belysning"} <= set(table["kategori"])
    unknown = [raw for raw, (_, key) in CATEGORY_VARIANTS.items() if key == "okand"]
    share = table["kategori"].isin(unknown).mean()
    assert 0.003 < share < 0.03


def test_hubs_attract_clusters(incidents: tuple[pd.DataFrame, np.ndarray]) -> None:
    table, _ = incidents
    top = table["plats"].value_counts().index[:3]
    assert {"Huddinge centrum", "Flemingsbergs station", "Flemingsbergs centrum"} & set(top)


def test_same_seed_same_incidents(geo: Geography, ps: ParcelSet) -> None:
    a, _ = build_incidents(np.random.default_rng(5), geo, ps.land, n=300)
    b, _ = build_incidents(np.random.default_rng(5), geo, ps.land, n=300)
    c, _ = build_incidents(np.random.default_rng(6), geo, ps.land, n=300)
    pd.testing.assert_frame_equal(a, b)
    assert not a.equals(c)


def test_zero_points_give_an_empty_table(geo: Geography, ps: ParcelSet) -> None:
    table, xy = build_incidents(np.random.default_rng(5), geo, ps.land, n=0)
    assert len(table) == 0 and xy.shape == (0, 2)


def test_the_growing_place_only_in_the_demo_year(geo: Geography, ps: ParcelSet) -> None:
    grow, _ = build_incidents(np.random.default_rng(3), geo, ps.land, n=4000, growing=True)
    flat, _ = build_incidents(np.random.default_rng(3), geo, ps.land, n=4000, growing=False)
    assert len(grow) == len(flat) == 4000
    at = {name: t[t["plats"] == GROWING_PLACE.name] for name, t in (("g", grow), ("f", flat))}
    assert len(at["g"]) - len(at["f"]) > 0.8 * GROWTH_SHARE * 4000
    months = pd.to_datetime(at["g"]["datum"]).dt.month
    assert (months >= 10).sum() > 3 * (months <= 3).sum()


def test_camera_effects_move_incidents_but_keep_the_count(geo: Geography, ps: ParcelSet) -> None:
    """Grantorp (−50 % from 2021-03-15): fewer incidents within 100 m; same total."""
    on, xy_on = build_incidents(np.random.default_rng(4), geo, ps.land, n=6000, year=2022)
    off, xy_off = build_incidents(
        np.random.default_rng(4), geo, ps.land, n=6000, year=2022, measures=False
    )
    assert len(on) == len(off) == 6000
    centre = camera_xy()[0]
    near_on = (np.hypot(*(xy_on - centre).T) <= 100).sum()
    near_off = (np.hypot(*(xy_off - centre).T) <= 100).sum()
    assert near_on < 0.7 * near_off
    assert shapely.contains_xy(ps.land, xy_on[:, 0], xy_on[:, 1]).all()


def test_a_year_before_any_install_is_untouched(geo: Geography, ps: ParcelSet) -> None:
    on, _ = build_incidents(np.random.default_rng(4), geo, ps.land, n=500, year=2020)
    off, _ = build_incidents(
        np.random.default_rng(4), geo, ps.land, n=500, year=2020, measures=False
    )
    pd.testing.assert_frame_equal(on.drop(columns="beskrivning"), off.drop(columns="beskrivning"))


def test_every_camera_place_gets_its_cluster(incidents: tuple[pd.DataFrame, np.ndarray]) -> None:
    table, xy = incidents
    for i, site in enumerate(CAMERA_SITES):
        near = np.hypot(*(xy - camera_xy()[i]).T) <= 100
        assert near.sum() >= 0.01 * len(table), site.name
