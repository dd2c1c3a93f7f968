"""The areas of an evaluation: treatment area R and displacement buffer D per site.

R is the site's polygon, or a circle of ``radius`` metres round its point; D is the ring of
``buffer`` metres round R (R excluded). Sites whose R∪D overlap would count the remarks in the
overlap twice; that is refused (``overlap="error"``, the default) or the overlapping sites are
evaluated as one site (``overlap="merge"``: R is the union of their R, D the union of their
R∪D minus that R, the before window ends before the first install month and the after window
starts after the last one).
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components

from geomap.errors import InputError

__all__ = ["OVERLAP_MODES", "build_areas"]

#: What to do with sites whose areas R∪D overlap.
OVERLAP_MODES = ("error", "merge")


def build_areas(
    sites: gpd.GeoDataFrame,
    *,
    radius: float = 100.0,
    buffer: float = 200.0,
    overlap: str = "error",
) -> gpd.GeoDataFrame:
    """Return one row per evaluated site with its R (geometry), D and R∪D.

    Parameters
    ----------
    sites : geopandas.GeoDataFrame
        From :func:`geomap.evaluation.sites.prepare_sites` (metric CRS).
    radius : float, optional
        Radius of R round a point site (m); polygon sites keep their polygon.
    buffer : float, optional
        Width of the ring D round R (m).
    overlap : {"error", "merge"}, optional
        What to do when the R∪D of two sites overlap.

    Returns
    -------
    geopandas.GeoDataFrame
        ``site`` (id; merged ids joined with `` + ``), ``name``, ``members`` (tuple of ids),
        ``installed_first``, ``installed_last``, ``kind``, ``categories`` (tuple; empty = all),
        ``synthetic``, ``ring`` (D) and ``outer`` (R∪D) geometries, R as the geometry.

    Raises
    ------
    InputError
        If ``radius`` or ``buffer`` is not positive, ``overlap`` is unknown, or areas overlap
        with ``overlap="error"`` (naming both sites and the fix).

    Examples
    --------
    >>> import shapely
    >>> s = gpd.GeoDataFrame({"id": ["A", "B"], "name": ["A", "B"], "kind": "kamera",
    ...     "installed": pd.to_datetime(["2021-03-01", "2021-05-01"]), "categories": [(), ()],
    ...     "synthetic": False}, geometry=[shapely.Point(0, 0), shapely.Point(250, 0)], crs=3011)
    >>> build_areas(s, overlap="merge")["site"].tolist()
    ['A + B']
    """
    for name, value in (("radius", radius), ("buffer", buffer)):
        if not np.isfinite(value) or value <= 0:
            msg = f"`{name}`: {value!r} m is not a distance; give a number of metres above 0"
            raise InputError(msg)
    if overlap not in OVERLAP_MODES:
        msg = f"`overlap`: {overlap!r} is not known; use one of {', '.join(OVERLAP_MODES)}"
        raise InputError(msg)
    geoms = sites.geometry.to_numpy()
    points = shapely.get_type_id(geoms) == 0
    treat = np.where(points, shapely.buffer(geoms, radius, quad_segs=16), geoms)
    outer = shapely.buffer(treat, buffer, quad_segs=16)
    pairs = _overlapping(outer)
    if len(pairs) and overlap == "error":
        _refuse_overlap(sites, outer, pairs, radius=radius, buffer=buffer)
    labels = _components(len(sites), pairs)
    return _groups(sites, treat, outer, labels)


def _overlapping(outer: np.ndarray) -> np.ndarray:
    """Pairs ``(i, j)``, ``i < j``, of areas that share more than a boundary."""
    tree = shapely.STRtree(outer)
    left, right = tree.query(outer, predicate="intersects")
    keep = left < right
    left, right = left[keep], right[keep]
    shared = shapely.area(shapely.intersection(outer[left], outer[right])) > 0
    return np.column_stack([left[shared], right[shared]])


def _refuse_overlap(
    sites: gpd.GeoDataFrame, outer: np.ndarray, pairs: np.ndarray, *, radius: float, buffer: float
) -> None:
    i, j = (int(v) for v in pairs[0])
    ids, names = sites["id"].to_numpy(), sites["name"].to_numpy()
    area = shapely.area(shapely.intersection(outer[i], outer[j]))
    more = f" ({len(pairs)} overlapping pairs in all)" if len(pairs) > 1 else ""
    msg = (
        f"sites {ids[i]} ({names[i]}) and {ids[j]} ({names[j]}): their areas R∪D "
        f"(radius {radius:g} m + buffer {buffer:g} m) overlap by {area:.0f} m², so remarks there "
        f"would count for both{more}; set `overlap` to 'merge' to evaluate overlapping sites as "
        "one, give a smaller `radius` or `buffer`, or leave one of them out of the sites file"
    )
    raise InputError(msg)


def _components(n: int, pairs: np.ndarray) -> np.ndarray:
    graph = coo_matrix((np.ones(len(pairs)), (pairs[:, 0], pairs[:, 1])), shape=(n, n))
    return connected_components(graph, directed=False)[1]


def _joined(values: pd.Series) -> str:
    return " + ".join(dict.fromkeys(str(v) for v in values if str(v)))


def _union_categories(values: pd.Series) -> tuple[str, ...]:
    if any(len(v) == 0 for v in values):
        return ()
    return tuple(dict.fromkeys(c for v in values for c in v))


def _groups(
    sites: gpd.GeoDataFrame, treat: np.ndarray, outer: np.ndarray, labels: np.ndarray
) -> gpd.GeoDataFrame:
    frame = pd.DataFrame(sites.drop(columns=sites.geometry.name)).assign(
        _group=labels, _treat=treat, _outer=outer
    )
    grouped = frame.groupby("_group", sort=False)
    table = pd.DataFrame(
        {
            "site": grouped["id"].agg(_joined),
            "name": grouped["name"].agg(_joined),
            "members": grouped["id"].agg(tuple),
            "installed_first": grouped["installed"].min(),
            "installed_last": grouped["installed"].max(),
            "kind": grouped["kind"].agg(_joined),
            "categories": grouped["categories"].agg(_union_categories),
            "synthetic": grouped["synthetic"].any(),
        }
    )
    r = np.array([shapely.union_all(g.to_numpy()) for _, g in grouped["_treat"]], dtype=object)
    o = np.array([shapely.union_all(g.to_numpy()) for _, g in grouped["_outer"]], dtype=object)
    table["ring"] = gpd.GeoSeries(shapely.difference(o, r), index=table.index, crs=sites.crs)
    table["outer"] = gpd.GeoSeries(o, index=table.index, crs=sites.crs)
    return gpd.GeoDataFrame(table.reset_index(drop=True), geometry=list(r), crs=sites.crs)
