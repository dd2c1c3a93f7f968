"""Duplicate reports: remarks of one category close in space and time are one problem.

A new remark is linked (``duplicate_of``) to the earliest *open* remark of the same category
within the category's radius and time window (``duplicate_radius_m``, ``duplicate_window_days``
in the category vocabulary) that was reported before it, whatever its source; links always
point at the first remark of a group (never at another duplicate). Nothing is dropped: a
duplicate keeps its row, its history and its source, and a coordinator can unlink it.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from geomap.core.categories import Categories, load_categories

__all__ = ["find_duplicates"]

_DAY_MS = 86_400_000


def find_duplicates(
    remarks: pd.DataFrame, new: np.ndarray, *, categories: Categories | None = None
) -> pd.Series:
    """Return, for the ``new`` rows of ``remarks`` that duplicate an earlier one, that remark's id.

    Parameters
    ----------
    remarks : pandas.DataFrame
        Columns ``remark_id``, ``category``, ``e``, ``n`` (metres), ``timestamp`` (datetime64),
        ``open`` (bool), ``duplicate_of`` and ``duplicate_unlinked`` (1 when a coordinator
        unlinked it: never linked again).
    new : numpy.ndarray of bool
        The rows to link (the remarks an ingest added).
    categories : Categories, optional
        The vocabulary with the radius and window per category (default: the packaged one).

    Returns
    -------
    pandas.Series
        ``duplicate_of`` ids, indexed like ``remarks``, only for the new rows that got a link.

    Examples
    --------
    >>> t = pd.to_datetime(["2025-06-01", "2025-06-03", "2025-06-04"])
    >>> f = pd.DataFrame({"remark_id": ["a", "b", "c"], "category": "belysning",
    ...     "e": [0.0, 30.0, 500.0], "n": 0.0, "timestamp": t, "open": True,
    ...     "duplicate_of": None, "duplicate_unlinked": 0})
    >>> find_duplicates(f, np.array([False, True, True])).to_dict()
    {1: 'a'}
    """
    rules = (categories or load_categories()).duplicate_rules()
    frame = remarks.reset_index(drop=True)
    ms = frame["timestamp"].astype("datetime64[ms]").astype("int64").to_numpy()
    located = np.isfinite(frame["e"].to_numpy(float)) & np.isfinite(frame["n"].to_numpy(float))
    located &= frame["timestamp"].notna().to_numpy()
    pool = located & frame["open"].to_numpy(bool) & frame["duplicate_of"].isna().to_numpy()
    asks = located & np.asarray(new, bool) & (frame["duplicate_unlinked"].fillna(0).to_numpy() == 0)
    order = np.lexsort((frame["remark_id"].astype(str).to_numpy(), ms))
    rank = np.empty(len(frame), dtype=np.int64)
    rank[order] = np.arange(len(frame))  # earlier report = lower rank (time, then id)
    best = np.full(len(frame), -1, dtype=np.int64)
    for code, rows in frame.groupby("category", sort=False).indices.items():
        radius = float(rules["radius_m"].get(code, 250.0))
        window = float(rules["window_days"].get(code, 30.0))
        members = np.asarray(rows, dtype=np.int64)
        _link_category(frame, members, pool, asks, ms, rank, best, radius, window * _DAY_MS)
    best = _to_roots(best)
    linked = np.flatnonzero(best >= 0)
    ids = frame["remark_id"].to_numpy(dtype=object)
    return pd.Series(ids[best[linked]], index=remarks.index[linked], dtype=object)


def _link_category(
    frame: pd.DataFrame,
    rows: np.ndarray,
    pool: np.ndarray,
    asks: np.ndarray,
    ms: np.ndarray,
    rank: np.ndarray,
    best: np.ndarray,
    radius: float,
    window: float,
) -> None:
    """Link the asking rows of one category, one time bucket (of ``window``) after another.

    The first reports of groups (*roots*) are the open remarks already in the register and, of
    the asking rows, those with no earlier root or earlier unlinked report near them; every
    other asking row links to its earliest root within the radius and window. Roots are few
    (they lie at least a radius apart within a window), so each bucket is a small spatial query.
    """
    width = max(window, 1.0)
    bucket_of = np.floor(ms / width).astype(np.int64)
    near_of = _Near(
        frame["e"].to_numpy(float), frame["n"].to_numpy(float), ms, rank, radius, window
    )
    roots = rows[pool[rows] & ~asks[rows]]
    queries = rows[asks[rows]]
    for bucket in np.unique(bucket_of[queries]):
        rest = queries[bucket_of[queries] == bucket]
        near = roots[(bucket_of[roots] >= bucket - 1) & (bucket_of[roots] <= bucket)]
        rest = _attach(rest, *near_of.pairs(rest, near), rank, best)
        q, p = near_of.pairs(rest, rest)
        roots = np.concatenate([roots, _settle(rest, q, p, rank, best)])


class _Near:
    """Pairs (asking row, earlier row) within the radius and window, found on a grid.

    Points are put in square cells of the radius; a row's partners lie in its own cell or one
    of the 8 around it: three runs of the sorted cell keys, found by binary search (numpy only).
    """

    def __init__(
        self,
        x: np.ndarray,
        y: np.ndarray,
        ms: np.ndarray,
        rank: np.ndarray,
        radius: float,
        window: float,
    ) -> None:
        self.x, self.y, self.ms, self.rank = x, y, ms, rank
        self.radius, self.window = radius, window
        size = max(radius, 1.0)
        finite = np.isfinite(x) & np.isfinite(y)  # rows without a point are never paired
        self.cx = np.floor(np.where(finite, x, 0.0) / size).astype(np.int64)
        self.cy = np.floor(np.where(finite, y, 0.0) / size).astype(np.int64)

    def _keys(self, rows: np.ndarray, dx: int = 0, dy: int = 0) -> np.ndarray:
        return (self.cx[rows] + dx) * 4_294_967_296 + (self.cy[rows] + dy)

    def pairs(self, ask: np.ndarray, near: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Pairs (row of ``ask``, earlier row of ``near``) close in space and time."""
        if not len(ask) or not len(near):
            return np.empty(0, np.int64), np.empty(0, np.int64)
        order = np.argsort(self._keys(near), kind="stable")
        keys, ranked = self._keys(near)[order], near[order]
        found_q, found_p = [], []
        for dx in (-1, 0, 1):  # the 3 cells of a column are one run of keys
            lo = np.searchsorted(keys, self._keys(ask, dx, -1), "left")
            counts = np.searchsorted(keys, self._keys(ask, dx, 1), "right") - lo
            if not counts.any():
                continue
            q = np.repeat(ask, counts)
            starts = np.repeat(lo - np.cumsum(counts) + counts, counts)
            p = ranked[starts + np.arange(len(q))]
            keep = (self.rank[p] < self.rank[q]) & (self.ms[q] - self.ms[p] <= self.window)
            q, p = q[keep], p[keep]
            close = np.hypot(self.x[q] - self.x[p], self.y[q] - self.y[p]) <= self.radius
            found_q.append(q[close])
            found_p.append(p[close])
        if not found_q:
            return np.empty(0, np.int64), np.empty(0, np.int64)
        return np.concatenate(found_q), np.concatenate(found_p)


