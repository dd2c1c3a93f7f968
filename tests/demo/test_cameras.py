"""Tests for geomap.demo.cameras: the synthetic 2021 camera measures and their planted effects."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import shapely
from hypothesis import given, settings
from hypothesis import strategies as st
from pyproj import Transformer

from geomap.demo.cameras import (
    CAMERA_SITES,
    RADIUS_M,
    RING_M,
    camera_xy,
    measures_frame,
    prevented,
    ring_points,
)

PLACES = Path(__file__).resolve().parents[2] / "data" / "trygghetskameror_2021_platser.csv"


def test_sites_are_the_places_of_the_copied_file() -> None:
    """The positions written into the module equal data/trygghetskameror_2021_platser.csv."""
    places = pd.read_csv(PLACES, sep=";", encoding="utf-8")
    assert places["plats"].tolist() == [s.name for s in CAMERA_SITES]
    assert places["position_kalla"].tolist() == [s.source for s in CAMERA_SITES]
    to_local = Transformer.from_crs("EPSG:4326", "EPSG:3011", always_xy=True)
    x, y = to_local.transform(places["lon"].to_numpy(), places["lat"].to_numpy())
    np.testing.assert_allclose(camera_xy(), np.column_stack([x, y]), atol=0.01)


def test_measures_frame_columns_dates_and_marks() -> None:
    frame = measures_frame()
    assert list(frame.columns) == [
        "id", "namn", "installerad", "typ", "kategorier", "position_kalla", "syntetisk", "geometry",
    ]  # fmt: skip
    assert frame.crs.to_epsg() == 3011
    assert all(d.year == 2021 for d in frame["installerad"])
    assert (frame["typ"] == "kamera").all() and frame["syntetisk"].all()
    skogas = frame.set_index("id").loc["TK-2021-03", "kategorier"]
    assert skogas == "skadegorelse,klotter,brand,narkotika,hot_mot_personal"
    assert (frame.loc[frame["id"] != "TK-2021-03", "kategorier"] == "").all()


def test_the_documented_effects() -> None:
    effects = {s.name: (s.drop, s.displace, bool(s.categories)) for s in CAMERA_SITES}
    assert effects["Grantorp"] == (0.5, False, False)
    assert effects["Skogås centrum/torg"] == (0.6, False, True)
    assert effects["Trångsunds torg"] == (0.5, True, False)
    assert effects["Segeltorps centrum"] == (0.4, False, False)
    assert effects["Visättra centrum"] == (0.0, False, False)
    assert sum(drop > 0 for drop, _, _ in effects.values()) == 4


def _around_site(i: int, n: int, *, radius: float, seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    r = radius * np.sqrt(rng.random(n))
    a = rng.uniform(0, 2 * np.pi, n)
    return camera_xy()[i] + np.column_stack([r * np.cos(a), r * np.sin(a)])


def test_prevented_only_inside_r_after_the_date_and_of_the_target_categories() -> None:
    i = 2  # Skogås: targeted categories, −60 %
    n = 20000
    xy = _around_site(i, n, radius=2 * RADIUS_M)
    codes = np.where(np.arange(n) % 2 == 0, "klotter", "nedskrapning").astype(object)
    stamp = np.where(
        np.arange(n) % 4 < 2,
        np.datetime64("2021-05-09T23:59", "m"),
        np.datetime64("2021-05-10T00:00", "m"),
    )
    index, site = prevented(np.random.default_rng(1), xy, codes, stamp)
    assert set(site.tolist()) == {i}
    d = np.hypot(*(xy[index] - camera_xy()[i]).T)
    assert (d <= RADIUS_M).all()
    assert (codes[index] == "klotter").all()
    assert (stamp[index] >= np.datetime64("2021-05-10")).all()
    eligible = (np.hypot(*(xy - camera_xy()[i]).T) <= RADIUS_M) & (codes == "klotter")
    eligible &= stamp >= np.datetime64("2021-05-10")
    assert len(index) / eligible.sum() == pytest.approx(0.6, abs=0.03)


def test_sites_without_an_effect_prevent_nothing() -> None:
    for i, s in enumerate(CAMERA_SITES):
        if s.drop:
            continue
        xy = _around_site(i, 500, radius=RADIUS_M)
        codes = np.full(500, "skadegorelse", dtype=object)
        stamp = np.full(500, np.datetime64("2023-01-01T00:00", "m"))
        index, _ = prevented(np.random.default_rng(2), xy, codes, stamp)
        # the Huddinge centrum places lie within 250 m of each other but none has an effect
        assert len(index) == 0, s.name


@settings(max_examples=25, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), n=st.integers(0, 400), days=st.integers(-800, 800))
def test_prevented_is_a_subset_of_the_eligible(seed: int, n: int, days: int) -> None:
    rng = np.random.default_rng(seed)
    which = rng.integers(0, len(CAMERA_SITES), n)
    xy = camera_xy()[which] + rng.normal(scale=120.0, size=(n, 2))
    codes = rng.choice(["klotter", "belysning", "samling"], n).astype(object)
    stamp = np.datetime64("2021-06-01T00:00", "m") + (rng.integers(-1, 2, n) * days * 1440).astype(
        "timedelta64[m]"
    )
    index, site = prevented(rng, xy, codes, stamp)
    assert len(np.unique(index)) == len(index)
    for j in np.unique(site):
        s = CAMERA_SITES[j]
        picked = index[site == j]
        assert s.drop > 0
        assert (np.hypot(*(xy[picked] - camera_xy()[j]).T) <= RADIUS_M).all()
        assert (stamp[picked] >= np.datetime64(s.installed, "m")).all()
        if s.categories:
            assert np.isin(codes[picked], s.categories).all()


def test_ring_points_lie_in_the_ring_on_land() -> None:
    centre = np.array([1000.0, 1000.0])
    land = shapely.box(0, 0, 1150, 2000)  # half the ring is water
    pts = ring_points(np.random.default_rng(3), centre, 300, land)
    d = np.hypot(*(pts - centre).T)
    assert len(pts) == 300
    assert ((d > RADIUS_M) & (d < RING_M)).all()
    assert shapely.contains_xy(land, pts[:, 0], pts[:, 1]).all()


def test_ring_points_without_land_stay_at_the_centre() -> None:
    centre = np.array([0.0, 0.0])
    pts = ring_points(np.random.default_rng(3), centre, 4, shapely.box(5000, 5000, 5001, 5001))
    assert (pts == 0).all() and pts.shape == (4, 2)
