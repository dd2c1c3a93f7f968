"""Tests for geomap.demo.streets: the municipality's street and square space (allmän plats)."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pytest
import shapely
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from geomap.demo.geography import Geography
from geomap.demo.parcels import ParcelSet, build_parcels
from geomap.demo.responsibility import build_responsibility, responsibility_layer
from geomap.demo.streets import MIN_STREET_PART, STREET_OWNER, STREET_TYPE, build_streets


def _check_streets(streets: gpd.GeoDataFrame, ps: ParcelSet, geo: Geography) -> None:
    geoms = streets.geometry.to_numpy()
    assert len(streets) >= 1
    assert streets.crs.to_epsg() == 3011
    assert shapely.is_valid(geoms).all()
    assert (shapely.get_type_id(geoms) == 6).all()  # MultiPolygon, as the layer is written
    assert (shapely.area(shapely.get_parts(geoms)) >= MIN_STREET_PART).all()
    assert (streets["owner"] == STREET_OWNER).all()
    assert (streets["typ"] == STREET_TYPE).all()
    assert (streets["syntetisk"] == "ja").all()
    assert streets["namn"].is_unique
    assert set(streets["namn"]) <= {f"gata/torg {n}" for n in geo.districts["name"]}
    street = shapely.union_all(geoms)
    parcels = shapely.make_valid(ps.parcels.geometry.to_numpy())
    # no parcel, lake or road corridor inside (shared edges only)
    tree = shapely.STRtree(geoms)
    p, g = tree.query(parcels, predicate="intersects")
    assert (shapely.area(shapely.intersection(parcels[p], geoms[g])) < 0.01).all()
    assert shapely.area(shapely.intersection(street, shapely.union_all(ps.lakes))) < 0.01
    assert shapely.area(shapely.intersection(street, ps.corridor)) < 0.01
    # … and it is the rest of the land: land − parcels − corridor, less the dropped slivers
    rest = shapely.difference(ps.land, shapely.union_all([*parcels, ps.corridor]))
    assert shapely.area(street) == pytest.approx(shapely.area(rest), rel=0.01)
    # districts do not overlap each other
    a, b = tree.query(geoms, predicate="intersects")
    assert (shapely.area(shapely.intersection(geoms[a[a < b]], geoms[b[a < b]])) < 0.01).all()


def test_street_space_is_land_minus_parcels_lakes_and_corridor(
    ps: ParcelSet, geo: Geography
) -> None:
    _check_streets(build_streets(ps, geo.districts), ps, geo)


@settings(
    max_examples=4,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(seed=st.integers(0, 2**32 - 1), n=st.integers(100, 300))
def test_any_seed_gives_valid_street_space(geo: Geography, seed: int, n: int) -> None:
    ps = build_parcels(np.random.default_rng(seed), geo, n_parcels=n)
    _check_streets(build_streets(ps, geo.districts), ps, geo)


def test_street_remarks_between_blocks_fall_in_the_street_layer(
    ps: ParcelSet, geo: Geography
) -> None:
    streets = build_streets(ps, geo.districts)
    parcels = shapely.union_all(shapely.make_valid(ps.parcels.geometry.to_numpy()))
    # points 2 m outside the parcels (on land, 1 m from lakes and the border): street remarks
    ring = shapely.boundary(shapely.buffer(parcels, 2.0))
    pts = shapely.line_interpolate_point(ring, np.linspace(0, 1, 2000), normalized=True)
    pts = pts[shapely.contains(shapely.buffer(ps.land, -1.0), pts)]
    in_street = shapely.intersects(pts, shapely.union_all(streets.geometry.to_numpy()))
    assert len(pts) > 1000
    assert in_street.mean() > 0.99


def test_responsibility_layer_keeps_the_agreements_first(ps: ParcelSet, geo: Geography) -> None:
    agreements = build_responsibility(np.random.default_rng(1), ps.parcels)
    streets = build_streets(ps, geo.districts)
    layer = responsibility_layer(agreements, streets)
    assert list(layer.columns) == list(agreements.columns)
    assert len(layer) == len(agreements) + len(streets)
    assert (layer["typ"].iloc[: len(agreements)] == "driftavtal").all()
    assert (layer["typ"].iloc[len(agreements) :] == STREET_TYPE).all()
    assert layer.crs == agreements.crs
    # agreements lie on parcels, the street space between them: no overlap
    a = shapely.union_all(agreements.geometry.to_numpy())
    assert shapely.area(shapely.intersection(a, shapely.union_all(streets.geometry))) < 0.01
