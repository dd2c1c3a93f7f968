"""Write interactive HTML maps from a ``routed.gpkg``: one overview map, or one map per owner."""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging
import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import geopandas as gpd
import pandas as pd

from geomap.core.districts import Geography, read_districts
from geomap.core.owners import load_owner_layer
from geomap.core.routed import (
    RoutedData,
    filter_remarks,
    local_dates,
    parse_date,
    read_routed,
)
from geomap.errors import InputError
from geomap.io.sanitize import owner_file_stem
from geomap.io.atomic import atomic_path, check_writable
from geomap.maps.html import DEFAULT_TITLE, build_map_html

__all__ = [
    "DEFAULT_SYNTHETIC_LABEL",
    "owner_file_stem",
    "write_map",
    "write_owner_maps",
    "write_run_maps",
]

log = logging.getLogger(__name__)

#: Banner text for synthetic data when run_info has no ``synthetic_label``.
DEFAULT_SYNTHETIC_LABEL = "Syntetiska demodata – inga verkliga händelser eller ägare"
PathArg = str | os.PathLike[str]


def _period_text(
    data: RoutedData, remarks: pd.DataFrame, start: dt.date | None, end: dt.date | None
) -> str:
    if start is None and end is None:
        info_start = data.run_info.get("period_start", "")[:10]
        info_end = data.run_info.get("period_end", "")[:10]
        if info_start or info_end:
            return f"{info_start} – {info_end}".strip()
    days = local_dates(remarks["timestamp"]).dropna()
    first = start.isoformat() if start else (days.min().date().isoformat() if len(days) else "")
    last = end.isoformat() if end else (days.max().date().isoformat() if len(days) else "")
    return f"{first} – {last}" if first or last else ""


def _load(
    routed: PathArg | RoutedData,
    *,
    owners: PathArg | None,
    districts: PathArg | bool | None,
) -> tuple[RoutedData, Geography]:
    data = routed if isinstance(routed, RoutedData) else read_routed(routed)
    if owners is not None:  # a copy: data given by the caller may serve several maps
        polygons = load_owner_layer(owners, working_crs=data.remarks.crs).frame
        data = dataclasses.replace(data, owners=polygons)
    if districts is False:
        geography = Geography(None)
    else:
        geography = read_districts(None if districts in (None, True) else districts)  # type: ignore[arg-type]
    return data, geography


def _banner(data: RoutedData) -> str | None:
    if not data.synthetic:
        return None
    return data.run_info.get("synthetic_label") or DEFAULT_SYNTHETIC_LABEL


def _write(out: Path, page: str, *, overwrite: bool) -> Path:
    with atomic_path(out, overwrite=overwrite) as tmp:
        tmp.write_text(page, encoding="utf-8")
    log.info("wrote %s (%.1f MB)", out, out.stat().st_size / 1e6)
    return out


def write_map(
    routed: PathArg | RoutedData,
    out: PathArg,
    *,
    owners: PathArg | None = None,
    districts: PathArg | bool | None = None,
    title: str | None = None,
    date_from: str | dt.date | None = None,
    date_to: str | dt.date | None = None,
    categories: Sequence[str] | None = None,
    owner_ids: Sequence[str] | None = None,
    cdn: bool = False,
    overwrite: bool = False,
) -> Path:
    """Write an interactive HTML map of a ``routed.gpkg``.

    Parameters
    ----------
    routed : str, os.PathLike or RoutedData
        The ``routed.gpkg`` written by ``geomap route``, or what :func:`read_routed` read from it
        (to draw several maps from one read).
    out : str or os.PathLike
        The HTML file to write.
    owners : str or os.PathLike, optional
        Owner polygons (column ``owner``) to show instead of the ``owners`` layer of ``routed``.
    districts : str, os.PathLike or bool, optional
        District polygons (with a name column). Default: SCB RegSO 2025 for Huddinge, bundled with
        geomap. ``False`` shows no districts.
    title : str, optional
        Heading of the map; default "Anmärkningar och ansvariga ägare – Huddinge".
    date_from, date_to : str or datetime.date, optional
        Only remarks from/to these days (``YYYY-MM-DD``, inclusive).
    categories : sequence of str, optional
        Only these categories (codes or Swedish labels).
    owner_ids : sequence of str, optional
        Only remarks routed to these owners (``"-"`` = unrouted); only their polygons are shown.
    cdn : bool, default False
        Load Leaflet from unpkg.com instead of inlining it (smaller file, needs the network).
    overwrite : bool, default False
        Replace ``out`` if it exists.

    Returns
    -------
    pathlib.Path
        The written file.

    Raises
    ------
    InputError
        If ``routed`` or another input cannot be read, or a filter is invalid.
    OutputExistsError
        If ``out`` exists and ``overwrite`` is false.

    Examples
    --------
    >>> write_map("out/demo/routed.gpkg", "out/demo/map.html", overwrite=True)  # doctest: +SKIP
    PosixPath('out/demo/map.html')
    """
    target = check_writable(out, overwrite=overwrite)
    data, geography = _load(routed, owners=owners, districts=districts)
    start = parse_date(date_from, argument="--from")
    end = parse_date(date_to, argument="--to")
    remarks = filter_remarks(
        data.remarks, date_from=start, date_to=end, categories=categories, owner_ids=owner_ids
    )
    polygons = data.owners
    if owner_ids and polygons is not None:
        polygons = polygons[polygons["owner"].astype(str).isin(list(owner_ids))]
    page = build_map_html(
        remarks,
        owners=polygons,
        registry=data.registry.to_frame(),
        districts=geography.districts,
        boundary=geography.boundary,
        district_source=geography.attribution,
        title=title or DEFAULT_TITLE,
        synthetic_label=_banner(data),
        cdn=cdn,
        period=_period_text(data, remarks, start, end),
    )
    return _write(target, page, overwrite=overwrite)


