"""The routing pipeline: read inputs and layers, build the :class:`Router`, route, summarise."""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from pyproj import CRS

from geomap.core.categories import Categories, load_categories
from geomap.core.crs import WORKING_CRS, check_scale, parse_working_crs
from geomap.core.owners import (
    OwnerLayer,
    OwnerRegistry,
    load_owner_layer,
    load_registry,
    owner_layer_from_frame,
    registry_from_ids,
)
from geomap.core.remarks import MODEL_COLUMNS, SOURCES, build_remarks, remark_fields, unique_ids
from geomap.core.rules import CategoryRule, load_rules
from geomap.core.spatial import PolygonIndex
from geomap.errors import ConfigError, InputError
from geomap.routing.engine import Router, route_chunk
from geomap.routing.readers import (
    MAX_INPUT_COLUMNS,
    ReadInfo,
    concat_frames,
    read_frame,
    read_remarks,
)
from geomap.routing.reasons import add_flag, protocol_owner_differs
from geomap.routing.summary import RouteSummary, summarise

__all__ = ["RouteResult", "route"]


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
#: What ``inputs`` may hold: remark files and (Geo)DataFrames of remarks.
Input = PathLike | pd.DataFrame


def route(
    inputs: Input | Sequence[Input],
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
        One or more remark files (vector or CSV/XLSX) or frames: a GeoDataFrame of remarks, or a
        DataFrame with coordinate columns (named as in a CSV; CRS from ``crs`` or the values), or
        a list mixing them. Each is read on its own: its columns decide its model fields. A frame
        that :func:`route` returned can be routed again: its old model and routing columns are
        derived afresh.
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
        CRS for the join and the outputs (SWEREF 99 18 00 by default); projected, in metres.
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
    [('nearest', 3), ('ownership', 12), ('unrouted', 5)]
    >>> result.remarks.loc[0, ["remark_id", "owner", "route_method"]].tolist()
    ['SF-01', 'huge_bostader', 'ownership']
    """
    arguments = dict(locals())
    target = parse_working_crs(working_crs)
    remarks, infos = _read_inputs(inputs, **reader_options(arguments, target))
    router, layers = router_for(arguments, target)
    remarks = _with_routing(remarks, route_chunk(remarks, router), router.registry)
    return _result(remarks, router, infos, layers, target)


def _result(
    remarks: gpd.GeoDataFrame,
    router: Router,
    infos: list[ReadInfo],
    layers: list[OwnerLayer],
    target: CRS,
) -> RouteResult:
    """Bundle the routed remarks, their summary and the layers used."""
    owner_layer, resp_layer = layers[0], (layers[1] if len(layers) > 1 else None)
    return RouteResult(
        remarks=remarks,
        summary=_summary(remarks, router, infos, layers, target),
        registry=router.registry,
        owners=owner_layer.frame,
        responsibility=None if resp_layer is None else resp_layer.frame,
        inputs=infos,
    )


#: The arguments of an entry point (:func:`route` and the engines) that build its router.
_ROUTER_ARGUMENTS = (
    *("owners", "registry", "responsibility", "rules", "owners_layer", "owner_column"),
    *("tolerance", "max_distance", "workers"),
)


def router_for(arguments: Mapping[str, Any], working_crs: CRS) -> tuple[Router, list[OwnerLayer]]:
    """Build the router of an entry point from its ``arguments`` (:func:`prepare_router`'s).

    Every engine (:func:`route`, the streaming and the dask engine) builds its router here.

    Examples
    --------
    >>> arguments = {"owners": "data/owners_synthetic.gpkg", "registry": None,
    ...     "responsibility": None, "rules": None, "owners_layer": None, "owner_column": None,
    ...     "tolerance": 2.0, "max_distance": 25.0, "workers": 1}
    >>> router, layers = router_for(arguments, CRS("EPSG:3011"))
    >>> len(layers), router.tolerance
    (1, 2.0)
    """
    return prepare_router(**{k: arguments[k] for k in _ROUTER_ARGUMENTS}, working_crs=working_crs)


def reader_options(arguments: Mapping[str, Any], working_crs: CRS) -> dict[str, Any]:
    """Return the remark readers' keywords from an entry point's ``arguments``; check ``source``.

    ``crs``, ``layer``, ``working_crs``, ``categories`` (the packaged ones by default) and
    ``source``: the same for :func:`route` and the engines that read in batches.

    Examples
    --------
    >>> options = reader_options({"crs": None, "layer": None, "categories": None, "source": None},
    ...     CRS("EPSG:3011"))
    >>> sorted(options)
    ['categories', 'crs', 'layer', 'source', 'working_crs']
    """
    return {
        "crs": arguments["crs"],
        "layer": arguments["layer"],
        "working_crs": working_crs,
        "categories": arguments["categories"] or load_categories(),
        "source": _source(arguments["source"]),
    }


def input_list(inputs: Input | Sequence[Input]) -> list[Input]:
    """Return ``inputs`` as a list (one file or frame, or several); refuse an empty one.

    Examples
    --------
    >>> input_list("a.csv"), input_list(["a.csv", "b.gpkg"])
    (['a.csv'], ['a.csv', 'b.gpkg'])
    """
    items = [inputs] if isinstance(inputs, str | os.PathLike | pd.DataFrame) else list(inputs)
    if not items:
        msg = "`inputs`: no remark files given; pass at least one file"
        raise InputError(msg)
    return items


def prepare_router(
    *,
    owners: PathLike | gpd.GeoDataFrame,
    registry: PathLike | OwnerRegistry | None,
    responsibility: PathLike | gpd.GeoDataFrame | None,
    rules: PathLike | Sequence[CategoryRule] | None,
    owners_layer: str | int | None,
    owner_column: str | None,
    working_crs: CRS,
    tolerance: float,
    max_distance: float,
    workers: int | None,
) -> tuple[Router, list[OwnerLayer]]:
    """Read the owner (and responsibility) layers and build the one :class:`Router` of a run.

    Returns the router and the layers read (owner layer first). The arguments are those of
    :func:`route`; every engine builds its router here.

    Examples
    --------
    >>> router, layers = prepare_router(owners="data/owners_synthetic.gpkg", registry=None,
    ...     responsibility=None, rules=None, owners_layer=None, owner_column=None,
    ...     working_crs=CRS("EPSG:3011"), tolerance=2.0, max_distance=25.0, workers=1)
    >>> len(layers), router.max_distance
    (1, 25.0)
    """
    owner_layer, resp_layer = _polygon_layers(
        owners, responsibility, layer=owners_layer, column=owner_column, crs=working_crs
    )
    check_scale(working_crs, tuple(owner_layer.frame.total_bounds))
    rule_list = _rules(rules)
    router = Router.build(
        _registry(registry, owner_layer, resp_layer, rule_list),
        owner_layer.frame,
        responsibility=None if resp_layer is None else resp_layer.frame,
        rules=rule_list,
        tolerance=tolerance,
        max_distance=max_distance,
        workers=workers,
    )
    return router, [owner_layer] if resp_layer is None else [owner_layer, resp_layer]


def _summary(
    remarks: gpd.GeoDataFrame,
    router: Router,
    infos: list[ReadInfo],
    layers: list[OwnerLayer],
    working_crs: CRS,
) -> RouteSummary:
    return summarise(
        remarks,
        registry=router.registry,
        inputs=infos,
        repaired=sum(x.repaired for x in layers),
        dropped=sum(x.dropped_empty for x in layers),
        overlapping_polygons=_overlapping_owner_polygons(router.owners),
        working_crs=working_crs,
        tolerance=router.tolerance,
        max_distance=router.max_distance,
    )


def _registry(
    registry: PathLike | OwnerRegistry | None,
    owner_layer: OwnerLayer,
    resp_layer: OwnerLayer | None,
    rules: list[CategoryRule],
) -> OwnerRegistry:
    """Return the registry given, or one built from the owner ids of the layers and rules."""
    if isinstance(registry, OwnerRegistry):
        return registry
    if registry is not None:
        return load_registry(registry)
    ids = list(owner_layer.frame["owner"].dropna().unique())
    if resp_layer is not None:
        ids += list(resp_layer.frame["owner"].dropna().unique())
    return registry_from_ids(ids + [r.owner for r in rules])


def _source(source: str | None) -> str | None:
    if source is not None and source not in SOURCES:
        msg = f"`source`: got {source!r}; use {', '.join(SOURCES[:-1])} or {SOURCES[-1]}"
        raise ConfigError(msg)
    return source


def _polygon_layers(
    owners: PathLike | gpd.GeoDataFrame,
    responsibility: PathLike | gpd.GeoDataFrame | None,
    *,
    layer: str | int | None,
    column: str | None,
    crs: CRS,
) -> tuple[OwnerLayer, OwnerLayer | None]:
    """Read the owner layer and the responsibility layer (when given) with the one reader."""
    owner_layer = _owner_layer(owners, layer=layer, column=column, crs=crs, what="owner layer")
    if responsibility is None:
        return owner_layer, None
    resp = _owner_layer(
        responsibility, layer=None, column=None, crs=crs, what="responsibility layer"
    )
    return owner_layer, resp


def _read_inputs(
    inputs: Input | Sequence[Input],
    *,
    crs: str | int | CRS | None,
    layer: str | int | None,
    working_crs: CRS,
    categories: Categories,
    source: str | None,
) -> tuple[gpd.GeoDataFrame, list[ReadInfo]]:
    """Read every input and build its remark model on its own, then concatenate the models.

    A file's model fields are found among its columns that hold values, so an empty
    ``beskrivning`` does not hide ``anmarkning``; a routed frame is modelled per original file.
    A file given more than once (the same resolved path) is read once, with a warning.
    """
    items = input_list(inputs)
    models, infos = [], []
    repeats = _repeated_files(items)
    for position, item in enumerate(items):
        if position in repeats:
            continue
        frame, read_info = _read_one(
            item, position=position, count=len(items), crs=crs, layer=layer, working_crs=working_crs
        )
        for again in repeats.values():
            if again[0] == position:
                read_info.warn(again[1])
        for part, info in _per_file(frame, read_info):
            models.append(model_file(part, info, categories=categories, source=source))
            infos.append(info)
    remarks = concat_frames(models)
    remarks["remark_id"] = unique_ids(remarks["remark_id"])
    _check_total_width(remarks, infos)
    return remarks, infos


def model_file(
    part: gpd.GeoDataFrame, info: ReadInfo, *, categories: Categories, source: str | None
) -> gpd.GeoDataFrame:
    """Build the remark model of one file's remarks; its fields are found among its filled columns."""
    values = (c for c in part.columns if c != part.geometry.name)
    info.fields = remark_fields(c for c in values if part[c].notna().any())
    return build_remarks(
        part,
        categories=categories,
        source=source,
        fields=info.fields,
        where=info.path,
        warnings=info.warnings,
    )


def _repeated_files(items: Sequence[object]) -> dict[int, tuple[int, str]]:
    """Map the position of each file given again to (its first position, the warning to give)."""
    first: dict[Path, int] = {}
    repeats: dict[int, tuple[int, str]] = {}
    for position, item in enumerate(items):
        if not isinstance(item, str | os.PathLike):
            continue
        try:
            key = Path(item).resolve()
        except (OSError, RuntimeError):  # an unresolvable path is reported when it is read
            continue
        if key in first:
            repeats[position] = (
                first[key],
                f"{item}: given more than once in `inputs` (the same file); it is read once",
            )
        else:
            first[key] = position
    return repeats


def _read_one(
    item: object,
    *,
    position: int,
    count: int,
    crs: str | int | CRS | None,
    layer: str | int | None,
    working_crs: CRS,
) -> tuple[gpd.GeoDataFrame, ReadInfo]:
    if isinstance(item, pd.DataFrame):
        kind = "GeoDataFrame" if isinstance(item, gpd.GeoDataFrame) else "DataFrame"
        label = f"<{kind}>" if count == 1 else f"<{kind} inputs[{position}]>"
        return read_frame(item, label=label, crs=crs, working_crs=working_crs)
    if isinstance(item, str | os.PathLike):
        return read_remarks(item, crs=crs, layer=layer, working_crs=working_crs)
    msg = f"`inputs`[{position}]: got {type(item).__name__}; pass file paths, DataFrames or GeoDataFrames"
    raise InputError(msg)


def _per_file(
    frame: gpd.GeoDataFrame, info: ReadInfo
) -> Iterator[tuple[gpd.GeoDataFrame, ReadInfo]]:
    """Yield the input as it was read, or a routed input split by the file of each remark."""
    if not info.previous_run:
        yield frame, info
        return
    codes, files = pd.factorize(frame["source_file"].astype(str))
    for code, name in enumerate(files):
        part = frame[codes == code]
        yield (
            part,
            dataclasses.replace(
                info,
                path=f"{name} (in {info.path})",
                rows=len(part),
                missing_geometry=int((part.geometry.isna() | part.geometry.is_empty).sum()),
                warnings=list(info.warnings) if code == 0 else [],
            ),
        )


def _check_total_width(remarks: gpd.GeoDataFrame, infos: list[ReadInfo]) -> None:
    own = {*MODEL_COLUMNS, "source_file", "source_row", "_category_known", "_axis_swapped"}
    own.add(remarks.geometry.name)
    count = sum(1 for c in remarks.columns if c not in own)
    if count > MAX_INPUT_COLUMNS:
        files = ", ".join(i.path for i in infos)
        msg = (
            f"{files}: together {count:,} different input columns; routed.gpkg keeps every one "
            f"and a GeoPackage holds at most 2,000, so geomap reads at most {MAX_INPUT_COLUMNS:,}: "
            "route the files separately or remove the columns the remarks do not need"
        )
        raise InputError(msg)


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
    """Count the owner polygons whose interior overlaps a polygon of another owner."""
    geoms = index.geoms
    a, b = index.tree.query(geoms)  # envelopes only; the exact test runs on other owners' pairs
    owners = index.owner_codes
    other = (owners[a] != owners[b]) & (a < b)
    a, b = a[other], b[other]
    inner = shapely.relate_pattern(geoms[a], geoms[b], "T********")
    return len(np.unique(np.concatenate([a[inner], b[inner]])))


def _with_routing(
    remarks: gpd.GeoDataFrame, routed: pd.DataFrame, registry: OwnerRegistry
) -> gpd.GeoDataFrame:
    """Add the routing columns to the remarks, in the order of the output contract.

    A remark whose protocol names another landowner than the routed owner (and the owner of
    its land) is flagged ``protocol_owner_differs``.
    """
    for column in routed.columns:
        remarks[column] = routed[column]
    differs = protocol_owner_differs(
        remarks["protocol_owner"], remarks["owner"], remarks["land_owner"], registry
    )
    remarks["flags"] = add_flag(remarks["flags"], differs, "protocol_owner_differs")
    internal = [c for c in ("_category_known", "_axis_swapped") if c in remarks.columns]
    return _order_columns(remarks.drop(columns=internal))


def _order_columns(remarks: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    first = [*MODEL_COLUMNS, "source_file", "source_row"]
    rest = [c for c in remarks.columns if c not in first and c != remarks.geometry.name]
    return remarks[[*first, *rest, remarks.geometry.name]]
