from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import pytest
import shapely

from geomap.errors import InputError
from geomap.vector import read_vector


def test_reads_gpkg_layer_and_geoparquet(tmp_path: Path) -> None:
    frame = gpd.GeoDataFrame({"a": [1]}, geometry=[shapely.Point(1, 2)], crs=3011)
    frame.to_file(tmp_path / "a.gpkg", layer="punkter")
    frame.to_parquet(tmp_path / "a.parquet")
    assert read_vector(tmp_path / "a.gpkg", layer="punkter", what="x")["a"].tolist() == [1]
    assert read_vector(tmp_path / "a.parquet", layer=None, what="x").crs.to_epsg() == 3011


def test_errors_name_file_and_purpose(tmp_path: Path) -> None:
    frame = gpd.GeoDataFrame({"a": [1]}, geometry=[shapely.Point(1, 2)], crs=3011)
    frame.to_file(tmp_path / "a.gpkg", layer="punkter")
    with pytest.raises(
        InputError, match=r"a\.gpkg: cannot read layer 'nej' of the owner layer.*ogrinfo"
    ):
        read_vector(tmp_path / "a.gpkg", layer="nej", what="owner layer")
    bad = tmp_path / "bad.parquet"
    bad.write_bytes(b"not parquet")
    with pytest.raises(
        InputError, match=r"bad\.parquet: the remark file is not a readable vector file"
    ):
        read_vector(bad, layer=None, what="remark file")
