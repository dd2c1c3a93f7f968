"""The compact, columnar data payload that a map's JavaScript turns into markers.

100 000 remarks must fit in a few megabytes, so the payload is columnar: coordinates are integers
(WGS84 degrees x 1e5, i.e. about one metre), dates are day numbers, and owners, categories, route
methods and all repeated texts are dictionary-encoded (one shared string table, -1 for null).
Polygons (owners, districts, the municipality boundary) are GeoJSON with coordinates rounded to
1e-5°.

The payload of :func:`build_payload` has the keys ``title``, ``period``, ``banner``,
``district_source`` (:class:`MapText`), ``unlocated`` (remarks without a position, not drawn),
``owners``, ``cats``, ``methods`` (route method codes), ``labels`` (the Swedish words of
:data:`geomap.core.labels.LABELS` by kind: ``method``, ``flag``, ``source``; the page writes no
label of its own), ``districts`` (names), ``str`` (the string table), ``r`` (columns of the
remarks: ``id`` a list, the others :func:`typed_column` arrays; ``d`` is days since 1970-01-01,
``NO_DAY`` when unknown) and ``geo`` (GeoJSON layers ``owners``, ``districts``, ``boundary``).
"""

from __future__ import annotations

import base64
import dataclasses
import functools
import json
import re
import zlib
from collections.abc import Sequence
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from pyproj import Transformer

from geomap.core.labels import FLAG_LABELS, LABELS, UNROUTED_OWNER_LABEL
from geomap.core.palette import PALETTE, UNROUTED_COLOUR
from geomap.core.periods import local_dates
from geomap.core.spatial import spatial_order
from geomap.errors import GeomapError
from geomap.render.page import script_json

__all__ = [
    "NO_DAY",
    "N_SHAPES",
    "PALETTE",
    "UNROUTED_COLOUR",
    "MapText",
    "build_payload",
    "category_shape",
    "owner_table",
    "script_json",
    "shared_geography",
    "spatial_order",
    "typed_column",
]

_COLOUR = re.compile(r"^#[0-9a-fA-F]{6}$")
_STRING_COLUMNS = ("description", "action", "candidates", "reason", "place", "source", "flags")
_STRING_KEYS = ("desc", "act", "cand", "why", "pl", "src", "fl")  # their keys in the payload
_OTHER_COLUMNS = (
    "remark_id",
    "owner",
    "owner_name",
    "route_method",
    "category",
    "category_label",
    "timestamp",
    "distance_m",
)
_SCALE = 100_000  # 1e-5 degree
_EPOCH = pd.Timestamp("1970-01-01")
_OTHER_OWNER = "annan ägare"
#: Number of category symbols drawn by templates/map.js (``SHAPES``).
N_SHAPES = 16
#: Day number written for remarks without a date (the smallest 32-bit integer).
NO_DAY = -(2**31)
_INT_TYPES = (("i8", np.int8), ("i16", np.int16), ("i32", np.int32))


@dataclasses.dataclass(frozen=True)
class MapText:
    """Texts shown around the map (all set as text in the page, never as HTML).

    Attributes
    ----------
    title : str
        Heading of the page.
    period : str
        Human-readable period, e.g. ``"2025-01-01 – 2025-12-31"`` (empty when unknown).
    banner : str or None
        Warning banner (e.g. "synthetic demo data"); None for no banner.
    district_source : str
        Attribution of the districts (e.g. "SCB RegSO 2025"); empty for none.
    """

    title: str
    period: str = ""
    banner: str | None = None
    district_source: str = ""


def _text(value: object) -> str:
    if value is None:
        return ""
    try:
        if pd.isna(value):  # type: ignore[call-overload]
            return ""
    except (TypeError, ValueError):
        pass
    return str(value)


def _texts(values: pd.Series) -> list[str]:
    """Return :func:`_text` of every value, vectorised: missing values become "", others str."""
    array = values.to_numpy(dtype=object)
    missing = pd.isna(array)
    out = np.full(len(array), "", dtype=object)
    out[~missing] = np.frompyfunc(str, 1, 1)(array[~missing])
    return out.tolist()


