"""The spatial engine: locate points in owner polygons, with boundary, overlap and nearest logic.

Built on shapely 2's STRtree and vectorised predicates on prepared polygons. Two paths:

* **Grid fast path.** Points are bucketed into square cells. A cell whose square, grown by the
  boundary tolerance, touches exactly one polygon and lies strictly inside it, resolves all its
  points at once: owner of that polygon, distance 0, no boundary. No per-point predicate is needed.
* **Exact path.** The other points are queried against the tree (``dwithin`` the tolerance), then
  against the nearest polygon within ``max_distance`` when no polygon covers them.

Work is split into chunks run on threads (shapely releases the GIL in its vectorised calls).
Everything here is a pure function of (points, index, parameters); results do not depend on order.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import numpy as np
import pandas as pd
import shapely

__all__ = ["Location", "PolygonIndex", "locate"]

NO_OWNER = -1
_MIN_FAST_POINTS = 5_000  # below this the grid costs more than it saves
_CHUNK = 100_000
_GRID_LEVELS = 4
_MIN_CELL_POINTS = 4  # cells with fewer points go straight to the exact path


@dataclass(frozen=True)
class PolygonIndex:
    """Owner polygons, prepared and indexed for :func:`locate`.

    ``owner_codes[i]`` indexes ``owner_ids`` for polygon ``i``; ``rank[c]`` orders owner codes by
    (priority, id) so that ties resolve the same way every run.
    """

    geoms: np.ndarray
    owner_codes: np.ndarray
    owner_ids: np.ndarray
    rank: np.ndarray
    tree: shapely.STRtree
    bounds: tuple[float, float, float, float]
    cell: float
    edges: np.ndarray

    @classmethod
    def build(
        cls,
        geoms: Sequence[shapely.Geometry] | np.ndarray,
        owners: Sequence[str] | np.ndarray,
        *,
        priority: dict[str, int] | None = None,
        cell: float | None = None,
    ) -> PolygonIndex:
        """Index polygons ``geoms`` owned by ``owners``.

        Parameters
        ----------
        geoms
            Valid polygons or multipolygons.
        owners
            Owner id of each polygon.
        priority
            Lower wins where owners tie (overlaps, shared edges); default 100 for every owner.
        cell
            Grid cell size for the fast path, in CRS units; by default derived from polygon sizes.

        Examples
        --------
        >>> idx = PolygonIndex.build([shapely.box(0, 0, 10, 10)], ["a"])
        >>> idx.owner_ids.tolist()
        ['a']
        """
        geoms = np.asarray(geoms, dtype=object)
        owner_ids, codes = np.unique(np.asarray(owners, dtype=object).astype(str), return_inverse=True)
        prio = priority or {}
        order = sorted(range(len(owner_ids)), key=lambda c: (prio.get(owner_ids[c], 100), owner_ids[c]))
        rank = np.empty(len(owner_ids), dtype="int64")
        rank[np.asarray(order, dtype="int64")] = np.arange(len(owner_ids))
        shapely.prepare(geoms)
        tree = shapely.STRtree(geoms)
        if len(geoms):
            b = shapely.total_bounds(geoms)
            bounds = (float(b[0]), float(b[1]), float(b[2]), float(b[3]))
        else:
            bounds = (0.0, 0.0, 0.0, 0.0)
        if cell is None:
            cell = _default_cell(geoms)
        edges = shapely.boundary(geoms)
        return cls(geoms, codes.astype("int64"), owner_ids, rank, tree, bounds, float(cell), edges)


def _default_cell(geoms: np.ndarray) -> float:
    if not len(geoms):
        return 50.0
    b = shapely.bounds(geoms)
    side = np.sqrt(np.maximum((b[:, 2] - b[:, 0]) * (b[:, 3] - b[:, 1]), 1e-9))
    return float(np.clip(np.median(side) / 4.0, 2.0, 1_000.0))


@dataclass
class Location:
    """Where each point fell. Arrays are aligned with the input points.

    ``owner`` holds owner codes (``NO_OWNER`` = -1); ``inside`` is true when a polygon of that owner
    covers the point; ``distance`` is 0 inside, the distance for nearest matches and NaN otherwise;
    ``candidates`` lists the competing owner ids (``;``-joined) where ``boundary`` or ``overlap``.
    ``outside`` marks points beyond the layer's extent (grown by ``max_distance``).
    """

    owner: np.ndarray
    inside: np.ndarray
    distance: np.ndarray
    boundary: np.ndarray
    overlap: np.ndarray
    outside: np.ndarray
    candidates: np.ndarray

    @classmethod
    def empty(cls, n: int) -> Location:
        """A result for ``n`` points with nothing found."""
        return cls(
            owner=np.full(n, NO_OWNER, dtype="int64"),
            inside=np.zeros(n, dtype=bool),
            distance=np.full(n, np.nan),
            boundary=np.zeros(n, dtype=bool),
            overlap=np.zeros(n, dtype=bool),
            outside=np.zeros(n, dtype=bool),
            candidates=np.full(n, None, dtype=object),
        )


def locate(
    index: PolygonIndex,
    x: np.ndarray,
    y: np.ndarray,
    *,
    tolerance: float = 2.0,
    max_distance: float = 25.0,
    workers: int | None = None,
) -> Location:
    """Find the owner of each point ``(x, y)``.

    Parameters
    ----------
    index
        The owner polygons.
    x, y
        Point coordinates in the index's CRS; NaN marks a missing point.
    tolerance
        A point within this distance of another owner's polygon is flagged ``boundary``.
    max_distance
        Points covered by no polygon go to the nearest polygon within this distance (0 disables).
    workers
        Threads for the exact path; default: the number of CPUs.

    Examples
    --------
    >>> idx = PolygonIndex.build([shapely.box(0, 0, 10, 10), shapely.box(10, 0, 20, 10)], ["a", "b"])
    >>> loc = locate(idx, np.array([5.0, 10.0, 25.0, 99.0]), np.array([5.0, 5.0, 5.0, 5.0]))
    >>> idx.owner_ids[loc.owner[:3]].tolist(), loc.boundary.tolist(), loc.candidates[1]
    (['a', 'a', 'b'], [False, True, False, False], 'a;b')
    >>> loc.distance.tolist()
    [0.0, 0.0, 5.0, nan]
    """
    x = np.asarray(x, dtype="float64")
    y = np.asarray(y, dtype="float64")
    n = len(x)
    result = Location.empty(n)
    if n == 0 or not len(index.geoms):
        return result
    valid = np.isfinite(x) & np.isfinite(y)
    x0, y0, x1, y1 = index.bounds
    reach = max(max_distance, tolerance)
    result.outside = valid & ((x < x0 - reach) | (x > x1 + reach) | (y < y0 - reach) | (y > y1 + reach))
    todo = np.flatnonzero(valid & ~result.outside)
    if len(todo) >= _MIN_FAST_POINTS:
        resolved, owners = _grid_fast_path(index, x[todo], y[todo], tolerance)
        hit = todo[resolved]
        result.owner[hit] = owners
        result.inside[hit] = True
        result.distance[hit] = 0.0
        todo = todo[~resolved]
    if len(todo):
        _exact_path(index, x, y, todo, result, tolerance, max_distance, workers)
    return result


def _grid_fast_path(
    index: PolygonIndex, x: np.ndarray, y: np.ndarray, tolerance: float
) -> tuple[np.ndarray, np.ndarray]:
    """Resolve points in cells lying wholly inside one polygon; return (mask, owner codes).

    A quadtree over the occupied cells: cells that are not pure but hold enough points are split in
    four and tried again, so dense clusters near boundaries still take the fast path.
    """
    owners = np.full(len(x), NO_OWNER, dtype="int64")
    active = np.arange(len(x))
    cell = index.cell * 4.0
    for _level in range(_GRID_LEVELS):
        if len(active) < _MIN_FAST_POINTS:
            break
        cell_owner, inverse, counts = _classify_cells(index, x[active], y[active], cell, tolerance)
        point_owner = cell_owner[inverse]
        hit = point_owner != NO_OWNER
        owners[active[hit]] = point_owner[hit]
        crowded = counts[inverse] >= _MIN_CELL_POINTS
        active = active[~hit & crowded]
        cell /= 2.0
    resolved = owners != NO_OWNER
    return resolved, owners[resolved]


def _classify_cells(
    index: PolygonIndex, x: np.ndarray, y: np.ndarray, cell: float, tolerance: float
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Owner code of each occupied cell that lies wholly inside one polygon (else NO_OWNER)."""
    gx = np.floor((x - index.bounds[0]) / cell).astype("int64")
    gy = np.floor((y - index.bounds[1]) / cell).astype("int64")
    gxmin, gymin = gx.min(), gy.min()
    key = (gx - gxmin) * (int(gy.max() - gymin) + 1) + (gy - gymin)
    _, first, inverse, counts = np.unique(
        key, return_index=True, return_inverse=True, return_counts=True
    )
    cell_owner = np.full(len(first), NO_OWNER, dtype="int64")
    busy = np.flatnonzero(counts >= _MIN_CELL_POINTS)
    cx = gx[first[busy]] * cell + index.bounds[0]
    cy = gy[first[busy]] * cell + index.bounds[1]
    boxes = shapely.box(cx - tolerance, cy - tolerance, cx + cell + tolerance, cy + cell + tolerance)
    box_i, poly_j = index.tree.query(boxes, predicate="intersects")
    single = np.bincount(box_i, minlength=len(busy))[box_i] == 1
    box_i, poly_j = box_i[single], poly_j[single]
    inside = shapely.contains_properly(index.geoms[poly_j], boxes[box_i])
    cell_owner[busy[box_i[inside]]] = index.owner_codes[poly_j[inside]]
    return cell_owner, inverse, counts


