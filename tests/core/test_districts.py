"""Tests for geomap.core.districts: default RegSO districts, other polygon files, errors."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import pytest
import shapely

from geomap.core.districts import read_districts
from geomap.core.resources import REGSO_FILE, data_path
from geomap.errors import InputError

from tests.maps.helpers import copy_regso


def test_default_is_bundled_regso() -> None:
    path = data_path(REGSO_FILE)
    if path is None:
        pytest.skip("data/huddinge_regso_2025.gpkg not present in this tree")
    geo = read_districts()
    assert geo.districts is not None and len(geo.districts) == 22
    assert geo.boundary is not None and len(geo.boundary) == 1
    assert geo.districts.crs.to_epsg() == 3011


def test_regso_copy(tmp_path: Path) -> None:
    regso = copy_regso(tmp_path)
    if regso is None:
        pytest.skip("RegSO GeoPackage not available")
    geo = read_districts(regso, layer="regso_2025_sweref99tm")
    assert geo.districts is not None and geo.districts.crs.to_epsg() == 3006
    assert "Stuvsta" in set(geo.districts["name"])


def test_other_file_with_name_column_and_union_boundary(tmp_path: Path) -> None:
    frame = gpd.GeoDataFrame(
        {"namn": ["Norr", "Söder"]},
        geometry=[shapely.box(0, 1, 1, 2), shapely.box(0, 0, 1, 1)],
        crs="EPSG:3011",
    )
    frame.to_file(tmp_path / "d.geojson")
    geo = read_districts(tmp_path / "d.geojson")
    assert list(geo.districts["name"]) == ["Norr", "Söder"]  # type: ignore[index]
    assert geo.boundary is not None and geo.boundary.geometry.iloc[0].area == pytest.approx(2.0)


def test_errors(tmp_path: Path) -> None:
    with pytest.raises(InputError, match=r"none\.gpkg: district file not found"):
        read_districts(tmp_path / "none.gpkg")
    (tmp_path / "x.gpkg").write_text("inte en geopackage", encoding="utf-8")
    with pytest.raises(InputError, match="cannot be read as a vector file"):
        read_districts(tmp_path / "x.gpkg")
    frame = gpd.GeoDataFrame({"n": [1]}, geometry=[shapely.box(0, 0, 1, 1)], crs=3011)
    frame.to_file(tmp_path / "d.gpkg", layer="a")
    with pytest.raises(InputError, match="has no layer 'b'"):
        read_districts(tmp_path / "d.gpkg", layer="b")
    with pytest.raises(InputError, match="has no name column"):
        read_districts(tmp_path / "d.gpkg")


def test_name_column_given_and_reprojected(tmp_path: Path) -> None:
    frame = gpd.GeoDataFrame(
        {"kod": ["01"], "omr": ["Centrum"]}, geometry=[shapely.box(0, 0, 10, 10)], crs=3011
    )
    frame.to_file(tmp_path / "d.gpkg")
    geo = read_districts(tmp_path / "d.gpkg", name_column="omr", crs="EPSG:3006")
    assert list(geo.districts["name"]) == ["Centrum"]  # type: ignore[index]
    assert geo.districts.crs.to_epsg() == 3006  # type: ignore[union-attr]
    with pytest.raises(InputError, match="has no column 'namn'"):
        read_districts(tmp_path / "d.gpkg", name_column="namn")
