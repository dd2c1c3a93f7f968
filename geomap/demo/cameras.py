"""Synthetic safety-camera measures of 2021 and the effects planted in the demo incidents.

The places are the nine camera places of Huddinge's 2021 allocation of safety funds
(``data/trygghetskameror_2021_platser.csv``, copied from ``../shared/data`` with its provenance in
``data/README.md``); their positions are written out below so the generator never needs that
file. Everything else here is **synthetic**: the install dates, the target categories and the
effects. The effects planted in the incidents (seeded, from the install date on, inside the
treatment area R = 100 m round the site):

- ``TK-2021-01`` Grantorp: −50 % of all incidents in R (the prevented ones are moved to the
  background, far away);
- ``TK-2021-03`` Skogås centrum/torg: −60 % of the target categories (``skadegorelse``,
  ``klotter``, ``brand``, ``narkotika``, ``hot_mot_personal``) in R; other categories unchanged;
- ``TK-2021-04`` Trångsunds torg: −50 % of all incidents in R, each prevented incident moved into
  the ring D = 100–300 m round the site (displacement);
- ``TK-2021-09`` Segeltorps centrum: −40 % of all incidents in R;
- ``TK-2021-06`` Visättra centrum: nothing (the site where the measure did not work);
- the other four (Huddinge centrum ×3, whose areas overlap, and Stuvsta): no planted effect.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from pyproj import Transformer

from geomap.core.crs import WORKING_CRS

__all__ = [
    "CAMERA_SITES",
    "RADIUS_M",
    "RING_M",
    "CameraSite",
    "camera_xy",
    "measures_frame",
    "prevented",
    "ring_points",
]

#: Radius of the treatment area R and outer radius of the displacement ring D (m).
RADIUS_M = 100.0
RING_M = 300.0


@dataclass(frozen=True)
class CameraSite:
    """One synthetic camera measure: a real place, a synthetic date and a planted effect.

    ``drop`` is the share of the incidents in R (of ``categories``, or all when empty) removed
    from ``installed`` on; ``displace`` says whether they reappear in the ring D. ``weight`` is the site's relative share of
    the incidents clustered round the camera places (lower in Huddinge centrum, busy already).
    """

    id: str
    name: str
    lat: float
    lon: float
    source: str
    installed: dt.date
    categories: tuple[str, ...] = ()
    drop: float = 0.0
    displace: bool = False
    weight: float = 1.0


_HAND = "ungefärlig, handsatt (inte inmätt)"
_ART = "huddinge_offentlig_konst_wgs84.geojson: "
_CENTRUM = 0.3
_TARGET = ("skadegorelse", "klotter", "brand", "narkotika", "hot_mot_personal")

CAMERA_SITES: tuple[CameraSite, ...] = (
    CameraSite("TK-2021-01", "Grantorp", 59.2232, 17.9510, _HAND, dt.date(2021, 3, 15), drop=0.5),
    CameraSite(
        "TK-2021-02",
        "Cykelparkeringar i Huddinge centrum",
        59.23687,
        17.97961,
        _ART + "Huddinge station",
        dt.date(2021, 4, 19),
        weight=_CENTRUM,
    ),
    CameraSite(
        "TK-2021-03",
        "Skogås centrum/torg",
        59.21750,
        18.15171,
        _ART + "Skogåstorget",
        dt.date(2021, 5, 10),
        categories=_TARGET,
        drop=0.6,
    ),
    CameraSite(
        "TK-2021-04",
        "Trångsunds torg",
        59.22779,
        18.13232,
        _ART + "Trångsunds torg",
        dt.date(2021, 6, 14),
        drop=0.5,
        displace=True,
    ),
    CameraSite(
        "TK-2021-05",
        "Cykelparkeringen vid Stuvsta station med uppgång mot Stambanevägen",
        59.2536,
        17.9963,
        _HAND,
        dt.date(2021, 8, 23),
    ),
    CameraSite(
        "TK-2021-06",
        "Visättra centrum",
        59.21673,
        17.95028,
        _ART + "Panncentralen Visättra",
        dt.date(2021, 9, 13),
    ),
    CameraSite(
        "TK-2021-07",
        "Kommunalvägen 28",
        59.2367,
        17.9839,
        _HAND,
        dt.date(2021, 10, 4),
        weight=_CENTRUM,
    ),
    CameraSite(
        "TK-2021-08",
        "Huddinge centrum",
        59.23650,
        17.98208,
        _ART + "Huddinge centrum (medel av 4)",
        dt.date(2021, 10, 18),
        weight=_CENTRUM,
    ),
    CameraSite(
        "TK-2021-09", "Segeltorps centrum", 59.2793, 17.9461, _HAND, dt.date(2021, 11, 15), drop=0.4
    ),
)


def camera_xy(*, sites: tuple[CameraSite, ...] = CAMERA_SITES) -> np.ndarray:
    """Site positions as an ``(n, 2)`` array in EPSG:3011.

    Examples
    --------
    >>> camera_xy().shape
    (9, 2)
    """
    to_local = Transformer.from_crs("EPSG:4326", WORKING_CRS, always_xy=True)
    x, y = to_local.transform([s.lon for s in sites], [s.lat for s in sites])
    return np.column_stack([x, y])


def measures_frame(*, sites: tuple[CameraSite, ...] = CAMERA_SITES) -> gpd.GeoDataFrame:
    """Return the measures table of ``trygghetskameror_2021_synthetic.gpkg`` (layer ``atgarder``).

    Columns ``id``, ``namn``, ``installerad`` (date), ``typ`` = ``kamera``, ``kategorier``
    (comma-separated category codes, empty = all), ``position_kalla``, ``syntetisk`` = true;
    points in EPSG:3011.

    Examples
    --------
    >>> frame = measures_frame()
    >>> frame.loc[2, ["namn", "kategorier"]].tolist()
    ['Skogås centrum/torg', 'skadegorelse,klotter,brand,narkotika,hot_mot_personal']
    """
    xy = camera_xy(sites=sites)
    return gpd.GeoDataFrame(
        {
            "id": [s.id for s in sites],
            "namn": [s.name for s in sites],
            "installerad": pd.to_datetime([s.installed for s in sites]).date,
            "typ": "kamera",
            "kategorier": [",".join(s.categories) for s in sites],
            "position_kalla": [s.source for s in sites],
            "syntetisk": True,
        },
        geometry=gpd.points_from_xy(xy[:, 0], xy[:, 1]),
        crs=WORKING_CRS,
    )


def prevented(
    rng: np.random.Generator,
    xy: np.ndarray,
    keys: np.ndarray,
    stamp: np.ndarray,
    *,
    sites: tuple[CameraSite, ...] = CAMERA_SITES,
) -> tuple[np.ndarray, np.ndarray]:
    """Pick the incidents a measure prevents; return ``(index, site)`` (site −1: none).

    An incident in R of a site with ``drop`` > 0, of one of its categories (all when none) and
    at or after its install date is prevented with probability ``drop``. ``stamp`` is
    ``datetime64``; ``keys`` are the category codes.

    Examples
    --------
    >>> xy = np.repeat(camera_xy()[:1], 1000, axis=0)
    >>> keys = np.full(1000, "klotter", dtype=object)
    >>> stamp = np.full(1000, np.datetime64("2022-01-01T12:00", "m"))
    >>> idx, site = prevented(np.random.default_rng(1), xy, keys, stamp)
    >>> 400 < len(idx) < 600, set(site.tolist())
    (True, {0})
    """
    site = np.full(len(xy), -1, dtype=np.int64)
    centres = camera_xy(sites=sites)
    draw = rng.random(len(xy))
    for i, s in enumerate(sites):
        if s.drop <= 0:
            continue
        near = np.hypot(xy[:, 0] - centres[i, 0], xy[:, 1] - centres[i, 1]) <= RADIUS_M
        after = stamp >= np.datetime64(s.installed, "m")
        targeted = np.isin(keys, s.categories) if s.categories else True
        site[near & after & targeted & (draw < s.drop) & (site < 0)] = i
    index = np.flatnonzero(site >= 0)
    return index, site[index]


def ring_points(
    rng: np.random.Generator, centre: np.ndarray, n: int, land: shapely.Geometry
) -> np.ndarray:
    """Draw ``n`` points uniformly (by area) on land in the ring D (105–295 m) round ``centre``.

    Examples
    --------
    >>> pts = ring_points(np.random.default_rng(1), np.zeros(2), 50, shapely.box(-500, -500, 500, 500))
    >>> d = np.hypot(pts[:, 0], pts[:, 1])
    >>> bool((d > RADIUS_M).all() and (d < RING_M).all())
    True
    """
    inner, outer = RADIUS_M + 5.0, RING_M - 5.0
    out = np.empty((0, 2))
    shapely.prepare(land)
    for _ in range(50):
        if len(out) >= n:
            break
        m = 2 * (n - len(out)) + 8
        r = np.sqrt(rng.uniform(inner**2, outer**2, m))
        a = rng.uniform(0.0, 2 * np.pi, m)
        cand = centre + np.column_stack([r * np.cos(a), r * np.sin(a)])
        out = np.concatenate([out, cand[shapely.contains_xy(land, cand[:, 0], cand[:, 1])]])
    if len(out) < n:  # no land round the centre (another geography): keep them at the centre
        out = np.concatenate([out, np.repeat(centre[None, :], n - len(out), axis=0)])
    return out[:n]
