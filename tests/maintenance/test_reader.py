"""Reading owners' maintenance layers: layers, feature ids, CRS and the synthetic flag."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import pyogrio
import pytest
import shapely

from geomap.errors import CRSError, InputError
from geomap.maintenance.reader import read_layer

from tests.maintenance.helpers import owner_layer, write_layer


def test_single_layer_ids_are_fids(tmp_path: Path) -> None:
    path = write_layer(owner_layer("huddinge_kommun"), tmp_path / "k.gpkg")
    layer = read_layer(path)
    assert layer.layers == ("skotsel",)
    assert layer.frame.index[:3].tolist() == ["1", "2", "3"]
    assert layer.frame.crs == "EPSG:3011"


def test_multi_layer_file_is_read_whole_or_by_name(tmp_path: Path) -> None:
    frame = owner_layer("huge_bostader")
    path = tmp_path / "huge.gpkg"
    for name, kind in (("ytor", "Polygon"), ("punkter", "Point")):
        part = frame.loc[frame.geom_type == kind]
        pyogrio.write_dataframe(part, path, layer=name, append=path.exists())
    whole = read_layer(path)
    assert whole.layers == ("ytor", "punkter")
    assert whole.frame.index[0] == "ytor:1" and whole.frame.index[-1].startswith("punkter:")
    assert len(read_layer(path, layer="punkter").frame) == (frame.geom_type == "Point").sum()
    with pytest.raises(InputError, match=r"no vector layer 'linjer'; layers are \['ytor', 'punk"):
        read_layer(path, layer="linjer")


def test_reprojects_from_sweref99tm(tmp_path: Path) -> None:
    frame = owner_layer("huddinge_kommun")
    path = write_layer(frame.to_crs(3006), tmp_path / "tm.gpkg")
    back = read_layer(path).frame
    assert back.crs == "EPSG:3011"
    assert abs(back.geometry.area.sum() - frame.geometry.area.sum()) < 1.0


def test_synthetic_flag_from_name_or_column(tmp_path: Path) -> None:
    frame = owner_layer("huddinge_kommun")
    assert read_layer(write_layer(frame, tmp_path / "a.gpkg")).synthetic  # column syntetisk = ja
    real = frame.drop(columns="syntetisk")
    assert not read_layer(write_layer(real, tmp_path / "real.gpkg")).synthetic
    assert read_layer(write_layer(real, tmp_path / "x_synthetic.gpkg")).synthetic


def test_bad_files_give_clear_errors(tmp_path: Path) -> None:
    with pytest.raises(InputError, match=r"missing.gpkg: file not found"):
        read_layer(tmp_path / "missing.gpkg")
    junk = tmp_path / "junk.gpkg"
    junk.write_text("not a geopackage", encoding="utf-8")
    with pytest.raises(
        InputError, match=r"junk.gpkg: the maintenance layer cannot be read as a vector file"
    ):
        read_layer(junk)
    no_crs = gpd.GeoDataFrame({"k": ["G2"]}, geometry=[shapely.box(0, 0, 1, 1)])
    with pytest.warns(UserWarning, match="crs"):
        path = write_layer(no_crs, tmp_path / "nocrs.gpkg")
    with pytest.raises(CRSError, match=r"nocrs.gpkg: layer 'skotsel' has no CRS; assign EPSG:3011"):
        read_layer(path)
