"""Hot spots on a grid: local Getis-Ord Gi* with false-discovery-rate classes, kernel density, PAI.

Public API
----------
``queen_adjacency(grid) -> scipy.sparse.csr_matrix``
    Binary queen contiguity (the up to 8 cells around a cell, no self-loop), built from the
    ``row``/``col`` columns of a grid from :func:`geomap.stats.grid.make_grid`.
``queen_weights(grid) -> libpysal.weights.W``
    The same as a libpysal ``W`` (for a direct ``esda.G_Local`` call).
``getis_ord(grid, counts, *, permutations: int = 999, seed: int = 12345, alpha_fdr: bool = True, min_count: int = 1) -> pd.DataFrame``
    Columns ``cell_id``, ``count``, ``gi``, ``gi_z``, ``p_sim``, ``tested``, ``p_fdr_class``
    ("99 %", "95 %", "90 %", ""), ``kind`` ("het", "kall", ""). ``attrs`` state the method,
    ``attrs["tested"]`` the number m of tested cells.
``significance_classes(p, *, fdr: bool = True) -> np.ndarray``
    The "99 %"/"95 %"/"90 %"/"" class of each p-value (Benjamini–Hochberg at q = 0.01/0.05/0.10).
``bh_reject(p, q) -> np.ndarray``
    Benjamini–Hochberg step-up at false-discovery rate ``q``.
``kde(points, grid, *, bandwidth: float | None = None) -> tuple[pd.Series, float, str]``
    Gaussian kernel density per cell (remarks per km²), the bandwidth in metres and the rule code
    (see :data:`BANDWIDTH_RULES`).
``pai(hot_cells_mask, counts_now, cell_area, total_area) -> float``
    Predictive accuracy index (share of incidents ÷ share of area); NaN when undefined.
``compare_hotspots(current, references, *, min_periods: int = 1, cells=None) -> pd.Series``
    "ny", "kvarstående", "försvunnen" or "" per cell.

Method of :func:`getis_ord`
---------------------------
Gi* (Getis & Ord 1992; Ord & Getis 1995) with binary weights and the cell itself included:
``G*_i = Σ_j w_ij y_j / Σ_j y_j`` with ``w_ii = 1`` and ``w_ij = 1`` for the queen neighbours.
``gi_z`` is the analytical z-score exactly as ``esda.G_Local(star=True, transform="B")`` computes
it. ``p_sim`` is a conditional-permutation pseudo p-value: the cell's own count stays, its ``k_i``
neighbours are replaced by ``k_i`` counts drawn without replacement from the other cells, drawn
with esda's generator and draws (those of ``esda.crand.vec_permutations`` with ``seed``), so the
simulated values are exactly those of ``esda.G_Local(..., permutations, seed=seed)`` (tested), but
computed for all cells at once with prefix sums instead of esda's loop over cells. With ``ge`` simulations ≥ the
observed value and ``le`` ≤ it, ``p_sim = (min(ge, le) + 1) / (permutations + 1)``: ties count on
both sides. esda counts ties on the upper side only (its lower tail is ``permutations − ge``); the
two agree whenever no simulation ties the observed value, and ours never makes a cell with no
remarks around it a cold spot (esda gives such a cell p = 1/(permutations + 1)).
A cell is *het* when its upper tail is the smaller (``ge < le``), *kall* when the lower is.
Cells without neighbours (islands) get no p-value (``p_sim`` NaN).

Tested cells: only cells holding at least ``min_count`` (default 1) remarks of their own are
tested (``tested``); the others are never significant, hot or cold, and the false-discovery rate
is controlled over the m tested cells (``attrs["tested"]``). ``p_sim`` is still given for every
non-island cell, tested or not. Why this rule, and what holds:

* A cell with no remark in its whole neighbourhood has ``G*_i = 0``, the minimum: every
  simulation ties it, its upper tail is 1 and it can never be a hot spot. On a 100 m grid of a
  municipality most cells are of that kind (14 160 cells, about 350 with a remark in their
  neighbourhood in a week of 40 remarks); testing them only makes m, and so the BH bar, larger:
  with 999 permutations the smallest ``p_sim`` is 0.001 and BH at q = 0.05 then needs ≥ 283 cells
  at 0.001 before anything is significant.
* The filter must not look at the tested statistic. The conditional permutation holds the
  cell's own count ``y_i`` fixed and draws only its neighbours, so ``p_sim`` is a valid p-value
  *given* ``y_i``: selecting on ``y_i`` leaves each tested cell's null distribution unchanged,
  ``P(p_i ≤ α | y_i ≥ min_count) ≤ α``. That is the condition of independent filtering
  (Bourgon, Gentleman & Huber 2010, PNAS 107:9546, the filter statistic independent of the
  test statistic under the null), which lets BH run over the m retained tests instead of all.
  Selecting on the *neighbourhood* total instead (``Σ_{j ∈ N_i ∪ {i}} y_j ≥ 1``) would select
  on the tested statistic itself: given that selection a null cell's ``p_sim`` is no longer
  uniform (an empty cell next to one isolated remark has ``p_sim`` ≈ 8 · 40 / 14 160 ≈ 0.02 and
  is selected exactly because its statistic is above the minimum). Simulated on that grid, with
  40 uniform points, BH over such cells called about 300 cells "95 %" in 19 of 20 seeds;
  over the own-count rule, no cell at any class in 200 seeds (tests/stats/test_hotspots.py runs 20).
* What is not proven: BH's guarantee needs the tested p-values to be independent or positively
  dependent (PRDS) *given* the selection. Gi* neighbourhoods overlap, all cells use the same
  permutation draws, and which neighbours are selected tells something about a cell's
  neighbourhood; BH over Gi* cells is the usual practice (Caldas de Castro & Singer 2006), but
  here its FDR bound is an approximation, checked by simulation, not a theorem.
* What the rule gives up: an empty cell surrounded by remarks (a ring) is not tested, so a hot
  spot is made of the cells that hold its remarks; cold spots are sought only among cells with
  remarks (a remark with unusually few remarks around it), never among empty cells.
  ``min_count=0`` tests every non-island cell (the classic all-cell correction).

Classes: with ``alpha_fdr`` the Benjamini–Hochberg (1995) step-up procedure over the tested cells:
sort the m p-values ``p_(1) ≤ … ≤ p_(m)``, take the largest ``r`` with ``p_(r) ≤ r q / m``; a cell
is significant at level ``q`` when its ``p_sim ≤ r q / m`` (none when there is no such ``r``).
"99 %" = significant at q = 0.01, otherwise "95 %" at q = 0.05, otherwise "90 %" at q = 0.10.
Without ``alpha_fdr`` the raw ``p_sim`` of the tested cells is compared with 0.01/0.05/0.10. The
resolution: the smallest ``p_sim`` is ``1/(permutations + 1)``, so under FDR a hot spot needs at
least ``m / (q (permutations + 1))`` cells at that smallest p-value (``attrs["fdr_floor_cells"]``,
q = 0.05).
"""

