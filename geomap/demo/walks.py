"""Synthetic safety-walk protocols (*trygghetsvandringar*): three walks, about 60 remarks.

Each walk follows a wandering route from a real centre; at every stop a remark is written with a
wished action and the landowner *as written by hand in the protocol*: usually right, sometimes
wrong and sometimes "okänd". The layer is in SWEREF 99 TM (EPSG:3006) on purpose.

Every row also carries its walk's metadata, as a walk protocol's header gives it: the start time
(``tid``, so the remark's timestamp is the walk's date and time), the organiser (``arrangor``)
and the participating organisations (``organisationer``, ``;``-separated). Organisations only:
no private person's name is ever written. Stops 7 and 14 of each walk are positive remarks
(category "Positivt": what works and should be kept), as real protocols note them too.
"""

from __future__ import annotations

from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import shapely

from geomap.core.crs import WORKING_CRS

from .geography import point_array

__all__ = ["POSITIVE_CATEGORY", "POSITIVE_STOPS", "WALKS", "WALK_CRS", "Walk", "build_walks"]

WALK_CRS = "EPSG:3006"


#: The category a walker writes for a positive remark (kept in the protocol like any other).
POSITIVE_CATEGORY = "Positivt"
#: Stop numbers of each walk that are positive remarks.
POSITIVE_STOPS = (7, 14)

_MUNICIPALITY = "Huddinge kommun"
_POLICE = "Polisen"
_FIRE = "Södertörns brandförsvarsförbund"
_HUGE = "Huge Bostäder AB"
_HSF = "Huddinge Samhällsfastigheter AB"


@dataclass(frozen=True)
class Walk:
    """One walk: id, date, place name, start (WGS84), start time, organiser, organisations."""

    walk_id: str
    date: str
    place: str
    lat: float
    lon: float
    time: str = ""
    organiser: str = ""
    organisations: tuple[str, ...] = ()


WALKS: tuple[Walk, ...] = (
    Walk(
        "TV-2025-01", "2025-04-23", "Flemingsbergs centrum", 59.2223, 17.9379, "19:00",
        f"{_MUNICIPALITY}, trygghetssamordnare", (_MUNICIPALITY, _POLICE, _HUGE, _HSF),
    ),
    Walk(
        "TV-2025-02", "2025-09-17", "Vårby gård", 59.2646, 17.8830, "19:30",
        f"{_MUNICIPALITY}, trygghetssamordnare", (_MUNICIPALITY, _POLICE, _FIRE, _HUGE),
    ),
    Walk(
        "TV-2025-03", "2025-10-08", "Skogås centrum", 59.2175, 18.1517, "18:30",
        _HUGE, (_HUGE, _MUNICIPALITY, _HSF, "Skogås Företagarförening"),
    ),
)  # fmt: skip

# (remark, wished action) of the positive stops
_POSITIVE: tuple[tuple[str, str], ...] = (
    ("Ny belysning vid lekplatsen, känns tryggt", "Behåll och sköt om belysningen"),
    ("Öppen och välskött park med god insyn", "Behåll skötselnivån"),
)

# (kategori as written, remark, wished action)
_REMARKS: tuple[tuple[str, str, str], ...] = (
    (
        "Belysning",
        "Mörkt längs gångvägen, två lampor trasiga",
        "Byt armaturer, se över belysningen",
    ),
    ("Belysning", "Gångtunneln är mörk på kvällen", "Förstärk belysningen i tunneln"),
    ("Vegetation", "Buskage skymmer sikten mot lekplatsen", "Beskär buskaget till 60 cm"),
    ("Vegetation", "Igenväxt slänt, känns instängt", "Röj sly i slänten"),
    ("Klotter", "Klotter på elskåp vid entrén", "Sanera klottret"),
    ("Klotter", "Tags på bänkar och soptunnor", "Sanera klottret"),
    ("Nedskräpning", "Skräp och fimpar vid sittplatsen", "Tätare tömning, fler papperskorgar"),
    ("Skymd sikt", "Plank skymmer sikten vid övergången", "Sänk planket eller flytta det"),
    ("Trasig utrustning", "Trasig bänk och gunga", "Laga eller byt ut"),
    ("Otrygg passage", "Smal passage utan insyn", "Öppna upp, bättre belysning"),
    ("Trafik", "Mopeder kör fort på gång- och cykelvägen", "Farthinder eller bommar"),
    ("Övrigt", "Saknas skyltning mot stationen", "Sätt upp vägvisning"),
)

# How the protocol writes each owner, and the owners a volunteer may confuse it with.
_WRITTEN = {
    "huddinge_kommun": "Kommunen",
    "huge_bostader": "Huge",
    "huddinge_samhallsfastigheter": "Samhällsfastigheter",
    "trafikverket": "Trafikverket",
    "privat": "Privat",
}


