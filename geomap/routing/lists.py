"""Per-owner work lists: the Swedish table of an owner's remarks, written as CSV and XLSX.

:func:`list_frame` builds the table of some remarks; :func:`write_owner_lists` writes every
owner's files in one pass over remarks grouped (e.g. sorted) by owner, in chunks of owners
(two written at once, in two threads, and the next one gathered), so memory is bounded by about
three chunks — three of the largest owners, or 3 × 50,000 rows of small ones — and time grows
with each owner's remarks. What a run
needs for every list (owner names, the owner layer for property designations, the coordinate
transform) is prepared once in a :class:`ListContext`.
"""

from __future__ import annotations

import collections
import functools
import itertools
import logging
import os
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeAlias, TypeVar
from urllib.parse import quote

import geopandas as gpd
import numpy as np
import pandas as pd
import pyarrow as pa
import shapely
from pyproj import CRS, Transformer

from geomap.core.labels import METHOD_LABELS, SOURCE_LABELS, flag_texts
from geomap.core.owners import OwnerRegistry
from geomap.errors import GeomapError
from geomap.io.sanitize import owner_file_stem
from geomap.io.sheets import EXCEL_MAX_ROWS, write_csv, write_csv_groups, write_xlsx_groups
from geomap.routing.pipeline import RouteResult

__all__ = [
    "LIST_COLUMNS",
    "ROUTING_COLUMNS",
    "USED_COLUMNS",
    "ListContext",
    "list_frame",
    "write_owner_lists",
    "write_unrouted_list",
]

log = logging.getLogger(__name__)

#: The columns a caretaker acts on, first in every list (after "Syntetiska data" for demo data).
LIST_COLUMNS: tuple[str, ...] = (
    "Id",
    "Datum och tid",
    "Kategori",
    "Plats",
    "Beskrivning",
    "Önskad åtgärd",
    "Fastighet",
    "Karta",
)
#: How each remark was routed: the rest of the first sheet.
ROUTING_COLUMNS: tuple[str, ...] = (
    "Ansvarig",
    "Markägare",
    "Dirigerad via",
    "Avstånd (m)",
    "Flaggor",
    "Kandidater",
    "Källa",
    "Vandring",
    "Kategori (original)",
)
_SYNTHETIC = "Syntetiska data"
_SHEET, _TECHNICAL_SHEET = "Anmärkningar", "Teknik"
_LINK_TEXT = "Visa på kartan"
#: The fragment that makes a map open at a remark (``geomap/maps/templates/map.js``).
_MAP_ANCHOR = "#anmarkning="
_OVERVIEW_MAP = "map.html"
#: Columns of the owner layer that hold the property designation (fastighetsbeteckning).
_DESIGNATION_COLUMNS = ("fastighet", "fastighetsbeteckning", "fastbet", "beteckning")
_PLAIN_ID = r"[A-Za-z0-9_.~-]+"  # characters a URL fragment holds without percent-encoding
_NUMBER_FORMATS = {"Avstånd (m)": "0.0", "Latitud": "0.000000", "Longitud": "0.000000", "Rad": "0"}


@dataclass(frozen=True)
class ListContext:
    """What every list of one run needs, prepared once.

    Parameters
    ----------
    registry : OwnerRegistry
        Owner ids, names and whether the data is synthetic.
    parcels : geopandas.GeoDataFrame or None
        The owner layer's polygons with columns ``owner`` and ``designation`` (the property
        designation, empty text as missing); None when the layer has no designation column.
    max_distance_m : float
        The run's maximum distance to the nearest owner, the reach of a designation.

    Examples
    --------
    >>> import geomap
    >>> result = geomap.route("data/hard_cases_synthetic.csv", owners="data/owners_synthetic.gpkg",
    ...                       registry="data/owners.toml", crs="EPSG:3011")
    >>> context = ListContext.from_result(result)
    >>> context.parcels.columns.tolist()
    ['owner', 'designation', 'geometry']
    """

    registry: OwnerRegistry
    parcels: gpd.GeoDataFrame | None
    max_distance_m: float

    @classmethod
    def from_result(cls, result: RouteResult) -> ListContext:
        """Return the context of a routing run (its registry, owner layer and maximum distance)."""
        return cls(
            registry=result.registry,
            parcels=_parcels(result.owners),
            max_distance_m=float(result.summary.max_distance_m),
        )

    @functools.cached_property
    def names(self) -> dict[str, str]:
        """Owner id → name."""
        return {o.id: o.name for o in self.registry.owners}

    @functools.cached_property
    def tree(self) -> shapely.STRtree | None:
        """The spatial index of :attr:`parcels`."""
        return None if self.parcels is None else shapely.STRtree(self.parcels.geometry.to_numpy())

    def title(self, owner_id: object) -> str:
        """Return the document title of an owner's list."""
        owner = str(owner_id)
        return f"Anmärkningar för {self.registry[owner].name}" if owner in self.registry else owner