from __future__ import annotations

import functools
import math
import warnings
from collections.abc import Collection, Sequence
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import scipy.sparse as sp
from scipy import ndimage

from geomap.errors import InputError
from geomap.stats.grid import cell_area as _cell_area
from geomap.stats.grid import point_xy

__all__ = [
    "BANDWIDTH_RULES",
    "CHANGE_LABELS",
    "CLASS_LEVELS",
    "KIND_LABELS",
    "bh_reject",
    "compare_hotspots",
    "getis_ord",
    "kde",
    "pai",
    "queen_adjacency",
    "queen_weights",
    "significance_classes",
]

#: Significance classes and their false-discovery rate (or raw level without FDR), strictest first.
CLASS_LEVELS: tuple[tuple[str, float], ...] = (("99 %", 0.01), ("95 %", 0.05), ("90 %", 0.10))
#: Swedish words of the kind of a significant cell.
KIND_LABELS = {"hot": "het", "cold": "kall"}
#: Swedish words of :func:`compare_hotspots`.
CHANGE_LABELS = {"new": "ny", "persistent": "kvarstående", "gone": "försvunnen"}
#: How :func:`kde` chose its bandwidth, in Swedish for the report.
BANDWIDTH_RULES = {
    "given": "angiven bandbredd",
    "silverman": "Silvermans tumregel i två dimensioner: h = σ · n^(−1/6), σ = √((σx² + σy²)/2), σ per axel = min(standardavvikelse, kvartilavstånd/1,349)",
    "cell": "en rutstorlek (för få eller sammanfallande punkter för tumregeln)",
}

_CHUNK = 4_000_000  # elements of a (cells × permutations) block
_TRUNCATE = 4.0  # the kernel is cut at 4 bandwidths
_MAX_RASTER = 40_000_000


