"""The compact, columnar data payload that a map's JavaScript turns into markers.

100 000 remarks must fit in a few megabytes, so the payload is columnar: coordinates are integers
(WGS84 degrees x 1e5, i.e. about one metre), dates are day numbers, and owners, categories, route
methods and all repeated texts are dictionary-encoded (one shared string table, -1 for null).
Polygons (owners, districts, the municipality boundary) are GeoJSON with coordinates rounded to
1e-5°.
"""

from __future__ import annotations

import base64
import functools
import json
import re
import zlib
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from pyproj import Transformer

from geomap.core.palette import PALETTE, UNROUTED_COLOUR
from geomap.core.routed import local_dates
from geomap.core.spatial import spatial_order

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
    "spatial_order",
    "typed_column",
]

_COLOUR = re.compile(r"^#[0-9a-fA-F]{6}$")
_STRING_COLUMNS = ("description", "action", "candidates", "reason", "place", "source", "flags")
_SCALE = 100_000  # 1e-5 degree
_EPOCH = pd.Timestamp("1970-01-01")
_OTHER_OWNER = "annan ägare"
#: Number of category symbols drawn by templates/map.js (``SHAPES``).
N_SHAPES = 16
#: Day number written for remarks without a date (the smallest 32-bit integer).
NO_DAY = -(2**31)
_INT_TYPES = (("i8", np.int8), ("i16", np.int16), ("i32", np.int32))


@dataclass(frozen=True)
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
    reg = registry.copy()
    for column in ("name", "colour", "contact", "priority"):
        if column not in reg.columns:
            reg[column] = None
    reg["owner"] = reg["owner"].astype(str)
    reg["_row"] = np.arange(len(reg))
    reg["_prio"] = pd.to_numeric(reg["priority"], errors="coerce").fillna(np.inf)
    reg = reg.sort_values(["_prio", "_row"]).drop_duplicates("owner")
    rows = [
        (row.owner, _text(row.name) or row.owner, row.colour, _text(row.contact))
        for row in reg.itertuples(index=False)
        if row.owner in used
    ]
    known = {r[0] for r in rows}
    routed = remarks.dropna(subset=["owner"]).drop_duplicates("owner")
    names = routed.set_index("owner")["owner_name"]
    rows.extend(
        (owner, _text(names.get(owner)) or owner, None, "") for owner in sorted(used - known)
    )
    given = [_text(r[2]).strip().lower() for r in rows]
    spare = [c for c in PALETTE if c not in given]  # fallback colours not used by the registry
    colours = [
        c if _COLOUR.match(c) else (spare.pop(0) if spare else PALETTE[i % len(PALETTE)])
        for i, c in enumerate(given)
    ]
    return pd.DataFrame(
        {
            "owner": [r[0] for r in rows],
            "name": [r[1] for r in rows],
            "colour": colours,
            "contact": [r[3] for r in rows],
        }
    )


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
    for name, dtype in _INT_TYPES:
        info = np.iinfo(dtype)
        if info.min <= low and high <= info.max:
            data = array.astype(np.dtype(dtype).newbyteorder("<")).tobytes()
            return {"t": name, "b": base64.b64encode(data).decode("ascii")}
    msg = f"typed_column: values {low}..{high} do not fit in 32 bits"
    raise ValueError(msg)


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
    frame["geometry"] = frame.geometry.make_valid()
    dissolved = frame.dissolve("owner", as_index=False)
    return _features(dissolved, [{"o": index[o]} for o in dissolved["owner"]])


def _codes(values: pd.Series, order: Sequence[str] | None = None) -> tuple[np.ndarray, list[str]]:
    series = values.astype("string")
    if order is None:
        counts = series.value_counts()
        order = [str(v) for v in counts.index]
    lookup = {v: i for i, v in enumerate(order)}
    mapped = series.map(lookup)
    return mapped.fillna(-1).to_numpy(dtype=np.int64), list(order)


