"""Tests for geomap.demo.write: the fast Swedish CSV writer and deterministic GeoPackages."""

from __future__ import annotations

import hashlib
import time
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import pytest
import shapely

from geomap.demo.write import FIXED_DATE, write_export_csv, write_gpkg

TRICKY = pd.DataFrame(
    {
        "text": ["vanlig", 'citat "x"', "semi;kolon", "rad\nbrytning", None, "åäö – €"],
        "lat": [59.2366, -0.5, np.nan, 17.0, 1e-8, 123456.1234567],
        "n": [1, 2, 3, 4, 5, 6],
        "formula": ['=HYPERLINK("http://example.com")', "+cmd", "", "@x", "-1", "<b>"],
    }
)


@pytest.mark.parametrize("encoding", ["utf-8-sig", "cp1252"])
@pytest.mark.parametrize("decimals", [0, 3, 7])
def test_same_bytes_as_pandas(tmp_path: Path, encoding: str, decimals: int) -> None:
    frame = TRICKY.copy()
    frame.loc[4, "lat"] = -1e-9  # rounds to zero but keeps its sign, as printf does
    ours = write_export_csv(frame, tmp_path / "a.csv", decimals=decimals, encoding=encoding)
    frame.to_csv(
        tmp_path / "b.csv", sep=";", decimal=",", float_format=f"%.{decimals}f", index=False,
        encoding=encoding, lineterminator="\r\n",
    )  # fmt: skip
    assert ours.read_bytes() == (tmp_path / "b.csv").read_bytes()


def test_round_trip_with_pandas(tmp_path: Path) -> None:
    path = write_export_csv(TRICKY, tmp_path / "x.csv", decimals=7)
    back = pd.read_csv(path, sep=";", decimal=",", encoding="utf-8-sig", keep_default_na=False)
    assert back["text"].tolist()[:4] == TRICKY["text"].tolist()[:4]
    assert back["formula"].iloc[0] == '=HYPERLINK("http://example.com")'


def test_cp1252_refuses_characters_it_cannot_encode(tmp_path: Path) -> None:
    with pytest.raises(UnicodeEncodeError):
        write_export_csv(
            pd.DataFrame({"a": ["≈"]}), tmp_path / "x.csv", decimals=1, encoding="cp1252"
        )


def test_empty_frame_writes_only_the_header(tmp_path: Path) -> None:
    path = write_export_csv(TRICKY.iloc[:0], tmp_path / "x.csv", decimals=2)
    assert path.read_bytes() == b"\xef\xbb\xbftext;lat;n;formula\r\n"


def test_gpkg_is_byte_identical_and_has_a_fixed_date(tmp_path: Path) -> None:
    frame = gpd.GeoDataFrame(
        {"a": ["x", "y"]}, geometry=[shapely.Point(1, 2), shapely.Point(3, 4)], crs=3011
    )
    digests = []
    for name in ("a.gpkg", "b.gpkg"):
        write_gpkg(frame, tmp_path / name, layer="l", description="SYNTETISK", metadata={"k": "v"})
        digests.append(hashlib.sha256((tmp_path / name).read_bytes()).hexdigest())
        time.sleep(0.01)
    assert digests[0] == digests[1]
    info = pyogrio.read_info(tmp_path / "a.gpkg", layer="l")
    assert info["layer_metadata"] == {"DESCRIPTION": "SYNTETISK", "k": "v"}
    import sqlite3

    with sqlite3.connect(tmp_path / "a.gpkg") as db:
        (last_change,) = db.execute("select last_change from gpkg_contents").fetchone()
    assert last_change == FIXED_DATE
    assert pyogrio.get_gdal_config_option("OGR_CURRENT_DATE") is None  # restored