def _exact_path(
    index: PolygonIndex,
    x: np.ndarray,
    y: np.ndarray,
    todo: np.ndarray,
    result: Location,
    tolerance: float,
    max_distance: float,
    workers: int | None,
) -> None:
    chunks = [todo[i : i + _CHUNK] for i in range(0, len(todo), _CHUNK)]
    risky = _near_other_owner(index, tolerance)
    threads = max(1, min(workers or os.cpu_count() or 1, len(chunks)))

    def run(chunk: np.ndarray) -> tuple[np.ndarray, Location]:
        return chunk, _exact_chunk(index, x[chunk], y[chunk], tolerance, max_distance, risky)

    if threads == 1:
        parts = [run(c) for c in chunks]
    else:
        with ThreadPoolExecutor(max_workers=threads) as pool:
            parts = list(pool.map(run, chunks))
    for chunk, part in parts:
        result.owner[chunk] = part.owner
        result.inside[chunk] = part.inside
        result.distance[chunk] = part.distance
        result.boundary[chunk] = part.boundary
        result.overlap[chunk] = part.overlap
        result.candidates[chunk] = part.candidates


def _near_other_owner(index: PolygonIndex, tolerance: float) -> np.ndarray:
    """Polygons that have a polygon of another owner within ``tolerance`` (or overlapping)."""
    risky = np.zeros(len(index.geoms), dtype=bool)
    if tolerance <= 0:
        return risky
    a, b = index.tree.query(index.geoms, predicate="dwithin", distance=tolerance)
    other = index.owner_codes[a] != index.owner_codes[b]
    risky[a[other]] = True
    return risky


