"""Writing a routing run: ``routed.gpkg``, per-owner work lists, ``unrouted.csv``, ``summary.json``.

Everything goes into a temporary directory beside OUTDIR that replaces OUTDIR only when complete.
Lists are Excel-friendly Swedish (``;``, decimal comma, UTF-8 with BOM) with formulas neutralised.
"""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any
from urllib.parse import quote

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from pyproj import CRS, Transformer

from geomap.core.labels import METHOD_LABELS, SOURCE_LABELS, flag_texts
from geomap.core.routed import RoutedData
from geomap.io.atomic import atomic_dir
from geomap.io.sanitize import owner_file_stem
from geomap.io.sheets import EXCEL_MAX_ROWS, write_csv, write_xlsx
from geomap.routing.pipeline import RouteResult

__all__ = [
    "EXCEL_MAX_ROWS",
    "LIST_COLUMNS",
    "ROUTING_COLUMNS",
    "list_frame",
    "write_outputs",
    "write_routed_gpkg",
]

log = logging.getLogger(__name__)


def write_outputs(
    result: RouteResult,
    outdir: str | os.PathLike[str],
    *,
    overwrite: bool = False,
    lists: bool = True,
    xlsx: bool = True,
    extra: Callable[[Path], dict[str, Any]] | None = None,
    inputs: Sequence[str | os.PathLike[str]] | None = None,
    replace_foreign: bool = False,
) -> dict[str, Any]:
    """Write every output of a routing run into ``outdir`` atomically.

    Parameters
    ----------
    result
        What :func:`geomap.route` returned.
    outdir
        Output directory (see :func:`geomap.io.atomic.atomic_dir`); refused if it exists unless
        ``overwrite``, and then replaced only if geomap wrote it (marker file ``.geomap-output``)
        or it is empty. Refused if it is, contains or lies above an input. Locked for the run.
    lists
        Write per-owner work lists and ``unrouted.csv``.
    xlsx
        Also write each list as ``.xlsx`` (up to Excel's row limit; the CSV is always written).
    extra
        Called with the temporary directory before it is moved into place, to add more outputs
        (the maps); returns their paths relative to ``outdir`` for the summary. The lists' map
        links (column *Karta*) are filled only when ``extra`` is given.
    inputs
        More files that ``outdir`` must not be or contain (owner layer, registry, rules), besides
        the remark files in ``result.inputs``.
    replace_foreign
        With ``overwrite``, also replace a non-empty folder that geomap did not write.

    Returns
    -------
    dict
        Output paths relative to ``outdir``, as recorded in ``summary.json``.
    """
    target = Path(outdir)
    written: dict[str, Any] = {}
    protect = [*(i.path for i in result.inputs if i.path != "<GeoDataFrame>"), *(inputs or ())]
    with atomic_dir(
        target, overwrite=overwrite, kind="route", protect=protect, replace_foreign=replace_foreign
    ) as tmp:
        write_routed_gpkg(result, tmp / "routed.gpkg")
        written["routed"] = "routed.gpkg"
        if lists:
            links = extra is not None  # the maps the links open are written by `extra`
            written["owners"] = _write_owner_lists(result, tmp / "owners", xlsx=xlsx, links=links)
            unrouted = result.remarks[result.remarks["route_method"] == "unrouted"]
            write_csv(list_frame(unrouted, result, links=links), tmp / "unrouted.csv")
            written["unrouted"] = "unrouted.csv"
        if extra is not None:
            written.update(extra(tmp))
        result.summary.outputs = written
        summary = result.summary.to_dict()
        (tmp / "summary.json").write_text(
            json.dumps(summary, ensure_ascii=False, indent=2, default=str), encoding="utf-8"
        )
        written["summary"] = "summary.json"
    return written


def write_routed_gpkg(result: RouteResult, path: Path) -> None:
    """Write the ``routed.gpkg`` layers described in the README's output contract."""
    RoutedData.from_result(result).write(path)


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


