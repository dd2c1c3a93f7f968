"""Hard cases for routing: points computed from the generated parcels, so they stay correct.

Every row has ``testfall`` (a stable code) and ``fall`` (Swedish: what it tests and what should
happen). The same rows are written three ways: EPSG:3011 ``E;N``, swapped ``X;Y`` (X = northing,
Swedish surveying convention) and WGS84 ``Lat;Long`` in cp1252.
"""

from __future__ import annotations

from collections.abc import Callable

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from pyproj import Transformer

from geomap.core.crs import WORKING_CRS

from .geography import point_array
from .parcels import ParcelSet, SharedEdge

__all__ = ["build_hard_cases"]

XSS_TEXT = "<script>alert('x')</script><b>fet</b>"
HYPERLINK_TEXT = '=HYPERLINK("http://example.com")'
CMD_TEXT = "+cmd|' /C calc'!A0"
# Real places outside Huddinge (WGS84): Sergels torg (Stockholm), Tumba centrum (Botkyrka).
_STOCKHOLM = (59.3326, 18.0649)
_TUMBA = (59.1994, 17.8333)


def build_hard_cases(
    rng: np.random.Generator,
    ps: ParcelSet,
    responsibility: gpd.GeoDataFrame,
    kommun: shapely.Geometry,
    *,
    streets: gpd.GeoDataFrame | None = None,
) -> pd.DataFrame:
    """Build the hard cases: one row per case.

    Columns ``arendenr``, ``datum``, ``kategori``, ``beskrivning``, ``plats``, ``E``, ``N``
    (EPSG:3011, NaN when empty), ``kalla``, ``testfall``, ``fall``, ``syntetisk``.

    Parameters
    ----------
    rng
        Random generator (street points).
    ps
        The generated parcels.
    responsibility
        The agreement polygons (``driftavtal``), not the street space.
    kommun
        The municipality's outline.
    streets
        The municipality's street space (:func:`geomap.demo.streets.build_streets`): the street
        cases are placed inside it, the shore case outside it.

    Examples
    --------
    >>> from geomap.demo.geography import load_geography
    >>> from geomap.demo.parcels import build_parcels
    >>> from geomap.demo.responsibility import build_responsibility
    >>> geo = load_geography()
    >>> rng = np.random.default_rng(1)
    >>> ps = build_parcels(rng, geo, n_parcels=300)
    >>> resp = build_responsibility(rng, ps.parcels)
    >>> cases = build_hard_cases(rng, ps, resp, geo.outline)
    >>> {"grans_delad_kant", "gata_kort", "narmast_strand"} <= set(cases["testfall"])
    True
    """
    parcels = ps.parcels
    geoms = parcels.geometry.to_numpy()
    owner = parcels["owner"].to_numpy()
    fastighet = parcels["fastighet"].to_numpy()
    resp_union = shapely.union_all(responsibility.geometry.to_numpy())
    plain = (
        parcels["testfall"].isna().to_numpy()
        & ~shapely.intersects(geoms, resp_union)
        & (shapely.area(geoms) > 1500.0)
    )
    town = shapely.area(geoms) < 40_000.0
    rows: list[dict[str, object]] = []

    def add(
        code: str,
        fall: str,
        xy: tuple[float, float] | None,
        *,
        kategori: str = "Skadegörelse",
        beskrivning: str = "Sönderslagen parkbänk",
        plats: str = "",
    ) -> None:
        rows.append(
            {
                "testfall": code,
                "fall": fall,
                "xy": xy,
                "kategori": kategori,
                "beskrivning": beskrivning,
                "plats": plats,
            }
        )

    def inner(own: str, k: int = 0) -> tuple[tuple[float, float], str]:
        # a town-sized parcel (not a forest) of that owner, the largest first
        for pool in (plain & town & (owner == own), plain & (owner == own), plain):
            idx = np.flatnonzero(pool)
            if len(idx):
                break
        i = int(idx[np.argsort(-shapely.area(geoms[idx]), kind="stable")][k % len(idx)])
        centre = shapely.get_point(shapely.maximum_inscribed_circle(geoms[i], 1.0), 0)
        return _xy(centre), str(fastighet[i])

    xy, fast = inner("huge_bostader")
    add(
        "agande_inne",
        f"Mitt i {fast} (Huge Bostäder AB): vanlig ägarträff, ska gå till huge_bostader.",
        xy,
        plats=fast,
    )

    if ps.shared_edges:  # always with >= 100 parcels; guard for hand-made parcel sets
        _add_boundary_cases(add, ps, geoms, owner, fastighet)

    street_union = None if streets is None else shapely.union_all(streets.geometry.to_numpy())
    for code, lo, hi in (("gata_kort", 3.0, 6.0), ("gata_lang", 8.0, 20.0)):
        pt, dist, near = _street_point(rng, ps, kommun, lo, hi, street=street_union)
        add(
            code,
            f"I gatumark (allmän plats) utanför alla fastigheter, {_sv(dist)} m från "
            f"{fastighet[near]} ({owner[near]}): kommunen är huvudman, ska gå till "
            "huddinge_kommun via driftansvar (responsibility), inte till närmaste ägare.",
            pt,
            kategori="Nedskräpning",
            beskrivning="Skräp längs gatan",
        )

    lake = ps.lakes[1] if len(ps.lakes) > 1 else ps.lakes[0]
    centre = shapely.get_point(shapely.maximum_inscribed_circle(lake, 1.0), 0)
    dist = _nearest_distance(centre, geoms)
    add(
        "sjo_utan_agare",
        f"Mitt i en sjö, {dist:.0f} m från närmaste fastighet (mer än 25 m): ska bli unrouted.",
        _xy(centre),
        kategori="Nedskräpning",
        beskrivning="Flytande skräp i sjön",
    )
    shore = _shore_point(ps, street_union)
    if shore is not None:
        pt, dist, near = shore
        add(
            "narmast_strand",
            f"I sjön nära stranden, utanför gatumarken, {_sv(dist)} m från {fastighet[near]} "
            f"({owner[near]}): ska gå till närmaste ägare (nearest) inom 25 m.",
            pt,
            kategori="Nedskräpning",
            beskrivning="Skräp i vattnet vid stranden",
        )

    to_local = Transformer.from_crs("EPSG:4326", WORKING_CRS, always_xy=True)
    sthlm = to_local.transform(_STOCKHOLM[1], _STOCKHOLM[0])
    tumba = to_local.transform(_TUMBA[1], _TUMBA[0])
    add(
        "utanfor_stockholm",
        "Sergels torg i Stockholm, utanför kommunen: unrouted, outside_extent.",
        (round(sthlm[0], 3), round(sthlm[1], 3)),
        kategori="Klotter",
        beskrivning="Klotter på fasad",
        plats="Sergels torg, Stockholm",
    )
    add(
        "utanfor_botkyrka",
        "Tumba centrum i Botkyrka, utanför kommunen: unrouted, outside_extent.",
        (round(tumba[0], 3), round(tumba[1], 3)),
        kategori="Klotter",
        beskrivning="Klotter på fasad",
        plats="Tumba centrum, Botkyrka",
    )
    near_border = _just_outside(kommun, shapely.Point(tumba), geoms)
    add(
        "utanfor_nara_gransen",
        "Strax utanför kommungränsen mot Botkyrka, mer än 25 m från alla fastigheter: unrouted.",
        near_border,
        kategori="Nedskräpning",
        beskrivning="Dumpade sopsäckar",
    )

    if len(responsibility):
        r0 = responsibility.iloc[0]
        centre = shapely.get_point(shapely.maximum_inscribed_circle(r0.geometry, 1.0), 0)
        add(
            "driftansvar",
            f"Inom driftansvarsytan på {r0['fastighet']} (ägs av {r0['markagare']}): "
            f"ska gå till {r0['owner']} enligt avtal, inte till markägaren.",
            _xy(centre),
            kategori="Igenväxt buskage",
            beskrivning="Buskage skymmer gångvägen",
            plats=str(r0["fastighet"]),
        )

    xy, fast = inner("huge_bostader", 1)
    add(
        "regel_belysning",
        f"Trasig belysning på {fast} (Huge): kategoriregeln skickar den till "
        "huddinge_kommun_belysning oavsett markägare.",
        xy,
        kategori="Trasig belysning",
        beskrivning="Släckt gatubelysning på gångvägen",
        plats=fast,
    )
    xy, fast = inner("privat")
    add(
        "regel_elskap",
        f"Klotter på elskåp på {fast} (privat): kategoriregeln (match elskåp) skickar den "
        "till ellevio.",
        xy,
        kategori="Klotter",
        beskrivning="Klotter på elskåp vid gångvägen",
        plats=fast,
    )

    if len(ps.overlap_points):
        ov = ps.overlap_points[0]
        add(
            "overlapp",
            "I en avsiktlig överlappning mellan två ägares polygoner: ska flaggas overlap, "
            "lägst priority vinner.",
            (round(float(ov[0]), 3), round(float(ov[1]), 3)),
        )
    bx, by = ps.bowtie_point
    add(
        "fluga_reparerad",
        "Inne i den självkorsande bryggpolygonen (fluga) i sjön: ägarskiktet ska repareras "
        "(make_valid) och punkten gå till huddinge_kommun; utan reparation blir den unrouted.",
        (round(bx, 3), round(by, 3)),
        kategori="Nedskräpning",
        beskrivning="Skräp på bryggan",
    )
    add("tomma_koordinater", "Raden saknar koordinater: ska bli unrouted med en förklaring.", None)

    xy, fast = inner("huddinge_kommun")
    add(
        "html_i_text",
        "Beskrivningen innehåller HTML/skript: ska visas som text, aldrig köras.",
        xy,
        kategori="Klotter",
        beskrivning=XSS_TEXT,
        plats=fast,
    )
    xy, fast = inner("huddinge_kommun", 1)
    add(
        "formel_hyperlink",
        "Beskrivningen börjar med = (formel): ska neutraliseras i CSV/Excel-utdata.",
        xy,
        beskrivning=HYPERLINK_TEXT,
        plats=fast,
    )
    xy, fast = inner("huddinge_samhallsfastigheter")
    add(
        "formel_cmd",
        "Beskrivningen börjar med + (formel): ska neutraliseras i CSV/Excel-utdata.",
        xy,
        beskrivning=CMD_TEXT,
        plats=fast,
    )
    xy, fast = inner("privat", 1)
    add(
        "okand_kategori",
        "Okänd kategori (Övergiven cykel): ska flaggas unknown_category men ändå gå till ägaren.",
        xy,
        kategori="Övergiven cykel",
        beskrivning="Cykel utan ägare sedan flera veckor",
        plats=fast,
    )

    n = len(rows)
    xy_arr = np.array([r["xy"] if r["xy"] is not None else (np.nan, np.nan) for r in rows])
    return pd.DataFrame(
        {
            "arendenr": [f"SF-{i:02d}" for i in range(1, n + 1)],
            "datum": [
                f"2025-06-{1 + i // 4:02d} {10 + i % 4 * 2:02d}:{(7 * i) % 60:02d}"
                for i in range(n)
            ],
            "kategori": [r["kategori"] for r in rows],
            "beskrivning": [r["beskrivning"] for r in rows],
            "plats": [r["plats"] for r in rows],
            "E": np.round(xy_arr[:, 0], 3),
            "N": np.round(xy_arr[:, 1], 3),
            "kalla": "lägesbild",
            "testfall": [r["testfall"] for r in rows],
            "fall": [r["fall"] for r in rows],
            "syntetisk": "ja",
        }
    )


