"""The per-owner map payloads of many owners, built in one pass over all their remarks.

:func:`geomap.maps.data.build_payload` with ``scope_owner`` builds one owner's payload; called
once per owner it costs tens of milliseconds each (pandas, a tree, a transform per call), so
10,000 owners took minutes. :class:`OwnerPayloads` computes everything for all owners at once:
the transform to WGS84, the spatial order (each owner's own Morton grid, as ``build_payload``),
the district of each remark, day numbers, distances, the dictionary codes of categories, route
methods and texts (ranked within each owner), the masked candidates and the owners' dissolved
polygons as GeoJSON. Per owner only slices of these arrays remain, and the JSON of the slices.

The JSON text of an owner equals ``script_json(build_payload(<its remarks>, scope_owner=owner,
...))`` byte for byte (``tests/maps/test_many.py``): a per-owner payload holds nothing of other
owners (no remarks, polygons, names or ids; other candidates read "annan ägare"; no reason).
"""

from __future__ import annotations

import dataclasses
import functools
import json
from collections.abc import Sequence
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geomap.core.labels import FLAG_LABELS, LABELS
from geomap.core.spatial import morton_codes
from geomap.maps.data import (
    _OTHER_COLUMNS,
    _STRING_COLUMNS,
    MapText,
    _district_index,
    _features,
    _lon_lat,
    _mask_one,
    _number_columns,
    _owner_colours,
    _registry_rows,
    _text,
    _texts,
    _type_names,
    _typed_bytes,
    category_shape,
    dissolve_owners,
    script_json,
)

__all__ = ["OwnerPayloads"]

_KEYS = ("lat", "lon", "o", "c", "m", "desc", "act", "cand", "why", "pl", "src", "fl", "k")
_EMPTY = script_json({"type": "FeatureCollection", "features": []})


@dataclasses.dataclass(frozen=True)
class _Ranked:
    """Values ranked within each owner: ``value`` of each entry, in owner order, by owner."""

    local: np.ndarray  # each input entry's index in its owner's table (-1: null)
    value: np.ndarray  # the value (a global code) of each table entry, owners one after another
    first: np.ndarray  # where each table entry first occurs (index into the input)
    start: np.ndarray  # start of each owner's table in ``value`` (length: owners + 1)


def _rank(group: np.ndarray, value: np.ndarray, n_groups: int, *, by_count: bool) -> _Ranked:
    """Rank the distinct values of each group: by count (descending), then first occurrence.

    ``group`` and ``value`` (global codes, -1 for null) are in the order in which a group's
    entries are met; ``by_count=False`` ranks by first occurrence only (``pandas.factorize``).
    """
    valid = np.flatnonzero(value >= 0)
    width = np.int64(max(int(value.max(initial=0)) + 1, 1))
    key = group[valid].astype(np.int64) * width + value[valid]
    uniq, first, inverse, counts = np.unique(
        key, return_index=True, return_inverse=True, return_counts=True
    )
    owner = uniq // width
    ranks = (first, -counts, owner) if by_count else (first, owner)
    order = np.lexsort(ranks)
    start = np.searchsorted(owner[order], np.arange(n_groups + 1))
    position = np.empty(len(order), dtype=np.int64)
    position[order] = np.arange(len(order)) - start[owner[order]]
    local = np.full(len(value), -1, dtype=np.int64)
    local[valid] = position[inverse.ravel()]
    return _Ranked(local, (uniq % width)[order], valid[first[order]], start)


