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
import numpy as np
import pandas as pd

from geomap.core.districts import Geography, read_districts
from geomap.core.owners import load_owner_layer
from geomap.core.periods import local_dates, parse_date
from geomap.core.routed import RoutedData, filter_remarks, read_routed
from geomap.errors import InputError
from geomap.io.atomic import atomic_path, check_output_name, check_writable
from geomap.io.sanitize import owner_file_stem
from geomap.maps.data import MapText
from geomap.maps.html import (
    DEFAULT_TITLE,
    MapAssets,
    PageShell,
    build_map_html,
    write_map_assets,
)
from geomap.maps.many import OwnerPayloads

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
) -> tuple[RoutedData, Geography | None]:
    data = routed if isinstance(routed, RoutedData) else read_routed(routed)
    if owners is not None:  # a copy: data given by the caller may serve several maps
        polygons = load_owner_layer(owners, working_crs=data.remarks.crs).frame
        data = dataclasses.replace(data, owners=polygons)
    geography = None
    if districts is not False:
        geography = read_districts(None if districts in (None, True) else districts)  # type: ignore[arg-type]
    return data, geography


def _banner(data: RoutedData) -> str | None:
    if not data.synthetic:
        return None
    return data.run_info.get("synthetic_label") or DEFAULT_SYNTHETIC_LABEL


def _inputs(*values: object) -> list[Path]:
    """Return the input files among the arguments of a map function: a map never replaces one."""
    paths = [getattr(v, "path", v) for v in values]
    return [Path(p) for p in paths if isinstance(p, str | os.PathLike) and str(p) not in ("", ".")]


def _write(out: Path, page: str, *, overwrite: bool, protect: Sequence[Path] = ()) -> Path:
    with atomic_path(out, overwrite=overwrite, protect=protect) as tmp:
        tmp.write_text(page, encoding="utf-8")
    log.info("wrote %s (%.1f MB)", out, out.stat().st_size / 1e6)
    return out


@dataclasses.dataclass(frozen=True)
class _Selection:
    """What a map shows: the run, its geography, the selected remarks and their period."""

    data: RoutedData
    geography: Geography | None
    remarks: gpd.GeoDataFrame
    period: str


def _select(
    routed: PathArg | RoutedData,
    owners: PathArg | None,
    districts: PathArg | bool | None,
    date_from: str | dt.date | None,
    date_to: str | dt.date | None,
    categories: Sequence[str] | None,
    owner_ids: Sequence[str] | None,
) -> _Selection:
    """Read the inputs and filter the remarks; the arguments are those of :func:`write_map`."""
    start = parse_date(date_from, argument="date_from")
    end = parse_date(date_to, argument="date_to")
    data, geography = _load(routed, owners=owners, districts=districts)
    remarks = filter_remarks(
        data.remarks, date_from=start, date_to=end, categories=categories, owner_ids=owner_ids
    )
    return _Selection(data, geography, remarks, _period_text(data, remarks, start, end))


def _page(
    selection: _Selection,
    *,
    title: str,
    cdn: bool,
    owners: Sequence[str] | None = None,
    scope: _Scope | None = None,
    assets: MapAssets | None = None,
) -> str:
    """Return the HTML of a map of the selection, with only the polygons of ``owners`` if given.

    With ``scope``, the map holds only that owner's remarks, polygons and registry row.
    """
    remarks, polygons = selection.remarks, selection.data.owners
    registry = selection.data.registry.to_frame()
    if owners and polygons is not None:
        polygons = polygons[polygons["owner"].astype(str).isin(list(owners))]
    if scope is not None:
        remarks, polygons, registry = scope.remarks, scope.polygons, scope.registry
    geography = selection.geography
    return build_map_html(
        remarks,
        owners=polygons,
        registry=registry,
        districts=None if geography is None else geography.districts,
        boundary=None if geography is None else geography.boundary,
        district_source="" if geography is None else geography.attribution,
        title=title,
        synthetic_label=_banner(selection.data),
        cdn=cdn,
        period=selection.period,
        scope_owner=None if scope is None else scope.owner,
        assets=assets,
    )


@dataclasses.dataclass(frozen=True)
class _Scope:
    """One owner's part of a selection: its remarks, polygons and registry row."""

    owner: str
    remarks: gpd.GeoDataFrame
    polygons: gpd.GeoDataFrame | None
    registry: pd.DataFrame