def _attach(
    ask: np.ndarray, q: np.ndarray, p: np.ndarray, rank: np.ndarray, best: np.ndarray
) -> np.ndarray:
    """Link each asking row to its earliest partner in (q, p); return the rows left unlinked."""
    if len(q):
        first = np.lexsort((rank[p], q))
        q, p = q[first], p[first]
        head = np.ones(len(q), dtype=bool)
        head[1:] = q[1:] != q[:-1]
        best[q[head]] = p[head]
    return np.setdiff1d(ask, q)


def _settle(
    rest: np.ndarray, q: np.ndarray, p: np.ndarray, rank: np.ndarray, best: np.ndarray
) -> np.ndarray:
    """Among reports close to each other (edges q → earlier p), find first reports and link the rest.

    Repeatedly: a report with no earlier unsettled report near it is a first report (a root);
    the unsettled reports near a new root link to their earliest such root. Returns the roots.
    """
    alive = np.zeros(len(best), dtype=bool)
    alive[rest] = True
    found = []
    while alive[rest].any():
        live = alive[q] & alive[p]
        blocked = np.zeros(len(best), dtype=bool)
        blocked[q[live]] = True
        fresh = rest[alive[rest] & ~blocked[rest]]
        is_fresh = np.zeros(len(best), dtype=bool)
        is_fresh[fresh] = True
        found.append(fresh)
        alive[fresh] = False
        hit = alive[q] & is_fresh[p]
        linked = _attach(rest[:0], q[hit], p[hit], rank, best)  # sets best for the linked rows
        del linked
        alive[q[hit]] = False
    return np.concatenate(found) if found else rest[:0]


def _to_roots(best: np.ndarray) -> np.ndarray:
    """Follow links until each points at a row without one (pointer jumping, vectorised)."""
    out = best.copy()
    for _ in range(64):
        linked = out >= 0
        nxt = np.where(linked, out, -1)
        step = np.where(nxt >= 0, out[np.maximum(nxt, 0)], -1)
        move = linked & (step >= 0)
        if not move.any():
            break
        out[move] = step[move]
    return out