def build_walks(
    rng: np.random.Generator,
    parcels: gpd.GeoDataFrame,
    land: shapely.Geometry,
    *,
    per_walk: int = 20,
) -> gpd.GeoDataFrame:
    """Three walks with ``per_walk`` remarks each, in EPSG:3006.

    Examples
    --------
    >>> from geomap.demo.geography import load_geography
    >>> from geomap.demo.parcels import build_parcels
    >>> geo = load_geography()
    >>> ps = build_parcels(np.random.default_rng(1), geo, n_parcels=300)
    >>> walks = build_walks(np.random.default_rng(1), ps.parcels, ps.land, per_walk=4)
    >>> len(walks), walks.crs.to_epsg()
    (12, 3006)
    """
    from pyproj import Transformer

    to_local = Transformer.from_crs("EPSG:4326", WORKING_CRS, always_xy=True)
    shapely.prepare(land)
    xy_all: list[np.ndarray] = []
    cols: dict[str, list[object]] = {
        k: []
        for k in (
            "vandring_id",
            "vandringsdatum",
            "tid",
            "plats",
            "arrangor",
            "organisationer",
            "nr",
        )
    }
    for walk in WALKS:
        start = np.array(to_local.transform(walk.lon, walk.lat))
        xy = _route(rng, land, start, per_walk)
        xy_all.append(xy)
        cols["vandring_id"] += [walk.walk_id] * per_walk
        cols["vandringsdatum"] += [walk.date] * per_walk
        cols["tid"] += [walk.time] * per_walk
        cols["plats"] += [walk.place] * per_walk
        cols["arrangor"] += [walk.organiser] * per_walk
        cols["organisationer"] += ["; ".join(walk.organisations)] * per_walk
        cols["nr"] += list(range(1, per_walk + 1))
    xy = np.concatenate(xy_all)
    n = len(xy)
    pick = rng.integers(0, len(_REMARKS), size=n)
    remarks = np.array(_REMARKS, dtype=object)[pick]
    remarks = _with_positive(remarks, np.asarray(cols["nr"]))
    written = _protocol_owner(rng, parcels, xy)
    frame = gpd.GeoDataFrame(
        {
            **cols,
            "kategori": remarks[:, 0],
            "anmarkning": remarks[:, 1],
            "onskad_atgard": remarks[:, 2],
            "markagare_enligt_protokoll": written,
            "kalla": "trygghetsvandring",
            "syntetisk": "ja",
        },
        geometry=point_array(xy),
        crs=WORKING_CRS,
    )
    frame["nr"] = frame["nr"].astype("int32")
    return frame.to_crs(WALK_CRS)


def _with_positive(remarks: np.ndarray, numbers: np.ndarray) -> np.ndarray:
    """Make the stops of :data:`POSITIVE_STOPS` positive remarks (no random draw: others stay)."""
    out = remarks.copy()
    for k, stop in enumerate(POSITIVE_STOPS):
        text, action = _POSITIVE[k % len(_POSITIVE)]
        out[numbers == stop] = (POSITIVE_CATEGORY, text, action)
    return out


def _route(
    rng: np.random.Generator, land: shapely.Geometry, start: np.ndarray, n: int
) -> np.ndarray:
    """Return a wandering route of ``n`` stops, 30–70 m apart, that stays on land."""
    pts = np.empty((n, 2))
    here, heading = start.copy(), rng.uniform(0, 2 * np.pi)
    for i in range(n):  # ~20 stops per walk: tiny, not a hot path
        for _ in range(20):
            turn = heading + rng.normal(0, 0.7)
            step = rng.uniform(30, 70)
            nxt = here + step * np.array([np.cos(turn), np.sin(turn)])
            if shapely.contains_xy(land, nxt[0], nxt[1]):
                here, heading = nxt, turn
                break
            heading += np.pi / 2
        pts[i] = here
    return pts


def _protocol_owner(
    rng: np.random.Generator, parcels: gpd.GeoDataFrame, xy: np.ndarray
) -> np.ndarray:
    """Return the owner as a volunteer writes it: right 75 %, wrong 15 %, "okänd" 10 %."""
    owner = parcels["owner"].to_numpy()
    tree = shapely.STRtree(parcels.geometry.to_numpy())
    pts = point_array(xy)
    idx_pt, idx_parcel = tree.query_nearest(pts, all_matches=False)
    true = np.full(
        len(xy), "huddinge_kommun", dtype=object
    )  # street space: usually kommunal gatumark
    dist = shapely.distance(pts[idx_pt], parcels.geometry.to_numpy()[idx_parcel])
    true[idx_pt[dist < 3.0]] = owner[idx_parcel[dist < 3.0]]
    pool = np.array(list(_WRITTEN.values()), dtype=object)
    right = np.array([list(_WRITTEN).index(o) for o in true], dtype=np.int64)
    n = len(xy)
    n_unknown, n_wrong = max(1, round(0.10 * n)), max(1, round(0.15 * n))
    perm = rng.permutation(n)
    # a wrong owner is never the right one: shift the index by 1 … len(pool) - 1
    shift = rng.integers(1, len(pool), size=n)
    written = pool[right]
    wrong = perm[n_unknown : n_unknown + n_wrong]
    written[wrong] = pool[(right[wrong] + shift[wrong]) % len(pool)]
    written[perm[:n_unknown]] = "okänd"
    return written.astype(object)
