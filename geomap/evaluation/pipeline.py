"""Evaluate measures before and after: :func:`evaluate` counts, checks and computes every measure.

The steps: read the sites and the routed remarks; build R and D per site (merging overlapping
sites when asked); set the before and after windows; refuse what cannot be evaluated (a site
outside the remarks, a window without data yet, no remarks to compare); choose or take the
control area; count R, D and C per window, category and month; compute the measures of
:mod:`geomap.stats.beforeafter`.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geomap.core.crs import WORKING_CRS
from geomap.core.routed import RoutedData, read_routed
from geomap.core.words import format_date
from geomap.errors import InputError

from .areas import build_areas
from .controls import given_controls, pick_controls
from .counting import RemarkTable, locate, month_number, month_start, remark_table
from .measures import site_measures
from .sites import prepare_sites, read_sites
from .survey import read_survey, survey_tests

__all__ = ["Evaluation", "evaluate"]

PathLike = str | os.PathLike[str]


@dataclass(frozen=True)
class Evaluation:
    """The result of :func:`evaluate`.

    Attributes
    ----------
    areas : geopandas.GeoDataFrame
        One row per evaluated site: R (geometry), ``ring`` (D), ``control`` (C), the windows,
        ``control_name``, ``correlation`` and ``control_method``.
    counts : pandas.DataFrame
        Long table ``site``, ``category`` (code, or ``"*"`` for all target categories and
        ``"**"`` for all categories), ``area`` (R, D, C), ``period`` (before, after), ``count``.
    measures : pandas.DataFrame
        One row per site: the counts of the target categories and every measure.
    monthly : pandas.DataFrame
        ``site``, ``month`` (first day), ``area``, ``count`` (target categories), every month of
        both windows.
    survey : pandas.DataFrame or None
        Survey shares before and after with the two-proportion test, when a survey was given.
    without_time, without_position : int
        Remarks left out for lack of a time or a position.
    first_day, last_day : pandas.Timestamp or None
        The span of the remarks.
    settings : dict
        ``radius``, ``buffer``, ``before``, ``after``, ``overlap``, ``level``.
    synthetic : bool
        The sites or the remarks are synthetic (demo) data.
    synthetic_label : str
        The banner text the routed data gives.
    sources : tuple of str
        The files read.
    """

    areas: gpd.GeoDataFrame
    counts: pd.DataFrame
    measures: pd.DataFrame
    monthly: pd.DataFrame
    survey: pd.DataFrame | None
    without_time: int
    without_position: int
    first_day: pd.Timestamp | None
    last_day: pd.Timestamp | None
    settings: dict[str, Any] = field(default_factory=dict)
    synthetic: bool = False
    synthetic_label: str = ""
    sources: tuple[str, ...] = ()


def _load_sites(
    sites: PathLike | pd.DataFrame, layer: str | None, crs: str | None
) -> tuple[gpd.GeoDataFrame, list[str]]:
    if isinstance(sites, pd.DataFrame):
        frame = prepare_sites(sites, where="`sites`")
        return frame.to_crs(WORKING_CRS), []
    return read_sites(sites, layer=layer, crs=crs), [str(sites)]


def _load_remarks(
    remarks: PathLike | RoutedData | gpd.GeoDataFrame | Sequence[PathLike | RoutedData],
) -> tuple[gpd.GeoDataFrame, bool, str, list[str]]:
    items = remarks if isinstance(remarks, list | tuple) else [remarks]
    frames, synthetic, label, sources = [], False, "", []
    for item in items:
        if isinstance(item, gpd.GeoDataFrame):
            frames.append(item)
            continue
        data = item if isinstance(item, RoutedData) else read_routed(item)  # type: ignore[arg-type]
        frames.append(data.remarks)
        synthetic = synthetic or data.synthetic
        label = label or data.run_info.get("synthetic_label", "")
        sources.append(str(data.path) if str(data.path) != "." else "routed data in memory")
    if not frames:
        msg = "`remarks`: no routed remarks given; pass the routed.gpkg written by 'geomap route'"
        raise InputError(msg)
    crs = frames[0].crs
    for frame in frames:
        _check_remark_columns(frame)
    parts = [
        pd.DataFrame(
            {
                "timestamp": f["timestamp"].to_numpy(),
                "category": f["category"].to_numpy(),
                "geometry": f.to_crs(crs).geometry.to_numpy(),
            }
        )
        for f in frames
    ]
    joined = gpd.GeoDataFrame(pd.concat(parts, ignore_index=True), geometry="geometry", crs=crs)
    return joined, synthetic, label, sources


def _check_remark_columns(frame: gpd.GeoDataFrame) -> None:
    missing = [c for c in ("timestamp", "category") if c not in frame.columns]
    if missing:
        msg = f"`remarks`: the remarks lack column(s) {', '.join(missing)}; pass the routed.gpkg written by 'geomap route'"
        raise InputError(msg)
    if frame.crs is None:
        msg = "`remarks`: the remarks have no CRS; set one (e.g. EPSG:3011)"
        raise InputError(msg)


def _windows(areas: gpd.GeoDataFrame, table: RemarkTable, before: int, after: int) -> pd.DataFrame:
    for name, value in (("before", before), ("after", after)):
        if int(value) != value or value < 1:
            msg = f"`{name}`: {value!r} is not a number of months; give a whole number of months, 1 or more"
            raise InputError(msg)
    first = month_number(areas["installed_first"])
    last = month_number(areas["installed_last"])
    windows = pd.DataFrame(
        {
            "before_first": first - before,
            "before_last": first - 1,
            "after_first": last + 1,
            "after_last": last + after,
        }
    )
    _check_coverage(areas, windows, table)
    return windows


def _check_coverage(areas: gpd.GeoDataFrame, windows: pd.DataFrame, table: RemarkTable) -> None:
    if table.first_day is None or table.last_day is None:
        msg = "`remarks`: no remark has both a position and a time; nothing to evaluate"
        raise InputError(msg)
    data_first = int(month_number(pd.Series([table.first_day]))[0])
    data_last = int(month_number(pd.Series([table.last_day]))[0])
    span = f"the remarks run {format_date(table.first_day)} – {format_date(table.last_day)}"
    late = np.flatnonzero(windows["after_last"].to_numpy() > data_last)
    if len(late):
        k = int(late[0])
        have = max(0, data_last - int(windows["after_first"].iloc[k]) + 1)
        fix = f"shorten `after` to {have} months" if have else "wait until after-period data exist"
        msg = f"site {areas['site'].iloc[k]} (installed {format_date(areas['installed_last'].iloc[k])}): no complete after window yet: it runs to {format_date(month_start(windows['after_last'].iloc[k])[0] + pd.offsets.MonthEnd(0))} but {span}; {fix}, or leave the site out"
        raise InputError(msg)
    early = np.flatnonzero(windows["before_first"].to_numpy() < data_first)
    if len(early):
        k = int(early[0])
        have = max(0, int(windows["before_last"].iloc[k]) - data_first + 1)
        msg = f"site {areas['site'].iloc[k]} (installed {format_date(areas['installed_first'].iloc[k])}): the before window starts {format_date(month_start(windows['before_first'].iloc[k])[0])} but {span}; shorten `before` to {have} months or add older remarks"
        raise InputError(msg)


def _check_extent(areas: gpd.GeoDataFrame, table: RemarkTable) -> None:
    hull = shapely.convex_hull(shapely.multipoints(table.points))
    bounds = shapely.bounds(hull)
    outside = ~shapely.intersects(areas["outer"].to_numpy(), hull)
    if outside.any():
        k = int(np.flatnonzero(outside)[0])
        x, y = shapely.get_coordinates(shapely.centroid(areas.geometry.iloc[k]))[0]
        msg = f"site {areas['site'].iloc[k]} ({areas['name'].iloc[k]}) at x {x:.0f}, y {y:.0f} ({areas.crs.to_string()}) lies outside the remarks (x {bounds[0]:.0f}–{bounds[2]:.0f}, y {bounds[1]:.0f}–{bounds[3]:.0f}); check the site's coordinates and CRS, or pass the remarks that cover it"
        raise InputError(msg)


def _wanted(areas: gpd.GeoDataFrame, table: RemarkTable) -> np.ndarray:
    """Boolean matrix sites × remarks: the remark is of one of the site's target categories."""
    rows = [
        np.isin(table.category, list(c)) if c else np.ones(len(table.category), bool)
        for c in areas["categories"]
    ]
    return np.vstack(rows) if rows else np.zeros((0, len(table.category)), bool)


