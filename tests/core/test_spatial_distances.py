"""The distances behind the boundary tolerance and the nearest owner: numpy on boundary segments,
equal to GEOS's, with GEOS deciding where rounding could matter (issue #13, point 6(a))."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
import shapely
from hypothesis import given, settings
from hypothesis import strategies as st

import geomap.core.spatial as join
from geomap.core.spatial import NO_OWNER, PolygonIndex, locate

from tests.core.test_spatial import _random_layer, assert_same_location


def _layer(seed: int, kind: str) -> tuple[np.ndarray, np.ndarray]:
    """Random cells with street gaps, plus holes or multipolygons."""
    cells, owners = _random_layer(seed)
    rng = np.random.default_rng(seed)
    if kind == "holes":
        hole = shapely.buffer(shapely.centroid(cells), rng.uniform(1, 15), quad_segs=3)
        cells = shapely.difference(cells, hole)
    elif kind == "multi":
        cells = np.array(
            [shapely.union(c, cells[(i + 7) % len(cells)]) if i % 3 == 0 else c
             for i, c in enumerate(cells)],
            dtype=object,
        )  # fmt: skip
    return cells, owners


def _points_near_vertices(cells: np.ndarray, seed: int, n: int) -> tuple[np.ndarray, np.ndarray]:
    """Random points plus vertices, edge midpoints and points a little off them."""
    rng = np.random.default_rng(seed)
    coords = shapely.get_coordinates(cells)
    pick = rng.choice(len(coords) - 1, min(n, len(coords) - 1), replace=False)
    mid = (coords[pick] + coords[pick + 1]) / 2
    off = mid + rng.choice([0.0, 1e-9, 0.5, 2.0, 3.0], (len(pick), 2)) * rng.choice(
        [-1, 1], (len(pick), 2)
    )
    xy = np.concatenate([rng.uniform(-30, 1030, (n, 2)), coords[pick], mid, off])
    return xy[:, 0], xy[:, 1]


@settings(max_examples=30, deadline=None)
@given(seed=st.integers(0, 10_000), kind=st.sampled_from(["gaps", "holes", "multi"]))
def test_distances_equal_shapely_bit_for_bit(seed: int, kind: str) -> None:
    cells, owners = _layer(seed, kind)
    index = PolygonIndex.build(cells, owners)
    x, y = _points_near_vertices(cells, seed, 300)
    p, g = join._block_candidates(index, x, y, 30.0)
    outside = ~shapely.intersects_xy(index.geoms[g], x[p], y[p])
    p, g = p[outside], g[outside]
    mine = join._distances(index, x[p], y[p], g)
    theirs = shapely.distance(index.geoms[g], shapely.points(x[p], y[p]))
    np.testing.assert_array_equal(mine, theirs)
    edges = join._facet_distance(index._facet_arrays(), x[p], y[p], g)
    np.testing.assert_array_equal(
        edges, shapely.distance(shapely.boundary(index.geoms[g]), shapely.points(x[p], y[p]))
    )


@settings(max_examples=30, deadline=None)
@given(
    seed=st.integers(0, 10_000),
    kind=st.sampled_from(["gaps", "holes", "multi"]),
    tolerance=st.sampled_from([0.5, 2.0, 3.0]),
)
def test_within_agrees_with_dwithin(seed: int, kind: str, tolerance: float) -> None:
    cells, owners = _layer(seed, kind)
    index = PolygonIndex.build(cells, owners)
    x, y = _points_near_vertices(cells, seed, 300)
    p, g = join._block_candidates(index, x, y, tolerance)
    pts = shapely.points(x[p], y[p])
    edge = join._within(index, x[p], y[p], g, tolerance, edge_only=True)
    np.testing.assert_array_equal(
        edge, shapely.dwithin(shapely.boundary(index.geoms[g]), pts, tolerance)
    )
    # On the polygon itself: the same, except that a polygon covering the point counts as within
    # for GEOS (the boundary test has those from the point-in-polygon step).
    whole = join._within(index, x[p], y[p], g, tolerance, edge_only=False)
    covers = shapely.intersects_xy(index.geoms[g], x[p], y[p])
    np.testing.assert_array_equal(whole | covers, shapely.dwithin(index.geoms[g], pts, tolerance))


def test_distances_at_the_tolerance_are_left_to_geos(monkeypatch: pytest.MonkeyPatch) -> None:
    index = PolygonIndex.build([shapely.box(0, 0, 10, 10)], ["a"])
    asked: list[int] = []
    real = shapely.dwithin

    def spy(a: Any, b: Any, distance: float) -> Any:
        asked.append(len(np.atleast_1d(a)))
        return real(a, b, distance)

    monkeypatch.setattr(join.shapely, "dwithin", spy)
    x, y = np.array([2.0, 2.0 + 1e-12, 5.0]), np.array([5.0, 5.0, 5.0])
    near = join._within(index, x, y, np.zeros(3, dtype="int64"), 2.0, edge_only=True)
    assert near.tolist() == [True, False, False]
    assert asked == [2]  # exactly 2 m (and 2 m plus a rounding error) from the edge: GEOS decides


def test_no_point_geometries_are_made_for_plain_polygons(monkeypatch: pytest.MonkeyPatch) -> None:
    """Before issue #13 the boundary test and the nearest search built a point geometry per
    point (the biggest cost of the full locate); now numpy does it from the segments."""
    cells, owners = _random_layer(5)
    index = PolygonIndex.build(cells, owners)
    rng = np.random.default_rng(5)
    x, y = rng.uniform(-30, 1030, 5_000), rng.uniform(-30, 1030, 5_000)
    made: list[int] = []
    real = shapely.points

    def spy(*args: Any, **kwargs: Any) -> Any:
        made.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(join.shapely, "points", spy)
    loc = locate(index, x, y, tolerance=2.0, max_distance=25.0, workers=1)
    assert loc.boundary.any() and (loc.distance > 0).any()
    assert made == []


def test_geometry_collections_go_to_geos() -> None:
    """Geometries that are not (multi)polygons are measured by GEOS, as before."""
    mixed = shapely.GeometryCollection(
        [shapely.box(0, 0, 10, 10), shapely.LineString([(0, 0), (1, 1)])]
    )
    index = PolygonIndex.build([mixed, shapely.box(11, 0, 20, 10)], ["a", "b"])
    assert index._facet_arrays().plain.tolist() == [False, True]
    loc = locate(index, np.array([-3.0, 10.5, 5.0]), np.array([5.0, 5.0, 5.0]), tolerance=1.0)
    assert [index.owner_ids[c] for c in loc.owner] == ["a", "a", "a"]
    assert loc.distance.tolist() == [3.0, 0.5, 0.0]
    assert loc.boundary.tolist() == [False, True, False]
    assert loc.candidates[1] == "a;b"


def test_exact_ties_go_to_the_owner_rank_then_the_polygon() -> None:
    boxes = [shapely.box(0, 0, 10, 10), shapely.box(12, 0, 22, 10), shapely.box(12, 10, 22, 20)]
    index = PolygonIndex.build(boxes, ["b", "a", "b"], priority={"a": 1, "b": 2})
    loc = locate(index, np.array([11.0, 11.0]), np.array([5.0, 10.0]), tolerance=0.0)
    assert [index.owner_ids[c] for c in loc.owner] == ["a", "a"]  # 1 m from b and from a: rank
    assert loc.distance.tolist() == [1.0, 1.0]
    assert loc.boundary.tolist() == [True, True]
    assert loc.candidates.tolist() == ["a;b", "a;b"]


def test_neighbours_are_the_other_owners_polygons_within_the_tolerance() -> None:
    cells, owners = _random_layer(11)
    index = PolygonIndex.build(cells, owners)
    near = index._neighbours(2.0)
    a = np.repeat(np.arange(len(cells)), np.diff(near.ptr))
    got = set(zip(a.tolist(), near.other.tolist(), strict=True))
    i, j = np.triu_indices(len(cells), 1)
    other = owners[i] != owners[j]
    close = shapely.dwithin(cells[i[other]], cells[j[other]], 2.0)
    pairs = list(zip(i[other][close].tolist(), j[other][close].tolist(), strict=True))
    assert got == set(pairs) | {(b, a) for a, b in pairs}
    assert index.near_other_owner(2.0).tolist() == (np.diff(near.ptr) > 0).tolist()


@settings(max_examples=20, deadline=None)
@given(
    seed=st.integers(0, 10_000),
    steps=st.sampled_from([(), (1.0,), (2.0, 8.0), (0.5, 3.0, 20.0), (40.0,)]),
)
def test_search_steps_change_speed_only(seed: int, steps: tuple[float, ...]) -> None:
    cells, owners = _random_layer(seed)
    index = PolygonIndex.build(cells, owners)
    x, y = _points_near_vertices(cells, seed, 1_000)
    usual = locate(index, x, y, workers=1)
    with pytest.MonkeyPatch.context() as m:
        m.setattr(join, "_SEARCH_STEPS", steps)
        other = locate(index, x, y, workers=1)
    assert_same_location(usual, other)
    np.testing.assert_array_equal(usual.distance, other.distance)


@settings(max_examples=50, deadline=None)
@given(
    codes=st.lists(st.integers(0, 2**32 - 1) | st.integers(0, 3), max_size=300),
    wide=st.booleans(),
)
def test_stable_order_is_the_stable_argsort(codes: list[int], wide: bool) -> None:
    array = np.array(codes, dtype=np.uint64)
    if wide and len(array):
        array[0] = np.uint64(2**63)  # too wide to pack with positions: falls back to argsort
    np.testing.assert_array_equal(join._stable_order(array), np.argsort(array, kind="stable"))


def test_points_outside_reach_and_missing_points_get_no_owner() -> None:
    index = PolygonIndex.build([shapely.box(0, 0, 10, 10)], ["a"])
    loc = locate(
        index, np.array([40.0, np.nan, 34.0]), np.array([5.0, 1.0, 34.0]), max_distance=25.0
    )
    assert loc.owner.tolist() == [NO_OWNER, NO_OWNER, NO_OWNER]
    assert loc.outside.tolist() == [True, False, False]  # the last is 33.9 m from the corner


@settings(max_examples=25, deadline=None)
@given(
    seed=st.integers(0, 10_000),
    kind=st.sampled_from(["gaps", "holes", "multi"]),
    facets_max=st.sampled_from([0, 4, 8, 256]),
    neighbours_max=st.sampled_from([0, 1, 32]),
    piece=st.sampled_from([1, 7, 1 << 20]),
)
def test_numpy_and_geos_paths_give_the_same_location(
    seed: int, kind: str, facets_max: int, neighbours_max: int, piece: int
) -> None:
    """GEOS for big polygons (all of them with 0), the tree for crowded polygons, the distance
    kernel in small slices: the same result as the usual path, bit for bit."""
    cells, owners = _layer(seed, kind)
    x, y = _points_near_vertices(cells, seed, 800)
    usual = locate(PolygonIndex.build(cells, owners), x, y, workers=1)
    with pytest.MonkeyPatch.context() as m:
        m.setattr(join, "_FACETS_MAX", facets_max)
        m.setattr(join, "_NEIGHBOURS_MAX", neighbours_max)
        m.setattr(join, "_SLICE", piece)
        other = locate(PolygonIndex.build(cells, owners), x, y, workers=2)
    assert_same_location(usual, other)
    np.testing.assert_array_equal(usual.distance, other.distance)


def test_a_park_among_many_parcels_is_routed_like_any_polygon() -> None:
    """One large polygon bordering 400 parcels of other owners (more than _NEIGHBOURS_MAX and
    with more than _FACETS_MAX segments): points inside it find the parcels near them."""
    parcels = [shapely.box(i * 5.0, 0, i * 5.0 + 4.0, 4.0) for i in range(400)]
    park = shapely.Polygon(
        [(i * 5.0 + dx, 5.0) for i in range(400) for dx in (0.0, 4.0)]
        + [(1999.0, 50.0), (0.0, 50.0)]
    )
    index = PolygonIndex.build([park, *parcels], ["kommun"] + ["privat"] * 400)
    assert index._facet_arrays().plain.tolist()[:2] == [False, True]
    loc = locate(index, np.array([102.0, 102.0, 102.0]), np.array([6.0, 30.0, 4.5]), tolerance=2.0)
    assert [index.owner_ids[c] for c in loc.owner] == ["kommun", "kommun", "kommun"]
    assert loc.boundary.tolist() == [True, False, True]
    assert loc.candidates[0] == "kommun;privat"
    assert loc.distance[2] == pytest.approx(0.5)