def _factorize(values: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """Return each value's global code (-1 for null) and the distinct texts."""
    codes, uniques = pd.factorize(values.astype("string"), use_na_sentinel=True)
    return codes.astype(np.int64), np.asarray([str(u) for u in uniques], dtype=object)


def _owner_order(group: np.ndarray, lon: np.ndarray, lat: np.ndarray, n_groups: int) -> np.ndarray:
    """Return the order of the located remarks: by owner, then along each owner's Morton curve.

    Each owner's grid spans its own remarks, as :func:`geomap.core.spatial.spatial_order` on
    that owner's remarks alone: the points are scaled to the unit square of their owner first.
    """
    by = np.argsort(group, kind="stable")
    counts = np.bincount(group, minlength=n_groups)
    starts = (np.cumsum(counts) - counts)[counts > 0]
    low_x = np.zeros(n_groups)
    low_y, high_x, high_y = low_x.copy(), low_x.copy(), low_x.copy()
    if len(by):
        for out, reduce, values in (
            (low_x, np.minimum, lon),
            (low_y, np.minimum, lat),
            (high_x, np.maximum, lon),
            (high_y, np.maximum, lat),
        ):
            out[counts > 0] = reduce.reduceat(values[by], starts)
    span = np.maximum(np.maximum(high_x - low_x, high_y - low_y), 1e-9)
    with np.errstate(invalid="ignore"):
        u = (lon - low_x[group]) / span[group]
        v = (lat - low_y[group]) / span[group]
    return np.lexsort((morton_codes(u, v, (0.0, 0.0, 1.0, 1.0)), group))


@dataclasses.dataclass(frozen=True)
class _Rows:
    """The remarks of all owners with a position, by owner, each owner's in spatial order."""

    frame: pd.DataFrame
    group: np.ndarray
    geoms: np.ndarray
    lon: np.ndarray
    lat: np.ndarray
    start: np.ndarray  # start of each owner's rows (length: owners + 1)
    unlocated: np.ndarray  # per owner: remarks without a position


def _rows(remarks: gpd.GeoDataFrame, ids: Sequence[str]) -> _Rows:
    """Select the remarks of ``ids`` and put them in payload order (see :class:`_Rows`)."""
    lookup = {o: i for i, o in enumerate(ids)}
    group = remarks["owner"].astype("string").map(lookup).to_numpy(dtype=float, na_value=np.nan)
    mine = np.isfinite(group)
    remarks, group = remarks[mine], group[mine].astype(np.int64)
    geoms, lon, lat, located = _lon_lat(remarks)
    rows = np.flatnonzero(located)
    rows = rows[_owner_order(group[rows], lon[rows], lat[rows], len(ids))]
    frame = pd.DataFrame(remarks.drop(columns=remarks.geometry.name)).iloc[rows]
    for column in (*_STRING_COLUMNS, *_OTHER_COLUMNS):
        if column not in frame.columns:
            frame[column] = None
    return _Rows(
        frame.reset_index(drop=True),
        group[rows],
        geoms[rows],
        lon[rows],
        lat[rows],
        np.searchsorted(group[rows], np.arange(len(ids) + 1)),
        np.bincount(group[~located], minlength=len(ids)),
    )


def _masked_candidates(rows: _Rows, ids: Sequence[str]) -> pd.Series:
    """Return the candidates of each remark with owners other than its own as "annan ägare"."""
    values = rows.frame["candidates"]
    present = values.notna().to_numpy()
    result = pd.Series([None] * len(values), dtype=object)
    if present.any():
        pairs = pd.MultiIndex.from_arrays(
            [values[present].astype(str), rows.group[present]]
        ).factorize()
        masked = [_mask_one(text, ids[g]) for text, g in pairs[1]]
        result[present] = np.asarray(masked, dtype=object)[pairs[0]]
    return result


def _string_tables(rows: _Rows, ids: Sequence[str]) -> tuple[_Ranked, np.ndarray, np.ndarray]:
    """Return each owner's string table (first occurrence over the text columns in turn).

    Also the distinct texts the table indexes and each text column's codes (rows × columns).
    """
    frame = rows.frame.assign(candidates=_masked_candidates(rows, ids), reason=None)
    stacked = pd.concat([frame[c].astype("string") for c in _STRING_COLUMNS], ignore_index=True)
    codes, strings = _factorize(stacked)
    n, width = len(frame), len(_STRING_COLUMNS)
    group = np.tile(rows.group, width)
    # An owner's texts are met column by column, each column in the owner's row order.
    seq = np.lexsort((np.tile(np.arange(n), width), np.repeat(np.arange(width), n), group))
    ranked = _rank(group[seq], codes[seq], len(ids), by_count=False)
    local = np.empty(len(seq), dtype=np.int64)
    local[seq] = ranked.local
    return ranked, strings, local.reshape(width, n)


def _columns(rows: _Rows, districts: gpd.GeoDataFrame | None, crs: Any) -> dict[str, np.ndarray]:
    """Return the integer columns of the payload that need no table: positions, days, distance."""
    return {
        **_number_columns(rows.frame, rows.lon, rows.lat),
        "o": np.zeros(len(rows.frame)),
        "k": _district_index(rows.geoms, districts, crs),
    }


def _category_items(rows: _Rows, ranked: _Ranked, uniques: np.ndarray) -> list[str]:
    """Return the JSON of each owner's category entries (code, label of its first remark, shape)."""
    labels = rows.frame["category_label"].to_numpy(dtype=object)[ranked.first]
    codes = uniques[ranked.value]
    pairs = pd.MultiIndex.from_arrays([codes, pd.Series(labels, dtype=object).map(_text)])
    index, distinct = pairs.factorize()
    items = [
        script_json({"code": c, "label": label or c, "shape": category_shape(c)})
        for c, label in distinct
    ]
    return np.asarray(items, dtype=object)[index].tolist() if len(index) else []


def _typed(values: np.ndarray, name: str) -> str:
    """Return the JSON of :func:`geomap.maps.data.typed_column` for ``values`` of type ``name``."""
    return '{"t":"' + name + '","b":"' + _typed_bytes(values, name) + '"}'


def _owner_types(matrix: np.ndarray, start: np.ndarray) -> np.ndarray:
    """Return the smallest integer type of each owner's slice of each row of ``matrix``."""
    counts = np.diff(start)
    low = np.zeros((len(matrix), len(counts)), dtype=np.int64)
    high = low.copy()
    if matrix.shape[1]:
        at = start[:-1][counts > 0]
        low[:, counts > 0] = np.minimum.reduceat(matrix, at, axis=1)
        high[:, counts > 0] = np.maximum.reduceat(matrix, at, axis=1)
    return _type_names(low, high)


class OwnerPayloads:
    """The per-owner payloads of many owners, prepared in one pass (see the module docstring).

    Parameters
    ----------
    remarks : geopandas.GeoDataFrame
        Routed remarks (all owners); only those routed to ``owner_ids`` are used.
    owner_ids : sequence of str
        The owners to make payloads for.
    registry, owners, districts, boundary, text, shared
        As in :func:`geomap.maps.data.build_payload` (``text.title`` is replaced per owner).

    Examples
    --------
    >>> rem = gpd.GeoDataFrame({"remark_id": ["a", "b"], "category": ["klotter"] * 2,
    ...     "category_label": ["Klotter"] * 2, "owner": ["huge", "hsab"],
    ...     "owner_name": ["Huge", "HSAB"], "candidates": ["huge;hsab", None]},
    ...     geometry=[shapely.Point(153000, 6567000), shapely.Point(153100, 6567000)], crs=3011)
    >>> reg = pd.DataFrame({"owner": ["huge"], "name": ["Huge"], "colour": ["#e69f00"]})
    >>> many = OwnerPayloads(rem, owner_ids=["hsab", "huge"], registry=reg, text=MapText("T"))
    >>> import json
    >>> p = json.loads(many.json("huge", title="Huge"))
    >>> p["r"]["id"], p["owners"][0]["name"], p["str"]
    (['a'], 'Huge', ['huge;annan ägare'])
    """

    def __init__(
        self,
        remarks: gpd.GeoDataFrame,
        *,
        owner_ids: Sequence[str],
        registry: pd.DataFrame,
        owners: gpd.GeoDataFrame | None = None,
        districts: gpd.GeoDataFrame | None = None,
        boundary: gpd.GeoDataFrame | None = None,
        text: MapText,
        shared: bool = False,
    ) -> None:
        self._ids = [str(o) for o in owner_ids]
        self._index = {o: i for i, o in enumerate(self._ids)}
        rows = _rows(remarks, self._ids)
        self._rows = rows
        self._owners = _owner_entries(rows, self._ids, registry, owners)
        self._polygons = _polygon_layers(owners, self._ids)
        self._tables(rows)
        self._fixed = _fixed_parts(text, districts, boundary, shared=shared)
        columns = _columns(rows, districts, remarks.crs)
        columns.update(self._codes)
        self._matrix = np.vstack(
            [np.asarray(columns[k], dtype=np.int64) for k in (*_KEYS, "d", "dist")]
        ).reshape(len(_KEYS) + 2, len(rows.frame))
        self._types = _owner_types(self._matrix, rows.start)
        self._ids_of_rows = _texts(rows.frame["remark_id"])

    def _tables(self, rows: _Rows) -> None:
        """Rank categories, route methods and texts within each owner (the payload's tables)."""
        n = len(self._ids)
        cat_codes, cat_uniques = _factorize(rows.frame["category"])
        self._cats = _rank(rows.group, cat_codes, n, by_count=True)
        self._cat_items = _category_items(rows, self._cats, cat_uniques)
        unknown = np.bincount(rows.group[cat_codes < 0], minlength=n) > 0
        self._unknown = unknown
        cats = self._cats.local.copy()
        missing = cats < 0
        cats[missing] = np.diff(self._cats.start)[rows.group[missing]]
        method_codes, method_uniques = _factorize(rows.frame["route_method"])
        self._methods = _rank(rows.group, method_codes, n, by_count=True)
        self._method_names = method_uniques[self._methods.value].tolist()
        ranked, strings, local = _string_tables(rows, self._ids)
        self._strings = ranked
        self._string_list = strings[ranked.value].tolist()
        self._codes = {"c": cats, "m": self._methods.local}
        self._codes.update(zip(_KEYS[5:12], local, strict=True))

    def json(self, owner: str, *, title: str) -> str:
        """Return the payload JSON of ``owner`` (as :func:`script_json` of ``build_payload``)."""
        g = self._index[owner]
        s, e = int(self._rows.start[g]), int(self._rows.start[g + 1])
        return "".join(
            [
                '{"v":1,"title":',
                script_json(title),
                self._fixed["text"],
                ',"unlocated":',
                str(int(self._rows.unlocated[g])),
                ',"owners":[',
                self._owners[g],
                '],"cats":',
                self._cat_json(g),
                ',"methods":',
                script_json(self._method_names[self._slice(self._methods, g)]),
                self._fixed["labels"],
                ',"str":',
                script_json(self._string_list[self._slice(self._strings, g)]),
                self._fixed["districts"],
                self._remark_json(g, s, e),
                ',"geo":{"owners":',
                self._polygons.get(owner, _EMPTY),
                self._fixed["geo"],
            ]
        )

    @staticmethod
    def _slice(ranked: _Ranked, g: int) -> slice:
        return slice(int(ranked.start[g]), int(ranked.start[g + 1]))

    def _cat_json(self, g: int) -> str:
        items = self._cat_items[self._slice(self._cats, g)]
        if self._unknown[g]:
            items = [*items, _unknown_item()]
        return "[" + ",".join(items) + "]"

    def _remark_json(self, g: int, s: int, e: int) -> str:
        columns = ",".join(
            f'"{key}":' + _typed(self._matrix[i, s:e], self._types[i, g])
            for i, key in enumerate((*_KEYS, "d", "dist"))
        )
        ids = script_json(self._ids_of_rows[s:e])
        return f',"r":{{"n":{e - s},"id":{ids},{columns}}}'


@functools.cache
def _unknown_item() -> str:
    """Return the JSON of the category entry of remarks without a category."""
    label = FLAG_LABELS["unknown_category"].capitalize()
    return script_json({"code": "", "label": label, "shape": category_shape("")})


def _fixed_parts(
    text: MapText,
    districts: gpd.GeoDataFrame | None,
    boundary: gpd.GeoDataFrame | None,
    *,
    shared: bool,
) -> dict[str, str]:
    """Return the JSON pieces that are the same in every owner's payload."""
    names = [] if shared or districts is None else [_text(n) for n in districts["name"]]
    labels = {kind: dict(words) for kind, words in LABELS.items()}
    n_districts = 0 if districts is None else len(districts)
    n_boundary = 0 if boundary is None else len(boundary)
    geo = ',"districts":' + script_json(
        _features(districts, [{"d": i} for i in range(n_districts)])
    )
    geo += ',"boundary":' + script_json(_features(boundary, [{} for _ in range(n_boundary)]))
    return {
        "text": "".join(
            f',"{key}":' + script_json(getattr(text, key))
            for key in ("period", "banner", "district_source")
        ),
        "labels": "" if shared else ',"labels":' + script_json(labels),
        "districts": ',"districts":' + script_json(names),
        "geo": '},"shared":true}' if shared else geo + "}}",
    }


def _owner_entries(
    rows: _Rows, ids: Sequence[str], registry: pd.DataFrame, owners: gpd.GeoDataFrame | None
) -> list[str]:
    """Return the JSON of each owner's one entry in its map's owner table (see ``owner_table``).

    An owner appears when it has remarks with a position or polygons; otherwise its entry is
    empty (its map's owner table is empty, as ``owner_table`` makes it).
    """
    registered = {r[0]: r for r in _registry_rows(registry, set(ids))}
    first = rows.start[:-1]
    names = rows.frame["owner_name"].to_numpy(dtype=object)
    shown = set() if owners is None else set(owners["owner"].dropna().astype(str))
    entries = []
    for g, owner in enumerate(ids):
        if rows.start[g + 1] == first[g] and owner not in shown:
            entries.append("")
            continue
        if owner in registered:
            _, name, colour, contact = registered[owner]
        else:
            seen = names[first[g]] if rows.start[g + 1] > first[g] else None
            name, colour, contact = _text(seen) or owner, None, ""
        entry = {"id": owner, "name": name, "colour": _owner_colours([colour])[0]}
        entries.append(script_json({**entry, "contact": contact}))
    return entries


def _polygon_layers(owners: gpd.GeoDataFrame | None, ids: Sequence[str]) -> dict[str, str]:
    """Return the GeoJSON layer of each owner's dissolved polygons (one pass for all owners).

    As ``build_payload`` does per owner: valid, dissolved (``shapely.union_all``), simplified
    by 0.5 m, in WGS84, rounded to 1e-5°; owners without a drawable polygon have no entry.
    """
    if owners is None or len(owners) == 0:
        return {}
    owner = owners["owner"].astype(str)
    frame = owners.loc[owner.isin(set(ids)), ["geometry"]].assign(owner=owner)
    frame = frame[frame.geometry.notna() & ~frame.geometry.is_empty]
    if len(frame) == 0:
        return {}
    dissolved = dissolve_owners(frame)
    keys, drawn = dissolved["owner"].tolist(), _drawn(dissolved.geometry)
    layers = {}
    for key, geom, text in zip(keys, drawn, shapely.to_geojson(drawn), strict=True):
        if geom is None or shapely.is_empty(geom):
            continue
        feature = {"type": "Feature", "properties": {"o": 0}, "geometry": json.loads(text)}
        layers[str(key)] = script_json({"type": "FeatureCollection", "features": [feature]})
    return layers


def _drawn(geoms: gpd.GeoSeries) -> np.ndarray:
    """Return the geometries as the map draws them (simplified, in WGS84, rounded)."""
    if geoms.crs is not None and geoms.crs.is_projected:
        geoms = geoms.simplify(0.5)
    geoms = geoms.to_crs(4326) if geoms.crs is not None else geoms
    return shapely.transform(np.asarray(geoms.values, dtype=object), lambda c: np.round(c, 5))
