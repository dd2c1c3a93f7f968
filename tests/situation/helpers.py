"""A routed run built in code: a 2 km × 2 km municipality of two districts and three owners."""

from __future__ import annotations

import datetime as dt

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geomap.core.districts import Geography
from geomap.core.owners import registry_from_ids
from geomap.core.routed import RoutedData

X0, Y0 = 150_000.0, 6_560_000.0
#: Centre of the planted cluster (in district "Väst", on land of owner "huge").
CLUSTER = (X0 + 550.0, Y0 + 1450.0)


def geography() -> Geography:
    """Two districts side by side, Väst and Öst, 1 km × 2 km each."""
    districts = gpd.GeoDataFrame(
        {"name": ["Väst", "Öst"]},
        geometry=[
            shapely.box(X0, Y0, X0 + 1000, Y0 + 2000),
            shapely.box(X0 + 1000, Y0, X0 + 2000, Y0 + 2000),
        ],
        crs=3011,
    )
    boundary = gpd.GeoDataFrame(geometry=[shapely.box(X0, Y0, X0 + 2000, Y0 + 2000)], crs=3011)
    return Geography(districts, boundary, "Testområden")


def owners() -> gpd.GeoDataFrame:
    """Owner polygons: huge (north-west), kommun (south), privat (north-east)."""
    return gpd.GeoDataFrame(
        {"owner": ["huge", "kommun", "privat"]},
        geometry=[
            shapely.box(X0, Y0 + 1000, X0 + 1000, Y0 + 2000),
            shapely.box(X0, Y0, X0 + 2000, Y0 + 1000),
            shapely.box(X0 + 1000, Y0 + 1000, X0 + 2000, Y0 + 2000),
        ],
        crs=3011,
    )


def _owner_of(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    return np.where(y < Y0 + 1000, "kommun", np.where(x < X0 + 1000, "huge", "privat"))


def remarks(
    *, seed: int = 3, weekly: int = 20, cluster: int = 60, week: str = "2025-11-17"
) -> gpd.GeoDataFrame:
    """Uniform background remarks, ``weekly`` per week for 2024–2025, plus ``cluster`` remarks
    packed around :data:`CLUSTER` in the week starting ``week`` (all "klotter")."""
    rng = np.random.default_rng(seed)
    days = pd.date_range("2024-01-01", "2025-12-31", freq="D")
    n = weekly * len(days) // 7
    stamps = days[rng.integers(0, len(days), n)] + pd.to_timedelta(
        rng.integers(1, 24 * 60, n), unit="min"
    )
    x, y = rng.uniform(X0, X0 + 2000, n), rng.uniform(Y0, Y0 + 2000, n)
    monday = pd.Timestamp(week)
    cx = CLUSTER[0] + rng.uniform(-140, 140, cluster)
    cy = CLUSTER[1] + rng.uniform(-140, 140, cluster)
    cstamps = monday + pd.to_timedelta(rng.integers(0, 7 * 24 * 60, cluster), unit="min")
    x, y = np.r_[x, cx], np.r_[y, cy]
    category = np.r_[
        rng.choice(["klotter", "nedskrapning", "belysning"], n), np.full(cluster, "klotter")
    ]
    labels = {"klotter": "Klotter", "nedskrapning": "Nedskräpning", "belysning": "Trasig belysning"}
    owner = _owner_of(x, y)
    frame = pd.DataFrame(
        {
            "remark_id": [f"LB-{i:05d}" for i in range(len(x))],
            "source": "lagesbild",
            "category": category,
            "category_label": pd.Series(category).map(labels).to_numpy(),
            "timestamp": np.r_[stamps.to_numpy(), cstamps.to_numpy()],
            "place": pd.Series(np.arange(len(x)) >= n)
            .map({True: "Torget", False: None})
            .to_numpy(),
            "owner": owner,
            "owner_name": owner,
            "route_method": "ownership",
            "flags": "",
            "candidates": None,
            "reason": None,
        }
    )
    frame.loc[0, ["owner", "owner_name", "route_method", "reason"]] = [
        None,
        None,
        "unrouted",
        "utanför ägarlagret",
    ]
    frame.loc[1, ["flags", "candidates"]] = ["boundary", "huge;kommun"]
    return gpd.GeoDataFrame(frame, geometry=shapely.points(x, y), crs=3011)


def routed(**kwargs: object) -> RoutedData:
    """The run in memory (synthetic)."""
    registry = registry_from_ids(["huge", "kommun", "privat"])
    info = {
        "synthetic": "true",
        "synthetic_label": "Syntetiska testdata",
        "working_crs": "EPSG:3011",
    }
    return RoutedData(remarks(**kwargs), owners(), registry, info)  # type: ignore[arg-type]


__all__ = ["CLUSTER", "dt", "geography", "owners", "remarks", "routed"]