def queen_adjacency(grid: gpd.GeoDataFrame) -> sp.csr_matrix:
    """Binary queen contiguity of the cells of ``grid`` (8 neighbours inside, no self-loop).

    Examples
    --------
    >>> from geomap.stats.grid import make_grid
    >>> queen_adjacency(make_grid((0.0, 0.0, 300.0, 300.0))).sum(axis=1).A1.tolist()
    [3.0, 5.0, 3.0, 5.0, 8.0, 5.0, 3.0, 5.0, 3.0]
    """
    rows = grid["row"].to_numpy(dtype=np.int64)
    cols = grid["col"].to_numpy(dtype=np.int64)
    n = len(rows)
    if n == 0:
        return sp.csr_matrix((0, 0))
    row0, col0 = rows.min() - 1, cols.min() - 1
    ncols = cols.max() - col0 + 2
    key = (rows - row0) * ncols + (cols - col0)
    order = np.argsort(key)
    sorted_keys = key[order]
    sources, targets = [], []
    for dr, dc in ((-1, -1), (-1, 0), (-1, 1), (0, -1), (0, 1), (1, -1), (1, 0), (1, 1)):
        wanted = key + dr * ncols + dc
        at = np.minimum(np.searchsorted(sorted_keys, wanted), n - 1)
        found = sorted_keys[at] == wanted
        sources.append(np.flatnonzero(found))
        targets.append(order[at[found]])
    i, j = np.concatenate(sources), np.concatenate(targets)
    return sp.csr_matrix((np.ones(len(i)), (i, j)), shape=(n, n))


def queen_weights(grid: gpd.GeoDataFrame) -> Any:
    """Binary queen contiguity of ``grid`` as a ``libpysal.weights.W`` (ids are positions).

    Examples
    --------
    >>> from geomap.stats.grid import make_grid
    >>> queen_weights(make_grid((0.0, 0.0, 300.0, 300.0))).cardinalities[4]
    8
    """
    from libpysal.weights import W

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # islands and disconnected components are allowed
        return W.from_sparse(queen_adjacency(grid))


def bh_reject(p: np.ndarray, q: float) -> np.ndarray:
    """Benjamini–Hochberg step-up at false-discovery rate ``q``; NaN p-values are not tested.

    A p-value is rejected when it is ≤ ``r q / m``, ``r`` the largest rank with ``p_(r) ≤ r q / m``
    and ``m`` the number of (non-NaN) p-values.

    Examples
    --------
    >>> bh_reject(np.array([0.001, 0.008, 0.039, 0.041, 0.042, 0.06, 0.074, 0.205]), 0.05).tolist()
    [True, True, False, False, False, False, False, False]
    """
    p = np.asarray(p, dtype=float)
    tested = ~np.isnan(p)
    m = int(tested.sum())
    out = np.zeros(len(p), dtype=bool)
    if m == 0:
        return out
    ranked = np.sort(p[tested])
    passing = np.flatnonzero(ranked <= np.arange(1, m + 1) * q / m)
    if len(passing):
        out[tested] = p[tested] <= (passing[-1] + 1) * q / m
    return out


def significance_classes(p: np.ndarray, *, fdr: bool = True) -> np.ndarray:
    """Class "99 %", "95 %", "90 %" or "" of each p-value (see the module docstring).

    Examples
    --------
    >>> significance_classes(np.array([0.001, 0.03, 0.08, 0.5, np.nan]), fdr=False).tolist()
    ['99 %', '95 %', '90 %', '', '']
    """
    p = np.asarray(p, dtype=float)
    out = np.full(len(p), "", dtype=object)
    for label, level in reversed(CLASS_LEVELS):
        hit = bh_reject(p, level) if fdr else (~np.isnan(p) & (p <= level))
        out[hit] = label
    return out


