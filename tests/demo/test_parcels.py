"""Tests for geomap.demo.parcels: validity, coverage, owners, streets, lakes, deliberate errors."""

from __future__ import annotations

import numpy as np
import shapely
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from geomap.demo.geography import Geography
from geomap.demo.parcels import ParcelSet, build_parcels
from geomap.demo.zones import OWNER_IDS

HUGE_REGSO = {
    "Flemingsberg västra",
    "Flemingsberg östra",
    "Vårby gård",
    "Vårby Haga-Masmo",
    "Skogås västra",
    "Skogås östra",
    "Trångsund",
    "Trångsund centrala",
    "Sjödalen centrala-norra",
    "Sjödalen södra",
    "Flemingsberg-Kästa",
}


def _deliberate(ps: ParcelSet) -> np.ndarray:
    return ps.parcels["testfall"].notna().to_numpy()


def _unexpected_overlaps(ps: ParcelSet) -> list[tuple[int, int, float]]:
    geoms = shapely.make_valid(ps.parcels.geometry.to_numpy())
    tree = shapely.STRtree(geoms)
    a, b = tree.query(geoms, predicate="overlaps")  # interiors intersect: no tolerance at all
    keep = a < b
    a, b = a[keep], b[keep]
    area = shapely.area(shapely.intersection(geoms[a], geoms[b]))
    deliberate = _deliberate(ps)
    bad = ~(deliberate[a] & deliberate[b])
    return list(zip(a[bad].tolist(), b[bad].tolist(), area[bad].tolist(), strict=True))


def _check_invariants(ps: ParcelSet, geo: Geography) -> None:
    frame = ps.parcels
    valid = frame.is_valid.to_numpy()
    invalid_cases = frame.loc[~valid, "testfall"].tolist()
    assert len(invalid_cases) == 1 and "fluga" in invalid_cases[0]
    assert _unexpected_overlaps(ps) == []
    inside = shapely.covered_by(
        shapely.make_valid(frame.geometry.to_numpy()), shapely.buffer(geo.outline, 0.01)
    )
    assert inside.all()
    assert frame["fastighet"].is_unique
    assert (frame["syntetisk"] == "ja").all()


def test_parcel_count_is_close_to_the_request(ps: ParcelSet) -> None:
    assert 950 <= len(ps.parcels) <= 1100


def test_parcels_are_valid_inside_and_do_not_overlap(ps: ParcelSet, geo: Geography) -> None:
    _check_invariants(ps, geo)


@settings(
    max_examples=6,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(seed=st.integers(0, 2**32 - 1), n=st.integers(100, 400))
def test_any_seed_gives_valid_non_overlapping_parcels(geo: Geography, seed: int, n: int) -> None:
    ps = build_parcels(np.random.default_rng(seed), geo, n_parcels=n)
    _check_invariants(ps, geo)


def test_every_land_owner_is_present(ps: ParcelSet) -> None:
    counts = ps.parcels["owner"].value_counts()
    assert set(counts.index) == set(OWNER_IDS)
    share = counts / counts.sum()
    assert 0.02 <= share["huddinge_samhallsfastigheter"] <= 0.09
    assert share["privat"] > share["huge_bostader"]


def test_huge_parcels_lie_mostly_in_its_housing_areas(ps: ParcelSet, geo: Geography) -> None:
    import geopandas as gpd

    huge = ps.parcels[ps.parcels["owner"] == "huge_bostader"]
    pts = gpd.GeoDataFrame(geometry=huge.representative_point(), crs=huge.crs)
    joined = gpd.sjoin(pts, geo.districts, predicate="within")
    assert joined["name"].isin(HUGE_REGSO).mean() > 0.9


def test_owner_boundaries_exist_inside_blocks(ps: ParcelSet) -> None:
    assert len(ps.shared_edges) > 50
    owner = ps.parcels["owner"].to_numpy()
    for edge in ps.shared_edges[:20]:
        assert owner[edge.left] != owner[edge.right]
        assert edge.line.length > 15


def test_street_gaps_separate_blocks(ps: ParcelSet, geo: Geography) -> None:
    covered = shapely.union_all(shapely.make_valid(ps.parcels.geometry.to_numpy()))
    streets = shapely.difference(ps.land, covered)
    assert streets.area > 0.005 * geo.outline.area
    # street space is narrow: most of it is within 10 m of a parcel
    assert shapely.difference(streets, shapely.buffer(covered, 10.0)).area < 0.5 * streets.area


def test_lakes_are_uncovered_and_wide(ps: ParcelSet) -> None:
    assert len(ps.lakes) >= 2
    geoms = shapely.make_valid(ps.parcels.geometry.to_numpy())
    valid = ps.parcels.is_valid.to_numpy()
    for lake in ps.lakes:
        radius = shapely.maximum_inscribed_circle(lake, 1.0).length
        assert radius > 30.0  # more than 60 m wide
        assert not shapely.intersects(lake.buffer(-1.0), geoms[valid]).any()


def test_trafikverket_corridor_is_about_40_m_wide(ps: ParcelSet) -> None:
    road = ps.parcels[ps.parcels["owner"] == "trafikverket"]
    assert (road["markanvandning"] == "vägområde").all()
    width = 2 * max(shapely.maximum_inscribed_circle(g, 0.5).length for g in road.geometry)
    assert 35.0 <= width <= 41.0


def test_deliberate_overlaps_and_bowtie(ps: ParcelSet) -> None:
    frame = ps.parcels
    marked = frame[frame["testfall"].notna()]
    assert marked["testfall"].str.contains("överlappning").sum() >= 4  # both sides of >= 2 pairs
    assert len(ps.overlap_points) >= 2
    geoms = shapely.make_valid(frame.geometry.to_numpy())
    for x, y in ps.overlap_points:
        hits = shapely.contains_xy(geoms, x, y)
        assert len(set(frame["owner"].to_numpy()[hits])) == 2
    bowtie = frame[frame["markanvandning"] == "badplats"].geometry.iloc[0]
    assert not bowtie.is_valid
    repaired = shapely.make_valid(bowtie)
    assert repaired.contains(shapely.Point(ps.bowtie_point))


def test_same_seed_same_parcels(geo: Geography) -> None:
    a = build_parcels(np.random.default_rng(7), geo, n_parcels=200).parcels
    b = build_parcels(np.random.default_rng(7), geo, n_parcels=200).parcels
    c = build_parcels(np.random.default_rng(8), geo, n_parcels=200).parcels
    assert a.drop(columns="geometry").equals(b.drop(columns="geometry"))
    assert (shapely.to_wkb(a.geometry.to_numpy()) == shapely.to_wkb(b.geometry.to_numpy())).all()
    assert not a.geometry.geom_equals(c.geometry.reindex(a.index)).all()
