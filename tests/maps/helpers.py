"""Builders for the map tests: a small routed.gpkg per the README's output contract, in code."""

from __future__ import annotations

import shutil
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geomap.core.owners import registry_from_frame
from geomap.core.routed import RoutedData

SHARED_REGSO = Path(__file__).resolve().parents[3] / "shared" / "data" / "huddinge_regso_2025.gpkg"
MALICIOUS = '<script>window.__pwned=1</script><img src=x onerror="window.__pwned=2">'

# Owner squares (EPSG:3011, 1.2 km) around Huddinge centrum, Flemingsberg and Skogås centrum.
OWNER_BOXES = {
    "kommun": (148_400, 6_568_500, 149_600, 6_569_700),
    "huge": (146_300, 6_566_500, 147_500, 6_567_700),
    "hsab": (158_100, 6_566_300, 159_300, 6_567_500),
}
REGISTRY = pd.DataFrame(
    {
        "owner": ["kommun", "huge", "hsab"],
        "name": ["Huddinge kommun", "Huge Bostäder AB", "Huddinge Samhällsfastigheter AB"],
        "contact": ["kommun@example.se", "huge@example.se", "hsab@example.se"],
        "colour": ["#1f78b4", "#e69f00", "#009e73"],
        "priority": [1, 2, 3],
    }
)
CATEGORIES = [("klotter", "Klotter"), ("belysning", "Belysning"), ("nedskrapning", "Nedskräpning")]


def make_remarks(n_per_owner: int = 6, *, unrouted: int = 2, seed: int = 1) -> gpd.GeoDataFrame:
    """Remarks inside each owner box (distinct texts per owner), plus a few unrouted ones."""
    rng = np.random.default_rng(seed)
    rows = []
    for owner, (x0, y0, x1, y1) in OWNER_BOXES.items():
        name = REGISTRY.set_index("owner").loc[owner, "name"]
        for k in range(n_per_owner):
            code, label = CATEGORIES[k % len(CATEGORIES)]
            rows.append(
                {
                    "remark_id": f"{owner}-{k:03d}",
                    "source": "lagesbild" if k % 2 else "trygghetsvandring",
                    "category": code,
                    "category_label": label,
                    "category_raw": label,
                    "timestamp": pd.Timestamp("2025-03-01") + pd.Timedelta(days=10 * k),
                    "description": f"Beskrivning {owner} nummer {k}",
                    "action": f"Åtgärd {owner} {k}",
                    "walk_id": None,
                    "walk_date": None,
                    "place": f"Plats {owner} {k}",
                    "owner": owner,
                    "owner_name": name,
                    "route_method": "ownership" if k % 3 else "nearest",
                    "distance_m": 0.0 if k % 3 else 12.5,
                    "candidates": f"{owner};kommun" if owner != "kommun" and k == 1 else owner,
                    "flags": "boundary" if k == 1 else None,
                    "reason": f"Inom {name}s mark",
                    "source_file": "test.csv",
                    "source_row": k + 1,
                    "geometry": shapely.Point(rng.uniform(x0, x1), rng.uniform(y0, y1)),
                }
            )
    for k in range(unrouted):
        rows.append(
            {
                "remark_id": f"unrouted-{k}",
                "source": "other",
                "category": "okand_sak",
                "category_label": "okand_sak",
                "category_raw": "okand_sak",
                "timestamp": None,
                "description": "Ingen ägare hittades",
                "action": None,
                "walk_id": None,
                "walk_date": None,
                "place": None,
                "owner": None,
                "owner_name": None,
                "route_method": "unrouted",
                "distance_m": None,
                "candidates": None,
                "flags": "unknown_category",
                "reason": "Ingen ägare inom avståndet",
                "source_file": "test.csv",
                "source_row": 100 + k,
                "geometry": shapely.Point(153_000 + 100 * k, 6_565_000),
            }
        )
    frame = gpd.GeoDataFrame(rows, geometry="geometry", crs="EPSG:3011")
    frame["timestamp"] = pd.to_datetime(frame["timestamp"])
    return frame


def make_owner_polygons() -> gpd.GeoDataFrame:
    """One square per owner."""
    return gpd.GeoDataFrame(
        {"owner": list(OWNER_BOXES)},
        geometry=[shapely.box(*b) for b in OWNER_BOXES.values()],
        crs="EPSG:3011",
    )


def write_routed(
    path: Path,
    remarks: gpd.GeoDataFrame | None = None,
    *,
    synthetic: bool = True,
    registry: pd.DataFrame | None = None,
    owners: gpd.GeoDataFrame | None = None,
) -> Path:
    """Write a routed.gpkg with geomap's own writer (the output contract, RoutedData.write)."""
    data = RoutedData(
        remarks=make_remarks() if remarks is None else remarks,
        owners=make_owner_polygons() if owners is None else owners,
        registry=registry_from_frame(
            REGISTRY if registry is None else registry,
            synthetic=synthetic,
            synthetic_label="SYNTETISKA TESTDATA",
        ),
        run_info={
            "synthetic": "true" if synthetic else "false",
            "synthetic_label": "SYNTETISKA TESTDATA",
            "working_crs": "EPSG:3011",
            "period_start": "2025-03-01",
            "period_end": "2025-12-31",
        },
    )
    return data.write(path)


def copy_regso(tmp_path: Path) -> Path | None:
    """Copy the shared RegSO GeoPackage into ``tmp_path`` (None when it is not available)."""
    repo_copy = Path(__file__).resolve().parents[2] / "data" / "huddinge_regso_2025.gpkg"
    source = repo_copy if repo_copy.is_file() else SHARED_REGSO
    if not source.is_file():
        return None
    target = tmp_path / "regso.gpkg"
    shutil.copy(source, target)
    return target
