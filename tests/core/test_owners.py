from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import pytest
import shapely

from geomap.core.owners import (
    load_owner_layer,
    load_registry,
    owner_layer_from_frame,
    registry_from_ids,
)
from geomap.errors import ConfigError, CRSError, InputError

from tests.conftest import X0, Y0


def test_registry(registry_toml: Path) -> None:
    reg = load_registry(registry_toml)
    assert reg.synthetic
    assert reg.synthetic_label == "Syntetiska testdata"
    assert reg["huge"].name == "Huge Bostäder AB"
    assert reg["kommun"].priority == 1
    assert reg.to_frame()["colour"].str.match(r"^#[0-9a-f]{6}$").all()
    reg.require(["kommun", "huge"], where="test")
    with pytest.raises(ConfigError, match=r"owner ids not in the registry .*: okand"):
        reg.require(["kommun", "okand"], where="owner layer")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", r"no \[\[owner\]\] entries"),
        ('[[owner]]\nid = "a"\n', r"number 1 lacks name"),
        ('[[owner]]\nid = "a"\nname = "A"\ncolour = "red"\n', r"colour 'red'; write it as #rrggbb"),
        ('[[owner]]\nid = "a"\nname = "A"\npriority = "high"\n', r"priority 'high'"),
        (
            '[[owner]]\nid = "a"\nname = "A"\n[[owner]]\nid = "a"\nname = "B"\n',
            r"'a' is listed twice",
        ),
        ("[[owner]\n", r"not valid TOML"),
    ],
)
def test_bad_registry(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "owners.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError, match=message):
        load_registry(path)


def test_registry_from_ids_is_sorted_and_coloured() -> None:
    reg = registry_from_ids(["b", "a", "b"])
    assert reg.ids == ["a", "b"]
    assert reg["a"].colour != reg["b"].colour


def test_owner_layer_repairs_and_drops(tmp_path: Path) -> None:
    bowtie = shapely.Polygon([(X0, Y0), (X0 + 10, Y0 + 10), (X0 + 10, Y0), (X0, Y0 + 10)])
    frame = gpd.GeoDataFrame(
        {"Markägare": ["a", "b", "c"]},
        geometry=[shapely.box(X0, Y0, X0 + 5, Y0 + 5), bowtie, None],
        crs="EPSG:3006",
    )
    path = tmp_path / "o.gpkg"
    frame.to_file(path)
    layer = load_owner_layer(path)
    assert layer.repaired == 1
    assert layer.dropped_empty == 1
    assert layer.frame["owner"].tolist() == ["a", "b"]
    assert layer.frame.geometry.is_valid.all()
    assert layer.frame.crs.to_epsg() == 3011


def test_owner_layer_of_points_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "points.gpkg"
    gpd.GeoDataFrame({"owner": ["a"]}, geometry=[shapely.Point(X0, Y0)], crs=3011).to_file(path)
    with pytest.raises(
        InputError, match=r"points\.gpkg: the owner layer must hold polygons, found Point"
    ):
        load_owner_layer(path)


def test_owner_layer_without_owner_column(tmp_path: Path) -> None:
    path = tmp_path / "o.gpkg"
    gpd.GeoDataFrame(
        {"namn": ["a"]}, geometry=[shapely.box(X0, Y0, X0 + 1, Y0 + 1)], crs=3011
    ).to_file(path)
    with pytest.raises(InputError, match=r"no owner column among \[namn\].*`owner_column`"):
        load_owner_layer(path)
    with pytest.raises(InputError, match=r"has no column 'agare'"):
        load_owner_layer(path, owner_column="agare")
    assert load_owner_layer(path, owner_column="namn").frame["owner"].tolist() == ["a"]


def test_owner_layer_without_crs(tmp_path: Path) -> None:
    path = tmp_path / "o.shp"
    gpd.GeoDataFrame({"owner": ["a"]}, geometry=[shapely.box(X0, Y0, X0 + 1, Y0 + 1)]).to_file(path)
    with pytest.raises(CRSError, match=r"o\.shp: the owner layer has no CRS"):
        load_owner_layer(path)


def test_owner_layer_swapped_axes(tmp_path: Path) -> None:
    path = tmp_path / "o.gpkg"
    gpd.GeoDataFrame(
        {"owner": ["a"]}, geometry=[shapely.box(Y0, X0, Y0 + 5, X0 + 5)], crs=3011
    ).to_file(path)
    with pytest.raises(CRSError, match=r"x and y swapped"):
        load_owner_layer(path)


def test_missing_owner_file(tmp_path: Path) -> None:
    with pytest.raises(InputError, match=r"nope\.gpkg: no such owner layer"):
        load_owner_layer(tmp_path / "nope.gpkg")


def test_owner_layer_from_frame_repairs_like_a_file() -> None:
    bowtie = shapely.Polygon([(X0, Y0), (X0 + 10, Y0 + 10), (X0 + 10, Y0), (X0, Y0 + 10)])
    frame = gpd.GeoDataFrame(
        {"agare": ["a", "b", "c"]},
        geometry=[bowtie, None, shapely.box(X0, Y0, X0 + 1, Y0 + 1)],
        crs=3006,
    )
    layer = owner_layer_from_frame(frame)
    assert (layer.repaired, layer.dropped_empty) == (1, 1)
    assert layer.frame["owner"].tolist() == ["a", "c"]
    assert layer.frame.crs.to_epsg() == 3011
    points = gpd.GeoDataFrame({"owner": ["a"]}, geometry=[shapely.Point(X0, Y0)], crs=3011)
    with pytest.raises(
        InputError, match=r"<GeoDataFrame>: the owner layer must hold polygons, found Point"
    ):
        owner_layer_from_frame(points)
    with pytest.raises(CRSError, match=r"<GeoDataFrame>: the owner layer has no CRS.*set_crs"):
        owner_layer_from_frame(points.set_crs(None, allow_override=True))
