"""The ``layer_styles`` table: QGIS's schema, registered in gpkg_contents, one default per layer."""

from __future__ import annotations

import sqlite3
from contextlib import closing
from pathlib import Path

import geopandas as gpd
import pytest
import shapely

from geomap.maintenance.gpkg_styles import write_layer_styles


def _gpkg(tmp_path: Path) -> Path:
    path = tmp_path / "s.gpkg"
    gpd.GeoDataFrame(geometry=[shapely.Point(0, 0)], crs=3011).to_file(path, layer="pt")
    return path


def test_styles_table_schema_contents_and_default(tmp_path: Path) -> None:
    path = _gpkg(tmp_path)
    write_layer_styles(path, {"pt": ("<qgis>1</qgis>", "<sld>1</sld>")}, description="v1")
    write_layer_styles(path, {"pt": ("<qgis>2</qgis>", "<sld>2</sld>")}, description="v2")
    with closing(sqlite3.connect(path)) as db:
        columns = [r[1] for r in db.execute("PRAGMA table_info(layer_styles)")]
        assert columns == [
            "id",
            "f_table_catalog",
            "f_table_schema",
            "f_table_name",
            "f_geometry_column",
            "styleName",
            "styleQML",
            "styleSLD",
            "useAsDefault",
            "description",
            "owner",
            "ui",
            "update_time",
        ]
        rows = db.execute(
            "SELECT f_table_name, f_geometry_column, styleQML, useAsDefault, description "
            "FROM layer_styles ORDER BY id"
        ).fetchall()
        contents = db.execute(
            "SELECT data_type FROM gpkg_contents WHERE table_name = 'layer_styles'"
        ).fetchall()
    assert rows == [
        ("pt", "geom", "<qgis>1</qgis>", 0, "v1"),
        ("pt", "geom", "<qgis>2</qgis>", 1, "v2"),
    ]
    assert contents == [("attributes",)]


def test_style_for_missing_layer_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match=r"no geometry table 'nope'"):
        write_layer_styles(_gpkg(tmp_path), {"nope": ("q", "s")})