def getis_ord(
    grid: gpd.GeoDataFrame,
    counts: pd.Series | np.ndarray,
    *,
    permutations: int = 999,
    seed: int = 12345,
    alpha_fdr: bool = True,
    min_count: int = 1,
) -> pd.DataFrame:
    """Local Getis-Ord Gi* of the counts per cell, with significance classes (module docstring).

    Parameters
    ----------
    grid : geopandas.GeoDataFrame
        A grid from :func:`geomap.stats.grid.make_grid`.
    counts : pandas.Series or numpy.ndarray
        Non-negative whole counts, one per cell in grid order (a Series indexed by ``cell_id``, as
        :func:`geomap.stats.grid.count_in_cells` returns, is aligned by its index).
    permutations : int, default 999
        Number of conditional permutations (at least 1).
    seed : int, default 12345
        Seed of esda's permutation generator.
    alpha_fdr : bool, default True
        Control the false-discovery rate (Benjamini–Hochberg) over the tested cells; False
        compares raw p-values.
    min_count : int, default 1
        Test only cells holding at least this many remarks of their own (module docstring,
        "Tested cells"); 0 tests every cell that has neighbours.

    Returns
    -------
    pandas.DataFrame
        ``cell_id``, ``count``, ``gi``, ``gi_z``, ``p_sim``, ``tested``, ``p_fdr_class``,
        ``kind``. ``attrs``: ``permutations``, ``seed``, ``fdr``, ``min_count``, ``tested``
        (m, the cells tested and corrected over), ``total``, ``fdr_floor_cells``, ``note`` (why
        nothing was tested, or "").

    Raises
    ------
    InputError
        If ``counts`` does not match the grid, is negative, not whole or not finite,
        ``permutations`` is not a whole number ≥ 1 or ``min_count`` not one ≥ 0.

    Examples
    --------
    >>> from geomap.stats.grid import make_grid
    >>> g = make_grid((0.0, 0.0, 1000.0, 1000.0))
    >>> y = np.zeros(100, dtype=int)
    >>> y[[44, 45, 54, 55]] = 9
    >>> r = getis_ord(g, y)
    >>> r.loc[r["count"] > 0, "kind"].tolist(), r.loc[r["count"] > 0, "p_fdr_class"].tolist()
    (['het', 'het', 'het', 'het'], ['99 %', '99 %', '99 %', '99 %'])
    >>> r.attrs["tested"], int(r["tested"].sum())
    (4, 4)
    >>> getis_ord(g, np.zeros(100, dtype=int)).attrs["note"]
    'no remarks in the period: nothing to test'
    """
    return _gi_table(
        grid, counts, permutations=permutations, seed=seed, fdr=alpha_fdr, min_count=min_count
    )


def _check_arguments(
    grid: gpd.GeoDataFrame, counts: pd.Series | np.ndarray, *, permutations: int, min_count: int
) -> np.ndarray:
    """Check all arguments; return the counts as :func:`_check_counts` gives them."""
    y = _check_counts(grid, counts)
    _check_permutations(permutations)
    _check_min_count(min_count)
    return y


def _gi_table(
    grid: gpd.GeoDataFrame,
    counts: pd.Series | np.ndarray,
    *,
    permutations: int,
    seed: int,
    fdr: bool,
    min_count: int,
) -> pd.DataFrame:
    """Check the arguments and build the table :func:`getis_ord` returns."""
    y = _check_arguments(grid, counts, permutations=permutations, min_count=min_count)
    adjacency = queen_adjacency(grid)
    card = np.diff(adjacency.indptr)
    frame = pd.DataFrame({"cell_id": grid["cell_id"].to_numpy(), "count": y})
    gi, z = _gi_star(y, adjacency)
    note = _untestable(y)
    p = np.full(len(y), np.nan)
    side = np.zeros(len(y), dtype=np.int8)
    if not note:
        p, side = _permutation_p(y, adjacency, card, permutations=permutations, seed=seed)
    selected = ~np.isnan(p) & (y >= min_count)
    tested = int(selected.sum())
    if not note and tested == 0:
        note = f"no cell with neighbours holds {min_count} or more remarks: nothing to test"
    classes = significance_classes(np.where(selected, p, np.nan), fdr=fdr)
    kind = np.where(side > 0, KIND_LABELS["hot"], KIND_LABELS["cold"])
    frame["gi"], frame["gi_z"], frame["p_sim"] = gi, z, p
    frame["tested"] = selected
    frame["p_fdr_class"] = classes
    frame["kind"] = np.where(classes != "", kind, "")
    frame.attrs.update(
        permutations=permutations,
        seed=seed,
        fdr=fdr,
        min_count=min_count,
        tested=tested,
        total=int(y.sum()),
        fdr_floor_cells=math.ceil(tested / (CLASS_LEVELS[1][1] * (permutations + 1))),
        note=note,
    )
    return frame


