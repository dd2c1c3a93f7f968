"""Tests for geomap.demo.hard_cases: the three hard-case files and what each row claims."""

from __future__ import annotations

import csv
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely

from geomap.demo import generate, load_geography
from geomap.demo.streets import STREET_TYPE


@pytest.fixture(scope="module")
def out(tmp_path_factory: pytest.TempPathFactory) -> Path:
    target = tmp_path_factory.mktemp("hard") / "demo"
    generate(target, seed=2025, points=200, parcels=800)
    return target


def _read(path: Path, encoding: str) -> pd.DataFrame:
    return pd.read_csv(path, sep=";", decimal=",", encoding=encoding, dtype={"plats": str})


@pytest.mark.parametrize(
    ("name", "encoding", "coords"),
    [
        ("hard_cases_synthetic.csv", "utf-8-sig", ("E", "N")),
        ("hard_cases_swapped_xy_synthetic.csv", "utf-8-sig", ("X", "Y")),
        ("hard_cases_cp1252_synthetic.csv", "cp1252", ("Lat", "Long")),
    ],
)
def test_files_have_the_expected_encoding_and_dialect(
    out: Path, name: str, encoding: str, coords: tuple[str, str]
) -> None:
    raw = (out / name).read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf") == (encoding == "utf-8-sig")
    text = raw.decode(encoding)
    if encoding == "cp1252":
        with pytest.raises(UnicodeDecodeError):
            raw.decode("utf-8")
        assert "å" in text and "ä" in text and "ö" in text
    assert csv.Sniffer().sniff(text.splitlines()[0]).delimiter == ";"
    frame = _read(out / name, encoding)
    assert set(coords) <= set(frame.columns)
    assert frame[list(coords)].dtypes.eq(float).all()  # decimal comma parsed
    assert frame["fall"].str.len().gt(20).all()


def test_swapped_file_really_has_northing_in_x(out: Path) -> None:
    swapped = _read(out / "hard_cases_swapped_xy_synthetic.csv", "utf-8-sig")
    main = _read(out / "hard_cases_synthetic.csv", "utf-8-sig")
    x = swapped["X"].dropna()
    assert x.between(6.5e6, 6.6e6).all()
    assert swapped["Y"].dropna().between(1.3e5, 1.7e5).all()
    np.testing.assert_allclose(swapped["X"], main["N"])


def test_cp1252_file_is_wgs84(out: Path) -> None:
    wgs = _read(out / "hard_cases_cp1252_synthetic.csv", "cp1252")
    assert wgs["Lat"].dropna().between(59.1, 59.4).all()
    assert wgs["Long"].dropna().between(17.8, 18.2).all()


@pytest.fixture(scope="module")
def checked(out: Path) -> tuple[pd.DataFrame, gpd.GeoDataFrame, gpd.GeoDataFrame]:
    cases = _read(out / "hard_cases_synthetic.csv", "utf-8-sig").set_index("testfall")
    owners = gpd.read_file(out / "owners_synthetic.gpkg")
    resp = gpd.read_file(out / "driftansvar_synthetic.gpkg")
    return cases, owners, resp


def _owners_within(owners: gpd.GeoDataFrame, x: float, y: float, d: float) -> set[str]:
    geoms = shapely.make_valid(owners.geometry.to_numpy())
    hit = shapely.dwithin(geoms, shapely.Point(x, y), d)
    return set(owners["owner"].to_numpy()[hit])


def test_every_hard_case_is_there(checked: tuple) -> None:
    cases, _, _ = checked
    assert {
        "agande_inne", "grans_delad_kant", "grans_inom_1m", "gata_kort", "gata_lang",
        "narmast_strand", "sjo_utan_agare", "utanfor_stockholm", "utanfor_botkyrka",
        "utanfor_nara_gransen", "driftansvar", "regel_belysning", "regel_elskap", "overlapp",
        "fluga_reparerad", "tomma_koordinater", "html_i_text", "formel_hyperlink", "formel_cmd",
        "okand_kategori",
    } == set(cases.index)  # fmt: skip
    assert cases.loc["tomma_koordinater", ["E", "N"]].isna().all()
    assert cases.loc["html_i_text", "beskrivning"] == "<script>alert('x')</script><b>fet</b>"
    assert cases.loc["formel_hyperlink", "beskrivning"].startswith(
        '=HYPERLINK("http://example.com")'
    )
    assert cases.loc["formel_cmd", "beskrivning"].startswith("+cmd")
    assert cases.loc["regel_belysning", "kategori"] == "Trasig belysning"
    assert "elskåp" in cases.loc["regel_elskap", "beskrivning"]