def _parcels(owners: gpd.GeoDataFrame | None) -> gpd.GeoDataFrame | None:
    column = None if owners is None else _designation_column(owners)
    if owners is None or column is None or owners.empty:
        return None
    text = owners[column].astype("string").str.strip()
    return gpd.GeoDataFrame(
        {"owner": owners["owner"].to_numpy(dtype=object), "designation": text.where(text != "")},
        geometry=owners.geometry.to_numpy(),
        crs=owners.crs,
    )


def _context(source: RouteResult | ListContext) -> ListContext:
    return source if isinstance(source, ListContext) else ListContext.from_result(source)


def list_frame(
    remarks: gpd.GeoDataFrame,
    result: RouteResult | ListContext,
    *,
    map_page: str | None = None,
    links: bool = True,
) -> pd.DataFrame:
    """Return the Swedish work list of ``remarks``: one row per remark, in date order.

    Columns: :data:`LIST_COLUMNS` (what a caretaker acts on), :data:`ROUTING_COLUMNS`, then the
    technical ones (``Anledning``, ``Latitud``, ``Longitud``, E and N in the working CRS, ``Fil``,
    ``Rad``), which the XLSX puts on its second sheet. Rows are sorted by time, then id; undated
    remarks come last. ``Fastighet`` is the property designation of the land owner's polygon the
    remark lies in (else the nearest one within the run's maximum distance) when the owner layer
    has a designation column. ``Karta`` links to the remark on a map: ``map_page`` + ``#anmarkning=``
    + the percent-encoded remark id; by default the owner's map (``<stem>.html``) for routed
    remarks and ``map.html`` for unrouted ones, the layout of ``geomap route``'s output directory.
    Remarks without coordinates get no link, and none gets one without ``links`` (no maps written).

    Parameters
    ----------
    remarks : geopandas.GeoDataFrame
        Routed remarks (rows of ``result.remarks``).
    result : RouteResult or ListContext
        The run (registry, owner layer and summary), or its :class:`ListContext`.
    map_page : str, optional
        The map every link opens, relative to the list.
    links : bool, default True
        Fill ``Karta``; without it the column stays empty.

    Returns
    -------
    pandas.DataFrame

    Examples
    --------
    >>> import geomap
    >>> result = geomap.route("data/hard_cases_synthetic.csv", owners="data/owners_synthetic.gpkg",
    ...                       registry="data/owners.toml", crs="EPSG:3011")
    >>> frame = list_frame(result.remarks, result)
    >>> frame.columns[:5].tolist()
    ['Syntetiska data', 'Id', 'Datum och tid', 'Kategori', 'Plats']
    >>> frame.loc[frame["Id"] == "SF-01", ["Fastighet", "Karta"]].values.tolist()
    [['Synt-Visättra 9:3', 'huge_bostader.html#anmarkning=SF-01']]
    """
    ordered = remarks.sort_values(["timestamp", "remark_id"], na_position="last")
    return _frame_of(ordered, _context(result), map_page=map_page, links=links)