def _check_counts(grid: gpd.GeoDataFrame, counts: pd.Series | np.ndarray) -> np.ndarray:
    if isinstance(counts, pd.Series) and counts.index.name == "cell_id":
        counts = counts.reindex(grid["cell_id"].to_numpy())
    values = np.asarray(counts, dtype=float).ravel()
    if len(values) != len(grid):
        msg = f"`counts`: {len(values)} values for a grid of {len(grid)} cells; give one count per cell (count_in_cells() does)"
        raise InputError(msg)
    bad = ~np.isfinite(values) | (values < 0) | (values != np.round(values))
    if bad.any():
        first = int(np.flatnonzero(bad)[0])
        msg = f"`counts`: cell {first} has {float(values[first])!r}; give whole counts ≥ 0 (empty cells as 0)"
        raise InputError(msg)
    return values.astype(np.int64)


def _check_permutations(permutations: int) -> None:
    if isinstance(permutations, bool) or not isinstance(permutations, int) or permutations < 1:
        msg = f"`permutations`: {permutations!r} is not a whole number ≥ 1; give e.g. 999"
        raise InputError(msg)


def _check_min_count(min_count: int) -> None:
    if isinstance(min_count, bool) or not isinstance(min_count, int) or min_count < 0:
        msg = f"`min_count`: {min_count!r} is not a whole number ≥ 0; give e.g. 1 (cells with a remark of their own)"
        raise InputError(msg)


def _untestable(y: np.ndarray) -> str:
    if len(y) < 2:
        return "fewer than two cells: nothing to compare"
    if y.sum() == 0:
        return "no remarks in the period: nothing to test"
    return ""


def _gi_star(y: np.ndarray, adjacency: sp.csr_matrix) -> tuple[np.ndarray, np.ndarray]:
    """Gi* and its analytical z-score, by the formulas of esda.G_Local (star, binary)."""
    n = len(y)
    total = float(y.sum())
    if n == 0 or total == 0:
        return np.full(n, np.nan), np.full(n, np.nan)
    lag = adjacency @ y.astype(float) + y
    gi = lag / total
    card = np.diff(adjacency.indptr) + 1.0
    mean = total / n
    variance = float((y.astype(float) ** 2).sum()) / n - mean**2
    expected = card / n
    var_g = card * (n - card) / (n - 1) / n**2 * variance / mean**2 if n > 1 else np.zeros(n)
    with np.errstate(divide="ignore", invalid="ignore"):
        z = (gi - expected) / np.sqrt(var_g)
    return gi, np.where(np.isfinite(z), z, np.nan)


@functools.lru_cache(maxsize=8)
def _draws(max_card: int, n: int, permutations: int, seed: int) -> np.ndarray:
    """Return esda's permutation indices into the n - 1 other cells, computed once per grid size.

    The same numbers as ``esda.crand.vec_permutations(max_card, n, permutations, seed)`` (the
    legacy generator seeded with ``seed``, one ``choice(n - 1, max_card, replace=False)`` per
    permutation), without importing esda or touching numpy's global random state.
    """
    state = np.random.RandomState(seed)
    ids = np.empty((permutations, max_card), dtype=np.int64)
    for number in range(permutations):
        ids[number] = state.choice(n - 1, size=max_card, replace=False)
    ids.setflags(write=False)
    return ids