def _scopes(selection: _Selection, ids: Sequence[str]) -> dict[str, _Scope]:
    """Split the selection by owner once (not once per owner): time grows with the data."""
    remarks, polygons = selection.remarks, selection.data.owners
    registry = selection.data.registry.to_frame()
    rows = remarks.groupby(remarks["owner"].astype("string"), sort=False).indices
    shapes = {} if polygons is None else polygons.groupby(polygons["owner"].astype(str)).indices
    entries = registry.groupby(registry["owner"].astype(str)).indices
    none = np.array([], dtype=np.int64)
    return {
        o: _Scope(
            o,
            remarks.iloc[rows.get(o, none)],
            None if polygons is None else polygons.iloc[shapes.get(o, none)],
            registry.iloc[entries.get(o, none)],
        )
        for o in ids
    }


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
        The ``routed.gpkg`` of ``geomap route``, or what :func:`read_routed` read from it.
    out : str or os.PathLike
        The HTML file to write.
    owners : str or os.PathLike, optional
        Owner polygons (column ``owner``) to show instead of the ``owners`` layer of ``routed``.
    districts : str, os.PathLike or bool, optional
        District polygons with a name column; default SCB RegSO 2025 (bundled); ``False``: none.
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
        If an input cannot be read or a filter is invalid.
    OutputExistsError
        If ``out`` exists and ``overwrite`` is false.

    Examples
    --------
    >>> write_map("out/demo/routed.gpkg", "out/demo/map.html", overwrite=True)  # doctest: +SKIP
    PosixPath('out/demo/map.html')
    """
    protect = _inputs(routed, owners, districts)
    target = check_writable(out, overwrite=overwrite, protect=protect)
    page = _map_of(routed, owners, districts, date_from, date_to, categories, owner_ids, title, cdn)
    return _write(target, page, overwrite=overwrite, protect=protect)


def _map_of(
    routed: PathArg | RoutedData,
    owners: PathArg | None,
    districts: PathArg | bool | None,
    date_from: str | dt.date | None,
    date_to: str | dt.date | None,
    categories: Sequence[str] | None,
    owner_ids: Sequence[str] | None,
    title: str | None,
    cdn: bool,
) -> str:
    """Return the HTML of :func:`write_map`'s one map; the arguments are those of it."""
    selection = _select(routed, owners, districts, date_from, date_to, categories, owner_ids)
    return _page(selection, owners=owner_ids, title=title or DEFAULT_TITLE, cdn=cdn)


def _map_directory(out_dir: PathArg) -> Path:
    directory = Path(out_dir)
    if directory.exists() and not directory.is_dir():
        msg = f"`out_dir`: {directory} is a file; pass a directory"
        raise InputError(msg)
    return directory


def _owner_targets(selection: _Selection, directory: Path, *, overwrite: bool) -> dict[str, Path]:
    """Return the map file of each owner with remarks, by owner id; refuse existing ones first.

    The rules of :func:`check_writable` (no existing file without ``overwrite``, never an input),
    checked for many files at once: only names already in ``directory`` can break them.
    """
    ids = sorted({str(o) for o in selection.remarks["owner"].dropna()})
    targets = {o: directory / f"{owner_file_stem(o)}.html" for o in ids}
    present = {p.name for p in directory.iterdir()} if directory.is_dir() else set()
    protect = _inputs(selection.data)
    inputs = {os.path.realpath(p) for p in protect}
    for path in targets.values():
        check_output_name(path)
        if path.name in present and (not overwrite or os.path.realpath(path) in inputs):
            check_writable(path, overwrite=overwrite, protect=protect)  # raises
    return targets


