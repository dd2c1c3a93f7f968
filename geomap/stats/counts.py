"""Counts per period compared with reference periods, and unusual counts under a Poisson model.

Public API
----------
``poisson_flags(observed, reference, *, alpha: float = 0.05) -> pd.DataFrame``
    Columns ``observed``, ``expected``, ``p_value``, ``flag`` ("ovanligt högt", "ovanligt lågt"
    or ""), one row per group.
``period_comparison(remarks, current, *, by=None, history: int = 8, timestamp: str = "timestamp", covered_from=None, alpha: float = 0.05) -> pd.DataFrame``
    One row per group: ``now``, ``previous``, ``mean_history``, ``year_earlier``, the changes
    ``change_previous``, ``change_previous_pct``, ``change_mean``, ``change_mean_pct``,
    ``change_year``, ``change_year_pct``, and the Poisson test of ``now`` against the history
    (``p_value``, ``flag``). ``attrs["periods"]`` names the periods used.

The Poisson model
-----------------
The expected count of a group is the mean of its counts in the reference periods (periods not
covered by the data are left out). The observed count ``k`` is unusual when the two-sided exact
Poisson p-value ``p = min(1, 2 · min(P(X ≤ k), P(X ≥ k)))``, ``X ~ Poisson(expected)``, is at most
``alpha``: "ovanligt högt" when ``k`` is above the expected count, "ovanligt lågt" when below.
With an expected count of 0 (or no covered reference period) there is no test (p-value NaN, no
flag). Each count is tested on its own: no correction for the many groups of a table.

Periods come from :mod:`geomap.core.periods`: the previous period is ``current.previous()``, the
history ``current.references(history)`` (the ``history`` periods of the same kind just before,
most recent first) and the same period a year earlier ``current.year_earlier()``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import numpy as np
import pandas as pd
from scipy import stats

from geomap.core.periods import Period, local_dates
from geomap.errors import InputError

__all__ = ["FLAG_HIGH", "FLAG_LOW", "period_comparison", "poisson_flags"]

#: Flag of a count above what the reference periods lead one to expect.
FLAG_HIGH = "ovanligt högt"
#: Flag of a count below it.
FLAG_LOW = "ovanligt lågt"
_ALL = "alla"


def poisson_flags(
    observed: pd.Series | np.ndarray | Sequence[float],
    reference: pd.DataFrame | np.ndarray,
    *,
    alpha: float = 0.05,
) -> pd.DataFrame:
    """Flag counts that are unusual under a Poisson model of the reference periods.

    Parameters
    ----------
    observed : pandas.Series or array-like
        This period's count per group (a Series keeps its index as the groups).
    reference : pandas.DataFrame or numpy.ndarray
        Counts of the reference periods: rows are periods, columns groups (a DataFrame is aligned
        to ``observed``'s index; a group missing from its columns counted 0). NaN is a period the
        data does not cover (for that group) and is left out.
    alpha : float, default 0.05
        Flag when the two-sided p-value is at most ``alpha``.

    Returns
    -------
    pandas.DataFrame
        ``observed``, ``expected`` (mean of the covered reference periods), ``p_value``, ``flag``.

    Raises
    ------
    InputError
        If the shapes disagree, a count is negative or ``alpha`` is not in (0, 1).

    Examples
    --------
    >>> flags = poisson_flags(pd.Series({"klotter": 6, "belysning": 0}),
    ...                       pd.DataFrame({"klotter": [1, 2, 3], "belysning": [3, 4, 5]}))
    >>> flags.round(4).to_dict("index")["klotter"]
    {'observed': 6, 'expected': 2.0, 'p_value': 0.0331, 'flag': 'ovanligt högt'}
    >>> flags.loc["belysning", "flag"], float(round(flags.loc["belysning", "p_value"], 4))
    ('ovanligt lågt', 0.0366)
    """
    _check_alpha(alpha)
    groups, k = _observed(observed)
    matrix = _reference_matrix(reference, groups)
    if (k < 0).any() or (np.nan_to_num(matrix) < 0).any():
        msg = "`observed`, `reference`: a count is negative; give counts ≥ 0"
        raise InputError(msg)
    covered = ~np.isnan(matrix)
    with np.errstate(invalid="ignore", divide="ignore"):
        expected = np.where(covered.any(0), np.nansum(matrix, 0) / covered.sum(0), np.nan)
    p = _two_sided(k, expected)
    flag = np.where(p <= alpha, np.where(k > expected, FLAG_HIGH, FLAG_LOW), "")
    whole = bool(np.isfinite(k).all() and (k == np.round(k)).all())
    return pd.DataFrame(
        {
            "observed": k.astype(np.int64) if whole else k,
            "expected": expected,
            "p_value": p,
            "flag": flag.astype(object),
        },
        index=groups,
    )


def _check_alpha(alpha: float) -> None:
    if isinstance(alpha, bool) or not isinstance(alpha, int | float) or not 0 < alpha < 1:
        msg = f"`alpha`: {alpha!r} is not a significance level; give a number between 0 and 1, e.g. 0.05"
        raise InputError(msg)


def _observed(observed: pd.Series | np.ndarray | Sequence[float]) -> tuple[pd.Index, np.ndarray]:
    if isinstance(observed, pd.Series):
        return observed.index, observed.to_numpy(dtype=float)
    values = np.asarray(observed, dtype=float).ravel()
    return pd.RangeIndex(len(values)), values


def _reference_matrix(reference: pd.DataFrame | np.ndarray, groups: pd.Index) -> np.ndarray:
    if isinstance(reference, pd.DataFrame):
        empty_rows = reference.isna().all(axis=1).to_numpy()
        matrix = reference.reindex(columns=groups).to_numpy(dtype=float, copy=True)
        matrix[:, ~groups.isin(reference.columns)] = 0.0
        matrix[empty_rows] = np.nan
        return matrix
    matrix = np.asarray(reference, dtype=float)
    if matrix.ndim == 1 and matrix.size == 0:
        matrix = matrix.reshape(0, len(groups))
    if matrix.ndim != 2 or matrix.shape[1] != len(groups):
        msg = f"`reference`: shape {matrix.shape} does not fit {len(groups)} groups; give periods × groups"
        raise InputError(msg)
    return matrix


def _two_sided(k: np.ndarray, expected: np.ndarray) -> np.ndarray:
    """``min(1, 2 · min(P(X ≤ k), P(X ≥ k)))`` for X ~ Poisson(expected); NaN without a model."""
    testable = np.isfinite(expected) & (expected > 0)
    mu = np.where(testable, expected, 1.0)
    low = stats.poisson.cdf(k, mu)
    high = stats.poisson.sf(k - 1, mu)
    return np.where(testable, np.minimum(1.0, 2 * np.minimum(low, high)), np.nan)


def period_comparison(
    remarks: pd.DataFrame,
    current: Period,
    *,
    by: str | Sequence[str] | None = None,
    history: int = 8,
    timestamp: str = "timestamp",
    covered_from: dt.date | None = None,
    alpha: float = 0.05,
) -> pd.DataFrame:
    """Count remarks per group in ``current`` and its reference periods, with changes and flags.

    Parameters
    ----------
    remarks : pandas.DataFrame
        One row per remark with a ``timestamp`` column (local date in Europe/Stockholm counts) and
        the ``by`` columns.
    current : Period
        The reported period (:mod:`geomap.core.periods`).
    by : str or list of str, optional
        Group columns (e.g. ``["district", "category"]``); None gives one group ``"alla"``.
    history : int, default 8
        Number of periods of the same kind before ``current`` whose mean is the expected count.
    timestamp : str, default "timestamp"
        Name of the time column.
    covered_from : datetime.date, optional
        First day the data covers; reference periods starting earlier are left out (NaN), not
        counted as 0. By default the earliest date among ``remarks``.
    alpha : float, default 0.05
        Level of the Poisson flag (:func:`poisson_flags`).

    Returns
    -------
    pandas.DataFrame
        One row per group seen in any of the periods; columns in the module docstring.
        ``attrs["periods"]``: labels of ``current``, ``previous``, ``history`` (covered ones),
        ``year_earlier`` (None when not covered) and ``history_covered`` (their number).

    Raises
    ------
    InputError
        If a column is missing or ``history`` is not a whole number ≥ 1.

    Examples
    --------
    >>> from geomap.core.periods import iso_week
    >>> stamps = ["2025-11-17 10:00", "2025-11-18 22:00", "2025-11-12 09:00", "2024-11-20 12:00"]
    >>> table = period_comparison(pd.DataFrame({"timestamp": stamps}), iso_week("2025-W47"),
    ...                           covered_from=dt.date(2024, 1, 1))
    >>> table.loc["alla", ["now", "previous", "mean_history", "year_earlier"]].tolist()
    [2.0, 1.0, 0.125, 1.0]
    >>> table.attrs["periods"]["previous"], table.attrs["periods"]["year_earlier"]
    ('vecka 46 2025', 'vecka 47 2024')
    """
    columns = _check_comparison(remarks, by, history=history, timestamp=timestamp, alpha=alpha)
    days, codes, groups = _days_and_groups(remarks, columns, timestamp)
    first = covered_from or _first_day(days, current)
    return _compare(days, codes, groups, current, first, history=history, alpha=alpha)


def _check_comparison(
    remarks: pd.DataFrame,
    by: str | Sequence[str] | None,
    *,
    history: int,
    timestamp: str,
    alpha: float,
) -> list[str]:
    """Check the arguments of :func:`period_comparison`; return the group columns."""
    if isinstance(history, bool) or not isinstance(history, int) or history < 1:
        msg = f"`history`: {history!r} is not a whole number ≥ 1; give e.g. 8"
        raise InputError(msg)
    columns = [by] if isinstance(by, str) else list(by or [])
    missing = [c for c in [timestamp, *columns] if c not in remarks.columns]
    if missing:
        msg = f"`remarks`: no column {', '.join(map(repr, missing))} (columns: {', '.join(map(str, remarks.columns))}); give `timestamp` and `by` as column names"
        raise InputError(msg)
    _check_alpha(alpha)
    return columns


def _days_and_groups(
    remarks: pd.DataFrame, columns: list[str], timestamp: str
) -> tuple[np.ndarray, np.ndarray, pd.Index]:
    """Return each remark's local day, its group code and the groups."""
    days = local_dates(remarks[timestamp]).to_numpy(dtype="datetime64[D]")
    codes, groups = _group_codes(remarks, columns)
    return days, codes, groups


def _compare(
    days: np.ndarray,
    codes: np.ndarray,
    groups: pd.Index,
    current: Period,
    first: dt.date,
    *,
    history: int,
    alpha: float,
) -> pd.DataFrame:
    """Count per group in ``current``, its references and a year earlier; build the table."""
    references = current.references(history)
    year_before = current.year_earlier()
    periods = [current, *references, year_before]
    counts = np.vstack([_counts(days, codes, len(groups), p, first) for p in periods])
    return _comparison_table(
        counts, groups, references, year_before, first, alpha=alpha, current=current
    )


def _first_day(days: np.ndarray, current: Period) -> dt.date:
    known = days[~np.isnat(days)]
    return known.min().astype(dt.date) if len(known) else current.start


def _group_codes(remarks: pd.DataFrame, columns: list[str]) -> tuple[np.ndarray, pd.Index]:
    """Code per row of its group, and the groups; each column factorised once (missing = "")."""
    if not columns:
        return np.zeros(len(remarks), dtype=np.int64), pd.Index([_ALL], name="group")
    combined = np.zeros(len(remarks), dtype=np.int64)
    labels = []
    for column in columns:
        codes, uniques = pd.factorize(remarks[column], sort=True)
        values = [*uniques.tolist(), ""]
        codes = np.where(codes < 0, len(uniques), codes)
        combined = combined * len(values) + codes
        labels.append(values)
    codes, seen = pd.factorize(combined, sort=True)
    parts = []
    for values in reversed(labels):
        seen, position = np.divmod(seen, len(values))
        parts.append(np.asarray(values, dtype=object)[position])
    if len(columns) == 1:
        return codes, pd.Index(parts[0], name=columns[0])
    return codes, pd.MultiIndex.from_arrays(parts[::-1], names=columns)


def _counts(
    days: np.ndarray, codes: np.ndarray, groups: int, period: Period, first: dt.date
) -> np.ndarray:
    if period.start < first:
        return np.full(groups, np.nan)
    inside = (days >= np.datetime64(period.start)) & (days <= np.datetime64(period.end))
    return np.bincount(codes[inside], minlength=groups).astype(float)


def _comparison_table(
    counts: np.ndarray,
    groups: pd.Index,
    references: list[Period],
    year_before: Period,
    first: dt.date,
    *,
    alpha: float,
    current: Period,
) -> pd.DataFrame:
    now, history, year = counts[0], counts[1:-1], counts[-1]
    seen = (np.nan_to_num(counts) > 0).any(axis=0)
    flags = poisson_flags(pd.Series(now, index=groups), history, alpha=alpha)
    table = pd.DataFrame(
        {
            "now": now,
            "previous": history[0],
            "mean_history": flags["expected"].to_numpy(),
            "year_earlier": year,
        },
        index=groups,
    )
    for name, column in (
        ("previous", "previous"),
        ("mean", "mean_history"),
        ("year", "year_earlier"),
    ):
        table[f"change_{name}"] = table["now"] - table[column]
        with np.errstate(divide="ignore", invalid="ignore"):
            pct = 100 * table[f"change_{name}"] / table[column]
        table[f"change_{name}_pct"] = pct.where(table[column] > 0)
    table["p_value"] = flags["p_value"].to_numpy()
    table["flag"] = flags["flag"].to_numpy()
    covered = [p.label for p in references if p.start >= first]
    table.attrs["periods"] = {
        "current": current.label,
        "previous": references[0].label,
        "history": covered,
        "history_covered": len(covered),
        "year_earlier": year_before.label if year_before.start >= first else None,
    }
    return table[seen] if seen.any() else table.iloc[:0]
