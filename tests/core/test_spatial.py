from __future__ import annotations

import geopandas as gpd
import numpy as np
import pytest
import shapely
from hypothesis import given, settings
from hypothesis import strategies as st

import geomap.core.spatial as join
from geomap.core.spatial import NO_OWNER, PolygonIndex, locate

# kommun [0,10) | huge [10,20) | gap | privat [22,30); huge also overlaps kommun at [8,12]x[20,24]
GEOMS = [
    shapely.box(0, 0, 10, 30),
    shapely.box(10, 0, 20, 20),
    shapely.box(22, 0, 30, 30),
    shapely.box(8, 20, 12, 24),
]
OWNERS = ["kommun", "huge", "privat", "huge"]
PRIORITY = {"kommun": 1, "huge": 2, "privat": 5}


@pytest.fixture
def index() -> PolygonIndex:
    return PolygonIndex.build(GEOMS, OWNERS, priority=PRIORITY)


def owners_of(index: PolygonIndex, codes: np.ndarray) -> list[str | None]:
    return [None if c == NO_OWNER else str(index.owner_ids[c]) for c in codes]


def test_inside_edge_nearest_outside(index: PolygonIndex) -> None:
    x = np.array([5.0, 10.0, 15.0, 20.8, 21.6, 9.5, 16.0, np.nan, 500.0])
    y = np.array([5.0, 5.0, 5.0, 5.0, 5.0, 22.0, 28.0, np.nan, 500.0])
    loc = locate(index, x, y, tolerance=1.0, max_distance=5.0)
    assert owners_of(index, loc.owner) == [
        "kommun",
        "kommun",
        "huge",
        "huge",
        "privat",
        "kommun",
        None,
        None,
        None,
    ]
    # exactly on the kommun|huge edge: the higher-priority owner (kommun) wins, flagged boundary
    assert loc.boundary.tolist() == [False, True, False, True, False, True, False, False, False]
    assert loc.candidates[1] == "kommun;huge"
    # in the street gap: huge is nearest (0.8 m) and privat (1.2 m) is within the tolerance of it
    assert loc.distance[3] == pytest.approx(0.8)
    assert loc.candidates[3] == "huge;privat"
    assert loc.distance[4] == pytest.approx(0.4)
    assert loc.inside.tolist()[:3] == [True, True, True]
    assert not loc.inside[3]
    # 9.5,22 lies in the interiors of kommun and huge: overlap, priority decides
    assert loc.overlap[5]
    assert loc.outside.tolist()[-1]
    assert not loc.outside[6]


def test_tolerance_flags_near_other_owner(index: PolygonIndex) -> None:
    loc = locate(index, np.array([9.0, 5.0]), np.array([5.0, 5.0]), tolerance=2.0)
    assert loc.boundary.tolist() == [True, False]
    assert loc.candidates[0] == "kommun;huge"