def _exact_chunk(
    index: PolygonIndex,
    x: np.ndarray,
    y: np.ndarray,
    tolerance: float,
    max_distance: float,
    risky: np.ndarray,
) -> Location:
    n = len(x)
    out = Location.empty(n)
    points = shapely.points(x, y)
    p, g = index.tree.query(points, predicate="intersects")
    owner = index.owner_codes[g]
    multi = np.bincount(p, minlength=n)[p] > 1
    # Points in one polygon only: that polygon's owner.
    polygon = np.full(n, -1, dtype="int64")
    polygon[p[~multi]] = g[~multi]
    out.owner[p[~multi]] = owner[~multi]
    # Points in several (shared edge, overlap): interior before edge, then owner rank, then polygon.
    mp, mg, mowner = p[multi], g[multi], owner[multi]
    interior = shapely.contains_xy(index.geoms[mg], x[mp], y[mp])
    order = np.lexsort((mg, index.rank[mowner], ~interior, mp))
    first = np.unique(mp[order], return_index=True)[1]
    out.owner[mp[order][first]] = mowner[order][first]
    polygon[mp[order][first]] = mg[order][first]
    out.inside[p] = True
    out.distance[p] = 0.0
    chosen = np.flatnonzero(out.inside)

    # Overlap: the interiors of polygons of two owners hold the point.
    inner = _distinct_pairs(mp[interior], mowner[interior], index)
    if len(inner):
        out.overlap = np.bincount(inner[:, 0], minlength=n) >= 2
    near = _distinct_pairs(np.concatenate([mp, chosen]), np.concatenate([mowner, out.owner[chosen]]), index)
    # Boundary: a polygon of another owner lies within the tolerance.
    if tolerance > 0 and len(chosen):
        edge = chosen[risky[polygon[chosen]]]
        edge = edge[shapely.dwithin(index.edges[polygon[edge]], points[edge], tolerance)]
        others = _other_owners_within(index, x, y, edge, out.owner, tolerance)
        near = _distinct_pairs(
            np.concatenate([near[:, 0], others[:, 0]]), np.concatenate([near[:, 1], others[:, 1]]), index
        )
    per_point = np.bincount(near[:, 0], minlength=n) if len(near) else np.zeros(n, dtype="int64")
    out.boundary = (per_point >= 2) & out.inside
    flagged = out.boundary | out.overlap
    if flagged.any():
        out.candidates[flagged] = _candidate_lists(near, flagged, index)

    uncovered = np.flatnonzero(~out.inside)
    if max_distance > 0 and len(uncovered):
        _nearest(index, points[uncovered], uncovered, out, tolerance, max_distance)
    return out


