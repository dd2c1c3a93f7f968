"""Synthetic remarks with a known effect round one or two sites, built in code (fixed seeds)."""

from __future__ import annotations

import datetime as dt

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely

CRS = "EPSG:3011"
#: A site in Huddinge centrum (EPSG:3011) and a control box 3 km east of it.
CENTRE = np.array([151_000.0, 6_568_000.0])
CONTROL = shapely.box(154_000, 6_567_000, 155_000, 6_568_000)
MONTHS = pd.period_range("2020-01", "2022-12", freq="M")


def _disc(rng, centre, inner, outer, n):
    r = np.sqrt(rng.uniform(inner**2, outer**2, n))
    a = rng.uniform(0, 2 * np.pi, n)
    return centre + np.column_stack([r * np.cos(a), r * np.sin(a)])


def _box(rng, box, n):
    x0, y0, x1, y1 = box.bounds
    return np.column_stack([rng.uniform(x0, x1, n), rng.uniform(y0, y1, n)])


def monthly_remarks(
    *,
    seed: int = 1,
    installed: str = "2021-06-15",
    r_rate: float = 20,
    r_effect: float = 1.0,
    d_rate: float = 15,
    d_effect: float = 1.0,
    c_rate: float = 40,
    centre: np.ndarray = CENTRE,
    category: str = "skadegorelse",
    months: pd.PeriodIndex = MONTHS,
) -> gpd.GeoDataFrame:
    """Poisson counts per month in R (0–95 m), D (105–295 m) and C; effects from the install month on."""
    rng = np.random.default_rng(seed)
    start = pd.Period(installed, freq="M")
    xy, stamps = [], []
    for month in months:  # the fixture builds months, not a per-remark loop in the code under test
        after = month > start
        for where, rate, effect in (
            ("R", r_rate, r_effect),
            ("D", d_rate, d_effect),
            ("C", c_rate, 1.0),
        ):
            n = rng.poisson(rate * (effect if after else 1.0))
            if where == "R":
                pts = _disc(rng, centre, 0, 95, n)
            elif where == "D":
                pts = _disc(rng, centre, 105, 295, n)
            else:
                pts = _box(rng, CONTROL, n)
            days = rng.integers(0, month.days_in_month, n)
            xy.append(pts)
            stamps.append(
                month.start_time + pd.to_timedelta(days, unit="D") + pd.Timedelta(hours=12)
            )
    xy_all = np.concatenate(xy)
    return gpd.GeoDataFrame(
        {"timestamp": np.concatenate(stamps), "category": category},
        geometry=gpd.points_from_xy(xy_all[:, 0], xy_all[:, 1]),
        crs=CRS,
    )


def site_frame(*rows: tuple[str, str, np.ndarray | shapely.Geometry, str]) -> gpd.GeoDataFrame:
    """Sites from ``(id, installed, centre or polygon, categories)`` rows."""
    geoms = [shapely.Point(*g) if isinstance(g, np.ndarray) else g for _, _, g, _ in rows]
    return gpd.GeoDataFrame(
        {
            "id": [r[0] for r in rows],
            "namn": [f"Plats {r[0]}" for r in rows],
            "installerad": [r[1] for r in rows],
            "typ": "kamera",
            "kategorier": [r[3] for r in rows],
        },
        geometry=geoms,
        crs=CRS,
    )


@pytest.fixture
def control_frame() -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame({"namn": ["Kontrollrutan"]}, geometry=[CONTROL], crs=CRS)


@pytest.fixture
def one_site() -> gpd.GeoDataFrame:
    return site_frame(("A", "2021-06-15", CENTRE, ""))


__all__ = ["CENTRE", "CONTROL", "CRS", "dt", "monthly_remarks", "site_frame"]


def write_routed(path, remarks: gpd.GeoDataFrame, *, synthetic: bool = True):
    """Write ``remarks`` as a routed.gpkg (the contract of ``geomap route``), marked synthetic."""
    from geomap.core.owners import registry_from_frame
    from geomap.core.routed import RoutedData

    frame = remarks.assign(
        remark_id=[f"R{i}" for i in range(len(remarks))],
        owner="kommun",
        timestamp=pd.to_datetime(remarks["timestamp"]).dt.strftime("%Y-%m-%dT%H:%M:%S"),
    )
    registry = registry_from_frame(
        pd.DataFrame({"owner": ["kommun"], "name": ["Huddinge kommun"]}),
        synthetic=synthetic,
        synthetic_label="Syntetiska testdata",
        source="test",
    )
    info = {"synthetic": "true" if synthetic else "false", "synthetic_label": "Syntetiska testdata"}
    return RoutedData(remarks=frame, owners=None, registry=registry, run_info=info).write(path)
