"""Remark ids unique across the batches of a streaming run, in memory that grows by 8 bytes an id."""

from __future__ import annotations

import numpy as np
import pandas as pd

__all__ = ["IdBook"]


def _hashes(values: np.ndarray) -> np.ndarray:
    return pd.util.hash_array(values.astype(object), categorize=False).astype(np.uint64)


class IdBook:
    """The ids given so far (as 64-bit hashes): a repeated id gets ``-2``, ``-3`` … as in route.

    Within a batch, :func:`geomap.core.remarks.build_remarks` has made the ids unique already;
    an id that an earlier batch gave gets the first free suffix (free: not given so far and
    not in this batch). :func:`geomap.core.remarks.unique_ids` gives the same ids for one input
    at once, except when an input id looks like a suffixed one (``A-2``) and comes after the
    repeat it would collide with: then the repeat got ``A-2`` first, and the later ``A-2`` becomes
    ``A-2-2``.

    Examples
    --------
    >>> book = IdBook()
    >>> book.unique(pd.Series(["A", "B"])).tolist(), book.unique(pd.Series(["A", "C"])).tolist()
    (['A', 'B'], ['A-2', 'C'])
    """

    def __init__(self) -> None:
        self._seen: list[np.ndarray] = []  # sorted runs, merged now and then

    def _given(self, hashes: np.ndarray) -> np.ndarray:
        found = np.zeros(len(hashes), dtype=bool)
        for run in self._seen:
            at = np.minimum(np.searchsorted(run, hashes), len(run) - 1)
            found |= run[at] == hashes
        return found

    def unique(self, ids: pd.Series) -> pd.Series:
        """Return ``ids`` with every id given before suffixed; remember them all."""
        values = ids.astype(str).to_numpy(dtype=object)
        hashes = _hashes(values)
        again = np.flatnonzero(self._given(hashes))
        batch = set(hashes.tolist()) if len(again) else set()
        number = 2
        while len(again):
            candidate = np.array([f"{values[i]}-{number}" for i in again], dtype=object)
            ch = _hashes(candidate)
            free = ~self._given(ch) & ~np.isin(ch, np.fromiter(batch, dtype=np.uint64))
            free &= ~pd.Series(candidate).duplicated().to_numpy()
            values[again[free]] = candidate[free]
            hashes[again[free]] = ch[free]
            batch.update(ch[free].tolist())
            again, number = again[~free], number + 1
        self._seen.append(np.sort(hashes))
        if len(self._seen) > 16:
            self._seen = [np.sort(np.concatenate(self._seen))]
        return pd.Series(values, index=ids.index, dtype=object)