def _frame_of(
    ordered: gpd.GeoDataFrame, context: ListContext, *, map_page: str | None, links: bool
) -> pd.DataFrame:
    """Return the work list of remarks already in list order (see :func:`list_frame`)."""
    names = context.names
    xy = _coordinates(ordered)  # once: designations, links and coordinates need them
    frame = pd.DataFrame(
        {
            "Id": ordered["remark_id"].array,
            "Datum och tid": ordered["timestamp"].array,
            "Kategori": ordered["category_label"].array,
            "Plats": ordered["place"].array,
            "Beskrivning": ordered["description"].array,
            "Önskad åtgärd": ordered["action"].array,
            "Fastighet": _designations(ordered, context, xy=xy),
            "Karta": _map_links(ordered, map_page, xy=xy) if links else np.full(len(ordered), None),
            "Ansvarig": ordered["owner_name"].array,
            "Markägare": ordered["land_owner"].map(names).to_numpy(),
            "Dirigerad via": ordered["route_method"].map(METHOD_LABELS).to_numpy(),
            "Avstånd (m)": ordered["distance_m"].array,
            "Flaggor": flag_texts(ordered["flags"]),
            "Kandidater": _candidate_names(ordered["candidates"], names),
            "Källa": ordered["source"].map(SOURCE_LABELS).to_numpy(),
            "Vandring": ordered["walk_id"].array,
            "Kategori (original)": ordered["category_raw"].array,
            **_technical_columns(ordered, xy=xy),
        }
    )
    if context.registry.synthetic:
        frame.insert(0, _SYNTHETIC, context.registry.synthetic_label or "ja")
    return frame


@functools.lru_cache(maxsize=8)
def _to_wgs84(crs: CRS) -> Transformer:
    return Transformer.from_crs(crs, "EPSG:4326", always_xy=True)


@functools.lru_cache(maxsize=8)
def _crs(value: object) -> CRS:
    return CRS(value)


def _technical_columns(
    remarks: gpd.GeoDataFrame, *, xy: tuple[np.ndarray, np.ndarray] | None = None
) -> dict[str, np.ndarray]:
    """Return the routing internals: reason, WGS84 and working-CRS coordinates, file and row."""
    e, n = _coordinates(remarks) if xy is None else xy
    crs = _crs(remarks.crs)
    lon, lat = _to_wgs84(crs).transform(e, n)
    return {
        "Anledning": remarks["reason"].array,
        "Latitud": np.round(lat, 6),
        "Longitud": np.round(lon, 6),
        f"E ({crs.name})": np.round(e, 2),
        f"N ({crs.name})": np.round(n, 2),
        "Fil": remarks["source_file"].array,
        "Rad": remarks["source_row"].array,
    }


def _coordinates(remarks: gpd.GeoDataFrame) -> tuple[np.ndarray, np.ndarray]:
    """Return the x and y of each remark point (NaN where it has none)."""
    geoms = remarks.geometry.to_numpy()
    x, y = np.full(len(geoms), np.nan), np.full(len(geoms), np.nan)
    present = ~(shapely.is_missing(geoms) | shapely.is_empty(geoms))
    xy = shapely.get_coordinates(geoms[present])
    x[present], y[present] = xy[:, 0], xy[:, 1]
    return x, y


def _map_links(
    remarks: gpd.GeoDataFrame,
    map_page: str | None,
    *,
    xy: tuple[np.ndarray, np.ndarray] | None = None,
) -> np.ndarray:
    """Return each remark's link to its map (``page#anmarkning=<id>``), None without coordinates."""
    ids = remarks["remark_id"].astype("string")
    encoded = ids.to_numpy(dtype=object, na_value="")
    plain = ids.str.fullmatch(_PLAIN_ID).fillna(False).to_numpy(dtype=bool)
    encoded[~plain] = [quote(str(i), safe="") for i in encoded[~plain]]  # only unusual ids
    if map_page is None:
        owner = remarks["owner"].astype(object)
        pages = {o: f"{owner_file_stem(str(o))}.html" for o in pd.unique(owner.dropna())}
        mapped = owner.map(pages).to_numpy(dtype=object)
        page = np.where(pd.isna(mapped), _OVERVIEW_MAP, mapped)
    else:
        page = np.full(len(remarks), map_page, dtype=object)
    e, n = _coordinates(remarks) if xy is None else xy
    located = np.isfinite(e) & np.isfinite(n)
    links = np.full(len(remarks), None, dtype=object)
    links[located] = page[located] + _MAP_ANCHOR + encoded[located]
    return links


