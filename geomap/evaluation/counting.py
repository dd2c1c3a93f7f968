"""Counting remarks per site, area (R, D, C), window and month: vectorised, no loops over remarks.

Months are numbered ``year·12 + month − 1`` (local calendar month, Europe/Stockholm). The
before window of a site is the ``before`` months up to (not including) its install month, the
after window the ``after`` months following it; the install month itself is left out.
"""

from __future__ import annotations

from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geomap.core.periods import local_dates

__all__ = ["AREAS", "RemarkTable", "locate", "month_number", "month_start", "remark_table"]

#: Area codes in the order they are shown.
AREAS = ("R", "D", "C")


def month_number(days: pd.Series) -> np.ndarray:
    """Return ``year·12 + month − 1`` of each date (−1 where the date is missing).

    Examples
    --------
    >>> month_number(pd.Series(pd.to_datetime(["2021-01-31", None]))).tolist()
    [24252, -1]
    """
    valid = days.notna().to_numpy()
    years = days.dt.year.fillna(0).to_numpy(dtype="int64")
    months = days.dt.month.fillna(1).to_numpy(dtype="int64")
    return np.where(valid, years * 12 + months - 1, -1)


def month_start(number: np.ndarray | int) -> pd.DatetimeIndex:
    """Return the first day of month ``number`` (inverse of :func:`month_number`).

    Examples
    --------
    >>> month_start(np.array([24252])).strftime("%Y-%m-%d").tolist()
    ['2021-01-01']
    """
    values = np.atleast_1d(np.asarray(number, dtype="int64"))
    return pd.to_datetime(
        pd.DataFrame({"year": values // 12, "month": values % 12 + 1, "day": 1})
    ).pipe(pd.DatetimeIndex)


@dataclass(frozen=True)
class RemarkTable:
    """The remarks as counting needs them.

    Attributes
    ----------
    points : numpy.ndarray
        Shapely points of the remarks with a position and a time.
    month : numpy.ndarray
        Their month numbers.
    category : numpy.ndarray
        Their category codes.
    without_time : int
        Remarks left out because they have no (valid) time.
    without_position : int
        Remarks left out because they have no position.
    first_day, last_day : pandas.Timestamp or None
        First and last day with a remark.
    """

    points: np.ndarray
    month: np.ndarray
    category: np.ndarray
    without_time: int
    without_position: int
    first_day: pd.Timestamp | None
    last_day: pd.Timestamp | None


def remark_table(remarks: gpd.GeoDataFrame) -> RemarkTable:
    """Keep the remarks with a position and a time; count the others.

    Examples
    --------
    >>> import shapely
    >>> g = gpd.GeoDataFrame({"timestamp": ["2021-02-03 10:00", None], "category": ["klotter"] * 2},
    ...                      geometry=[shapely.Point(0, 0)] * 2, crs=3011)
    >>> t = remark_table(g)
    >>> len(t.points), t.without_time, t.month.tolist()
    (1, 1, [24253])
    """
    days = local_dates(remarks["timestamp"])
    geoms = remarks.geometry.to_numpy()
    placed = ~(shapely.is_missing(geoms) | shapely.is_empty(geoms))
    timed = days.notna().to_numpy()
    keep = placed & timed
    kept = days[keep]
    return RemarkTable(
        points=geoms[keep],
        month=month_number(kept),
        category=remarks["category"].astype("string").fillna("").to_numpy(dtype=object)[keep],
        without_time=int((placed & ~timed).sum()),
        without_position=int((~placed).sum()),
        first_day=kept.min() if len(kept) else None,
        last_day=kept.max() if len(kept) else None,
    )


def locate(points: np.ndarray, polygons: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Return ``(point index, polygon index)`` of every point inside (or on) a polygon.

    Examples
    --------
    >>> pts = np.array([shapely.Point(0.5, 0.5), shapely.Point(5, 5)])
    >>> [a.tolist() for a in locate(pts, np.array([shapely.box(0, 0, 1, 1)]))]
    [[0], [0]]
    """
    if len(points) == 0 or len(polygons) == 0:
        empty = np.array([], dtype="int64")
        return empty, empty
    tree = shapely.STRtree(polygons)
    found = tree.query(points, predicate="intersects")
    return found[0].astype("int64"), found[1].astype("int64")