def owner_table(
    registry: pd.DataFrame,
    remarks: pd.DataFrame,
    owners: gpd.GeoDataFrame | None = None,
) -> pd.DataFrame:
    """Return the owners to show, in registry order (priority, then registry row), with colours.

    Owners appear when they have remarks or polygons. An owner id found in the remarks but missing
    in the registry gets its ``owner_name`` and a palette colour.

    Parameters
    ----------
    registry : pandas.DataFrame
        Columns ``owner``, ``name``, ``colour`` (``#rrggbb``), ``priority``, ``contact``.
    remarks : pandas.DataFrame
        Columns ``owner`` and ``owner_name``.
    owners : geopandas.GeoDataFrame, optional
        Owner polygons with column ``owner``.

    Returns
    -------
    pandas.DataFrame
        Columns ``owner``, ``name``, ``colour``, ``contact``.

    Examples
    --------
    >>> reg = pd.DataFrame({"owner": ["huge"], "name": ["Huge Bostäder AB"], "colour": ["#E69F00"],
    ...     "priority": [1], "contact": [None]})
    >>> rem = pd.DataFrame({"owner": ["huge", "x"], "owner_name": ["Huge Bostäder AB", "X AB"]})
    >>> owner_table(reg, rem)[["owner", "colour"]].to_dict("list")
    {'owner': ['huge', 'x'], 'colour': ['#e69f00', '#0072b2']}
    """
    used = set(remarks["owner"].dropna().astype(str))
    if owners is not None:
        used |= set(owners["owner"].dropna().astype(str))
    rows = _registry_rows(registry, used)
    known = {r[0] for r in rows}
    routed = remarks.dropna(subset=["owner"]).drop_duplicates("owner")
    names = routed.set_index("owner")["owner_name"]
    rows.extend(
        (owner, _text(names.get(owner)) or owner, None, "") for owner in sorted(used - known)
    )
    return pd.DataFrame(
        {
            "owner": [r[0] for r in rows],
            "name": [r[1] for r in rows],
            "colour": _owner_colours([r[2] for r in rows]),
            "contact": [r[3] for r in rows],
        }
    )


def _registry_rows(registry: pd.DataFrame, used: set[str]) -> list[tuple[str, str, object, str]]:
    """Return ``(owner, name, colour, contact)`` of the used registry owners, in registry order."""
    reg = registry.copy()
    for column in ("name", "colour", "contact", "priority"):
        if column not in reg.columns:
            reg[column] = None
    reg["owner"] = reg["owner"].astype(str)
    reg["_row"] = np.arange(len(reg))
    reg["_prio"] = pd.to_numeric(reg["priority"], errors="coerce").fillna(np.inf)
    reg = reg.sort_values(["_prio", "_row"]).drop_duplicates("owner")
    rows = [(str(r.owner), r.name, r.colour, r.contact) for r in reg.itertuples(index=False)]
    return [
        (owner, _text(name) or owner, colour, _text(contact))
        for owner, name, colour, contact in rows
        if owner in used
    ]


def _owner_colours(colours: Sequence[object]) -> list[str]:
    """Return valid ``#rrggbb`` colours: the given ones, palette colours for missing or bad ones."""
    given = [_text(c).strip().lower() for c in colours]
    spare = [c for c in PALETTE if c not in given]  # fallback colours not used by the registry
    return [
        c if _COLOUR.match(c) else (spare.pop(0) if spare else PALETTE[i % len(PALETTE)])
        for i, c in enumerate(given)
    ]


