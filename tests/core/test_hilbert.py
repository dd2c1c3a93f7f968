"""The Hilbert encoder of :mod:`geomap.core.spatial` (GeoParquet row order, dask partitions)."""

from __future__ import annotations

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from geomap.core.spatial import hilbert_codes


def test_consecutive_codes_are_neighbouring_cells() -> None:
    g = np.arange(64.0)
    x, y = (a.ravel() for a in np.meshgrid(g, g))
    codes = hilbert_codes(x, y, (0.0, 0.0, 65535.0, 65535.0))
    order = np.argsort(codes)
    assert sorted(codes.tolist()) == list(range(64 * 64))  # the 64 × 64 corner, traversed whole
    steps = np.abs(np.diff(x[order])) + np.abs(np.diff(y[order]))
    assert bool((steps == 1).all())


def test_nan_and_outside_points() -> None:
    codes = hilbert_codes(
        np.array([np.nan, -5.0, 20.0]), np.array([0.0, -5.0, 20.0]), (0, 0, 10, 10)
    )
    assert codes[0] == 0 and codes[1] == 0  # NaN → cell 0; outside → clamped to the edge
    assert codes[2] == hilbert_codes(np.array([10.0]), np.array([10.0]), (0, 0, 10, 10))[0]


@given(st.lists(st.tuples(st.floats(0, 1000), st.floats(0, 1000)), min_size=1, max_size=50))
def test_codes_fit_32_bits_and_do_not_depend_on_the_other_points(
    points: list[tuple[float, float]],
) -> None:
    xy = np.array(points)
    codes = hilbert_codes(xy[:, 0], xy[:, 1], (0, 0, 1000, 1000))
    assert int(codes.max()) < 2**32
    alone = [
        int(hilbert_codes(xy[i : i + 1, 0], xy[i : i + 1, 1], (0, 0, 1000, 1000))[0])
        for i in range(len(xy))
    ]
    assert codes.tolist() == alone
