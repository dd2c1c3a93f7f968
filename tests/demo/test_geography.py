"""Tests for geomap.demo.geography: the bundled SCB RegSO geography and sampling."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import shapely

from geomap.demo.geography import (
    HUBS,
    hub_xy,
    load_geography,
    point_array,
    regso_path,
    sample_in_polygons,
)
from geomap.errors import InputError


def test_regso_path_points_at_the_bundled_copy() -> None:
    path = regso_path()
    assert path.name == "huddinge_regso_2025.gpkg"
    assert path.is_file()


def test_load_geography_reads_22_regso_in_sweref99_1800() -> None:
    geo = load_geography()
    assert len(geo.districts) == 22
    assert geo.districts.crs.to_epsg() == 3011
    assert "Flemingsberg västra" in set(geo.districts["name"])
    assert 140e6 < geo.outline.area < 143e6
    assert geo.outline.is_valid


def test_hubs_lie_inside_the_municipality() -> None:
    geo = load_geography()
    xy = hub_xy()
    assert len(xy) == len(HUBS)
    assert shapely.contains_xy(geo.outline, xy[:, 0], xy[:, 1]).all()


def test_missing_geography_file_is_named(tmp_path: Path) -> None:
    with pytest.raises(InputError, match=r"nope\.gpkg: geography file not found"):
        load_geography(tmp_path / "nope.gpkg")


def test_geography_without_the_layers_is_rejected(tmp_path: Path) -> None:
    import geopandas as gpd

    path = tmp_path / "other.gpkg"
    gpd.GeoDataFrame({"a": [1]}, geometry=[shapely.Point(0, 0)], crs=3011).to_file(path, layer="x")
    with pytest.raises(InputError, match=r"layer\(s\) kommun_sweref99_1800, regso_2025"):
        load_geography(path)


def test_geography_that_is_not_a_geopackage_is_rejected(tmp_path: Path) -> None:
    path = tmp_path / "broken.gpkg"
    path.write_text("not a database")
    with pytest.raises(InputError, match="cannot be read as a GeoPackage"):
        load_geography(path)


def test_sample_in_polygons_draws_inside_each_polygon() -> None:
    rng = np.random.default_rng(3)
    polys = np.array([shapely.box(0, 0, 10, 10), shapely.Point(100, 100).buffer(5)])
    xy, which = sample_in_polygons(rng, polys, np.array([50, 20]))
    assert xy.shape == (70, 2)
    assert np.bincount(which).tolist() == [50, 20]
    for i, poly in enumerate(polys):
        sel = which == i
        assert shapely.contains_xy(poly, xy[sel, 0], xy[sel, 1]).all()


def test_point_array_is_always_an_array() -> None:
    pts = point_array(np.array([[1.0, 2.0], [3.0, 4.0]]))
    assert pts.shape == (2,)
    assert pts[1].x == 3.0
