"""Routing: decide, for every remark, which organisation must act on it and why.

Precedence, recorded per remark in ``route_method``:
``category_rule`` > ``responsibility`` > ``ownership`` > ``nearest`` > ``unrouted``.

:func:`route_chunk` is a pure function of (a chunk of remarks, the indexed owner layers, the rules),
so it can run partitioned (e.g. with dask-geopandas ``map_partitions``) without a rewrite;
:func:`route` reads files, builds the indexes, routes and summarises.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from pyproj import CRS

from geomap.categories import Categories, load_categories
from geomap.crs import WORKING_CRS, parse_crs
from geomap.errors import ConfigError, InputError
from geomap.join import NO_OWNER, PolygonIndex, locate
from geomap.owners import (
    OwnerLayer,
    OwnerRegistry,
    load_owner_layer,
    load_registry,
    owner_layer_from_frame,
    registry_from_ids,
)
from geomap.readers import ReadInfo, concat_frames, read_remarks
from geomap.remarks import MODEL_COLUMNS, build_remarks
from geomap.rules import CategoryRule, apply_rules, load_rules
from geomap.summary import RouteSummary, summarise

__all__ = [
    "METHODS",
    "RouteResult",
    "Router",
    "route",
    "route_chunk",
]

log = logging.getLogger(__name__)

#: Route methods in order of precedence.
METHODS = ("category_rule", "responsibility", "ownership", "nearest", "unrouted")


@dataclass(frozen=True)
class Router:
    """Everything :func:`route_chunk` needs besides the remarks: indexed layers, rules, registry."""

    registry: OwnerRegistry
    owners: PolygonIndex
    responsibility: PolygonIndex | None = None
    rules: tuple[CategoryRule, ...] = ()
    tolerance: float = 2.0
    max_distance: float = 25.0
    workers: int | None = None

    @classmethod
    def build(
        cls,
        registry: OwnerRegistry,
        owners: gpd.GeoDataFrame,
        *,
        responsibility: gpd.GeoDataFrame | None = None,
        rules: Sequence[CategoryRule] = (),
        tolerance: float = 2.0,
        max_distance: float = 25.0,
        workers: int | None = None,
    ) -> Router:
        """Index owner (and responsibility) polygons that carry an ``owner`` column.

        Examples
        --------
        >>> reg = registry_from_ids(["a"])
        >>> owners = gpd.GeoDataFrame({"owner": ["a"]}, geometry=[shapely.box(0, 0, 9, 9)], crs=3011)
        >>> Router.build(reg, owners).owners.owner_ids.tolist()
        ['a']
        """
        if tolerance < 0 or max_distance < 0:
            msg = f"tolerance and max_distance must be ≥ 0, got {tolerance} and {max_distance}"
            raise ConfigError(msg)
        priority = {o.id: o.priority for o in registry.owners}
        registry.require(owners["owner"], where="owner layer")
        resp_index = None
        if responsibility is not None and len(responsibility):
            registry.require(responsibility["owner"], where="responsibility layer")
            resp_index = PolygonIndex.build(
                responsibility.geometry.to_numpy(),
                responsibility["owner"].to_numpy(),
                priority=priority,
            )
        for rule in rules:
            if rule.owner not in registry:
                msg = f"rule for category {rule.category!r} sends to {rule.owner!r}, which is not in the registry; add it"
                raise ConfigError(msg)
        return cls(
            registry=registry,
            owners=PolygonIndex.build(
                owners.geometry.to_numpy(), owners["owner"].to_numpy(), priority=priority
            ),
            responsibility=resp_index,
            rules=tuple(rules),
            tolerance=float(tolerance),
            max_distance=float(max_distance),
            workers=workers,
        )


def route_chunk(remarks: gpd.GeoDataFrame, router: Router) -> pd.DataFrame:
    """Route a chunk of remarks (with model columns, in the router's CRS).

    Returns a frame aligned with ``remarks`` holding ``owner``, ``owner_name``, ``land_owner``,
    ``route_method``, ``distance_m``, ``candidates``, ``flags`` and ``reason``. A pure function: the
    same inputs give the same output, whatever the order of rows or the size of chunks.

    Examples
    --------
    >>> reg = registry_from_ids(["a", "b"])
    >>> owners = gpd.GeoDataFrame({"owner": ["a", "b"]},
    ...     geometry=[shapely.box(0, 0, 10, 10), shapely.box(10, 0, 20, 10)], crs=3011)
    >>> remarks = gpd.GeoDataFrame({"category": ["klotter"] * 3, "description": [""] * 3,
    ...     "_category_known": [True] * 3},
    ...     geometry=shapely.points([[5, 5], [10, 5], [30, 5]]), crs=3011)
    >>> route_chunk(remarks, Router.build(reg, owners))[["owner", "route_method", "flags"]].values.tolist()
    [['a', 'ownership', ''], ['a', 'ownership', 'boundary'], ['b', 'nearest', '']]
    """
    n = len(remarks)
    geoms = remarks.geometry.to_numpy()
    missing = shapely.is_missing(geoms) | shapely.is_empty(geoms)
    xy = np.full((n, 2), np.nan)
    xy[~missing] = shapely.get_coordinates(geoms[~missing])
    x, y = xy[:, 0], xy[:, 1]
    loc = locate(
        router.owners,
        x,
        y,
        tolerance=router.tolerance,
        max_distance=router.max_distance,
        workers=router.workers,
    )
    ids = np.array(router.registry.ids, dtype=object)
    land = _to_registry(loc.owner, router.owners, ids)
    owner = land.copy()
    method = np.where(loc.owner == NO_OWNER, _UNROUTED, np.where(loc.inside, _OWNERSHIP, _NEAREST))
    distance = loc.distance.copy()

    if router.responsibility is not None:
        rloc = locate(
            router.responsibility,
            x,
            y,
            tolerance=0.0,
            max_distance=0.0,
            workers=router.workers,
        )
        in_resp = rloc.owner != NO_OWNER
        owner[in_resp] = _to_registry(rloc.owner, router.responsibility, ids)[in_resp]
        method[in_resp] = _RESPONSIBILITY
        distance[in_resp] = 0.0

    rule_hit = np.full(n, -1, dtype="int64")
    if router.rules:
        rule_hit = apply_rules(remarks["category"], remarks["description"], list(router.rules))
        by_rule = rule_hit >= 0
        rule_owner = np.array(
            [router.registry.ids.index(r.owner) for r in router.rules], dtype="int64"
        )
        owner[by_rule] = rule_owner[rule_hit[by_rule]]
        method[by_rule] = _CATEGORY_RULE
        distance[by_rule] = np.nan

    spatial = (method == _OWNERSHIP) | (method == _NEAREST)
    flags = (
        (loc.boundary & spatial) * _F_BOUNDARY
        | (loc.overlap & (method == _OWNERSHIP)) * _F_OVERLAP
        | ~remarks["_category_known"].to_numpy(dtype=bool) * _F_UNKNOWN
        | loc.outside * _F_OUTSIDE
        | missing * _F_MISSING
    ).astype("int64")
    reasons = _reasons(
        router,
        method=method,
        owner=owner,
        land=land,
        flags=flags,
        rule_hit=rule_hit,
        distance=distance,
        labels=remarks.get("category_label"),
    )
    names = np.array([o.name for o in router.registry.owners] + [None], dtype=object)
    ids_or_none = np.array([*ids, None], dtype=object)
    no_candidates = np.full(n, None, dtype=object)
    text = {
        "owner": ids_or_none[owner],
        "owner_name": names[owner],
        "land_owner": ids_or_none[land],
        "route_method": np.array(METHODS, dtype=object)[method],
    }
    more = {
        "candidates": np.where(spatial, loc.candidates, no_candidates),
        "flags": _flag_text(flags),
        "reason": reasons,
    }
    # The same dtypes whatever the chunk holds (text as str, also for an empty chunk).
    out = pd.DataFrame({k: pd.Series(v, index=remarks.index, dtype="str") for k, v in text.items()})
    out["distance_m"] = np.round(distance, 2)
    for name, values in more.items():
        out[name] = pd.Series(values, index=remarks.index, dtype="str")
    return out


# Route method codes index METHODS; flag bits.
_CATEGORY_RULE, _RESPONSIBILITY, _OWNERSHIP, _NEAREST, _UNROUTED = range(5)
_F_BOUNDARY, _F_OVERLAP, _F_UNKNOWN, _F_OUTSIDE, _F_MISSING = 1, 2, 4, 8, 16
_FLAG_NAMES = (
    (1, "boundary"),
    (2, "overlap"),
    (4, "unknown_category"),
    (8, "outside_extent"),
    (16, "invalid_geometry"),
)


def _to_registry(codes: np.ndarray, index: PolygonIndex, ids: np.ndarray) -> np.ndarray:
    """Turn an index's owner codes into registry positions; NO_OWNER becomes len(ids) (= None)."""
    position = {owner: i for i, owner in enumerate(ids)}
    mapping = np.array([position[o] for o in index.owner_ids] + [len(ids)], dtype="int64")
    return mapping[np.where(codes == NO_OWNER, len(mapping) - 1, codes)]


def _flag_text(flags: np.ndarray) -> np.ndarray:
    uniques, inverse = np.unique(flags, return_inverse=True)
    text = np.array(
        [";".join(name for bit, name in _FLAG_NAMES if u & bit) for u in uniques], dtype=object
    )
    return text[inverse]


def _reasons(
    router: Router,
    *,
    method: np.ndarray,
    owner: np.ndarray,
    land: np.ndarray,
    flags: np.ndarray,
    rule_hit: np.ndarray,
    distance: np.ndarray,
    labels: pd.Series | None,
) -> np.ndarray:
    """A Swedish sentence per remark: why it went where it went.

    Built once per distinct (method, owner, land owner, rule, flags) and spread to the rows; only
    the distance of ``nearest`` remarks is formatted per row.
    """
    n = len(method)
    cat_codes, cat_values = pd.factorize(
        labels if labels is not None else pd.Series([""] * n), use_na_sentinel=True
    )
    # One int64 key per distinct (method, owner, land owner, rule, flags, category label).
    parts = [method, owner, land, rule_hit + 1, flags, cat_codes + 1]
    key = np.zeros(n, dtype="int64")
    for part in parts:
        part = np.asarray(part, dtype="int64")
        key = key * (int(part.max(initial=0)) + 1) + part
    _, first, inverse = np.unique(key, return_index=True, return_inverse=True)
    uniques = np.column_stack([np.asarray(p, dtype="int64")[first] for p in parts])
    names = [o.name for o in router.registry.owners] + [""]
    heads, tails = [], []
    for m, o, lo, rule, f, c in uniques:
        label = str(cat_values[c - 1]) if c > 0 else ""
        head, tail = _reason_parts(
            router, int(m), names[o], names[lo], int(rule) - 1, int(f), label
        )
        heads.append(head)
        tails.append(tail)
    head_arr = np.array(heads, dtype=object)[inverse.ravel()]
    tail_arr = np.array(tails, dtype=object)[inverse.ravel()]
    out = head_arr + tail_arr
    near = method == _NEAREST
    if near.any():
        text = (
            pd.Series(np.round(distance[near], 1))
            .map("{:.1f}".format)
            .str.replace(".", ",", regex=False)
        )
        out[near] = head_arr[near] + text.to_numpy(dtype=object) + tail_arr[near]
    return out


def _reason_parts(
    router: Router, method: int, name: str, land: str, rule: int, flags: int, label: str
) -> tuple[str, str]:
    """Text before and after the distance (only ``nearest`` has a distance between them)."""
    head, tail = "", ""
    if method == _OWNERSHIP:
        head = f"Inom mark som ägs av {name}"
    elif method == _NEAREST:
        head = f"Utanför ägarpolygonerna (gata, vatten); närmaste mark ägs av {name}, "
        tail = f" m bort (högst {router.max_distance:g} m)"
    elif method == _RESPONSIBILITY:
        head = f"Inom område där {name} har driftansvar"
        if land and land != name:
            head += f"; marken ägs av {land}"
    elif method == _CATEGORY_RULE:
        head = f"Kategoriregel: {label} går till {name}"
        note = router.rules[rule].note if rule >= 0 else ""
        if note:
            head += f" ({note})"
    elif flags & _F_MISSING:
        head = "Saknar koordinater eller geometri"
    elif flags & _F_OUTSIDE:
        head = "Utanför ägarskiktets utbredning (troligen utanför kommunen)"
    else:
        head = f"Ingen ägarpolygon inom {router.max_distance:g} m"
    if flags & _F_BOUNDARY:
        tail += f"; ligger inom {router.tolerance:g} m från annan ägares mark – kontrollera"
    if flags & _F_OVERLAP:
        tail += "; överlappande ägarpolygoner, vald enligt prioritet"
    return head, tail


@dataclass
class RouteResult:
    """What :func:`route` returns: the routed remarks, a summary, and the layers used."""

    remarks: gpd.GeoDataFrame
    summary: RouteSummary
    registry: OwnerRegistry
    owners: gpd.GeoDataFrame
    responsibility: gpd.GeoDataFrame | None = None
    inputs: list[ReadInfo] = field(default_factory=list)


PathLike = str | os.PathLike[str]


def route(
    inputs: PathLike | Sequence[PathLike] | gpd.GeoDataFrame,
    *,
    owners: PathLike | gpd.GeoDataFrame,
    registry: PathLike | OwnerRegistry | None = None,
    responsibility: PathLike | gpd.GeoDataFrame | None = None,
    rules: PathLike | Sequence[CategoryRule] | None = None,
    crs: str | int | CRS | None = None,
    layer: str | int | None = None,
    owners_layer: str | int | None = None,
    owner_column: str | None = None,
    source: str | None = None,
    working_crs: str | CRS = WORKING_CRS,
    tolerance: float = 2.0,
    max_distance: float = 25.0,
    categories: Categories | None = None,
    workers: int | None = None,
) -> RouteResult:
    """Read remarks and route each to the organisation responsible for it.

    Parameters
    ----------
    inputs
        One or more remark files (vector or CSV/XLSX), or a GeoDataFrame of remarks.
    owners
        Owner polygons (file or GeoDataFrame) with an owner id column.
    registry
        Owner registry (TOML path or :class:`OwnerRegistry`); by default built from the owner ids.
    responsibility
        Maintenance-responsibility polygons (driftansvar); they take precedence over ownership.
    rules
        Category rules (TOML path or list); they take precedence over everything spatial.
    crs
        CRS of table coordinates (otherwise inferred from the values when unambiguous).
    layer, owners_layer, owner_column
        Layer of the remark files / owner file, and the owner id column.
    source
        Source of remarks whose file does not say (``lagesbild``, ``trygghetsvandring``, ``felanmalan``).
    working_crs
        CRS for the join and the outputs (SWEREF 99 18 00 by default).
    tolerance
        Distance (m) within which another owner's land makes a remark a ``boundary`` case.
    max_distance
        Largest distance (m) to route a remark outside all polygons to the nearest owner.
    categories
        Category vocabulary (the packaged one by default).
    workers
        Threads for the join (default: all CPUs).

    Returns
    -------
    RouteResult

    Examples
    --------
    Run from a clone of the repository (the bundled synthetic demo data):

    >>> import geomap
    >>> result = geomap.route("data/hard_cases_synthetic.csv", owners="data/owners_synthetic.gpkg",
    ...                       registry="data/owners.toml", crs="EPSG:3011")
    >>> sorted(result.summary.by_method().items())
    [('nearest', 2), ('ownership', 12), ('unrouted', 5)]
    >>> result.remarks.loc[0, ["remark_id", "owner", "route_method"]].tolist()
    ['SF-01', 'huge_bostader', 'ownership']
    """
    target = parse_crs(working_crs, argument="working_crs")
    categories = categories or load_categories()
    if source is not None and source not in (
        "lagesbild",
        "trygghetsvandring",
        "felanmalan",
        "other",
    ):
        msg = f"source: got {source!r}; use lagesbild, trygghetsvandring, felanmalan or other"
        raise ConfigError(msg)
    frame, infos = _read_inputs(inputs, crs=crs, layer=layer, working_crs=target)
    remarks = build_remarks(frame, categories=categories, source=source)

    owner_layer = _owner_layer(
        owners, layer=owners_layer, column=owner_column, crs=target, what="owner layer"
    )
    resp_layer = None
    if responsibility is not None:
        resp_layer = _owner_layer(
            responsibility, layer=None, column=None, crs=target, what="responsibility layer"
        )
    rule_list = _rules(rules)
    if registry is None:
        ids = list(owner_layer.frame["owner"].dropna().unique())
        if resp_layer is not None:
            ids += list(resp_layer.frame["owner"].dropna().unique())
        reg = registry_from_ids(ids + [r.owner for r in rule_list])
    else:
        reg = registry if isinstance(registry, OwnerRegistry) else load_registry(registry)
    router = Router.build(
        reg,
        owner_layer.frame,
        responsibility=None if resp_layer is None else resp_layer.frame,
        rules=rule_list,
        tolerance=tolerance,
        max_distance=max_distance,
        workers=workers,
    )
    routed = route_chunk(remarks, router)
    for column in routed.columns:
        remarks[column] = routed[column]
    remarks = remarks.drop(columns=["_category_known"])
    remarks = _order_columns(remarks)
    summary = summarise(
        remarks,
        registry=reg,
        inputs=infos,
        repaired=owner_layer.repaired + (resp_layer.repaired if resp_layer else 0),
        dropped=owner_layer.dropped_empty + (resp_layer.dropped_empty if resp_layer else 0),
        overlapping_polygons=_overlapping_owner_polygons(router.owners),
        working_crs=target,
        tolerance=tolerance,
        max_distance=max_distance,
    )
    return RouteResult(
        remarks=remarks,
        summary=summary,
        registry=reg,
        owners=owner_layer.frame,
        responsibility=None if resp_layer is None else resp_layer.frame,
        inputs=infos,
    )


def _read_inputs(
    inputs: PathLike | Sequence[PathLike] | gpd.GeoDataFrame,
    *,
    crs: str | int | CRS | None,
    layer: str | int | None,
    working_crs: CRS,
) -> tuple[gpd.GeoDataFrame, list[ReadInfo]]:
    if isinstance(inputs, gpd.GeoDataFrame):
        frame = inputs.copy()
        if frame.crs is None:
            msg = "inputs: the GeoDataFrame has no CRS; set it with .set_crs(...)"
            raise InputError(msg)
        frame = frame.to_crs(working_crs)
        frame["source_file"] = "<GeoDataFrame>"
        frame["source_row"] = np.arange(1, len(frame) + 1, dtype="int64")
        return frame, [ReadInfo(path="<GeoDataFrame>", rows=len(frame), crs=str(working_crs))]
    paths = [inputs] if isinstance(inputs, str | os.PathLike) else list(inputs)
    if not paths:
        msg = "inputs: no remark files given; pass at least one file"
        raise InputError(msg)
    frames, infos = [], []
    for path in paths:
        frame, info = read_remarks(path, crs=crs, layer=layer, working_crs=working_crs)
        frames.append(frame)
        infos.append(info)
    return concat_frames(frames), infos


def _owner_layer(
    value: PathLike | gpd.GeoDataFrame,
    *,
    layer: str | int | None,
    column: str | None,
    crs: CRS,
    what: str,
) -> OwnerLayer:
    if isinstance(value, gpd.GeoDataFrame):
        return owner_layer_from_frame(value, owner_column=column, working_crs=crs, what=what)
    return load_owner_layer(
        Path(value), layer=layer, owner_column=column, working_crs=crs, what=what
    )


def _rules(rules: PathLike | Sequence[CategoryRule] | None) -> list[CategoryRule]:
    if rules is None:
        return []
    if isinstance(rules, str | os.PathLike):
        return load_rules(rules)
    return list(rules)


def _overlapping_owner_polygons(index: PolygonIndex) -> int:
    """Number of owner polygons whose interior overlaps a polygon of another owner."""
    geoms = index.geoms
    a, b = index.tree.query(geoms)  # envelopes only; the exact test runs on other owners' pairs
    owners = index.owner_codes
    other = (owners[a] != owners[b]) & (a < b)
    a, b = a[other], b[other]
    inner = shapely.relate_pattern(geoms[a], geoms[b], "T********")
    return len(np.unique(np.concatenate([a[inner], b[inner]])))


def _order_columns(remarks: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    first = [*MODEL_COLUMNS, "source_file", "source_row"]
    rest = [c for c in remarks.columns if c not in first and c != remarks.geometry.name]
    return remarks[[*first, *rest, remarks.geometry.name]]
