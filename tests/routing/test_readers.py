from __future__ import annotations

import re
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely

from geomap.errors import CRSError, InputError
from geomap.routing.readers import read_frame, read_remarks

from tests.conftest import X0, Y0

POINTS_3006 = gpd.GeoDataFrame(
    {"kategori": ["Klotter", "Skräp"], "beskrivning": ["på vägg", "vid busshållplats"]},
    geometry=shapely.points([[670_500.0, 6_565_100.0], [670_600.0, 6_565_200.0]]),
    crs="EPSG:3006",
)


@pytest.mark.parametrize(
    ("suffix", "driver"),
    [
        (".gpkg", "GPKG"),
        (".geojson", "GeoJSON"),
        (".shp", "ESRI Shapefile"),
        (".fgb", "FlatGeobuf"),
        (".parquet", None),
    ],
)
def test_vector_formats_are_reprojected(tmp_path: Path, suffix: str, driver: str | None) -> None:
    path = tmp_path / f"remarks{suffix}"
    if driver is None:
        POINTS_3006.to_parquet(path)
    else:
        POINTS_3006.to_file(path, driver=driver)
    frame, info = read_remarks(path)
    assert info.crs == "EPSG:3006"
    assert frame.crs.to_epsg() == 3011
    frame = frame.sort_values("kategori")  # FlatGeobuf returns features in spatial-index order
    expected = POINTS_3006.to_crs(3011)
    np.testing.assert_allclose(frame.geometry.x, expected.geometry.x, atol=1e-3)
    assert sorted(frame["source_row"]) == [1, 2]
    assert frame["source_file"].iloc[0] == path.name
    assert list(frame["kategori"]) == ["Klotter", "Skräp"]


@pytest.mark.parametrize(
    ("header", "rows", "expected_crs"),
    [
        ("latitud;longitud", ["59,2367;17,9811"], "EPSG:4326"),
        ("lon,lat", ["17.9811,59.2367"], "EPSG:4326"),
        ("E;N", [f"{X0:.0f};{Y0:.0f}"], "EPSG:3011"),
        ("easting;northing", ["670500;6565100"], "EPSG:3006"),
    ],
)
def test_tables_infer_crs(tmp_path: Path, header: str, rows: list[str], expected_crs: str) -> None:
    path = tmp_path / "a.csv"
    delimiter = "," if "," in header else ";"
    path.write_text(
        "\n".join([f"id{delimiter}{header}"] + [f"1{delimiter}{r}" for r in rows]), encoding="utf-8"
    )
    frame, info = read_remarks(path)
    assert info.crs == expected_crs
    assert frame.crs.to_epsg() == 3011
    assert frame.geometry.notna().all()


