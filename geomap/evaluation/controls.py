"""The control area C of each site: given in a file, or chosen among district-like areas.

Automatic choice: the candidates are the districts (RegSO by default, or any ``districts`` file)
that do not touch any site's R∪D, and their union (the rest of the municipality). A candidate
qualifies when it had at least as many remarks of the site's target categories in the before
window as R and D together (Bowers & Johnson 2003 advise a control larger than R∪D; a small
control makes every interval wide) and at least ``MIN_CELL`` in the after window. Among those,
the one whose monthly counts in the before window correlate best (Pearson) with R's is chosen. A given ``control``
file holds one polygon for every site, or polygons with an ``id`` column naming the site each
belongs to.
"""

from __future__ import annotations

import os
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geomap.core.districts import read_districts
from geomap.errors import InputError
from geomap.io.tables import normalise_name
from geomap.io.vector import read_vector
from geomap.stats.beforeafter import MIN_CELL

from .counting import RemarkTable, locate

__all__ = ["REST_NAME", "given_controls", "pick_controls"]

#: Name of the union of all candidate districts.
REST_NAME = "Övriga kommunen (alla distrikt utanför platsernas R och D)"

_NAME_COLUMNS = ("namn", "name", "omrade", "kontrollomrade", "regsonamn")
_ID_COLUMNS = ("id", "site", "site_id", "plats_id", "atgard_id")


def _read_control(
    control: str | os.PathLike[str] | gpd.GeoDataFrame, crs: object
) -> gpd.GeoDataFrame:
    if isinstance(control, gpd.GeoDataFrame):
        frame, where = control, "`control`"
    else:
        path = Path(control)
        if not path.is_file():
            msg = f"{path}: control file not found; pass a polygon file of the control area(s)"
            raise InputError(msg)
        read = read_vector(path, layer=None, what="control file")
        if not isinstance(read, gpd.GeoDataFrame):
            msg = f"{path}: the control file has no geometries; give polygons"
            raise InputError(msg)
        frame, where = read, str(path)
    if frame.crs is None:
        msg = f"{where}: the control areas have no CRS; set one (e.g. EPSG:3011)"
        raise InputError(msg)
    kinds = shapely.get_type_id(frame.geometry.to_numpy())
    if len(frame) == 0 or not np.isin(kinds, [3, 6]).all():
        msg = f"{where}: the control file must hold polygons (found {len(frame)} features, not all polygons); draw the control area(s) as polygons"
        raise InputError(msg)
    return frame.to_crs(crs).assign(_where=where)


def _named(frame: pd.DataFrame, names: tuple[str, ...]) -> str | None:
    found = {normalise_name(c): c for c in frame.columns if c != "geometry"}
    return next((found[n] for n in names if n in found), None)


def given_controls(
    areas: gpd.GeoDataFrame, control: str | os.PathLike[str] | gpd.GeoDataFrame
) -> pd.DataFrame:
    """Return the control polygon of every site from a control file.

    Parameters
    ----------
    areas : geopandas.GeoDataFrame
        From :func:`geomap.evaluation.areas.build_areas`.
    control : path or geopandas.GeoDataFrame
        One or more polygons (their union is every site's control), or polygons with a column
        ``id`` naming the site each is the control of.

    Returns
    -------
    pandas.DataFrame
        ``control`` (polygon), ``control_name``, ``correlation`` (NaN) and ``control_method``.

    Raises
    ------
    InputError
        If the file holds no polygons, a site has no control, or a control overlaps a site's R∪D.

    Examples
    --------
    >>> import shapely
    >>> a = gpd.GeoDataFrame({"site": ["A"], "members": [("A",)], "outer": [shapely.Point(0, 0).buffer(300)]},
    ...                      geometry=[shapely.Point(0, 0).buffer(100)], crs=3011)
    >>> c = gpd.GeoDataFrame({"namn": ["Kontroll"]}, geometry=[shapely.box(1000, 0, 2000, 1000)], crs=3011)
    >>> given_controls(a, c)["control_name"].tolist()
    ['Kontroll']
    """
    frame = _read_control(control, areas.crs)
    where = str(frame["_where"].iloc[0])
    ids, name = _named(frame, _ID_COLUMNS), _named(frame, _NAME_COLUMNS)
    labels = (
        frame[name].astype("string").fillna("kontrollområde")
        if name
        else pd.Series("kontrollområde", index=frame.index)
    )
    rows = []
    for site, members in zip(areas["site"], areas["members"], strict=True):  # per site
        mine = (
            frame[ids].astype("string").isin(members).to_numpy()
            if ids
            else np.ones(len(frame), bool)
        )
        if not mine.any():
            msg = f"{where}: no control polygon for site {site} (column {ids!r}); add one with its id, or give one polygon for all sites"
            raise InputError(msg)
        rows.append(
            (
                shapely.union_all(frame.geometry.to_numpy()[mine]),
                " + ".join(dict.fromkeys(labels[mine])),
            )
        )
    out = pd.DataFrame(rows, columns=["control", "control_name"])
    _refuse_touching(areas, out["control"].to_numpy(), where)
    return out.assign(correlation=np.nan, control_method="given")


def _refuse_touching(areas: gpd.GeoDataFrame, controls: np.ndarray, where: str) -> None:
    outer = areas["outer"].to_numpy()
    left, right = _locate_polygons(controls, outer)
    shared = shapely.area(shapely.intersection(controls[left], outer[right])) > 0
    if shared.any():
        k = int(np.flatnonzero(shared)[0])
        msg = f"{where}: the control area of site {areas['site'].iloc[left[k]]} overlaps the R∪D of site {areas['site'].iloc[right[k]]}; a control area must lie outside every site's treatment area and buffer: redraw it"
        raise InputError(msg)