def _designation_column(owners: gpd.GeoDataFrame) -> str | None:
    lowered = {str(c).lower(): str(c) for c in owners.columns}
    return next((lowered[c] for c in _DESIGNATION_COLUMNS if c in lowered), None)


def _designations(
    remarks: gpd.GeoDataFrame,
    context: ListContext,
    *,
    xy: tuple[np.ndarray, np.ndarray] | None = None,
) -> np.ndarray:
    """Return the property designation of each remark's land (None where there is none).

    The polygon is one of the land owner's (``land_owner``, the routing's ``Markägare``): the
    one holding the point in its interior, else on its edge, else the nearest within the run's
    maximum distance; ties go to the first polygon of the layer.
    """
    out = np.full(len(remarks), None, dtype=object)
    parcels, tree = context.parcels, context.tree
    if parcels is None or tree is None or not len(remarks):
        return out
    points = remarks.geometry.to_numpy()
    if (
        remarks.crs is not None
        and parcels.crs is not None
        and _crs(parcels.crs) != _crs(remarks.crs)
    ):
        points = remarks.geometry.to_crs(parcels.crs).to_numpy()
    land = remarks["land_owner"].to_numpy(dtype=object, na_value=None)
    e, n = _coordinates(remarks) if xy is None else xy
    usable = np.flatnonzero(np.isfinite(e) & np.isfinite(n) & pd.notna(land))
    polygons = parcels.geometry.to_numpy()
    owner_of = parcels["owner"].to_numpy(dtype=object)
    hit, polygon = tree.query(points[usable], predicate="intersects")  # most: inside one
    row = usable[hit]
    same = owner_of[polygon] == land[row]
    row, polygon = row[same], polygon[same]
    distance = np.zeros(len(row))
    touched = np.zeros(len(remarks), dtype=bool)
    touched[row] = True
    rest = usable[~touched[usable]]  # none of their land owner's polygons touches them
    reach = max(context.max_distance_m, 0.0) + 0.01  # dwithin needs a positive reach
    near, near_polygon = tree.query(points[rest], predicate="dwithin", distance=reach)
    near_row = rest[near]
    keep = owner_of[near_polygon] == land[near_row]
    near_row, near_polygon = near_row[keep], near_polygon[keep]
    row, polygon = np.r_[row, near_row], np.r_[polygon, near_polygon]
    distance = np.r_[distance, shapely.distance(points[near_row], polygons[near_polygon])]
    on_edge = _on_edge(points, polygons, row, polygon, len(remarks))
    order = np.lexsort((polygon, on_edge, distance, row))
    row, polygon = row[order], polygon[order]
    first = np.ones(len(row), dtype=bool)
    first[1:] = row[1:] != row[:-1]
    labels = parcels["designation"].to_numpy(dtype=object, na_value=None)
    out[row[first]] = labels[polygon[first]]
    return out


def _on_edge(
    points: np.ndarray, polygons: np.ndarray, row: np.ndarray, polygon: np.ndarray, n: int
) -> np.ndarray:
    """Return, per pair, whether the point is not in the polygon's interior.

    Only a remark with several polygons needs it (to prefer the interior one); for the others
    it is left False, which changes no choice.
    """
    on_edge = np.zeros(len(row), dtype=bool)
    several = (np.bincount(row, minlength=n) > 1)[row]
    if several.any():
        on_edge[several] = ~shapely.contains_properly(
            polygons[polygon[several]], points[row[several]]
        )
    return on_edge


def _candidate_names(candidates: pd.Series, names: dict[str, str]) -> np.ndarray:
    uniques = pd.unique(candidates.dropna())
    lookup = {c: ", ".join(names.get(i, i) for i in str(c).split(";")) for c in uniques}
    return candidates.map(lookup).to_numpy(dtype=object)


def _sheets(frame: pd.DataFrame) -> dict[str, pd.DataFrame]:
    """Split a work list into its XLSX sheets: what to act on and how it was routed; internals."""
    lead = [_SYNTHETIC] if _SYNTHETIC in frame.columns else []
    first = [*lead, *LIST_COLUMNS, *ROUTING_COLUMNS]
    technical = [*lead, "Id", *(c for c in frame.columns if c not in first)]
    return {_SHEET: frame[first], _TECHNICAL_SHEET: frame[technical]}


