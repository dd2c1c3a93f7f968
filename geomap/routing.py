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
from geomap.owners import OwnerLayer, OwnerRegistry, load_owner_layer, load_registry, registry_from_ids
from geomap.readers import ReadInfo, concat_frames, read_remarks
from geomap.remarks import build_remarks
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
                responsibility.geometry.to_numpy(), responsibility["owner"].to_numpy(), priority=priority
            )
        for rule in rules:
            if rule.owner not in registry:
                msg = f"rule for category {rule.category!r} sends to {rule.owner!r}, which is not in the registry; add it"
                raise ConfigError(msg)
        return cls(
            registry=registry,
            owners=PolygonIndex.build(owners.geometry.to_numpy(), owners["owner"].to_numpy(), priority=priority),
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
    [['a', 'ownership', ''], ['a', 'ownership', 'boundary'], [None, 'unrouted', '']]
    """
    n = len(remarks)
    geoms = remarks.geometry.to_numpy()
    missing = shapely.is_missing(geoms) | shapely.is_empty(geoms)
    xy = np.full((n, 2), np.nan)
    xy[~missing] = shapely.get_coordinates(geoms[~missing])
    x, y = xy[:, 0], xy[:, 1]
    loc = locate(
        router.owners, x, y, tolerance=router.tolerance, max_distance=router.max_distance, workers=router.workers
    )
    land_owner = _ids(router.owners.owner_ids, loc.owner)
    owner = land_owner.copy()
    method = np.where(loc.owner == NO_OWNER, "unrouted", np.where(loc.inside, "ownership", "nearest")).astype(object)
    distance = loc.distance.copy()

    resp_owner = np.full(n, None, dtype=object)
    if router.responsibility is not None:
        rloc = locate(router.responsibility, x, y, tolerance=0.0, max_distance=0.0, workers=router.workers)
        in_resp = rloc.owner != NO_OWNER
        resp_owner = _ids(router.responsibility.owner_ids, rloc.owner)
        owner[in_resp] = resp_owner[in_resp]
        method[in_resp] = "responsibility"
        distance[in_resp] = 0.0

    rule_hit = np.full(n, -1, dtype="int64")
    if router.rules:
        rule_hit = apply_rules(remarks["category"], remarks["description"], list(router.rules))
        by_rule = rule_hit >= 0
        owner[by_rule] = np.array([r.owner for r in router.rules], dtype=object)[rule_hit[by_rule]]
        method[by_rule] = "category_rule"
        distance[by_rule] = np.nan

    flags = _flags(
        boundary=loc.boundary & np.isin(method, ("ownership", "nearest")),
        overlap=loc.overlap & (method == "ownership"),
        unknown=~remarks["_category_known"].to_numpy(dtype=bool),
        outside=loc.outside,
        missing=missing,
    )
    candidates = np.where(np.isin(method, ("ownership", "nearest")), loc.candidates, None)
    names = _names(router.registry, owner)
    reasons = _reasons(
        router, method=method, owner_names=names, land_names=_names(router.registry, land_owner),
        land_owner=land_owner, owner=owner, distance=distance, loc_boundary=flags, missing=missing,
        outside=loc.outside, rule_hit=rule_hit, category_label=remarks.get("category_label"),
    )
    return pd.DataFrame(
        {
            "owner": pd.array(owner, dtype="string"),
            "owner_name": pd.array(names, dtype="string"),
            "land_owner": pd.array(land_owner, dtype="string"),
            "route_method": pd.array(method, dtype="string"),
            "distance_m": np.round(distance, 2),
            "candidates": pd.array(candidates, dtype="string"),
            "flags": pd.array(flags, dtype="string"),
            "reason": pd.array(reasons, dtype="string"),
        },
        index=remarks.index,
    )


def _ids(owner_ids: np.ndarray, codes: np.ndarray) -> np.ndarray:
    out = np.full(len(codes), None, dtype=object)
    hit = codes != NO_OWNER
    out[hit] = owner_ids[codes[hit]]
    return out


def _names(registry: OwnerRegistry, owner: np.ndarray) -> np.ndarray:
    lookup = {o.id: o.name for o in registry.owners}
    return pd.Series(owner, dtype=object).map(lookup).to_numpy(dtype=object)


def _flags(**masks: np.ndarray) -> np.ndarray:
    labels = {
        "boundary": "boundary", "overlap": "overlap", "unknown": "unknown_category",
        "outside": "outside_extent", "missing": "invalid_geometry",
    }
    out = pd.Series("", index=range(len(next(iter(masks.values())))), dtype=object)
    for key, mask in masks.items():
        if mask.any():
            add = np.where(out[mask] == "", labels[key], out[mask] + ";" + labels[key])
            out[mask] = add
    return out.to_numpy(dtype=object)


def _reasons(
    router: Router,
    *,
    method: np.ndarray,
    owner_names: np.ndarray,
    land_names: np.ndarray,
    land_owner: np.ndarray,
    owner: np.ndarray,
    distance: np.ndarray,
    loc_boundary: np.ndarray,
    missing: np.ndarray,
    outside: np.ndarray,
    rule_hit: np.ndarray,
    category_label: pd.Series | None,
) -> np.ndarray:
    """A Swedish sentence per remark: why it went where it went (vectorised by case)."""
    n = len(method)
    out = pd.Series("", index=range(n), dtype=object)
    name = pd.Series(owner_names, dtype=object).fillna("")
    land = pd.Series(land_names, dtype=object).fillna("")
    dist = pd.Series(np.round(np.nan_to_num(distance), 1)).map("{:.1f}".format).str.replace(".", ",", regex=False)

    m = method == "ownership"
    out[m] = "Inom mark som ägs av " + name[m]
    m = method == "nearest"
    out[m] = (
        "Utanför ägarpolygonerna (gata, vatten); närmaste mark ägs av " + name[m] + ", "
        + dist[m] + f" m bort (högst {router.max_distance:g} m)"
    )
    m = method == "responsibility"
    differs = m & (land_owner != owner) & pd.notna(land_owner)
    out[m] = "Inom område där " + name[m] + " har driftansvar"
    out[differs] = out[differs] + "; marken ägs av " + land[differs]
    m = method == "category_rule"
    if m.any():
        labels = (category_label if category_label is not None else pd.Series("", index=range(n)))
        label = pd.Series(labels.to_numpy(dtype=object), dtype=object).fillna("")
        notes = np.array([r.note for r in router.rules], dtype=object)[np.maximum(rule_hit, 0)]
        out[m] = "Kategoriregel: " + label[m] + " går till " + name[m]
        noted = m & (notes != "")
        out[noted] = out[noted] + " (" + pd.Series(notes, dtype=object)[noted] + ")"
    m = method == "unrouted"
    out[m] = f"Ingen ägarpolygon inom {router.max_distance:g} m"
    out[m & outside] = "Utanför ägarskiktets utbredning (troligen utanför kommunen)"
    out[m & missing] = "Saknar koordinater eller geometri"
    flags = pd.Series(loc_boundary, dtype=object)
    boundary = flags.str.contains("boundary", regex=False).to_numpy(dtype=bool)
    out[boundary] = out[boundary] + f"; ligger inom {router.tolerance:g} m från annan ägares mark – kontrollera"
    overlap = flags.str.contains("overlap", regex=False).to_numpy(dtype=bool)
    out[overlap] = out[overlap] + "; överlappande ägarpolygoner, vald enligt prioritet"
    return out.to_numpy(dtype=object)


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
    >>> import geomap
    >>> result = geomap.route("data/lagesbild_2025_synthetic.csv", owners="data/owners_synthetic.gpkg",
    ...                       registry="data/owners.toml")  # doctest: +SKIP
    >>> result.summary.by_method()  # doctest: +SKIP
    """
    target = parse_crs(working_crs, argument="working_crs")
    categories = categories or load_categories()
    if source is not None and source not in ("lagesbild", "trygghetsvandring", "felanmalan", "other"):
        msg = f"source: got {source!r}; use lagesbild, trygghetsvandring, felanmalan or other"
        raise ConfigError(msg)
    frame, infos = _read_inputs(inputs, crs=crs, layer=layer, working_crs=target)
    remarks = build_remarks(frame, categories=categories, source=source)

    owner_layer = _owner_layer(owners, layer=owners_layer, column=owner_column, crs=target, what="owner layer")
    resp_layer = None
    if responsibility is not None:
        resp_layer = _owner_layer(responsibility, layer=None, column=None, crs=target, what="responsibility layer")
    if registry is None:
        ids = list(owner_layer.frame["owner"].dropna().unique())
        if resp_layer is not None:
            ids += list(resp_layer.frame["owner"].dropna().unique())
        rule_list = _rules(rules)
        reg = registry_from_ids(ids + [r.owner for r in rule_list])
    else:
        reg = registry if isinstance(registry, OwnerRegistry) else load_registry(registry)
        rule_list = _rules(rules)
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
        overlapping_polygons=_overlapping_owner_polygons(owner_layer.frame),
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
        if "owner" not in value.columns:
            msg = f"{what}: the GeoDataFrame has no 'owner' column"
            raise InputError(msg)
        if value.crs is None:
            msg = f"{what}: the GeoDataFrame has no CRS; set it with .set_crs(...)"
            raise InputError(msg)
        geoms = value.geometry.to_numpy()
        fixed = value.loc[~(shapely.is_missing(geoms) | shapely.is_empty(geoms))].copy()
        invalid = ~shapely.is_valid(fixed.geometry.to_numpy())
        if invalid.any():
            fixed.loc[invalid, fixed.geometry.name] = shapely.make_valid(fixed.geometry.to_numpy()[invalid])
        return OwnerLayer(frame=fixed.to_crs(crs).reset_index(drop=True), path="<GeoDataFrame>", repaired=int(invalid.sum()))
    return load_owner_layer(Path(value), layer=layer, owner_column=column, working_crs=crs, what=what)


def _rules(rules: PathLike | Sequence[CategoryRule] | None) -> list[CategoryRule]:
    if rules is None:
        return []
    if isinstance(rules, str | os.PathLike):
        return load_rules(rules)
    return list(rules)


def _overlapping_owner_polygons(frame: gpd.GeoDataFrame) -> int:
    """Number of owner polygons whose interior overlaps a polygon of another owner."""
    geoms = frame.geometry.to_numpy()
    tree = shapely.STRtree(geoms)
    a, b = tree.query(geoms, predicate="overlaps")
    owners = frame["owner"].to_numpy(dtype=object)
    other = owners[a] != owners[b]
    return int(len(np.unique(a[other])))


def _order_columns(remarks: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    first = [
        "remark_id", "source", "category", "category_label", "category_raw", "timestamp",
        "description", "action", "walk_id", "walk_date", "place", "owner", "owner_name",
        "land_owner", "route_method", "distance_m", "candidates", "flags", "reason",
        "source_file", "source_row",
    ]
    rest = [c for c in remarks.columns if c not in first and c != remarks.geometry.name]
    return remarks[[*first, *rest, remarks.geometry.name]]