def _owner_names(selection: _Selection, ids: Sequence[str]) -> dict[str, str]:
    """Return the name of each owner: from the registry, else from its remarks, else its id."""
    table = selection.data.registry.to_frame()
    registered = dict(zip(table["owner"].astype(str), table["name"], strict=False))
    named = selection.remarks.dropna(subset=["owner", "owner_name"]).drop_duplicates("owner")
    seen = dict(zip(named["owner"].astype(str), named["owner_name"].astype(str), strict=True))
    names = {}
    for owner in ids:
        name = registered.get(owner)
        known = name is not None and not pd.isna(name)
        names[owner] = str(name) if known else seen.get(owner, owner)
    return names


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
    shared_assets: bool = False,
) -> dict[str, Path]:
    """Write one map per owner that has remarks, holding only that owner's remarks and polygons.

    Nothing of other owners is included: no remarks, polygons, names or ids ("annan ägare" in the
    candidates; no routing reason, which may name them). Files are ``out_dir/<stem>.html``, stems
    from :func:`owner_file_stem`; other files in ``out_dir`` are left alone. Each map is one
    self-contained file unless ``shared_assets``: then the maps link one copy of Leaflet, the
    map script and the districts in ``out_dir/assets/`` (offline too), and each costs only its
    owner's data.

    Parameters
    ----------
    routed, owners, districts, title, date_from, date_to, categories, owner_ids, cdn
        As in :func:`write_map`; the title (default "Anmärkningar") gets " – <owner's name>".
    out_dir : str or os.PathLike
        Directory for the maps (created if missing).
    overwrite : bool, default False
        Replace existing map files; without it nothing is written when any of them exists.
    shared_assets : bool, default False
        Link the shared files in ``out_dir/assets/`` (written here) instead of inlining them.

    Returns
    -------
    dict of str to pathlib.Path
        Owner id to written file.

    Raises
    ------
    InputError
        If ``out_dir`` is a file, an input cannot be read or a filter is invalid.
    OutputExistsError
        If a map file exists and ``overwrite`` is false.

    Examples
    --------
    >>> paths = write_owner_maps("out/demo/routed.gpkg", "out/demo/per_owner")  # doctest: +SKIP
    >>> sorted(paths)  # doctest: +SKIP
    ['huddinge_kommun', 'huge', 'samhallsfastigheter', 'trafikverket']
    """
    directory = _map_directory(out_dir)
    selection = _select(routed, owners, districts, date_from, date_to, categories, owner_ids)
    targets = _owner_targets(selection, directory, overwrite=overwrite)
    assets = _assets(selection, directory) if shared_assets and targets else None
    return _write_owner_pages(
        selection, targets, directory, title=title, cdn=cdn, assets=assets, overwrite=overwrite
    )


def _write_owner_pages(
    selection: _Selection,
    targets: dict[str, Path],
    directory: Path,
    *,
    title: str | None,
    cdn: bool,
    assets: MapAssets | None,
    overwrite: bool,
    in_place: bool = False,
) -> dict[str, Path]:
    """Write each owner's map to its target (see :func:`write_owner_maps`); warn if none.

    With ``in_place``, maps with names new in ``directory`` are written without a temporary
    file (see :func:`_run_owner_maps`).

    The payloads of all owners are prepared in one pass (:class:`OwnerPayloads`) and the page
    around them is rendered once (:class:`PageShell`): per owner only its slice is written.
    """
    names = _owner_names(selection, list(targets))
    payloads = _owner_payloads(selection, list(targets), assets=assets)
    shell = PageShell.of(cdn=cdn, assets=assets)
    written: dict[str, Path] = {}
    if targets:
        directory.mkdir(parents=True, exist_ok=True)
    present = {p.name for p in directory.iterdir()} if in_place and targets else set()
    for owner, name in names.items():
        heading = f"{title or 'Anmärkningar'} – {name}"
        page = shell.fill(heading, payloads.json(owner, title=heading))
        target = targets[owner]
        new = in_place and target.name not in present
        written[owner] = _write_one_of_many(target, page, overwrite=overwrite, in_place=new)
    if not written:
        log.warning("no routed remarks after filtering; no per-owner maps written to %s", directory)
    else:
        log.info("wrote %d per-owner maps to %s", len(written), directory)
    return written


def _write_one_of_many(target: Path, page: str, *, overwrite: bool, in_place: bool = False) -> Path:
    """Write one of many pages whose targets are checked: a temporary file beside it, renamed.

    As :func:`atomic_path` (the target appears whole or not at all), without its per-file
    checks and random names, which cost more than the page itself when there are thousands.
    With ``in_place`` a new file is written directly (inside a folder written atomically).
    """
    tmp = target if in_place else target.with_name(f".geomap-{os.getpid()}-{target.stem}.tmp")
    try:
        handle = tmp.open("xb")  # closed below
    except FileExistsError:  # a leftover of an interrupted run: the careful way
        return _write(target, page, overwrite=overwrite)
    try:
        with handle:
            handle.write(page.encode("utf-8"))
        if tmp != target:
            tmp.replace(target)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    log.debug("wrote %s", target)
    return target