def _number_formats(frame: pd.DataFrame) -> dict[str, str]:
    """Excel number formats of a work list (Excel shows its locale's decimal comma)."""
    coordinates = {str(c): "0.00" for c in frame.columns if str(c).startswith(("E (", "N ("))}
    return {**_NUMBER_FORMATS, **coordinates}


#: What :func:`write_owner_lists` reads: routed remarks as a frame or Arrow data.
Batch: TypeAlias = pd.DataFrame | pa.RecordBatch | pa.Table


def write_owner_lists(
    batches: Iterable[Batch],
    directory: str | os.PathLike[str],
    *,
    context: RouteResult | ListContext,
    xlsx: bool = True,
    links: bool = True,
    prefix: str = "owners",
) -> dict[str, dict[str, str]]:
    """Write each owner's work list as ``<stem>.csv`` and ``<stem>.xlsx`` in one pass.

    ``batches`` are routed remarks (frames or Arrow record batches with the columns of
    ``routed.gpkg``'s remarks) **grouped by owner**: all of an owner's rows together, e.g. sorted
    by ``owner``, spread over one or more batches. Each owner's list is written once its rows
    are complete; memory holds up to three chunks of owners (two being written, one being
    gathered: about three of the largest owners' remarks) and a batch. Rows without an owner
    (unrouted) are skipped (see :func:`write_unrouted_list`); owners without remarks get no
    files. An owner with more rows than an Excel sheet holds gets only its CSV, with a warning.

    Parameters
    ----------
    batches : iterable of DataFrame, pyarrow.RecordBatch or pyarrow.Table
        The routed remarks, grouped by owner.
    directory : str or os.PathLike
        The folder of the lists (made if missing).
    context : RouteResult or ListContext
        The run the remarks come from.
    xlsx : bool, default True
        Also write each list as ``.xlsx`` (the CSV is always written).
    links : bool, default True
        Fill the map links (column ``Karta``), to ``<stem>.html#anmarkning=<id>``.
    prefix : str, default "owners"
        How the returned paths name ``directory`` (relative to the run's folder).

    Returns
    -------
    dict
        Owner id → its files (``{"csv": "owners/<stem>.csv", "xlsx": …}``), by owner id.

    Raises
    ------
    GeomapError
        An owner's rows come again after another owner's (``batches`` not grouped by owner).

    Examples
    --------
    >>> import geomap, tempfile
    >>> result = geomap.route("data/hard_cases_synthetic.csv", owners="data/owners_synthetic.gpkg",
    ...                       registry="data/owners.toml", crs="EPSG:3011")
    >>> ordered = result.remarks.sort_values("owner", kind="stable")
    >>> files = write_owner_lists([ordered], tempfile.mkdtemp(), context=result, links=False)
    >>> files["huge_bostader"]
    {'csv': 'owners/huge_bostader.csv', 'xlsx': 'owners/huge_bostader.xlsx'}
    """
    target = Path(directory)
    target.mkdir(parents=True, exist_ok=True)
    ctx = _context(context)
    written: dict[str, dict[str, str]] = {}
    write = functools.partial(
        _write_chunk, directory=target, context=ctx, xlsx=xlsx, links=links, prefix=prefix
    )
    for files in _in_threads(write, _chunks(_owner_groups(batches)), workers=_WORKERS):
        written.update(files)
    return dict(sorted(written.items()))


#: Owner chunks written at once, each in its own thread: most of the work is in Arrow kernels,
#: zlib and file writes, which release the GIL, so a second core pays for big runs.
_WORKERS = max(1, min(2, os.cpu_count() or 1))

_T = TypeVar("_T")
_R = TypeVar("_R")


def _in_threads(work: Callable[[_T], _R], items: Iterable[_T], *, workers: int) -> Iterator[_R]:
    """Yield ``work(item)`` for each item in order, at most ``workers`` items in flight.

    Memory holds the items in flight (and the next one being gathered), not all of them.
    """
    if workers <= 1:
        yield from map(work, items)
        return
    with ThreadPoolExecutor(max_workers=workers) as pool:
        pending: collections.deque[Future[_R]] = collections.deque()
        for item in items:
            if len(pending) >= workers:
                yield pending.popleft().result()
            pending.append(pool.submit(work, item))
        while pending:
            yield pending.popleft().result()