def _sv(value: float) -> str:
    """Return a length with one decimal and a decimal comma (Swedish)."""
    return f"{value:.1f}".replace(".", ",")


def _nearest_distance(point: shapely.Geometry, geoms: np.ndarray) -> float:
    """Distance from ``point`` to the nearest of ``geoms`` (invalid ones repaired first)."""
    tree = shapely.STRtree(shapely.make_valid(geoms))
    _, dist = tree.query_nearest(point, return_distance=True)
    return float(dist[0])


def _add_boundary_cases(
    add: Callable[..., None],
    ps: ParcelSet,
    geoms: np.ndarray,
    owner: np.ndarray,
    fastighet: np.ndarray,
) -> None:
    """Return the two boundary rows: on a shared edge, and 0.5 m inside one owner from another."""
    e0 = ps.shared_edges[0]
    line = np.round(shapely.get_coordinates(e0.line), 3)
    on_edge = line[1] if len(line) > 2 else np.round(line[:2].mean(axis=0), 3)
    add(
        "grans_delad_kant",
        f"Exakt på gemensam gräns mellan {fastighet[e0.left]} ({owner[e0.left]}) och "
        f"{fastighet[e0.right]} ({owner[e0.right]}): ska flaggas boundary med båda som kandidater.",
        (float(on_edge[0]), float(on_edge[1])),
        plats=str(fastighet[e0.left]),
    )

    e1 = ps.shared_edges[min(1, len(ps.shared_edges) - 1)]
    inside, into = _offset_into(e1, geoms, 0.5)
    add(
        "grans_inom_1m",
        f"0,5 m in i {fastighet[into]} ({owner[into]}), under 1 m från "
        f"{fastighet[e1.right if into == e1.left else e1.left]} "
        f"({owner[e1.right if into == e1.left else e1.left]}): ägarträff men flaggas boundary.",
        inside,
        plats=str(fastighet[into]),
    )