def test_polygons_near_other_owner_are_computed_once_per_tolerance(
    index: PolygonIndex, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[float] = []
    real = join._near_other_owner

    def counting(idx: PolygonIndex, tolerance: float) -> np.ndarray:
        calls.append(tolerance)
        return real(idx, tolerance)

    monkeypatch.setattr(join, "_near_other_owner", counting)
    x, y = np.array([9.0, 5.0]), np.array([5.0, 5.0])
    first = locate(index, x, y, tolerance=2.0)
    again = locate(index, x, y, tolerance=2.0)  # a second chunk against the same index
    locate(index, x, y, tolerance=0.5)
    assert calls == [2.0, 0.5]
    assert first.boundary.tolist() == again.boundary.tolist() == [True, False]
    # kommun, huge and privat (within 2 m of huge across the gap); kommun|huge overlap too
    assert index.near_other_owner(2.0).tolist() == [True, True, True, True]
    assert index.near_other_owner(0.5).tolist() == [True, True, False, True]


def test_zero_tolerance_matches_point_in_polygon(index: PolygonIndex) -> None:
    loc = locate(index, np.array([9.0]), np.array([5.0]), tolerance=0.0, max_distance=0.0)
    assert owners_of(index, loc.owner) == ["kommun"]
    assert not loc.boundary[0]


def test_empty_index_and_empty_points() -> None:
    empty = PolygonIndex.build([], [])
    loc = locate(empty, np.array([1.0]), np.array([1.0]))
    assert loc.owner.tolist() == [NO_OWNER]
    idx = PolygonIndex.build(GEOMS, OWNERS)
    assert len(locate(idx, np.array([]), np.array([])).owner) == 0


def _random_layer(seed: int) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    seeds = shapely.multipoints(rng.uniform(0, 1000, (60, 2)))
    cells = shapely.get_parts(
        shapely.voronoi_polygons(seeds, extend_to=shapely.box(0, 0, 1000, 1000))
    )
    cells = shapely.intersection(cells, shapely.box(0, 0, 1000, 1000))
    cells = shapely.buffer(cells, -rng.uniform(0, 3))  # street gaps of random width
    owners = rng.choice(np.array(["a", "b", "c", "d"]), len(cells))
    return cells, owners


def assert_same_location(a: join.Location, b: join.Location) -> None:
    np.testing.assert_array_equal(a.owner, b.owner)
    np.testing.assert_array_equal(a.inside, b.inside)
    np.testing.assert_array_equal(a.boundary, b.boundary)
    np.testing.assert_array_equal(a.overlap, b.overlap)
    np.testing.assert_array_equal(a.outside, b.outside)
    np.testing.assert_array_equal(a.candidates, b.candidates)
    np.testing.assert_allclose(a.distance, b.distance)


@settings(max_examples=25, deadline=None)
@given(seed=st.integers(0, 10_000), n=st.integers(1, 400), perm_seed=st.integers(0, 10_000))
def test_locate_is_order_independent_and_total(seed: int, n: int, perm_seed: int) -> None:
    cells, owners = _random_layer(seed)
    index = PolygonIndex.build(cells, owners)
    rng = np.random.default_rng(seed + 1)
    x, y = rng.uniform(-50, 1050, n), rng.uniform(-50, 1050, n)
    loc = locate(index, x, y, tolerance=2.0, max_distance=25.0, workers=1)
    perm = np.random.default_rng(perm_seed).permutation(n)
    loc2 = locate(index, x[perm], y[perm], tolerance=2.0, max_distance=25.0, workers=2)
    assert len(loc.owner) == n
    np.testing.assert_array_equal(loc.owner[perm], loc2.owner)
    np.testing.assert_array_equal(loc.boundary[perm], loc2.boundary)
    np.testing.assert_array_equal(loc.candidates[perm], loc2.candidates)
    np.testing.assert_allclose(loc.distance[perm], loc2.distance)


@settings(max_examples=25, deadline=None)
@given(
    seed=st.integers(0, 10_000),
    chunk=st.integers(1, 500),
    block=st.sampled_from([None, 1, 2, 4, 7, 32, 1000]),
)
def test_how_the_work_is_cut_changes_speed_only(seed: int, chunk: int, block: int | None) -> None:
    """Chunks on threads and the length of query runs (normally from the density) never change
    a result."""
    cells, owners = _random_layer(seed)
    index = PolygonIndex.build(cells, owners)
    rng = np.random.default_rng(seed)
    x, y = rng.uniform(-30, 1030, 2_000), rng.uniform(-30, 1030, 2_000)
    whole = locate(index, x, y, workers=1)
    with pytest.MonkeyPatch.context() as m:
        m.setattr(join, "_CHUNK", chunk)
        if block is not None:
            m.setattr(join, "_block_size", lambda *_: block)
        split = locate(index, x, y, workers=2)
    assert_same_location(whole, split)


def test_query_runs_are_short_for_sparse_points_and_long_for_dense() -> None:
    cells, owners = _random_layer(3)  # 60 cells over 1000 × 1000
    index = PolygonIndex.build(cells, owners)
    rng = np.random.default_rng(0)
    dense = rng.uniform(0, 1000, (60 * 200, 2))
    sparse = rng.uniform(0, 1000, (60, 2))
    assert join._block_size(index, dense[:, 0], dense[:, 1]) == 32
    assert join._block_size(index, sparse[:, 0], sparse[:, 1]) == 4
    assert join._block_size(index, np.array([]), np.array([])) == 32


def test_same_result_as_geopandas_within() -> None:
    cells, owners = _random_layer(7)
    index = PolygonIndex.build(cells, owners)
    rng = np.random.default_rng(3)
    x, y = rng.uniform(0, 1000, 5000), rng.uniform(0, 1000, 5000)
    loc = locate(index, x, y, tolerance=0.0, max_distance=0.0)
    points = gpd.GeoDataFrame(geometry=gpd.points_from_xy(x, y))
    polys = gpd.GeoDataFrame({"owner": owners}, geometry=cells)
    joined = gpd.sjoin(points, polys, predicate="within", how="left")
    expected = joined.groupby(level=0)["owner"].first().reindex(range(5000))
    mine = np.array(owners_of(index, loc.owner), dtype=object)
    assert (expected.fillna("-").to_numpy() == np.where(mine == None, "-", mine)).all()  # noqa: E711