def write_owner_maps(
    routed: PathArg | RoutedData,
    out_dir: PathArg,
    *,
    owners: PathArg | None = None,
    districts: PathArg | bool | None = None,
    title: str | None = None,
    date_from: str | dt.date | None = None,
    date_to: str | dt.date | None = None,
    categories: Sequence[str] | None = None,
    owner_ids: Sequence[str] | None = None,
    cdn: bool = False,
    overwrite: bool = False,
) -> dict[str, Path]:
    """Write one map per owner that has remarks, holding only that owner's remarks and polygons.

    Nothing of other owners is included: not their remarks, polygons, names or ids (candidate lists
    show "annan ägare", and the routing reason, which may name other owners, is left out). Files are
    ``out_dir/<owner_file_stem(owner)>.html``; other files in ``out_dir`` (e.g. the per-owner lists)
    are left alone.

    Parameters
    ----------
    routed : str, os.PathLike or RoutedData
        The ``routed.gpkg`` written by ``geomap route``, or what :func:`read_routed` read from it
        (to draw several maps from one read).
    out_dir : str or os.PathLike
        Directory for the maps (created if missing).
    owners, districts, title, date_from, date_to, categories, cdn
        As in :func:`write_map`; the title gets the owner's name appended.
    owner_ids : sequence of str, optional
        Only these owners.
    overwrite : bool, default False
        Replace existing map files; without it nothing is written when any of them exists.

    Returns
    -------
    dict of str to pathlib.Path
        Owner id to written file.

    Raises
    ------
    InputError
        If an input cannot be read or a filter is invalid.
    OutputExistsError
        If a map file exists and ``overwrite`` is false.

    Examples
    --------
    >>> paths = write_owner_maps("out/demo/routed.gpkg", "out/demo/per_owner")  # doctest: +SKIP
    >>> sorted(paths)  # doctest: +SKIP
    ['huddinge_kommun', 'huge', 'samhallsfastigheter', 'trafikverket']
    """
    directory = Path(out_dir)
    if directory.exists() and not directory.is_dir():
        msg = f"--per-owner: {directory} is a file; pass a directory"
        raise InputError(msg)
    data, geography = _load(routed, owners=owners, districts=districts)
    start = parse_date(date_from, argument="--from")
    end = parse_date(date_to, argument="--to")
    remarks = filter_remarks(
        data.remarks, date_from=start, date_to=end, categories=categories, owner_ids=owner_ids
    )
    routed_remarks = remarks[remarks["owner"].notna()]
    ids = [str(o) for o in pd.unique(routed_remarks["owner"].astype(str))]
    table = data.registry.to_frame()
    names = dict(zip(table["owner"].astype(str), table["name"], strict=False))
    stems = {owner: owner_file_stem(owner) for owner in sorted(ids)}
    targets = {
        o: check_writable(directory / f"{s}.html", overwrite=overwrite) for o, s in stems.items()
    }
    banner = _banner(data)
    written: dict[str, Path] = {}
    for owner, target in targets.items():
        mine = routed_remarks[routed_remarks["owner"].astype(str) == owner]
        name = names.get(owner)
        if name is None or pd.isna(name):
            name = (
                str(mine["owner_name"].dropna().iloc[0])
                if mine["owner_name"].notna().any()
                else owner
            )
        polygons: gpd.GeoDataFrame | None = data.owners
        if polygons is not None:
            polygons = polygons[polygons["owner"].astype(str) == owner]
        page = build_map_html(
            mine,
            owners=polygons,
            registry=table[table["owner"].astype(str) == owner],
            districts=geography.districts,
            boundary=geography.boundary,
            district_source=geography.attribution,
            title=f"{title or 'Anmärkningar'} – {name}",
            synthetic_label=banner,
            cdn=cdn,
            period=_period_text(data, remarks, start, end),
            scope_owner=owner,
        )
        written[owner] = _write(target, page, overwrite=overwrite)
    if not written:
        log.warning("no routed remarks after filtering; no per-owner maps written to %s", directory)
    return written


def write_run_maps(routed: PathArg | RoutedData, directory: PathArg) -> dict[str, Any]:
    """Write the maps of a routing run: ``map.html`` and ``owners/<owner>.html``.

    This is the file layout of ``geomap route``'s output directory; the per-owner maps lie beside
    the owners' lists, with the same file stem.

    Parameters
    ----------
    routed : str, os.PathLike or RoutedData
        The run (in memory, or its ``routed.gpkg``).
    directory : str or os.PathLike
        The output directory (existing map files in it are replaced).

    Returns
    -------
    dict
        ``{"map": "map.html", "owner_maps": {owner id: "owners/<stem>.html"}}``, paths relative
        to ``directory``, as ``summary.json`` records them.

    Examples
    --------
    >>> write_run_maps("out/demo/routed.gpkg", "out/demo")  # doctest: +SKIP
    """
    base = Path(directory)
    data = routed if isinstance(routed, RoutedData) else read_routed(routed)
    write_map(data, base / "map.html", overwrite=True)
    maps = write_owner_maps(data, base / "owners", overwrite=True)
    return {"map": "map.html", "owner_maps": {k: f"owners/{Path(v).name}" for k, v in maps.items()}}