def _xy(point: shapely.Geometry) -> tuple[float, float]:
    x, y = shapely.get_coordinates(point)[0]
    return round(float(x), 3), round(float(y), 3)


def _offset_into(
    edge: SharedEdge, geoms: np.ndarray, offset: float
) -> tuple[tuple[float, float], int]:
    """Return a point ``offset`` m from the middle of a shared edge, inside one of the two parcels."""
    line = edge.line
    mid = shapely.line_interpolate_point(line, 0.5, normalized=True)
    a = shapely.line_interpolate_point(line, max(0.0, shapely.line_locate_point(line, mid) - 0.5))
    b = shapely.line_interpolate_point(line, shapely.line_locate_point(line, mid) + 0.5)
    (ax, ay), (bx, by) = shapely.get_coordinates(a)[0], shapely.get_coordinates(b)[0]
    nx, ny = -(by - ay), bx - ax
    norm = float(np.hypot(nx, ny)) or 1.0
    mx, my = shapely.get_coordinates(mid)[0]
    for sign in (1.0, -1.0):
        px, py = round(mx + sign * offset * nx / norm, 3), round(my + sign * offset * ny / norm, 3)
        for i in (edge.left, edge.right):
            if shapely.contains_xy(geoms[i], px, py):
                return (px, py), i
    return (round(mx, 3), round(my, 3)), edge.left


