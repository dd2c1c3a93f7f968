"""The facts planted in the committed demo incidents hold (data/README.md, "Incidents").

These are the numbers the lägesbild and the before/after evaluation are tested against: the
time structure, the place that grows (Masmo) and the camera effects, read from the files in
data/ exactly as a user gets them (seed 2025).
"""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from pyproj import Transformer

from geomap.core.categories import load_categories

DATA = Path(__file__).resolve().parents[2] / "data"
FILES = ["lagesbild_2020_2024_synthetic.csv", "lagesbild_2025_synthetic.csv"]
MASMO = (17.8810, 59.2515)

#: id → (Rb, Ra, Db, Da) with seed 2025; the table in data/README.md.
COUNTS = {
    "TK-2021-01": (83, 34, 14, 7),
    "TK-2021-02": (38, 49, 186, 178),
    "TK-2021-03": (69, 57, 77, 76),
    "TK-2021-04": (82, 28, 43, 86),
    "TK-2021-05": (59, 44, 28, 21),
    "TK-2021-06": (56, 76, 51, 56),
    "TK-2021-07": (52, 37, 168, 195),
    "TK-2021-08": (74, 61, 176, 186),
    "TK-2021-09": (56, 32, 10, 9),
}
SKOGAS_TARGET = (35, 14, 48, 38)


@pytest.fixture(scope="module")
def incidents() -> pd.DataFrame:
    if not all((DATA / f).is_file() for f in FILES):
        pytest.skip("data/ has not been generated in this checkout")
    table = pd.concat(
        [pd.read_csv(DATA / f, sep=";", decimal=",", encoding="utf-8-sig") for f in FILES],
        ignore_index=True,
    )
    x, y = Transformer.from_crs("EPSG:4326", "EPSG:3011", always_xy=True).transform(
        table["longitud"].to_numpy(), table["latitud"].to_numpy()
    )
    return table.assign(
        t=pd.to_datetime(table["datum"], format="%Y-%m-%d %H:%M"),
        code=load_categories().normalise(table["kategori"])["category"].to_numpy(),
        x=x,
        y=y,
    )


@pytest.fixture(scope="module")
def sites() -> gpd.GeoDataFrame:
    return gpd.read_file(DATA / "trygghetskameror_2021_synthetic.gpkg", layer="atgarder")


def test_history_and_demo_year_cover_2020_to_2025(incidents: pd.DataFrame) -> None:
    years = incidents["t"].dt.year.value_counts().sort_index()
    assert years.to_dict() == dict.fromkeys(range(2020, 2026), 2000)
    assert incidents["arendenr"].is_unique
    weeks = incidents[incidents["t"].dt.year == 2025]["t"].dt.isocalendar()
    per_week = weeks[weeks["year"] == 2025].groupby("week").size()
    assert per_week.between(15, 70).all()  # "a few dozen" a week
    assert per_week.median() == 39


def test_time_structure(incidents: pd.DataFrame) -> None:
    t, code = incidents["t"], incidents["code"]
    assert t.dt.hour.between(18, 23).mean() > 4 * t.dt.hour.between(3, 6).mean()
    assert t.dt.day_of_week.isin([4, 5]).mean() > 0.32
    assert t[code == "nedskrapning"].dt.day_of_week.isin([6, 0]).mean() > 0.37
    assert t[code == "belysning"].dt.month.isin([10, 11, 12, 1, 2]).mean() > 0.6
    assert t[code == "vegetation"].dt.month.between(5, 8).mean() > 0.55


def test_masmo_grows_over_2025(incidents: pd.DataFrame) -> None:
    x, y = Transformer.from_crs("EPSG:4326", "EPSG:3011", always_xy=True).transform(*MASMO)
    near = np.hypot(incidents["x"] - x, incidents["y"] - y) <= 250
    t = incidents.loc[near, "t"]
    per_year = t.dt.year.value_counts()
    assert per_year[2024] == 24 and per_year[2025] == 176
    assert (per_year.drop(2025) < 40).all()
    in_2025 = t[t.dt.year == 2025]
    halves = (in_2025.dt.month > 6).value_counts()
    assert halves[True] > 2 * halves[False]
    assert (incidents.loc[near & (incidents["t"].dt.year == 2025), "plats"] == "Masmo").mean() > 0.9