def typed_column(values: np.ndarray | Sequence[int]) -> dict[str, str]:
    """Encode integers as a little-endian typed array in base64: ``{"t": "i16", "b": "…"}``.

    The smallest of Int8, Int16 and Int32 that holds every value is used; the page decodes it into a
    JavaScript typed array. This is 2–4 times smaller than a JSON list of numbers.

    Examples
    --------
    >>> typed_column([1, -1, 3])
    {'t': 'i8', 'b': 'Af8D'}
    """
    array = np.asarray(values, dtype=np.int64)
    low, high = (int(array.min()), int(array.max())) if len(array) else (0, 0)
    name = str(_type_names(np.array([low]), np.array([high]))[0])
    return {"t": name, "b": _typed_bytes(array, name)}


def _type_names(low: np.ndarray, high: np.ndarray) -> np.ndarray:
    """Return the smallest integer type (``_INT_TYPES``) that holds each range ``low``..``high``."""
    names = np.full(np.shape(low), "", dtype=object)
    for name, dtype in reversed(_INT_TYPES):
        info = np.iinfo(dtype)
        names[(info.min <= low) & (high <= info.max)] = name
    if (names == "").any():
        bad = tuple(np.argwhere(names == "")[0])
        msg = (
            f"`values`: received {low[bad]}..{high[bad]}, which do not fit in 32 bits; map columns "
            f"take integers from {np.iinfo(np.int32).min} to {np.iinfo(np.int32).max}"
        )
        raise GeomapError(msg)
    return names


def _typed_bytes(values: np.ndarray, name: str) -> str:
    """Return ``values`` as little-endian integers of type ``name`` (``_INT_TYPES``) in base64."""
    data = np.asarray(values).astype(np.dtype(dict(_INT_TYPES)[name]).newbyteorder("<")).tobytes()
    return base64.b64encode(data).decode("ascii")


def _round_coords(geoms: np.ndarray) -> np.ndarray:
    return shapely.transform(geoms, lambda c: np.round(c, 5))


def _features(frame: gpd.GeoDataFrame | None, props: Sequence[dict[str, Any]]) -> dict[str, Any]:
    collection: dict[str, Any] = {"type": "FeatureCollection", "features": []}
    if frame is None or len(frame) == 0:
        return collection
    geoms = frame.geometry
    if geoms.crs is not None and geoms.crs.is_projected:
        geoms = geoms.simplify(0.5)
    geoms = geoms.to_crs(4326) if geoms.crs is not None else geoms
    rounded = _round_coords(np.asarray(geoms.values, dtype=object))
    texts = shapely.to_geojson(rounded)
    for geom, text, prop in zip(rounded, texts, props, strict=True):
        if geom is None or shapely.is_empty(geom):
            continue
        collection["features"].append(
            {"type": "Feature", "properties": prop, "geometry": json.loads(text)}
        )
    return collection


def _owner_polygons(owners: gpd.GeoDataFrame | None, table: pd.DataFrame) -> dict[str, Any]:
    if owners is None or len(owners) == 0:
        return _features(None, [])
    index = {o: i for i, o in enumerate(table["owner"])}
    frame = owners.loc[owners["owner"].astype(str).isin(index), ["owner", "geometry"]].copy()
    frame["owner"] = frame["owner"].astype(str)
    frame = frame[frame.geometry.notna() & ~frame.geometry.is_empty]
    if len(frame) == 0:
        return _features(None, [])
    dissolved = dissolve_owners(frame)
    return _features(dissolved, [{"o": index[o]} for o in dissolved["owner"]])