def _street_point(
    rng: np.random.Generator,
    ps: ParcelSet,
    kommun: shapely.Geometry,
    lo: float,
    hi: float,
    *,
    street: shapely.Geometry | None = None,
) -> tuple[tuple[float, float], float, int]:
    """Return a point in street space ``lo``–``hi`` m from the nearest parcel, one owner within reach.

    With ``street`` the point lies inside it and the nearest parcel is not the municipality's (so
    routing by responsibility visibly differs from routing to the nearest owner).
    """
    geoms = ps.parcels.geometry.to_numpy()
    owner = ps.parcels["owner"].to_numpy()
    ok_parcel = ps.parcels["testfall"].isna().to_numpy()
    if street is not None:
        ok_parcel = ok_parcel & (owner != "huddinge_kommun")
        shapely.prepare(street)
    tree = shapely.STRtree(geoms)
    inner_kommun = shapely.buffer(kommun, -40.0)
    lakes = shapely.buffer(shapely.union_all(ps.lakes), 40.0)
    best: tuple[tuple[float, float], float, int] | None = None
    for target_lo in (lo, 3.0):
        base = rng.choice(np.flatnonzero(ok_parcel), size=4000)
        on_edge = shapely.line_interpolate_point(
            shapely.get_exterior_ring(shapely.get_geometry(geoms[base], 0)),
            rng.random(len(base)),
            normalized=True,
        )
        ang = rng.uniform(0, 2 * np.pi, len(base))
        step = rng.uniform(target_lo, hi, len(base))
        xy = (
            shapely.get_coordinates(on_edge)
            + np.column_stack([np.cos(ang), np.sin(ang)]) * step[:, None]
        )
        pts = point_array(xy)
        inside_any = np.zeros(len(pts), dtype=np.bool_)
        hit_pt, _ = tree.query(pts, predicate="intersects")
        inside_any[hit_pt] = True
        keep = ~inside_any & shapely.contains_xy(inner_kommun, xy[:, 0], xy[:, 1])
        keep &= ~shapely.contains_xy(lakes, xy[:, 0], xy[:, 1])
        if street is not None:
            keep &= shapely.contains_xy(street, xy[:, 0], xy[:, 1])
        idx_pt, idx_near = tree.query_nearest(pts[keep], all_matches=False, return_distance=False)
        cand = np.flatnonzero(keep)[idx_pt]
        dist = shapely.distance(pts[cand], geoms[idx_near])
        good = (dist >= target_lo) & (dist <= hi)
        # unambiguous: every parcel within dist + 3 m has the same owner
        for c, d, near in zip(cand[good], dist[good], idx_near[good], strict=True):
            reach = tree.query(pts[c], predicate="dwithin", distance=float(d) + 3.0)
            if len(set(owner[reach])) == 1 and ok_parcel[near]:
                best = ((round(float(xy[c, 0]), 3), round(float(xy[c, 1]), 3)), float(d), int(near))
                break
        if best is not None:
            return best
    msg = "no street point found between parcels; use more parcels (`parcels`)"
    raise RuntimeError(msg)


