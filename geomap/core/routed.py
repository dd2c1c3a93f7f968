"""Read a ``routed.gpkg`` (output contract of ``geomap route``) and filter its remarks for a map.

Only what a map needs is read: the ``remarks``, ``owners``, ``owner_registry`` and ``run_info``
layers.
Filters (period, categories, owners) are applied here so that a map and its counts always agree.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio

from geomap.errors import InputError
from geomap.io.vector import choose_layer

__all__ = [
    "REMARK_COLUMNS",
    "RoutedData",
    "filter_remarks",
    "local_dates",
    "parse_date",
    "read_owner_polygons",
    "read_routed",
]

log = logging.getLogger(__name__)

#: Columns of the ``remarks`` layer that maps use; missing optional ones are filled with nulls.
REMARK_COLUMNS: tuple[str, ...] = (
    "remark_id",
    "source",
    "category",
    "category_label",
    "timestamp",
    "description",
    "action",
    "place",
    "owner",
    "owner_name",
    "route_method",
    "distance_m",
    "candidates",
    "flags",
    "reason",
)
_REQUIRED = ("remark_id", "category", "owner")
_REGISTRY_COLUMNS = ("owner", "name", "contact", "colour", "priority")


@dataclass
class RoutedData:
    """The layers of a ``routed.gpkg`` that a map needs.

    Attributes
    ----------
    remarks : geopandas.GeoDataFrame
        Every remark (Point geometry, working CRS) with at least the columns in ``REMARK_COLUMNS``.
    owners : geopandas.GeoDataFrame or None
        Owner polygons with column ``owner``, or None when the file has no ``owners`` layer.
    registry : pandas.DataFrame
        The owner registry: ``owner``, ``name``, ``contact``, ``colour``, ``priority``.
    run_info : dict of str to str
        The ``run_info`` key/value table (``synthetic``, ``synthetic_label``, ``period_start``, …).
    path : pathlib.Path
        The file that was read.
    """

    remarks: gpd.GeoDataFrame
    owners: gpd.GeoDataFrame | None
    registry: pd.DataFrame
    run_info: dict[str, str] = field(default_factory=dict)
    path: Path = Path()

    @property
    def synthetic(self) -> bool:
        """True when ``run_info`` says the data is synthetic (demo) data."""
        return self.run_info.get("synthetic", "").strip().lower() in {"true", "1", "yes", "ja"}


def _layers(path: Path) -> list[str]:
    if not path.exists():
        msg = f"{path}: file not found; pass the routed.gpkg written by 'geomap route'"
        raise InputError(msg)
    if path.is_dir():
        msg = (
            f"{path}: is a directory; pass the routed.gpkg file inside it (e.g. {path}/routed.gpkg)"
        )
        raise InputError(msg)
    try:
        return [str(name) for name in pyogrio.list_layers(path)[:, 0]]
    except Exception as exc:  # pyogrio raises DataSourceError and friends
        msg = (
            f"{path}: cannot be read as a GeoPackage ({type(exc).__name__}); "
            "pass the routed.gpkg written by 'geomap route'"
        )
        raise InputError(msg) from exc


def _read_table(path: Path, layer: str) -> pd.DataFrame:
    frame = pyogrio.read_dataframe(path, layer=layer, read_geometry=False, use_arrow=True)
    return pd.DataFrame(frame)


def _read_registry(path: Path, layers: list[str], remarks: pd.DataFrame) -> pd.DataFrame:
    if "owner_registry" in layers:
        registry = _read_table(path, "owner_registry")
        if "owner" not in registry.columns:
            msg = (
                f"{path}: layer 'owner_registry' has no column 'owner' (columns: "
                f"{', '.join(map(str, registry.columns))}); rewrite it with 'geomap route'"
            )
            raise InputError(msg)
    else:
        log.warning("%s: no layer 'owner_registry'; owner names come from the remarks", path)
        names = remarks.dropna(subset=["owner"]).drop_duplicates("owner")
        registry = pd.DataFrame({"owner": names["owner"], "name": names["owner_name"]})
    for column in _REGISTRY_COLUMNS:
        if column not in registry.columns:
            registry[column] = None
    registry["owner"] = registry["owner"].astype("string")
    return registry.loc[:, list(_REGISTRY_COLUMNS)].reset_index(drop=True)


def read_owner_polygons(
    path: str | os.PathLike[str], *, layer: str | None = None
) -> gpd.GeoDataFrame:
    """Read owner polygons (column ``owner``) from any vector file.

    Parameters
    ----------
    path : str or os.PathLike
        A vector file (GeoPackage, GeoJSON, Shapefile, …) with polygons and a column ``owner``.
    layer : str, optional
        Layer to read; by default ``owners`` when the file has it, else the first layer with
        geometries.

    Returns
    -------
    geopandas.GeoDataFrame
        The polygons with column ``owner`` as strings.

    Raises
    ------
    InputError
        If the file cannot be read, has no CRS or no column ``owner``.

    Examples
    --------
    >>> read_owner_polygons("routed.gpkg")  # doctest: +SKIP
    """
    source = Path(path)
    chosen, _ = choose_layer(source, layer=layer, default="owners", what="owner polygons")
    frame = pyogrio.read_dataframe(source, layer=chosen, use_arrow=True)
    if "owner" not in frame.columns:
        msg = (
            f"{source}: layer {chosen!r} has no column 'owner' (columns: "
            f"{', '.join(c for c in frame.columns if c != 'geometry')}); owner polygons need an "
            "'owner' column with the owner id"
        )
        raise InputError(msg)
    if frame.crs is None:
        msg = f"{source}: layer {chosen!r} has no CRS; set one (e.g. EPSG:3011) and try again"
        raise InputError(msg)
    frame["owner"] = frame["owner"].astype("string")
    return frame


def read_routed(path: str | os.PathLike[str]) -> RoutedData:
    """Read the layers of a ``routed.gpkg`` that a map needs.

    Parameters
    ----------
    path : str or os.PathLike
        The ``routed.gpkg`` written by ``geomap route``.

    Returns
    -------
    RoutedData
        Remarks, owner polygons, owner registry and run information.

    Raises
    ------
    InputError
        If the file is missing, not a GeoPackage, has no ``remarks`` layer or lacks the columns
        ``remark_id``, ``category`` or ``owner``.

    Examples
    --------
    >>> data = read_routed("out/demo/routed.gpkg")  # doctest: +SKIP
    >>> data.remarks.crs.to_epsg()  # doctest: +SKIP
    3011
    """
    source = Path(path)
    layers = _layers(source)
    if "remarks" not in layers:
        msg = (
            f"{source}: no layer 'remarks' (layers: {', '.join(layers) or 'none'}); "
            "pass the routed.gpkg written by 'geomap route'"
        )
        raise InputError(msg)
    remarks = pyogrio.read_dataframe(source, layer="remarks", use_arrow=True)
    missing = [c for c in _REQUIRED if c not in remarks.columns]
    if missing:
        msg = (
            f"{source}: layer 'remarks' lacks column(s) {', '.join(missing)}; "
            "is it a routed.gpkg from 'geomap route'? Re-run 'geomap route'"
        )
        raise InputError(msg)
    if remarks.crs is None:
        msg = f"{source}: layer 'remarks' has no CRS; re-run 'geomap route' to write it with one"
        raise InputError(msg)
    for column in REMARK_COLUMNS:
        if column not in remarks.columns:
            remarks[column] = None
    owners = read_owner_polygons(source, layer="owners") if "owners" in layers else None
    if owners is None:
        log.warning("%s: no layer 'owners'; the map shows no owner polygons", source)
    registry = _read_registry(source, layers, remarks)
    run_info: dict[str, str] = {}
    if "run_info" in layers:
        table = _read_table(source, "run_info")
        if {"key", "value"} <= set(table.columns):
            run_info = {
                str(k): "" if v is None or (isinstance(v, float) and np.isnan(v)) else str(v)
                for k, v in zip(table["key"], table["value"], strict=True)
            }
    return RoutedData(
        remarks=remarks, owners=owners, registry=registry, run_info=run_info, path=source
    )


def parse_date(value: str | dt.date | None, *, argument: str) -> dt.date | None:
    """Parse a ``YYYY-MM-DD`` date given on the command line or in the API.

    Parameters
    ----------
    value : str, datetime.date or None
        The date; None (or an empty string) means "no limit".
    argument : str
        Name of the argument, used in the error message (e.g. ``"--from"``).

    Returns
    -------
    datetime.date or None

    Raises
    ------
    InputError
        If ``value`` is not a valid date.

    Examples
    --------
    >>> parse_date("2025-03-01", argument="--from")
    datetime.date(2025, 3, 1)
    """
    if value is None or value == "":
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value).strip())
    except ValueError:
        msg = f"{argument}: {value!r} is not a date; write it as YYYY-MM-DD, e.g. 2025-03-01"
        raise InputError(msg) from None


def local_dates(timestamps: pd.Series) -> pd.Series:
    """Return the calendar date (Europe/Stockholm for time-zone aware values) of each timestamp.

    Examples
    --------
    >>> local_dates(pd.Series(pd.to_datetime(["2025-01-01 23:30Z"]))).iloc[0]
    Timestamp('2025-01-02 00:00:00')
    """
    values = pd.to_datetime(timestamps, errors="coerce", format="mixed")
    if isinstance(values.dtype, pd.DatetimeTZDtype):
        values = values.dt.tz_convert("Europe/Stockholm").dt.tz_localize(None)
    return values.dt.normalize()


def _known(values: pd.Series) -> list[str]:
    return sorted({str(v) for v in values.dropna().unique()})


def filter_remarks(
    remarks: gpd.GeoDataFrame,
    *,
    date_from: str | dt.date | None = None,
    date_to: str | dt.date | None = None,
    categories: Sequence[str] | None = None,
    owner_ids: Sequence[str] | None = None,
) -> gpd.GeoDataFrame:
    """Keep the remarks in a period, of some categories and routed to some owners.

    Parameters
    ----------
    remarks : geopandas.GeoDataFrame
        Remarks with columns ``timestamp``, ``category``, ``category_label`` and ``owner``.
    date_from, date_to : str or datetime.date, optional
        First and last day (inclusive, local date). Remarks without a timestamp are dropped when
        either limit is given.
    categories : sequence of str, optional
        Category codes or Swedish labels (case-insensitive).
    owner_ids : sequence of str, optional
        Owner ids. The special value ``"-"`` selects unrouted remarks.

    Returns
    -------
    geopandas.GeoDataFrame
        The selected rows, in their original order.

    Raises
    ------
    InputError
        If a date is malformed, ``date_from`` is after ``date_to``, or a category or owner does
        not occur in the remarks.

    Examples
    --------
    >>> import geopandas as gpd, shapely
    >>> g = gpd.GeoDataFrame({"timestamp": [None], "category": ["klotter"],
    ...     "category_label": ["Klotter"], "owner": ["huge"]}, geometry=[shapely.Point(0, 0)])
    >>> len(filter_remarks(g, categories=["Klotter"], owner_ids=["huge"]))
    1
    """
    start = parse_date(date_from, argument="--from")
    end = parse_date(date_to, argument="--to")
    if start and end and start > end:
        msg = f"--from {start} is after --to {end}; swap them or widen the period"
        raise InputError(msg)
    keep = np.ones(len(remarks), dtype=bool)
    if start or end:
        days = local_dates(remarks["timestamp"])
        valid = days.notna().to_numpy()
        if start:
            valid = valid & (days >= pd.Timestamp(start)).fillna(False).to_numpy(dtype=bool)
        if end:
            valid = valid & (days <= pd.Timestamp(end)).fillna(False).to_numpy(dtype=bool)
        keep = keep & valid
    if categories:
        codes = remarks["category"].astype("string").str.casefold()
        labels = remarks["category_label"].astype("string").str.casefold()
        wanted = {c.strip().casefold() for c in categories}
        unknown = sorted(w for w in wanted if not (codes.eq(w).any() or labels.eq(w).any()))
        if unknown:
            msg = (
                f"--category: {', '.join(map(repr, unknown))} not found in the remarks; "
                f"known: {', '.join(_known(remarks['category']))}"
            )
            raise InputError(msg)
        keep = keep & (codes.isin(wanted) | labels.isin(wanted)).fillna(False).to_numpy(dtype=bool)
    if owner_ids:
        owner = remarks["owner"].astype("string")
        wanted = {o.strip() for o in owner_ids}
        unknown = sorted(
            w for w in wanted if w != "-" and not owner.eq(w).fillna(False).to_numpy().any()
        )
        if unknown:
            msg = (
                f"--owner: {', '.join(map(repr, unknown))} has no remarks; "
                f"owners with remarks: {', '.join(_known(remarks['owner']))} ('-' = unrouted)"
            )
            raise InputError(msg)
        selected = owner.isin(wanted - {"-"}).fillna(False).to_numpy(dtype=bool)
        if "-" in wanted:
            selected = selected | owner.isna().to_numpy()
        keep = keep & selected
    return remarks.loc[keep]
