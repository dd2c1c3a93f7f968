from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import pyarrow as pa
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


# --- Arrow batches, GeoParquet (issue 13) --------------------------------------------------------


def _points(n: int) -> gpd.GeoDataFrame:
    xs = [float(i) for i in range(n)]
    return gpd.GeoDataFrame(
        {"n": list(range(n)), "text": [f"t{i}" for i in range(n)]},
        geometry=gpd.points_from_xy(xs, xs),
        crs=3011,
    )


@pytest.mark.parametrize("suffix", [".gpkg", ".fgb", ".parquet"])
def test_open_batches_reads_every_row_once(tmp_path: Path, suffix: str) -> None:
    from geomap.io.vector import arrow_to_frame, open_batches

    path = tmp_path / f"p{suffix}"
    frame = _points(10)
    frame.to_parquet(path) if suffix == ".parquet" else frame.to_file(path)
    with open_batches(path, layer=None, batch_size=4, what="remark file") as stream:
        parts = [
            arrow_to_frame(t, geometry_name=stream.geometry_name, crs=stream.crs)
            for t in stream.batches
        ]
    assert [len(p) for p in parts] == [4, 4, 2]
    whole = read_vector(path, layer=None, what="remark file")  # FlatGeobuf keeps its own order
    assert [n for p in parts for n in p["n"].tolist()] == whole["n"].tolist()
    assert parts[0].crs.to_epsg() == 3011


def test_parquet_bbox_uses_the_covering_column(tmp_path: Path) -> None:
    """Rows whose bbox column lies outside ``bbox`` are not read (GeoParquet 1.1 covering)."""
    import pyarrow.parquet as pq

    from geomap.io.vector import frame_to_arrow, geoparquet_metadata, open_batches, with_bbox_column

    frame = _points(10)
    schema = pa.schema([("n", pa.int64()), ("text", pa.string()), ("geometry", pa.binary())])
    table = with_bbox_column(frame_to_arrow(frame, schema))
    meta = geoparquet_metadata(table.schema, crs_json=None, geometry_types=["Point"], bbox=None)
    pq.write_table(table.replace_schema_metadata(meta), tmp_path / "p.parquet")
    with open_batches(
        tmp_path / "p.parquet", layer=None, batch_size=100, what="x", bbox=(2.5, 2.5, 5.5, 5.5)
    ) as s:
        rows = [n for t in s.batches for n in t.column("n").to_pylist()]
    assert rows == [3, 4, 5]


def test_frame_to_arrow_keeps_integers_and_fills_missing_columns() -> None:
    from geomap.io.vector import frame_to_arrow

    frame = gpd.GeoDataFrame({"n": [1.0, None]}, geometry=[shapely.Point(0, 0), None], crs=3011)
    schema = pa.schema([("n", pa.int64()), ("gone", pa.string()), ("geometry", pa.binary())])
    table = frame_to_arrow(frame, schema)
    assert table.column("n").to_pylist() == [1, None]
    assert table.column("gone").to_pylist() == [None, None]
    assert table.column("geometry").to_pylist()[1] is None


def test_open_batches_error_names_the_file(tmp_path: Path) -> None:
    from geomap.io.vector import open_batches

    bad = tmp_path / "bad.gpkg"
    bad.write_text("not a geopackage", encoding="utf-8")
    with (
        pytest.raises(
            InputError, match=r"bad\.gpkg: the remark file is not a readable vector file"
        ),
        open_batches(bad, layer=None, batch_size=10, what="remark file"),
    ):
        pass
    broken = tmp_path / "bad.parquet"
    broken.write_text("no parquet", encoding="utf-8")
    with (
        pytest.raises(
            InputError, match=r"bad\.parquet: the remark file is not a readable GeoParquet file"
        ),
        open_batches(broken, layer=None, batch_size=10, what="remark file"),
    ):
        pass