def _just_outside(
    kommun: shapely.Geometry, towards: shapely.Geometry, geoms: np.ndarray
) -> tuple[float, float]:
    """Return a point outside the municipality, between 100 and 400 m beyond its boundary."""
    edge = shapely.get_coordinates(shapely.shortest_line(shapely.boundary(kommun), towards))
    (x0, y0), (x1, y1) = edge[0], edge[-1]
    length = float(np.hypot(x1 - x0, y1 - y0)) or 1.0
    for d in (150.0, 250.0, 400.0):
        px, py = x0 + (x1 - x0) * d / length, y0 + (y1 - y0) * d / length
        pt = shapely.Point(px, py)
        if not shapely.contains(kommun, pt) and _nearest_distance(pt, geoms) > 60.0:
            return round(px, 3), round(py, 3)
    return round(px, 3), round(py, 3)


def _shore_point(
    ps: ParcelSet, street: shapely.Geometry | None, *, depth: float = 5.0, hi: float = 20.0
) -> tuple[tuple[float, float], float, int] | None:
    """Return a point ``depth`` m out in a lake, at most ``hi`` m from one owner's parcel.

    The point lies outside the parcels and outside ``street`` (water is no street space), so it
    is a real gap: routing must fall back to the nearest owner. The nearest such point on the
    last lake's shore is taken (no randomness); None when no shore is near enough to a parcel.
    """
    geoms = shapely.make_valid(ps.parcels.geometry.to_numpy())
    owner = ps.parcels["owner"].to_numpy()
    ok_parcel = ps.parcels["testfall"].isna().to_numpy()
    tree = shapely.STRtree(geoms)
    for lake in ps.lakes[::-1]:
        inner = shapely.buffer(lake, -depth)
        if shapely.is_empty(inner):
            continue
        rings = shapely.get_exterior_ring(shapely.get_parts(inner))
        pts = shapely.line_interpolate_point(
            rings[:, None], np.linspace(0.0, 1.0, 720, endpoint=False)[None, :], normalized=True
        ).ravel()
        keep = np.ones(len(pts), dtype=np.bool_)
        keep[tree.query(pts, predicate="intersects")[0]] = False
        if street is not None:
            keep &= ~shapely.intersects(pts, street)
        idx_pt, near = tree.query_nearest(pts[keep], all_matches=False)
        cand = np.flatnonzero(keep)[idx_pt]
        dist = shapely.distance(pts[cand], geoms[near])
        for i in np.argsort(dist, kind="stable"):
            if dist[i] > hi:
                break
            reach = tree.query(pts[cand[i]], predicate="dwithin", distance=float(dist[i]) + 3.0)
            if ok_parcel[near[i]] and len(set(owner[reach])) == 1:
                return _xy(pts[cand[i]]), float(dist[i]), int(near[i])
    return None