def _locate_polygons(first: np.ndarray, second: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Return index pairs of intersecting geometries of ``first`` and ``second``."""
    found = shapely.STRtree(second).query(first, predicate="intersects")
    return found[0], found[1]


def _district_counts(
    table: RemarkTable, districts: gpd.GeoDataFrame, wanted: np.ndarray, months: np.ndarray
) -> np.ndarray:
    """Return counts per district (rows) and month of ``months`` (columns) of ``wanted`` remarks."""
    point, district = locate(table.points[wanted], districts.geometry.to_numpy())
    month = table.month[wanted][point] - months[0]
    inside = (month >= 0) & (month < len(months))
    counts = np.zeros((len(districts), len(months)))
    np.add.at(counts, (district[inside], month[inside]), 1)
    return counts


def _correlations(series: np.ndarray, matrix: np.ndarray) -> np.ndarray:
    a = series - series.mean()
    b = matrix - matrix.mean(axis=1, keepdims=True)
    den = np.sqrt((a**2).sum() * (b**2).sum(axis=1))
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(den > 0, (b @ a) / np.where(den > 0, den, 1), np.nan)


def pick_controls(
    areas: gpd.GeoDataFrame,
    table: RemarkTable,
    windows: pd.DataFrame,
    wanted: np.ndarray,
    r_monthly: np.ndarray,
    d_before: np.ndarray,
    *,
    districts: str | os.PathLike[str] | None = None,
) -> pd.DataFrame:
    """Choose each site's control: the district outside every R∪D that tracks R best before.

    Parameters
    ----------
    areas : geopandas.GeoDataFrame
        From :func:`geomap.evaluation.areas.build_areas`.
    table : RemarkTable
        The remarks.
    windows : pandas.DataFrame
        ``before_first``, ``before_last``, ``after_first``, ``after_last`` month numbers per site.
    wanted : numpy.ndarray
        Boolean matrix (sites × remarks): the site's target categories.
    r_monthly : numpy.ndarray
        Counts in R per site (rows) and before month (columns).
    d_before : numpy.ndarray
        Counts in D per site in the before window.
    districts : path, optional
        District polygons (default: the bundled RegSO 2025 areas).

    Returns
    -------
    pandas.DataFrame
        ``control``, ``control_name``, ``correlation``, ``control_method`` per site.

    Raises
    ------
    InputError
        If no district lies outside every R∪D or none has enough remarks in both windows.

    Examples
    --------
    >>> chosen = pick_controls(areas, table, windows, wanted, r_monthly, d_before)  # doctest: +SKIP
    >>> chosen["control_name"].tolist()  # doctest: +SKIP
    ['Övriga kommunen (alla distrikt utanför platsernas R och D)']
    """
    geography = read_districts(districts, crs=areas.crs)
    if geography is None:
        msg = "no districts to choose a control area from (the bundled RegSO file is missing); pass `control` or `districts`"
        raise InputError(msg)
    free = _free_districts(geography.districts, areas, geography.path)
    rows = []
    for k, site in enumerate(areas["site"]):  # per site, never per remark
        w = windows.iloc[k]
        before = np.arange(w["before_first"], w["before_last"] + 1)
        after = np.arange(w["after_first"], w["after_last"] + 1)
        counts_b = _district_counts(table, free, wanted[k], before)
        counts_a = _district_counts(table, free, wanted[k], after).sum(axis=1)
        least = float(r_monthly[k].sum() + d_before[k])
        rows.append(_best(site, free, counts_b, counts_a, r_monthly[k], least, geography.path))
    return pd.DataFrame(rows, columns=["control", "control_name", "correlation", "control_method"])


def _free_districts(
    frame: gpd.GeoDataFrame, areas: gpd.GeoDataFrame, path: object
) -> gpd.GeoDataFrame:
    """Return the districts outside every R∪D, plus their union as the rest of the municipality."""
    outer = areas["outer"].to_numpy()
    touching = np.unique(_locate_polygons(frame.geometry.to_numpy(), outer)[0])
    free = frame.drop(index=frame.index[touching]).reset_index(drop=True)
    if len(free) > 1:
        names = [*free["name"].astype(str), REST_NAME]
        geoms = [*free.geometry.to_numpy(), free.union_all()]
        free = gpd.GeoDataFrame({"name": names}, geometry=geoms, crs=free.crs)
    if free.empty:
        msg = f"{path}: every district touches a site's R∪D, so none can be the control; pass `control` with a polygon outside the sites"
        raise InputError(msg)
    return free


def _best(
    site: str,
    free: gpd.GeoDataFrame,
    counts_b: np.ndarray,
    counts_a: np.ndarray,
    series: np.ndarray,
    least: float,
    path: Path | None,
) -> tuple[object, str, float, str]:
    usable = (counts_b.sum(axis=1) >= max(least, MIN_CELL)) & (counts_a >= MIN_CELL)
    if not usable.any():
        msg = f"site {site}: no district outside the sites (nor all of them together) had at least {least:.0f} remarks of its target categories before (as many as R and D) and {MIN_CELL} after ({path}); pass `control` with a larger area, or check the categories of the site"
        raise InputError(msg)
    corr = _correlations(series.astype(float), counts_b)
    score = np.where(usable & ~np.isnan(corr), corr, -np.inf)
    if np.isfinite(score).any():
        k = int(np.argmax(score))
        return free.geometry.iloc[k], str(free["name"].iloc[k]), float(corr[k]), "correlation"
    k = int(np.argmax(np.where(usable, counts_b.sum(axis=1), -1)))
    return free.geometry.iloc[k], str(free["name"].iloc[k]), float("nan"), "largest"
