"""The routing engine: indexed owner layers (:class:`Router`) and the pure :func:`route_chunk`.

Precedence, recorded per remark in ``route_method``:
``category_rule`` > ``responsibility`` > ``ownership`` > ``nearest`` > ``unrouted``.

:func:`route_chunk` is a pure function of (a chunk of remarks, the indexed owner layers, the rules),
so it can run partitioned (e.g. with dask-geopandas ``map_partitions``) without a rewrite.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Sequence
from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geomap.core.owners import OwnerRegistry
from geomap.core.rules import CategoryRule, apply_rules
from geomap.core.spatial import NO_OWNER, Location, PolygonIndex, locate
from geomap.errors import ConfigError
from geomap.routing.reasons import (
    CATEGORY_RULE,
    F_AXIS_SWAPPED,
    F_BOUNDARY,
    F_MISSING,
    F_OUTSIDE,
    F_OVERLAP,
    F_UNKNOWN,
    METHODS,
    NEAREST,
    OWNERSHIP,
    RESPONSIBILITY,
    UNROUTED,
    ReasonContext,
    flag_codes,
    reasons,
)

__all__ = ["METHODS", "Router", "route_chunk"]


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
        >>> from geomap.core.owners import registry_from_ids
        >>> reg = registry_from_ids(["a"])
        >>> owners = gpd.GeoDataFrame({"owner": ["a"]}, geometry=[shapely.box(0, 0, 9, 9)], crs=3011)
        >>> Router.build(reg, owners).owners.owner_ids.tolist()
        ['a']
        """
        for argument, value in (("tolerance", tolerance), ("max_distance", max_distance)):
            number = isinstance(value, numbers.Real) and not isinstance(value, bool)
            if not (number and math.isfinite(value) and value >= 0):
                msg = (
                    f"`{argument}`: got {value!r}; tolerance and max_distance must be ≥ 0 and "
                    "finite, in metres"
                )
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
    same inputs give the same output, whatever the order of rows or the size of chunks. A remark
    whose ``_axis_swapped`` is true (the reader swapped its file's X/Y) is flagged ``axis_swapped``;
    without that column none is.

    Examples
    --------
    >>> from geomap.core.owners import registry_from_ids
    >>> reg = registry_from_ids(["a", "b"])
    >>> owners = gpd.GeoDataFrame({"owner": ["a", "b"]},
    ...     geometry=[shapely.box(0, 0, 10, 10), shapely.box(10, 0, 20, 10)], crs=3011)
    >>> remarks = gpd.GeoDataFrame({"category": ["klotter"] * 3, "description": [""] * 3,
    ...     "_category_known": [True] * 3},
    ...     geometry=shapely.points([[5, 5], [10, 5], [30, 5]]), crs=3011)
    >>> route_chunk(remarks, Router.build(reg, owners))[["owner", "route_method", "flags"]].values.tolist()
    [['a', 'ownership', ''], ['a', 'ownership', 'boundary'], ['b', 'nearest', '']]
    """
    xy, missing = _coordinates(remarks)
    loc = locate(
        router.owners,
        xy[:, 0],
        xy[:, 1],
        tolerance=router.tolerance,
        max_distance=router.max_distance,
        workers=router.workers,
    )
    decision = _decide(remarks, router, loc, xy)
    spatial = (decision.method == OWNERSHIP) | (decision.method == NEAREST)
    flags = _flags(remarks, loc, decision, spatial, missing)
    why = _reasons(remarks, router, decision, flags)
    candidates = np.where(spatial, loc.candidates, np.full(len(remarks), None, dtype=object))
    return _frame(remarks.index, router, decision, candidates, flag_codes(flags), why)


def _coordinates(remarks: gpd.GeoDataFrame) -> tuple[np.ndarray, np.ndarray]:
    """Return the remarks' X/Y (NaN where the geometry is missing or empty) and that mask."""
    geoms = remarks.geometry.to_numpy()
    missing = shapely.is_missing(geoms) | shapely.is_empty(geoms)
    xy = np.full((len(remarks), 2), np.nan)
    xy[~missing] = shapely.get_coordinates(geoms[~missing])
    return xy, missing


def _flags(
    remarks: gpd.GeoDataFrame,
    loc: Location,
    decision: _Decision,
    spatial: np.ndarray,
    missing: np.ndarray,
) -> np.ndarray:
    """Return each remark's flag bits from the spatial look-up and the decision."""
    return (
        (loc.boundary & spatial) * F_BOUNDARY
        | (loc.overlap & (decision.method == OWNERSHIP)) * F_OVERLAP
        | ~remarks["_category_known"].to_numpy(dtype=bool) * F_UNKNOWN
        | loc.outside * F_OUTSIDE
        | missing * F_MISSING
        | _axis_swapped(remarks) * F_AXIS_SWAPPED
    ).astype("int64")


def _reasons(
    remarks: gpd.GeoDataFrame, router: Router, decision: _Decision, flags: np.ndarray
) -> np.ndarray:
    """Word each remark's reason (the Swedish ``reason`` column)."""
    context = ReasonContext(
        names=[o.name for o in router.registry.owners],
        rules=router.rules,
        tolerance=router.tolerance,
        max_distance=router.max_distance,
    )
    return reasons(
        context,
        method=decision.method,
        owner=decision.owner,
        land=decision.land,
        flags=flags,
        rule_hit=decision.rule_hit,
        distance=decision.distance,
        labels=remarks.get("category_label"),
    )


def _axis_swapped(remarks: pd.DataFrame) -> np.ndarray:
    """Per remark: did the reader swap its file's axes (column ``_axis_swapped``, if any)."""
    if "_axis_swapped" not in remarks.columns:
        return np.zeros(len(remarks), dtype=bool)
    return remarks["_axis_swapped"].astype("boolean").fillna(False).to_numpy(dtype=bool)


@dataclass
class _Decision:
    """Per remark: registry positions of the owner and land owner, method, distance, rule."""

    owner: np.ndarray
    land: np.ndarray
    method: np.ndarray
    distance: np.ndarray
    rule_hit: np.ndarray


def _decide(remarks: gpd.GeoDataFrame, router: Router, loc: Location, xy: np.ndarray) -> _Decision:
    """Apply the precedence: category rule > responsibility > ownership > nearest > unrouted."""
    ids = np.array(router.registry.ids, dtype=object)
    land = _to_registry(loc.owner, router.owners, ids)
    owner = land.copy()
    method = np.where(loc.owner == NO_OWNER, UNROUTED, np.where(loc.inside, OWNERSHIP, NEAREST))
    distance = loc.distance.copy()
    if router.responsibility is not None:
        rloc = locate(
            router.responsibility,
            xy[:, 0],
            xy[:, 1],
            tolerance=0.0,
            max_distance=0.0,
            workers=router.workers,
        )
        in_resp = rloc.owner != NO_OWNER
        owner[in_resp] = _to_registry(rloc.owner, router.responsibility, ids)[in_resp]
        # Street space between parcels has no land owner; the nearest parcel's is not it.
        land[in_resp & ~loc.inside] = len(ids)
        method[in_resp] = RESPONSIBILITY
        distance[in_resp] = 0.0
    rule_hit = np.full(len(remarks), -1, dtype="int64")
    if router.rules:
        rule_hit = apply_rules(remarks["category"], remarks["description"], list(router.rules))
        by_rule = rule_hit >= 0
        rule_owner = np.array(
            [router.registry.ids.index(r.owner) for r in router.rules], dtype="int64"
        )
        owner[by_rule] = rule_owner[rule_hit[by_rule]]
        method[by_rule] = CATEGORY_RULE
        distance[by_rule] = np.nan
    return _Decision(owner=owner, land=land, method=method, distance=distance, rule_hit=rule_hit)


def _frame(
    index: pd.Index,
    router: Router,
    decision: _Decision,
    candidates: np.ndarray,
    flags: np.ndarray,
    why: np.ndarray,
) -> pd.DataFrame:
    """Return the routing columns, with the same dtypes whatever the chunk holds (also when empty)."""
    names = np.array([o.name for o in router.registry.owners] + [None], dtype=object)
    ids_or_none = np.array([*router.registry.ids, None], dtype=object)
    text = {
        "owner": ids_or_none[decision.owner],
        "owner_name": names[decision.owner],
        "land_owner": ids_or_none[decision.land],
        "route_method": np.array(METHODS, dtype=object)[decision.method],
    }
    out = pd.DataFrame({k: pd.Series(v, index=index, dtype="str") for k, v in text.items()})
    out["distance_m"] = np.round(decision.distance, 2)
    for name, values in {"candidates": candidates, "flags": flags, "reason": why}.items():
        out[name] = pd.Series(values, index=index, dtype="str")
    return out


def _to_registry(codes: np.ndarray, index: PolygonIndex, ids: np.ndarray) -> np.ndarray:
    """Turn an index's owner codes into registry positions; NO_OWNER becomes len(ids) (= None)."""
    position = {owner: i for i, owner in enumerate(ids)}
    mapping = np.array([position[o] for o in index.owner_ids] + [len(ids)], dtype="int64")
    return mapping[np.where(codes == NO_OWNER, len(mapping) - 1, codes)]
