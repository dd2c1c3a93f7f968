"""The remarks of a lägesbild as one table with Swedish group labels, and the period's mask.

:func:`prepare` turns merged runs into :class:`Situation`: one row per remark with its category
label, the owner's name (unrouted remarks under "Ej dirigerade"), its district and the flags the
report lists, plus the boolean mask of the remarks in the reported period.

Examples
--------
>>> import geopandas as gpd, shapely, pandas as pd
>>> from geomap.core.periods import iso_week
>>> from geomap.situation.data import Runs
>>> r = gpd.GeoDataFrame({"remark_id": ["a"], "category": ["klotter"], "category_label": ["Klotter"],
...     "owner": ["huge"], "owner_name": ["Huge"], "route_method": ["ownership"],
...     "timestamp": pd.to_datetime(["2025-11-17 10:00"]), "x": [1.0], "y": [2.0]},
...     geometry=[shapely.Point(1, 2)], crs=3011)
>>> s = prepare(Runs(r, None, {"huge": "Huge Bostäder AB"}, False, "", ["a.gpkg"]), iso_week("2025-W47"), None)
>>> s.remarks[["kategori", "ägare", "område"]].iloc[0].tolist(), int(s.now.sum())
(['Klotter', 'Huge Bostäder AB', 'utanför områdena'], 1)
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from geomap.core.districts import Geography
from geomap.core.labels import UNROUTED_OWNER_LABEL
from geomap.core.periods import Period
from geomap.situation.data import Runs, assign_districts

__all__ = ["Situation", "example_situation", "prepare"]


@dataclass
class Situation:
    """What the report sections read.

    Attributes
    ----------
    runs : Runs
        The merged runs (owner polygons, names, synthetic flag, sources).
    period : Period
        The reported period.
    remarks : pandas.DataFrame
        All remarks (every period): ``remark_id``, ``kategori``, ``ägare``, ``owner``,
        ``område``, ``timestamp``, ``plats``, ``route_method``, ``flags``, ``candidates``,
        ``reason``, ``x``, ``y``, ``source``.
    now : numpy.ndarray
        True for the remarks whose local date lies in ``period``.
    geography : Geography or None
        Districts and municipality boundary.

    Examples
    --------
    >>> s = example_situation()
    >>> len(s.remarks), len(s.current), str(s.period)
    (40, 20, 'vecka 47 2025')
    """

    runs: Runs
    period: Period
    remarks: pd.DataFrame
    now: np.ndarray
    geography: Geography | None

    @property
    def current(self) -> pd.DataFrame:
        """The remarks of the period."""
        return self.remarks.loc[self.now]


def _column(frame: pd.DataFrame, name: str) -> pd.Series:
    if name in frame.columns:
        return frame[name]
    return pd.Series(pd.NA, index=frame.index, dtype="string")


def _owner_names(remarks: pd.DataFrame, names: dict[str, str]) -> pd.Series:
    owner = _column(remarks, "owner").astype("string")
    method = _column(remarks, "route_method").astype("string")
    named = (
        owner.map(names).astype("string").fillna(_column(remarks, "owner_name").astype("string"))
    )
    named = named.fillna(owner)
    unrouted = owner.isna() | (owner.str.strip() == "") | (method == "unrouted")
    return named.mask(unrouted.fillna(True), UNROUTED_OWNER_LABEL)


def prepare(
    runs: Runs,
    period: Period,
    geography: Geography | None,
    *,
    grouping: dict[str, str] | None = None,
) -> Situation:
    """Return the remarks with Swedish group labels and the mask of ``period``.

    Parameters
    ----------
    runs : Runs
        Merged runs (:func:`geomap.situation.data.load_runs`).
    period : Period
        The reported period.
    geography : Geography or None
        Districts; None puts every remark "utanför områdena".
    grouping : dict of str to str, optional
        District → kommundel.

    Examples
    --------
    >>> sorted(example_situation().remarks["ägare"].unique())
    ['Ej dirigerade', 'Huddinge kommun', 'Huge Bostäder AB']
    """
    source = runs.remarks
    category = _column(source, "category_label").astype("string")
    category = category.fillna(_column(source, "category").astype("string")).fillna(
        "okänd kategori"
    )
    x = source["x"].to_numpy(dtype=float)
    y = source["y"].to_numpy(dtype=float)
    stamps = pd.to_datetime(_column(source, "timestamp"), errors="coerce")
    if isinstance(stamps.dtype, pd.DatetimeTZDtype):
        stamps = stamps.dt.tz_convert("Europe/Stockholm").dt.tz_localize(None)
    remarks = pd.DataFrame(
        {
            "remark_id": _column(source, "remark_id").astype("string"),
            "kategori": category,
            "ägare": _owner_names(source, runs.names),
            "owner": _column(source, "owner").astype("string"),
            "område": assign_districts(x, y, geography, grouping=grouping),
            "timestamp": stamps,
            "plats": _column(source, "place").astype("string").str.strip().mask(lambda s: s == ""),
            "route_method": _column(source, "route_method").astype("string"),
            "flags": _column(source, "flags").astype("string").fillna(""),
            "candidates": _column(source, "candidates").astype("string"),
            "reason": _column(source, "reason").astype("string"),
            "source": _column(source, "source").astype("string"),
            "x": x,
            "y": y,
        }
    )
    remarks["område"] = remarks["område"].astype("string")
    return Situation(runs, period, remarks, period.contains(remarks["timestamp"]), geography)


def example_situation() -> Situation:
    """Return a tiny situation in memory (40 remarks, 20 in vecka 47 2025) for examples.

    Examples
    --------
    >>> example_situation().remarks["kategori"].value_counts().to_dict()
    {'Klotter': 30, 'Nedskräpning': 10}
    """
    import geopandas as gpd
    import shapely

    from geomap.core.periods import iso_week

    n = 40
    stamps = pd.Timestamp("2025-11-10 08:30") + pd.to_timedelta(np.arange(n) * 8, unit="h")
    owner = np.where(np.arange(n) % 4 == 0, "huddinge_kommun", "huge_bostader").astype(object)
    owner[-1] = None
    frame = gpd.GeoDataFrame(
        {
            "remark_id": [f"LB-{i}" for i in range(n)],
            "category": np.where(np.arange(n) % 4 == 1, "nedskrapning", "klotter"),
            "category_label": np.where(np.arange(n) % 4 == 1, "Nedskräpning", "Klotter"),
            "owner": owner,
            "route_method": ["ownership"] * (n - 1) + ["unrouted"],
            "timestamp": stamps,
        },
        geometry=shapely.points(
            153_000 + np.arange(n) * 7.0, 6_567_000 + (np.arange(n) % 5) * 30.0
        ),
        crs=3011,
    )
    frame["x"], frame["y"] = shapely.get_coordinates(frame.geometry.to_numpy()).T
    names = {"huge_bostader": "Huge Bostäder AB", "huddinge_kommun": "Huddinge kommun"}
    runs = Runs(frame, None, names, True, "Syntetiska exempeldata", ["exempel"])
    return prepare(runs, iso_week("2025-W47"), None)