def _owner_payloads(
    selection: _Selection, ids: Sequence[str], *, assets: MapAssets | None
) -> OwnerPayloads:
    """Prepare the per-owner payloads of ``ids`` (as ``_page`` with a scope would build them)."""
    geography = selection.geography
    return OwnerPayloads(
        selection.remarks,
        owner_ids=ids,
        registry=selection.data.registry.to_frame(),
        owners=selection.data.owners,
        districts=None if geography is None else geography.districts,
        boundary=None if geography is None else geography.boundary,
        text=MapText(
            "",
            selection.period,
            _banner(selection.data) or None,
            "" if geography is None else geography.attribution,
        ),
        shared=assets is not None,
    )


def _assets(selection: _Selection, directory: Path) -> MapAssets:
    geography = selection.geography
    return write_map_assets(
        directory / "assets",
        districts=None if geography is None else geography.districts,
        boundary=None if geography is None else geography.boundary,
    )


def write_run_maps(routed: PathArg | RoutedData, directory: PathArg) -> dict[str, Any]:
    """Write the maps of a routing run: ``map.html`` and ``owners/<owner>.html``.

    This is the file layout of ``geomap route``'s output directory; the per-owner maps lie beside
    the owners' lists, with the same file stem, and share one copy of their scripts and the
    districts in ``owners/assets/`` (``map.html`` is self-contained).

    Parameters
    ----------
    routed : str, os.PathLike or RoutedData
        The run (in memory, or its ``routed.gpkg``).
    directory : str or os.PathLike
        The output directory (existing map files in it are replaced). It must be a folder that
        is itself written atomically, such as the temporary OUTDIR of ``geomap route`` (see Notes).

    Returns
    -------
    dict
        ``{"map": "map.html", "owner_maps": {owner id: "owners/<stem>.html"}, "map_assets":
        ["owners/assets/<file>", ...]}``, paths relative to ``directory``, as ``summary.json``
        records them (every file written, so the summary lists the whole run).

    Notes
    -----
    Not atomic per file: an owner map whose name is new in ``directory/owners`` is written in
    place, without a temporary file and rename, so an interrupted call can leave a partly written
    map behind. This is safe only inside a folder that is renamed into place whole when complete
    (``geomap route`` calls it on its temporary OUTDIR). To write maps into a folder that users
    may already be reading, use :func:`write_map` and :func:`write_owner_maps`, which replace
    every file through a temporary file.

    Examples
    --------
    >>> write_run_maps("out/demo/routed.gpkg", "out/demo")  # doctest: +SKIP
    """
    base = Path(directory)
    data = routed if isinstance(routed, RoutedData) else read_routed(routed)
    write_map(data, base / "map.html", overwrite=True)
    maps = _run_owner_maps(data, base / "owners")
    owner_maps = {k: f"owners/{Path(v).name}" for k, v in maps.items()}
    shared = base / "owners" / "assets"
    assets = sorted(f"owners/assets/{p.name}" for p in shared.iterdir()) if maps else []
    return {
        "map": "map.html",
        "owner_maps": owner_maps,
        **({"map_assets": assets} if maps else {}),
    }


def _run_owner_maps(data: RoutedData, out_dir: Path) -> dict[str, Path]:
    """Write the per-owner maps of :func:`write_run_maps` (``write_owner_maps`` with assets).

    ``geomap route`` writes them into its temporary OUTDIR, renamed whole at the end: a map
    whose name is new in ``out_dir`` is written in place, without a temporary file of its own
    (that rename costs a third of a small file's time); existing ones are still replaced
    through a temporary file.
    """
    directory = _map_directory(out_dir)
    selection = _select(data, None, None, None, None, None, None)
    targets = _owner_targets(selection, directory, overwrite=True)
    assets = _assets(selection, directory) if targets else None
    return _write_owner_pages(
        selection,
        targets,
        directory,
        title=None,
        cdn=False,
        assets=assets,
        overwrite=True,
        in_place=True,
    )