def list_frame(
    remarks: gpd.GeoDataFrame,
    result: RouteResult,
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
    result : RouteResult
        The run: registry, owner layer and summary.
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
    names = {o.id: o.name for o in result.registry.owners}
    frame = pd.DataFrame(
        {
            "Id": ordered["remark_id"].to_numpy(),
            "Datum och tid": ordered["timestamp"].to_numpy(),
            "Kategori": ordered["category_label"].to_numpy(),
            "Plats": ordered["place"].to_numpy(),
            "Beskrivning": ordered["description"].to_numpy(),
            "Önskad åtgärd": ordered["action"].to_numpy(),
            "Fastighet": _designations(ordered, result),
            "Karta": _map_links(ordered, map_page) if links else np.full(len(ordered), None),
            "Ansvarig": ordered["owner_name"].to_numpy(),
            "Markägare": ordered["land_owner"].map(names).to_numpy(),
            "Dirigerad via": ordered["route_method"].map(METHOD_LABELS).to_numpy(),
            "Avstånd (m)": ordered["distance_m"].to_numpy(),
            "Flaggor": flag_texts(ordered["flags"]),
            "Kandidater": _candidate_names(ordered["candidates"], names),
            "Källa": ordered["source"].map(SOURCE_LABELS).to_numpy(),
            "Vandring": ordered["walk_id"].to_numpy(),
            "Kategori (original)": ordered["category_raw"].to_numpy(),
            **_technical_columns(ordered),
        }
    )
    if result.registry.synthetic:
        frame.insert(0, _SYNTHETIC, result.registry.synthetic_label or "ja")
    return frame


def _technical_columns(remarks: gpd.GeoDataFrame) -> dict[str, np.ndarray]:
    """Return the routing internals: reason, WGS84 and working-CRS coordinates, file and row."""
    e, n = _coordinates(remarks)
    crs = CRS(remarks.crs)
    lon, lat = Transformer.from_crs(crs, "EPSG:4326", always_xy=True).transform(e, n)
    return {
        "Anledning": remarks["reason"].to_numpy(),
        "Latitud": np.round(lat, 6),
        "Longitud": np.round(lon, 6),
        f"E ({crs.name})": np.round(e, 2),
        f"N ({crs.name})": np.round(n, 2),
        "Fil": remarks["source_file"].to_numpy(),
        "Rad": remarks["source_row"].to_numpy(),
    }


def _coordinates(remarks: gpd.GeoDataFrame) -> tuple[np.ndarray, np.ndarray]:
    """Return the x and y of each remark point (NaN where it has none)."""
    geoms = remarks.geometry.to_numpy()
    x, y = np.full(len(geoms), np.nan), np.full(len(geoms), np.nan)
    present = ~(shapely.is_missing(geoms) | shapely.is_empty(geoms))
    xy = shapely.get_coordinates(geoms[present])
    x[present], y[present] = xy[:, 0], xy[:, 1]
    return x, y


def _map_links(remarks: gpd.GeoDataFrame, map_page: str | None) -> np.ndarray:
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
    e, n = _coordinates(remarks)
    located = np.isfinite(e) & np.isfinite(n)
    links = np.full(len(remarks), None, dtype=object)
    links[located] = page[located] + _MAP_ANCHOR + encoded[located]
    return links


def _designation_column(owners: gpd.GeoDataFrame) -> str | None:
    lowered = {str(c).lower(): str(c) for c in owners.columns}
    return next((lowered[c] for c in _DESIGNATION_COLUMNS if c in lowered), None)


def _designations(remarks: gpd.GeoDataFrame, result: RouteResult) -> np.ndarray:
    """Return the property designation of each remark's land (None where there is none).

    The polygon is one of the land owner's (``land_owner``, the routing's ``Markägare``): the
    one holding the point in its interior, else on its edge, else the nearest within the run's
    maximum distance; ties go to the first polygon of the layer.
    """
    out = np.full(len(remarks), None, dtype=object)
    owners = result.owners
    column = None if owners is None else _designation_column(owners)
    if column is None or owners.empty or not len(remarks):
        return out
    if remarks.crs is not None and owners.crs is not None and CRS(owners.crs) != CRS(remarks.crs):
        owners = owners.to_crs(remarks.crs)
    land = remarks["land_owner"].to_numpy(dtype=object, na_value=None)
    points = remarks.geometry.to_numpy()
    e, n = _coordinates(remarks)
    usable = np.flatnonzero(np.isfinite(e) & np.isfinite(n) & pd.notna(land))
    owners = owners[owners["owner"].isin(pd.unique(land[usable]))]  # only the land owners' parcels
    polygons = owners.geometry.to_numpy()
    reach = max(float(result.summary.max_distance_m), 0.0) + 0.01  # dwithin needs a positive reach
    hit, polygon = shapely.STRtree(polygons).query(
        points[usable], predicate="dwithin", distance=reach
    )
    row = usable[hit]
    same = owners["owner"].to_numpy(dtype=object)[polygon] == land[row]
    row, polygon = row[same], polygon[same]
    distance = shapely.distance(points[row], polygons[polygon])
    on_edge = ~shapely.contains_properly(polygons[polygon], points[row])
    order = np.lexsort((polygon, on_edge, distance, row))
    row, polygon = row[order], polygon[order]
    first = np.ones(len(row), dtype=bool)
    first[1:] = row[1:] != row[:-1]
    text = owners[column].astype("string").str.strip()
    labels = text.where(text != "").to_numpy(dtype=object, na_value=None)
    out[row[first]] = labels[polygon[first]]
    return out


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


def _write_owner_lists(
    result: RouteResult, directory: Path, *, xlsx: bool, links: bool = True
) -> dict[str, dict[str, str]]:
    directory.mkdir(parents=True, exist_ok=True)
    remarks = result.remarks
    written: dict[str, dict[str, str]] = {}
    routed = remarks[remarks["owner"].notna()]
    for owner_id, group in routed.groupby("owner", sort=True):
        stem = owner_file_stem(str(owner_id))
        frame = list_frame(group, result, map_page=f"{stem}.html", links=links)
        files = {"csv": f"owners/{stem}.csv"}
        write_csv(frame, directory / f"{stem}.csv")
        if xlsx:
            if len(frame) > EXCEL_MAX_ROWS:
                log.warning(
                    "owner %s has %d remarks, more than an Excel sheet holds (%d); wrote only %s",
                    owner_id,
                    len(frame),
                    EXCEL_MAX_ROWS,
                    files["csv"],
                )
                files["xlsx_skipped"] = (
                    f"{len(frame)} rows exceed Excel's limit of {EXCEL_MAX_ROWS}"
                )
            else:
                files["xlsx"] = f"owners/{stem}.xlsx"
                _write_list_xlsx(
                    frame,
                    directory / f"{stem}.xlsx",
                    _list_title(result, owner_id),
                    label=files["xlsx"],
                    full_text_in=f"routed.gpkg and {files['csv']}",
                )
        written[str(owner_id)] = files
    return written


def _list_title(result: RouteResult, owner_id: object) -> str:
    owner = str(owner_id)
    return f"Anmärkningar för {result.registry[owner].name}" if owner in result.registry else owner


def _write_list_xlsx(
    frame: pd.DataFrame, path: Path, title: str, *, label: str, full_text_in: str
) -> None:
    """Write a work list as XLSX; warnings about cut or cleaned cells name it ``label``."""
    write_xlsx(
        _sheets(frame),
        path,
        title=title,
        number_formats=_number_formats(frame),
        links={"Karta": _LINK_TEXT},
        file_label=label,
        full_text_in=full_text_in,
    )