#: Rows of (small) owners whose lists are formatted together, so each costs only its rows.
_CHUNK_ROWS = 50_000


#: Rows of one owner in one batch: the batch, and the first and last + 1 positions.
_Piece = tuple[pd.DataFrame, int, int]


def _chunks(groups: Iterable[tuple[str, list[_Piece]]]) -> Iterator[list[tuple[str, list[_Piece]]]]:
    """Gather owners until they hold :data:`_CHUNK_ROWS` rows (a larger owner comes alone)."""
    chunk: list[tuple[str, list[_Piece]]] = []
    rows = 0
    for owner, pieces in groups:
        size = sum(end - start for _, start, end in pieces)
        if chunk and rows + size > _CHUNK_ROWS:
            yield chunk
            chunk, rows = [], 0
        chunk.append((owner, pieces))
        rows += size
    if chunk:
        yield chunk


def _owner_groups(batches: Iterable[Batch]) -> Iterator[tuple[str, list[_Piece]]]:
    """Yield each owner with where its rows are, from batches grouped by owner, in order."""
    done: set[str] = set()
    current: str | None = None
    pieces: list[_Piece] = []
    for batch in batches:
        frame = _frame(batch)
        for key, start, end in _runs(frame):
            if key != current:
                if current is not None:
                    yield current, pieces
                    done.add(current)
                if key in done:
                    msg = (
                        f"`batches` are not grouped by owner: owner {key!r} comes again after "
                        f"{current!r}; sort the remarks by owner first"
                    )
                    raise GeomapError(msg)
                current, pieces = key, []
            if key is not None:
                pieces.append((frame, start, end))
    if current is not None:
        yield current, pieces


def _runs(frame: pd.DataFrame) -> Iterator[tuple[str | None, int, int]]:
    """Yield the runs of rows with one owner (None: no owner) as positions, in order."""
    owner = frame["owner"].astype(object).where(frame["owner"].notna(), None).to_numpy()
    if not len(owner):
        return
    starts = np.flatnonzero(np.r_[True, owner[1:] != owner[:-1]]).tolist()
    for start, end in itertools.pairwise([*starts, len(owner)]):
        key = owner[start]
        yield (None if key is None else str(key)), start, end


def _rows_of(pieces: list[_Piece]) -> gpd.GeoDataFrame:
    """Return the rows of ``pieces``: one slice per batch, not one per owner."""
    merged: list[list[Any]] = []
    for frame, start, end in pieces:
        if merged and merged[-1][0] is frame and merged[-1][2] == start:
            merged[-1][2] = end
        else:
            merged.append([frame, start, end])
    return _concat([_used(frame).iloc[start:end] for frame, start, end in merged])


#: The columns of routed remarks that a work list reads (the others are not copied or sorted).
USED_COLUMNS: tuple[str, ...] = (
    "remark_id",
    "timestamp",
    "category_label",
    "place",
    "description",
    "action",
    "owner",
    "owner_name",
    "land_owner",
    "route_method",
    "distance_m",
    "flags",
    "candidates",
    "source",
    "walk_id",
    "category_raw",
    "reason",
    "source_file",
    "source_row",
)


def _used(frame: pd.DataFrame) -> pd.DataFrame:
    """Return ``frame`` with only the columns a list reads (and its geometry), not copied."""
    geometry = getattr(frame, "_geometry_column_name", None)
    keep = [c for c in frame.columns if c in USED_COLUMNS or c == geometry]
    return frame if len(keep) == frame.shape[1] else frame[keep]


def _frame(batch: Batch) -> pd.DataFrame:
    if isinstance(batch, pa.RecordBatch | pa.Table):
        table = pa.Table.from_batches([batch]) if isinstance(batch, pa.RecordBatch) else batch
        return gpd.GeoDataFrame.from_arrow(table)
    return batch


