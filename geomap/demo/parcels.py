"""Synthetic owner parcels covering Huddinge: blocks, streets, lakes, parcels and owners.

Construction (all vectorised with shapely 2):

1. parcel seeds are drawn inside the municipality, denser in built-up RegSO;
2. their Voronoi cells are grouped into blocks (each seed joins the nearest of a random subset);
3. each block is shrunk by half a street width (3–6 m, main streets 10 m), so the space between
   blocks is *not* covered by parcels: street space, which :mod:`geomap.demo.streets` turns into
   the municipality's street and square polygons (a responsibility, not ownership);
4. parcels are the Voronoi cells clipped to their shrunk block, so neighbours in a block share
   edges;
5. a few synthetic lakes (more than 60 m wide) are cut out and a 40 m state-road corridor
   (roughly the E4/E20 through Kungens kurva and Vårby) becomes Trafikverket's;
6. land use and owner follow the RegSO zoning in :mod:`geomap.demo.zones`;
7. three deliberate overlaps and one self-intersecting (bow-tie) polygon are added on purpose.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from pyproj import Transformer

from geomap.core.crs import WORKING_CRS

from .geography import Geography, point_array, sample_in_polygons
from .zones import LAND_USE_OWNER, block_land_use, parcel_land_use, profile_for, trakt_for

__all__ = ["ParcelSet", "SharedEdge", "build_parcels"]

_GRID = 0.001  # coordinates are snapped to whole millimetres
_PARCELS_PER_BLOCK = 4.0
_MIN_PARCEL_AREA = 25.0
_CORRIDOR_HALF_WIDTH = 20.0
# Roughly where the E4/E20 runs through Huddinge's west side (WGS84 lat, lon): synthetic line.
_E4_LINE = (
    (59.2760, 17.9420),
    (59.2700, 17.9230),
    (59.2635, 17.8971),
    (59.2575, 17.8790),
    (59.2480, 17.8600),
)
# Synthetic lakes: (RegSO, radius m). Placed at the RegSO's most inland point.
_LAKES = (("Gladö-Lissma", 380.0), ("Högmora-Vidja-Ågesta", 260.0), ("Sjödalen södra", 170.0))
_BOWTIE_HALF = 15.0


@dataclass(frozen=True)
class SharedEdge:
    """Two parcels of different owners sharing a boundary line (before the deliberate errors)."""

    left: int
    right: int
    line: shapely.LineString | shapely.MultiLineString


@dataclass(frozen=True)
class ParcelSet:
    """The generated parcels plus what the hard cases need to know about them.

    Attributes
    ----------
    parcels : geopandas.GeoDataFrame
        Columns ``owner``, ``fastighet``, ``markanvandning``, ``testfall``, ``syntetisk``,
        ``regso``; EPSG:3011; one bow-tie row is invalid on purpose.
    lakes : numpy.ndarray
        Lake polygons (uncovered water).
    land : shapely.Geometry
        Municipality minus lakes.
    corridor : shapely.Geometry
        The state-road corridor (Trafikverket's road parcels lie inside it).
    shared_edges : list of SharedEdge
        Edges between parcels of different owners, longest first, none touching a deliberate case.
    overlap_points : numpy.ndarray
        ``(k, 2)`` points inside each deliberate overlap.
    bowtie_point : tuple of float
        A point inside one triangle of the bow-tie.
    """

    parcels: gpd.GeoDataFrame
    lakes: np.ndarray
    land: shapely.Geometry
    corridor: shapely.Geometry
    shared_edges: list[SharedEdge]
    overlap_points: np.ndarray
    bowtie_point: tuple[float, float]


def build_parcels(rng: np.random.Generator, geo: Geography, *, n_parcels: int = 2000) -> ParcelSet:
    """Build about ``n_parcels`` synthetic owner parcels over the municipality.

    Examples
    --------
    >>> from geomap.demo.geography import load_geography
    >>> ps = build_parcels(np.random.default_rng(1), load_geography(), n_parcels=300)
    >>> sorted(ps.parcels["owner"].unique())[:2]
    ['huddinge_kommun', 'huddinge_samhallsfastigheter']
    """
    kommun = geo.outline
    lakes = _lakes(rng, geo)
    land = shapely.difference(kommun, shapely.union_all(lakes)) if len(lakes) else kommun
    names = geo.districts["name"].to_numpy().astype(str)
    zones = shapely.intersection(geo.districts.geometry.to_numpy(), land)
    weight = shapely.area(zones) * np.array([profile_for(n).density for n in names])
    counts = rng.multinomial(n_parcels, weight / weight.sum())
    seeds, seed_zone = sample_in_polygons(rng, zones, counts)

    cells = _voronoi_cells(seeds, kommun)
    n_blocks = max(1, round(len(seeds) / _PARCELS_PER_BLOCK))
    centre_idx = np.sort(rng.choice(len(seeds), size=n_blocks, replace=False))
    tree = shapely.STRtree(point_array(seeds[centre_idx]))
    _, nearest = tree.query_nearest(point_array(seeds), all_matches=False)
    block_of = np.asarray(nearest, dtype=np.int64)

    blocks = _union_by_group(cells, block_of, n_blocks)
    blocks = shapely.intersection(blocks, land)
    block_zone = seed_zone[centre_idx]
    half_street = rng.uniform(3.0, 6.0, n_blocks)
    half_street[rng.random(n_blocks) < 0.08] = 10.0  # main streets: 20 m between such blocks
    corridor = _corridor(kommun, lakes)
    built, road, road_block = _split_corridor(blocks, corridor)
    shrunk = shapely.buffer(built, -half_street, join_style="mitre", mitre_limit=3.0)

    geoms = _polygonal(shapely.intersection(cells, shrunk[block_of], grid_size=_GRID))
    block_use = block_land_use(rng, names[block_zone])
    use = parcel_land_use(rng, block_use[block_of])
    geoms = np.concatenate([geoms, road])
    block_of = np.concatenate([block_of, road_block])
    use = np.concatenate([use, np.full(len(road), "vägområde", dtype=object)])

    geoms = shapely.set_precision(geoms, _GRID)
    keep = ~shapely.is_empty(geoms) & (shapely.area(geoms) >= _MIN_PARCEL_AREA)
    geoms, block_of, use = geoms[keep], block_of[keep], use[keep]
    owner = np.array([LAND_USE_OWNER[u] for u in use], dtype=object)

    frame = gpd.GeoDataFrame(
        {
            "owner": owner,
            "fastighet": _designations(block_of, names[block_zone]),
            "markanvandning": use,
            "testfall": np.full(len(geoms), None, dtype=object),
            "syntetisk": "ja",
            "regso": names[_district_of(geo, geoms)],
        },
        geometry=geoms,
        crs=WORKING_CRS,
    )
    edges = _shared_edges(frame)
    frame, overlap_points, used = _add_overlaps(frame, edges)
    edges = [e for e in edges if e.left not in used and e.right not in used]
    frame, bowtie_point = _add_bowtie(frame, lakes, geo)
    return ParcelSet(
        parcels=frame,
        lakes=lakes,
        land=land,
        corridor=corridor,
        shared_edges=edges,
        overlap_points=overlap_points,
        bowtie_point=bowtie_point,
    )


def _lakes(rng: np.random.Generator, geo: Geography) -> np.ndarray:
    """Irregular synthetic lakes at the most inland point of some RegSO (at least one)."""
    names = geo.districts["name"].to_numpy().astype(str)
    places = [
        (geo.districts.geometry.iloc[int(np.flatnonzero(names == n)[0])], r)
        for n, r in _LAKES
        if n in names
    ]
    if not places:
        places = [(geo.outline, 250.0)]
    lakes = []
    angles = np.linspace(0.0, 2 * np.pi, 48, endpoint=False)
    for area, radius in places:
        circle = shapely.maximum_inscribed_circle(area, 1.0)
        cx, cy = shapely.get_coordinates(circle)[0]
        r = min(radius, 0.6 * shapely.length(circle))
        # smooth radial noise: a few low harmonics, never below 80 % of r
        wobble = sum(
            rng.uniform(-0.06, 0.06) * np.cos(k * angles + rng.uniform(0, 6.3)) for k in (2, 3, 5)
        )
        rr = r * (1.0 + np.clip(wobble, -0.2, 0.2))
        ring = np.column_stack([cx + rr * np.cos(angles), cy + rr * np.sin(angles)])
        lakes.append(shapely.intersection(shapely.polygons(ring), geo.outline))
    return np.array(lakes, dtype=object)


def _voronoi_cells(seeds: np.ndarray, kommun: shapely.Geometry) -> np.ndarray:
    """Voronoi cell of every seed, in seed order."""
    extent = shapely.buffer(shapely.envelope(kommun), 2000.0)
    vor = shapely.voronoi_polygons(shapely.multipoints(seeds), extend_to=extent, ordered=True)
    return shapely.get_parts(vor)


def _union_by_group(geoms: np.ndarray, group: np.ndarray, n_groups: int) -> np.ndarray:
    """Coverage union of ``geoms`` per group id (a loop over blocks, not over points)."""
    order = np.argsort(group, kind="stable")
    bounds = np.searchsorted(group[order], np.arange(n_groups + 1))
    out = np.empty(n_groups, dtype=object)
    for g in range(n_groups):
        members = geoms[order[bounds[g] : bounds[g + 1]]]
        out[g] = members[0] if len(members) == 1 else shapely.coverage_union_all(members)
    return out


def _polygonal(geoms: np.ndarray) -> np.ndarray:
    """Keep only the polygon parts (> 1 m²) of each geometry; empty ones become empty polygons."""
    parts, idx = shapely.get_parts(geoms, return_index=True)
    ok = (shapely.get_type_id(parts) == 3) & (shapely.area(parts) > 1.0)
    parts, idx = parts[ok], idx[ok]
    out = np.full(len(geoms), shapely.Polygon(), dtype=object)
    if len(parts):
        ids, dense = np.unique(idx, return_inverse=True)
        multi = shapely.multipolygons(parts, indices=dense)
        n_parts = np.bincount(dense, minlength=len(ids))
        single = shapely.get_geometry(multi, 0)
        out[ids] = np.where(n_parts == 1, single, multi)
    return out


def _corridor(kommun: shapely.Geometry, lakes: np.ndarray) -> shapely.Geometry:
    """Return the state-road corridor (40 m wide) inside the municipality, minus lakes."""
    to_local = Transformer.from_crs("EPSG:4326", WORKING_CRS, always_xy=True)
    lat, lon = np.array(_E4_LINE).T
    x, y = to_local.transform(lon, lat)
    line = shapely.linestrings(np.column_stack([x, y]))
    band: Any = shapely.buffer(line, _CORRIDOR_HALF_WIDTH, cap_style="flat", join_style="mitre")
    band = shapely.intersection(band, kommun)
    if len(lakes):
        band = shapely.difference(band, shapely.union_all(lakes))
    return band


def _split_corridor(
    blocks: np.ndarray, corridor: shapely.Geometry
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Take the road corridor out of the blocks.

    Returns the blocks without it, one road parcel per block the corridor crosses, and that
    block's index.

    The parcels are later shrunk away from the road like from any street, so road parcels and
    other parcels never overlap.
    """
    if shapely.is_empty(corridor):
        return blocks, np.empty(0, dtype=object), np.empty(0, dtype=np.int64)
    shapely.prepare(corridor)
    crossed = np.flatnonzero(shapely.intersects(corridor, blocks))
    built = blocks.copy()
    built[crossed] = _polygonal(shapely.difference(blocks[crossed], corridor, grid_size=_GRID))
    road = _polygonal(shapely.intersection(blocks[crossed], corridor, grid_size=_GRID))
    ok = shapely.area(road) >= 200.0
    return built, road[ok], crossed[ok]


def _designations(block_of: np.ndarray, block_district: np.ndarray) -> np.ndarray:
    """Fake property designations ``Synt-<trakt> <block>:<unit>``, unique."""
    trakt = np.array([trakt_for(str(n)) for n in block_district], dtype=object)
    frame = pd.DataFrame({"block": block_of, "trakt": trakt[block_of]})
    block_no = (
        frame.drop_duplicates("block")
        .sort_values("block")
        .assign(no=lambda f: f.groupby("trakt").cumcount() + 1)
        .set_index("block")["no"]
    )
    unit = frame.groupby("block").cumcount() + 1
    return (
        "Synt-"
        + frame["trakt"]
        + " "
        + frame["block"].map(block_no).astype(str)
        + ":"
        + unit.astype(str)
    ).to_numpy(dtype=object)


def _district_of(geo: Geography, geoms: np.ndarray) -> np.ndarray:
    """Index of the RegSO holding each geometry's representative point (nearest if none)."""
    pts = shapely.point_on_surface(geoms)
    tree = shapely.STRtree(geo.districts.geometry.to_numpy())
    _, idx = tree.query_nearest(pts, all_matches=False)
    return np.asarray(idx, dtype=np.int64)


def _shared_edges(frame: gpd.GeoDataFrame) -> list[SharedEdge]:
    """Boundaries longer than 15 m between parcels of different owners, longest first."""
    geoms = frame.geometry.to_numpy()
    owner = frame["owner"].to_numpy()
    tree = shapely.STRtree(geoms)
    left, right = tree.query(geoms, predicate="intersects")
    sel = (left < right) & (owner[left] != owner[right])
    left, right = left[sel], right[sel]
    lines = shapely.intersection(
        shapely.boundary(geoms[left]), shapely.boundary(geoms[right]), grid_size=_GRID
    )
    lines = shapely.line_merge(lines)
    length = shapely.length(lines)
    ok = length > 15.0
    order = np.argsort(-length[ok], kind="stable")
    return [
        SharedEdge(int(a), int(b), g)
        for a, b, g in zip(left[ok][order], right[ok][order], lines[ok][order], strict=True)
    ]


def _add_overlaps(
    frame: gpd.GeoDataFrame, edges: list[SharedEdge], *, n: int = 3
) -> tuple[gpd.GeoDataFrame, np.ndarray, set[int]]:
    """Grow three parcels 12 m into a neighbour of another owner: deliberate overlaps."""
    geoms = frame.geometry.to_numpy().copy()
    testfall = frame["testfall"].to_numpy().copy()
    owner = frame["owner"].to_numpy()
    used: set[int] = set()
    points: list[np.ndarray] = []
    # medium-length edges first; the two longest stay untouched for the boundary hard cases
    split = max(2, len(edges) // 3)
    reserved = {i for e in edges[:2] for i in (e.left, e.right)}
    for edge in edges[split:] + edges[2:split]:
        if len(points) == n:
            break
        a, b = edge.left, edge.right
        if {a, b} & (used | reserved) or "trafikverket" in (owner[a], owner[b]):
            continue
        mid = shapely.line_interpolate_point(edge.line, 0.5, normalized=True)
        bite = shapely.intersection(geoms[b], shapely.buffer(mid, 12.0), grid_size=_GRID)
        if shapely.area(bite) < 100.0:
            continue
        geoms[a] = shapely.union(geoms[a], bite, grid_size=_GRID)
        fastighet = frame["fastighet"].iloc[b]
        testfall[a] = f"avsiktlig överlappning: växer in i {fastighet} ({owner[b]})"
        testfall[b] = f"avsiktlig överlappning med {frame['fastighet'].iloc[a]} ({owner[a]})"
        points.append(shapely.get_coordinates(shapely.maximum_inscribed_circle(bite, 0.01))[0])
        used |= {a, b}
    out = frame.copy()
    out["testfall"] = testfall
    out = out.set_geometry(geoms)
    return out, np.array(points).reshape(-1, 2), used


def _add_bowtie(
    frame: gpd.GeoDataFrame, lakes: np.ndarray, geo: Geography
) -> tuple[gpd.GeoDataFrame, tuple[float, float]]:
    """Return a self-intersecting (bow-tie) jetty polygon in the first lake: invalid on purpose."""
    circle = shapely.maximum_inscribed_circle(lakes[0], 1.0)
    cx, cy = shapely.get_coordinates(circle)[0]
    cx += 0.45 * shapely.length(circle)  # towards the shore, still well inside the water
    h = _BOWTIE_HALF
    ring = [
        (cx - h, cy - h),
        (cx + h, cy + h),
        (cx + h, cy - h),
        (cx - h, cy + h),
        (cx - h, cy - h),
    ]
    bowtie = shapely.Polygon(ring)
    names = geo.districts["name"].to_numpy().astype(str)
    district = names[_district_of(geo, np.array([shapely.Point(cx, cy)]))[0]]
    row = gpd.GeoDataFrame(
        {
            "owner": ["huddinge_kommun"],
            "fastighet": [f"Synt-{trakt_for(district)} 999:1"],
            "markanvandning": ["badplats"],
            "testfall": ["avsiktligt ogiltig geometri: självkorsande polygon (fluga), brygga"],
            "syntetisk": ["ja"],
            "regso": [district],
        },
        geometry=[bowtie],
        crs=frame.crs,
    )
    out = gpd.GeoDataFrame(pd.concat([frame, row], ignore_index=True), crs=frame.crs)
    return out, (cx - 2 * h / 3, cy)
