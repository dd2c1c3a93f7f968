"""Fixtures in code for the maintenance-layer tests: parcels, owner layers and districts."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import pyogrio
import shapely

from geomap.maintenance import load_vocabulary
from geomap.maintenance.demo import DEMO_OWNERS, OwnerDemo, demo_features, invasive_findings

X0, Y0 = 150_000.0, 6_570_000.0  # inside Huddinge, EPSG:3011

OWNER_IDS = [spec.owner for spec in DEMO_OWNERS]


def spec_of(owner: str) -> OwnerDemo:
    return next(s for s in DEMO_OWNERS if s.owner == owner)


def parcels_of(owner: str) -> list[shapely.Polygon]:
    """Three 150 m × 120 m parcels per owner, owners side by side."""
    k = OWNER_IDS.index(owner)
    return [
        shapely.box(X0 + i * 400, Y0 + k * 400, X0 + i * 400 + 150, Y0 + k * 400 + 120)
        for i in range(3)
    ]


def owners_frame() -> gpd.GeoDataFrame:
    rows = [(o, p) for o in OWNER_IDS for p in parcels_of(o)]
    return gpd.GeoDataFrame(
        {"owner": [o for o, _ in rows]}, geometry=[p for _, p in rows], crs=3011
    )


def write_owners(path: Path) -> Path:
    owners_frame().to_file(path, layer="owners")
    return path


def districts_frame() -> gpd.GeoDataFrame:
    """Two districts split at x = X0 + 500 covering everything, named with Swedish letters."""
    return gpd.GeoDataFrame(
        {"regsonamn": ["Väster", "Öster"]},
        geometry=[
            shapely.box(X0 - 1000, Y0 - 1000, X0 + 500, Y0 + 3000),
            shapely.box(X0 + 500, Y0 - 1000, X0 + 3000, Y0 + 3000),
        ],
        crs=3011,
    )


def write_districts(path: Path) -> Path:
    districts_frame().to_file(path, layer="regso_2025_sweref99_1800")
    return path


def owner_layer(owner: str) -> gpd.GeoDataFrame:
    """A valid maintenance layer of ``owner`` in its own codes and columns."""
    return demo_features(spec_of(owner), parcels_of(owner))


def write_layer(frame: gpd.GeoDataFrame, path: Path, *, layer: str = "skotsel") -> Path:
    pyogrio.write_dataframe(frame, path, layer=layer, driver="GPKG")
    return path


def findings_of(owner: str) -> gpd.GeoDataFrame:
    """Invasive-species findings of ``owner`` in shared terms, inside its parcels."""
    k = OWNER_IDS.index(owner)
    return invasive_findings(owner, owner.title(), parcels_of(owner), load_vocabulary(), offset=k)
