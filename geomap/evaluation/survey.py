"""Experienced safety: survey shares per site, area and period, tested before against after.

The survey file (CSV or XLSX) has one row per site, area and period: ``id`` (the site), ``omrade``
(``R``, ``D`` or ``C``; default ``R``), ``period`` (``före``/``efter``), ``andel_trygga`` (share
feeling safe, 0–1, or a percentage 0–100) and ``antal_svar`` (n). English names (``site``,
``area``, ``period``, ``share_safe``, ``n``) work too.
"""

from __future__ import annotations

import os
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd

from geomap.errors import InputError
from geomap.io.tables import normalise_name, parse_numbers, read_table
from geomap.stats.beforeafter import two_proportions

__all__ = ["SURVEY_COLUMNS", "read_survey", "survey_tests"]

SURVEY_COLUMNS: dict[str, tuple[str, ...]] = {
    "site": ("id", "site", "plats_id", "atgard_id", "plats"),
    "area": ("omrade", "area", "zon"),
    "period": ("period", "tid", "when"),
    "share": ("andel_trygga", "andel", "share_safe", "share", "trygga"),
    "n": ("antal_svar", "n", "antal", "svar", "answers"),
}
_PERIODS = {
    "före": "before",
    "fore": "before",
    "before": "before",
    "efter": "after",
    "after": "after",
}
_AREAS = {"r": "R", "d": "D", "c": "C", "behandling": "R", "buffert": "D", "kontroll": "C"}


def _column(frame: pd.DataFrame, field: str, where: str, *, required: bool = True) -> str | None:
    names = {normalise_name(c): c for c in frame.columns}
    found = next((names[n] for n in SURVEY_COLUMNS[field] if n in names), None)
    if found is None and required:
        msg = f"{where}: no column {SURVEY_COLUMNS[field][0]!r} (or {', '.join(SURVEY_COLUMNS[field][1:3])}); columns: {', '.join(map(str, frame.columns))}; add it"
        raise InputError(msg)
    return found


def read_survey(
    survey: str | os.PathLike[str] | pd.DataFrame, *, sites: gpd.GeoDataFrame | None = None
) -> pd.DataFrame:
    """Read survey shares and check them.

    Parameters
    ----------
    survey : path or DataFrame
        The survey table (see the module).
    sites : geopandas.GeoDataFrame, optional
        Evaluated sites (``site``, ``members``): survey rows name a site id or a member id.

    Returns
    -------
    pandas.DataFrame
        ``site``, ``area``, ``period`` (before/after), ``share`` (0–1), ``n``.

    Raises
    ------
    InputError
        If a column is missing, a period or area is unknown, a share or n is not a number, or a
        site is not among the evaluated ones.

    Examples
    --------
    >>> f = pd.DataFrame({"id": ["A", "A"], "period": ["före", "efter"],
    ...                   "andel_trygga": ["62 %", "0,71"], "antal_svar": ["120", "131"]})
    >>> read_survey(f)[["period", "share", "n"]].values.tolist()
    [['before', 0.62, 120], ['after', 0.71, 131]]
    """
    if isinstance(survey, pd.DataFrame):
        frame, where = survey.astype("string"), "`survey`"
    else:
        frame, _ = read_table(Path(survey))
        where = str(survey)
    site = frame[_column(frame, "site", where)].astype("string").str.strip()
    area, period = _area_and_period(frame, where)
    share = _shares(frame, where)
    n = parse_numbers(frame[_column(frame, "n", where)].astype("string"), column="n", path=where)
    if np.isnan(n).any() or (n <= 0).any() or np.isnan(share).any():
        row = int(np.flatnonzero(np.isnan(n) | (n <= 0) | np.isnan(share))[0]) + 1
        msg = f"{where}: row {row}: the share or the number of answers is missing or not above 0; fill both in"
        raise InputError(msg)
    out = pd.DataFrame(
        {"site": site, "area": area, "period": period, "share": share, "n": n.astype(int)}
    )
    return _to_sites(out, sites, where) if sites is not None else out


def _area_and_period(frame: pd.DataFrame, where: str) -> tuple[pd.Series, pd.Series]:
    """Return the area (R when the column is absent) and the period of every row, checked."""
    area_col = _column(frame, "area", where, required=False)
    area = (
        frame[area_col].astype("string").str.strip().str.casefold().map(_AREAS)
        if area_col
        else pd.Series("R", index=frame.index)
    )
    period = (
        frame[_column(frame, "period", where)]
        .astype("string")
        .str.strip()
        .str.casefold()
        .map(_PERIODS)
    )
    for name, values, known in (("area", area, "R, D, C"), ("period", period, "före, efter")):
        if values.isna().any():
            row = int(np.flatnonzero(values.isna().to_numpy())[0]) + 1
            msg = f"{where}: row {row}: the {name} is not one of {known}; write one of them"
            raise InputError(msg)
    return area, period


def _shares(frame: pd.DataFrame, where: str) -> np.ndarray:
    column = _column(frame, "share", where)
    text = frame[column].astype("string").str.replace("%", "", regex=False)
    values = parse_numbers(text, column=str(column), path=where)
    values = np.where(values > 1, values / 100, values)
    if ((values < 0) | (values > 1)).any():
        msg = f"{where}: column {column!r} holds a share outside 0–100 %; give shares as 0–1 or percentages"
        raise InputError(msg)
    return values


def _to_sites(frame: pd.DataFrame, sites: gpd.GeoDataFrame, where: str) -> pd.DataFrame:
    lookup = {
        m: s
        for s, members in zip(sites["site"], sites["members"], strict=True)
        for m in (s, *members)
    }
    mapped = frame["site"].map(lookup)
    if mapped.isna().any():
        bad = frame["site"][mapped.isna()].iloc[0]
        msg = f"{where}: site {bad!r} is not among the evaluated sites ({', '.join(sites['site'])}); correct the id"
        raise InputError(msg)
    return frame.assign(site=mapped)


def survey_tests(frame: pd.DataFrame, *, level: float = 0.95) -> pd.DataFrame:
    """Return one row per site and area: shares before and after with the two-proportion test.

    Examples
    --------
    >>> f = pd.DataFrame({"site": ["A", "A"], "area": ["R", "R"], "period": ["before", "after"],
    ...                   "share": [0.6, 0.7], "n": [200, 200]})
    >>> round(float(survey_tests(f).loc[0, "p"]), 4)
    0.036
    """
    wide = frame.pivot_table(
        index=["site", "area"], columns="period", values=["share", "n"], aggfunc="first"
    )
    rows = []
    for key, row in wide.iterrows():  # per site and area
        site, area = str(key[0]), str(key[1])  # type: ignore[index]
        if row.isna().any():
            continue
        test = two_proportions(
            row[("share", "before")],
            int(row[("n", "before")]),
            row[("share", "after")],
            int(row[("n", "after")]),
        )
        rows.append(
            (
                site,
                area,
                test.before,
                int(row[("n", "before")]),
                test.after,
                int(row[("n", "after")]),
                test.difference,
                test.z,
                test.p,
                test.p < 1 - level,
            )
        )
    columns = [
        "site",
        "area",
        "share_before",
        "n_before",
        "share_after",
        "n_after",
        "difference",
        "z",
        "p",
        "significant",
    ]
    return pd.DataFrame(rows, columns=columns)