def _mask_candidates(values: pd.Series, scope_owner: str) -> pd.Series:
    def _mask(text: object) -> object:
        if text is None or pd.isna(text):  # type: ignore[call-overload]
            return text
        parts = [p.strip() for p in str(text).split(";") if p.strip()]
        masked = [p if p == scope_owner else _OTHER_OWNER for p in parts]
        return ";".join(dict.fromkeys(masked))

    uniques = values.dropna().unique()
    return values.map({u: _mask(u) for u in uniques})


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
        cats.append({"code": "", "label": "Okänd kategori", "shape": category_shape("")})
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


def build_payload(
    remarks: gpd.GeoDataFrame,
    *,
    registry: pd.DataFrame,
    owners: gpd.GeoDataFrame | None = None,
    districts: gpd.GeoDataFrame | None = None,
    boundary: gpd.GeoDataFrame | None = None,
    text: MapText,
    scope_owner: str | None = None,
) -> dict[str, Any]:
    """Build the map's data payload (a JSON-serialisable dict).

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
    scope_owner : str, optional
        Build a per-owner payload: only this owner in the registry and polygons, other owners in
        ``candidates`` replaced by "annan ägare", and ``reason`` dropped (it can name other owners).

    Returns
    -------
    dict
        Keys ``title``, ``period``, ``banner``, ``owners``, ``cats``, ``methods``, ``districts``,
        ``str`` (string table), ``r`` (columns of the remarks: ``id`` a list, the others
        :func:`typed_column` arrays; ``d`` is days since 1970-01-01, ``NO_DAY`` when unknown) and
        ``geo`` (GeoJSON layers).

    Examples
    --------
    >>> import shapely
    >>> rem = gpd.GeoDataFrame({"remark_id": ["a"], "category": ["klotter"],
    ...     "category_label": ["Klotter"], "owner": ["huge"], "owner_name": ["Huge"],
    ...     "timestamp": [pd.Timestamp("2025-01-02")]},
    ...     geometry=[shapely.Point(153000, 6567000)], crs=3011)
    >>> reg = pd.DataFrame({"owner": ["huge"], "name": ["Huge"], "colour": ["#e69f00"]})
    >>> p = build_payload(rem, registry=reg, text=MapText("Test"))
    >>> p["r"]["n"], p["r"]["id"], p["owners"][0]["colour"]
    (1, ['a'], '#e69f00')
    """
    frame = pd.DataFrame(remarks.drop(columns=remarks.geometry.name))
    for column in (*_STRING_COLUMNS, "remark_id", "owner", "owner_name", "route_method"):
        if column not in frame.columns:
            frame[column] = None
    for column in ("category", "category_label", "timestamp", "distance_m"):
        if column not in frame.columns:
            frame[column] = None
    geoms = np.asarray(remarks.geometry.values, dtype=object)
    x = shapely.get_x(geoms)
    y = shapely.get_y(geoms)
    located = np.isfinite(x) & np.isfinite(y)
    if remarks.crs is not None and not remarks.crs.equals("EPSG:4326"):
        transformer = Transformer.from_crs(remarks.crs, 4326, always_xy=True)
        lon, lat = transformer.transform(x, y)
    else:
        lon, lat = x, y
    lon, lat = np.asarray(lon, dtype=float), np.asarray(lat, dtype=float)
    located &= np.isfinite(lon) & np.isfinite(lat)
    unlocated = int((~located).sum())
    order = np.flatnonzero(located)
    order = order[spatial_order(lon[order], lat[order])]
    frame = frame.iloc[order].reset_index(drop=True)
    geoms, lon, lat = geoms[order], lon[order], lat[order]

    if scope_owner is not None:
        registry = registry[registry["owner"].astype(str) == scope_owner]
        if owners is not None:
            owners = owners[owners["owner"].astype(str) == scope_owner]
        frame["candidates"] = _mask_candidates(frame["candidates"], scope_owner)
        frame["reason"] = None

    table = owner_table(registry, frame, owners)
    owner_codes, _ = _codes(frame["owner"], list(table["owner"]))
    owner_list = [
        {"id": r.owner, "name": r.name, "colour": r.colour, "contact": r.contact}
        for r in table.itertuples(index=False)
    ]
    if (owner_codes < 0).any():
        owner_list.append(
            {"id": "", "name": "Ej dirigerade", "colour": UNROUTED_COLOUR, "contact": ""}
        )
        owner_codes = np.where(owner_codes < 0, len(owner_list) - 1, owner_codes)

    cat_codes, cats = _category_table(frame)
    method_codes, methods = _codes(frame["route_method"])

    days = local_dates(frame["timestamp"])
    day_numbers = ((days - _EPOCH) // pd.Timedelta(days=1)).astype("Float64")
    day_array = day_numbers.fillna(NO_DAY).to_numpy(dtype=np.int64)

    distance = pd.to_numeric(frame["distance_m"], errors="coerce")
    dist_dm = np.where(distance.notna(), np.round(distance.fillna(0).to_numpy() * 10), -1)

    stacked = pd.concat([frame[c].astype("string") for c in _STRING_COLUMNS], ignore_index=True)
    string_codes, strings = pd.factorize(stacked, use_na_sentinel=True)
    columns = np.split(string_codes.astype(np.int64), len(_STRING_COLUMNS))
    encoded = dict(zip(("desc", "act", "cand", "why", "pl", "src", "fl"), columns, strict=True))

    district_codes = _district_index(geoms, districts, remarks.crs)
    district_names = [] if districts is None else [_text(n) for n in districts["name"]]

    payload: dict[str, Any] = {
        "v": 1,
        "title": text.title,
        "period": text.period,
        "banner": text.banner,
        "district_source": text.district_source,
        "unlocated": unlocated,
        "owners": owner_list,
        "cats": cats,
        "methods": methods,
        "districts": district_names,
        "str": [str(s) for s in strings],
        "r": {
            "n": len(frame),
            "id": [_text(v) for v in frame["remark_id"].tolist()],
            "lat": typed_column(np.round(lat * _SCALE)),
            "lon": typed_column(np.round(lon * _SCALE)),
            "o": typed_column(owner_codes),
            "c": typed_column(cat_codes),
            "m": typed_column(method_codes),
            "d": typed_column(day_array),
            "dist": typed_column(np.clip(dist_dm, -1, 2**31 - 1)),
            "k": typed_column(district_codes),
            **{key: typed_column(value) for key, value in encoded.items()},
        },
        "geo": {
            "owners": _owner_polygons(owners, table),
            "districts": _features(districts, [{"d": i} for i in range(len(district_names))]),
            "boundary": _features(
                boundary, [{} for _ in range(0 if boundary is None else len(boundary))]
            ),
        },
    }
    return payload


_SCRIPT_ESCAPES = {
    "<": "\\u003c",
    ">": "\\u003e",
    "&": "\\u0026",
    "\u2028": "\\u2028",
    "\u2029": "\\u2029",
}
_SCRIPT_UNSAFE = re.compile("[<>&\u2028\u2029]")


def script_json(payload: Any) -> str:
    """Serialise ``payload`` as JSON that is safe inside an HTML ``<script>`` element.

    ``<``, ``>``, ``&``, U+2028 and U+2029 are written as ``\\uXXXX`` escapes, so no text from the
    data can close the script element or start HTML; ``JSON.parse`` restores them exactly.

    Examples
    --------
    >>> script_json({"d": "</script><img src=x onerror=alert(1)>"})
    '{"d":"\\\\u003c/script\\\\u003e\\\\u003cimg src=x onerror=alert(1)\\\\u003e"}'
    """
    text = json.dumps(payload, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    return _SCRIPT_UNSAFE.sub(lambda m: _SCRIPT_ESCAPES[m.group(0)], text)
