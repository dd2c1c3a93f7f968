"""Reading the sites file and the survey file: columns by name, clear messages for bad input."""

from __future__ import annotations

import geopandas as gpd
import pandas as pd
import pytest
import shapely

from geomap.errors import InputError
from geomap.evaluation.sites import prepare_sites, read_sites
from geomap.evaluation.survey import read_survey, survey_tests

from .conftest import CENTRE, site_frame


@pytest.mark.parametrize("suffix", [".gpkg", ".geojson"])
def test_read_sites_vector(tmp_path, suffix):
    path = tmp_path / f"sites{suffix}"
    site_frame(("A", "2021-05-10", CENTRE, "klotter,Skadegörelse")).to_file(path)
    sites = read_sites(path)
    assert sites.loc[0, ["id", "name", "kind"]].tolist() == ["A", "Plats A", "kamera"]
    assert sites.loc[0, "categories"] == ("klotter", "skadegorelse")
    assert sites.loc[0, "installed"] == pd.Timestamp("2021-05-10")
    assert sites.crs.to_epsg() == 3011


def test_read_sites_csv_with_lat_lon(tmp_path):
    path = tmp_path / "sites.csv"
    path.write_text(
        "id;namn;installerad;typ;lat;lon\nG;Grantorp;2021-03-15;kamera;59,2232;17,9510\n",
        encoding="utf-8-sig",
    )
    sites = read_sites(path)
    assert sites.loc[0, "name"] == "Grantorp"
    assert 145_000 < sites.geometry.x.iloc[0] < 150_000


def test_demo_sites_file():
    sites = read_sites("data/trygghetskameror_2021_synthetic.gpkg")
    assert len(sites) == 9
    assert sites["synthetic"].all()


@pytest.mark.parametrize(
    ("frame", "match"),
    [
        (
            site_frame(("A", "2021-05-10", CENTRE, "")).drop(columns=["installerad"]),
            r"no column with the date installed",
        ),
        (
            site_frame(("A", "2021-05-10", CENTRE, ""), ("A", "2021-06-10", CENTRE, "")),
            r"id 'A' is used twice",
        ),
        (site_frame(("A", "i fjol", CENTRE, "")), r"site\(s\) A have no valid date installed"),
        (
            site_frame(("A", "2021-05-10", CENTRE, "kameror")),
            r"site A: column 'kategorier': unknown categor\(ies\) 'kameror'",
        ),
        (
            site_frame(("A", "2021-05-10", shapely.LineString([(0, 0), (1, 1)]), "")),
            r"site\(s\) A have a geometry that is not a point or polygon",
        ),
    ],
)
def test_bad_sites(frame, match):
    with pytest.raises(InputError, match=match):
        prepare_sites(frame)


def test_missing_sites_file(tmp_path):
    with pytest.raises(InputError, match=r"sites file not found"):
        read_sites(tmp_path / "nej.gpkg")


def test_sites_without_crs():
    frame = site_frame(("A", "2021-05-10", CENTRE, ""))
    bare = gpd.GeoDataFrame(frame.drop(columns="geometry"), geometry=frame.geometry.to_numpy())
    with pytest.raises(InputError, match=r"<sites>: the sites have no CRS; set one"):
        prepare_sites(bare)


def test_survey_by_hand(tmp_path):
    path = tmp_path / "enkat.csv"
    path.write_text(
        "id;omrade;period;andel_trygga;antal_svar\nA;R;före;60 %;200\nA;R;efter;0,70;200\nA;C;före;0,5;100\nA;C;efter;0,5;100\n",
        encoding="utf-8-sig",
    )
    tests = survey_tests(read_survey(path)).set_index("area")
    # hand: pooled 260/400 = 0.65, SE = sqrt(0.65·0.35·2/200) = 0.047697, z = 2.0966, p = 0.0360
    assert tests.loc["R", "z"] == pytest.approx(2.0966, abs=1e-4)
    assert tests.loc["R", "p"] == pytest.approx(0.0360, abs=1e-4)
    assert bool(tests.loc["R", "significant"])
    assert tests.loc["C", "p"] == pytest.approx(1.0)


@pytest.mark.parametrize(
    ("rows", "match"),
    [
        (
            {"id": ["A"], "period": ["sedan"], "andel": ["0,5"], "n": ["10"]},
            r"row 1: the period is not one of före, efter",
        ),
        (
            {"id": ["A"], "period": ["före"], "andel": ["0,5"], "n": ["0"]},
            r"row 1: the share or the number of answers",
        ),
        ({"id": ["A"], "period": ["före"], "andel": ["0,5"]}, r"no column 'antal_svar'"),
        (
            {"id": ["A"], "omrade": ["X"], "period": ["före"], "andel": ["0,5"], "n": ["5"]},
            r"row 1: the area is not one of R, D, C",
        ),
    ],
)
def test_bad_survey(rows, match):
    with pytest.raises(InputError, match=match):
        read_survey(pd.DataFrame(rows))


def test_survey_site_must_be_evaluated():
    sites = pd.DataFrame({"site": ["A + B"], "members": [("A", "B")]})
    frame = pd.DataFrame(
        {"id": ["B", "Q"], "period": ["före", "efter"], "andel": ["0,5", "0,6"], "n": ["10", "10"]}
    )
    with pytest.raises(InputError, match=r"site 'Q' is not among the evaluated sites \(A \+ B\)"):
        read_survey(frame, sites=sites)
    assert read_survey(frame.iloc[:1], sites=sites)["site"].tolist() == ["A + B"]