def _windows(incidents: pd.DataFrame, installed: pd.Timestamp) -> tuple[pd.Series, pd.Series]:
    month = incidents["t"].dt.to_period("M")
    start = pd.Period(installed, "M")
    return (month >= start - 12) & (month < start), (month > start) & (month <= start + 12)


def _counts(
    incidents: pd.DataFrame, site: pd.Series, *, target: bool = False
) -> tuple[int, int, int, int]:
    d = np.hypot(incidents["x"] - site.geometry.x, incidents["y"] - site.geometry.y)
    before, after = _windows(incidents, pd.Timestamp(site["installerad"]))
    keep = incidents["code"].isin(site["kategorier"].split(",")) if target else True
    r, ring = (d <= 100) & keep, (d > 100) & (d <= 300) & keep
    return (
        int((r & before).sum()),
        int((r & after).sum()),
        int((ring & before).sum()),
        int((ring & after).sum()),
    )


def test_each_treatment_area_has_at_least_20_a_year_before(
    incidents: pd.DataFrame, sites: gpd.GeoDataFrame
) -> None:
    for _, site in sites.iterrows():
        assert _counts(incidents, site)[0] >= 20, site["namn"]


def test_counts_per_site_are_the_documented_ones(
    incidents: pd.DataFrame, sites: gpd.GeoDataFrame
) -> None:
    got = {site["id"]: _counts(incidents, site) for _, site in sites.iterrows()}
    assert got == COUNTS
    skogas = sites.set_index("id").loc["TK-2021-03"]
    assert _counts(incidents, skogas, target=True) == SKOGAS_TARGET


def _res(incidents: pd.DataFrame, sites: gpd.GeoDataFrame, sid: str, *, target: bool) -> tuple:
    """RES = (Rb·Ca)/(Ra·Cb) and its 95 % interval; C = outside every 300 m circle."""
    site = sites.set_index("id").loc[sid]
    rb, ra, _, _ = _counts(incidents, site, target=target)
    xy = np.column_stack([sites.geometry.x, sites.geometry.y])
    d = np.hypot(
        incidents["x"].to_numpy()[:, None] - xy[:, 0], incidents["y"].to_numpy()[:, None] - xy[:, 1]
    )
    keep = incidents["code"].isin(site["kategorier"].split(",")) if target else True
    control = ~(d <= 300).any(axis=1) & keep
    before, after = _windows(incidents, pd.Timestamp(site["installerad"]))
    cb, ca = int((control & before).sum()), int((control & after).sum())
    res = rb * ca / (ra * cb)
    half = 1.96 * np.sqrt(1 / rb + 1 / ra + 1 / cb + 1 / ca)
    return res, res * np.exp(-half), res * np.exp(half)


@pytest.mark.parametrize(
    ("sid", "target"),
    [("TK-2021-01", False), ("TK-2021-03", True), ("TK-2021-04", False), ("TK-2021-09", False)],
)
def test_planted_drops_are_significant(
    incidents: pd.DataFrame, sites: gpd.GeoDataFrame, sid: str, target: bool
) -> None:
    _, low, _ = _res(incidents, sites, sid, target=target)
    assert low > 1.0


@pytest.mark.parametrize(
    "sid", ["TK-2021-02", "TK-2021-05", "TK-2021-06", "TK-2021-07", "TK-2021-08"]
)
def test_sites_without_a_planted_effect_show_none(
    incidents: pd.DataFrame, sites: gpd.GeoDataFrame, sid: str
) -> None:
    _, low, high = _res(incidents, sites, sid, target=False)
    assert low < 1.0 < high


def test_trangsund_displaces_into_the_ring(
    incidents: pd.DataFrame, sites: gpd.GeoDataFrame
) -> None:
    rb, ra, db, da = _counts(incidents, sites.set_index("id").loc["TK-2021-04"])
    assert ra < 0.5 * rb and da > 1.6 * db