def _hits(areas: gpd.GeoDataFrame, table: RemarkTable, controls: np.ndarray) -> pd.DataFrame:
    """One row per (remark, site, area) with the remark in R, D or C of the site."""
    n = len(areas)
    polygons = np.concatenate([areas.geometry.to_numpy(), areas["ring"].to_numpy(), controls])
    point, poly = locate(table.points, polygons)
    frame = pd.DataFrame({"point": point, "site": poly % n, "code": poly // n})
    # a point on the boundary of R and D counts in R only
    frame = frame.sort_values(["point", "site", "code"]).drop_duplicates(["point", "site", "code"])
    rd = frame[frame["code"] < 2].drop_duplicates(["point", "site"])
    frame = pd.concat([rd, frame[frame["code"] == 2]], ignore_index=True)
    frame["area"] = np.array(["R", "D", "C"])[frame["code"].to_numpy()]
    frame["month"] = table.month[frame["point"].to_numpy()]
    frame["category"] = table.category[frame["point"].to_numpy()]
    return frame


def _in_windows(hits: pd.DataFrame, windows: pd.DataFrame, wanted: np.ndarray) -> pd.DataFrame:
    w = windows.to_numpy()[hits["site"].to_numpy()]
    m = hits["month"].to_numpy()
    before = (m >= w[:, 0]) & (m <= w[:, 1])
    after = (m >= w[:, 2]) & (m <= w[:, 3])
    out = hits.assign(
        period=np.where(before, "before", "after"),
        target=wanted[hits["site"].to_numpy(), hits["point"].to_numpy()],
    )
    return out[before | after]


def _before_counts(
    areas: gpd.GeoDataFrame,
    table: RemarkTable,
    windows: pd.DataFrame,
    wanted: np.ndarray,
    before: int,
) -> tuple[np.ndarray, np.ndarray]:
    """Monthly counts in R (sites × before months) and the before count in D, target categories."""
    hits = _hits(areas, table, np.array([shapely.Polygon()] * len(areas), dtype=object))
    site, point = hits["site"].to_numpy(), hits["point"].to_numpy()
    offset = hits["month"].to_numpy() - windows["before_first"].to_numpy()[site]
    keep = (offset >= 0) & (offset < before) & wanted[site, point]
    in_r = keep & (hits["area"].to_numpy() == "R")
    series = np.zeros((len(areas), before))
    np.add.at(series, (site[in_r], offset[in_r]), 1)
    d_before = np.bincount(site[keep & (hits["area"].to_numpy() == "D")], minlength=len(areas))
    return series, d_before


def _counts(hits: pd.DataFrame, areas: gpd.GeoDataFrame) -> pd.DataFrame:
    keys = ["site", "area", "period"]
    full = pd.MultiIndex.from_product(
        [range(len(areas)), ["R", "D", "C"], ["before", "after"]], names=keys
    )
    chosen = hits[hits["target"]]
    by_cat = chosen.groupby([*keys, "category"]).size().rename("count").reset_index()
    target = chosen.groupby(keys).size().reindex(full, fill_value=0).rename("count").reset_index()
    every = hits.groupby(keys).size().reindex(full, fill_value=0).rename("count").reset_index()
    out = pd.concat(
        [target.assign(category="*"), every.assign(category="**"), by_cat], ignore_index=True
    )
    out["site"] = areas["site"].to_numpy()[out["site"].to_numpy()]
    return out[["site", "category", "area", "period", "count"]]


def _monthly(hits: pd.DataFrame, areas: gpd.GeoDataFrame, windows: pd.DataFrame) -> pd.DataFrame:
    counted = hits[hits["target"]].groupby(["site", "area", "month"]).size()
    frames = []
    for k, w in windows.iterrows():  # per site
        months = np.r_[
            np.arange(w["before_first"], w["before_last"] + 1),
            np.arange(w["after_first"], w["after_last"] + 1),
        ]
        index = pd.MultiIndex.from_product(
            [[k], ["R", "D", "C"], months], names=["site", "area", "month"]
        )
        frames.append(counted.reindex(index, fill_value=0).rename("count").reset_index())
    out = pd.concat(frames, ignore_index=True)
    out["after"] = (
        out["month"].to_numpy() > windows["before_last"].to_numpy()[out["site"].to_numpy()]
    )
    out["site"] = areas["site"].to_numpy()[out["site"].to_numpy()]
    out["month"] = month_start(out["month"].to_numpy())
    return out


def _check_counts(areas: gpd.GeoDataFrame, counts: pd.DataFrame) -> None:
    target = counts[counts["category"] == "*"].pivot_table(
        index="site", columns=["area", "period"], values="count", aggfunc="sum"
    )
    for site, row in target.iterrows():  # per site
        cats = areas.loc[areas["site"] == site, "categories"].iloc[0]
        what = f"remarks of {', '.join(cats)}" if cats else "remarks"
        if row[("R", "before")] + row[("R", "after")] == 0:
            msg = f"site {site}: no {what} in R in the before or the after window; nothing to evaluate: check the position and target categories, give a larger `radius`, or leave the site out"
            raise InputError(msg)
        for period in ("before", "after"):
            if row[("C", period)] == 0:
                name = areas.loc[areas["site"] == site, "control_name"].iloc[0]
                msg = f"site {site}: the control area {name} has no {what} in the {period} window; pass `control` with a larger or busier area"
                raise InputError(msg)


def evaluate(
    sites: PathLike | pd.DataFrame,
    remarks: PathLike | RoutedData | gpd.GeoDataFrame | Sequence[PathLike | RoutedData],
    *,
    radius: float = 100.0,
    buffer: float = 200.0,
    before: int = 12,
    after: int = 12,
    control: PathLike | gpd.GeoDataFrame | None = None,
    districts: PathLike | None = None,
    overlap: str = "error",
    survey: PathLike | pd.DataFrame | None = None,
    level: float = 0.95,
    sites_layer: str | None = None,
    sites_crs: str | None = None,
) -> Evaluation:
    """Evaluate measures: counts and before/after measures in R, D and C for every site.

    Parameters
    ----------
    sites : path or DataFrame
        The measures (see :func:`geomap.evaluation.sites.read_sites`).
    remarks : path, RoutedData, GeoDataFrame or a sequence of paths
        Routed remarks (``routed.gpkg`` of ``geomap route``), with ``timestamp`` and ``category``.
    radius, buffer : float, optional
        Radius of R round a point (m) and width of the ring D (m).
    before, after : int, optional
        Length of the windows in months (the install month is left out).
    control : path or GeoDataFrame, optional
        The control area(s); by default chosen among ``districts`` (see
        :func:`geomap.evaluation.controls.pick_controls`).
    districts : path, optional
        Districts to choose the control from (default: bundled RegSO 2025).
    overlap : {"error", "merge"}, optional
        Sites whose R∪D overlap: refuse, or evaluate them as one site.
    survey : path or DataFrame, optional
        Survey shares per site, area and period (see :func:`geomap.evaluation.survey.read_survey`).
    level : float, optional
        Confidence level of every interval.
    sites_layer, sites_crs : str, optional
        Layer (or sheet) of a sites file, and the CRS of a sites table's coordinates.

    Returns
    -------
    Evaluation
        Areas, counts, measures, monthly series, survey tests and what was left out.

    Raises
    ------
    InputError
        For a site outside the remarks, a window without data, overlapping areas (with
        ``overlap="error"``), no remarks in R or in the control, and unreadable inputs.

    Examples
    --------
    >>> ev = evaluate("data/trygghetskameror_2021_synthetic.gpkg", "out/demo/historik/routed.gpkg",
    ...               overlap="merge")  # doctest: +SKIP
    >>> ev.measures[["site", "res", "wdq_reading"]]  # doctest: +SKIP
    """
    site_frame, sources = _load_sites(sites, sites_layer, sites_crs)
    remark_frame, synthetic, label, remark_sources = _load_remarks(remarks)
    areas = build_areas(site_frame, radius=radius, buffer=buffer, overlap=overlap)
    table = remark_table(remark_frame.to_crs(areas.crs))
    windows = _windows(areas, table, before, after)
    _check_extent(areas, table)
    wanted = _wanted(areas, table)
    chosen = _controls(areas, table, windows, wanted, before, control, districts)
    areas = _with_controls(areas, chosen, windows)
    hits = _in_windows(_hits(areas, table, areas["control"].to_numpy()), windows, wanted)
    counts = _counts(hits, areas)
    _check_counts(areas, counts)
    monthly = _monthly(hits, areas, windows)
    measures = site_measures(areas, counts, monthly, level=level)
    survey_frame = (
        survey_tests(read_survey(survey, sites=areas), level=level) if survey is not None else None
    )
    return Evaluation(
        areas=areas,
        counts=counts,
        measures=measures,
        monthly=monthly,
        survey=survey_frame,
        without_time=table.without_time,
        without_position=table.without_position,
        first_day=table.first_day,
        last_day=table.last_day,
        settings={"radius": radius, "buffer": buffer, "before": before, "after": after}
        | {"overlap": overlap, "level": level},
        synthetic=synthetic or bool(site_frame["synthetic"].any()),
        synthetic_label=label,
        sources=(*sources, *remark_sources, *_given_files(control, survey)),
    )


def _controls(
    areas: gpd.GeoDataFrame,
    table: RemarkTable,
    windows: pd.DataFrame,
    wanted: np.ndarray,
    before: int,
    control: PathLike | gpd.GeoDataFrame | None,
    districts: PathLike | None,
) -> pd.DataFrame:
    """Return each site's control: from ``control``, else chosen among ``districts``."""
    if control is not None:
        return given_controls(areas, control)
    r_series, d_before = _before_counts(areas, table, windows, wanted, before)
    return pick_controls(areas, table, windows, wanted, r_series, d_before, districts=districts)


def _given_files(*items: object) -> list[str]:
    return [str(item) for item in items if isinstance(item, str | Path)]


def _with_controls(
    areas: gpd.GeoDataFrame, chosen: pd.DataFrame, windows: pd.DataFrame
) -> gpd.GeoDataFrame:
    out = areas.copy()
    for column in ("control_name", "correlation", "control_method"):
        out[column] = chosen[column].to_numpy()
    out["control"] = gpd.GeoSeries(chosen["control"].to_numpy(), index=out.index, crs=areas.crs)
    for column in windows.columns:
        out[column] = windows[column].to_numpy()
    return out
