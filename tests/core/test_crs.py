from __future__ import annotations

import numpy as np
import pytest
from pyproj import CRS

from geomap.core.crs import check_axes, infer_crs_from_values, parse_crs, parse_working_crs
from geomap.errors import CRSError


@pytest.mark.parametrize(
    ("east", "north", "epsg", "swapped"),
    [
        ([17.94, 18.05], [59.20, 59.25], 4326, False),
        ([59.20, 59.25], [17.94, 18.05], 4326, True),
        ([668_000.0, 671_000.0], [6_563_000.0, 6_570_000.0], 3006, False),
        ([6_563_000.0, 6_570_000.0], [668_000.0, 671_000.0], 3006, True),
        ([148_000.0, 156_000.0], [6_563_000.0, 6_570_000.0], 3011, False),
        ([6_563_000.0, 6_570_000.0], [148_000.0, 156_000.0], 3011, True),
    ],
)
def test_infer_crs_from_value_ranges(
    east: list[float], north: list[float], epsg: int, swapped: bool
) -> None:
    found = infer_crs_from_values(np.array(east), np.array(north))
    assert found is not None
    assert found[0].to_epsg() == epsg
    assert found[1] is swapped


@pytest.mark.parametrize(
    ("east", "north"),
    [
        ([1.0, 2.0], [3.0, 4.0]),  # local engineering coordinates
        ([200_000.0, 700_000.0], [6_500_000.0, 6_600_000.0]),  # straddles local zone and TM
        ([np.nan], [np.nan]),
    ],
)
def test_infer_crs_refuses_ambiguous(east: list[float], north: list[float]) -> None:
    assert infer_crs_from_values(np.array(east), np.array(north)) is None


def test_check_axes_projected_and_geographic() -> None:
    assert check_axes(np.array([6_570_000.0]), np.array([150_000.0]), CRS(3011)).swapped
    assert not check_axes(np.array([150_000.0]), np.array([6_570_000.0]), CRS(3011)).swapped
    assert check_axes(np.array([59.2]), np.array([17.9]), CRS(4326)).swapped
    assert not check_axes(np.array([17.9]), np.array([59.2]), CRS(4326)).swapped


@pytest.mark.parametrize("value", ["3011", 3011, "EPSG:3011", "epsg:3011"])
def test_parse_crs_accepts_codes(value: str | int) -> None:
    assert parse_crs(value).to_epsg() == 3011


def test_parse_crs_error_names_argument() -> None:
    with pytest.raises(
        CRSError, match=r"`crs`: cannot understand CRS 'SWEREF-nonsense'.*EPSG:3011"
    ):
        parse_crs("SWEREF-nonsense")


@pytest.mark.parametrize("value", ["EPSG:3011", "EPSG:3006", 3857])
def test_parse_working_crs_accepts_projected_metres(value: str | int) -> None:
    assert parse_working_crs(value).is_projected


@pytest.mark.parametrize(
    ("value", "match"),
    [
        ("EPSG:4326", r"`working_crs`: EPSG:4326 \(WGS 84\) is geographic \(degrees\).*EPSG:3011"),
        ("EPSG:4978", r"`working_crs`: EPSG:4978 .* is not a projected CRS"),
        ("EPSG:2927", r"`working_crs`: EPSG:2927 .* measures in us survey foot, not metres"),
        ("nonsense", r"`working_crs`: cannot understand CRS 'nonsense'"),
    ],
)
def test_parse_working_crs_refuses_degrees_and_feet(value: str, match: str) -> None:
    with pytest.raises(CRSError, match=match):
        parse_working_crs(value)


def test_a_working_crs_that_stretches_distances_is_refused_by_route() -> None:
    """Web Mercator is in metres but doubles distances at 59° N: routing would be wrong."""
    import geomap

    with pytest.raises(CRSError, match=r"`working_crs`: EPSG:3857 .* stretches distances by 9\d%"):
        geomap.route(
            "data/hard_cases_synthetic.csv",
            owners="data/owners_synthetic.gpkg",
            crs="EPSG:3011",
            working_crs="EPSG:3857",
        )
    result = geomap.route(
        "data/hard_cases_synthetic.csv",
        owners="data/owners_synthetic.gpkg",
        crs="EPSG:3011",
        working_crs="EPSG:3006",
    )
    assert result.summary.working_crs == "EPSG:3006"
