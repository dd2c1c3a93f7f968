"""Regular grids and counts per cell (geomap.stats.grid)."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from hypothesis import given, settings
from hypothesis import strategies as st

from geomap.errors import InputError
from geomap.stats.grid import cell_area, cell_indices, count_in_cells, make_grid, point_xy

X0, Y0 = 150_000.0, 6_570_000.0


def test_cells_are_aligned_to_multiples_of_the_cell_size() -> None:
    grid = make_grid((X0 + 30, Y0 + 10, X0 + 250, Y0 + 190), cell=100.0)
    assert len(grid) == 3 * 2
    assert list(grid.columns) == ["cell_id", "row", "col", "geometry"]
    assert grid["cell_id"].tolist() == list(range(6))
    minx, miny, maxx, maxy = grid.total_bounds
    assert (minx, miny, maxx, maxy) == (X0, Y0, X0 + 300, Y0 + 200)
    assert set(grid.geometry.area.round(6)) == {10_000.0}
    assert grid.crs == "EPSG:3011"
    assert cell_area(grid) == 10_000.0


def test_polygon_keeps_cells_whose_centre_lies_in_it() -> None:
    # A triangle over a 4 × 4 frame of 100 m cells: the cell centres below the diagonal are kept.
    area = shapely.Polygon([(0, 0), (400, 0), (0, 400)])
    grid = make_grid(area, cell=100.0)
    centres = shapely.centroid(grid.geometry.to_numpy())
    assert shapely.contains(area, centres).all()
    assert len(grid) == 6  # row 0: 4 … row 3: 0 cells (centre on the diagonal is outside)
    assert grid.attrs["cell"] == 100.0


def test_geodataframe_area_keeps_its_crs() -> None:
    frame = gpd.GeoDataFrame(geometry=[shapely.box(0, 0, 200, 100)], crs="EPSG:3006")
    grid = make_grid(frame, cell=50.0)
    assert grid.crs == "EPSG:3006"
    assert len(grid) == 8


@pytest.mark.parametrize(
    ("value", "cell", "match"),
    [
        ((0, 0, 100, 100), 0, r"`cell`: 0 is not a cell size"),
        ((0, 0, 100, 100), -5.0, r"`cell`: -5.0 is not a cell size"),
        ((0, 0, 100, 100), float("inf"), r"`cell`: inf is not finite"),
        ((0, 0, 100, 100), True, r"`cell`: True is not a cell size"),
        ((0, 0, 0, 100), 10.0, r"`bounds_or_area`: bounds .* are empty"),
        ((0, 0, 100), 10.0, r"`bounds_or_area`: .* is neither"),
        ("abcd", 10.0, r"`bounds_or_area`: .* is neither"),
        (shapely.Polygon(), 10.0, r"`bounds_or_area`: the area is empty"),
        (
            (0, 0, 1e6, 1e6),
            1.0,
            r"`cell`: 1 m gives 1,000,000,000,000 cells .* give a larger `cell`",
        ),
    ],
)
def test_make_grid_rejects(value: object, cell: float, match: str) -> None:
    with pytest.raises(InputError, match=match):
        make_grid(value, cell=cell)  # type: ignore[arg-type]


def test_geographic_crs_is_refused() -> None:
    frame = gpd.GeoDataFrame(geometry=[shapely.box(17.9, 59.2, 18.0, 59.3)], crs="EPSG:4326")
    with pytest.raises(InputError, match=r"`bounds_or_area`: CRS .* is not projected"):
        make_grid(frame)


def test_counts_include_empty_cells_and_count_what_is_left_out() -> None:
    grid = make_grid((0.0, 0.0, 300.0, 100.0))
    xy = np.array([[10, 10], [99.999, 99.999], [100, 0], [250, 50], [-1, 50], [np.nan, 1]])
    counts = count_in_cells(xy, grid)
    assert counts.tolist() == [2, 1, 1]  # 100 on the edge belongs to the cell east of it
    assert counts.index.name == "cell_id"
    assert counts.attrs == {"outside": 1, "missing": 1}


def test_counts_from_a_geoseries_skip_empty_and_missing_points() -> None:
    grid = make_grid((0.0, 0.0, 200.0, 100.0))
    points = gpd.GeoSeries([shapely.Point(50, 50), None, shapely.Point(), shapely.Point(150, 1)])
    counts = count_in_cells(points, grid)
    assert counts.tolist() == [1, 1]
    assert counts.attrs["missing"] == 2


def test_counts_by_category_form_a_matrix() -> None:
    grid = make_grid((0.0, 0.0, 200.0, 100.0))
    xy = np.array([[10, 10], [20, 20], [150, 50], [160, 50]])
    labels = pd.Series(["klotter", "belysning", "klotter", None])
    table = count_in_cells(xy, grid, by=labels)
    assert table.columns.tolist() == ["", "belysning", "klotter"]
    assert table.to_numpy().tolist() == [[0, 1, 1], [1, 0, 1]]


def test_counts_by_a_categorical_keep_unused_categories() -> None:
    grid = make_grid((0.0, 0.0, 100.0, 100.0))
    labels = pd.Series(pd.Categorical(["b"], categories=["a", "b"]))
    table = count_in_cells(np.array([[1.0, 1.0]]), grid, by=labels)
    assert table.columns.tolist() == ["a", "b"]
    assert table.to_numpy().tolist() == [[0, 1]]


def test_count_rejects_bad_points_and_labels() -> None:
    grid = make_grid((0.0, 0.0, 100.0, 100.0))
    with pytest.raises(InputError, match=r"`points`: an array of shape \(3,\)"):
        count_in_cells(np.array([1.0, 2.0, 3.0]), grid)
    with pytest.raises(InputError, match=r"`by`: has 1 labels for 2 points"):
        count_in_cells(np.zeros((2, 2)), grid, by=pd.Series(["a"]))


def test_empty_points_give_zero_counts() -> None:
    grid = make_grid((0.0, 0.0, 200.0, 100.0))
    assert count_in_cells(np.empty((0, 2)), grid).tolist() == [0, 0]
    assert point_xy(np.empty(0))[0].size == 0


def test_cell_indices_on_a_clipped_grid() -> None:
    grid = make_grid(shapely.Polygon([(0, 0), (400, 0), (0, 400)]), cell=100.0)
    # (350, 350) lies in the frame but its cell was clipped away.
    where = cell_indices(np.array([50.0, 350.0, 50.0]), np.array([50.0, 350.0, 250.0]), grid)
    assert where[0] == 0 and where[1] == -1 and where[2] >= 0


@settings(max_examples=50, deadline=None)
@given(
    st.lists(
        st.tuples(st.floats(-500, 1500, allow_nan=False), st.floats(-500, 1500, allow_nan=False)),
        max_size=60,
    ),
    st.sampled_from([25.0, 100.0, 333.0]),
)
def test_counts_add_up_and_agree_with_a_spatial_join(
    points: list[tuple[float, float]], cell: float
) -> None:
    grid = make_grid((0.0, 0.0, 1000.0, 1000.0), cell=cell)
    xy = np.array(points, dtype=float).reshape(-1, 2)
    counts = count_in_cells(xy, grid)
    assert counts.sum() + counts.attrs["outside"] == len(xy)
    # Reference: which box covers each point, half-open on the east/north edge.
    x, y = xy[:, 0], xy[:, 1]
    minx, miny, maxx, maxy = (grid.bounds[c].to_numpy()[:, None] for c in grid.bounds.columns)
    inside = (x >= minx) & (x < maxx) & (y >= miny) & (y < maxy)
    assert counts.tolist() == inside.sum(axis=1).tolist()