def _other_owners_within(
    index: PolygonIndex,
    x: np.ndarray,
    y: np.ndarray,
    which: np.ndarray,
    chosen: np.ndarray,
    tolerance: float,
) -> np.ndarray:
    """(point, owner) pairs of other owners' polygons within ``tolerance`` of points ``which``."""
    wx, wy = x[which], y[which]
    boxes = shapely.box(wx - tolerance, wy - tolerance, wx + tolerance, wy + tolerance)
    b, g = index.tree.query(boxes)
    p = which[b]
    other = index.owner_codes[g] != chosen[p]
    p, g = p[other], g[other]
    close = shapely.dwithin(index.geoms[g], shapely.points(x[p], y[p]), tolerance)
    return np.column_stack([p[close], index.owner_codes[g[close]]]).astype("int64")


def _distinct_pairs(p: np.ndarray, owner: np.ndarray, index: PolygonIndex) -> np.ndarray:
    """Distinct (point, owner code) pairs as an (n, 2) array sorted by point."""
    if not len(p):
        return np.empty((0, 2), dtype="int64")
    width = len(index.owner_ids)
    keys = np.unique(p.astype("int64") * width + owner.astype("int64"))
    return np.column_stack([keys // width, keys % width])


def _candidate_lists(pairs: np.ndarray, flagged: np.ndarray, index: PolygonIndex) -> np.ndarray:
    """``;``-joined owner ids (in rank order) of each flagged point, from (point, owner) pairs."""
    sel = pairs[flagged[pairs[:, 0]]]
    ranks = index.rank[sel[:, 1]]
    by_rank = index.owner_ids[np.argsort(index.rank)]
    if len(by_rank) <= 62:  # one bit per owner: encode each point's set as an integer
        masks = np.zeros(len(flagged), dtype="int64")
        np.bitwise_or.at(masks, sel[:, 0], np.left_shift(np.int64(1), ranks))
        uniq, inv = np.unique(masks[flagged], return_inverse=True)
        bits = np.arange(len(by_rank))
        text = np.array([";".join(by_rank[(int(m) >> bits) & 1 == 1]) for m in uniq], dtype=object)
        return text[inv]
    frame = pd.DataFrame({"p": sel[:, 0], "rank": ranks}).sort_values(["p", "rank"])
    frame["id"] = by_rank[frame["rank"].to_numpy()]
    joined = frame.groupby("p", sort=True)["id"].agg(";".join)
    out = np.full(int(flagged.sum()), None, dtype=object)
    out[np.searchsorted(np.flatnonzero(flagged), joined.index.to_numpy())] = joined.to_numpy()
    return out


def _nearest(
    index: PolygonIndex,
    points: np.ndarray,
    where: np.ndarray,
    out: Location,
    tolerance: float,
    max_distance: float,
) -> None:
    p2, g2 = index.tree.query(points, predicate="dwithin", distance=max_distance)
    if not len(p2):
        return
    d2 = shapely.distance(index.geoms[g2], points[p2])
    # Keep the nearest polygon and any other within the tolerance of it (a competing owner).
    best = np.full(len(points), np.inf)
    np.minimum.at(best, p2, d2)
    close = d2 <= best[p2] + tolerance + 1e-9
    p2, g2, d2 = p2[close], g2[close], d2[close]
    owner = index.owner_codes[g2]
    order = np.lexsort((g2, index.rank[owner], d2, p2))
    sp, sowner, sd = p2[order], owner[order], d2[order]
    first = np.unique(sp, return_index=True)[1]
    chosen = sp[first]
    out.owner[where[chosen]] = sowner[first]
    out.distance[where[chosen]] = sd[first]
    pairs = _distinct_pairs(p2, owner, index)
    counts = np.bincount(pairs[:, 0], minlength=len(points))
    ambiguous = counts >= 2
    if ambiguous.any():
        out.boundary[where[ambiguous]] = True
        out.candidates[where[ambiguous]] = _candidate_lists(pairs, ambiguous, index)