def dissolve_owners(frame: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Return one valid geometry per owner: ``frame.make_valid().dissolve("owner")``, faster.

    The owners with as many polygons as each other are merged in one ``shapely.union_all``
    call (``dissolve`` calls it once per owner, through pandas: slow for thousands of owners).

    Parameters
    ----------
    frame : geopandas.GeoDataFrame
        Polygons with a text column ``owner`` and no missing geometry.

    Returns
    -------
    geopandas.GeoDataFrame
        Columns ``owner`` (sorted) and ``geometry``, in the CRS of ``frame``.

    Examples
    --------
    >>> squares = gpd.GeoDataFrame({"owner": ["b", "a", "b"]},
    ...     geometry=[shapely.box(0, 0, 1, 1), shapely.box(5, 5, 6, 6), shapely.box(1, 0, 2, 1)])
    >>> dissolved = dissolve_owners(squares)
    >>> dissolved["owner"].tolist(), dissolved.area.tolist()
    (['a', 'b'], [1.0, 2.0])
    """
    geoms = np.asarray(frame.geometry.make_valid().values, dtype=object)
    keys, group = np.unique(frame["owner"].to_numpy(dtype=object), return_inverse=True)
    order = np.argsort(group, kind="stable")
    sizes = np.bincount(group, minlength=len(keys))
    start = np.cumsum(sizes) - sizes
    merged = np.empty(len(keys), dtype=object)
    for size in np.unique(sizes):
        which = np.flatnonzero(sizes == size)
        merged[which] = shapely.union_all(
            geoms[order[start[which][:, None] + np.arange(size)]], axis=1
        )
    return gpd.GeoDataFrame({"owner": keys}, geometry=list(merged), crs=frame.crs)


def _codes(values: pd.Series, order: Sequence[str] | None = None) -> tuple[np.ndarray, list[str]]:
    """Return each value's index in ``order`` (-1: null or absent) and ``order``.

    ``order`` defaults to the distinct values by count, most frequent first; equal counts in the
    order the values first occur (the same rule as :mod:`geomap.maps.many`).
    """
    series = values.astype("string")
    if order is None:
        codes, uniques = pd.factorize(series, use_na_sentinel=True)
        counts = np.bincount(codes[codes >= 0], minlength=len(uniques))
        rank = np.lexsort((np.arange(len(uniques)), -counts))
        order = [str(uniques[i]) for i in rank]
    lookup = {v: i for i, v in enumerate(order)}
    mapped = series.map(lookup)
    return mapped.fillna(-1).to_numpy(dtype=np.int64), list(order)


def _mask_one(text: object, scope_owner: str) -> str:
    """Return candidates ``a;b`` with every owner but ``scope_owner`` as "annan ägare" (once)."""
    parts = [p.strip() for p in str(text).split(";") if p.strip()]
    masked = [p if p == scope_owner else _OTHER_OWNER for p in parts]
    return ";".join(dict.fromkeys(masked))


def _mask_candidates(values: pd.Series, scope_owner: str) -> pd.Series:
    uniques = values.dropna().unique()
    return values.map({u: _mask_one(u, scope_owner) for u in uniques})


@functools.lru_cache(maxsize=1)
def _vocabulary() -> tuple[str, ...]:
    try:
        from geomap.core.categories import load_categories

        return tuple(str(c) for c in load_categories().codes())
    except Exception:  # the vocabulary only fixes symbols; without it they follow frequency
        return ()


def category_shape(code: str) -> int:
    """Return the symbol number of a category, the same in every map.

    Codes of the vocabulary (``geomap/resources/categories.toml``) get their position in it;
    other texts a number derived from the text.

    Examples
    --------
    >>> category_shape("klotter") == category_shape("klotter")
    True
    """
    vocabulary = _vocabulary()
    if code in vocabulary:
        return vocabulary.index(code)
    spare = N_SHAPES - len(vocabulary)
    digest = zlib.crc32(code.encode("utf-8"))
    return len(vocabulary) + digest % spare if spare > 0 else digest % N_SHAPES


def _category_table(remarks: pd.DataFrame) -> tuple[np.ndarray, list[dict[str, Any]]]:
    codes, order = _codes(remarks["category"])
    labels = (
        remarks.assign(_c=remarks["category"].astype("string"))
        .dropna(subset=["_c"])
        .drop_duplicates("_c")
        .set_index("_c")["category_label"]
    )
    cats: list[dict[str, Any]] = [
        {"code": c, "label": _text(labels.get(c)) or c, "shape": category_shape(c)} for c in order
    ]
    if (codes < 0).any():
        label = FLAG_LABELS["unknown_category"].capitalize()
        cats.append({"code": "", "label": label, "shape": category_shape("")})
        codes = np.where(codes < 0, len(cats) - 1, codes)
    return codes, cats


def _district_index(points: np.ndarray, districts: gpd.GeoDataFrame | None, crs: Any) -> np.ndarray:
    result = np.full(len(points), -1, dtype=np.int64)
    if districts is None or len(districts) == 0 or len(points) == 0:
        return result
    geoms = districts.to_crs(crs).geometry.values if crs is not None else districts.geometry.values
    tree = shapely.STRtree(np.asarray(geoms, dtype=object))
    inside, district = tree.query(points, predicate="intersects")
    # A point on a shared edge belongs to the first district found.
    order = np.argsort(inside, kind="stable")
    inside, district = inside[order], district[order]
    first = np.unique(inside, return_index=True)[1]
    result[inside[first]] = district[first]
    return result


@dataclasses.dataclass(frozen=True)
class _Located:
    """The remarks that have a position, in spatial order, with their WGS84 coordinates."""

    frame: pd.DataFrame
    geoms: np.ndarray
    lon: np.ndarray
    lat: np.ndarray
    unlocated: int


@functools.lru_cache(maxsize=8)
def _to_wgs84(crs: Any) -> Transformer | None:
    """Return the transform of ``crs`` to WGS84 (None when it is WGS84), made once per CRS."""
    return None if crs.equals("EPSG:4326") else Transformer.from_crs(crs, 4326, always_xy=True)


def _lon_lat(remarks: gpd.GeoDataFrame) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Return the geometries, longitudes, latitudes and which of them are finite."""
    geoms = np.asarray(remarks.geometry.values, dtype=object)
    x = shapely.get_x(geoms)
    y = shapely.get_y(geoms)
    located = np.isfinite(x) & np.isfinite(y)
    transformer = None if remarks.crs is None else _to_wgs84(remarks.crs)
    if transformer is not None:
        x, y = transformer.transform(x, y)
    lon, lat = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
    return geoms, lon, lat, located & np.isfinite(lon) & np.isfinite(lat)


def _locate(remarks: gpd.GeoDataFrame) -> _Located:
    frame = pd.DataFrame(remarks.drop(columns=remarks.geometry.name))
    for column in (*_STRING_COLUMNS, *_OTHER_COLUMNS):
        if column not in frame.columns:
            frame[column] = None
    geoms, lon, lat, located = _lon_lat(remarks)
    order = np.flatnonzero(located)
    order = order[spatial_order(lon[order], lat[order])]
    frame = frame.iloc[order].reset_index(drop=True)
    return _Located(frame, geoms[order], lon[order], lat[order], int((~located).sum()))


def _scope(
    frame: pd.DataFrame,
    registry: pd.DataFrame,
    owners: gpd.GeoDataFrame | None,
    scope_owner: str,
) -> tuple[pd.DataFrame, gpd.GeoDataFrame | None]:
    """Keep only ``scope_owner`` in registry and polygons; hide other owners in ``frame``."""
    registry = registry[registry["owner"].astype(str) == scope_owner]
    if owners is not None:
        owners = owners[owners["owner"].astype(str) == scope_owner]
    frame["candidates"] = _mask_candidates(frame["candidates"], scope_owner)
    frame["reason"] = None
    return registry, owners


def _owner_list(table: pd.DataFrame, owner: pd.Series) -> tuple[np.ndarray, list[dict[str, Any]]]:
    """Return each remark's owner index and the owners; unrouted remarks get their own group."""
    codes, _ = _codes(owner, list(table["owner"]))
    owner_list = [
        {"id": r.owner, "name": r.name, "colour": r.colour, "contact": r.contact}
        for r in table.itertuples(index=False)
    ]
    if (codes < 0).any():
        owner_list.append(
            {"id": "", "name": UNROUTED_OWNER_LABEL, "colour": UNROUTED_COLOUR, "contact": ""}
        )
        codes = np.where(codes < 0, len(owner_list) - 1, codes)
    return codes, owner_list


def _string_table(frame: pd.DataFrame) -> tuple[list[str], dict[str, np.ndarray]]:
    """Return the one string table of the text columns and each column's indices into it."""
    stacked = pd.concat([frame[c].astype("string") for c in _STRING_COLUMNS], ignore_index=True)
    string_codes, strings = pd.factorize(stacked, use_na_sentinel=True)
    columns = np.split(string_codes.astype(np.int64), len(_STRING_COLUMNS))
    return [str(s) for s in strings], dict(zip(_STRING_KEYS, columns, strict=True))


def _dictionaries(
    located: _Located, table: pd.DataFrame, districts: gpd.GeoDataFrame | None, crs: Any
) -> tuple[dict[str, np.ndarray], dict[str, Any]]:
    """Return the dictionary codes of the remarks and the tables they index, by payload key."""
    frame = located.frame
    owner_codes, owner_list = _owner_list(table, frame["owner"])
    cat_codes, cats = _category_table(frame)
    method_codes, methods = _codes(frame["route_method"])
    strings, string_codes = _string_table(frame)
    tables = {
        "owners": owner_list,
        "cats": cats,
        "methods": methods,
        "labels": {kind: dict(words) for kind, words in LABELS.items()},
        "str": strings,
        "districts": [] if districts is None else [_text(n) for n in districts["name"]],
    }
    codes = {"o": owner_codes, "c": cat_codes, "m": method_codes, **string_codes}
    codes["k"] = _district_index(located.geoms, districts, crs)
    return codes, tables


def _number_columns(frame: pd.DataFrame, lon: np.ndarray, lat: np.ndarray) -> dict[str, np.ndarray]:
    """Return the payload columns ``lat``, ``lon``, ``d`` (days) and ``dist`` (decimetres)."""
    days = local_dates(frame["timestamp"])
    day_numbers = ((days - _EPOCH) // pd.Timedelta(days=1)).astype("Float64")
    distance = pd.to_numeric(frame["distance_m"], errors="coerce")
    dist_dm = np.where(distance.notna(), np.round(distance.fillna(0).to_numpy() * 10), -1)
    return {
        "lat": np.round(lat * _SCALE),
        "lon": np.round(lon * _SCALE),
        "d": day_numbers.fillna(NO_DAY).to_numpy(dtype=np.int64),
        "dist": np.clip(dist_dm, -1, 2**31 - 1),
    }


def _remark_columns(located: _Located, codes: dict[str, np.ndarray]) -> dict[str, Any]:
    frame = located.frame
    numbers = _number_columns(frame, located.lon, located.lat)
    columns = {"lat": numbers["lat"], "lon": numbers["lon"], **codes}
    columns.update(d=numbers["d"], dist=numbers["dist"])
    ids = _texts(frame["remark_id"])
    return {"n": len(frame), "id": ids, **{k: typed_column(v) for k, v in columns.items()}}


def _geo_layers(
    owners: gpd.GeoDataFrame | None,
    table: pd.DataFrame,
    districts: gpd.GeoDataFrame | None,
    boundary: gpd.GeoDataFrame | None,
) -> dict[str, Any]:
    n_districts = 0 if districts is None else len(districts)
    n_boundary = 0 if boundary is None else len(boundary)
    return {
        "owners": _owner_polygons(owners, table),
        "districts": _features(districts, [{"d": i} for i in range(n_districts)]),
        "boundary": _features(boundary, [{} for _ in range(n_boundary)]),
    }


def build_payload(
    remarks: gpd.GeoDataFrame,
    *,
    registry: pd.DataFrame,
    owners: gpd.GeoDataFrame | None = None,
    districts: gpd.GeoDataFrame | None = None,
    boundary: gpd.GeoDataFrame | None = None,
    text: MapText,
    scope_owner: str | None = None,
    shared: bool = False,
) -> dict[str, Any]:
    """Build the map's data payload (a JSON-serialisable dict, described in the module docstring).

    Parameters
    ----------
    remarks : geopandas.GeoDataFrame
        Routed remarks (Point geometry with a CRS) with the columns of the routed.gpkg contract.
    registry : pandas.DataFrame
        Owner registry (``owner``, ``name``, ``colour``, ``priority``, ``contact``).
    owners : geopandas.GeoDataFrame, optional
        Owner polygons (column ``owner``).
    districts : geopandas.GeoDataFrame, optional
        District polygons with column ``name``; each remark gets the index of its district.
    boundary : geopandas.GeoDataFrame, optional
        Municipality boundary.
    text : MapText
        Title, period and banner.
    shared : bool, default False
        Leave the labels, the districts' names and shapes and the boundary out (``geo`` then
        holds only ``owners``): the page loads them from the folder's shared file
        (:func:`shared_geography`); remarks still index the districts.
    scope_owner : str, optional
        Build a per-owner payload: only this owner in registry and polygons, other owners in
        ``candidates`` as "annan ägare", ``reason`` dropped (it can name other owners).

    Returns
    -------
    dict
        The payload.

    Examples
    --------
    >>> import shapely
    >>> rem = gpd.GeoDataFrame({"remark_id": ["a"], "category": ["klotter"],
    ...     "category_label": ["Klotter"], "owner": ["huge"], "owner_name": ["Huge"],
    ...     "timestamp": [pd.Timestamp("2025-01-02")]},
    ...     geometry=[shapely.Point(153000, 6567000)], crs=3011)
    >>> reg = pd.DataFrame({"owner": ["huge"], "name": ["Huge"], "colour": ["#e69f00"]})
    >>> p = build_payload(rem, registry=reg, text=MapText("Test"))
    >>> p["r"]["n"], p["r"]["id"], p["owners"][0]["colour"], sorted(p["labels"])
    (1, ['a'], '#e69f00', ['flag', 'method', 'source'])
    """
    located = _locate(remarks)
    if scope_owner is not None:
        registry, owners = _scope(located.frame, registry, owners, scope_owner)
    table = owner_table(registry, located.frame, owners)
    return _assemble(located, table, owners, districts, boundary, text, remarks.crs, shared=shared)


def _assemble(
    located: _Located,
    table: pd.DataFrame,
    owners: gpd.GeoDataFrame | None,
    districts: gpd.GeoDataFrame | None,
    boundary: gpd.GeoDataFrame | None,
    text: MapText,
    crs: Any,
    *,
    shared: bool,
) -> dict[str, Any]:
    """Return the payload of :func:`build_payload` from the located remarks and owner table."""
    codes, tables = _dictionaries(located, table, districts, crs)
    geo = _geo_layers(owners, table, None if shared else districts, boundary)
    if shared:  # labels, district names and shapes are in the folder's shared file
        del tables["labels"], geo["districts"], geo["boundary"]
        tables["districts"] = []
    payload = {
        "v": 1,
        **dataclasses.asdict(text),
        "unlocated": located.unlocated,
        **tables,
        "r": _remark_columns(located, codes),
        "geo": geo,
    }
    return {**payload, "shared": True} if shared else payload


def shared_geography(
    districts: gpd.GeoDataFrame | None, boundary: gpd.GeoDataFrame | None
) -> dict[str, Any]:
    """Return the labels, districts and boundary that many maps in one folder share (one copy).

    A payload built with ``shared=True`` and the same ``districts`` indexes these names; the
    map script takes them from this object (``window.geomapShared``) when the payload says
    ``"shared": true``.

    Examples
    --------
    >>> shared_geography(None, None)["districts"]
    []
    """
    n_districts = 0 if districts is None else len(districts)
    return {
        "labels": {kind: dict(words) for kind, words in LABELS.items()},
        "districts": [] if districts is None else [_text(n) for n in districts["name"]],
        "geo": {
            "districts": _features(districts, [{"d": i} for i in range(n_districts)]),
            "boundary": _features(
                boundary, [{} for _ in range(0 if boundary is None else len(boundary))]
            ),
        },
    }