def test_swapped_xy_is_fixed_with_warning(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    path = tmp_path / "swapped.csv"
    path.write_text(f"id;X;Y\n1;{Y0 + 50:.1f};{X0 + 25:.1f}\n".replace(".", ","), encoding="utf-8")
    frame, info = read_remarks(path, crs="EPSG:3011")
    assert info.axis_swapped
    assert frame.geometry.x.iloc[0] == pytest.approx(X0 + 25)
    assert frame.geometry.y.iloc[0] == pytest.approx(Y0 + 50)
    assert "swapped them" in caplog.text


def test_swapped_xy_detected_without_crs(tmp_path: Path) -> None:
    path = tmp_path / "swapped.csv"
    path.write_text(f"id;X;Y\n1;{Y0:.0f};{X0:.0f}\n", encoding="utf-8")
    frame, info = read_remarks(path)
    assert info.axis_swapped
    assert frame.geometry.x.iloc[0] == pytest.approx(X0)


def test_swapped_vector_is_fixed(tmp_path: Path) -> None:
    path = tmp_path / "swapped.gpkg"
    gpd.GeoDataFrame({"a": [1]}, geometry=[shapely.Point(Y0, X0)], crs=3011).to_file(path)
    frame, info = read_remarks(path)
    assert info.axis_swapped
    assert frame.geometry.x.iloc[0] == pytest.approx(X0)


def test_swap_warnings_say_which_convention(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    latlon = tmp_path / "latlon.gpkg"
    gpd.GeoDataFrame({"a": [1]}, geometry=[shapely.Point(59.2367, 17.9811)], crs=4326).to_file(
        latlon
    )
    frame, info = read_remarks(latlon)
    assert info.axis_swapped
    assert "latitude comes first and longitude second" in info.warnings[0]
    assert "northing" not in info.warnings[0]
    assert frame.to_crs(4326).geometry.y.iloc[0] == pytest.approx(59.2367)
    table = tmp_path / "xy.csv"
    table.write_text(f"id;X;Y\n1;{Y0:.0f};{X0:.0f}\n", encoding="utf-8")
    _, info = read_remarks(table, crs="EPSG:3011")
    assert (
        "swapped for EPSG:3011 (the northing (6.1–7.7 million) comes first: X = northing)"
        in (info.warnings[0])
    )


def test_cp1252_semicolon_decimal_comma(tmp_path: Path) -> None:
    path = tmp_path / "excel.csv"
    path.write_bytes(
        "Lat;Long;Beskrivning\n59,2367;17,9811;Trasig lykta vid gångväg, Skogås\n".encode("cp1252")
    )
    frame, info = read_remarks(path)
    assert info.encoding == "cp1252"
    assert frame["Beskrivning"].iloc[0] == "Trasig lykta vid gångväg, Skogås"


def test_xlsx_remarks(tmp_path: Path) -> None:
    path = tmp_path / "a.xlsx"
    pd.DataFrame({"Latitud": [59.2367], "Longitud": [17.9811], "Kategori": ["Klotter"]}).to_excel(
        path, index=False
    )
    frame, info = read_remarks(path)
    assert info.crs == "EPSG:4326"
    assert len(frame) == 1


def test_empty_coordinates_become_missing_geometry(tmp_path: Path) -> None:
    path = tmp_path / "a.csv"
    path.write_text(f"id;E;N\n1;{X0:.0f};{Y0:.0f}\n2;;\n", encoding="utf-8")
    frame, info = read_remarks(path)
    assert info.missing_geometry == 1
    assert frame.geometry.iloc[1] is None


def test_polygons_become_points_inside(tmp_path: Path) -> None:
    path = tmp_path / "areas.gpkg"
    area = shapely.box(X0, Y0, X0 + 10, Y0 + 10)
    gpd.GeoDataFrame({"a": [1]}, geometry=[area], crs=3011).to_file(path)
    frame, info = read_remarks(path)
    assert area.contains(frame.geometry.iloc[0])
    assert any("representative point" in w for w in info.warnings)


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(InputError, match=r"nope\.csv: no such file"):
        read_remarks(tmp_path / "nope.csv")


def test_vector_without_crs_needs_crs(tmp_path: Path) -> None:
    # GeoJSON always has a CRS (WGS84, see the next test); a shapefile without .prj has none.
    shp = tmp_path / "nocrs.shp"
    gpd.GeoDataFrame({"a": [1]}, geometry=[shapely.Point(X0, Y0)]).to_file(shp)
    with pytest.raises(CRSError, match=r"nocrs\.shp: the file has no CRS; pass `crs`"):
        read_remarks(shp)
    frame, _ = read_remarks(shp, crs="EPSG:3011")
    assert frame.geometry.x.iloc[0] == pytest.approx(X0)


def test_table_without_inferable_crs(tmp_path: Path) -> None:
    path = tmp_path / "local.csv"
    path.write_text("id;x;y\n1;10;20\n", encoding="utf-8")
    with pytest.raises(
        CRSError, match=r"local\.csv: cannot tell the CRS of columns 'x'/'y'.*pass `crs`"
    ):
        read_remarks(path)


def test_corrupt_geopackage(tmp_path: Path) -> None:
    path = tmp_path / "broken.gpkg"
    path.write_bytes(b"SQLite format 3\x00" + b"\x00" * 200)
    with pytest.raises(
        InputError, match=r"broken\.gpkg: the remark file is not a readable vector file"
    ):
        read_remarks(path)


def test_empty_layer(tmp_path: Path) -> None:
    path = tmp_path / "empty.gpkg"
    gpd.GeoDataFrame({"a": []}, geometry=[], crs=3011).to_file(path)
    with pytest.raises(InputError, match=r"empty\.gpkg: the layer holds no features"):
        read_remarks(path)


def _geojson(path: Path, coordinates: str, crs_member: str = "") -> Path:
    path.write_text(
        '{"type":"FeatureCollection",' + crs_member + '"features":[{"type":"Feature",'
        '"properties":{"id":"A"},"geometry":{"type":"Point","coordinates":' + coordinates + "}}]}",
        encoding="utf-8",
    )
    return path


def test_geojson_with_projected_coordinates_and_no_crs(tmp_path: Path) -> None:
    """GeoJSON without a CRS is WGS84: metres there are an error, not POINT (Infinity Infinity)."""
    path = _geojson(tmp_path / "proj.geojson", f"[{X0 + 50}, {Y0 + 50}]")
    with pytest.raises(
        CRSError, match=r"proj\.geojson: the coordinates .* are not longitude/latitude.*pass `crs`"
    ):
        read_remarks(path)
    frame, info = read_remarks(path, crs="EPSG:3011")
    assert frame.geometry.x.iloc[0] == pytest.approx(X0 + 50)
    assert any("are not degrees; read them in EPSG:3011" in w for w in info.warnings)


def test_geojson_with_a_crs_member_and_with_degrees(tmp_path: Path) -> None:
    named = '"crs":{"type":"name","properties":{"name":"urn:ogc:def:crs:EPSG::3011"}},'
    frame, info = read_remarks(_geojson(tmp_path / "a.geojson", f"[{X0}, {Y0}]", named))
    assert info.crs == "EPSG:3011" and frame.geometry.x.iloc[0] == pytest.approx(X0)
    frame, info = read_remarks(_geojson(tmp_path / "b.geojson", "[17.9811, 59.2367]"))
    assert info.crs == "EPSG:4326" and np.isfinite(frame.geometry.x).all()


def test_points_that_reprojection_cannot_place_are_refused(tmp_path: Path) -> None:
    path = tmp_path / "far.gpkg"
    gpd.GeoDataFrame(
        {"a": [1, 2]}, geometry=[shapely.Point(17.98, 59.23), shapely.Point(100.0, 0.0)], crs=4326
    ).to_file(path)
    with pytest.raises(
        CRSError, match=r"far\.gpkg: 1 remark \(row 2\) cannot be placed in EPSG:3011"
    ):
        read_remarks(path)


@pytest.mark.parametrize("suffix", [".gpkg", ".geojson"])
def test_3d_points_are_read_as_2d(tmp_path: Path, suffix: str) -> None:
    path = tmp_path / f"z{suffix}"
    gpd.GeoDataFrame({"a": [1]}, geometry=[shapely.Point(X0 + 1, Y0 + 2, 33.0)], crs=3011).to_crs(
        4326 if suffix == ".geojson" else 3011
    ).to_file(path)
    frame, _ = read_remarks(path)
    assert not frame.geometry.has_z.any()
    assert frame.geometry.x.iloc[0] == pytest.approx(X0 + 1, abs=1e-3)


def test_table_columns_named_like_geomaps_own(tmp_path: Path) -> None:
    path = tmp_path / "own.csv"
    path.write_text(
        f"id;geometry;source_file;Source_Row;E;N\n1;POINT (0 0);x.csv;9;{X0:.0f};{Y0:.0f}\n",
        encoding="utf-8",
    )
    frame, info = read_remarks(path, crs=3011)
    assert frame[["input_geometry", "input_source_file", "input_Source_Row"]].values.tolist() == [
        ["POINT (0 0)", "x.csv", "9"]
    ]
    assert frame["source_file"].tolist() == ["own.csv"] and frame["source_row"].tolist() == [1]
    assert len([w for w in info.warnings if "geomap's own name" in w]) == 3


def test_too_many_columns_are_refused(tmp_path: Path) -> None:
    path = tmp_path / "wide.csv"
    names = ";".join(f"c{i}" for i in range(2000))
    path.write_text(f"E;N;{names}\n{X0};{Y0};" + ";".join("1" * 2000) + "\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"wide\.csv: 2,002 columns; .* at most 1,900"):
        read_remarks(path, crs=3011)


def test_read_frame_dataframe_and_geodataframe() -> None:
    frame, info = read_frame(pd.DataFrame({"id": ["A"], "x": [X0], "y": [Y0]}), crs=3011)
    assert info.coordinate_columns == ("x", "y") and frame.geometry.x.iloc[0] == X0
    gdf = gpd.GeoDataFrame({"id": ["A"]}, geometry=[shapely.Point(X0, Y0)], crs=3011)
    frame, info = read_frame(gdf, label="<GeoDataFrame>")
    assert frame["source_file"].tolist() == ["<GeoDataFrame>"] and info.crs == "EPSG:3011"
    with pytest.raises(InputError, match=r"<DataFrame>: the DataFrame has no coordinate columns"):
        read_frame(pd.DataFrame({"id": ["A"]}))
    with pytest.raises(InputError, match=r"two columns named 'ID' \(ignoring case\)"):
        read_frame(pd.DataFrame([[1, 2, X0, Y0]], columns=["id", "ID", "x", "y"]), crs=3011)


# --- issue 9: hostile weekly inputs ------------------------------------------------------------


def test_null_and_empty_geometries_are_kept_as_missing(tmp_path: Path) -> None:
    path = tmp_path / "e.gpkg"
    gpd.GeoDataFrame(
        {"id": ["E1", "E2", "E3"]},
        geometry=[shapely.Point(X0 + 1, Y0 + 1), shapely.Point(), None],
        crs=3011,
    ).to_file(path)
    frame, info = read_remarks(path)
    assert frame["id"].tolist() == ["E1", "E2", "E3"]
    assert frame.geometry.isna().tolist() == [False, True, True]  # POINT EMPTY is no position
    assert info.missing_geometry == 2


def test_empty_points_with_z_in_a_frame(tmp_path: Path) -> None:
    # Z is dropped from the points that have coordinates; empty ones become null, no GEOS error.
    frame = gpd.GeoDataFrame(
        {"id": ["Z1", "Z2"]},
        geometry=[shapely.Point(X0 + 1, Y0 + 1, 30.0), shapely.from_wkt("POINT Z EMPTY")],
        crs=3011,
    )
    got, _ = read_frame(frame)
    assert not shapely.has_z(got.geometry.iloc[0]) and got.geometry.iloc[1] is None


def test_axis_swapped_column_per_remark(tmp_path: Path) -> None:
    swapped = tmp_path / "xy.csv"
    swapped.write_text(
        f"id;X;Y\n1;{Y0:.0f};{X0:.0f}\n2;{Y0 + 9:.0f};{X0 + 9:.0f}\n", encoding="utf-8"
    )
    plain = tmp_path / "en.csv"
    plain.write_text(f"id;E;N\n1;{X0:.0f};{Y0:.0f}\n", encoding="utf-8")
    assert read_remarks(swapped)[0]["_axis_swapped"].tolist() == [True, True]
    assert read_remarks(plain)[0]["_axis_swapped"].tolist() == [False]


def test_input_column_named_axis_swapped_is_kept_apart(tmp_path: Path) -> None:
    path = tmp_path / "a.csv"
    path.write_text(f"id;_axis_swapped;E;N\n1;ja;{X0:.0f};{Y0:.0f}\n", encoding="utf-8")
    frame, info = read_remarks(path)
    assert frame["input__axis_swapped"].tolist() == ["ja"]
    assert frame["_axis_swapped"].tolist() == [False]
    assert any("'_axis_swapped' is geomap's own name" in w for w in info.warnings)


def test_zero_zero_placeholder_is_missing_before_the_crs_is_inferred(tmp_path: Path) -> None:
    path = tmp_path / "a.csv"
    path.write_text(
        f"id;E;N\n1;{X0 + 5:.0f};{Y0 + 5:.0f}\n2;0;0\n3;0,0;0,0\n4;{X0 + 9:.0f};{Y0 + 9:.0f}\n",
        encoding="utf-8",
    )
    frame, info = read_remarks(path)
    assert info.crs == "EPSG:3011"
    assert frame.geometry.isna().tolist() == [False, True, True, False]
    assert info.placeholder_rows == 2
    assert any(
        re.search(r"a\.csv: 2 rows have the coordinates 0, 0 \(rows 2, 3;.*missing", w)
        for w in info.warnings
    )


def test_zero_in_one_coordinate_is_not_a_placeholder(tmp_path: Path) -> None:
    path = tmp_path / "a.csv"
    path.write_text(f"id;E;N\n1;{X0:.0f};{Y0:.0f}\n2;0;{Y0:.0f}\n", encoding="utf-8")
    with pytest.raises(CRSError, match=r"a\.csv"):
        read_remarks(path)


@pytest.mark.parametrize("cell", ["NaN", "nan", "NA", "-", "null", ""])
def test_no_value_coordinates_are_missing(tmp_path: Path, cell: str) -> None:
    path = tmp_path / "a.csv"
    path.write_text(
        f"id;E;N\n1;{X0:.0f};{Y0:.0f}\n2;{cell};{cell}\n3;{X0:.0f};{cell}\n", encoding="utf-8"
    )
    frame, info = read_remarks(path)
    assert frame.geometry.isna().tolist() == [False, True, True]
    assert info.missing_geometry == 2


def test_read_info_tells_sep_line_and_empty_rows(tmp_path: Path) -> None:
    path = tmp_path / "a.csv"
    path.write_text(f"sep=;\nid;E;N;\n1;{X0:.0f};{Y0:.0f};\n;;;\n", encoding="utf-8")
    frame, info = read_remarks(path)
    assert (info.sep_line, info.delimiter, info.empty_rows, info.rows) == (True, ";", 1, 1)
    assert list(frame.columns[:3]) == ["id", "E", "N"]


def test_one_polygon_remark_warning_in_singular(tmp_path: Path) -> None:
    path = tmp_path / "p.gpkg"
    gpd.GeoDataFrame(
        {"id": ["Y1"]}, geometry=[shapely.box(X0, Y0, X0 + 9, Y0 + 9)], crs=3011
    ).to_file(path)
    frame, info = read_remarks(path)
    assert frame.geometry.iloc[0].geom_type == "Point"
    assert (
        "1 remark is a Polygon, not a point; it is placed at a point inside it" in info.warnings[0]
    )


def test_source_row_is_the_row_in_the_file_after_skipped_empty_rows(tmp_path: Path) -> None:
    """An empty row is skipped, and the rows after it keep the row numbers a person sees."""
    path = tmp_path / "tom_rad.csv"
    path.write_text("id;E;N\nA;150050;6570050\n;;\nB;150060;6570060\n", encoding="utf-8")
    frame, info = read_remarks(path, crs="EPSG:3011")
    assert frame["source_row"].tolist() == [1, 3]
    assert info.empty_rows == 1


def test_source_row_of_xlsx_after_a_blank_row(tmp_path: Path) -> None:
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    for row in (
        ["id", "E", "N"],
        ["A", 150050, 6570050],
        [None, None, None],
        ["B", 150060, 6570060],
    ):
        sheet.append(row)
    book.save(tmp_path / "tom_rad.xlsx")
    frame, _ = read_remarks(tmp_path / "tom_rad.xlsx", crs="EPSG:3011")
    assert frame["source_row"].tolist() == [1, 3]
