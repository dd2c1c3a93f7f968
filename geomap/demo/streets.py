"""Synthetic street and square space (*allmän plats, gata/torg*) with the municipality as *huvudman*.

In Swedish planning the municipality is usually *huvudman* for public streets and squares
(*allmän plats med kommunalt huvudmannaskap*): it is responsible for them whoever the nearest
property owner is. The demo parcels leave the space between blocks uncovered (street space), so
this module turns that space into maintenance-responsibility polygons of ``huddinge_kommun``:
the municipality's land minus every parcel, the lakes and the state-road corridor, one feature per
RegSO (``gata/torg <RegSO>``). Remarks there are routed by ``responsibility``; ``nearest`` stays
for real gaps (water near a shore, outside the municipality, slivers).
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import shapely

from geomap.core.crs import WORKING_CRS

from .parcels import ParcelSet

__all__ = ["MIN_STREET_PART", "STREET_OWNER", "STREET_TYPE", "build_streets"]

#: The street layer's owner (who is responsible).
STREET_OWNER = "huddinge_kommun"
#: What a street polygon is (column ``typ``).
STREET_TYPE = "allmän plats (gata/torg), kommunalt huvudmannaskap"
#: Polygon parts smaller than this (m²) are slivers and dropped.
MIN_STREET_PART = 20.0
_AVTAL = "Kommunalt huvudmannaskap för allmän plats (gata/torg)"


def build_streets(ps: ParcelSet, districts: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Return the street and square space per district as responsibility polygons.

    Street space is ``ps.land`` (the municipality minus lakes) minus every parcel (repaired with
    :func:`shapely.make_valid`) and minus the state-road corridor, cut per district; parts under
    :data:`MIN_STREET_PART` m² are dropped. Districts without street space get no row.

    Parameters
    ----------
    ps
        The generated parcels, lakes, land and road corridor.
    districts
        RegSO polygons with a ``name`` column, in EPSG:3011.

    Returns
    -------
    geopandas.GeoDataFrame
        Columns ``owner`` (``huddinge_kommun``), ``namn`` (``gata/torg <district>``), ``typ``,
        ``avtal``, ``markagare``, ``fastighet`` (empty: street land is not in the owner layer),
        ``syntetisk``; valid MultiPolygons in EPSG:3011 that overlap no parcel, lake or road
        corridor.

    Examples
    --------
    >>> from geomap.demo.geography import load_geography
    >>> from geomap.demo.parcels import build_parcels
    >>> geo = load_geography()
    >>> ps = build_parcels(np.random.default_rng(1), geo, n_parcels=300)
    >>> streets = build_streets(ps, geo.districts)
    >>> streets["namn"].iloc[0].startswith("gata/torg "), bool(streets.is_valid.all())
    (True, True)
    """
    polygons = np.concatenate(
        [ps.parcels.geometry.to_numpy(), np.array([ps.corridor], dtype=object)]
    )
    parts = shapely.get_parts(shapely.make_valid(polygons))
    parts = shapely.get_parts(parts)  # collections from make_valid hold (multi)polygons
    parts = parts[shapely.get_type_id(parts) == 3]
    # one dissolved MultiPolygon: make_valid(structure) unions its parts, 3 × faster than union_all
    covered = shapely.make_valid(shapely.multipolygons(parts), method="structure")
    # exact overlay (no grid snapping): snap rounding would let km-long edges drift into parcels
    street = shapely.difference(ps.land, covered)
    zones = shapely.intersection(street, districts.geometry.to_numpy())
    geoms = _without_slivers(zones)
    keep = ~shapely.is_empty(geoms)
    names = districts["name"].to_numpy().astype(str)[keep]
    n = int(keep.sum())
    frame = gpd.GeoDataFrame(
        {
            "owner": np.full(n, STREET_OWNER, dtype=object),
            "namn": np.char.add("gata/torg ", names).astype(object),
            "typ": np.full(n, STREET_TYPE, dtype=object),
            "avtal": np.full(n, _AVTAL, dtype=object),
            "markagare": np.full(n, STREET_OWNER, dtype=object),
            "fastighet": np.full(n, None, dtype=object),
            "syntetisk": "ja",
        },
        geometry=geoms[keep],
        crs=WORKING_CRS,
    )
    return frame.sort_values("namn", kind="stable").reset_index(drop=True)


def _without_slivers(geoms: np.ndarray) -> np.ndarray:
    """Keep the valid polygon parts of at least :data:`MIN_STREET_PART` m² of each geometry."""
    parts, idx = shapely.get_parts(shapely.make_valid(geoms), return_index=True)
    nested = shapely.get_type_id(parts) >= 4  # multi-part or collection: flatten once more
    while nested.any():
        sub, sub_idx = shapely.get_parts(parts[nested], return_index=True)
        parts = np.concatenate([parts[~nested], sub])
        idx = np.concatenate([idx[~nested], idx[nested][sub_idx]])
        nested = shapely.get_type_id(parts) >= 4
    order = np.argsort(idx, kind="stable")
    parts, idx = parts[order], idx[order]
    ok = (shapely.get_type_id(parts) == 3) & (shapely.area(parts) >= MIN_STREET_PART)
    out = np.full(len(geoms), shapely.MultiPolygon(), dtype=object)
    if ok.any():
        ids, dense = np.unique(idx[ok], return_inverse=True)
        out[ids] = shapely.multipolygons(parts[ok], indices=dense)
    return out
