"""The remarks a lägesbild counts: routed runs read and merged, each remark placed in its district.

:func:`load_runs` reads one or more ``routed.gpkg`` (or :class:`~geomap.core.routed.RoutedData`
in memory) through :func:`geomap.core.routed.read_routed` and concatenates them; a remark that
occurs in several runs (same ``remark_id``) is counted once (the first run's copy, with a
warning). :func:`assign_districts` gives each remark its district (the polygon that holds it, by
the routing engine's point-in-polygon index) and, with a grouping table, its kommundel.

Examples
--------
>>> runs = load_runs(["out/demo/routed.gpkg"])  # doctest: +SKIP
>>> runs.remarks.columns[:3].tolist()  # doctest: +SKIP
['remark_id', 'source', 'category']
"""

from __future__ import annotations

import logging
import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geomap.core.crs import WORKING_CRS
from geomap.core.districts import Geography, read_districts
from geomap.core.routed import RoutedData, read_routed
from geomap.core.spatial import PolygonIndex, locate
from geomap.errors import InputError
from geomap.io.tables import read_table

__all__ = ["NO_DISTRICT", "Runs", "assign_districts", "load_runs", "read_grouping"]

log = logging.getLogger(__name__)

#: District of a remark without coordinates or outside every district.
NO_DISTRICT = "utanför områdena"


@dataclass
class Runs:
    """The merged routing runs of a lägesbild.

    Attributes
    ----------
    remarks : geopandas.GeoDataFrame
        Every remark once, working CRS; ``x``/``y`` columns (NaN without a point).
    owners : geopandas.GeoDataFrame or None
        Owner polygons (column ``owner``) of all runs, or None when no run has them.
    names : dict of str to str
        Owner id → name (registry names; the remarks' ``owner_name`` where the registry lacks one).
    synthetic : bool
        Any run says its data is synthetic.
    synthetic_label : str
        The banner text of the first synthetic run.
    sources : list of str
        The file names read (for the report's source list).
    duplicates : int
        Remarks left out because their ``remark_id`` was already read.

    Examples
    --------
    >>> from geomap.situation.frame import example_situation
    >>> example_situation().runs.synthetic
    True
    """

    remarks: gpd.GeoDataFrame
    owners: gpd.GeoDataFrame | None
    names: dict[str, str]
    synthetic: bool
    synthetic_label: str
    sources: list[str]
    duplicates: int = 0


def _read(item: str | os.PathLike[str] | RoutedData) -> RoutedData:
    return item if isinstance(item, RoutedData) else read_routed(item)


def _names(runs: Sequence[RoutedData], remarks: pd.DataFrame) -> dict[str, str]:
    names: dict[str, str] = {}
    pairs = remarks[["owner", "owner_name"]].dropna().drop_duplicates("owner")
    names.update(zip(pairs["owner"].astype(str), pairs["owner_name"].astype(str), strict=True))
    for run in runs:
        frame = run.registry.to_frame()
        frame = frame[frame["name"].astype(str).str.strip() != ""]
        names.update(zip(frame["owner"].astype(str), frame["name"].astype(str), strict=True))
    return names


def load_runs(routed: Sequence[str | os.PathLike[str] | RoutedData]) -> Runs:
    """Read and merge routing runs; a repeated ``remark_id`` is counted once (warned).

    Parameters
    ----------
    routed : sequence of path or RoutedData
        ``routed.gpkg`` files written by ``geomap route``, or runs in memory.

    Returns
    -------
    Runs

    Raises
    ------
    InputError
        If ``routed`` is empty or a file is not a routed.gpkg.

    Examples
    --------
    >>> runs = load_runs(["out/demo/routed.gpkg", "out/demo/routed.gpkg"])  # doctest: +SKIP
    >>> runs.duplicates == len(runs.remarks)  # doctest: +SKIP
    True
    """
    if isinstance(routed, str | os.PathLike | RoutedData) or not len(routed):
        msg = f"`routed`: give a list of one or more routed.gpkg files (got {routed!r})"
        raise InputError(msg)
    runs = [_read(item) for item in routed]
    frames = [
        run.remarks.to_crs(WORKING_CRS) if run.remarks.crs is not None else run.remarks
        for run in runs
    ]
    remarks = gpd.GeoDataFrame(
        pd.concat(frames, ignore_index=True), geometry="geometry", crs=WORKING_CRS
    )
    repeated = remarks["remark_id"].astype("string").duplicated(keep="first").to_numpy(dtype=bool)
    if repeated.any():
        shown = ", ".join(remarks.loc[repeated, "remark_id"].astype(str).head(5))
        log.warning(
            "%d remarks occur in more than one routed file and are counted once (e.g. %s)",
            int(repeated.sum()),
            shown,
        )
        remarks = remarks.loc[~repeated].reset_index(drop=True)
    xy = _xy(remarks.geometry)
    remarks["x"], remarks["y"] = xy[:, 0], xy[:, 1]
    owners = [
        run.owners.to_crs(WORKING_CRS) for run in runs if run.owners is not None and len(run.owners)
    ]
    label = next((run.run_info.get("synthetic_label", "") for run in runs if run.synthetic), "")
    return Runs(
        remarks=remarks,
        owners=gpd.GeoDataFrame(pd.concat(owners, ignore_index=True), crs=WORKING_CRS)
        if owners
        else None,
        names=_names(runs, remarks),
        synthetic=any(run.synthetic for run in runs),
        synthetic_label=label,
        sources=[_source_name(run) for run in runs],
        duplicates=int(repeated.sum()),
    )