def _permutation_p(
    y: np.ndarray, adjacency: sp.csr_matrix, card: np.ndarray, *, permutations: int, seed: int
) -> tuple[np.ndarray, np.ndarray]:
    """Pseudo p-value (ties on both sides) and side (+1 hot, -1 cold) of every non-island cell.

    The simulated neighbourhood sum of cell i in permutation p is
    ``y_i + Σ_{j < k_i} y_other(i)[ids[p, j]]`` with ``y_other(i)[m] = y[m + (m ≥ i)]`` (esda's
    draw from the cells other than i). Writing it as ``Σ_j a_pj + Σ_j d_pj [i ≤ ids[p, j]]`` with
    ``a = y[ids]`` and ``d = y[ids + 1] − y[ids]`` turns the second sum into a prefix sum over the
    cells, so each block of permutations costs one cumulative sum per distinct neighbour count.
    """
    n, max_card = len(y), int(card.max()) if len(card) else 0
    p = np.full(n, np.nan)
    side = np.zeros(n, dtype=np.int8)
    if max_card == 0:
        return p, side
    ids = _draws(max_card, n, permutations, seed)
    y = y.astype(np.int32 if y.sum() < 2**31 - 1 else np.int64)  # exact sums, half the memory
    observed = (adjacency @ y).astype(y.dtype) + y
    ge = np.zeros(n, dtype=np.int64)
    le = np.zeros(n, dtype=np.int64)
    step = max(1, _CHUNK // max(n, 1))
    for start in range(0, permutations, step):
        block = ids[start : start + step]
        a, d = y[block], y[block + 1] - y[block]
        prefix = np.concatenate(
            [np.zeros((len(block), 1), dtype=y.dtype), a.cumsum(1, dtype=y.dtype)], axis=1
        )
        for k in np.unique(card[card > 0]):
            cells = np.flatnonzero(card == k)
            sums = _block_sums(block[:, :k], d[:, :k], n, cells)
            sims = sums + prefix[:, k] + y[cells, None]
            ge[cells] += (sims >= observed[cells, None]).sum(1)
            le[cells] += (sims <= observed[cells, None]).sum(1)
    tested = card > 0
    p[tested] = (np.minimum(ge, le)[tested] + 1.0) / (permutations + 1.0)
    side[tested] = np.where(ge[tested] < le[tested], 1, np.where(le[tested] < ge[tested], -1, 0))
    return p, side


def _block_sums(ids: np.ndarray, d: np.ndarray, n: int, cells: np.ndarray) -> np.ndarray:
    """``Σ_j d[p, j] [i ≤ ids[p, j]]`` for the cells ``i`` in ``cells`` (cells × permutations).

    Few cells: compared directly; many: one prefix sum over all cells.
    """
    perms, k = ids.shape
    if len(cells) * k < n:
        out = np.zeros((len(cells), perms), dtype=d.dtype)
        for j in range(k):
            out += np.where(cells[:, None] <= ids[None, :, j], d[None, :, j], 0)
        return out
    diff = np.zeros((n + 1, perms), dtype=d.dtype)
    diff[0] = d.sum(1, dtype=d.dtype)
    np.add.at(diff, (ids + 1, np.broadcast_to(np.arange(perms)[:, None], ids.shape)), -d)
    return np.cumsum(diff[:n], axis=0, dtype=d.dtype)[cells]


def kde(
    points: np.ndarray | gpd.GeoSeries,
    grid: gpd.GeoDataFrame,
    *,
    bandwidth: float | None = None,
) -> tuple[pd.Series, float, str]:
    """Gaussian kernel density of the points, as the mean density over each cell (remarks per km²).

    The points are spread (linear binning) over sub-cells of at most ``bandwidth / 4`` covering
    the grid's bounding frame padded by 4 bandwidths (so no mass is lost at the edge), smoothed
    with a Gaussian of standard deviation ``bandwidth`` (separable,
    ``scipy.ndimage.gaussian_filter``, cut at 4 bandwidths) and summed per grid cell. Summed
    over all cells times the cell area (km²) it gives the number of points, less what falls
    outside the grid (e.g. outside the municipality). Memory is one raster of the padded frame.

    Parameters
    ----------
    points : numpy.ndarray of shape (n, 2) or geopandas.GeoSeries
        Points in the grid's CRS; those without coordinates are left out.
    grid : geopandas.GeoDataFrame
        A grid from :func:`geomap.stats.grid.make_grid`.
    bandwidth : float, optional
        Kernel standard deviation in metres; by default Silverman's rule (:data:`BANDWIDTH_RULES`),
        at least half a cell, and one cell when there are fewer than two distinct points.

    Returns
    -------
    (pandas.Series, float, str)
        Density per cell (``density``, remarks per km², indexed by ``cell_id``), the bandwidth in
        metres and its rule code (a key of :data:`BANDWIDTH_RULES`).

    Raises
    ------
    InputError
        If ``bandwidth`` is not a positive number, or the padded raster would be too large.

    Examples
    --------
    >>> from geomap.stats.grid import make_grid
    >>> g = make_grid((0.0, 0.0, 2000.0, 2000.0))
    >>> density, h, rule = kde(np.array([[1000.0, 1000.0]] * 10), g, bandwidth=200.0)
    >>> round(float(density.sum() * 0.01), 3), h, rule
    (10.0, 200.0, 'given')
    """
    x, y = point_xy(points)
    ok = np.isfinite(x) & np.isfinite(y)
    x, y = x[ok], y[ok]
    cell = math.sqrt(_cell_area(grid))
    h, rule = _bandwidth(x, y, cell, bandwidth)
    density = np.zeros(len(grid))
    if len(grid) and len(x):
        density = _smoothed(x, y, grid, cell, h)
    index = pd.Index(grid["cell_id"].to_numpy(), name="cell_id")
    return pd.Series(density, index=index, name="density"), h, rule


def _bandwidth(x: np.ndarray, y: np.ndarray, cell: float, given: float | None) -> tuple[float, str]:
    if given is not None:
        if isinstance(given, bool) or not isinstance(given, int | float) or not given > 0:
            msg = f"`bandwidth`: {given!r} is not a bandwidth; give a positive number of metres, e.g. 250, or None for Silverman's rule"
            raise InputError(msg)
        return float(given), "given"
    if len(x) < 2:
        return cell, "cell"
    spreads = []
    for v in (x, y):
        q1, q3 = np.percentile(v, [25, 75])
        sd = float(np.std(v, ddof=1))
        robust = (q3 - q1) / 1.349
        spreads.append(min(sd, robust) if robust > 0 else sd)
    sigma = math.sqrt((spreads[0] ** 2 + spreads[1] ** 2) / 2)
    if not sigma > 0:
        return cell, "cell"
    return max(sigma * len(x) ** (-1 / 6), cell / 2), "silverman"


def _smoothed(
    x: np.ndarray, y: np.ndarray, grid: gpd.GeoDataFrame, cell: float, h: float
) -> np.ndarray:
    """Linear binning on sub-cells of at most h/4, Gaussian filter, sums per grid cell."""
    rows = grid["row"].to_numpy(dtype=np.int64)
    cols = grid["col"].to_numpy(dtype=np.int64)
    pad = math.ceil(_TRUNCATE * h / cell) + 1
    row0, col0 = rows.min() - pad, cols.min() - pad
    nrows, ncols = rows.max() - row0 + 1 + pad, cols.max() - col0 + 1 + pad
    split = min(8, max(1, math.ceil(4 * cell / h)))
    if nrows * ncols * split * split > _MAX_RASTER:
        msg = f"`bandwidth`: {h:.0f} m on {cell:g} m cells needs a raster of {nrows * ncols * split * split:,} cells; give a smaller `bandwidth` or a larger cell"
        raise InputError(msg)
    sub = cell / split
    shape = (nrows * split, ncols * split)
    raster = _linear_bins((x - col0 * cell) / sub - 0.5, (y - row0 * cell) / sub - 0.5, shape)
    smooth = ndimage.gaussian_filter(raster, sigma=h / sub, mode="constant", truncate=_TRUNCATE)
    per_cell = smooth.reshape(nrows, split, ncols, split).sum(axis=(1, 3))
    return per_cell[rows - row0, cols - col0] * (1e6 / (cell * cell))


def _linear_bins(u: np.ndarray, v: np.ndarray, shape: tuple[int, int]) -> np.ndarray:
    """Spread each point over the 4 nearest sub-cell centres (cloud in cell), keeping its mean."""
    i0, j0 = np.floor(v).astype(np.int64), np.floor(u).astype(np.int64)
    fv, fu = v - i0, u - j0
    raster = np.zeros(shape[0] * shape[1])
    for di, wi in ((0, 1 - fv), (1, fv)):
        for dj, wj in ((0, 1 - fu), (1, fu)):
            i, j = i0 + di, j0 + dj
            ok = (i >= 0) & (i < shape[0]) & (j >= 0) & (j < shape[1])
            raster += np.bincount(
                i[ok] * shape[1] + j[ok], weights=(wi * wj)[ok], minlength=raster.size
            )
    return raster.reshape(shape)


def pai(
    hot_cells_mask: np.ndarray | pd.Series,
    counts_now: np.ndarray | pd.Series,
    cell_area: float,
    total_area: float,
) -> float:
    """Predictive accuracy index (Chainey, Tompson & Uhlig 2008): share of incidents ÷ share of area.

    ``PAI = (n_hot / N) / (a_hot / A)`` with ``n_hot`` this period's incidents in the (last
    period's) hot cells, ``N`` all of this period's incidents in ``counts_now``, ``a_hot`` the
    number of hot cells × ``cell_area`` and ``A`` = ``total_area``. NaN when ``N`` is 0, there is
    no hot cell, or an area is not positive.

    Raises
    ------
    InputError
        If the mask and the counts differ in length.

    Examples
    --------
    >>> pai(np.array([True, False, False, False]), np.array([6, 2, 1, 1]), 1.0, 4.0)
    2.4
    >>> pai(np.zeros(4, dtype=bool), np.array([6, 2, 1, 1]), 1.0, 4.0)
    nan
    """
    mask = np.asarray(hot_cells_mask, dtype=bool).ravel()
    counts = np.asarray(counts_now, dtype=float).ravel()
    if len(mask) != len(counts):
        msg = f"`hot_cells_mask` has {len(mask)} cells but `counts_now` {len(counts)}; give both for the same grid"
        raise InputError(msg)
    total, hot_area = float(counts.sum()), float(mask.sum()) * cell_area
    if not (total > 0 and hot_area > 0 and total_area > 0):
        return float("nan")
    return float((counts[mask].sum() / total) / (hot_area / total_area))


def compare_hotspots(
    current: np.ndarray | pd.Series | Collection[Any],
    references: Sequence[np.ndarray | pd.Series | Collection[Any]],
    *,
    min_periods: int = 1,
    cells: Sequence[Any] | pd.Series | np.ndarray | None = None,
) -> pd.Series:
    """Tell per cell whether a hot spot is new, persistent or gone compared with reference periods.

    A cell is *hot in the references* when it is hot in at least ``min_periods`` of them. Then:
    "kvarstående" (persistent) = hot now and in the references; "ny" (new) = hot now, not in the
    references; "försvunnen" (gone) = hot in the references, not now; "" otherwise.

    Parameters
    ----------
    current : boolean mask or set of cell ids
        This period's hot cells: a boolean array/Series (one value per cell) or a collection of
        cell ids (then ``cells`` is required).
    references : list of masks or sets
        The reference periods' hot cells, in the same form.
    min_periods : int, default 1
        In how many reference periods a cell must be hot (1 = in any of them).
    cells : sequence, optional
        All cell ids (e.g. ``grid["cell_id"]``); the index of the result. Required for sets.

    Returns
    -------
    pandas.Series
        One word per cell (index: ``cells``, the mask's index, or positions).

    Raises
    ------
    InputError
        If masks differ in length, sets come without ``cells``, or ``min_periods`` < 1.

    Examples
    --------
    >>> compare_hotspots({1, 2}, [{2, 3}, {3}], cells=[0, 1, 2, 3]).tolist()
    ['', 'ny', 'kvarstående', 'försvunnen']
    >>> compare_hotspots(np.array([True, False]), [], min_periods=1).tolist()
    ['ny', '']
    """
    if isinstance(min_periods, bool) or not isinstance(min_periods, int) or min_periods < 1:
        msg = f"`min_periods`: {min_periods!r} is not a whole number ≥ 1; give e.g. 1"
        raise InputError(msg)
    index = _cell_index(current, cells)
    now = _as_mask(current, index, argument="current")
    seen = np.zeros(len(index), dtype=np.int64)
    for number, reference in enumerate(references):
        seen += _as_mask(reference, index, argument=f"references[{number}]")
    before = seen >= min_periods
    words = np.select(
        [now & before, now & ~before, ~now & before],
        [CHANGE_LABELS["persistent"], CHANGE_LABELS["new"], CHANGE_LABELS["gone"]],
        default="",
    )
    return pd.Series(words.astype(object), index=index, name="change")


def _is_mask(value: Any) -> bool:
    return isinstance(value, np.ndarray | pd.Series) and np.asarray(value).dtype == bool


def _cell_index(current: Any, cells: Any) -> pd.Index:
    if cells is not None:
        return pd.Index(np.asarray(cells), name="cell_id")
    if isinstance(current, pd.Series) and _is_mask(current):
        return current.index
    if _is_mask(current):
        return pd.RangeIndex(len(current))
    msg = "`cells`: not given, but `current` is a set of cell ids; give cells=grid['cell_id'] or boolean masks"
    raise InputError(msg)


def _as_mask(value: Any, index: pd.Index, *, argument: str) -> np.ndarray:
    if _is_mask(value):
        mask = np.asarray(value, dtype=bool).ravel()
        if len(mask) != len(index):
            msg = f"`{argument}`: a mask of {len(mask)} cells for {len(index)} cells; give masks of the same grid"
            raise InputError(msg)
        return mask
    return np.asarray(index.isin(list(value)), dtype=bool)