def _concat(pieces: list[pd.DataFrame]) -> gpd.GeoDataFrame:
    if len(pieces) == 1 and isinstance(pieces[0], gpd.GeoDataFrame):
        return pieces[0]
    return gpd.GeoDataFrame(pd.concat(pieces), crs=getattr(pieces[0], "crs", None))


def _write_chunk(
    chunk: list[tuple[str, list[_Piece]]],
    *,
    directory: Path,
    context: ListContext,
    xlsx: bool,
    links: bool,
    prefix: str,
) -> dict[str, dict[str, str]]:
    """Write the CSV and (within Excel's row limit) XLSX lists of some owners in one pass."""
    owners = [owner for owner, _ in chunk]
    sizes = np.array([sum(b - a for _, a, b in pieces) for _, pieces in chunk], dtype=np.int64)
    remarks = _rows_of([piece for _, pieces in chunk for piece in pieces])
    remarks = remarks.assign(_list=np.repeat(np.arange(len(chunk)), sizes))
    ordered = remarks.sort_values(["_list", "timestamp", "remark_id"], na_position="last")
    frame = _frame_of(ordered.drop(columns="_list"), context, map_page=None, links=links)
    bounds = np.r_[0, np.cumsum(sizes)]
    stems = [owner_file_stem(o) for o in owners]
    files = {o: {"csv": f"{prefix}/{stem}.csv"} for o, stem in zip(owners, stems, strict=True)}
    write_csv_groups(frame, bounds, [directory / f"{stem}.csv" for stem in stems])
    if not xlsx:
        return files
    fits = sizes <= EXCEL_MAX_ROWS
    for owner, size in zip(np.array(owners, dtype=object)[~fits], sizes[~fits], strict=True):
        log.warning(
            "owner %s has %d remarks, more than an Excel sheet holds (%d); wrote only %s",
            owner,
            size,
            EXCEL_MAX_ROWS,
            files[owner]["csv"],
        )
        files[owner]["xlsx_skipped"] = f"{size} rows exceed Excel's limit of {EXCEL_MAX_ROWS}"
    kept = [i for i in range(len(owners)) if fits[i]]
    if len(kept) < len(owners):
        frame = frame[np.repeat(fits, sizes)]
        bounds = np.r_[0, np.cumsum(sizes[fits])]
    for i in kept:
        files[owners[i]]["xlsx"] = f"{prefix}/{stems[i]}.xlsx"
    write_xlsx_groups(
        _sheets(frame),
        bounds,
        [directory / f"{stems[i]}.xlsx" for i in kept],
        titles=[context.title(owners[i]) for i in kept],
        number_formats=_number_formats(frame),
        links={"Karta": _LINK_TEXT},
        file_labels=[files[owners[i]]["xlsx"] for i in kept],
        full_text_in=[f"routed.gpkg and {files[owners[i]]['csv']}" for i in kept],
    )
    return files


def write_unrouted_list(
    remarks: gpd.GeoDataFrame,
    path: str | os.PathLike[str],
    *,
    context: RouteResult | ListContext,
    links: bool = True,
) -> Path:
    """Write the remarks no owner got (``route_method`` ``unrouted``) as a CSV work list.

    Their map links open the coordinators' overview map (``map.html``).

    Parameters
    ----------
    remarks : geopandas.GeoDataFrame
        Routed remarks; only the unrouted ones are written.
    path : str or os.PathLike
        The CSV file.
    context : RouteResult or ListContext
        The run.
    links : bool, default True
        Fill the map links.

    Returns
    -------
    pathlib.Path

    Examples
    --------
    >>> import geomap, tempfile
    >>> result = geomap.route("data/hard_cases_synthetic.csv", owners="data/owners_synthetic.gpkg",
    ...                       registry="data/owners.toml", crs="EPSG:3011")
    >>> path = write_unrouted_list(result.remarks, Path(tempfile.mkdtemp()) / "u.csv",
    ...                            context=result)
    >>> path.read_text(encoding="utf-8-sig").count("map.html#anmarkning=") > 0
    True
    """
    unrouted = remarks[remarks["route_method"] == "unrouted"]
    return write_csv(list_frame(unrouted, _context(context), links=links), path)