def _source_name(run: RoutedData) -> str:
    """Return the file as the report names it: folder and name (``historik/routed.gpkg``)."""
    if not run.path.name:
        return "routad körning i minnet"
    return "/".join(run.path.parts[-2:])


def _xy(geometry: gpd.GeoSeries) -> np.ndarray:
    geoms = geometry.to_numpy()
    out = np.full((len(geoms), 2), np.nan)
    ok = ~(shapely.is_missing(geoms) | shapely.is_empty(geoms))
    if ok.any():
        out[ok] = shapely.get_coordinates(geoms[ok])[:, :2]
    return out


def read_grouping(path: str | os.PathLike[str]) -> dict[str, str]:
    r"""Read a grouping table RegSO → kommundel: a CSV or XLSX with two columns (district, group).

    Raises
    ------
    InputError
        If the table has fewer than two columns or a district is given two groups.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "g.csv"
    >>> _ = p.write_text("regso;kommundel\nFlemingsberg;Flemingsberg\nVisättra;Flemingsberg\n", encoding="utf-8")
    >>> read_grouping(p)
    {'Flemingsberg': 'Flemingsberg', 'Visättra': 'Flemingsberg'}
    """
    table, _ = read_table(Path(path))
    if table.shape[1] < 2:
        msg = f"{path}: the grouping table has {table.shape[1]} column(s); give two: the district (RegSO) name and its kommundel"
        raise InputError(msg)
    pairs = table.iloc[:, :2].astype("string").apply(lambda s: s.str.strip()).dropna()
    clash = pairs.drop_duplicates().iloc[:, 0].duplicated(keep=False)
    if clash.any():
        names = ", ".join(
            sorted(set(pairs.drop_duplicates().iloc[:, 0][clash.to_numpy()].astype(str)))
        )
        msg = f"{path}: column {table.columns[0]!r} gives districts two groups ({names}); give each district one kommundel"
        raise InputError(msg)
    return dict(zip(pairs.iloc[:, 0].astype(str), pairs.iloc[:, 1].astype(str), strict=True))


def assign_districts(
    x: np.ndarray,
    y: np.ndarray,
    geography: Geography | None,
    *,
    grouping: dict[str, str] | None = None,
) -> np.ndarray:
    """Return the district (or kommundel with ``grouping``) of each point; :data:`NO_DISTRICT` outside.

    Examples
    --------
    >>> geo = read_districts(crs=WORKING_CRS)
    >>> assign_districts(np.array([np.nan]), np.array([np.nan]), geo).tolist()
    ['utanför områdena']
    """
    out = np.full(len(x), NO_DISTRICT, dtype=object)
    if geography is None or not len(geography.districts):
        return out
    districts = geography.districts
    index = PolygonIndex.build(
        districts.geometry.to_numpy(), districts["name"].astype(str).to_numpy()
    )
    where = locate(
        index,
        np.asarray(x, dtype=float),
        np.asarray(y, dtype=float),
        tolerance=0.0,
        max_distance=0.0,
    )
    found = where.owner >= 0
    out[found] = index.owner_ids[where.owner[found]]
    if grouping:
        mapped = pd.Series(out).map(grouping)
        unknown = sorted(set(out[found]) - set(grouping))
        if unknown:
            log.warning(
                "the grouping table has no kommundel for %s; they are kept as they are",
                ", ".join(unknown[:5]),
            )
        out = mapped.fillna(pd.Series(out)).to_numpy(dtype=object)
    return out


def load_geography(
    districts: str | os.PathLike[str] | Geography | None, *, name_column: str | None = None
) -> Geography | None:
    """Return the districts to use: a Geography as given, a file read, or the bundled RegSO.

    Examples
    --------
    >>> len(load_geography(None).districts)
    22
    """
    if isinstance(districts, Geography):
        return districts
    return read_districts(districts, name_column=name_column, crs=WORKING_CRS)