def test_boundary_cases_touch_two_owners(checked: tuple) -> None:
    cases, owners, _ = checked
    for code in ("grans_delad_kant", "grans_inom_1m"):
        x, y = cases.loc[code, ["E", "N"]]
        assert len(_owners_within(owners, x, y, 0.01 if code == "grans_delad_kant" else 1.0)) == 2
        assert len(_owners_within(owners, x, y, 0.0)) >= 1


def _streets(resp: gpd.GeoDataFrame) -> shapely.Geometry:
    return shapely.union_all(resp.loc[resp["typ"] == STREET_TYPE].geometry.to_numpy())


@pytest.mark.parametrize(("code", "lo", "hi"), [("gata_kort", 3, 6), ("gata_lang", 3, 20)])
def test_street_points_lie_in_the_street_layer_near_another_owner(
    checked: tuple, code: str, lo: float, hi: float
) -> None:
    cases, owners, resp = checked
    x, y = cases.loc[code, ["E", "N"]]
    geoms = shapely.make_valid(owners.geometry.to_numpy())
    nearest = float(shapely.distance(geoms, shapely.Point(x, y)).min())
    assert lo <= nearest <= hi
    near = _owners_within(owners, x, y, nearest + 2.9)
    assert len(near) == 1 and near != {"huddinge_kommun"}  # the nearest owner is not the huvudman
    assert shapely.contains_xy(_streets(resp), x, y)
    assert "kommunen är huvudman" in cases.loc[code, "fall"]


def test_shore_point_is_water_within_25_m_of_one_owner(checked: tuple) -> None:
    cases, owners, resp = checked
    x, y = cases.loc["narmast_strand", ["E", "N"]]
    geoms = shapely.make_valid(owners.geometry.to_numpy())
    nearest = float(shapely.distance(geoms, shapely.Point(x, y)).min())
    assert 0 < nearest <= 20
    assert len(_owners_within(owners, x, y, nearest + 2.9)) == 1
    assert not shapely.intersects(resp.geometry.to_numpy(), shapely.Point(x, y)).any()
    assert load_geography().outline.contains(shapely.Point(x, y))  # in a lake, not abroad
    assert "nearest" in cases.loc["narmast_strand", "fall"]


@pytest.mark.parametrize(
    "code", ["sjo_utan_agare", "utanfor_stockholm", "utanfor_botkyrka", "utanfor_nara_gransen"]
)
def test_unroutable_points_have_no_parcel_within_25_m(checked: tuple, code: str) -> None:
    cases, owners, resp = checked
    x, y = cases.loc[code, ["E", "N"]]
    assert _owners_within(owners, x, y, 25.0) == set()
    assert not shapely.intersects(resp.geometry.to_numpy(), shapely.Point(x, y)).any()
    inside = load_geography().outline.contains(shapely.Point(x, y))
    assert inside == (code == "sjo_utan_agare")


def test_responsibility_overlap_and_bowtie_points(checked: tuple) -> None:
    cases, owners, resp = checked
    x, y = cases.loc["driftansvar", ["E", "N"]]
    holder = resp[resp.contains(shapely.Point(x, y))]
    assert len(holder) == 1 and holder["typ"].iloc[0] == "driftavtal"
    assert holder["owner"].iloc[0] not in _owners_within(owners, x, y, 0.0)
    x, y = cases.loc["overlapp", ["E", "N"]]
    assert len(_owners_within(owners, x, y, 0.0)) == 2
    x, y = cases.loc["fluga_reparerad", ["E", "N"]]
    geoms = shapely.make_valid(owners.geometry.to_numpy())
    inside = owners[shapely.contains_xy(geoms, x, y)]
    assert len(inside) == 1 and not inside.geometry.iloc[0].is_valid
