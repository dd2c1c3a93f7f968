"""Synthetic maintenance-responsibility polygons (*driftansvar*): who maintains ≠ who owns.

Each polygon lies on a parcel owned by someone else, with a made-up agreement text, e.g. the
municipality maintains a park strip on Huge's land. :func:`responsibility_layer` adds the
municipality's street and square space (:mod:`geomap.demo.streets`) to make the demo layer.
"""

from __future__ import annotations

from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geomap.core.crs import WORKING_CRS

__all__ = [
    "AGREEMENTS",
    "AGREEMENT_TYPE",
    "Agreement",
    "build_responsibility",
    "responsibility_layer",
]

#: Column ``typ`` of the agreement polygons.
AGREEMENT_TYPE = "driftavtal"


@dataclass(frozen=True)
class Agreement:
    """Template of a maintenance agreement.

    A parcel of ``land_owner`` (``land_use``; RegSO name starting with ``place``) maintained by
    ``owner``; ``radius`` 0 means the whole parcel, else a disc of that radius.
    """

    owner: str
    land_owner: str
    land_use: str
    place: str
    avtal: str
    radius: float


AGREEMENTS: tuple[Agreement, ...] = (
    Agreement(
        "huddinge_kommun",
        "huge_bostader",
        "bostadsgård",
        "Flemingsberg",
        "Skötselavtal 2024–2027: kommunen sköter Huges parkstråk",
        60.0,
    ),
    Agreement(
        "huddinge_samhallsfastigheter",
        "huddinge_kommun",
        "park",
        "",
        "Driftavtal 2025: Samhällsfastigheter sköter kommunens bollplan",
        0.0,
    ),
    Agreement(
        "huge_bostader",
        "huddinge_kommun",
        "park",
        "Vårby",
        "Skötselavtal 2023–2026: Huge sköter kommunens lekpark intill bostäderna",
        0.0,
    ),
    Agreement(
        "huddinge_kommun",
        "trafikverket",
        "vägområde",
        "",
        "Överenskommelse 2022: kommunen sköter gräsytor och gångväg i vägområdet",
        0.0,
    ),
    Agreement(
        "huddinge_kommun",
        "privat",
        "privat tomt",
        "",
        "Servitut: kommunen sköter gångvägen över den privata tomten",
        35.0,
    ),
    Agreement(
        "huddinge_kommun",
        "huddinge_samhallsfastigheter",
        "skolgård",
        "",
        "Samverkansavtal 2024–2026: kommunen sköter naturlekplatsen på skolgården",
        40.0,
    ),
    Agreement(
        "huddinge_kommun",
        "huge_bostader",
        "bostadsgård",
        "Skogås",
        "Skötselavtal 2024–2027: kommunen sköter Huges grönstråk mot centrum",
        70.0,
    ),
    Agreement(
        "huge_bostader",
        "huddinge_kommun",
        "natur",
        "Skogås",
        "Nyttjanderättsavtal 2021: Huge sköter naturmarken bakom husen",
        80.0,
    ),
)


def build_responsibility(rng: np.random.Generator, parcels: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Place the agreements on parcels of other owners (skips one when no parcel fits).

    Examples
    --------
    >>> from geomap.demo.geography import load_geography
    >>> from geomap.demo.parcels import build_parcels
    >>> ps = build_parcels(np.random.default_rng(1), load_geography(), n_parcels=300)
    >>> resp = build_responsibility(np.random.default_rng(1), ps.parcels)
    >>> bool((resp["owner"] != resp["markagare"]).all())
    True
    """
    owner = parcels["owner"].to_numpy()
    use = parcels["markanvandning"].to_numpy()
    regso = parcels["regso"].to_numpy().astype(str)
    free = parcels["testfall"].isna().to_numpy() & parcels.is_valid.to_numpy()
    free &= (parcels.area > 2000.0).to_numpy()
    taken: set[int] = set()
    rows: dict[str, list[object]] = {k: [] for k in ("owner", "avtal", "markagare", "fastighet")}
    geoms = []
    for ag in AGREEMENTS:
        base = free & (owner == ag.land_owner)
        strict = base & (use == ag.land_use) & np.char.startswith(regso, ag.place)
        for cand in (strict, base & (use == ag.land_use), base):
            idx = [int(i) for i in np.flatnonzero(cand) if int(i) not in taken]
            if idx:
                break
        if not idx:
            continue
        pick = idx[int(rng.integers(len(idx)))]
        taken.add(pick)
        geom = parcels.geometry.iloc[pick]
        if ag.radius > 0:
            centre = shapely.maximum_inscribed_circle(geom, 1.0)
            disc = shapely.buffer(shapely.get_point(centre, 0), ag.radius)
            geom = shapely.intersection(geom, disc, grid_size=0.001)
        geoms.append(geom)
        rows["owner"].append(ag.owner)
        rows["avtal"].append(ag.avtal)
        rows["markagare"].append(ag.land_owner)
        rows["fastighet"].append(parcels["fastighet"].iloc[pick])
    frame = gpd.GeoDataFrame(rows, geometry=geoms, crs=WORKING_CRS)
    frame.insert(1, "namn", "avtal " + frame["fastighet"].astype(str))
    frame.insert(2, "typ", AGREEMENT_TYPE)
    frame["syntetisk"] = "ja"
    return frame


def responsibility_layer(
    agreements: gpd.GeoDataFrame, streets: gpd.GeoDataFrame
) -> gpd.GeoDataFrame:
    """Return the demo's responsibility layer: the agreements first, then the street space.

    Examples
    --------
    >>> from geomap.demo.geography import load_geography
    >>> from geomap.demo.parcels import build_parcels
    >>> from geomap.demo.streets import build_streets
    >>> geo = load_geography()
    >>> ps = build_parcels(np.random.default_rng(1), geo, n_parcels=300)
    >>> layer = responsibility_layer(
    ...     build_responsibility(np.random.default_rng(1), ps.parcels), build_streets(ps, geo.districts)
    ... )
    >>> sorted(layer["typ"].unique())
    ['allmän plats (gata/torg), kommunalt huvudmannaskap', 'driftavtal']
    """
    frame = pd.concat([agreements, streets[list(agreements.columns)]], ignore_index=True)
    return gpd.GeoDataFrame(frame, geometry="geometry", crs=agreements.crs)
