"""Small routed runs of safety walks built in code (no routing: owners are given)."""

from __future__ import annotations

from collections.abc import Sequence

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geomap.core.owners import Owner, OwnerRegistry
from geomap.core.routed import RoutedData

from tests.conftest import X0, Y0, box

OWNERS = (
    Owner("kommun", "Huddinge kommun", colour="#0072b2"),
    Owner("huge", "Huge Bostäder AB", colour="#e69f00"),
    Owner("privat", "Privat fastighetsägare", colour="#999999"),
    Owner("Hyresvärd Å", "Hyresvärd Å AB", colour="#cc79a7"),
)
NAMES = {o.id: o.name for o in OWNERS}


def routed_walks(
    owners: Sequence[str | None],
    *,
    walk_ids: Sequence[str] | None = None,
    categories: Sequence[str] | None = None,
    extra: dict[str, Sequence[object]] | None = None,
) -> RoutedData:
    """A run with one remark per entry of ``owners`` (None: unrouted), each with a unique text."""
    n = len(owners)
    walk = list(walk_ids) if walk_ids is not None else ["TV-1"] * n
    numbers = pd.Series(walk).groupby(walk).cumcount().to_numpy() + 1
    cats = list(categories) if categories is not None else ["klotter"] * n
    owner = pd.Series(list(owners), dtype=object)
    frame = gpd.GeoDataFrame(
        {
            "remark_id": [f"{w}-{k}" for w, k in zip(walk, numbers, strict=True)],
            "source": "trygghetsvandring",
            "category": cats,
            "category_label": [c.capitalize() for c in cats],
            "category_raw": cats,
            "timestamp": pd.to_datetime(["2025-04-23 19:00"] * n),
            "description": [f"iakttagelse nummer {i} unik" for i in range(n)],
            "action": "Sanera",
            "walk_id": walk,
            "walk_date": "2025-04-23",
            "place": "Torget",
            "protocol_owner": "Kommunen",
            "owner": owner,
            "owner_name": owner.map(NAMES),
            "land_owner": owner,
            "route_method": np.where(owner.isna(), "unrouted", "ownership"),
            "distance_m": 0.0,
            "candidates": "",
            "flags": "",
            "reason": [f"Inom mark som ägs av {NAMES.get(o, '?')}" for o in owners],
            "nr": numbers,
            "tid": "19:00",
            "arrangor": "Huddinge kommun",
            "organisationer": "Huddinge kommun; Polisen",
            "deltagare": "Anna Andersson",
            **(extra or {}),
        },
        geometry=[shapely.Point(X0 + 5 + 3 * i, Y0 + 50) for i in range(n)],
        crs="EPSG:3011",
    )
    land = gpd.GeoDataFrame(
        {"owner": [o.id for o in OWNERS]},
        geometry=[
            box(0, 0, 100, 100),
            box(100, 0, 200, 100),
            box(210, 0, 310, 100),
            box(0, 100, 100, 200),
        ],
        crs="EPSG:3011",
    )
    registry = OwnerRegistry(OWNERS, synthetic=True, synthetic_label="Syntetiska testdata")
    info = {"synthetic": "true", "synthetic_label": "Syntetiska testdata"}
    return RoutedData(remarks=frame, owners=land, registry=registry, run_info=info)
