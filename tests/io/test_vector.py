from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import pytest
import shapely

from geomap.errors import InputError
from geomap.io.vector import choose_layer, read_vector


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


def test_choose_layer_prefers_default_then_first_spatial_layer(tmp_path: Path) -> None:
    frame = gpd.GeoDataFrame({"a": [1]}, geometry=[shapely.Point(1, 2)], crs=3011)
    path = tmp_path / "m.gpkg"
    frame.to_file(path, layer="first")
    frame.to_file(path, layer="owners", mode="a")
    assert choose_layer(path, layer=None, default="owners", what="x") == (
        "owners",
        ["first", "owners"],
    )
    assert choose_layer(path, layer=None, default="nope", what="x")[0] == "first"
    assert choose_layer(path, layer="first", default="owners", what="x")[0] == "first"


def test_choose_layer_errors_name_file_purpose_and_layers(tmp_path: Path) -> None:
    frame = gpd.GeoDataFrame({"a": [1]}, geometry=[shapely.Point(1, 2)], crs=3011)
    path = tmp_path / "m.gpkg"
    frame.to_file(path, layer="first")
    with pytest.raises(
        InputError, match=r"m\.gpkg has no layer 'owners' for the parcels \(layers: first\)"
    ):
        choose_layer(path, layer="owners", default="owners", what="parcels")
    junk = tmp_path / "junk.gpkg"
    junk.write_bytes(b"not a geopackage")
    with pytest.raises(
        InputError, match=r"junk\.gpkg: the parcels cannot be read as a vector file"
    ):
        choose_layer(junk, layer=None, default="owners", what="parcels")
    table = tmp_path / "table.csv"
    table.write_text("a,b\n1,2\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"table\.csv: no layer with geometries for the parcels"):
        choose_layer(table, layer=None, default="owners", what="parcels")
